// The folder audit sink, and the artifact-name rule every sink shares.
#include "audit/audit_sink.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
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

namespace {

// Writes `bytes` to `out`: the writer of a record or artifact already in memory.
absl::Status PutBytes(std::string_view bytes, std::FILE* out) {
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size())
    return absl::UnavailableError(absl::StrCat("cannot write an audit file: ", std::strerror(errno)));
  return absl::OkStatus();
}

// Writes what `write` produces to a temporary file in `folder` (made if missing; the temporary name starts
// with '.', which no record or artifact name does), syncs it and hard-links it to `folder`/`name`: the link
// fails if the name exists, so two writers never overwrite each other. Returns the path; kAlreadyExists
// (nothing changed) when the name exists; the writer's error; kUnavailable when the file cannot be made.
absl::StatusOr<std::string> LinkNewFile(const std::filesystem::path& folder, std::string_view name,
                                        AuditSink::RecordWriter write) {
  const std::string path = (folder / std::string(name)).string();
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create the audit folder ", folder.string(), ": ", ec.message()));
  }
  const std::string temporary = (folder / absl::StrCat(".", ToAbsl(name), ".", getpid(), ".tmp")).string();
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
  if (link_error == EEXIST) return absl::AlreadyExistsError(absl::StrCat(path, " already exists"));
  return absl::UnavailableError(absl::StrCat(path, ": ", std::strerror(link_error)));
}

}  // namespace

absl::StatusOr<std::string> AuditSink::Write(std::string_view execution_id, std::string_view result_json) {
  return WriteStreamed(execution_id, [result_json](std::FILE* out) { return PutBytes(result_json, out); });
}

absl::StatusOr<std::string> FolderAuditSink::WriteStreamed(std::string_view execution_id,
                                                           RecordWriter write) {
  if (!IsPlainExecutionId(execution_id)) {
    return absl::InvalidArgumentError(absl::StrCat("invalid execution id '", ToAbsl(execution_id), "'"));
  }
  absl::StatusOr<std::string> path =
      LinkNewFile(std::filesystem::path(dir_) / std::string(execution_id), "result.json", write);
  if (absl::IsAlreadyExists(path.status())) {
    return absl::AlreadyExistsError(absl::StrCat("audit record ", path.status().message()));
  }
  return path;
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
  absl::StatusOr<std::string> path =
      LinkNewFile(folder, name, [bytes](std::FILE* out) { return PutBytes(bytes, out); });
  if (!absl::IsAlreadyExists(path.status())) return path;
  // The same bytes again (a retry after a crash or a lost answer) are the file already there.
  const std::string existing_path = (folder / std::string(name)).string();
  absl::StatusOr<std::string> existing = ReadFileToString(existing_path);
  if (existing.ok() && *existing == bytes) return existing_path;
  return absl::AlreadyExistsError(absl::StrCat("audit file ", existing_path, " already exists"));
}

}  // namespace creditbot
