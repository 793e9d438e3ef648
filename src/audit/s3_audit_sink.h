// S3AuditSink: the AuditSink of production runners. Each calculation's result JSON goes to
// s3://BUCKET/PREFIX/{execution_id}/result.json (S3_BUCKET, S3_OUTPUT_PREFIX, default "outputs"), written
// with If-None-Match: * so an execution id is never overwritten, the server-side encryption header (AES256
// by default) and Content-Type application/json. Write returns the s3:// URI. WriteArtifact puts a named
// file beside it, s3://BUCKET/PREFIX/{execution_id}/{name}, the same way (Content-Type from the name:
// .json application/json, .gz application/gzip, otherwise application/octet-stream).
//
// Failure modes (FolderAuditSink's contract):
//   kInvalidArgument — an execution id that is empty or holds '/', '\' or '.' (it names one key segment),
//                      or an artifact name that is not IsPlainArtifactName
//   kAlreadyExists   — a different record for that execution id is already there (S3 answered 412); it is
//                      left as is (the same bytes, e.g. our own write retried after a lost answer, are OK)
//   anything else    — the S3 client's error (s3_client.h), the message naming the s3:// URI
//
// Thread-compatible (the S3 client's rule). The client must outlive the sink (a factory that owns the client
// may derive from the sink to keep them together).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "audit/audit_sink.h"
#include "aws/s3_client.h"

namespace creditbot {

struct S3AuditSinkOptions {
  std::string bucket;                                                   // S3_BUCKET (required)
  std::string prefix = "outputs";                                       // Default: S3_OUTPUT_PREFIX's
  S3ServerSideEncryption encryption = S3ServerSideEncryption::kAes256;  // Default: SSE-S3
};

class S3AuditSink : public AuditSink {
 public:
  S3AuditSink(S3Client& s3, S3AuditSinkOptions options);

  // The record goes to a SpoolFile (common/spool_file.h), then is PUT from its mapping.
  absl::StatusOr<std::string> WriteStreamed(std::string_view execution_id, RecordWriter write) override;
  absl::StatusOr<std::string> WriteArtifact(std::string_view execution_id, std::string_view name,
                                            std::string_view bytes) override;

  // The key of `execution_id`'s record: "PREFIX/ID/result.json" (slashes around the prefix trimmed; no
  // prefix: "ID/result.json").
  std::string KeyFor(std::string_view execution_id) const;
  // The key of the file `name` beside it: "PREFIX/ID/NAME".
  std::string KeyFor(std::string_view execution_id, std::string_view name) const;

 private:
  // PUTs `bytes` at `key` with If-None-Match: * (the rules of the header comment).
  absl::StatusOr<std::string> PutNew(const std::string& key, std::string_view bytes,
                                     std::string_view content_type);

  S3Client& s3_;
  S3AuditSinkOptions options_;
};

}  // namespace creditbot
