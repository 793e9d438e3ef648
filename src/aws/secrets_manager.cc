// The Secrets Manager GetSecretValue client; see secrets_manager.h.
#include "aws/secrets_manager.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/json_fields.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
namespace {

absl::StatusCode SecretsErrorCode(const AwsError& error) {
  const std::string& code = error.code;
  if (code == "ResourceNotFoundException") return absl::StatusCode::kNotFound;
  if (code == "InvalidRequestException" || code == "DecryptionFailure") {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (code == "InvalidParameterException" || code == "ValidationException") {
    return absl::StatusCode::kInvalidArgument;
  }
  return DefaultAwsErrorCode(error);
}

}  // namespace

absl::StatusOr<SecretValue> ParseGetSecretValueResponse(std::string_view body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return absl::InvalidArgumentError("GetSecretValue answer is not a JSON object");
  SecretValue value;
  value.arn = JsonStringMember(json, "ARN");
  value.name = JsonStringMember(json, "Name");
  value.version_id = JsonStringMember(json, "VersionId");
  if (auto stages = json.find("VersionStages"); stages != json.end() && stages->is_array()) {
    for (const nlohmann::json& stage : *stages) {
      if (stage.is_string()) value.version_stages.push_back(stage.get<std::string>());
    }
  }
  // The secret's two forms are absent (never "") when missing or not a string.
  auto text = [&json](const char* name) -> std::optional<std::string> {
    const nlohmann::json* member = JsonMember(json, name);
    if (member == nullptr || !member->is_string()) return std::nullopt;
    return member->get<std::string>();
  };
  value.secret_string = text("SecretString");
  if (std::optional<std::string> binary = text("SecretBinary")) {
    std::string decoded;
    if (!absl::Base64Unescape(*binary, &decoded)) {
      return absl::InvalidArgumentError("GetSecretValue answer: SecretBinary is not base64");
    }
    value.secret_binary = std::move(decoded);
  }
  if (!value.secret_string && !value.secret_binary) {
    return absl::InvalidArgumentError("GetSecretValue answer has neither SecretString nor SecretBinary");
  }
  return value;
}

SecretsManagerClient::SecretsManagerClient(HttpTransport& transport, AwsCredentialsProvider& credentials,
                                           const Clock& clock, Sleeper& sleeper,
                                           SecretsManagerOptions options)
    : options_(std::move(options)),
      client_(transport, credentials, clock, sleeper, options_.region, AwsService::kSecretsManager,
              AwsErrorFormat::kJson, options_.retry) {}

absl::StatusOr<SecretsManagerOptions> SecretsManagerClient::OptionsFromConfig(const AwsConfig& config) {
  SecretsManagerOptions options;
  CREDITBOT_ASSIGN_OR_RETURN(options.region, config.Region());
  CREDITBOT_ASSIGN_OR_RETURN(options.endpoint, config.Endpoint(AwsService::kSecretsManager));
  return options;
}

absl::StatusOr<SecretValue> SecretsManagerClient::GetSecretValue(std::string_view secret_id,
                                                                 std::string_view version_stage) {
  const std::string what = absl::StrCat("Secrets Manager GetSecretValue '", ToAbsl(secret_id), "'");
  if (secret_id.empty() || secret_id.size() > 2048) {
    return absl::InvalidArgumentError("Secrets Manager GetSecretValue: a secret id has 1 to 2048 characters");
  }
  nlohmann::json body = {{"SecretId", std::string(secret_id)}};
  if (!version_stage.empty()) body["VersionStage"] = std::string(version_stage);
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(options_.endpoint.url, "/");
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "secretsmanager.GetSecretValue"}};
  request.body = body.dump();
  request.timeout = options_.request_timeout;
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response,
                             client_.Send(std::move(request), what, &SecretsErrorCode));
  absl::StatusOr<SecretValue> value = ParseGetSecretValueResponse(response.body);
  if (!value.ok()) {
    return absl::UnavailableError(absl::StrCat(what, ": unreadable answer (", value.status().message(), ")"));
  }
  return value;
}

absl::StatusOr<std::string> SecretsManagerClient::GetSecretString(std::string_view secret_id) {
  CREDITBOT_ASSIGN_OR_RETURN(SecretValue value, GetSecretValue(secret_id));
  if (!value.secret_string) {
    return absl::FailedPreconditionError(
        absl::StrCat("Secrets Manager secret '", ToAbsl(secret_id), "' holds binary data, not a string"));
  }
  return *std::move(value.secret_string);
}

}  // namespace creditbot
