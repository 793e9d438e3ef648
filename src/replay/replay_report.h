// The report of a replay (replayer.h): a summary (requests changed, total delta, the largest changes, how
// many differ by more than 1%), and the per-request rows, written as CSV (RFC 4180, header row, CRLF), as
// JSON, and as one self-contained HTML page (inline CSS and an inline SVG chart of the deltas: no script, no
// download, so it opens anywhere, offline). The page's body (ReplayReportBodyHtml) is what the dashboard's
// Replays page shows in its own layout (web/replay_pages.h), from the replay.json read back (ReadReplayJson).
//
// Money is exact: credits and deltas in cents as the result JSON has them; relative changes as percentages
// with two places ("-50.00%"), empty when the old credit is 0. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/decimal.h"
#include "replay/replayed_request.h"

namespace creditbot {

struct ReplaySummary {
  std::size_t requests = 0;          // records replayed or failed
  std::size_t failed = 0;            // could not be replayed (error)
  std::size_t changed = 0;           // ReplayedRequest::changed()
  std::size_t over_one_percent = 0;  // ReplayedRequest::differs_over_one_percent()
  std::size_t identical = 0;         // byte-identical results
  std::size_t approval_changed = 0;
  std::size_t frozen = 0, requeried = 0, without_evidence = 0;  // by ReplayInputs
  Decimal old_total, new_total, total_delta;
  std::vector<std::size_t> largest;  // indexes of the largest |delta| (non-zero), largest first, at most 10
};

// What the run was, for the report's heading.
struct ReplayRunInfo {
  std::string policy;    // the --policy given ("" = the configured policies)
  std::string executor;  // native, notebook, sagemaker
  bool requery = false;
  std::string audit;         // where the records were read
  std::string generated_at;  // RFC 3339
};

ReplaySummary Summarize(const std::vector<ReplayedRequest>& results);

// "-50.00%" (half away from zero); "" when nullopt.
std::string FormatRelativeChange(const std::optional<Decimal>& relative);

std::string ReplayCsv(const std::vector<ReplayedRequest>& results);
std::string ReplayJson(const std::vector<ReplayedRequest>& results, const ReplaySummary& summary,
                       const ReplayRunInfo& info);
std::string ReplayHtml(const std::vector<ReplayedRequest>& results, const ReplaySummary& summary,
                       const ReplayRunInfo& info);
// ReplayHtml's body without the document around it or its style (no <h1>): the run, the summary table
// (class "replay-summary", the total delta in the cell id "total-delta"), the chart (inline SVG, class
// "chart", bars "up"/"down") and the requests table (class "replay-requests", a row per request with
// data-request-key). Every value is HTML-escaped.
std::string ReplayReportBodyHtml(const std::vector<ReplayedRequest>& results, const ReplaySummary& summary,
                                 const ReplayRunInfo& info);

// A report read back from its replay.json (ReplayJson's document).
struct ReplayReport {
  ReplayRunInfo info;
  ReplaySummary summary;  // as written (its `largest` found again by execution id)
  // Every request row, without new_result_json (the report keeps it under results/); relative changes as
  // written (two places of a percent). Empty when read by ReadReplayJsonHeading.
  std::vector<ReplayedRequest> results;
};
// Errors: kInvalidArgument naming the member that is missing or malformed (a report folder can hold
// anything).
absl::StatusOr<ReplayReport> ReadReplayJson(std::string_view json);
// The run and the summary only (the request rows are skipped while parsing): for a list of reports.
absl::StatusOr<ReplayReport> ReadReplayJsonHeading(std::string_view json);

}  // namespace creditbot
