// HttpRequestHead: reads the head of one HTTP/1.x request (the request line and the header fields) from
// bytes as they arrive, within limits, and decides how long the body is. It is pure — no sockets, no
// clocks — so HttpFront's poll loop (bot/service_http_front.cc) and the fuzz target
// (fuzz/http_request_head_fuzz.cc) run the same code on untrusted bytes.
//
// What it accepts: blank lines before the request line; "METHOD TARGET HTTP/1.1" (or HTTP/1.0) with a
// token method and a target without spaces; header fields "name: value" with a token name (obsolete line
// folding is refused); lines ending in CRLF or LF. The head is complete at the first empty line after the
// request line.
//
// What it refuses (State::kRefused, with the status HttpFront answers and a one-line reason):
//   400 malformed request line, header field or Content-Length, or two different Content-Lengths;
//   411 any Transfer-Encoding (chunked bodies are not read);
//   413 a Content-Length over limits.max_body_bytes (decided before the body is read);
//   431 more than limits.max_header_count header fields, or a head over limits.max_header_bytes.
//
// Thread-compatible; one instance per request (HttpFront makes a new one for each request of a kept-alive
// connection).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace creditbot {

// One request as HttpFront hands it to its handler.
struct HttpFrontRequest {
  std::string method;                                        // e.g. "POST"
  std::string target;                                        // as sent, e.g. "/readyz?verbose=1"
  std::string path;                                          // target up to '?'
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, in order
  std::string body;
  std::string peer;  // the client's address, e.g. "127.0.0.1"

  // The value of the first header named `name` (any case), or "" when there is none.
  std::string Header(std::string_view name) const;
};

struct HttpHeadLimits {
  std::size_t max_header_count = 100;                     // header fields per request
  std::size_t max_header_bytes = std::size_t{16} * 1024;  // request line + header fields + CRLFs
  std::size_t max_body_bytes = std::size_t{1024} * 1024;  // Content-Length
};

class HttpRequestHead {
 public:
  enum class State { kNeedMore, kComplete, kRefused };

  explicit HttpRequestHead(HttpHeadLimits limits) : limits_(limits) {}

  // Reads `received` — every byte received for this request so far, the same prefix growing from call to
  // call — from where the previous call stopped. Bytes after the head (the body, a pipelined request) are
  // left alone. Once kComplete or kRefused, later calls return the same state.
  State Parse(std::string_view received);

  // After kComplete: the request without its body or peer; where the body starts in `received`; its
  // length; whether the connection stays open after the answer (HTTP/1.1 unless "Connection: close",
  // HTTP/1.0 only with "Connection: keep-alive"); whether the client waits for "100 Continue".
  // Before, the request holds what was read (its path once the request line was read).
  const HttpFrontRequest& request() const { return request_; }
  HttpFrontRequest TakeRequest() { return std::move(request_); }
  std::size_t body_start() const { return body_start_; }
  std::size_t content_length() const { return content_length_; }
  bool keep_alive() const { return keep_alive_; }
  bool expects_continue() const { return expects_continue_; }

  // After kRefused: the status to answer (400, 411, 413 or 431) and why, in one line.
  int refusal_status() const { return refusal_status_; }
  const std::string& refusal_reason() const { return refusal_reason_; }

 private:
  State Refuse(int status, std::string reason);
  bool ReadRequestLine(std::string_view line);
  bool ReadHeaderLine(std::string_view line);
  State EndOfHead(std::size_t body_start);

  HttpHeadLimits limits_;
  State state_ = State::kNeedMore;
  std::size_t line_start_ = 0;  // where the line being read starts
  std::size_t lines_ = 0;       // lines read so far, the request line included
  HttpFrontRequest request_;
  std::size_t body_start_ = 0;
  std::size_t content_length_ = 0;
  bool keep_alive_ = true;
  bool expects_continue_ = false;
  int refusal_status_ = 0;
  std::string refusal_reason_;
};

}  // namespace creditbot
