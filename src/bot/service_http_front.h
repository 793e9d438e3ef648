// HttpFront: the connection handling of `creditbot serve`'s HTTP endpoint (ServiceHttp routes on top). One
// thread runs a poll() loop over every connection and reads requests without blocking; only a complete
// request (headers and body) is handed to a small pool of handler threads, so a slow or hostile client holds
// a few kilobytes of buffer, never a thread. It replaces cpp-httplib's server, whose Debian 0.11 build gives
// each connection a pool thread for as long as it sends a byte every 5 s, reads any number of header lines,
// and listens with a backlog of 5 compiled into the library.
//
// The request line and headers are read by HttpRequestHead (bot/http_request_head.h), which decides the
// refusals of a malformed or oversized head. What a client gets (each refusal answers once, with
// "Connection: close", and closes the connection):
//   - the request line and headers must be complete within limits.header_deadline of the connection being
//     accepted (or of the previous answer on a kept-alive connection), the body within limits.body_deadline
//     of the headers: else 408 (a connection that sent nothing is closed without an answer);
//   - more than limits.max_header_count header fields: 431; request line and headers over
//     limits.max_header_bytes: 431; a Content-Length over limits.max_body_bytes: 413 before the body is
//     read; Transfer-Encoding (chunked): 411; a malformed request line, header or Content-Length: 400;
//   - more body bytes in flight over all connections than limits.max_buffered_body_bytes: 503 with
//     Retry-After: 1;
//   - more than limits.max_connections open connections: the next ones wait in the listen backlog.
// HTTP/1.1 keep-alive and pipelining are kept (HTTP/1.0 closes unless it asks for keep-alive); "Expect:
// 100-continue" is answered. After answering with a close, the rest of the client's data is read and
// dropped for up to limits.linger so that the client sees the answer rather than a reset.
//
// Threads: Start/Stop for one owning thread. handler runs on the pool threads, concurrently; on_refused and
// on_tick on the poll thread (keep them quick).
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bot/http_request_head.h"

namespace creditbot {

struct HttpFrontResponse {
  int status = 200;
  std::string content_type;                                  // none when empty
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
};

struct HttpFrontLimits {
  absl::Duration header_deadline = absl::Seconds(5);      // accept (or the previous answer) to the blank line
  absl::Duration body_deadline = absl::Seconds(10);       // the blank line to the last body byte
  absl::Duration write_deadline = absl::Seconds(5);       // to write one answer
  absl::Duration linger = absl::Seconds(1);               // reading and dropping after a closing answer
  std::size_t max_header_count = 100;                     // header fields per request
  std::size_t max_header_bytes = std::size_t{16} * 1024;  // request line + header fields + CRLFs
  std::size_t max_body_bytes = std::size_t{1024} * 1024;  // Content-Length
  std::size_t max_buffered_body_bytes = std::size_t{32} * 1024 * 1024;
  std::size_t max_connections = 2048;  // lowered to the open-file limit less 64 when that is smaller
  int backlog = 1024;                  // listen(2)'s; the kernel caps it at net.core.somaxconn
  int handler_threads = 4;
};

class HttpFront {
 public:
  using Handler = std::function<HttpFrontResponse(const HttpFrontRequest&)>;
  // A refusal by the front itself (status 400, 408, 411, 413, 431 or 503), with a one-line reason; `path`
  // is "" when the request line was not read.
  using RefusalObserver =
      std::function<void(int status, std::string_view reason, std::string_view path, std::string_view peer)>;

  // handler must not throw past itself (a throw is answered 500). on_refused and on_tick may be empty;
  // on_tick is called about once a second.
  HttpFront(HttpFrontLimits limits, Handler handler, RefusalObserver on_refused = nullptr,
            std::function<void()> on_tick = nullptr);
  ~HttpFront();  // Stop()
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  // Binds host:port (0: a free port) with SO_REUSEADDR only (a port in use fails), listens and starts the
  // poll and handler threads; returns the bound port. Raises the soft open-file limit towards the hard one
  // (at most 8192) when it is lower, since every connection is a descriptor. Errors: kUnavailable "cannot
  // listen on HOST:PORT: <the OS's reason>"; kInvalidArgument for a host that is not a numeric IPv4/IPv6
  // address, a port outside 0..65535 or handler_threads < 1; kFailedPrecondition "already started".
  absl::StatusOr<int> Start(const std::string& host, int port);

  // Stops accepting, closes idle connections, lets the requests being handled be answered (for at most
  // write_deadline), then joins every thread. Idempotent; Start may be called again.
  void Stop();

  std::size_t open_connections() const { return open_connections_.load(); }

 private:
  struct Loop;
  HttpFrontLimits limits_;
  Handler handler_;
  RefusalObserver on_refused_;
  std::function<void()> on_tick_;
  std::unique_ptr<Loop> loop_;
  std::atomic<std::size_t> open_connections_{0};
};

}  // namespace creditbot
