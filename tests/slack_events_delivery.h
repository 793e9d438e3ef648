// Events API deliveries sent to `creditbot serve` the way Slack sends them, for end-to-end tests: the
// event_callback envelope of a message, signed with signature v0 (HMAC-SHA256 computed here with OpenSSL,
// independently of the product's check) and POSTed to /slack/events on loopback. serve_end_to_end_test.cc,
// serve_secret_reload_test.cc and crash_consistency_test.cc still carry their own copies of the signing.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace creditbot::testing {

// "v0=" + hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)): the X-Slack-Signature header.
std::string SlackSignatureV0(const std::string& secret, const std::string& timestamp,
                             const std::string& body);

// The event_callback Slack sends for a message `text` posted by `user` at `ts` in `channel`.
nlohmann::json MessageEventCallback(const std::string& event_id, const std::string& channel,
                                    const std::string& user, const std::string& ts, const std::string& text);

// POSTs `envelope` to 127.0.0.1:`port`/slack/events signed with `secret` at the current time; returns the
// HTTP status, or -1 when there was no answer.
int DeliverSignedEvent(int port, const nlohmann::json& envelope, const std::string& secret);

}  // namespace creditbot::testing
