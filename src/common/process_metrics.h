// Process metrics: the standard process_* series of Prometheus client libraries, read from Linux's /proc, so
// that dashboards and alerts made for any Prometheus-instrumented process work on creditbot too:
//
//   process_start_time_seconds      gauge    Unix time the process started
//   process_resident_memory_bytes   gauge    resident set size
//   process_virtual_memory_bytes    gauge    virtual memory size
//   process_cpu_seconds_total       counter  user + system CPU time
//   process_open_fds                gauge    open file descriptors
//   process_max_fds                 gauge    the soft limit on open file descriptors (RLIMIT_NOFILE)
//
// GlobalMetrics() (common/metrics.h) defines them and refreshes them at every Render, so serve's /metrics
// and a pass's push show the figures of that moment.
//
// Failure modes: a /proc file that cannot be read or parsed (not Linux, /proc not mounted) leaves the
// metrics it feeds at their previous value (0 at first); nothing fails the caller.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/metrics.h"

namespace creditbot {

struct ProcessStats {
  double start_time_seconds = 0;  // Unix time
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double cpu_seconds = 0;  // user + system
  double open_fds = 0;
  double max_fds = 0;
};

// Reads the stats of the process whose /proc folder is `proc_pid` ("/proc/self"); `proc_root` ("/proc")
// gives the boot time (/proc/stat btime). Errors: kNotFound / kInvalidArgument naming the file that could
// not be read or parsed.
absl::StatusOr<ProcessStats> ReadProcessStats(const std::string& proc_pid = "/proc/self",
                                              const std::string& proc_root = "/proc");

// Defines the process_* families above in `metrics`.
void DefineProcessMetrics(Metrics& metrics);

// Sets the process_* families from ReadProcessStats(); on an error, leaves them as they were.
void UpdateProcessMetrics(Metrics& metrics);

}  // namespace creditbot
