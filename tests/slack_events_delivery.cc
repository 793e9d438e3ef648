// Signed Events API deliveries for end-to-end tests; see slack_events_delivery.h.
#include "tests/slack_events_delivery.h"

#include <httplib.h>
#include <openssl/hmac.h>

#include <ctime>

namespace creditbot::testing {

std::string SlackSignatureV0(const std::string& secret, const std::string& timestamp,
                             const std::string& body) {
  const std::string data = "v0:" + timestamp + ":" + body;
  unsigned char digest[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  static const char* kHex = "0123456789abcdef";
  std::string signature = "v0=";
  for (unsigned int i = 0; i < length; ++i) {
    signature.push_back(kHex[digest[i] >> 4]);
    signature.push_back(kHex[digest[i] & 15]);
  }
  return signature;
}

nlohmann::json MessageEventCallback(const std::string& event_id, const std::string& channel,
                                    const std::string& user, const std::string& ts, const std::string& text) {
  return {{"token", "XXYYZZ"},
          {"team_id", "T0G9PQBBK"},
          {"api_app_id", "A0CREDITBOT"},
          {"type", "event_callback"},
          {"event_id", event_id},
          {"event_time", 1752588191},
          {"event",
           {{"type", "message"},
            {"channel", channel},
            {"channel_type", "channel"},
            {"user", user},
            {"text", text},
            {"ts", ts},
            {"event_ts", ts}}}};
}

int DeliverSignedEvent(int port, const nlohmann::json& envelope, const std::string& secret) {
  const std::string body = envelope.dump();
  const std::string timestamp = std::to_string(static_cast<long>(std::time(nullptr)));
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10);
  httplib::Result result = client.Post("/slack/events",
                                       {{"X-Slack-Request-Timestamp", timestamp},
                                        {"X-Slack-Signature", SlackSignatureV0(secret, timestamp, body)}},
                                       body, "application/json");
  return result ? result->status : -1;
}

}  // namespace creditbot::testing
