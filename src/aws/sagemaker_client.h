// SageMakerClient: the three SageMaker Processing calls the SageMaker executor needs — CreateProcessingJob,
// DescribeProcessingJob, StopProcessingJob — over the JSON 1.1 protocol (POST /, X-Amz-Target:
// SageMaker.<Op>, Content-Type: application/x-amz-json-1.1, signing name sagemaker, host
// api.sagemaker.REGION.amazonaws.com), over the project's HttpTransport with libcurl's SigV4 (see
// aws_http_client.h for signing, retries and credential refresh).
//
// Retries: ThrottlingException (and 5xx) are retried with backoff by AwsHttpClient. Describe and Stop are
// idempotent (connection failures retried too); Create is not: it is retried only after throttling answers
// (a repeated Create of a job that was created answers ResourceInUse → kAlreadyExists).
//
// Errors (messages carry AWS's error code and message, never a credential):
//   kInvalidArgument    — ValidationException (a bad job name, a missing field, …), other 4xx; a spec this
//                         client refuses before sending (bad job name, empty image, role or instance type)
//   kNotFound           — ResourceNotFound; and, for Describe/Stop, a ValidationException saying the job
//                         cannot be found (SageMaker's usual answer for an unknown job name)
//   kAlreadyExists      — ResourceInUse (a job of that name exists)
//   kResourceExhausted  — ResourceLimitExceeded (account quota for processing jobs or instances)
//   kPermissionDenied   — AccessDeniedException, signature and key errors
//   kUnauthenticated    — ExpiredTokenException after one refresh of the credentials
//   kUnavailable        — ThrottlingException, 5xx after the retries; connection failures; an answer that is
//                         not the expected JSON (kDeadlineExceeded on timeouts)
//
// Thread-compatible: one thread at a time; the transport, credentials provider, clock and sleeper must
// outlive the client.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aws/aws_config.h"
#include "aws/aws_credentials.h"
#include "aws/aws_http_client.h"
#include "common/clock.h"
#include "net/http_transport.h"

namespace creditbot {

struct SageMakerOptions {
  AwsEndpoint endpoint;  // AwsConfig::Endpoint(AwsService::kSageMaker)
  std::string region;
  AwsRetryOptions retry;
  absl::Duration request_timeout = absl::Seconds(30);  // Default: 30 s per request
};

// What CreateProcessingJob sends (the members creditbot uses of the botocore shape).
struct ProcessingJobSpec {
  std::string name;  // 1–63 of [a-zA-Z0-9](-*[a-zA-Z0-9])*
  std::string image_uri;
  std::string role_arn;
  std::string instance_type;  // e.g. ml.t3.medium
  int instance_count = 1;
  int volume_size_gb = 30;
  int max_runtime_seconds = 3600;       // StoppingCondition.MaxRuntimeInSeconds (1–777600)
  std::vector<std::string> entrypoint;  // AppSpecification.ContainerEntrypoint (empty: the image's)
  std::vector<std::string> arguments;   // AppSpecification.ContainerArguments (empty: none)
  std::map<std::string, std::string> environment;  // at most 100 entries, values ≤ 256 characters
  std::vector<std::pair<std::string, std::string>> tags;
};

enum class ProcessingJobStatus { kInProgress, kCompleted, kFailed, kStopping, kStopped, kUnknown };

std::string_view ProcessingJobStatusName(ProcessingJobStatus status);

struct ProcessingJobDescription {
  std::string name;
  std::string arn;
  ProcessingJobStatus status = ProcessingJobStatus::kUnknown;
  std::string status_text;     // as SageMaker sent it
  std::string failure_reason;  // FailureReason, "" when absent
  std::string exit_message;    // ExitMessage (first 1 KB of the container's /opt/ml/output/message)
};

class SageMakerClient {
 public:
  SageMakerClient(HttpTransport& transport, AwsCredentialsProvider& credentials, const Clock& clock,
                  Sleeper& sleeper, SageMakerOptions options);

  // Options for `config`'s SageMaker endpoint and region (kFailedPrecondition without a region).
  static absl::StatusOr<SageMakerOptions> OptionsFromConfig(const AwsConfig& config);

  // Starts the job; returns its ARN.
  absl::StatusOr<std::string> CreateProcessingJob(const ProcessingJobSpec& spec);
  absl::StatusOr<ProcessingJobDescription> DescribeProcessingJob(std::string_view name);
  // Asks SageMaker to stop the job (it moves to Stopping, then Stopped). Stopping a job that has already
  // finished answers ValidationException → kFailedPrecondition here.
  absl::Status StopProcessingJob(std::string_view name);

 private:
  absl::StatusOr<HttpResponse> Call(std::string_view operation, std::string body, std::string_view job,
                                    bool idempotent);

  SageMakerOptions options_;
  AwsHttpClient client_;
};

// True when `name` is a valid processing job name (1–63 characters of [a-zA-Z0-9](-*[a-zA-Z0-9])*).
bool IsValidProcessingJobName(std::string_view name);

// The CreateProcessingJob request body for `spec` (exposed for tests).
std::string CreateProcessingJobBody(const ProcessingJobSpec& spec);

// Reads a DescribeProcessingJob answer. kInvalidArgument when it is not a JSON object with
// ProcessingJobName and ProcessingJobStatus.
absl::StatusOr<ProcessingJobDescription> ParseDescribeProcessingJobResponse(std::string_view body);

}  // namespace creditbot
