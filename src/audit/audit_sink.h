// AuditSink: where the result JSON of every calculation is kept (ARCHITECTURE.md "The result of one
// calculation"). FolderAuditSink writes <dir>/<execution_id>/result.json; an S3 sink comes with the AWS work.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {

class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Stores `result_json` for `execution_id`; returns where (a path or URL). Never overwrites an existing
  // record: kAlreadyExists.
  virtual absl::StatusOr<std::string> Write(std::string_view execution_id, std::string_view result_json) = 0;
};

class FolderAuditSink final : public AuditSink {
 public:
  explicit FolderAuditSink(std::string dir) : dir_(std::move(dir)) {}
  absl::StatusOr<std::string> Write(std::string_view execution_id, std::string_view result_json) override;

 private:
  std::string dir_;
};

}  // namespace creditbot
