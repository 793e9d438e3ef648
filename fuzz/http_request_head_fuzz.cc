// Fuzz target: the head of one HTTP request (HttpRequestHead, the parser behind serve's HTTP endpoint), fed
// the input in pieces as a slow client would send it. Must never crash, and its answer must be consistent:
//   - the same bytes give the same state and request whether they arrive whole or in pieces;
//   - a complete head ends within the input and within max_header_bytes, with a Content-Length within
//     max_body_bytes, after a request line whose method, target and version were checked;
//   - a refusal is one of 400, 411, 413, 431 with a reason;
//   - a head not yet complete never holds more than max_header_bytes.
// Input: the first byte chooses the piece size (1 to 256), the rest is the bytes the client sends. Limits
// are small (8 header fields, 512 bytes of head, 4096 of body) so every refusal is reachable.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bot/http_request_head.h"

namespace {

using creditbot::HttpHeadLimits;
using creditbot::HttpRequestHead;

constexpr HttpHeadLimits kLimits{8, 512, 4096};

void Check(bool condition) {
  if (!condition) std::abort();
}

HttpRequestHead::State ParseInPieces(std::string_view bytes, std::size_t piece, HttpRequestHead& head) {
  HttpRequestHead::State state = HttpRequestHead::State::kNeedMore;
  for (std::size_t end = piece;; end += piece) {
    state = head.Parse(bytes.substr(0, std::min(end, bytes.size())));
    if (state != HttpRequestHead::State::kNeedMore || end >= bytes.size()) return state;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = std::size_t{data[0]} + 1;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);

  HttpRequestHead whole(kLimits);
  const HttpRequestHead::State state = whole.Parse(bytes);
  HttpRequestHead pieces(kLimits);
  Check(ParseInPieces(bytes, piece, pieces) == state);
  Check(whole.Parse(bytes) == state);  // a finished head keeps its answer

  switch (state) {
    case HttpRequestHead::State::kComplete: {
      Check(whole.body_start() <= bytes.size() && whole.body_start() <= kLimits.max_header_bytes);
      Check(whole.content_length() <= kLimits.max_body_bytes);
      Check(!whole.request().method.empty() && !whole.request().target.empty());
      Check(whole.request().target.find(' ') == std::string::npos);
      Check(whole.request().headers.size() <= kLimits.max_header_count);
      Check(pieces.body_start() == whole.body_start() && pieces.content_length() == whole.content_length());
      Check(pieces.request().target == whole.request().target &&
            pieces.request().headers == whole.request().headers);
      break;
    }
    case HttpRequestHead::State::kRefused: {
      const int status = whole.refusal_status();
      Check(status == 400 || status == 411 || status == 413 || status == 431);
      Check(!whole.refusal_reason().empty());
      Check(pieces.refusal_status() == status);
      break;
    }
    case HttpRequestHead::State::kNeedMore:
      Check(bytes.size() <= kLimits.max_header_bytes);
      break;
  }
  return 0;
}
