// Lookup of embedded data files and the small file helpers every store uses.
#include "common/embedded_files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {

absl::StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return absl::NotFoundError(absl::StrCat("file not found: ", path));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::PermissionDeniedError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return absl::InternalError(absl::StrCat("cannot read ", path));
  return std::move(content).str();
}

absl::StatusOr<std::string> ReadDataFile(std::string_view path, std::string_view override_root) {
  if (!override_root.empty()) {
    std::filesystem::path full = std::filesystem::path(override_root) / std::filesystem::path(path);
    absl::StatusOr<std::string> content = ReadFileToString(full.string());
    if (!absl::IsNotFound(content.status())) return content;
  }
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    if (file.path == path) return std::string(file.content);
  }
  return absl::NotFoundError(
      absl::StrCat("no data file ", ToAbsl(path), " (embedded or in '", ToAbsl(override_root), "')"));
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view content) {
  std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create folder for ", path, ": ", ec.message()));
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", temp, ": ", std::strerror(errno)));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", temp));
  }
  std::filesystem::rename(temp, target, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot rename ", temp, " to ", path, ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace creditbot
