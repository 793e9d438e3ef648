// The folder audit sink.
#include "audit/audit_sink.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {

absl::StatusOr<std::string> FolderAuditSink::Write(std::string_view execution_id,
                                                   std::string_view result_json) {
  if (execution_id.empty() || execution_id.find_first_of("/\\.") != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("invalid execution id '", ToAbsl(execution_id), "'"));
  }
  std::string path = (std::filesystem::path(dir_) / std::string(execution_id) / "result.json").string();
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return absl::AlreadyExistsError(absl::StrCat("audit record ", path, " already exists"));
  }
  CREDITBOT_RETURN_IF_ERROR(WriteFileAtomically(path, result_json));
  return path;
}

}  // namespace creditbot
