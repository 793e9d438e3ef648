// Signed AWS calls with the shared retry rules; see aws_http_client.h.
#include "aws/aws_http_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/backoff.h"
#include "common/strings.h"
#include "common/url.h"

namespace creditbot {
namespace {

bool IsThrottling(const AwsError& error) {
  return error.http_status == 429 || error.http_status == 503 ||
         (IsRetryableAwsError(error) && error.http_status < 500 && error.code != "RequestTimeout" &&
          error.code != "RequestTimeoutException");
}

}  // namespace

AwsHttpClient::AwsHttpClient(HttpTransport& transport, AwsCredentialsProvider& credentials,
                             const Clock& clock, Sleeper& sleeper, std::string region, AwsService service,
                             AwsErrorFormat format, AwsRetryOptions retry)
    : transport_(transport),
      credentials_(credentials),
      clock_(clock),
      sleeper_(sleeper),
      region_(std::move(region)),
      service_(service),
      format_(format),
      retry_(retry) {}

absl::StatusOr<HttpResponse> AwsHttpClient::Send(HttpRequest request, std::string_view what,
                                                 const ErrorCodeMapper& mapper, bool idempotent) {
  bool refreshed = false;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<AwsCredentials> credentials = credentials_.Get();
    if (!credentials.ok()) {
      return absl::Status(
          credentials.status().code(),
          absl::StrCat(ToAbsl(what), ": no AWS credentials: ", credentials.status().message()));
    }
    request.aws_sigv4 =
        AwsSigning{credentials->access_key_id, credentials->secret_access_key, credentials->session_token,
                   region_, std::string(AwsSigningName(service_))};
    auto scrub = [&credentials](const absl::Status& status) {
      return ScrubSecrets(status, {credentials->secret_access_key, credentials->session_token});
    };
    absl::StatusOr<HttpResponse> response = transport_.Send(request);
    std::optional<absl::Duration> asked_delay;
    absl::Status failure;
    bool retry = false;
    if (!response.ok()) {
      failure = response.status();
      retry = idempotent && (failure.code() == absl::StatusCode::kUnavailable ||
                             failure.code() == absl::StatusCode::kDeadlineExceeded);
    } else if (response->status >= 200 && response->status < 300) {
      return response;
    } else {
      const AwsError error = format_ == AwsErrorFormat::kXml ? AwsErrorFromXmlResponse(*response)
                                                             : AwsErrorFromJsonResponse(*response);
      if (IsExpiredCredentialsError(error) && !refreshed) {
        refreshed = true;
        credentials_.Invalidate();
        --attempt;  // a fresh start with new credentials, not a retry
        continue;
      }
      failure = AwsErrorStatus(mapper ? mapper(error) : DefaultAwsErrorCode(error), error, what);
      retry = idempotent ? IsRetryableAwsError(error) : IsThrottling(error);
      asked_delay = RetryAfter(*response, clock_.Now(), retry_.max_delay);
    }
    if (!retry || attempt >= retry_.max_attempts) return scrub(failure);
    const BackoffPolicy backoff(retry_.base_delay, retry_.max_delay, BackoffJitter::kEqual);
    sleeper_.Sleep(backoff.Delay(attempt - 1, random_, asked_delay));
  }
}

std::string AwsUriEncode(std::string_view text, bool keep_slash) {
  return PercentEncode(text, keep_slash ? "/" : "");
}

}  // namespace creditbot
