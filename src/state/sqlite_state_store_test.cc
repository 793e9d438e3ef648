// Tests of what only the SQLite state store does (refusing a foreign file, the ledger's migration and
// indexes). The StateStore behaviour both stores share (claims, leases, cursors, cleanup, import/export,
// the ledger's calls) is state_store_contract_test.cc.
#include "state/sqlite_state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/sqlite_db.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

TEST(SqliteStateStoreOpen, RefusesAFileThatIsNotAStateDatabaseAndLeavesIt) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("state.db"), std::string(2048, 'z'));
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir.File("state.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(store.status().message()).find(dir.File("state.db")), std::string::npos);
  EXPECT_EQ(testing::ReadFile(dir.File("state.db")), std::string(2048, 'z'));
}

TEST(SqliteStateStoreOpen, AVersion1StateFileGainsTheLedgerAndKeepsItsRecords) {
  testing::TempDir dir;
  {
    // What creditbot before the ledger wrote (schema version 1: requests, leases, cursors).
    absl::StatusOr<SqliteDb> old = SqliteDb::Open(dir.File("state.db"), SqliteDb::OpenMode::kReadWriteCreate);
    ASSERT_TRUE(old.ok()) << old.status();
    ASSERT_TRUE(
        old->Exec("CREATE TABLE requests (request_key TEXT PRIMARY KEY, channel TEXT NOT NULL, ts TEXT "
                  "NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, first_seen_at "
                  "INTEGER NOT NULL, updated_at INTEGER NOT NULL, next_retry_at INTEGER, lease_until "
                  "INTEGER, lease_holder TEXT, dry_run INTEGER NOT NULL DEFAULT 0, outcome TEXT NOT "
                  "NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '', reply_ts TEXT NOT NULL DEFAULT '', "
                  "execution_id TEXT NOT NULL DEFAULT '', product TEXT NOT NULL DEFAULT '', "
                  "credit_amount TEXT NOT NULL DEFAULT '');"
                  "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER "
                  "NOT NULL);"
                  "CREATE TABLE cursors (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
                  "INSERT INTO requests (request_key, channel, ts, status, first_seen_at, updated_at) "
                  "VALUES ('C1:1.1', 'C1', '1.1', 'replied', 1752588191, 1752588191);"
                  "PRAGMA user_version = 1;")
            .ok());
  }
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<std::optional<RequestRecord>> record = (*store)->Get("C1:1.1");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->status, RequestStatus::kReplied);
  LedgerEntry entry;
  entry.execution_id = "e1";
  entry.request_key = "C1:1.1";
  entry.created_at = absl::FromUnixSeconds(1752588191);
  EXPECT_TRUE(*(*store)->RecordLedgerEntry(entry));
  EXPECT_EQ(*(*store)->CountLedger({}), 1);
  store->reset();
  absl::StatusOr<SqliteDb> check = SqliteDb::Open(dir.File("state.db"), SqliteDb::OpenMode::kReadOnly);
  ASSERT_TRUE(check.ok());
  absl::StatusOr<Statement> version = check->Prepare("PRAGMA user_version");
  ASSERT_TRUE(version.ok() && *version->Step());
  EXPECT_EQ(version->ColumnInt(0), 2);
}

int64_t UserVersion(const std::string& path) {
  absl::StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::OpenMode::kReadOnly);
  if (!db.ok()) return -1;
  absl::StatusOr<Statement> version = db->Prepare("PRAGMA user_version");
  if (!version.ok() || !*version->Step()) return -1;
  return version->ColumnInt(0);
}

// A paused file carries version 3, which a creditbot older than the pause (it knows 2) refuses to open, so it
// can never answer through the pause; unpaused, the file is version 2 again, openable by that creditbot.
TEST(SqliteStateStorePause, APausedFileIsVersion3UntilResumedAndStaysPausedAcrossOpens) {
  testing::TempDir dir;
  const std::string path = dir.File("state.db");
  {
    absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(UserVersion(path), 2);
    ASSERT_TRUE(
        (*store)->SetPause(PauseState{true, "U1", absl::FromUnixSeconds(1752588191), "why"})->applied);
    EXPECT_EQ(UserVersion(path), 3);
  }
  {
    // Opening runs the schema script (which says 2) again: the version stays 3 while paused.
    absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(UserVersion(path), 3);
    EXPECT_TRUE((*store)->GetPause()->paused);
    ASSERT_TRUE((*store)->SetPause(PauseState{false, "U1", absl::FromUnixSeconds(1752588251), ""})->applied);
    EXPECT_EQ(UserVersion(path), 2);
  }
  {
    absl::StatusOr<SqliteDb> newer = SqliteDb::Open(path, SqliteDb::OpenMode::kReadWriteCreate);
    ASSERT_TRUE(newer.ok());
    ASSERT_TRUE(newer->Exec("PRAGMA user_version = 4").ok());
  }
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> refused = SqliteStateStore::Open(path);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "state store " + path + " has schema version 4, newer than this creditbot understands (3)");
}

// The dashboard pages a large ledger with these filters: each list and count must walk an index (SQLite's
// "SEARCH/SCAN ledger USING … INDEX"), never the whole table, and never sort in a temporary b-tree.
TEST(SqliteStateStoreLedger, EveryFilterIsServedByAnIndexInTheListOrder) {
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  std::vector<LedgerFilter> filters(7);
  filters[1].since = absl::FromUnixSeconds(1752588191);
  filters[1].until = absl::FromUnixSeconds(1752598191);
  filters[2].status = LedgerStatus::kAwaiting;
  filters[3].parent_account_sid = "AC1";
  filters[4].product = "verify";
  filters[5].request_key = "C1:1.1";
  filters[6].status = LedgerStatus::kApproved;
  filters[6].parent_account_sid = "AC1";
  filters[6].since = absl::FromUnixSeconds(1752588191);
  filters.emplace_back().reply_pending = true;
  for (std::size_t i = 0; i < filters.size(); ++i) {
    filters[i].limit = 100;
    filters[i].offset = 200;
    absl::StatusOr<std::vector<std::string>> plan = (*store)->LedgerQueryPlan(filters[i]);
    ASSERT_TRUE(plan.ok()) << plan.status();
    ASSERT_FALSE(plan->empty());
    for (const std::string& line : *plan) {
      EXPECT_NE(line.find("INDEX"), std::string::npos) << "filter " << i << ": " << line;
      EXPECT_EQ(line.find("TEMP B-TREE"), std::string::npos) << "filter " << i << ": " << line;
    }
  }
}

// A file whose per-day chart sums are missing or behind the ledger (written before the chart sums existed,
// or by an older creditbot, which writes no sums) gets them recomputed from the ledger on its next open.
TEST(SqliteStateStoreLedger, ChartSumsBehindTheLedgerAreRebuiltOnOpen) {
  testing::TempDir dir;
  const absl::Time created = absl::FromUnixSeconds(1752588191);  // 2025-07-15T14:03:11Z
  const absl::CivilDay day(2025, 7, 15);
  {
    absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir.File("state.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    for (const char* id : {"e1", "e2"}) {
      LedgerEntry entry;
      entry.execution_id = id;
      entry.request_key = absl::StrCat("C1:", id);
      entry.created_at = created;
      entry.recommended_amount = "10.50";
      entry.status = LedgerStatus::kAutoApproved;
      entry.final_amount = "10.50";
      entry.cells.push_back(LedgerCell{day, "AC1", "", "410", "", "10.50"});
      ASSERT_TRUE(*(*store)->RecordLedgerEntry(entry));
    }
  }
  {
    absl::StatusOr<SqliteDb> db = SqliteDb::Open(dir.File("state.db"), SqliteDb::OpenMode::kReadWriteCreate);
    ASSERT_TRUE(db.ok()) << db.status();
    // As an older creditbot leaves it: one entry's sums never written.
    ASSERT_TRUE(db->Exec("DELETE FROM ledger_chart_day_sums WHERE kind IN ('rows', 'approved')").ok());
  }
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<LedgerChartSums> sums = (*store)->SumLedgerCharts(LedgerFilter{});
  ASSERT_TRUE(sums.ok()) << sums.status();
  const absl::CivilDay all;  // the series other than the weekly ones are summed over every day
  EXPECT_EQ((*sums), (LedgerChartSums{{{all, "rows", ""}, 2},
                                      {{all, "entries", ""}, 2},
                                      {{day, "recommended", ""}, 2100},
                                      {{day, "approved", ""}, 2100},
                                      {{all, "mcc", "410"}, 2100},
                                      {{all, "no_breakdown", ""}, 2}}));
}

// The chart sums as a fresh computation makes them: LedgerChartRowsOf summed over the entries ListLedger
// returns for `filter` (what the S3 store does), without the sums that came to 0.
std::map<std::tuple<absl::CivilDay, std::string, std::string>, int64_t> FreshChartSums(
    SqliteStateStore& store, const LedgerFilter& filter) {
  std::map<std::tuple<absl::CivilDay, std::string, std::string>, int64_t> kept;
  absl::StatusOr<std::vector<LedgerEntry>> entries = store.ListLedger(filter);
  if (!entries.ok()) {
    ADD_FAILURE() << entries.status();
    return kept;
  }
  LedgerChartSums sums;
  for (const LedgerEntry& entry : *entries) AddLedgerChartRows(LedgerChartRowsOf(entry), +1, sums);
  for (const auto& [key, value] : sums) {
    if (value != 0) kept[key] = value;
  }
  return kept;
}

std::map<std::tuple<absl::CivilDay, std::string, std::string>, int64_t> KeptChartSums(
    SqliteStateStore& store, const LedgerFilter& filter) {
  std::map<std::tuple<absl::CivilDay, std::string, std::string>, int64_t> kept;
  absl::StatusOr<LedgerChartSums> sums = store.SumLedgerCharts(filter);
  if (!sums.ok()) {
    ADD_FAILURE() << sums.status();
    return kept;
  }
  for (const auto& [key, value] : *sums) {
    if (value != 0) kept[key] = value;
  }
  return kept;
}

// Filters of every shape the dashboard sends: nothing, product, status, a parent with its own sums (AC0-AC2
// at a threshold of 3), one without (AC9), combined, each over no dates, whole months with ends, one day.
std::vector<LedgerFilter> DashboardChartFilters() {
  std::vector<LedgerFilter> bases(8);
  bases[1].product = "messaging";
  bases[2].status = LedgerStatus::kApproved;
  bases[3].status = LedgerStatus::kAwaiting;
  bases[4].parent_account_sid = "AC1";
  bases[5].parent_account_sid = "AC9";
  bases[6].parent_account_sid = "AC2";
  bases[6].product = "verify";
  bases[7].parent_account_sid = "AC0";
  bases[7].status = LedgerStatus::kAdjusted;
  std::vector<LedgerFilter> filters;
  for (const LedgerFilter& base : bases) {
    for (const auto& [since, until] : std::vector<std::pair<absl::CivilDay, absl::CivilDay>>{
             {absl::CivilDay(), absl::CivilDay()},
             {absl::CivilDay(2025, 7, 20), absl::CivilDay(2025, 8, 17)},
             {absl::CivilDay(2025, 8, 1), absl::CivilDay(2025, 9, 1)},
             {absl::CivilDay(2025, 7, 15), absl::CivilDay(2025, 7, 16)}}) {
      LedgerFilter filter = base;
      if (since != absl::CivilDay()) {
        filter.since = absl::FromCivil(since, absl::UTCTimeZone());
        filter.until = absl::FromCivil(until, absl::UTCTimeZone());
      }
      filters.push_back(filter);
    }
  }
  return filters;
}

// A file whose sums are in the unkeyed tables of the previous layout (ledger_chart_days, _months: before the
// sums were keyed by product, status and parent) opens with the keyed sums rebuilt from the ledger and the
// old tables dropped: every dashboard filter's charts then equal a fresh computation from the entries (as
// they did before, kept as entries were recorded and decided).
TEST(SqliteStateStoreLedger, ChartSumsOfAnOlderLayoutAreRebuiltIntoTheKeyedTables) {
  testing::TempDir dir;
  const std::string path = dir.File("state.db");
  const absl::Time start = absl::FromUnixSeconds(1752588191);  // 2025-07-15T14:03:11Z
  {
    absl::StatusOr<std::unique_ptr<SqliteStateStore>> store =
        SqliteStateStore::Open(path, /*parent_chart_sums_from=*/3);
    ASSERT_TRUE(store.ok()) << store.status();
    for (int i = 0; i < 40; ++i) {  // every 37 hours from July 15: to September 14
      LedgerEntry entry;
      entry.execution_id = absl::StrCat("e", i);
      entry.request_key = absl::StrCat("C1:", i);
      entry.created_at = start + absl::Hours(37 * i);
      entry.ts = absl::StrCat(absl::ToUnixSeconds(entry.created_at - absl::Minutes(50 * i)), ".000100");
      entry.parent_account_sid = i == 39 ? "AC9" : absl::StrCat("AC", i % 3);
      entry.product = i % 3 == 1 ? "messaging" : "verify";
      entry.recommended_amount = absl::StrCat(i, ".", i % 10, "5");
      entry.cells.push_back(LedgerCell{absl::CivilDay(2025, 7, 1), "AC", "", i % 2 ? "410" : "", "", "1.05"});
      entry.cells.push_back(LedgerCell{absl::CivilDay(2025, 7, 2), "AC", "", "434", "", "0.10"});
      if (i % 4 != 0) {
        entry.credited_by_country = {{"PK", "1.05"}, {"UZ", "0.10"}};
        entry.credited_by_mode = {{"basic", "1.15"}, {"max", "0.00"}};
      }
      ASSERT_TRUE(*(*store)->RecordLedgerEntry(entry));
      const absl::Time at = entry.created_at + absl::Hours(i % 7 * 11);
      absl::StatusOr<DecideResult> decided;
      switch (i % 6) {
        case 1:
          decided = (*store)->Decide(entry.execution_id, Decision{DecisionKind::kApprove, "U1", at, "", ""});
          break;
        case 2:
          decided = (*store)->Decide(entry.execution_id, Decision{DecisionKind::kReject, "U1", at, "", "no"});
          break;
        case 3:
          decided =
              (*store)->Decide(entry.execution_id, Decision{DecisionKind::kAdjust, "U1", at, "1.00", "less"});
          break;
        case 4:
          decided = (*store)->Supersede(entry.execution_id, "later", at);
          break;
        default:
          continue;  // awaiting
      }
      ASSERT_TRUE(decided.ok()) << decided.status();
    }
    for (const LedgerFilter& filter : DashboardChartFilters()) {
      EXPECT_EQ(KeptChartSums(**store, filter), FreshChartSums(**store, filter));
    }
  }
  {
    // As the previous layout left the file: its sums in the unkeyed tables, none in the keyed ones.
    absl::StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::OpenMode::kReadWriteCreate);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(db->Exec("DELETE FROM ledger_chart_day_sums; DELETE FROM ledger_chart_month_sums; "
                         "DELETE FROM ledger_chart_parents; "
                         "CREATE TABLE ledger_chart_days (kind TEXT NOT NULL, day TEXT NOT NULL, label TEXT "
                         "NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (kind, day, label)) WITHOUT ROWID; "
                         "INSERT INTO ledger_chart_days VALUES ('rows', '2025-07-15', '', 40); "
                         "CREATE TABLE ledger_chart_months (month TEXT NOT NULL, kind TEXT NOT NULL, label "
                         "TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (month, kind, label)) "
                         "WITHOUT ROWID")
                    .ok());
  }
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store =
      SqliteStateStore::Open(path, /*parent_chart_sums_from=*/3);
  ASSERT_TRUE(store.ok()) << store.status();
  for (const LedgerFilter& filter : DashboardChartFilters()) {
    EXPECT_EQ(KeptChartSums(**store, filter), FreshChartSums(**store, filter));
  }
  // Spot checks by hand: 40 entries; messaging is i = 1, 4, 7, …, 37 (13 entries), of which i % 6 == 4
  // (4, 10, 16, 22, 28, 34) superseded: 7 counted.
  EXPECT_EQ((KeptChartSums(**store, LedgerFilter{})[{absl::CivilDay(), "rows", ""}]), 40);
  LedgerFilter messaging;
  messaging.product = "messaging";
  EXPECT_EQ((KeptChartSums(**store, messaging)[{absl::CivilDay(), "entries", ""}]), 7);
  absl::StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::OpenMode::kReadWriteCreate);
  ASSERT_TRUE(db.ok()) << db.status();
  absl::StatusOr<Statement> old = db->Prepare(
      "SELECT count(*) FROM sqlite_master WHERE name IN ('ledger_chart_days', 'ledger_chart_months')");
  ASSERT_TRUE(old.ok()) << old.status();
  ASSERT_TRUE(*old->Step());
  EXPECT_EQ(old->ColumnInt(0), 0);
}

}  // namespace
}  // namespace creditbot
