// The Amazon Athena client; see athena_client.h.
#include "aws/athena_client.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/json_fields.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
namespace {

using Json = nlohmann::json;

// The control answers are small; a page of results is at most 1,000 rows.
constexpr std::size_t kMaxControlAnswerBytes = 1 << 20;

ErrorCodeMapper AthenaErrorCode() {
  return [](const AwsError& error) {
    const std::string& code = error.code;
    if (code == "ResourceNotFoundException") return absl::StatusCode::kNotFound;
    if (code == "TooManyRequestsException") return absl::StatusCode::kUnavailable;
    if (code == "InvalidRequestException") {
      const std::string lower = absl::AsciiStrToLower(error.message);
      if (absl::StrContains(lower, "workgroup") && absl::StrContains(lower, "not found")) {
        return absl::StatusCode::kNotFound;
      }
      return absl::StatusCode::kInvalidArgument;
    }
    return DefaultAwsErrorCode(error);
  };
}

std::string IntegerText(const Json& object, std::string_view name) {
  std::optional<int64_t> value = JsonIntegerMember(object, name);
  return value ? absl::StrCat(*value) : JsonStringMember(object, name);
}

}  // namespace

std::string_view AthenaQueryStateName(AthenaQueryState state) {
  switch (state) {
    case AthenaQueryState::kQueued:
      return "QUEUED";
    case AthenaQueryState::kRunning:
      return "RUNNING";
    case AthenaQueryState::kSucceeded:
      return "SUCCEEDED";
    case AthenaQueryState::kFailed:
      return "FAILED";
    case AthenaQueryState::kCancelled:
      return "CANCELLED";
    case AthenaQueryState::kUnknown:
      break;
  }
  return "UNKNOWN";
}

absl::StatusOr<AthenaQueryStatus> ParseAthenaQueryExecution(std::string_view body) {
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  const Json* execution = JsonObjectMember(json, "QueryExecution");
  const Json* status = execution ? JsonObjectMember(*execution, "Status") : nullptr;
  if (status == nullptr || JsonStringMember(*status, "State").empty()) {
    return absl::InvalidArgumentError("GetQueryExecution answer lacks QueryExecution.Status.State");
  }
  AthenaQueryStatus result;
  result.state_text = JsonStringMember(*status, "State");
  result.state_change_reason = JsonStringMember(*status, "StateChangeReason");
  if (const Json* error = JsonObjectMember(*status, "AthenaError")) {
    result.error_type = IntegerText(*error, "ErrorType");
    result.error_category = IntegerText(*error, "ErrorCategory");
    result.retryable = JsonBoolMember(*error, "Retryable");
    if (result.state_change_reason.empty())
      result.state_change_reason = JsonStringMember(*error, "ErrorMessage");
  }
  for (AthenaQueryState state :
       {AthenaQueryState::kQueued, AthenaQueryState::kRunning, AthenaQueryState::kSucceeded,
        AthenaQueryState::kFailed, AthenaQueryState::kCancelled}) {
    if (result.state_text == AthenaQueryStateName(state)) result.state = state;
  }
  return result;
}

absl::StatusOr<AthenaWorkGroup> ParseAthenaWorkGroup(std::string_view body) {
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  const Json* group = JsonObjectMember(json, "WorkGroup");
  if (group == nullptr || JsonStringMember(*group, "Name").empty()) {
    return absl::InvalidArgumentError("GetWorkGroup answer lacks WorkGroup.Name");
  }
  AthenaWorkGroup result;
  result.name = JsonStringMember(*group, "Name");
  result.state = JsonStringMember(*group, "State");
  if (const Json* configuration = JsonObjectMember(*group, "Configuration")) {
    result.enforce_configuration = JsonBoolMember(*configuration, "EnforceWorkGroupConfiguration");
    if (const Json* output = JsonObjectMember(*configuration, "ResultConfiguration")) {
      result.output_location = JsonStringMember(*output, "OutputLocation");
    }
    if (const Json* engine = JsonObjectMember(*configuration, "EngineVersion")) {
      result.effective_engine_version = JsonStringMember(*engine, "EffectiveEngineVersion");
    }
  }
  return result;
}

AthenaClient::AthenaClient(HttpTransport& transport, AwsCredentialsProvider& credentials, const Clock& clock,
                           Sleeper& sleeper, AthenaClientOptions options)
    : options_(std::move(options)),
      client_(transport, credentials, clock, sleeper, options_.region, AwsService::kAthena,
              AwsErrorFormat::kJson, options_.retry) {}

absl::StatusOr<AthenaClientOptions> AthenaClient::OptionsFromConfig(const AwsConfig& config) {
  AthenaClientOptions options;
  CREDITBOT_ASSIGN_OR_RETURN(options.region, config.Region());
  CREDITBOT_ASSIGN_OR_RETURN(options.endpoint, config.Endpoint(AwsService::kAthena));
  return options;
}

absl::StatusOr<HttpResponse> AthenaClient::Call(std::string_view operation, std::string body,
                                                std::string_view subject, bool idempotent,
                                                absl::Duration timeout) {
  const std::string what = absl::StrCat("Athena ", ToAbsl(operation), " ", ToAbsl(subject));
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(options_.endpoint.url, "/");
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", absl::StrCat("AmazonAthena.", ToAbsl(operation))}};
  request.body = std::move(body);
  request.timeout = timeout;
  if (operation != "GetQueryResults") request.max_response_bytes = kMaxControlAnswerBytes;
  return client_.Send(std::move(request), what, AthenaErrorCode(), idempotent);
}

absl::StatusOr<std::string> AthenaClient::StartQueryExecution(const AthenaQueryRequest& request) {
  if (request.sql.empty() || request.work_group.empty()) {
    return absl::InvalidArgumentError("Athena StartQueryExecution: an empty query or workgroup");
  }
  if (request.client_request_token.size() < 32 || request.client_request_token.size() > 128) {
    return absl::InvalidArgumentError(
        "Athena StartQueryExecution: the ClientRequestToken must have 32 to 128 characters");
  }
  Json body = {{"QueryString", request.sql},
               {"ClientRequestToken", request.client_request_token},
               {"WorkGroup", request.work_group}};
  Json context = Json::object();
  if (!request.catalog.empty()) context["Catalog"] = request.catalog;
  if (!request.database.empty()) context["Database"] = request.database;
  if (!context.empty()) body["QueryExecutionContext"] = std::move(context);
  if (!request.output_location.empty()) {
    body["ResultConfiguration"] = {{"OutputLocation", request.output_location}};
  }
  // The token makes a repeated start answer the same execution: retrying is safe.
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response,
                             Call("StartQueryExecution", body.dump(), absl::StrCat("in ", request.work_group),
                                  /*idempotent=*/true, options_.request_timeout));
  const Json json = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  const std::string id = JsonStringMember(json, "QueryExecutionId");
  if (id.empty()) {
    return absl::UnavailableError("Athena StartQueryExecution: unreadable answer (no QueryExecutionId)");
  }
  return id;
}

absl::StatusOr<AthenaQueryStatus> AthenaClient::GetQueryExecution(std::string_view query_execution_id) {
  CREDITBOT_ASSIGN_OR_RETURN(
      HttpResponse response,
      Call("GetQueryExecution", Json{{"QueryExecutionId", std::string(query_execution_id)}}.dump(),
           query_execution_id, true, options_.request_timeout));
  absl::StatusOr<AthenaQueryStatus> status = ParseAthenaQueryExecution(response.body);
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("Athena GetQueryExecution ", ToAbsl(query_execution_id),
                                               ": unreadable answer (", status.status().message(), ")"));
  }
  return status;
}

absl::StatusOr<HttpResponse> AthenaClient::GetQueryResults(std::string_view query_execution_id,
                                                           std::string_view next_token, int max_results) {
  if (max_results < 1 || max_results > 1000) {
    return absl::InvalidArgumentError("Athena GetQueryResults: MaxResults must be 1 to 1000");
  }
  Json body = {{"QueryExecutionId", std::string(query_execution_id)}, {"MaxResults", max_results}};
  if (!next_token.empty()) body["NextToken"] = std::string(next_token);
  return Call("GetQueryResults", body.dump(), query_execution_id, true, options_.request_timeout);
}

absl::Status AthenaClient::StopQueryExecution(std::string_view query_execution_id) {
  return Call("StopQueryExecution", Json{{"QueryExecutionId", std::string(query_execution_id)}}.dump(),
              query_execution_id, true, options_.request_timeout)
      .status();
}

absl::StatusOr<AthenaWorkGroup> AthenaClient::GetWorkGroup(std::string_view name) {
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response,
                             Call("GetWorkGroup", Json{{"WorkGroup", std::string(name)}}.dump(),
                                  absl::StrCat("'", ToAbsl(name), "'"), true, options_.request_timeout));
  absl::StatusOr<AthenaWorkGroup> group = ParseAthenaWorkGroup(response.body);
  if (!group.ok()) {
    return absl::UnavailableError(absl::StrCat("Athena GetWorkGroup '", ToAbsl(name),
                                               "': unreadable answer (", group.status().message(), ")"));
  }
  return group;
}

}  // namespace creditbot
