// End-to-end tests of `creditbot ledger list|export` on the embedded default (SQLite state in
// CREDITBOT_HOME): entries are seeded through the state store's API, then the real binary lists them and
// exports the CSV finance reads. Every expected line is written by hand from the seeded entries.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "state/sqlite_state_store.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

absl::Time Utc(int year, int month, int day, int hour, int minute) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0), absl::UTCTimeZone());
}

LedgerEntry Entry(const std::string& id, const std::string& ts, absl::Time created) {
  LedgerEntry entry;
  entry.execution_id = id;
  entry.channel = "C0CREDITREQ";
  entry.ts = ts;
  entry.request_key = "C0CREDITREQ:" + ts;
  entry.product = "verify";
  entry.policy_name = "verify";
  entry.policy_version = "2";
  entry.policy_sha256 = "deadbeef";
  entry.created_at = created;
  return entry;
}

constexpr char kHeader[] =
    "execution_id,request_key,requester,parent_account_sid,product,fraud_start,fraud_end,cells,"
    "recommended_amount,status,final_amount,currency,decided_by,decided_at,reason,policy_name,policy_version,"
    "policy_sha256,superseded_by,dry_run,thread\r\n";
constexpr char kRowE3[] =
    "20260114T080000Z-cccc,C0CREDITREQ:1752588400.000300,U0REQ3,AC2,verify,,,0,75.50,rejected,0.00,USD,"
    "U0BOSS,"
    "2026-01-14T09:00:00Z,not fraud,verify,2,deadbeef,,false,"
    "https://slack.com/archives/C0CREDITREQ/p1752588400000300\r\n";
constexpr char kRowE2[] =
    "20260112T100000Z-bbbb,C0CREDITREQ:1752588300.000200,U0REQ2,AC1,verify,2026-01-06,2026-01-08,2,100.00,"
    "adjusted,50.00,USD,U0BOSS,2026-01-12T11:30:00Z,\"half, \"\"test\"\" traffic\nsecond line\",verify,2,"
    "deadbeef,,false,https://slack.com/archives/C0CREDITREQ/p1752588300000200\r\n";
constexpr char kRowE1[] =
    "20260110T090000Z-aaaa,C0CREDITREQ:1752588191.000100,U0REQ1,AC1,verify,2026-01-01,2026-01-05,1,255.00,"
    "awaiting,,USD,,,,verify,2,deadbeef,,true,https://slack.com/archives/C0CREDITREQ/p1752588191000100\r\n";

class LedgerEndToEnd : public ::testing::Test {
 protected:
  // Three entries: e1 awaiting (a dry run), e2 adjusted with a reason that needs quoting, e3 rejected.
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(home_.File("state.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    LedgerEntry e1 = Entry("20260110T090000Z-aaaa", "1752588191.000100", Utc(2026, 1, 10, 9, 0));
    e1.requester = "U0REQ1";
    e1.parent_account_sid = "AC1";
    e1.fraud_start = absl::CivilDay(2026, 1, 1);
    e1.fraud_end = absl::CivilDay(2026, 1, 5);
    e1.cells.push_back(LedgerCell{absl::CivilDay(2026, 1, 2), "AC1a", "VA1", "310", "260", "255.00"});
    e1.recommended_amount = "255.00";
    e1.dry_run = true;
    LedgerEntry e2 = Entry("20260112T100000Z-bbbb", "1752588300.000200", Utc(2026, 1, 12, 10, 0));
    e2.requester = "U0REQ2";
    e2.parent_account_sid = "AC1";
    e2.fraud_start = absl::CivilDay(2026, 1, 6);
    e2.fraud_end = absl::CivilDay(2026, 1, 8);
    e2.cells.push_back(LedgerCell{absl::CivilDay(2026, 1, 6), "AC1a", "VA1", "310", "260", "60.00"});
    e2.cells.push_back(LedgerCell{absl::CivilDay(2026, 1, 7), "AC1a", "VA1", "310", "260", "40.00"});
    e2.recommended_amount = "100.00";
    LedgerEntry e3 = Entry("20260114T080000Z-cccc", "1752588400.000300", Utc(2026, 1, 14, 8, 0));
    e3.requester = "U0REQ3";
    e3.parent_account_sid = "AC2";
    e3.recommended_amount = "75.50";
    for (const LedgerEntry& entry : {e1, e2, e3}) ASSERT_TRUE(*(*store)->RecordLedgerEntry(entry));
    ASSERT_TRUE((*store)
                    ->Decide(e2.execution_id, {DecisionKind::kAdjust, "U0BOSS", Utc(2026, 1, 12, 11, 30),
                                               "50.00", "half, \"test\" traffic\nsecond line"})
                    ->applied);
    ASSERT_TRUE((*store)
                    ->Decide(e3.execution_id,
                             {DecisionKind::kReject, "U0BOSS", Utc(2026, 1, 14, 9, 0), "", "not fraud"})
                    ->applied);
  }

  RunResult Run(const std::vector<std::string>& args) const {
    return RunCreditbot(args, {{"CREDITBOT_HOME", home_.path()}, {"CREDITBOT_LOG_FORMAT", "json"}},
                        home_.path());
  }

  TempDir home_;
};

TEST_F(LedgerEndToEnd, ExportsEveryEntryAsCsvNewestFirst) {
  RunResult csv = Run({"ledger", "export", "--format", "csv"});
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, std::string(kHeader) + kRowE3 + kRowE2 + kRowE1);
  EXPECT_EQ(csv.err, "");
}

TEST_F(LedgerEndToEnd, ExportTakesTheFiltersAndAnOutputFile) {
  RunResult adjusted = Run({"ledger", "export", "--format", "csv", "--status", "adjusted"});
  EXPECT_EQ(adjusted.exit_code, 0) << adjusted.err;
  EXPECT_EQ(adjusted.out, std::string(kHeader) + kRowE2);
  RunResult parent = Run({"ledger", "export", "--format", "csv", "--parent", "AC1", "--since", "2026-01-11"});
  EXPECT_EQ(parent.out, std::string(kHeader) + kRowE2);
  RunResult to_file = Run(
      {"ledger", "export", "--format", "csv", "--until", "2026-01-12", "--output", home_.File("ledger.csv")});
  EXPECT_EQ(to_file.exit_code, 0) << to_file.err;
  EXPECT_EQ(to_file.out, "exported 2 ledger entries to " + home_.File("ledger.csv") + "\n");
  EXPECT_EQ(ReadFile(home_.File("ledger.csv")), std::string(kHeader) + kRowE2 + kRowE1);
}

TEST_F(LedgerEndToEnd, ListsOneLinePerEntryAndSaysWhenTheLimitCutsIt) {
  RunResult list = Run({"ledger", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out,
            "2026-01-14T08:00:00Z  20260114T080000Z-cccc  rejected  AC2  verify  75.50 → 0.00 USD  U0BOSS  "
            "C0CREDITREQ:1752588400.000300\n"
            "2026-01-12T10:00:00Z  20260112T100000Z-bbbb  adjusted  AC1  verify  100.00 → 50.00 USD  U0BOSS  "
            "C0CREDITREQ:1752588300.000200\n"
            "2026-01-10T09:00:00Z  20260110T090000Z-aaaa  awaiting  AC1  verify  255.00 → - USD  -  "
            "C0CREDITREQ:1752588191.000100  [dry run]\n");
  RunResult two = Run({"ledger", "list", "--limit", "2"});
  EXPECT_EQ(two.exit_code, 0) << two.err;
  EXPECT_EQ(std::count(two.out.begin(), two.out.end(), '\n'), 2);
  EXPECT_EQ(two.err, "creditbot ledger list: the newest 2 of 3 entries (--limit 0 shows all)\n");
  RunResult window = Run({"ledger", "list", "--since", "2026-01-11", "--until", "2026-01-12T10:00:01Z"});
  EXPECT_THAT(window.out, HasSubstr("20260112T100000Z-bbbb"));
  EXPECT_EQ(std::count(window.out.begin(), window.out.end(), '\n'), 1);
}

TEST_F(LedgerEndToEnd, ListsJsonLines) {
  RunResult list = Run({"ledger", "list", "--parent", "AC2", "--json"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  const Json entry = Json::parse(list.out);
  EXPECT_EQ(entry["execution_id"], "20260114T080000Z-cccc");
  EXPECT_EQ(entry["status"], "rejected");
  EXPECT_EQ(entry["recommended_amount"], "75.50");
  EXPECT_EQ(entry["final_amount"], "0.00");
  EXPECT_EQ(entry["decided_by"], "U0BOSS");
  EXPECT_EQ(entry["decided_at"], "2026-01-14T09:00:00Z");
  EXPECT_EQ(entry["reason"], "not fraud");
  EXPECT_EQ(entry["policy"]["sha256"], "deadbeef");
  EXPECT_EQ(entry["thread"], "https://slack.com/archives/C0CREDITREQ/p1752588400000300");
  EXPECT_EQ(entry["created_at"], "2026-01-14T08:00:00Z");
}

TEST_F(LedgerEndToEnd, ABadStatusNamesTheValidOnesAndABadDateTheFormat) {
  RunResult status = Run({"ledger", "list", "--status", "done"});
  EXPECT_EQ(status.exit_code, 2);
  EXPECT_EQ(
      status.err,
      "creditbot ledger list: unknown status 'done'; the statuses are awaiting, auto_approved, approved, "
      "rejected, adjusted, superseded\n");
  RunResult date = Run({"ledger", "export", "--format", "csv", "--since", "01/02/2026"});
  EXPECT_EQ(date.exit_code, 2);
  EXPECT_EQ(
      date.err,
      "creditbot ledger export: --since '01/02/2026' is not a date: expected YYYY-MM-DD (a UTC day) or an "
      "RFC 3339 time such as 2026-01-15T14:02:00Z\n");
  EXPECT_EQ(date.out, "");
  RunResult format = Run({"ledger", "export", "--format", "xlsx"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_EQ(format.err, "creditbot ledger export: unknown --format 'xlsx'; the formats are csv\n");
}

TEST(LedgerEndToEndEmpty, AnEmptyLedgerExportsTheHeaderOnly) {
  TempDir home;
  RunResult csv =
      RunCreditbot({"ledger", "export", "--format", "csv"},
                   {{"CREDITBOT_HOME", home.path()}, {"CREDITBOT_LOG_FORMAT", "json"}}, home.path());
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, kHeader);
}

}  // namespace
}  // namespace creditbot::testing
