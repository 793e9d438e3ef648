// The Slack Events API receiver logic: signature v0, the answer to one delivery, event_id dedupe; see
// events_api.h.
#include "slack/events_api.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <exception>
#include <initializer_list>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/hex.h"
#include "common/logging.h"
#include "common/strings.h"

namespace creditbot {
namespace {

using Json = nlohmann::json;
using Digest = std::array<unsigned char, 32>;

constexpr int kMaxJsonDepth = 128;
constexpr std::size_t kMaxRetryReasonBytes = 64;
constexpr std::size_t kMaxQuotedBytes = 64;

// HMAC-SHA256 of the concatenated `parts` through OpenSSL 3's EVP_MAC; false if OpenSSL fails.
bool HmacSha256(std::string_view key, std::initializer_list<std::string_view> parts, Digest& out) {
  // Fetched once: an EVP_MAC is immutable and may be shared by threads.
  static EVP_MAC* const algorithm = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (algorithm == nullptr) return false;
  const std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> context(EVP_MAC_CTX_new(algorithm),
                                                                          &EVP_MAC_CTX_free);
  if (context == nullptr) return false;
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                               OSSL_PARAM_construct_end()};
  // A non-null key pointer even for an empty key: a null key means "keep the previous key" to OpenSSL.
  static constexpr unsigned char kEmpty = 0;
  const unsigned char* key_bytes = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  if (EVP_MAC_init(context.get(), key_bytes, key.size(), params) != 1) return false;
  for (const std::string_view part : parts) {
    if (EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(part.data()), part.size()) !=
        1) {
      return false;
    }
  }
  std::size_t length = 0;
  return EVP_MAC_final(context.get(), out.data(), &length, out.size()) == 1 && length == out.size();
}

// "v0=" + 64 hex digits (either case) → the 32 bytes; false when malformed.
bool DecodeSignature(std::string_view header, Digest& out) {
  constexpr std::string_view kPrefix = "v0=";
  if (header.size() != kPrefix.size() + 2 * out.size() || header.substr(0, kPrefix.size()) != kPrefix) {
    return false;
  }
  return HexDecode(header.substr(kPrefix.size()), out);
}

// 1 to 18 ASCII digits (no sign, no spaces); anything else is not a Unix time Slack would send.
bool ParseUnixSeconds(std::string_view text, std::int64_t& seconds) {
  if (text.empty() || text.size() > 18) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  return absl::SimpleAtoi(ToAbsl(text), &seconds);
}

// `text` as a JSON string literal, cut to kMaxQuotedBytes, for error messages about untrusted input.
std::string Quote(std::string_view text) {
  const Json value = std::string(text.substr(0, kMaxQuotedBytes));
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A field of `object` for a log line: the string itself, other values as JSON, "" when absent.
std::string FieldText(const Json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end()) return "";
  if (found->is_string()) return found->get<std::string>();
  return found->dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The media type of a Content-Type value, lowercased, without parameters ("application/json").
std::string MediaType(std::string_view content_type) {
  const std::string_view type = content_type.substr(0, content_type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(ToAbsl(type)));
}

// True when the form-encoded body has the parameter ssl_check=1.
bool IsSslCheck(std::string_view body) {
  for (const absl::string_view pair : absl::StrSplit(ToAbsl(body), '&')) {
    if (pair == "ssl_check=1") return true;
  }
  return false;
}

EventsApiResult Answer(int status, std::string result, std::string body) {
  EventsApiResult answer;
  answer.http_status = status;
  answer.result = std::move(result);
  answer.body = std::move(body);
  return answer;
}

EventsApiResult BadRequest(std::string why) { return Answer(400, "bad_request", std::move(why)); }

// The JSON part of HandleEventsApiRequest, after the signature has been checked.
EventsApiResult HandleJson(const std::string& body) {
  EventsApiResult answer;
  bool too_deep = false;
  const Json::parser_callback_t limit_depth = [&too_deep](int depth, Json::parse_event_t event, Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth > kMaxJsonDepth) {
      too_deep = true;
      return false;  // skip the deep value instead of building it
    }
    return true;
  };
  Json document = Json::parse(body, limit_depth, /*allow_exceptions=*/false);
  if (document.is_discarded()) return BadRequest("body is not JSON");
  if (too_deep) return BadRequest(absl::StrCat("body JSON is nested deeper than ", kMaxJsonDepth, " levels"));
  if (!document.is_object()) return BadRequest("body is not a JSON object");
  const auto type = document.find("type");
  if (type == document.end() || !type->is_string()) return BadRequest("body has no string \"type\"");
  const std::string type_name = type->get<std::string>();

  if (type_name == "url_verification") {
    const auto challenge = document.find("challenge");
    if (challenge == document.end() || !challenge->is_string()) {
      return BadRequest("url_verification has no string \"challenge\"");
    }
    answer.http_status = 200;
    answer.result = "url_verification";
    answer.content_type = "application/json";
    answer.body = Json{{"challenge", *challenge}}.dump(-1, ' ', false, Json::error_handler_t::replace);
    return answer;
  }
  if (type_name == "event_callback") {
    const auto event_id = document.find("event_id");
    if (event_id == document.end() || !event_id->is_string() ||
        event_id->get_ref<const std::string&>().empty()) {
      return BadRequest("event_callback has no string \"event_id\"");
    }
    const auto event = document.find("event");
    if (event == document.end() || !event->is_object())
      return BadRequest("event_callback has no \"event\" object");
    answer.http_status = 200;
    answer.result = "event";
    answer.event_id = event_id->get<std::string>();
    answer.envelope = std::move(document);
    return answer;
  }
  if (type_name == "app_rate_limited") {
    LogWarn("Slack dropped Events API deliveries: the app is rate limited (app_rate_limited)",
            {{"team_id", FieldText(document, "team_id")},
             {"api_app_id", FieldText(document, "api_app_id")},
             {"minute_rate_limited", FieldText(document, "minute_rate_limited")}});
    answer.http_status = 200;
    answer.result = "app_rate_limited";
    return answer;
  }
  return BadRequest(absl::StrCat("unsupported Events API type ", Quote(type_name)));
}

}  // namespace

std::string ComputeSlackSignature(std::string_view signing_secret, std::string_view timestamp,
                                  std::string_view raw_body) {
  Digest digest{};
  if (!HmacSha256(signing_secret, {"v0:", timestamp, ":", raw_body}, digest)) return "";
  return absl::StrCat("v0=", absl::BytesToHexString(absl::string_view(
                                 reinterpret_cast<const char*>(digest.data()), digest.size())));
}

absl::Status VerifySlackSignature(std::string_view signing_secret, std::string_view timestamp_header,
                                  std::string_view signature_header, std::string_view raw_body,
                                  absl::Time now, absl::Duration window) {
  if (signing_secret.empty()) return absl::FailedPreconditionError("no Slack signing secret is configured");
  if (timestamp_header.empty()) return absl::UnauthenticatedError("missing X-Slack-Request-Timestamp header");
  if (signature_header.empty()) return absl::UnauthenticatedError("missing X-Slack-Signature header");
  std::int64_t seconds = 0;
  if (!ParseUnixSeconds(timestamp_header, seconds)) {
    return absl::UnauthenticatedError("X-Slack-Request-Timestamp is not an integer");
  }
  const absl::Duration age = now - absl::FromUnixSeconds(seconds);
  const std::int64_t limit = absl::ToInt64Seconds(window);
  if (age > window) {
    return absl::UnauthenticatedError(
        absl::StrCat("X-Slack-Request-Timestamp is ", absl::ToInt64Seconds(absl::Ceil(age, absl::Seconds(1))),
                     " s old (limit ", limit, " s): a delayed or replayed request"));
  }
  if (-age > window) {
    return absl::UnauthenticatedError(absl::StrCat(
        "X-Slack-Request-Timestamp is ", absl::ToInt64Seconds(absl::Ceil(-age, absl::Seconds(1))),
        " s in the future (limit ", limit, " s): check the server clock"));
  }
  Digest received{};
  if (!DecodeSignature(signature_header, received)) {
    return absl::UnauthenticatedError("X-Slack-Signature is malformed (expected v0= and 64 hex digits)");
  }
  Digest expected{};
  if (!HmacSha256(signing_secret, {"v0:", timestamp_header, ":", raw_body}, expected)) {
    return absl::InternalError("HMAC-SHA256 failed in OpenSSL");
  }
  if (CRYPTO_memcmp(received.data(), expected.data(), expected.size()) != 0) {
    return absl::UnauthenticatedError(
        "X-Slack-Signature does not match the body (wrong signing secret, or the body was altered)");
  }
  return absl::OkStatus();
}

EventsApiResult HandleEventsApiRequest(const EventsApiRequest& request, std::string_view signing_secret,
                                       absl::Time now, std::size_t max_body_bytes) {
  int retry_num = 0;
  if (!absl::SimpleAtoi(ToAbsl(request.retry_num), &retry_num) || retry_num < 0) retry_num = 0;
  const std::string retry_reason = request.retry_reason.substr(0, kMaxRetryReasonBytes);
  const auto with_retry = [&](EventsApiResult decided) {
    decided.retry_num = retry_num;
    decided.retry_reason = retry_reason;
    return decided;
  };
  if (request.method != "POST") return with_retry(Answer(405, "method_not_allowed", "use POST"));
  if (request.body.size() > max_body_bytes) {
    return with_retry(Answer(
        413, "too_large",
        absl::StrCat("request body is ", request.body.size(), " bytes; the limit is ", max_body_bytes)));
  }
  const absl::Status verified =
      VerifySlackSignature(signing_secret, request.request_timestamp, request.signature, request.body, now);
  if (!verified.ok()) {
    if (verified.code() == absl::StatusCode::kUnauthenticated) {
      return with_retry(Answer(401, "unauthenticated", std::string(verified.message())));
    }
    const bool not_configured = verified.code() == absl::StatusCode::kFailedPrecondition;
    return with_retry(
        Answer(500, not_configured ? "not_configured" : "error", std::string(verified.message())));
  }

  if (MediaType(request.content_type) == "application/x-www-form-urlencoded") {
    if (IsSslCheck(request.body)) return with_retry(Answer(200, "ssl_check", ""));
    return with_retry(BadRequest(
        "form-encoded requests other than ssl_check are not handled (slash commands and interactivity are "
        "not enabled)"));
  }
  try {
    return with_retry(HandleJson(request.body));
  } catch (const std::exception& error) {  // nlohmann should not throw here; never let a request crash us
    return with_retry(BadRequest(absl::StrCat("body could not be read: ", error.what())));
  }
}

RecentIds::RecentIds(std::size_t capacity, absl::Duration ttl)
    : capacity_(std::max<std::size_t>(capacity, 1)), ttl_(ttl) {}

bool RecentIds::FirstSeen(std::string_view id, absl::Time now) {
  if (id.empty()) return true;
  std::lock_guard<std::mutex> lock(mutex_);
  EvictExpired(now);
  if (seen_.contains(ToAbsl(id))) return false;
  const std::uint64_t sequence = next_sequence_++;
  seen_.emplace(std::string(id), sequence);
  order_.push_back(Entry{std::string(id), sequence, now});
  while (seen_.size() > capacity_) {
    const Entry& oldest = order_.front();
    const auto live = seen_.find(oldest.id);
    if (live != seen_.end() && live->second == oldest.sequence) seen_.erase(live);
    order_.pop_front();
  }
  // Entries left stale by Forget leave at the front; compact if they pile up in the middle.
  if (order_.size() > 2 * capacity_ + 16) {
    std::deque<Entry> kept;
    for (Entry& entry : order_) {
      const auto live = seen_.find(entry.id);
      if (live != seen_.end() && live->second == entry.sequence) kept.push_back(std::move(entry));
    }
    order_ = std::move(kept);
  }
  return true;
}

void RecentIds::Forget(std::string_view id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = seen_.find(ToAbsl(id));
  if (found != seen_.end()) seen_.erase(found);
}

std::size_t RecentIds::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seen_.size();
}

void RecentIds::EvictExpired(absl::Time now) {
  while (!order_.empty()) {
    const Entry& oldest = order_.front();
    const auto live = seen_.find(oldest.id);
    const bool is_live = live != seen_.end() && live->second == oldest.sequence;
    if (is_live && now - oldest.first_seen < ttl_) return;
    if (is_live) seen_.erase(live);
    order_.pop_front();
  }
}

}  // namespace creditbot
