// HttpTransport: the one way creditbot reaches the network. Every client (Slack, Looker, Trino, AWS) sends
// its requests through it, so timeouts, TLS settings, error mapping and redaction live in one place, and
// tests run the real clients against fake servers on loopback.
//
// Send returns a response for every HTTP status, 4xx and 5xx included; it returns an error status only
// when no response arrived: kDeadlineExceeded for a timeout, kUnavailable for connection failures (refused,
// reset, DNS, TLS handshake), kInvalidArgument for a malformed request (bad URL), kOutOfRange for an answer
// whose body is larger than the request's max_response_bytes (permanent: asking again gets the same). Clients
// turn HTTP statuses into errors with HttpStatusToError. Nothing here retries: retrying is the client's
// decision, since only it knows whether a request is idempotent.
//
// AWS: a request with `aws_sigv4` set is signed by libcurl (CURLOPT_AWS_SIGV4, Signature Version 4). The
// caller builds the URL already canonical (RFC 3986 percent-encoding with upper-case hex, query parameters
// sorted, valueless ones written `name=`), sets `x-amz-content-sha256` itself for S3 and never sets
// `X-Amz-Date` or `Authorization`; the transport adds `x-amz-security-token` for temporary credentials.
// libcurl 7.88 signs every header in `headers`, so a signed request must not carry headers with empty
// values (kInvalidArgument). Credentials never appear in an error message.
//
// An instance is used by one thread at a time (libcurl's rule for easy handles); it keeps connections
// alive between requests.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace creditbot {

// What an AWS Signature Version 4 needs besides the request itself.
struct AwsSigning {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; sent as x-amz-security-token (signed)
  std::string region;         // e.g. "eu-west-1": always explicit (libcurl's guess from the host is wrong)
  std::string service;        // signing name: "s3", "sts", "secretsmanager", "sagemaker"
};

// The default cap on an answer's body: 64 MiB, far above any page creditbot reads (a Trino page is about
// 1 MB; a Slack history page of 200 messages well under that).
inline constexpr std::size_t kDefaultMaxResponseBytes = std::size_t{64} << 20;

struct HttpRequest {
  std::string method = "GET";  // GET, POST, DELETE, PUT, HEAD
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // sent in this order
  std::string body;
  // Instead of `body` when it is set (data() not null): bytes the caller owns and keeps unchanged until Send
  // returns, sent without a copy (a large upload read from a mapped file). Body() is what is sent.
  std::string_view body_view;
  std::string_view Body() const { return body_view.data() != nullptr ? body_view : std::string_view(body); }
  absl::Duration timeout = absl::Seconds(30);  // whole request
  // The largest answer body read; a larger one is not kept (Send fails with kOutOfRange, see below), so a
  // broken or hostile server cannot make creditbot hold an answer of any size. Clients lower it for
  // answers they know to be small (a Looker answer).
  std::size_t max_response_bytes = kDefaultMaxResponseBytes;
  std::optional<AwsSigning> aws_sigv4;  // Default: unsigned
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
};

struct HttpTransportOptions {
  bool verify_tls = true;  // Default: true; never turned off by default anywhere
  std::string ca_bundle;   // Default: the system's; a PEM file to trust instead
  absl::Duration connect_timeout = absl::Seconds(10);
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

// The libcurl transport (one easy handle, reused for keep-alive).
std::unique_ptr<HttpTransport> MakeCurlTransport(const HttpTransportOptions& options = {});

// Maps an HTTP status to the canonical code that decides retries (STYLE.md): 2xx → OK; 429, 502, 503,
// 504 → kUnavailable; 408 → kDeadlineExceeded; 401 → kUnauthenticated; 403 → kPermissionDenied; 404 →
// kNotFound; 409 → kAborted; 400, 422 and other 4xx → kInvalidArgument; other 5xx → kInternal. `what`
// names the call in the message (e.g. "Trino GET nextUri"); the body is not included (it may echo secrets).
absl::Status HttpStatusToError(int status, std::string_view what);

// The delay a 429/503 asks for: Retry-After as seconds or an HTTP date (relative to `now`), capped at
// `cap`; nullopt when absent or unparsable.
std::optional<absl::Duration> RetryAfter(const HttpResponse& response, absl::Time now,
                                         absl::Duration cap = absl::Minutes(5));

}  // namespace creditbot
