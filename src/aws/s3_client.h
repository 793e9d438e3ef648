// S3Client: the four object calls creditbot's S3 state store and audit sink are built on, over the
// project's HttpTransport with libcurl's SigV4 (see aws_http_client.h for signing and retries).
//
//   GetObject    GET    → body + ETag
//   HeadObject   HEAD   → ETag, size, content type, encryption
//   PutObject    PUT    with optional If-None-Match: * (create only) or If-Match: ETag (compare-and-swap),
//                       optional x-amz-server-side-encryption (AES256 or aws:kms)
//   DeleteObject DELETE
//
// Addressing: virtual-hosted (https://BUCKET.s3.REGION.amazonaws.com/KEY) for AWS's own endpoint; path
// style (ENDPOINT/BUCKET/KEY) when the endpoint is overridden (AWS_ENDPOINT_URL[_S3]: staging, tests), or
// when the bucket name holds a '.' (it would not match the wildcard certificate). Keys are percent-encoded
// as SigV4 wants (RFC 3986, upper-case hex, '/' kept). Every request carries x-amz-content-sha256, the hex
// SHA-256 of its body (libcurl 7.88 never adds it; S3 requires it).
//
// Errors (messages carry S3's Code and Message, never the body or a credential):
//   kNotFound           — NoSuchKey / 404 (GetObject, HeadObject)
//   kFailedPrecondition — PreconditionFailed / 412 (If-Match with a stale ETag, If-None-Match: * on an
//                         existing key); on PutObject with If-Match, a 404 too (the object is gone: the state
//                         changed under us); NoSuchBucket
//   kAborted            — ConditionalRequestConflict / 409 (a concurrent conditional write: re-read, retry)
//   kPermissionDenied   — AccessDenied, SignatureDoesNotMatch, InvalidAccessKeyId, 403
//   kUnauthenticated    — ExpiredToken after one refresh of the credentials, InvalidToken
//   kUnavailable        — SlowDown, 500, 503 and other throttling/5xx after the retries; connection failures
//                         (kDeadlineExceeded on timeouts)
//   kInvalidArgument    — a bucket name or key S3 (or this client) cannot take; other 4xx answers
//
// Thread-compatible: one thread at a time (the HttpTransport's rule); the transport, credentials provider,
// clock and sleeper must outlive the client.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aws/aws_config.h"
#include "aws/aws_credentials.h"
#include "aws/aws_http_client.h"
#include "common/clock.h"
#include "net/http_transport.h"

namespace creditbot {

struct S3ClientOptions {
  AwsEndpoint endpoint;  // AwsConfig::Endpoint(AwsService::kS3)
  std::string region;    // the bucket's region (signing scope)
  AwsRetryOptions retry;
  absl::Duration request_timeout = absl::Seconds(60);  // Default: 60 s per request
};

enum class S3ServerSideEncryption { kNone, kAes256, kAwsKms };

struct S3Object {
  std::string body;
  std::string etag;  // as S3 sends it, quotes included: pass it back unchanged in If-Match
  std::string content_type;
  std::string server_side_encryption;  // the x-amz-server-side-encryption answer header, "" when absent
  std::string version_id;              // "" unless the bucket is versioned
};

struct S3ObjectInfo {
  std::string etag;
  int64_t size = 0;
  std::string content_type;
  std::string server_side_encryption;
  std::string version_id;
};

struct S3PutOptions {
  std::string content_type = "application/octet-stream";  // Default: binary; always sent (and signed)
  std::optional<std::string> if_match;                    // write only over this ETag (compare-and-swap)
  bool if_none_match_any = false;  // write only if the key does not exist (If-None-Match: *)
  S3ServerSideEncryption server_side_encryption = S3ServerSideEncryption::kNone;
};

struct S3PutResult {
  std::string etag;
  std::string version_id;
};

class S3Client {
 public:
  S3Client(HttpTransport& transport, AwsCredentialsProvider& credentials, const Clock& clock,
           Sleeper& sleeper, S3ClientOptions options);

  // Options for `config`'s S3 endpoint and region (kFailedPrecondition without a region).
  static absl::StatusOr<S3ClientOptions> OptionsFromConfig(const AwsConfig& config);

  absl::StatusOr<S3Object> GetObject(std::string_view bucket, std::string_view key);
  absl::StatusOr<S3ObjectInfo> HeadObject(std::string_view bucket, std::string_view key);
  // Idempotent (a retried conditional write that had succeeded answers 412: callers re-read). Setting both
  // if_match and if_none_match_any is kInvalidArgument.
  absl::StatusOr<S3PutResult> PutObject(std::string_view bucket, std::string_view key, std::string_view body,
                                        const S3PutOptions& options = {});
  // Deleting a missing key succeeds (S3 answers 204).
  absl::Status DeleteObject(std::string_view bucket, std::string_view key);
  // How many keys under `prefix` the first page lists (KeyCount, at most `max_keys`, 1–1000): whether the
  // bucket is reachable and listable there (s3:ListBucket). NoSuchBucket → kFailedPrecondition.
  absl::StatusOr<int> ListObjectsV2(std::string_view bucket, std::string_view prefix, int max_keys);

  // The URL of `key` in `bucket` (exposed for tests): see the header comment. kInvalidArgument for a bucket
  // name outside S3's rules (3–63 of a-z 0-9 . -) or a key that is empty, over 1024 bytes, or has a "." or
  // ".." segment (URL normalization would change what is signed).
  absl::StatusOr<std::string> ObjectUrl(std::string_view bucket, std::string_view key) const;
  // The bucket's URL, ending with '/' (path style or virtual-hosted as above); kInvalidArgument for a bad
  // bucket name.
  absl::StatusOr<std::string> BucketUrl(std::string_view bucket) const;

 private:
  // Sends one signed call; `body` is borrowed, never copied (a PutObject of a mapped file costs no heap).
  absl::StatusOr<HttpResponse> Call(std::string method, std::string_view bucket, std::string_view key,
                                    std::string_view body,
                                    std::vector<std::pair<std::string, std::string>> headers,
                                    std::string_view operation, bool put_if_match);

  S3ClientOptions options_;
  AwsHttpClient client_;
};

// S3's bucket naming rule as this client applies it: 3–63 of a-z 0-9 . -, not starting or ending with '.'
// or '-'.
bool IsValidS3BucketName(std::string_view bucket);

}  // namespace creditbot
