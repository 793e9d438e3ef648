// Fuzz target: one Events API delivery through HandleEventsApiRequest, with a fixed signing secret and
// clock. Must never crash or throw, and its answer must be consistent, whatever the bytes.
//
// Input: optional header lines, then the body. Each leading line "Name: value\n" whose Name is one of
// Method, Content-Type, X-Slack-Request-Timestamp, X-Slack-Signature, X-Slack-Retry-Num,
// X-Slack-Retry-Reason sets that field; the rest of the input (from the first other line) is the raw body.
// Without X-Slack-Signature the target signs the body correctly (so the JSON path is reached); without
// X-Slack-Request-Timestamp it uses the clock's time. A plain JSON file is thus a valid, signed input:
// the corpus is seeded with Slack's fixtures as they are.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "slack/events_api.h"

namespace {

constexpr std::string_view kSecret = "8f742231b10e8888abcd99yyyzzz85a5";  // Slack's published test secret
constexpr std::int64_t kNow = 1531420618;
constexpr std::size_t kMaxBody = 4096;  // small, so the 413 path is reachable at libFuzzer's input sizes

// Consumes one "Name: value\n" line from the front of `input` into `request`; false (nothing consumed)
// when the first line is not one of the recognized headers.
bool TakeHeader(std::string_view& input, creditbot::EventsApiRequest& request, bool& signed_by_input,
                bool& has_timestamp) {
  const std::size_t end = input.find('\n');
  if (end == std::string_view::npos) return false;
  const std::string_view line = input.substr(0, end);
  const std::size_t colon = line.find(": ");
  if (colon == std::string_view::npos) return false;
  const std::string_view name = line.substr(0, colon);
  const std::string value(line.substr(colon + 2));
  if (name == "Method") {
    request.method = value;
  } else if (name == "Content-Type") {
    request.content_type = value;
  } else if (name == "X-Slack-Request-Timestamp") {
    request.request_timestamp = value;
    has_timestamp = true;
  } else if (name == "X-Slack-Signature") {
    request.signature = value;
    signed_by_input = true;
  } else if (name == "X-Slack-Retry-Num") {
    request.retry_num = value;
  } else if (name == "X-Slack-Retry-Reason") {
    request.retry_reason = value;
  } else {
    return false;
  }
  input.remove_prefix(end + 1);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  creditbot::EventsApiRequest request;
  request.content_type = "application/json";
  bool signed_by_input = false;
  bool has_timestamp = false;
  while (TakeHeader(input, request, signed_by_input, has_timestamp)) {
  }
  request.body = std::string(input);
  if (!has_timestamp) request.request_timestamp = std::to_string(kNow);
  if (!signed_by_input) {
    request.signature = creditbot::ComputeSlackSignature(kSecret, request.request_timestamp, request.body);
  }

  const creditbot::EventsApiResult result =
      creditbot::HandleEventsApiRequest(request, kSecret, absl::FromUnixSeconds(kNow), kMaxBody);

  switch (result.http_status) {
    case 200:
    case 400:
    case 401:
    case 405:
    case 413:
      break;
    default:
      std::abort();
  }
  if (result.result.empty() || result.retry_num < 0 || result.retry_reason.size() > 64) std::abort();
  // An event is delivered exactly when the answer is an accepted event_callback with an id.
  if (result.envelope.has_value() != (result.result == "event")) std::abort();
  if (result.envelope.has_value()) {
    if (result.http_status != 200 || result.event_id.empty() || !result.envelope->is_object()) std::abort();
  }
  // A request we signed correctly, at the clock's own time, is never refused as unauthenticated.
  if (!signed_by_input && !has_timestamp && request.method == "POST" && request.body.size() <= kMaxBody &&
      result.http_status == 401) {
    std::abort();
  }
  // A refusal never shows the secret (other answers may echo input, which the fuzzer can make anything).
  if (result.http_status == 401 && result.body.find(kSecret) != std::string::npos) std::abort();
  return 0;
}
