// The process_* metrics read from /proc; see process_metrics.h.
#include "common/process_metrics.h"

#include <unistd.h>

#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/embedded_files.h"

namespace creditbot {
namespace {

constexpr char kStartTime[] = "process_start_time_seconds";
constexpr char kResidentMemory[] = "process_resident_memory_bytes";
constexpr char kVirtualMemory[] = "process_virtual_memory_bytes";
constexpr char kCpuSeconds[] = "process_cpu_seconds_total";
constexpr char kOpenFds[] = "process_open_fds";
constexpr char kMaxFds[] = "process_max_fds";

absl::Status Unparsable(const std::string& path, const char* what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read ", what));
}

}  // namespace

absl::StatusOr<ProcessStats> ReadProcessStats(const std::string& proc_pid, const std::string& proc_root) {
  ProcessStats stats;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  if (ticks <= 0 || page <= 0) return absl::InternalError("sysconf: no clock tick or page size");

  // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces and ')', so fields count from the last
  // ')'.
  const std::string stat_path = proc_pid + "/stat";
  absl::StatusOr<std::string> stat = ReadFileToString(stat_path);
  if (!stat.ok()) return stat.status();
  const std::size_t close = stat->rfind(')');
  if (close == std::string::npos) return Unparsable(stat_path, "the command name");
  const std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(*stat).substr(close + 1), ' ', absl::SkipEmpty());
  // fields[0] is field 3 (state): field N is fields[N - 3]. utime 14, stime 15, starttime 22, vsize 23,
  // rss 24.
  if (fields.size() < 22) return Unparsable(stat_path, "24 fields");
  double utime = 0, stime = 0, start_ticks = 0, vsize = 0, rss_pages = 0;
  if (!absl::SimpleAtod(fields[11], &utime) || !absl::SimpleAtod(fields[12], &stime) ||
      !absl::SimpleAtod(fields[19], &start_ticks) || !absl::SimpleAtod(fields[20], &vsize) ||
      !absl::SimpleAtod(fields[21], &rss_pages)) {
    return Unparsable(stat_path, "utime, stime, starttime, vsize and rss");
  }
  stats.cpu_seconds = (utime + stime) / ticks;
  stats.virtual_memory_bytes = vsize;
  stats.resident_memory_bytes = rss_pages * page;

  // The boot time, for the start time: /proc/stat "btime SECONDS".
  const std::string boot_path = proc_root + "/stat";
  absl::StatusOr<std::string> boot = ReadFileToString(boot_path);
  if (!boot.ok()) return boot.status();
  double btime = -1;
  for (absl::string_view line : absl::StrSplit(*boot, '\n')) {
    if (absl::ConsumePrefix(&line, "btime ") && !absl::SimpleAtod(line, &btime)) btime = -1;
  }
  if (btime < 0) return Unparsable(boot_path, "btime");
  stats.start_time_seconds = btime + start_ticks / ticks;

  // Open descriptors: the entries of /proc/PID/fd (the one this listing opens included, as client_golang).
  std::error_code error;
  double open = 0;
  for (std::filesystem::directory_iterator it(proc_pid + "/fd", error), end; !error && it != end;
       it.increment(error)) {
    ++open;
  }
  if (error) return absl::NotFoundError(absl::StrCat("cannot list ", proc_pid, "/fd: ", error.message()));
  stats.open_fds = open;

  // /proc/PID/limits: "Max open files            1024                 1048576              files".
  const std::string limits_path = proc_pid + "/limits";
  absl::StatusOr<std::string> limits = ReadFileToString(limits_path);
  if (!limits.ok()) return limits.status();
  double max_fds = -1;
  for (absl::string_view line : absl::StrSplit(*limits, '\n')) {
    if (!absl::ConsumePrefix(&line, "Max open files")) continue;
    const std::vector<absl::string_view> columns = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (columns.empty()) break;
    if (columns[0] == "unlimited") {
      max_fds = 18446744073709551615.0;  // RLIM_INFINITY, as client_golang reports it
    } else if (!absl::SimpleAtod(columns[0], &max_fds)) {
      max_fds = -1;
    }
  }
  if (max_fds < 0) return Unparsable(limits_path, "Max open files");
  stats.max_fds = max_fds;
  return stats;
}

void DefineProcessMetrics(Metrics& metrics) {
  metrics.DefineGauge(kStartTime, "Start time of the process since unix epoch in seconds.");
  metrics.DefineGauge(kResidentMemory, "Resident memory size in bytes.");
  metrics.DefineGauge(kVirtualMemory, "Virtual memory size in bytes.");
  metrics.DefineCounter(kCpuSeconds, "Total user and system CPU time spent in seconds.");
  metrics.DefineGauge(kOpenFds, "Number of open file descriptors.");
  metrics.DefineGauge(kMaxFds, "Maximum number of open file descriptors.");
}

void UpdateProcessMetrics(Metrics& metrics) {
  absl::StatusOr<ProcessStats> stats = ReadProcessStats();
  if (!stats.ok()) return;
  metrics.SetGauge(kStartTime, stats->start_time_seconds);
  metrics.SetGauge(kResidentMemory, stats->resident_memory_bytes);
  metrics.SetGauge(kVirtualMemory, stats->virtual_memory_bytes);
  metrics.SetCounter(kCpuSeconds, stats->cpu_seconds);
  metrics.SetGauge(kOpenFds, stats->open_fds);
  metrics.SetGauge(kMaxFds, stats->max_fds);
}

}  // namespace creditbot
