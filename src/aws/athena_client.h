// AthenaClient: the Amazon Athena calls the Athena warehouse and doctor need — StartQueryExecution,
// GetQueryExecution, GetQueryResults, StopQueryExecution and GetWorkGroup — over the JSON 1.1 protocol
// (POST /, X-Amz-Target: AmazonAthena.<Op>, Content-Type: application/x-amz-json-1.1, signing name
// athena, host athena.REGION.amazonaws.com), over the project's HttpTransport with libcurl's SigV4 (see
// aws_http_client.h for signing, retries and credential refresh).
//
// GetQueryResults hands back the answer's body untouched: the warehouse decodes its rows with
// warehouse/athena_results.h (simdjson, borrowed cells), so a large page is never parsed twice. The small
// control answers (StartQueryExecution, GetQueryExecution, GetWorkGroup) are read here with nlohmann.
//
// Retries: TooManyRequestsException, ThrottlingException and 5xx are retried with backoff by
// AwsHttpClient. GetQueryExecution, GetQueryResults, StopQueryExecution and GetWorkGroup are idempotent
// (connection failures retried too). StartQueryExecution carries a ClientRequestToken, which makes Athena
// answer a repeated request with the same query execution instead of starting a second one, so it is
// retried like an idempotent call when the caller passes the same token.
//
// Errors (messages carry AWS's error code and message, never a credential):
//   kInvalidArgument    — InvalidRequestException (a query Athena refuses to start, an unknown
//                         database…), other 4xx
//   kNotFound           — ResourceNotFoundException; an InvalidRequestException naming a missing
//                         workgroup ("WorkGroup … is not found")
//   kPermissionDenied   — AccessDeniedException, signature and key errors
//   kUnauthenticated    — ExpiredTokenException after one refresh of the credentials
//   kUnavailable        — TooManyRequestsException, 5xx after the retries; connection failures; a control
//                         answer that is not the expected JSON (kDeadlineExceeded on timeouts)
//
// Thread-compatible: one thread at a time; the transport, credentials provider, clock and sleeper must
// outlive the client.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aws/aws_config.h"
#include "aws/aws_credentials.h"
#include "aws/aws_http_client.h"
#include "common/clock.h"
#include "net/http_transport.h"

namespace creditbot {

struct AthenaClientOptions {
  AwsEndpoint endpoint;  // AwsConfig::Endpoint(AwsService::kAthena)
  std::string region;
  AwsRetryOptions retry;
  absl::Duration request_timeout = absl::Seconds(60);  // Default: 60 s per request
};

// What StartQueryExecution sends.
struct AthenaQueryRequest {
  std::string sql;                   // QueryString
  std::string work_group;            // WorkGroup
  std::string catalog;               // QueryExecutionContext.Catalog
  std::string database;              // QueryExecutionContext.Database
  std::string output_location;       // ResultConfiguration.OutputLocation ("s3://bucket/prefix/"); "" = none
  std::string client_request_token;  // 32–128 characters; the same token for a retried start
};

enum class AthenaQueryState { kQueued, kRunning, kSucceeded, kFailed, kCancelled, kUnknown };

std::string_view AthenaQueryStateName(AthenaQueryState state);

// GetQueryExecution's QueryExecution.Status (the members creditbot reads).
struct AthenaQueryStatus {
  AthenaQueryState state = AthenaQueryState::kUnknown;
  std::string state_text;           // Status.State as sent
  std::string state_change_reason;  // Status.StateChangeReason, "" when absent
  std::string error_type;           // Status.AthenaError.ErrorType (a number) as text, "" when absent
  std::string error_category;       // Status.AthenaError.ErrorCategory: 1 system, 2 user, 3 other
  bool retryable = false;           // Status.AthenaError.Retryable
};

// GetWorkGroup's WorkGroup (the members doctor reads).
struct AthenaWorkGroup {
  std::string name;
  std::string state;                     // "ENABLED" or "DISABLED"
  bool enforce_configuration = false;    // Configuration.EnforceWorkGroupConfiguration
  std::string output_location;           // Configuration.ResultConfiguration.OutputLocation
  std::string effective_engine_version;  // Configuration.EngineVersion.EffectiveEngineVersion
};

class AthenaClient {
 public:
  AthenaClient(HttpTransport& transport, AwsCredentialsProvider& credentials, const Clock& clock,
               Sleeper& sleeper, AthenaClientOptions options);

  // Options for `config`'s Athena endpoint and region (kFailedPrecondition without a region).
  static absl::StatusOr<AthenaClientOptions> OptionsFromConfig(const AwsConfig& config);

  // Starts the query; returns its QueryExecutionId. kInvalidArgument before sending for an empty query or
  // workgroup, or a token outside 32–128 characters.
  absl::StatusOr<std::string> StartQueryExecution(const AthenaQueryRequest& request);
  absl::StatusOr<AthenaQueryStatus> GetQueryExecution(std::string_view query_execution_id);
  // One page of results, the body as Athena sent it (decode it with AthenaResultsDecoder). `next_token`
  // empty: the first page. `max_results`: 1–1000 (Athena's limit).
  absl::StatusOr<HttpResponse> GetQueryResults(std::string_view query_execution_id,
                                               std::string_view next_token, int max_results);
  // Asks Athena to cancel the query (it moves to CANCELLED). Stopping a finished query succeeds.
  absl::Status StopQueryExecution(std::string_view query_execution_id);
  absl::StatusOr<AthenaWorkGroup> GetWorkGroup(std::string_view name);

 private:
  absl::StatusOr<HttpResponse> Call(std::string_view operation, std::string body, std::string_view subject,
                                    bool idempotent, absl::Duration timeout);

  AthenaClientOptions options_;
  AwsHttpClient client_;
};

// Reads a GetQueryExecution answer. kInvalidArgument when it is not a JSON object with
// QueryExecution.Status.State.
absl::StatusOr<AthenaQueryStatus> ParseAthenaQueryExecution(std::string_view body);

// Reads a GetWorkGroup answer. kInvalidArgument when it is not a JSON object with WorkGroup.Name.
absl::StatusOr<AthenaWorkGroup> ParseAthenaWorkGroup(std::string_view body);

}  // namespace creditbot
