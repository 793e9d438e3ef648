// Tests of what only the SQLite state store does (refusing a foreign file, the ledger's migration and
// indexes). The StateStore behaviour both stores share (claims, leases, cursors, cleanup, import/export,
// the ledger's calls) is state_store_contract_test.cc.
#include "state/sqlite_state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
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

// A file whose per-day chart sums are missing or behind the ledger (written before ledger_chart_days existed,
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
    ASSERT_TRUE(db->Exec("DELETE FROM ledger_chart_days WHERE kind IN ('rows', 'approved')").ok());
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

}  // namespace
}  // namespace creditbot
