// SqliteStateStore: the embedded default StateStore, one SQLite file (WAL mode, so `creditbot state`
// can read while a pass writes). Claims, decisions and supersessions run inside BEGIN IMMEDIATE
// transactions, so two processes never both claim one request or both decide one ledger entry.
//
// The ledger is two tables (sql/state/schema.sql): `ledger`, one row per execution id, indexed by each
// ListLedger filter together with the order (created_at, execution_id), and `ledger_cells`. A state file
// of schema version 1 (no ledger) gets the tables on its next open. Beside them, `ledger_breakdown` (each
// entry's credit by country and mode) and the dashboard's chart sums per UTC day and month, keyed by product,
// status and (for a parent with many entries) parent, changed in the same transaction as every ledger write
// and rebuilt on open when they disagree with the ledger (state/sqlite_ledger_charts.h), so SumLedgerCharts
// reads whole months and the days at the range's ends, whatever the ledger's size.
//
// The pause switch is one row of the `pause` table, created IF NOT EXISTS by every open, so a file of version
// 1 or 2 gains it. The schema version says whether the store is paused: 2 while it is not, 3 while it is
// (SetPause writes it in the same transaction as the row). A creditbot older than the pause ignores the
// table but refuses a version above 2, so it can never answer through a pause (it refuses to start on a
// paused store); when not paused the file stays openable by it (a rollback works). Resume before rolling
// back to such a creditbot, or it keeps refusing.
//
// Open fails, without touching the file, when it exists but is not a readable state database: an
// unreadable state file must never be replaced by an empty one (that would answer everything twice).
#pragma once

#include <memory>
#include <string>

#include "common/sqlite_db.h"
#include "state/sqlite_ledger_charts.h"
#include "state/state_store.h"

namespace creditbot {

class SqliteStateStore final : public StateStore {
 public:
  // Opens or creates the store at `path` (parent folders are created), rebuilding the chart sums when they
  // disagree with the ledger (sqlite_ledger_charts.h). kFailedPrecondition naming the file when it is not a
  // SQLite database or has a newer schema; kPermissionDenied when unreadable. A parent account gets its own
  // chart sums from `parent_chart_sums_from` entries on (tests lower it).
  static absl::StatusOr<std::unique_ptr<SqliteStateStore>> Open(
      const std::string& path, int parent_chart_sums_from = SqliteLedgerCharts::kDefaultParentSumsFrom);

  absl::StatusOr<std::optional<RequestRecord>> Get(std::string_view key) override;
  absl::StatusOr<ClaimResult> Claim(std::string_view channel, std::string_view ts, absl::Time now,
                                    const ClaimRule& may_claim, absl::Duration lease,
                                    std::string_view holder) override;
  absl::Status Finish(const RequestRecord& record) override;
  absl::StatusOr<bool> RecordIfAbsent(const RequestRecord& record) override;
  absl::StatusOr<StateStats> Stats() override;
  absl::StatusOr<std::vector<RequestRecord>> List(std::optional<RequestStatus> status, int limit) override;
  absl::StatusOr<int> Cleanup(absl::Time before) override;
  absl::StatusOr<bool> AcquireLease(std::string_view name, std::string_view holder, absl::Time now,
                                    absl::Duration ttl) override;
  absl::Status ReleaseLease(std::string_view name, std::string_view holder) override;
  absl::StatusOr<std::optional<std::string>> GetCursor(std::string_view name) override;
  absl::Status SetCursor(std::string_view name, std::string_view value) override;
  absl::Status Forget(std::string_view key) override;
  absl::StatusOr<StateSnapshot> Export() override;
  absl::StatusOr<ImportCounts> Import(const StateSnapshot& snapshot) override;

  absl::StatusOr<bool> RecordLedgerEntry(const LedgerEntry& entry) override;
  absl::StatusOr<std::optional<LedgerEntry>> GetLedgerEntry(std::string_view execution_id) override;
  absl::StatusOr<DecideResult> Decide(std::string_view execution_id, const Decision& decision) override;
  absl::StatusOr<DecideResult> Supersede(std::string_view execution_id, std::string_view new_execution_id,
                                         absl::Time at) override;
  absl::Status MarkReplyUpdated(std::string_view execution_id) override;
  absl::StatusOr<std::vector<LedgerEntry>> ListLedger(const LedgerFilter& filter) override;
  absl::StatusOr<int> CountLedger(const LedgerFilter& filter) override;
  // From the kept sums when `filter` is at most whole UTC days, status, product and a parent with its own
  // sums; else from the matching entries (SqliteLedgerCharts::Sum).
  absl::StatusOr<LedgerChartSums> SumLedgerCharts(const LedgerFilter& filter) override;
  absl::StatusOr<PauseState> GetPause() override;
  absl::StatusOr<PauseChange> SetPause(const PauseState& next) override;

  // The detail lines of SQLite's EXPLAIN QUERY PLAN for ListLedger(filter) then CountLedger(filter), e.g.
  // "SCAN ledger USING INDEX ledger_by_status (status=?)": tests check that every filter walks an index.
  absl::StatusOr<std::vector<std::string>> LedgerQueryPlan(const LedgerFilter& filter);

 private:
  SqliteStateStore(SqliteDb db, int parent_chart_sums_from)
      : db_(std::move(db)),
        charts_(
            db_,
            [this](const LedgerFilter& filter, const SqliteLedgerCharts::EntryVisitor& visit) {
              return ForEachLedgerEntry(filter, visit);
            },
            parent_chart_sums_from) {}
  absl::Status Upsert(const RequestRecord& record);
  // Inserts `entry` and its cells when its execution id has no row (inside the caller's transaction).
  absl::StatusOr<bool> InsertLedgerEntry(const LedgerEntry& entry);
  // Writes the decision fields of `entry` (status, amounts, who, when, reason, superseded, reply_updated),
  // and moves the chart sums from `before`'s rows to `entry`'s.
  absl::Status UpdateLedgerDecision(const LedgerEntry& before, const LedgerEntry& entry);
  absl::Status ReadLedgerCells(LedgerEntry& entry);
  // The entries of `filter`, newest first, paged by its limit and offset, with their cells.
  absl::StatusOr<std::vector<LedgerEntry>> SelectLedger(const LedgerFilter& filter);
  // Calls `visit` with each entry of `filter` (its limit and offset not applied), with its cells, in no
  // set order, one at a time (the chart sums' reads and rebuild).
  absl::Status ForEachLedgerEntry(const LedgerFilter& filter, const SqliteLedgerCharts::EntryVisitor& visit);
  SqliteDb db_;
  SqliteLedgerCharts charts_;  // uses db_
};

}  // namespace creditbot
