// AWS error reading, classification and status building; see aws_error.h.
#include "aws/aws_error.h"

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "aws/aws_xml.h"
#include "common/strings.h"

namespace creditbot {
namespace {

std::string StatusName(int status) {
  switch (status) {
    case 304:
      return "NotModified";
    case 400:
      return "BadRequest";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 503:
      return "ServiceUnavailable";
    default:
      return absl::StrCat("HTTP ", status);
  }
}

// "ns#Code:http://…" → "Code".
std::string BareCode(std::string_view type) {
  type = type.substr(0, type.find(':'));
  if (const std::size_t hash = type.rfind('#'); hash != std::string_view::npos) type.remove_prefix(hash + 1);
  return std::string(type);
}

bool OneOf(std::string_view code, std::initializer_list<std::string_view> codes) {
  for (std::string_view candidate : codes) {
    if (code == candidate) return true;
  }
  return false;
}

}  // namespace

AwsError AwsErrorFromXmlResponse(const HttpResponse& response) {
  AwsError error;
  error.http_status = response.status;
  if (std::optional<AwsXmlError> parsed = ParseAwsXmlError(response.body)) {
    error.code = std::move(parsed->code);
    error.message = std::move(parsed->message);
    error.request_id = std::move(parsed->request_id);
  } else {
    error.code = StatusName(response.status);
  }
  if (error.request_id.empty()) error.request_id = response.Header("x-amz-request-id").value_or("");
  return error;
}

AwsError AwsErrorFromJsonResponse(const HttpResponse& response) {
  AwsError error;
  error.http_status = response.status;
  std::string type = response.Header("x-amzn-errortype").value_or("");
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    for (const char* field : {"__type", "code"}) {
      if (type.empty() && body.contains(field) && body[field].is_string())
        type = body[field].get<std::string>();
    }
    for (const char* field : {"Message", "message"}) {
      if (error.message.empty() && body.contains(field) && body[field].is_string()) {
        error.message = body[field].get<std::string>();
      }
    }
  }
  error.code = BareCode(type);
  if (error.code.empty()) error.code = StatusName(response.status);
  error.request_id = response.Header("x-amzn-requestid").value_or("");
  return error;
}

bool IsRetryableAwsError(const AwsError& error) {
  if (OneOf(error.code, {"Throttling",
                         "ThrottlingException",
                         "ThrottledException",
                         "RequestThrottledException",
                         "TooManyRequestsException",
                         "ProvisionedThroughputExceededException",
                         "TransactionInProgressException",
                         "RequestLimitExceeded",
                         "BandwidthLimitExceeded",
                         "LimitExceededException",
                         "RequestThrottled",
                         "SlowDown",
                         "PriorRequestNotComplete",
                         "EC2ThrottledException",
                         "RequestTimeout",
                         "RequestTimeoutException",
                         "InternalError",
                         "InternalFailure",
                         "InternalServiceError",
                         "ServiceUnavailable",
                         "IDPCommunicationError"})) {
    return true;
  }
  const int status = error.http_status;
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

bool IsExpiredCredentialsError(const AwsError& error) {
  return OneOf(error.code, {"ExpiredToken", "ExpiredTokenException"});
}

absl::StatusCode DefaultAwsErrorCode(const AwsError& error) {
  if (IsRetryableAwsError(error)) return absl::StatusCode::kUnavailable;
  if (IsExpiredCredentialsError(error) || error.code == "InvalidToken") {
    return absl::StatusCode::kUnauthenticated;
  }
  if (OneOf(error.code, {"SignatureDoesNotMatch", "InvalidAccessKeyId", "AccessDenied",
                         "AccessDeniedException", "InvalidSignatureException", "UnrecognizedClientException",
                         "InvalidClientTokenId", "IncompleteSignature", "MissingAuthenticationToken"})) {
    return absl::StatusCode::kPermissionDenied;
  }
  return HttpStatusToError(error.http_status, "").code();
}

absl::Status AwsErrorStatus(absl::StatusCode code, const AwsError& error, std::string_view what) {
  std::string message = absl::StrCat(ToAbsl(what), ": ", error.code, " (HTTP ", error.http_status, ")");
  if (!error.message.empty()) {
    std::string_view text = error.message;
    if (text.size() > 300) text = text.substr(0, 300);
    absl::StrAppend(&message, ": ", ToAbsl(text));
  }
  if (!error.request_id.empty()) absl::StrAppend(&message, " [request id ", error.request_id, "]");
  return {code, message};
}

absl::Status ScrubSecrets(const absl::Status& status, std::initializer_list<std::string_view> secrets) {
  if (status.ok()) return status;
  std::string message(status.message());
  bool changed = false;
  for (std::string_view secret : secrets) {
    if (secret.empty() || message.find(secret) == std::string::npos) continue;
    message = absl::StrReplaceAll(message, {{ToAbsl(secret), "(redacted)"}});
    changed = true;
  }
  return changed ? absl::Status(status.code(), message) : status;
}

}  // namespace creditbot
