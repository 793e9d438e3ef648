// The folder of replay reports; see replay_archive.h.
#include "replay/replay_archive.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <iterator>
#include <random>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/strings.h"

namespace creditbot {
namespace {

constexpr std::size_t kMaxNameLength = 100;
constexpr std::size_t kMaxReportFileBytes = std::size_t{512} << 20;  // a replay.json of ~1M requests

// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::Status ErrnoStatus(int error, const std::string& what) {
  if (error == ENOENT || error == ELOOP || error == ENOTDIR) {
    return absl::NotFoundError(absl::StrCat(what, ": not there"));
  }
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(error)));
}

}  // namespace

ReplayArchive ReplayArchive::InHome(const std::string& home) {
  return ReplayArchive((std::filesystem::path(home) / "replays").string());
}

bool ReplayArchive::IsReportName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength ||
      !absl::ascii_isalnum(static_cast<unsigned char>(name[0])))
    return false;
  if (absl::StrContains(ToAbsl(name), "..")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

bool ReplayArchive::IsReportFile(std::string_view file) {
  return file == "replay.csv" || file == "replay.json" || file == "replay.html";
}

std::string ReplayArchive::NewName(absl::Time now) {
  std::random_device random;
  return absl::StrCat(absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()), "-",
                      absl::StrFormat("%06x", random() & 0xffffffU));
}

absl::StatusOr<std::string> ReplayArchive::BeginReport(absl::Time now, std::string* name) const {
  std::error_code ec;
  std::filesystem::create_directories(root_, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", root_, ": ", ec.message()));
  for (int attempt = 0; attempt < 10; ++attempt) {
    const std::string candidate = NewName(now);
    const std::filesystem::path published = std::filesystem::path(root_) / candidate;
    const std::filesystem::path partial =
        std::filesystem::path(root_) / absl::StrCat(".", candidate, ".partial");
    if (std::filesystem::exists(std::filesystem::symlink_status(published, ec))) continue;
    if (!std::filesystem::create_directory(partial, ec)) {
      if (ec)
        return absl::InternalError(absl::StrCat("cannot create ", partial.string(), ": ", ec.message()));
      continue;  // taken
    }
    *name = candidate;
    return partial.string();
  }
  return absl::InternalError(absl::StrCat("no free report name in ", root_));
}

absl::StatusOr<std::string> ReplayArchive::PublishReport(const std::string& partial,
                                                         const std::string& name) const {
  if (!IsReportName(name))
    return absl::InvalidArgumentError(absl::StrCat("'", name, "' is not a report name"));
  const std::string published = (std::filesystem::path(root_) / name).string();
  // rename(2) would replace an empty folder of that name: refuse any.
  std::error_code ec;
  if (std::filesystem::exists(std::filesystem::symlink_status(published, ec))) {
    return absl::AlreadyExistsError(absl::StrCat(published, " exists"));
  }
  if (std::rename(partial.c_str(), published.c_str()) != 0) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", partial, " to ", published, ": ", std::strerror(errno)));
  }
  return published;
}

absl::StatusOr<std::vector<ReplayListing>> ReplayArchive::List(std::size_t limit) const {
  std::vector<std::string> names;
  std::error_code ec;
  std::filesystem::directory_iterator entries(root_, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return std::vector<ReplayListing>();
    return absl::InternalError(absl::StrCat("cannot list ", root_, ": ", ec.message()));
  }
  for (const std::filesystem::directory_entry& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (!IsReportName(name)) continue;
    if (!std::filesystem::is_directory(entry.symlink_status(ec)) || ec) continue;  // a link is not followed
    names.push_back(name);
  }
  std::sort(names.begin(), names.end(), std::greater<>());
  if (names.size() > limit) names.resize(limit);
  std::vector<ReplayListing> listings;
  listings.reserve(names.size());
  for (const std::string& name : names) listings.push_back(ListingOf(name));
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto known = known_.begin(); known != known_.end();) {
    known = std::binary_search(names.begin(), names.end(), known->first, std::greater<>())
                ? std::next(known)
                : known_.erase(known);
  }
  return listings;
}

ReplayListing ReplayArchive::ListingOf(const std::string& name) const {
  // The file's size and time, without following a link (Read refuses one anyway).
  std::error_code ec;
  const std::filesystem::path json = std::filesystem::path(root_) / name / "replay.json";
  const bool plain = std::filesystem::is_regular_file(std::filesystem::symlink_status(json, ec)) && !ec;
  const std::uintmax_t size = plain ? std::filesystem::file_size(json, ec) : 0;
  const std::int64_t modified_ns =
      plain && !ec
          ? static_cast<std::int64_t>(std::filesystem::last_write_time(json, ec).time_since_epoch().count())
          : 0;
  const bool cacheable = plain && !ec;
  if (cacheable) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto known = known_.find(name);
    if (known != known_.end() && known->second.size == size && known->second.modified_ns == modified_ns) {
      return known->second.listing;
    }
  }
  ReplayListing listing;
  listing.name = name;
  absl::StatusOr<std::string> content = Read(name, "replay.json");
  absl::StatusOr<ReplayReport> heading = content.ok() ? ReadReplayJsonHeading(*content) : content.status();
  if (heading.ok()) {
    listing.heading = *std::move(heading);
  } else {
    listing.error = std::string(heading.status().message());
  }
  if (cacheable) {
    std::lock_guard<std::mutex> lock(mutex_);
    known_[name] = KnownHeading{size, modified_ns, listing};
  }
  return listing;
}

absl::StatusOr<std::string> ReplayArchive::Read(std::string_view name, std::string_view file) const {
  if (!IsReportName(name)) {
    return absl::InvalidArgumentError(absl::StrCat("'", ToAbsl(name), "' is not a report name"));
  }
  if (!IsReportFile(file)) {
    return absl::InvalidArgumentError(absl::StrCat("'", ToAbsl(file), "' is not a report file"));
  }
  const std::string what = absl::StrCat(ToAbsl(name), "/", ToAbsl(file));
  const Fd root(open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0) return ErrnoStatus(errno, root_);
  const Fd folder(
      openat(root.get(), std::string(name).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (folder.get() < 0) return ErrnoStatus(errno, std::string(name));
  const Fd opened(
      openat(folder.get(), std::string(file).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (opened.get() < 0) return ErrnoStatus(errno, what);
  struct stat info {};
  if (fstat(opened.get(), &info) != 0) return ErrnoStatus(errno, what);
  if (!S_ISREG(info.st_mode)) return absl::NotFoundError(absl::StrCat(what, ": not a file"));
  if (static_cast<std::size_t>(info.st_size) > kMaxReportFileBytes) {
    return absl::FailedPreconditionError(absl::StrCat(what, ": larger than 512 MB"));
  }
  std::string content(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t got = read(opened.get(), content.data() + done, content.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return ErrnoStatus(errno, what);
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  content.resize(done);
  return content;
}

}  // namespace creditbot
