// The S3 object client; see s3_client.h.
#include "aws/s3_client.h"

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "aws/aws_xml.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/url.h"

namespace creditbot {
namespace {

bool ValidBucketName(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string_view::npos)
    return false;
  return bucket.front() != '.' && bucket.front() != '-' && bucket.back() != '.' && bucket.back() != '-';
}

absl::Status ValidateKey(std::string_view key) {
  if (key.empty() || key.size() > 1024) {
    return absl::InvalidArgumentError("S3: an object key has 1 to 1024 bytes");
  }
  for (absl::string_view segment : absl::StrSplit(ToAbsl(key), '/')) {
    if (segment == "." || segment == "..") {
      return absl::InvalidArgumentError(
          absl::StrCat("S3: key '", ToAbsl(key), "' has a '.' or '..' segment, which URLs cannot carry"));
    }
  }
  return absl::OkStatus();
}

absl::StatusCode S3ErrorCode(const AwsError& error, bool put_if_match) {
  const std::string& code = error.code;
  if (code == "NoSuchBucket") return absl::StatusCode::kFailedPrecondition;
  if (code == "PreconditionFailed" || error.http_status == 412) return absl::StatusCode::kFailedPrecondition;
  if (code == "ConditionalRequestConflict" || error.http_status == 409) return absl::StatusCode::kAborted;
  if (code == "NoSuchKey" || error.http_status == 404) {
    return put_if_match ? absl::StatusCode::kFailedPrecondition : absl::StatusCode::kNotFound;
  }
  return DefaultAwsErrorCode(error);
}

std::string_view EncryptionHeaderValue(S3ServerSideEncryption encryption) {
  switch (encryption) {
    case S3ServerSideEncryption::kAes256:
      return "AES256";
    case S3ServerSideEncryption::kAwsKms:
      return "aws:kms";
    case S3ServerSideEncryption::kNone:
      break;
  }
  return "";
}

}  // namespace

S3Client::S3Client(HttpTransport& transport, AwsCredentialsProvider& credentials, const Clock& clock,
                   Sleeper& sleeper, S3ClientOptions options)
    : options_(std::move(options)),
      client_(transport, credentials, clock, sleeper, options_.region, AwsService::kS3, AwsErrorFormat::kXml,
              options_.retry) {}

absl::StatusOr<S3ClientOptions> S3Client::OptionsFromConfig(const AwsConfig& config) {
  S3ClientOptions options;
  CREDITBOT_ASSIGN_OR_RETURN(options.region, config.Region());
  CREDITBOT_ASSIGN_OR_RETURN(options.endpoint, config.Endpoint(AwsService::kS3));
  return options;
}

absl::StatusOr<std::string> S3Client::BucketUrl(std::string_view bucket) const {
  if (!ValidBucketName(bucket)) {
    return absl::InvalidArgumentError(
        absl::StrCat("S3: '", ToAbsl(bucket), "' is not a bucket name (3-63 of a-z 0-9 . -)"));
  }
  const std::string& endpoint = options_.endpoint.url;
  const bool path_style = options_.endpoint.overridden || bucket.find('.') != std::string_view::npos;
  if (path_style) return absl::StrCat(endpoint, "/", ToAbsl(bucket), "/");
  // "https://s3.REGION.amazonaws.com" → "https://BUCKET.s3.REGION.amazonaws.com".
  CREDITBOT_ASSIGN_OR_RETURN(const ParsedUrl url, ParseUrl(endpoint));
  return absl::StrCat(url.scheme, "://", ToAbsl(bucket), ".", url.Authority(),
                      absl::StripSuffix(url.path, "/"), "/");
}

absl::StatusOr<std::string> S3Client::ObjectUrl(std::string_view bucket, std::string_view key) const {
  CREDITBOT_ASSIGN_OR_RETURN(std::string url, BucketUrl(bucket));
  CREDITBOT_RETURN_IF_ERROR(ValidateKey(key));
  return absl::StrCat(url, AwsUriEncode(key, /*keep_slash=*/true));
}

absl::StatusOr<HttpResponse> S3Client::Call(std::string method, std::string_view bucket, std::string_view key,
                                            std::string_view body,
                                            std::vector<std::pair<std::string, std::string>> headers,
                                            std::string_view operation, bool put_if_match) {
  const std::string what = absl::StrCat("S3 ", ToAbsl(operation), " s3://", ToAbsl(bucket), "/", ToAbsl(key));
  absl::StatusOr<std::string> url = ObjectUrl(bucket, key);
  if (!url.ok()) return absl::InvalidArgumentError(absl::StrCat(what, ": ", url.status().message()));
  HttpRequest request;
  request.method = std::move(method);
  request.url = *std::move(url);
  request.headers = std::move(headers);
  request.headers.emplace_back("x-amz-content-sha256", Sha256Hex(body));
  request.body_view = body.empty() ? std::string_view("") : body;  // borrowed: Send returns before Call
  request.timeout = options_.request_timeout;
  return client_.Send(std::move(request), what,
                      [put_if_match](const AwsError& error) { return S3ErrorCode(error, put_if_match); });
}

absl::StatusOr<S3Object> S3Client::GetObject(std::string_view bucket, std::string_view key) {
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response, Call("GET", bucket, key, "", {}, "GetObject", false));
  S3Object object;
  object.body = std::move(response.body);
  object.etag = response.Header("etag").value_or("");
  object.content_type = response.Header("content-type").value_or("");
  object.server_side_encryption = response.Header("x-amz-server-side-encryption").value_or("");
  object.version_id = response.Header("x-amz-version-id").value_or("");
  return object;
}

absl::StatusOr<S3ObjectInfo> S3Client::HeadObject(std::string_view bucket, std::string_view key) {
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response, Call("HEAD", bucket, key, "", {}, "HeadObject", false));
  S3ObjectInfo info;
  info.etag = response.Header("etag").value_or("");
  info.content_type = response.Header("content-type").value_or("");
  info.server_side_encryption = response.Header("x-amz-server-side-encryption").value_or("");
  info.version_id = response.Header("x-amz-version-id").value_or("");
  if (!absl::SimpleAtoi(response.Header("content-length").value_or("0"), &info.size)) info.size = 0;
  return info;
}

absl::StatusOr<S3PutResult> S3Client::PutObject(std::string_view bucket, std::string_view key,
                                                std::string_view body, const S3PutOptions& options) {
  if (options.if_match && options.if_none_match_any) {
    return absl::InvalidArgumentError("S3 PutObject: If-Match and If-None-Match cannot be combined");
  }
  if (options.content_type.empty() || options.content_type.find_first_of("\r\n") != std::string::npos) {
    return absl::InvalidArgumentError("S3 PutObject: a content type is required");
  }
  // Header names here never share a prefix with one another (libcurl < 8.10 sorts such pairs wrongly).
  std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", options.content_type}};
  if (options.if_match) {
    if (options.if_match->empty()) return absl::InvalidArgumentError("S3 PutObject: If-Match needs an ETag");
    headers.emplace_back("If-Match", *options.if_match);
  }
  if (options.if_none_match_any) headers.emplace_back("If-None-Match", "*");
  if (std::string_view sse = EncryptionHeaderValue(options.server_side_encryption); !sse.empty()) {
    headers.emplace_back("x-amz-server-side-encryption", std::string(sse));
  }
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response, Call("PUT", bucket, key, body, std::move(headers),
                                                         "PutObject", options.if_match.has_value()));
  return S3PutResult{response.Header("etag").value_or(""), response.Header("x-amz-version-id").value_or("")};
}

absl::StatusOr<int> S3Client::ListObjectsV2(std::string_view bucket, std::string_view prefix, int max_keys) {
  const std::string what = absl::StrCat("S3 ListObjectsV2 s3://", ToAbsl(bucket), "/", ToAbsl(prefix));
  if (max_keys < 1 || max_keys > 1000)
    return absl::InvalidArgumentError(absl::StrCat(what, ": max-keys 1-1000"));
  absl::StatusOr<std::string> url = BucketUrl(bucket);
  if (!url.ok()) return absl::InvalidArgumentError(absl::StrCat(what, ": ", url.status().message()));
  HttpRequest request;
  // Parameters in SigV4's canonical order (sorted by name), values encoded as it wants.
  request.url =
      absl::StrCat(*url, "?list-type=2&max-keys=", max_keys, "&prefix=", AwsUriEncode(prefix, false));
  request.headers.emplace_back("x-amz-content-sha256", Sha256Hex(""));
  request.timeout = options_.request_timeout;
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response,
                             client_.Send(std::move(request), what,
                                          [](const AwsError& error) { return S3ErrorCode(error, false); }));
  absl::StatusOr<XmlElement> xml = ParseXml(response.body);
  int count = 0;
  if (!xml.ok() || xml->name != "ListBucketResult" || !absl::SimpleAtoi(xml->ChildText("KeyCount"), &count)) {
    return absl::UnavailableError(
        absl::StrCat(what, ": unreadable answer (no ListBucketResult with KeyCount)"));
  }
  return count;
}

bool IsValidS3BucketName(std::string_view bucket) { return ValidBucketName(bucket); }

absl::Status S3Client::DeleteObject(std::string_view bucket, std::string_view key) {
  return Call("DELETE", bucket, key, "", {}, "DeleteObject", false).status();
}

}  // namespace creditbot
