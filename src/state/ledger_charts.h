// The dashboard's chart sums (issue 18 "Charts", "Fast"): what each ledger entry adds to the charts — credits
// per day recommended and approved, per MCC, per country and per Fraud Guard mode, and the time from request
// to reply and to decision — as plain (day, series, label) → value rows, so a store can keep them summed per
// UTC day as entries are recorded and decided, and a chart over 100,000 entries reads a few thousand sums
// instead of every entry and its audit record.
//
// LedgerChartRowsOf is the one definition of what an entry counts for: the SQLite store adds and subtracts
// its rows in a per-day table inside the transaction that records or decides the entry
// (sqlite_state_store.h); the S3 store sums them over the entries it reads (s3_state_store.h). Pure, no I/O.
//
// Amounts are whole cents (exact integers, summed without rounding); counts are entries. Superseded entries
// count for nothing but kRows; the per-MCC, per-country and per-mode sums count credited entries only
// (approved, auto_approved, adjusted: state/ledger.h IsCredited), their calculated credit (an adjusted
// entry's lines are not rescaled).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/time/civil_time.h"
#include "state/ledger.h"

namespace creditbot {

// The series names, as stored (sql/state/schema.sql ledger_chart_days.kind).
struct LedgerChartKind {
  static constexpr char kRows[] = "rows";        // 1 per entry, superseded included: a consistency check
  static constexpr char kEntries[] = "entries";  // 1 per entry that is not superseded
  static constexpr char kRecommended[] = "recommended";  // cents recommended (not superseded)
  static constexpr char kApproved[] = "approved";        // final cents of credited entries
  static constexpr char kMcc[] = "mcc";          // cents credited per MCC (label "unknown" when empty)
  static constexpr char kCountry[] = "country";  // cents credited per country of the lines
  static constexpr char kMode[] = "mode";        // cents credited per Fraud Guard mode
  static constexpr char kNoBreakdown[] = "no_breakdown";  // 1 per credited entry without country/mode sums
  static constexpr char kReplyHours[] = "reply_hours";    // 1 per entry, label: hours from request to reply
  static constexpr char kDecideHours[] = "decide_hours";  // 1 per decided entry, label: request to decision
};

// The buckets of the two timing series, in order.
const std::vector<std::string>& LedgerChartHourBuckets();

struct LedgerChartRow {
  absl::CivilDay day;  // the UTC day of the entry's created_at
  std::string kind;    // a LedgerChartKind name
  std::string label;   // "" for the series without labels
  int64_t value = 0;

  bool operator==(const LedgerChartRow& other) const = default;
};

// (day, kind, label) → summed value, as the charts read them: per UTC day for kRecommended and kApproved
// (the weekly chart), summed over every day under absl::CivilDay() (1970-01-01) for every other kind.
// Values that summed to 0 may be present.
using LedgerChartSums = std::map<std::tuple<absl::CivilDay, std::string, std::string>, int64_t>;

// What `entry` adds to the charts, as it stands (its status decides most of it).
std::vector<LedgerChartRow> LedgerChartRowsOf(const LedgerEntry& entry);

// Adds `rows` times `sign` (+1 or -1) into `sums`, keyed as LedgerChartSums says.
void AddLedgerChartRows(const std::vector<LedgerChartRow>& rows, int sign, LedgerChartSums& sums);

// "1234.50" → 123450, "-0.5" → -50, "12" → 1200: the cents of a decimal string, half away from zero past two
// places. nullopt when it is not a decimal ("", "abc", "1e5").
std::optional<int64_t> AmountCents(std::string_view text);

// The request's time from the Slack ts of `entry` ("1712345678.000100"); nullopt when it has none.
std::optional<absl::Time> LedgerRequestTime(const LedgerEntry& entry);

}  // namespace creditbot
