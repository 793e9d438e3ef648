// SqliteLedgerCharts: the SQLite state store's kept chart sums (issue 18 "Fast": every /api/charts filter
// the dashboard accepts under 100 ms at 100,000 ledger entries). What an entry counts for is
// LedgerChartRowsOf (state/ledger_charts.h); this class keeps those rows summed in the store's file and reads
// them back for a filter, so a chart reads a few thousand sums instead of the matching entries.
//
// The tables (sql/state/schema.sql): `ledger_chart_day_sums` (per UTC day of created_at) and
// `ledger_chart_month_sums` (per month, every series but the weekly ones), both keyed by scope, series, label
// and the entry's product and status, so a product or status filter, alone or together and with whole days,
// reads sums too. Scope '' holds the whole ledger; a parent account with at least `parent_sums_from` entries
// gets its own scope (its account SID), listed in `ledger_chart_parents` beside every parent's entry count.
// A smaller parent's charts are summed from its entries (at most parent_sums_from of them, so the read stays
// bounded); a parent reaching the threshold gets its sums computed from its entries in the transaction that
// records the entry that reaches it.
//
// Rebuild: the sums are recomputed from the ledger, in one transaction, on open when they disagree with it
// (their 'rows' total or the parents' entry counts differ from the ledger's count: a file from before the
// sums or before this keying, or entries recorded by an older creditbot) or when the unkeyed tables of the
// previous layout (ledger_chart_days, ledger_chart_months) are still there; those are dropped. A decision
// taken by an older creditbot is not noticed (rows counts agree): after rolling back and forward again,
// `DELETE FROM ledger_chart_day_sums` has them rebuilt.
//
// Not thread-safe: used by one SqliteStateStore on its own connection, inside the store's transactions
// (every call but Sum and RebuildIfStale expects the caller's write transaction).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/sqlite_db.h"
#include "state/ledger.h"
#include "state/ledger_charts.h"

namespace creditbot {

class SqliteLedgerCharts {
 public:
  // Calls the visitor with each entry matching the filter (with its cells and breakdown), in no set order;
  // stops at the first error of the visitor or the read. The store provides it (it owns the ledger's rows).
  using EntryVisitor = std::function<absl::Status(const LedgerEntry&)>;
  using ForEachEntry = std::function<absl::Status(const LedgerFilter&, const EntryVisitor&)>;

  // Default: 1,000: a parent with fewer entries is summed from them (about 10 µs an entry).
  static constexpr int kDefaultParentSumsFrom = 1000;

  SqliteLedgerCharts(SqliteDb& db, ForEachEntry for_each_entry, int parent_sums_from)
      : db_(db), for_each_entry_(std::move(for_each_entry)), parent_sums_from_(parent_sums_from) {}

  // Adds what the newly recorded `entry` counts for (inside the caller's transaction, after its ledger row,
  // cells and breakdown are written): to the whole ledger's sums, and to its parent's, whose entry count
  // goes up by one (the parent's sums are computed from its entries when the count reaches the threshold).
  absl::Status AddRecorded(const LedgerEntry& entry);
  // Moves the sums from what `before` counted for to what `after` counts for (a decision or supersession;
  // inside the caller's transaction).
  absl::Status Move(const LedgerEntry& before, const LedgerEntry& after);
  // Recomputes every sum from the ledger when they disagree with it (see above); a no-op otherwise. Takes
  // its own write transaction. Errors are SQLite's.
  absl::Status RebuildIfStale();
  // The chart sums of the entries matching `filter` (limit and offset ignored), as
  // StateStore::SumLedgerCharts documents them. From the kept sums when the filter is at most whole UTC days,
  // status, product and a parent with its own sums; from the matching entries otherwise.
  absl::StatusOr<LedgerChartSums> Sum(const LedgerFilter& filter);

 private:
  // (scope, kind, day, product, status, label) → value: the day table's key; months are derived from it.
  using Key = std::tuple<std::string, std::string, absl::CivilDay, std::string, std::string, std::string>;
  using Sums = std::map<Key, int64_t>;

  // Adds `entry`'s rows times `sign` under `scope` ("" for the whole ledger, or its parent's SID).
  static void AddEntry(const LedgerEntry& entry, int sign, const std::string& scope, Sums& sums);
  // Adds `sums` into both tables (the month table for every series but the weekly ones).
  absl::Status Write(const Sums& sums);
  // Whether `parent` has its own sums.
  absl::StatusOr<bool> ParentKept(const std::string& parent);
  // Sums LedgerChartRowsOf over the matching entries, read one by one.
  absl::StatusOr<LedgerChartSums> SumEntries(const LedgerFilter& filter);
  // Reads the kept sums of `scope` for whole days [since, until) (either open), product and status ("": all).
  absl::StatusOr<LedgerChartSums> SumKept(const std::string& scope, std::optional<absl::CivilDay> since,
                                          std::optional<absl::CivilDay> until, const LedgerFilter& filter);

  SqliteDb& db_;
  ForEachEntry for_each_entry_;
  int parent_sums_from_;
};

}  // namespace creditbot
