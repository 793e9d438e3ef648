// AwsHttpClient: one signed call to an AWS service, with the retry rules every AWS client here shares. It
// takes credentials from an AwsCredentialsProvider, has libcurl sign the request (HttpRequest::aws_sigv4,
// "aws:amz:REGION:SERVICE" spelled out), and
//   - retries throttling and transient faults (HTTP 429/500/502/503/504, SlowDown, ThrottlingException, …;
//     and connection failures/timeouts for idempotent calls) up to max_attempts, sleeping through the
//     Sleeper: Retry-After when the answer has one, else the exponential delay with equal jitter (half
//     fixed, half random: common/backoff.h);
//   - on ExpiredToken / ExpiredTokenException invalidates the provider's cache and tries once more with
//     fresh credentials (expired credentials mid-pass are refreshed, not fatal);
//   - turns any other non-2xx answer into an absl::Status: the service's `ErrorCodeMapper` picks the code,
//     the message is "`what`: CODE (HTTP n): AWS's message [request id]", scrubbed of the credentials.
//
// Also the percent-encoding AWS's canonical requests need (libcurl 7.88 signs the URL as given).
//
// Thread-compatible: one thread at a time (the HttpTransport's rule). The transport, provider, clock and
// sleeper must outlive the client.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aws/aws_config.h"
#include "aws/aws_credentials.h"
#include "aws/aws_error.h"
#include "common/clock.h"
#include "net/http_transport.h"

namespace creditbot {

struct AwsRetryOptions {
  int max_attempts = 5;                                 // Default: 5 tries in all (botocore's legacy mode)
  absl::Duration base_delay = absl::Milliseconds(200);  // Default: 200 ms, doubled each retry
  absl::Duration max_delay = absl::Seconds(20);         // Default: 20 s; also caps Retry-After
};

enum class AwsErrorFormat { kXml, kJson };

// Picks the canonical code for a service's error; DefaultAwsErrorCode when a service has no special rules.
using ErrorCodeMapper = std::function<absl::StatusCode(const AwsError&)>;

class AwsHttpClient {
 public:
  AwsHttpClient(HttpTransport& transport, AwsCredentialsProvider& credentials, const Clock& clock,
                Sleeper& sleeper, std::string region, AwsService service, AwsErrorFormat format,
                AwsRetryOptions retry = {});

  // Signs and sends `request` (headers and body as given; the signature, x-amz-date and the session token
  // are added). Returns the 2xx answer, or: the credential provider's error; the transport's error
  // (kUnavailable, kDeadlineExceeded) after the retries; the mapped AWS error (throttling still answered
  // after max_attempts → the mapper's code, by default kUnavailable). `what` names the call in messages
  // ("S3 GetObject s3://bucket/key"). A non-idempotent call is retried only after throttling answers.
  absl::StatusOr<HttpResponse> Send(HttpRequest request, std::string_view what, const ErrorCodeMapper& mapper,
                                    bool idempotent = true);

  const std::string& region() const { return region_; }

 private:
  HttpTransport& transport_;
  AwsCredentialsProvider& credentials_;
  const Clock& clock_;
  Sleeper& sleeper_;
  std::string region_;
  AwsService service_;
  AwsErrorFormat format_;
  AwsRetryOptions retry_;
  absl::BitGen random_;
};

// RFC 3986 percent-encoding as SigV4 canonicalizes it: unreserved characters (A-Z a-z 0-9 - . _ ~) stay,
// everything else becomes %XX with upper-case hex; '/' stays too when `keep_slash` (S3 object keys).
std::string AwsUriEncode(std::string_view text, bool keep_slash);

}  // namespace creditbot
