// End-to-end tests of `creditbot replay` (issue 19) on the embedded default: the sample inbox is answered by
// `run --once` (each calculation keeps its evidence.json.gz beside result.json), then the real binary
// replays those records. Expected values are worked out by hand from docs/CREDIT_POLICY.md's worked example
// (test case 1, the sample's request for look 101: credit 255.00, needs approval above 250.00).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/replay_worked_example.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
constexpr const char* kRequest101 = kWorkedExampleRequest;

class ReplayEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  // Each test has its own copy of the warehouse, so one may change it.
  void SetUp() override { std::filesystem::copy_file(warehouse_.path(), home_.File("warehouse-copy.db")); }

  RunResult Run(const std::vector<std::string>& args) const {
    return RunCreditbot(args,
                        {{"CREDITBOT_HOME", home_.path()},
                         {"CREDITBOT_WAREHOUSE", "sqlite:" + home_.File("warehouse-copy.db")},
                         {"CREDITBOT_INBOX", kSource + "/data/sample/inbox.jsonl"},
                         {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
                         {"CREDITBOT_LOG_FORMAT", "json"}},
                        home_.path());
  }
  void AnswerTheSampleInbox() const {
    RunResult pass = Run({"run", "--once"});
    // The sample holds a request whose look is missing (it fails, and no owner is set): exit 1 is expected.
    ASSERT_THAT(pass.out, HasSubstr("replied=4")) << pass.out << pass.err;
  }
  // The replay's JSON report row of `request_key`.
  static Json RowOf(const Json& report, const std::string& request_key) {
    for (const Json& row : report["requests"]) {
      if (row["request_key"] == request_key) return row;
    }
    ADD_FAILURE() << "no row for " << request_key;
    return Json();
  }
  void Sql(const std::string& statement) const {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(home_.File("warehouse-copy.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error), SQLITE_OK) << error;
    sqlite3_free(error);
    sqlite3_close(db);
  }
  std::string AuditDirOf(const Json& row) const {
    return home_.File("audit/" + row["execution_id"].get<std::string>());
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
};

SuiteWarehouse ReplayEndToEnd::warehouse_;

TEST_F(ReplayEndToEnd, EveryCalculationKeepsItsEvidenceAndItsOwnPolicyChangesNothing) {
  AnswerTheSampleInbox();
  RunResult replay = Run({"replay", "--out", home_.File("out")});
  ASSERT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  EXPECT_THAT(replay.out,
              HasSubstr("replayed 4 requests (4 frozen, 0 queried again, 0 without frozen evidence): 0 "
                        "changed, 0 by more than 1%, 0 approvals changed, 4 byte-identical, 0 failed"));
  const Json report = Json::parse(ReadFile(home_.File("out/replay.json")));
  EXPECT_EQ(report["summary"]["total_delta"], "0.00");
  ASSERT_EQ(report["requests"].size(), 4u);
  for (const Json& row : report["requests"]) {
    const std::string id = row["execution_id"];
    EXPECT_EQ(row["delta"], "0.00") << id;
    EXPECT_EQ(row["inputs"], "frozen") << id;
    EXPECT_TRUE(std::filesystem::exists(AuditDirOf(row) + "/evidence.json.gz")) << id;
    // Byte-identical: the new result is the recorded one.
    EXPECT_EQ(ReadFile(home_.File("out/results/" + id + ".json")), ReadFile(AuditDirOf(row) + "/result.json"))
        << id;
  }
  EXPECT_EQ(RowOf(report, kRequest101)["old_credit"], "255.00");
  EXPECT_THAT(ReadFile(home_.File("out/replay.html")), HasSubstr("No credit changed"));
  EXPECT_THAT(ReadFile(home_.File("out/replay.csv")), HasSubstr("execution_id,request_key,product,inputs,"));
}

TEST_F(ReplayEndToEnd, HalfTheStandardShareHalvesTheWorkedExamplesGoodwill) {
  AnswerTheSampleInbox();
  WriteFile(home_.File("k-standard-half.toml"), HalfStandardPolicy());
  RunResult replay = Run({"replay", "--policy", home_.File("k-standard-half.toml"), "--request", kRequest101,
                          "--out", home_.File("out")});
  ASSERT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  // 255.00 → 142.50, by hand in tests/replay_worked_example.cc.
  const Json report = Json::parse(ReadFile(home_.File("out/replay.json")));
  ASSERT_EQ(report["requests"].size(), 1u);
  ExpectHalfStandardWorkedExample(RowOf(report, kRequest101));
  EXPECT_EQ(report["summary"]["changed"], 1);
  EXPECT_EQ(report["summary"]["differ_over_1_percent"], 1);
  EXPECT_EQ(report["summary"]["total_delta"], "-112.50");
  const std::string html = ReadFile(home_.File("out/replay.html"));
  EXPECT_THAT(html, HasSubstr("<svg class=\"chart\""));
  EXPECT_THAT(html, HasSubstr("-112.50"));
}

TEST_F(ReplayEndToEnd, FrozenInputsGiveTheOldAnswerAfterTheWarehouseChangedAndRequeryTheNewOne) {
  AnswerTheSampleInbox();
  // Standard now blocks only half the pumping on MCC 400 (AZ). By hand: r1 S(standard) = clamp(0.5 × 1500 −
  // 500, 0, 1000) = 250, E = 250 × 0.30 = 75.00; r2 S = clamp(0.5 × 2000 − 1200, 0, 800) = 0; r3 (max,
  // Promise) still 30.00. Credit 75.00 + 30.00 = 105.00, delta −150.00, below the approval threshold.
  Sql("UPDATE block_rates SET block_rate = 0.5 WHERE protection_mode = 'standard' AND mcc = '400'");
  RunResult frozen = Run({"replay", "--request", kRequest101, "--out", home_.File("frozen")});
  ASSERT_EQ(frozen.exit_code, 0) << frozen.out << frozen.err;
  const Json old_row = RowOf(Json::parse(ReadFile(home_.File("frozen/replay.json"))), kRequest101);
  EXPECT_EQ(old_row["inputs"], "frozen");
  EXPECT_EQ(old_row["new_credit"], "255.00");
  EXPECT_EQ(old_row["identical"], true);

  RunResult requery = Run({"replay", "--requery", "--request", kRequest101, "--out", home_.File("requery")});
  ASSERT_EQ(requery.exit_code, 0) << requery.out << requery.err;
  const Json new_row = RowOf(Json::parse(ReadFile(home_.File("requery/replay.json"))), kRequest101);
  EXPECT_EQ(new_row["inputs"], "requery");
  EXPECT_EQ(new_row["new_credit"], "105.00");
  EXPECT_EQ(new_row["delta"], "-150.00");
  EXPECT_EQ(new_row["new_needs_approval"], false);
}

TEST_F(ReplayEndToEnd, ARecordWithoutEvidenceIsQueriedAgainAndSaysSo) {
  AnswerTheSampleInbox();
  RunResult first = Run({"replay", "--request", kRequest101, "--out", home_.File("first")});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const Json row = RowOf(Json::parse(ReadFile(home_.File("first/replay.json"))), kRequest101);
  std::filesystem::remove(AuditDirOf(row) + "/evidence.json.gz");
  RunResult again = Run({"replay", "--request", kRequest101, "--out", home_.File("again")});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const Json replayed = RowOf(Json::parse(ReadFile(home_.File("again/replay.json"))), kRequest101);
  EXPECT_EQ(replayed["inputs"], "requery (no frozen evidence)");
  EXPECT_EQ(replayed["new_credit"], "255.00");
  EXPECT_EQ(replayed["identical"], true);
}

TEST_F(ReplayEndToEnd, AlteredEvidenceIsAnErrorNamingTheFileNeverASilentRequery) {
  AnswerTheSampleInbox();
  RunResult first = Run({"replay", "--request", kRequest101, "--out", home_.File("first")});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const Json row = RowOf(Json::parse(ReadFile(home_.File("first/replay.json"))), kRequest101);
  const std::string evidence = AuditDirOf(row) + "/evidence.json.gz";
  std::string bytes = ReadFile(evidence);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x55);
  std::filesystem::remove(evidence);
  WriteFile(evidence, bytes);
  RunResult again = Run({"replay", "--request", kRequest101, "--out", home_.File("again")});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("evidence.json.gz: evidence"));
}

}  // namespace
}  // namespace creditbot::testing
