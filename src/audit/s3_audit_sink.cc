// The S3 audit sink; see s3_audit_sink.h.
#include "audit/s3_audit_sink.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/spool_file.h"
#include "common/status_macros.h"
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
  return KeyFor(execution_id, "result.json");
}

std::string S3AuditSink::KeyFor(std::string_view execution_id, std::string_view name) const {
  return absl::StrCat(options_.prefix, options_.prefix.empty() ? "" : "/", ToAbsl(execution_id), "/",
                      ToAbsl(name));
}

absl::StatusOr<std::string> S3AuditSink::WriteStreamed(std::string_view execution_id, RecordWriter write) {
  if (!IsPlainExecutionId(execution_id)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid execution id '", ToAbsl(execution_id), "'"));
  }
  CREDITBOT_ASSIGN_OR_RETURN(SpoolFile spool, SpoolFile::Create());
  CREDITBOT_RETURN_IF_ERROR(write(spool.stream()));
  CREDITBOT_ASSIGN_OR_RETURN(std::string_view result_json, spool.Contents());
  return PutNew(KeyFor(execution_id), result_json, "application/json");
}

absl::StatusOr<std::string> S3AuditSink::WriteArtifact(std::string_view execution_id, std::string_view name,
                                                       std::string_view bytes) {
  if (!IsPlainExecutionId(execution_id)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid execution id '", ToAbsl(execution_id), "'"));
  }
  if (!IsPlainArtifactName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid audit file name '", ToAbsl(name), "'"));
  }
  const absl::string_view type = absl::EndsWith(ToAbsl(name), ".json") ? "application/json"
                                 : absl::EndsWith(ToAbsl(name), ".gz") ? "application/gzip"
                                                                       : "application/octet-stream";
  return PutNew(KeyFor(execution_id, name), bytes, ToStd(type));
}

absl::StatusOr<std::string> S3AuditSink::PutNew(const std::string& key, std::string_view bytes,
                                                std::string_view content_type) {
  const std::string uri = absl::StrCat("s3://", options_.bucket, "/", key);
  S3PutOptions put;
  put.content_type = std::string(content_type);
  put.if_none_match_any = true;
  put.server_side_encryption = options_.encryption;
  absl::StatusOr<S3PutResult> written = s3_.PutObject(options_.bucket, key, bytes, put);
  if (written.ok()) return uri;
  if (written.status().code() == absl::StatusCode::kFailedPrecondition &&
      written.status().message().find("HTTP 412") != absl::string_view::npos) {
    // The S3 client retries a PUT whose answer was lost; the retry then fails its condition on our own
    // record. Only a different body is someone else's record.
    absl::StatusOr<S3Object> existing = s3_.GetObject(options_.bucket, key);
    if (existing.ok() && existing->body == bytes) return uri;
    return absl::AlreadyExistsError(absl::StrCat("audit record ", uri, " already exists"));
  }
  return absl::Status(written.status().code(),
                      absl::StrCat("audit record ", uri, ": ", written.status().message()));
}

}  // namespace creditbot
