// The Slack Events API receiver, as pure logic (no sockets): request signature v0 verification, the
// decision for one HTTP delivery (HandleEventsApiRequest), and RecentIds, the event_id dedupe set shared by
// Events API and Socket Mode deliveries. The HTTP server around it is bot/service_http.h.
//
// Protocol (shared/research/slack.md §7; fixtures in tests/fixtures/slack/events/):
//   - Every request carries X-Slack-Request-Timestamp (Unix seconds) and
//     X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)>.
//     Requests outside ±5 minutes of our clock are refused (replay protection), as Slack's SDKs do.
//   - {"type":"url_verification","challenge":…} is answered 200 with the JSON {"challenge":…}, as Bolt does
//     (bolt-js src/receivers/ExpressReceiver.ts); Slack's docs accept that or the plain-text challenge.
//   - {"type":"event_callback","event_id":…,"event":{…},…} is acknowledged 200 with an empty body; the caller
//     must only enqueue it, because Slack retries deliveries not acknowledged within 3 seconds.
//   - Retries carry X-Slack-Retry-Num and X-Slack-Retry-Reason; the same event_id comes again.
//   - {"type":"app_rate_limited",…} (Slack dropped events: over 30,000 an hour) is acknowledged and logged.
//   - A form-encoded "ssl_check=1" POST (Slack checking our certificate) is answered 200, after the
//     signature check as in bolt-js src/receivers/HTTPReceiver.ts (bolt's Lambda-style receivers answer it
//     before verifying; it only concerns slash commands, which creditbot does not register).
//
// We never send "X-Slack-No-Retry: 1": when we fail a genuine delivery (overloaded, a clock or secret
// problem being fixed) we want Slack's retries, and a forged request (401) comes from someone who ignores
// the header anyway.
//
// Thread-safety: the functions are pure and reentrant; RecentIds is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace creditbot {

// Slack delivers events far below this; bigger bodies are refused with 413 before any other work.
inline constexpr std::size_t kDefaultEventsApiMaxBodyBytes = std::size_t{1} << 20;

// "v0=" followed by the 64 lowercase hex digits of HMAC-SHA256(secret, "v0:" + timestamp + ":" + body):
// the X-Slack-Signature Slack would send; "" if OpenSSL fails. For tests, fuzzing and tools; never logged.
std::string ComputeSlackSignature(std::string_view signing_secret, std::string_view timestamp,
                                  std::string_view raw_body);

// Checks a request's signature v0 over the raw body bytes exactly as received (before any decoding),
// comparing in constant time, and that its timestamp is within `window` of `now` (either way).
// Errors (messages never contain the secret or the expected signature):
//   kFailedPrecondition "no Slack signing secret is configured" (empty `signing_secret`);
//   kUnauthenticated:
//     "missing X-Slack-Request-Timestamp header", "missing X-Slack-Signature header" (absent or empty);
//     "X-Slack-Request-Timestamp is not an integer" (anything but 1 to 18 ASCII digits);
//     "X-Slack-Request-Timestamp is 301 s old (limit 300 s): a delayed or replayed request";
//     "X-Slack-Request-Timestamp is 301 s in the future (limit 300 s): check the server clock";
//     "X-Slack-Signature is malformed (expected v0= and 64 hex digits)";
//     "X-Slack-Signature does not match the body (wrong signing secret, or the body was altered)";
//   kInternal "HMAC-SHA256 failed in OpenSSL" (not expected; HandleEventsApiRequest answers it 500).
absl::Status VerifySlackSignature(std::string_view signing_secret, std::string_view timestamp_header,
                                  std::string_view signature_header, std::string_view raw_body,
                                  absl::Time now, absl::Duration window = absl::Minutes(5));

// One HTTP request to the Events API endpoint, as received. An empty header value means "absent".
struct EventsApiRequest {
  std::string method = "POST";
  std::string content_type;       // Content-Type, e.g. "application/json"
  std::string request_timestamp;  // X-Slack-Request-Timestamp
  std::string signature;          // X-Slack-Signature
  std::string retry_num;          // X-Slack-Retry-Num ("" on a first delivery)
  std::string retry_reason;       // X-Slack-Retry-Reason, e.g. "http_timeout"
  std::string body;               // raw bytes, not decoded
};

// What to answer, and the event when one was delivered.
struct EventsApiResult {
  int http_status = 500;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;  // the answer; for errors, one line saying why (no secrets)
  // Set only for an accepted event_callback (200): the whole envelope {"type":"event_callback",
  // "event_id", "event":{…}, "team_id", …}, to be enqueued; event_id is its non-empty "event_id".
  std::optional<nlohmann::json> envelope;
  std::string event_id;
  int retry_num = 0;         // X-Slack-Retry-Num; 0 on a first delivery or when not a number
  std::string retry_reason;  // X-Slack-Retry-Reason as sent (at most 64 bytes kept)
  // A short name of the decision for metrics and logs: "event", "url_verification", "ssl_check",
  // "app_rate_limited", "unauthenticated", "too_large", "bad_request", "method_not_allowed",
  // "not_configured", "error".
  std::string result;
};

// Decides the answer to one delivery. Never throws; fast (one HMAC and one JSON parse), so the caller can
// answer within Slack's 3 s, provided it only enqueues the event. In order:
//   405 unless the method is POST;
//   413 when the body exceeds `max_body_bytes` (checked first so that no work is spent on it);
//   500 "no Slack signing secret is configured" when `signing_secret` is empty;
//   401 when VerifySlackSignature fails (body: its message);
//   form-encoded body (Content-Type application/x-www-form-urlencoded): 200 for ssl_check=1, else 400
//     (slash commands and interactivity are not handled);
//   otherwise JSON: 400 "body is not JSON", "body is not a JSON object", "body JSON is nested deeper than
//     128 levels", "body has no string \"type\"", "unsupported Events API type \"…\"",
//     "url_verification has no string \"challenge\"", "event_callback has no string \"event_id\"",
//     "event_callback has no \"event\" object";
//   200 for url_verification (JSON challenge), event_callback (empty body, envelope set) and
//     app_rate_limited (logged with LogWarn).
// Retry headers are parsed for every request.
EventsApiResult HandleEventsApiRequest(const EventsApiRequest& request, std::string_view signing_secret,
                                       absl::Time now,
                                       std::size_t max_body_bytes = kDefaultEventsApiMaxBodyBytes);

// A bounded set of recently seen event ids, so a redelivered event (Slack retry, Socket Mode redelivery,
// or the same event arriving by both routes) is processed once. Ids are forgotten after `ttl`, and when
// more than `capacity` are held the oldest is forgotten first; an id seen again while remembered does not
// extend its life.
//
// Thread-safe.
class RecentIds {
 public:
  explicit RecentIds(std::size_t capacity = 10000, absl::Duration ttl = absl::Hours(1));

  // True the first time `id` is seen (within the TTL and capacity), and records it; false for a repeat.
  // An empty id cannot be deduplicated: always true, never recorded.
  bool FirstSeen(std::string_view id, absl::Time now);

  // Forgets `id`, so that a redelivery is processed again (used when handing the event on failed).
  void Forget(std::string_view id);

  std::size_t size() const;

 private:
  void EvictExpired(absl::Time now);  // requires mutex_

  const std::size_t capacity_;
  const absl::Duration ttl_;
  mutable std::mutex mutex_;
  struct Entry {
    std::string id;
    std::uint64_t sequence;  // matches seen_[id] while this entry is the live one
    absl::Time first_seen;
  };
  // Entries in the order first seen. An entry whose id was forgotten (and perhaps seen again since) no
  // longer matches seen_ and is skipped when it reaches the front.
  std::deque<Entry> order_;
  absl::flat_hash_map<std::string, std::uint64_t> seen_;  // id → sequence of its live entry
  std::uint64_t next_sequence_ = 0;
};

}  // namespace creditbot
