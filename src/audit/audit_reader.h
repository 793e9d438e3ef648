// AuditReader: reads back what an AuditSink wrote (audit_sink.h), for `creditbot replay`: which executions
// have a record, and the files of one (result.json, evidence.json.gz, decision.json). FolderAuditReader
// reads <dir>/<execution_id>/<name>; S3AuditReader reads s3://BUCKET/PREFIX/<execution_id>/<name> with the
// keys S3AuditSink writes. Reading never changes anything.
//
// Errors: kNotFound when the execution or the file is not there; kInvalidArgument for an execution id or
// name that is not one plain segment (IsPlainExecutionId, IsPlainArtifactName); kUnimplemented from
// ListExecutions where the store cannot list (S3AuditReader: the S3 client has no ListObjects; the caller
// names the executions, e.g. from the ledger); otherwise the file system's or the S3 client's error.
//
// Thread-compatible: one thread at a time per reader (an S3 client's rule); open one per worker.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "audit/s3_audit_sink.h"
#include "aws/s3_client.h"

namespace creditbot {

class AuditReader {
 public:
  virtual ~AuditReader() = default;
  // Every execution id with a result.json, in ascending order (ids start with their UTC time, so this is
  // oldest first).
  virtual absl::StatusOr<std::vector<std::string>> ListExecutions() = 0;
  // The bytes of the file `name` of `execution_id` ("result.json" for the record itself).
  virtual absl::StatusOr<std::string> Read(std::string_view execution_id, std::string_view name) = 0;
  // Where `execution_id`'s file `name` is (a path or s3:// URI), for messages.
  virtual std::string Where(std::string_view execution_id, std::string_view name) const = 0;

  static constexpr char kResult[] = "result.json";
};

class FolderAuditReader final : public AuditReader {
 public:
  explicit FolderAuditReader(std::string dir) : dir_(std::move(dir)) {}
  absl::StatusOr<std::vector<std::string>> ListExecutions() override;
  absl::StatusOr<std::string> Read(std::string_view execution_id, std::string_view name) override;
  std::string Where(std::string_view execution_id, std::string_view name) const override;

 private:
  std::string dir_;
};

// The client must outlive the reader.
class S3AuditReader final : public AuditReader {
 public:
  S3AuditReader(S3Client& s3, S3AuditSinkOptions options) : s3_(s3), keys_(s3, options), options_(options) {}
  absl::StatusOr<std::vector<std::string>> ListExecutions() override;
  absl::StatusOr<std::string> Read(std::string_view execution_id, std::string_view name) override;
  std::string Where(std::string_view execution_id, std::string_view name) const override;

 private:
  S3Client& s3_;
  S3AuditSink keys_;  // only for its KeyFor: the keys are the sink's, by construction
  S3AuditSinkOptions options_;
};

}  // namespace creditbot
