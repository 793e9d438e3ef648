// AwsError: one failed AWS answer (HTTP status, error code, message), read from any of the protocols
// creditbot speaks (S3 REST-XML, awsQuery XML, JSON 1.1), and the rules every AWS client here shares: which
// errors are retried, which mean "refresh the credentials", and how an error becomes an absl::Status whose
// message carries the code and AWS's message (never the body, which may echo request data).
//
// Pure functions, thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "net/http_transport.h"

namespace creditbot {

struct AwsError {
  int http_status = 0;
  std::string code;  // "NoSuchKey", "ThrottlingException"; for a body-less answer, a name for the status
  std::string message;
  std::string request_id;
};

// An error from an XML answer (S3, STS); when the body has no error envelope (HEAD, a proxy's HTML page),
// the code is a name for the HTTP status ("NotFound", "PreconditionFailed", "Forbidden", "HTTP 502", …).
AwsError AwsErrorFromXmlResponse(const HttpResponse& response);

// An error from a JSON 1.1 answer: `__type` (or the X-Amzn-ErrorType header, or `code`), cut down to the
// bare code (the part before the first ':', then after the last '#'), and `Message` or `message`. Falls back
// to a name for the HTTP status like AwsErrorFromXmlResponse.
AwsError AwsErrorFromJsonResponse(const HttpResponse& response);

// Throttling or a transient server fault: HTTP 429/500/502/503/504, or a code such as SlowDown,
// Throttling, ThrottlingException, RequestTimeout, InternalError (botocore's retry lists).
bool IsRetryableAwsError(const AwsError& error);

// The credentials the request was signed with have expired: ExpiredToken, ExpiredTokenException.
bool IsExpiredCredentialsError(const AwsError& error);

// "`what`: CODE (HTTP n): message" with `code`. The message is AWS's, cut to 300 characters.
absl::Status AwsErrorStatus(absl::StatusCode code, const AwsError& error, std::string_view what);

// The code the shared rules give `error`: throttling/5xx → kUnavailable; expired or invalid token →
// kUnauthenticated; signature and access errors (SignatureDoesNotMatch, InvalidAccessKeyId,
// AccessDenied(Exception), InvalidSignatureException, UnrecognizedClientException, InvalidClientTokenId,
// 403) → kPermissionDenied; otherwise HttpStatusToError's code. Services refine it (S3's 412, 409, …).
absl::StatusCode DefaultAwsErrorCode(const AwsError& error);

// Removes every occurrence of each non-empty `secrets` value from `status`'s message (a last line of defence:
// no AWS message should ever contain one).
absl::Status ScrubSecrets(const absl::Status& status, std::initializer_list<std::string_view> secrets);

}  // namespace creditbot
