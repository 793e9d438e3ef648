// The folder audit sink, and the artifact-name rule every sink shares.
#include "audit/audit_sink.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
bool IsPlainExecutionId(std::string_view execution_id) {
  return !execution_id.empty() && execution_id.find_first_of("/\\.") == std::string_view::npos;
}

bool IsPlainArtifactName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name.front() == '.') return false;
  for (char c : name) {
    if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

absl::StatusOr<std::string> AuditSink::Write(std::string_view execution_id, std::string_view result_json) {
  return WriteStreamed(execution_id, [result_json](std::FILE* out) -> absl::Status {
    if (!result_json.empty() &&
        std::fwrite(result_json.data(), 1, result_json.size(), out) != result_json.size())
      return absl::UnavailableError(absl::StrCat("cannot write the audit record: ", std::strerror(errno)));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> FolderAuditSink::WriteStreamed(std::string_view execution_id,
                                                           RecordWriter write) {
  if (!IsPlainExecutionId(execution_id)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid execution id '", ToAbsl(execution_id), "'"));
  }
  const std::filesystem::path folder = std::filesystem::path(dir_) / std::string(execution_id);
  const std::string path = (folder / "result.json").string();
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return absl::AlreadyExistsError(absl::StrCat("audit record ", path, " already exists"));
  }
  std::filesystem::create_directories(folder, ec);
  if (ec)
    return absl::UnavailableError(
        absl::StrCat("cannot create the audit folder ", folder.string(), ": ", ec.message()));
  // The temporary name starts with '.', which no artifact name does.
  const std::string temporary = (folder / absl::StrCat(".result.json.", getpid(), ".tmp")).string();
  std::FILE* out = std::fopen(temporary.c_str(), "wb");
  if (out == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot write ", temporary, ": ", std::strerror(errno)));
  }
  absl::Status written = write(out);
  if (written.ok() && (std::fflush(out) != 0 || fsync(fileno(out)) != 0)) {
    written = absl::UnavailableError(absl::StrCat("cannot write ", temporary, ": ", std::strerror(errno)));
  }
  if (std::fclose(out) != 0 && written.ok()) {
    written = absl::UnavailableError(absl::StrCat("cannot write ", temporary, ": ", std::strerror(errno)));
  }
  const int linked = written.ok() ? link(temporary.c_str(), path.c_str()) : -1;
  const int link_error = errno;
  std::filesystem::remove(temporary, ec);
  if (!written.ok()) return written;
  if (linked == 0) return path;
  if (link_error == EEXIST)
    return absl::AlreadyExistsError(absl::StrCat("audit record ", path, " already exists"));
  return absl::UnavailableError(absl::StrCat("audit record ", path, ": ", std::strerror(link_error)));
}

absl::StatusOr<std::string> FolderAuditSink::WriteArtifact(std::string_view execution_id,
                                                           std::string_view name, std::string_view bytes) {
  if (!IsPlainExecutionId(execution_id)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid execution id '", ToAbsl(execution_id), "'"));
  }
  if (!IsPlainArtifactName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid audit file name '", ToAbsl(name), "'"));
  }
  const std::filesystem::path folder = std::filesystem::path(dir_) / std::string(execution_id);
  const std::string path = (folder / std::string(name)).string();
  // The temporary name starts with '.', which no artifact name does.
  const std::string temporary = (folder / absl::StrCat(".", ToAbsl(name), ".", getpid(), ".tmp")).string();
  CREDITBOT_RETURN_IF_ERROR(WriteFileAtomically(temporary, bytes));
  const int linked = link(temporary.c_str(), path.c_str());
  const int link_error = errno;
  std::error_code ec;
  std::filesystem::remove(temporary, ec);
  if (linked == 0) return path;
  if (link_error == EEXIST) {
    absl::StatusOr<std::string> existing = ReadFileToString(path);
    if (existing.ok() && *existing == bytes) return path;
    return absl::AlreadyExistsError(absl::StrCat("audit file ", path, " already exists"));
  }
  return absl::InternalError(absl::StrCat("audit file ", path, ": ", std::strerror(link_error)));
}

}  // namespace creditbot
