// SpoolFile: an unlinked temporary file that a large output is written into as it is produced, then read
// back mapped, so that it is never held in the heap (issue 20: an S3 audit record of a million lines is
// written to a SpoolFile by the streaming result writer, then PUT from the mapping). The pages of a mapped
// file are the file's: the kernel may drop them under memory pressure instead of killing the process.
//
// The file is created in $TMPDIR (default /tmp) and unlinked at once, so nothing is left behind whatever
// happens to the process. Move-only; thread-compatible.
#pragma once

#include <cstdio>
#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {

class SpoolFile {
 public:
  // kUnavailable naming the folder and the system's error when the file cannot be made.
  static absl::StatusOr<SpoolFile> Create();

  SpoolFile(SpoolFile&& other) noexcept;
  SpoolFile& operator=(SpoolFile&& other) noexcept;
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  ~SpoolFile();

  // Where to write. Valid until Contents() or destruction.
  std::FILE* stream() const { return stream_; }

  // Flushes the stream and maps the whole file read-only: the view stays valid while this object lives
  // (an empty file gives an empty view). kUnavailable when the flush or the map fails (e.g. the disk is
  // full), naming the system's error. Call once.
  absl::StatusOr<std::string_view> Contents();

 private:
  explicit SpoolFile(std::FILE* stream) : stream_(stream) {}
  void Release();

  std::FILE* stream_ = nullptr;
  void* mapping_ = nullptr;
  std::size_t mapped_bytes_ = 0;
};

}  // namespace creditbot
