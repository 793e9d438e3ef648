// The SQL files (sql/) and policies (policy/) compiled into the binary, so a deployed creditbot needs no
// data folder. A folder given at run time (CREDITBOT_SQL_DIR / CREDITBOT_POLICY_DIR) overrides them.
//
// Thread-safe: the table is immutable after first use.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace creditbot {

struct EmbeddedFile {
  std::string_view path;     // relative to the repository root, e.g. "sql/sqlite/accounts.sql"
  std::string_view content;  // the file's bytes
};

// Every embedded file, in a stable order (the order CMake listed them).
const std::vector<EmbeddedFile>& EmbeddedFiles();

// Returns the content of `path` (relative to the repository root), read from `override_root` when it is
// non-empty, else from the embedded table. kNotFound names the path when it is in neither.
absl::StatusOr<std::string> ReadDataFile(std::string_view path, std::string_view override_root = {});

// Reads a whole file from disk. kNotFound if it does not exist, kPermissionDenied / kInternal otherwise;
// the message names the path.
absl::StatusOr<std::string> ReadFileToString(const std::string& path);

// Writes `content` to `path` atomically (a temporary file in the same folder, then rename), creating
// missing parent folders. The message of a failure names the path.
absl::Status WriteFileAtomically(const std::string& path, std::string_view content);

}  // namespace creditbot
