// AuditSink: where the result JSON of every calculation is kept (ARCHITECTURE.md "The result of one
// calculation"), and the files that belong beside it (an artifact: decision.json for the decision taken on
// the credit, evidence.json.gz, …). FolderAuditSink writes <dir>/<execution_id>/result.json and
// <dir>/<execution_id>/<name>; S3AuditSink (s3_audit_sink.h) the same keys under its prefix.
//
// Thread-compatible: one thread at a time per sink.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"

namespace creditbot {

class AuditSink {
 public:
  // Produces a record's bytes into `out` as they are made (e.g. core/report_json.h's WriteResultJson); a
  // non-OK status stops the write and is what the sink returns.
  using RecordWriter = absl::FunctionRef<absl::Status(std::FILE* out)>;

  virtual ~AuditSink() = default;

  // Stores the result JSON that `write` produces for `execution_id` and returns where (a path or URL),
  // never holding the record whole in memory (issue 20): the folder sink writes it to a temporary file
  // beside its place, the S3 sink to an unlinked temporary file that its PUT reads mapped. Never overwrites
  // an existing record: kAlreadyExists (nothing is stored). kInvalidArgument for an execution id that is not
  // IsPlainExecutionId; the error of `write`, or kUnavailable when the bytes cannot be written or stored.
  virtual absl::StatusOr<std::string> WriteStreamed(std::string_view execution_id, RecordWriter write) = 0;

  // Stores `result_json`: WriteStreamed's contract.
  absl::StatusOr<std::string> Write(std::string_view execution_id, std::string_view result_json);

  // Stores `bytes` as the file `name` beside `execution_id`'s result.json (which need not exist yet);
  // returns where. Never overwrites: kAlreadyExists when a file of that name with other bytes is there (the
  // same bytes again, e.g. a write retried after a crash or a lost answer, are OK and return where).
  // kInvalidArgument when the execution id or `name` is not one plain path segment (IsPlainArtifactName).
  virtual absl::StatusOr<std::string> WriteArtifact(std::string_view execution_id, std::string_view name,
                                                    std::string_view bytes) = 0;

  // The decision record (state/decision_record.h's JSON) as "decision.json": WriteArtifact's contract.
  absl::StatusOr<std::string> WriteDecision(std::string_view execution_id, std::string_view decision_json) {
    return WriteArtifact(execution_id, kDecisionArtifact, decision_json);
  }

  static constexpr char kDecisionArtifact[] = "decision.json";
};

// True when `execution_id` is one key segment: not empty, no '/', '\\' or '.'.
bool IsPlainExecutionId(std::string_view execution_id);

// True when `name` names one file: 1 to 255 bytes, no '/', '\', NUL or other control character, and not
// starting with '.' (so never "." or ".." or a hidden file).
bool IsPlainArtifactName(std::string_view name);

class FolderAuditSink final : public AuditSink {
 public:
  explicit FolderAuditSink(std::string dir) : dir_(std::move(dir)) {}
  // Both are written to a temporary file in the record's folder, synced, then hard-linked into place: the
  // link fails if the name exists, so two writers never overwrite each other.
  absl::StatusOr<std::string> WriteStreamed(std::string_view execution_id, RecordWriter write) override;
  absl::StatusOr<std::string> WriteArtifact(std::string_view execution_id, std::string_view name,
                                            std::string_view bytes) override;

 private:
  std::string dir_;
};

}  // namespace creditbot
