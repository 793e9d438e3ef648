// The audit readers: a folder and an S3 prefix, read back with the sinks' own layout.
#include "audit/audit_reader.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "audit/audit_sink.h"
#include "common/embedded_files.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
namespace {

absl::Status CheckNames(std::string_view execution_id, std::string_view name) {
  if (!IsPlainExecutionId(execution_id)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid execution id '", ToAbsl(execution_id), "'"));
  }
  if (!IsPlainArtifactName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid audit file name '", ToAbsl(name), "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> FolderAuditReader::ListExecutions() {
  std::vector<std::string> ids;
  std::error_code ec;
  std::filesystem::directory_iterator entries(dir_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) {
      return absl::NotFoundError(absl::StrCat("audit folder ", dir_, " does not exist"));
    }
    return absl::InternalError(absl::StrCat("cannot list the audit folder ", dir_, ": ", ec.message()));
  }
  for (const std::filesystem::directory_entry& entry : entries) {
    const std::string id = entry.path().filename().string();
    if (!IsPlainExecutionId(id) || !entry.is_directory(ec)) continue;
    if (std::filesystem::exists(entry.path() / kResult, ec)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

absl::StatusOr<std::string> FolderAuditReader::Read(std::string_view execution_id, std::string_view name) {
  CREDITBOT_RETURN_IF_ERROR(CheckNames(execution_id, name));
  const std::string path = Where(execution_id, name);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return absl::NotFoundError(absl::StrCat(path, " does not exist"));
  return ReadFileToString(path);
}

std::string FolderAuditReader::Where(std::string_view execution_id, std::string_view name) const {
  return (std::filesystem::path(dir_) / std::string(execution_id) / std::string(name)).string();
}

absl::StatusOr<std::vector<std::string>> S3AuditReader::ListExecutions() {
  return absl::UnimplementedError(
      absl::StrCat("the audit records in s3://", options_.bucket, "/", options_.prefix,
                   " cannot be listed: name them (creditbot replay reads the ledger's execution ids)"));
}

absl::StatusOr<std::string> S3AuditReader::Read(std::string_view execution_id, std::string_view name) {
  CREDITBOT_RETURN_IF_ERROR(CheckNames(execution_id, name));
  absl::StatusOr<S3Object> object = s3_.GetObject(options_.bucket, keys_.KeyFor(execution_id, name));
  if (!object.ok()) {
    return absl::Status(object.status().code(),
                        absl::StrCat(Where(execution_id, name), ": ", object.status().message()));
  }
  return std::move(object->body);
}

std::string S3AuditReader::Where(std::string_view execution_id, std::string_view name) const {
  return absl::StrCat("s3://", options_.bucket, "/", keys_.KeyFor(execution_id, name));
}

}  // namespace creditbot
