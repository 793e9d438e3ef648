// SpoolFile; see spool_file.h.
#include "common/spool_file.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace creditbot {

absl::StatusOr<SpoolFile> SpoolFile::Create() {
  const char* folder = std::getenv("TMPDIR");
  std::string path =
      absl::StrCat(folder != nullptr && *folder != '\0' ? folder : "/tmp", "/creditbot-spool-XXXXXX");
  const int fd = mkstemp(path.data());
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot make a temporary file like ", path, ": ", std::strerror(errno)));
  }
  unlink(path.c_str());
  std::FILE* stream = fdopen(fd, "w+b");
  if (stream == nullptr) {
    const int error = errno;
    close(fd);
    return absl::UnavailableError(absl::StrCat("cannot open a temporary file: ", std::strerror(error)));
  }
  return SpoolFile(stream);
}

SpoolFile::SpoolFile(SpoolFile&& other) noexcept
    : stream_(std::exchange(other.stream_, nullptr)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      mapped_bytes_(std::exchange(other.mapped_bytes_, 0)) {}

SpoolFile& SpoolFile::operator=(SpoolFile&& other) noexcept {
  if (this != &other) {
    Release();
    stream_ = std::exchange(other.stream_, nullptr);
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapped_bytes_ = std::exchange(other.mapped_bytes_, 0);
  }
  return *this;
}

SpoolFile::~SpoolFile() { Release(); }

void SpoolFile::Release() {
  if (mapping_ != nullptr) munmap(mapping_, mapped_bytes_);
  if (stream_ != nullptr) std::fclose(stream_);
  mapping_ = nullptr;
  mapped_bytes_ = 0;
  stream_ = nullptr;
}

absl::StatusOr<std::string_view> SpoolFile::Contents() {
  if (stream_ == nullptr) return absl::FailedPreconditionError("the temporary file is closed");
  if (std::fflush(stream_) != 0 || std::ferror(stream_) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot write a temporary file: ", std::strerror(errno)));
  }
  struct stat info {};
  if (fstat(fileno(stream_), &info) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot read a temporary file: ", std::strerror(errno)));
  }
  if (info.st_size == 0) return std::string_view();
  void* mapping =
      mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ, MAP_PRIVATE, fileno(stream_), 0);
  if (mapping == MAP_FAILED) {
    return absl::UnavailableError(absl::StrCat("cannot map a temporary file: ", std::strerror(errno)));
  }
  mapping_ = mapping;
  mapped_bytes_ = static_cast<std::size_t>(info.st_size);
  return std::string_view(static_cast<const char*>(mapping_), mapped_bytes_);
}

}  // namespace creditbot
