// The S3 audit sink; see s3_audit_sink.h.
#include "audit/s3_audit_sink.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/strings.h"

namespace creditbot {

S3AuditSink::S3AuditSink(S3Client& s3, S3AuditSinkOptions options) : s3_(s3), options_(std::move(options)) {
  absl::string_view prefix = options_.prefix;
  while (absl::ConsumePrefix(&prefix, "/")) {
  }
  while (absl::ConsumeSuffix(&prefix, "/")) {
  }
  options_.prefix = std::string(prefix);
}

std::string S3AuditSink::KeyFor(std::string_view execution_id) const {
  return absl::StrCat(options_.prefix, options_.prefix.empty() ? "" : "/", ToAbsl(execution_id),
                      "/result.json");
}

absl::StatusOr<std::string> S3AuditSink::Write(std::string_view execution_id, std::string_view result_json) {
  if (execution_id.empty() || execution_id.find_first_of("/\\.") != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("invalid execution id '", ToAbsl(execution_id), "'"));
  }
  const std::string key = KeyFor(execution_id);
  const std::string uri = absl::StrCat("s3://", options_.bucket, "/", key);
  S3PutOptions put;
  put.content_type = "application/json";
  put.if_none_match_any = true;
  put.server_side_encryption = options_.encryption;
  absl::StatusOr<S3PutResult> written = s3_.PutObject(options_.bucket, key, result_json, put);
  if (written.ok()) return uri;
  if (written.status().code() == absl::StatusCode::kFailedPrecondition &&
      written.status().message().find("HTTP 412") != absl::string_view::npos) {
    // The S3 client retries a PUT whose answer was lost; the retry then fails its condition on our own
    // record. Only a different body is someone else's record.
    absl::StatusOr<S3Object> existing = s3_.GetObject(options_.bucket, key);
    if (existing.ok() && existing->body == result_json) return uri;
    return absl::AlreadyExistsError(absl::StrCat("audit record ", uri, " already exists"));
  }
  return absl::Status(written.status().code(),
                      absl::StrCat("audit record ", uri, ": ", written.status().message()));
}

}  // namespace creditbot
