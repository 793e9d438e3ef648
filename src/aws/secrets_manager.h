// SecretsManagerClient: AWS Secrets Manager's GetSecretValue over the JSON 1.1 protocol (POST /,
// X-Amz-Target: secretsmanager.GetSecretValue, Content-Type: application/x-amz-json-1.1, signing name
// secretsmanager), over the project's HttpTransport with libcurl's SigV4 (see aws_http_client.h for
// signing, retries and credential refresh).
//
// Errors (messages carry AWS's error code and message, never the secret, the answer body or a credential):
//   kNotFound           — ResourceNotFoundException
//   kPermissionDenied   — AccessDeniedException, signature and key errors (InvalidSignatureException,
//                         UnrecognizedClientException, …)
//   kFailedPrecondition — InvalidRequestException (e.g. the secret is scheduled for deletion),
//                         DecryptionFailure (KMS refused); a secret with SecretBinary only, asked as a string
//   kInvalidArgument    — InvalidParameterException, ValidationException, other 4xx; an empty secret id
//   kUnauthenticated    — ExpiredTokenException after one refresh of the credentials
//   kUnavailable        — ThrottlingException, InternalServiceError, 5xx after the retries; connection
//                         failures; an answer that is not the expected JSON (kDeadlineExceeded on timeouts)
//
// Thread-compatible: one thread at a time; the transport, credentials provider, clock and sleeper must
// outlive the client.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "aws/aws_config.h"
#include "aws/aws_credentials.h"
#include "aws/aws_http_client.h"
#include "common/clock.h"
#include "net/http_transport.h"

namespace creditbot {

struct SecretsManagerOptions {
  AwsEndpoint endpoint;  // AwsConfig::Endpoint(AwsService::kSecretsManager)
  std::string region;
  AwsRetryOptions retry;
  absl::Duration request_timeout = absl::Seconds(15);  // Default: 15 s per request
};

struct SecretValue {
  std::string arn;
  std::string name;
  std::string version_id;
  std::vector<std::string> version_stages;
  std::optional<std::string> secret_string;  // the usual case: text (often a JSON document)
  std::optional<std::string> secret_binary;  // decoded from base64
};

class SecretsManagerClient {
 public:
  SecretsManagerClient(HttpTransport& transport, AwsCredentialsProvider& credentials, const Clock& clock,
                       Sleeper& sleeper, SecretsManagerOptions options);

  // Options for `config`'s Secrets Manager endpoint and region (kFailedPrecondition without a region).
  static absl::StatusOr<SecretsManagerOptions> OptionsFromConfig(const AwsConfig& config);

  // The secret `secret_id` (name or ARN) at `version_stage` ("" = AWSCURRENT).
  absl::StatusOr<SecretValue> GetSecretValue(std::string_view secret_id, std::string_view version_stage = "");
  // Its SecretString (kFailedPrecondition when it holds SecretBinary only).
  absl::StatusOr<std::string> GetSecretString(std::string_view secret_id);

 private:
  SecretsManagerOptions options_;
  AwsHttpClient client_;
};

// Reads a GetSecretValue answer body. kInvalidArgument when it is not a JSON object, or has neither
// SecretString nor SecretBinary (the message never contains the body).
absl::StatusOr<SecretValue> ParseGetSecretValueResponse(std::string_view body);

}  // namespace creditbot
