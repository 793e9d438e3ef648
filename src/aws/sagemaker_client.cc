// The SageMaker Processing client; see sagemaker_client.h.
#include "aws/sagemaker_client.h"

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

// `for_job`: Describe/Stop, where "could not find" in a ValidationException means an unknown job.
ErrorCodeMapper SageMakerErrorCode(bool for_job) {
  return [for_job](const AwsError& error) {
    const std::string& code = error.code;
    if (code == "ResourceNotFound" || code == "ResourceNotFoundException") return absl::StatusCode::kNotFound;
    if (code == "ValidationException") {
      if (for_job && absl::StrContains(absl::AsciiStrToLower(error.message), "could not find")) {
        return absl::StatusCode::kNotFound;
      }
      return absl::StatusCode::kInvalidArgument;
    }
    if (code == "ResourceInUse") return absl::StatusCode::kAlreadyExists;
    if (code == "ResourceLimitExceeded") return absl::StatusCode::kResourceExhausted;
    return DefaultAwsErrorCode(error);
  };
}

}  // namespace

std::string_view ProcessingJobStatusName(ProcessingJobStatus status) {
  switch (status) {
    case ProcessingJobStatus::kInProgress:
      return "InProgress";
    case ProcessingJobStatus::kCompleted:
      return "Completed";
    case ProcessingJobStatus::kFailed:
      return "Failed";
    case ProcessingJobStatus::kStopping:
      return "Stopping";
    case ProcessingJobStatus::kStopped:
      return "Stopped";
    case ProcessingJobStatus::kUnknown:
      break;
  }
  return "Unknown";
}

bool IsValidProcessingJobName(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto alnum = [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (const char c : name) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

std::string CreateProcessingJobBody(const ProcessingJobSpec& spec) {
  Json app = {{"ImageUri", spec.image_uri}};
  if (!spec.entrypoint.empty()) app["ContainerEntrypoint"] = spec.entrypoint;
  if (!spec.arguments.empty()) app["ContainerArguments"] = spec.arguments;
  Json body = {
      {"ProcessingJobName", spec.name},
      {"ProcessingResources",
       {{"ClusterConfig",
         {{"InstanceCount", spec.instance_count},
          {"InstanceType", spec.instance_type},
          {"VolumeSizeInGB", spec.volume_size_gb}}}}},
      {"StoppingCondition", {{"MaxRuntimeInSeconds", spec.max_runtime_seconds}}},
      {"AppSpecification", std::move(app)},
      {"RoleArn", spec.role_arn},
  };
  if (!spec.environment.empty()) body["Environment"] = spec.environment;
  if (!spec.tags.empty()) {
    Json tags = Json::array();
    for (const auto& [key, value] : spec.tags) tags.push_back({{"Key", key}, {"Value", value}});
    body["Tags"] = std::move(tags);
  }
  return body.dump();
}

absl::StatusOr<ProcessingJobDescription> ParseDescribeProcessingJobResponse(std::string_view body) {
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object())
    return absl::InvalidArgumentError("DescribeProcessingJob answer is not a JSON object");
  auto text = [&json](const char* name) { return JsonStringMember(json, name); };
  ProcessingJobDescription description;
  description.name = text("ProcessingJobName");
  description.arn = text("ProcessingJobArn");
  description.status_text = text("ProcessingJobStatus");
  description.failure_reason = text("FailureReason");
  description.exit_message = text("ExitMessage");
  if (description.name.empty() || description.status_text.empty()) {
    return absl::InvalidArgumentError(
        "DescribeProcessingJob answer lacks ProcessingJobName or ProcessingJobStatus");
  }
  for (ProcessingJobStatus status :
       {ProcessingJobStatus::kInProgress, ProcessingJobStatus::kCompleted, ProcessingJobStatus::kFailed,
        ProcessingJobStatus::kStopping, ProcessingJobStatus::kStopped}) {
    if (description.status_text == ProcessingJobStatusName(status)) description.status = status;
  }
  return description;
}

SageMakerClient::SageMakerClient(HttpTransport& transport, AwsCredentialsProvider& credentials,
                                 const Clock& clock, Sleeper& sleeper, SageMakerOptions options)
    : options_(std::move(options)),
      client_(transport, credentials, clock, sleeper, options_.region, AwsService::kSageMaker,
              AwsErrorFormat::kJson, options_.retry) {}

absl::StatusOr<SageMakerOptions> SageMakerClient::OptionsFromConfig(const AwsConfig& config) {
  SageMakerOptions options;
  CREDITBOT_ASSIGN_OR_RETURN(options.region, config.Region());
  CREDITBOT_ASSIGN_OR_RETURN(options.endpoint, config.Endpoint(AwsService::kSageMaker));
  return options;
}

absl::StatusOr<HttpResponse> SageMakerClient::Call(std::string_view operation, std::string body,
                                                   std::string_view job, bool idempotent) {
  const std::string what = absl::StrCat("SageMaker ", ToAbsl(operation), " '", ToAbsl(job), "'");
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(options_.endpoint.url, "/");
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", absl::StrCat("SageMaker.", ToAbsl(operation))}};
  request.body = std::move(body);
  request.timeout = options_.request_timeout;
  return client_.Send(std::move(request), what, SageMakerErrorCode(operation != "CreateProcessingJob"),
                      idempotent);
}

absl::StatusOr<std::string> SageMakerClient::CreateProcessingJob(const ProcessingJobSpec& spec) {
  if (!IsValidProcessingJobName(spec.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("SageMaker CreateProcessingJob: '", spec.name,
                     "' is not a valid processing job name (1-63 of [a-zA-Z0-9](-*[a-zA-Z0-9])*)"));
  }
  for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"image URI", &spec.image_uri},
                                     {"role ARN", &spec.role_arn},
                                     {"instance type", &spec.instance_type}}) {
    if (value->empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("SageMaker CreateProcessingJob '", spec.name, "': the ", field, " is empty"));
    }
  }
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response, Call("CreateProcessingJob", CreateProcessingJobBody(spec),
                                                         spec.name, /*idempotent=*/false));
  const Json json = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("ProcessingJobArn") || !json["ProcessingJobArn"].is_string()) {
    return absl::UnavailableError(absl::StrCat("SageMaker CreateProcessingJob '", spec.name,
                                               "': unreadable answer (no ProcessingJobArn)"));
  }
  return json["ProcessingJobArn"].get<std::string>();
}

absl::StatusOr<ProcessingJobDescription> SageMakerClient::DescribeProcessingJob(std::string_view name) {
  CREDITBOT_ASSIGN_OR_RETURN(
      HttpResponse response,
      Call("DescribeProcessingJob", Json{{"ProcessingJobName", std::string(name)}}.dump(), name, true));
  absl::StatusOr<ProcessingJobDescription> description = ParseDescribeProcessingJobResponse(response.body);
  if (!description.ok()) {
    return absl::UnavailableError(absl::StrCat("SageMaker DescribeProcessingJob '", ToAbsl(name),
                                               "': unreadable answer (", description.status().message(),
                                               ")"));
  }
  return description;
}

absl::Status SageMakerClient::StopProcessingJob(std::string_view name) {
  absl::StatusOr<HttpResponse> response =
      Call("StopProcessingJob", Json{{"ProcessingJobName", std::string(name)}}.dump(), name, true);
  if (!response.ok() && response.status().code() == absl::StatusCode::kInvalidArgument) {
    // SageMaker refuses to stop a job that is no longer running.
    return absl::FailedPreconditionError(response.status().message());
  }
  return response.status();  // the answer has no output shape: an empty body or {}
}

}  // namespace creditbot
