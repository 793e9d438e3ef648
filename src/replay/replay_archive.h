// ReplayArchive: the folder of replay reports, `$CREDITBOT_HOME/replays/`, one sub-folder per report
// (replay.csv, replay.json, replay.html, results/). `creditbot replay` without --out writes its report there
// under a fresh name, "<UTC time>-<short id>" (20261206T184500Z-3f9a2c): first into a hidden
// ".<name>.partial" folder, renamed into place when complete, so a reader never sees half a report. The
// dashboard's Replays page lists and reads them.
//
// Names are checked strictly before they touch the file system: one plain segment of [A-Za-z0-9._-] that
// starts with a letter or digit and holds no "..", at most 100 characters (so no path, no traversal, no
// hidden or partial folder); only replay.csv, replay.json and replay.html are read, through openat with
// O_NOFOLLOW from the archive's folder: a report folder or file that is a symbolic link is not followed.
//
// Errors: kInvalidArgument for a name or file that is not allowed; kNotFound when the report or its file is
// not there (or is a link, or not a plain folder or file); otherwise the file system's error as kInternal.
// Thread-safe. List keeps each report's heading while its replay.json keeps its size and time (a published
// report does not change), so a list of large reports is parsed once, not on every page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "replay/replay_report.h"

namespace creditbot {

// One report as a list shows it.
struct ReplayListing {
  std::string name;
  ReplayReport heading;  // the run and the summary (no rows: ReadReplayJsonHeading)
  std::string error;     // not empty: its replay.json could not be read; `heading` is empty
};

class ReplayArchive {
 public:
  explicit ReplayArchive(std::string root) : root_(std::move(root)) {}
  // The archive of the home folder (CREDITBOT_HOME): <home>/replays.
  static ReplayArchive InHome(const std::string& home);

  const std::string& root() const { return root_; }

  // See the header comment.
  static bool IsReportName(std::string_view name);
  // replay.csv, replay.json or replay.html.
  static bool IsReportFile(std::string_view file);
  // "YYYYMMDDTHHMMSSZ-" (`now`, UTC) and 6 random lowercase hex digits.
  static std::string NewName(absl::Time now);

  // Creates the archive's folder when missing and a fresh hidden folder for a report made at `now`; returns
  // its path and sets `name` to the name it will be published under. Errors: the folder cannot be created.
  absl::StatusOr<std::string> BeginReport(absl::Time now, std::string* name) const;
  // Renames BeginReport's folder to `name`; returns the published folder's path.
  absl::StatusOr<std::string> PublishReport(const std::string& partial, const std::string& name) const;

  // At most `limit` reports, by name descending (newest first: the names start with their UTC time). Hidden
  // entries, links, files and names that are not allowed are left out; a report whose replay.json cannot be
  // read is listed with its error. A missing archive folder lists nothing.
  absl::StatusOr<std::vector<ReplayListing>> List(std::size_t limit) const;

  // The bytes of `file` (IsReportFile) of the report `name`.
  absl::StatusOr<std::string> Read(std::string_view name, std::string_view file) const;

 private:
  // A report's heading as List read it, with its replay.json's size and modification time then.
  struct KnownHeading {
    std::uintmax_t size = 0;
    std::int64_t modified_ns = 0;
    ReplayListing listing;
  };
  ReplayListing ListingOf(const std::string& name) const;

  std::string root_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, KnownHeading> known_;  // guarded by mutex_; the names of the last list
};

}  // namespace creditbot
