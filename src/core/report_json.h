// Renders a CreditReport as the result JSON of ARCHITECTURE.md ("The result of one calculation"): the
// document `creditbot calc` prints and the audit sink keeps for every execution. Written by a streaming
// writer (RapidJSON), never built as a document in memory (issue 20).
//
// Money and rates are decimal strings, exact: headline amounts with exactly two places when they are
// whole cents, otherwise every digit the calculation kept (at least two). Attempt counts are integers;
// expected blocked attempts (possibly fractional) are decimal strings.
#pragma once

#include <cstdio>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/sha256.h"
#include "core/credit_report.h"

namespace creditbot {

struct ExecutionMeta {
  std::string execution_id;  // e.g. "20260115T123456Z-3f9c"
  absl::Time timestamp;
  std::string source_channel, source_ts, looker_url;  // empty for `creditbot calc`
  std::string sql_file;                               // set by `creditbot calc`
  std::string sql_sha256;
  bool dry_run = true;
};

// Pretty-printed JSON (2-space indent), keys in the documented order, ending with a newline, in a string
// allocated once at its size (rendered twice: once to count). Text is
// written as UTF-8; a byte that is not part of valid UTF-8 is written as U+FFFD.
std::string RenderResultJson(const CreditReport& report, const ExecutionMeta& meta);

// The same bytes, written to `out` as they are produced (64 KiB at a time), so the document is never held
// in memory: a report of a million lines costs no more to write than one of five. Flushes `out` at the
// end. Errors: kUnavailable naming the system's error when `out` cannot be written (what was written
// before stays written).
absl::Status WriteResultJson(const CreditReport& report, const ExecutionMeta& meta, std::FILE* out);

// Thread-safe. "YYYYMMDDTHHMMSSZ-xxxx": the time, then 4 random hex digits (mixed with `salt`, e.g. the
// request key), so executions in the same second almost never collide; the audit sink refuses to overwrite,
// and the pipeline then draws another id.
std::string MakeExecutionId(absl::Time now, std::string_view salt);

}  // namespace creditbot
