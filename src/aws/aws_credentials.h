// AWS credentials without the SDK: the sources creditbot can take them from, chosen in the SDKs' order, and
// a cache that refreshes them before they expire.
//
// The chain (MakeAwsCredentialsChain) picks ONE source from the environment map, in this order, and sticks
// to it (a configured source that fails is an error, not a reason to try the next one, so a broken IRSA
// set-up never silently falls back to the node's role):
//   1. environment         AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY [+ AWS_SESSION_TOKEN or the legacy
//                          AWS_SECURITY_TOKEN] [+ AWS_CREDENTIAL_EXPIRATION]
//   2. web identity (IRSA) AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME]: an
//                          unsigned STS AssumeRoleWithWebIdentity POST (endpoint from AwsConfig, service
//                          sts); the token file is re-read on every refresh (kubelet rotates it)
//   3. container endpoint  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on http://169.254.170.2), else
//                          AWS_CONTAINER_CREDENTIALS_FULL_URI (https anywhere; http only to loopback,
//                          169.254.170.2, 169.254.170.23 or [fd00:ec2::23]), with `Authorization:` from
//                          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read each time) or
//                          AWS_CONTAINER_AUTHORIZATION_TOKEN; JSON answer (ECS task role, EKS Pod Identity)
//   4. IMDSv2              PUT /latest/api/token, GET …/iam/security-credentials/ (the role), GET
//                          …/security-credentials/ROLE; base AWS_EC2_METADATA_SERVICE_ENDPOINT (default
//                          http://169.254.169.254); skipped when AWS_EC2_METADATA_DISABLED=true
//
// Caching: Get() returns the cached credentials until `refresh_margin` before their expiration, then fetches
// new ones; if that refresh fails while the old ones are still valid, the old ones are returned (and the
// refresh is tried again after 30 s). Invalidate() forgets them (after an ExpiredToken answer).
//
// Errors (never containing a secret, a session token or a web identity token):
//   kFailedPrecondition — no source is configured (the message names the variables to set); a source is
//                         half-configured (AWS_ACCESS_KEY_ID without AWS_SECRET_ACCESS_KEY, …); a token file
//                         that cannot be read; a container URI that is not allowed; no IAM role on the
//                         instance
//   kUnauthenticated    — STS refused the web identity token (InvalidIdentityToken, ExpiredTokenException,
//                         IDPRejectedClaim), the endpoint answered 401
//   kPermissionDenied   — STS AccessDenied, the endpoint answered 403
//   kUnavailable        — the endpoint or STS unreachable, throttling or 5xx after the retries, an answer
//                         that cannot be read; kDeadlineExceeded on a timeout
//
// Thread-safe: Get() and Invalidate() may be called from any thread; fetches are serialized by a mutex, and
// the provider owns the HttpTransport it fetches with. The clock and sleeper must outlive it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "aws/aws_config.h"
#include "common/clock.h"
#include "net/http_transport.h"

namespace creditbot {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;             // empty for long-term keys
  std::optional<absl::Time> expiration;  // nullopt: does not expire
  std::string source;                    // "environment", "web identity", "container endpoint", "IMDS"
};

class AwsCredentialsProvider {
 public:
  virtual ~AwsCredentialsProvider() = default;
  // Valid credentials (see the header comment for errors).
  virtual absl::StatusOr<AwsCredentials> Get() = 0;
  // The next Get() fetches new credentials.
  virtual void Invalidate() = 0;
};

// Always the same credentials (tests, and callers that hold keys themselves).
class StaticAwsCredentialsProvider final : public AwsCredentialsProvider {
 public:
  explicit StaticAwsCredentialsProvider(AwsCredentials credentials) : credentials_(std::move(credentials)) {}
  absl::StatusOr<AwsCredentials> Get() override { return credentials_; }
  void Invalidate() override {}

 private:
  AwsCredentials credentials_;
};

enum class AwsCredentialSource { kEnvironment, kWebIdentity, kContainer, kImds, kNone };

// The source the chain uses for `env` (see the header comment); kNone when nothing is configured and IMDS
// is disabled.
AwsCredentialSource SelectAwsCredentialSource(const EnvironmentMap& env);
std::string_view AwsCredentialSourceName(AwsCredentialSource source);

struct AwsCredentialsOptions {
  absl::Duration refresh_margin = absl::Minutes(5);         // Default: refresh 5 min before expiration
  absl::Duration sts_timeout = absl::Seconds(10);           // Default: 10 s per STS request
  absl::Duration metadata_timeout = absl::Seconds(2);       // Default: 2 s per container/IMDS request
  int max_attempts = 3;                                     // Default: 3 tries per fetch on transient errors
  absl::Duration retry_delay = absl::Milliseconds(200);     // Default: 200 ms, doubled each retry
  absl::Duration failed_refresh_pause = absl::Seconds(30);  // Default: 30 s between failed refreshes
  std::string ecs_endpoint = "http://169.254.170.2";        // Default: ECS's; the relative URI's host
  std::string imds_endpoint = "http://169.254.169.254";     // Default: IMDS's (env overrides it)
  int web_identity_duration_seconds = 0;                    // Default: 0 = STS's default (1 h)
};

// The chain for `env` (copied). `transport` is owned and used only under the provider's mutex. Fails only
// for an unusable AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL (kInvalidArgument); a missing source is reported
// by Get() (so `creditbot doctor` can show it).
absl::StatusOr<std::unique_ptr<AwsCredentialsProvider>> MakeAwsCredentialsChain(
    const EnvironmentMap& env, std::unique_ptr<HttpTransport> transport, const Clock& clock, Sleeper& sleeper,
    AwsCredentialsOptions options = {});

// Parsers of the sources' answers, exposed for tests and the fuzzer. kInvalidArgument when the answer is not
// the expected document or misses AccessKeyId, SecretAccessKey, session token or Expiration (the message
// names the missing field, never a value).
//   STS:  <AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>…
absl::StatusOr<AwsCredentials> ParseAssumeRoleWithWebIdentityResponse(std::string_view body);
//   container endpoint and IMDS: {"AccessKeyId","SecretAccessKey","Token","Expiration"[,"Code"]}
absl::StatusOr<AwsCredentials> ParseCredentialsJson(std::string_view body);

}  // namespace creditbot
