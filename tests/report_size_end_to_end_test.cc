// End-to-end tests of a report's size (issue 20): CREDITBOT_MAX_REPORT_ROWS refuses a larger report, in
// `calc` and in a pass, as a final failure the owner is told about; the streamed result is the same on
// stdout and in --output.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
const std::string kLook101 = kSource + "/data/sample/looks/101.sql";  // 5 report rows
const std::string kRequest101 = "C0CREDITREQ:1752588191.000100";
const std::string kTooLarge =
    "the fraud report has more than 4 rows, the most one calculation takes (CREDITBOT_MAX_REPORT_ROWS";

class ReportSize : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  RunResult Run(const std::vector<std::string>& args, const std::string& max_rows) const {
    const std::map<std::string, std::string> env = {
        {"CREDITBOT_HOME", home_.path()},
        {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
        {"CREDITBOT_INBOX", inbox_},
        {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
        {"SLACK_USER_ID", "U0OWNER01"},
        {"CREDITBOT_LOG_FORMAT", "json"},
        {"CREDITBOT_MAX_REPORT_ROWS", max_rows}};
    return RunCreditbot(args, env, home_.path());
  }

  void SetUp() override {
    // The sample inbox's first request: look 101, CREDIT_POLICY.md's worked example.
    inbox_ = inputs_.File("inbox.jsonl");
    WriteFile(inbox_, ReadLines(kSource + "/data/sample/inbox.jsonl").front() + "\n");
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
  TempDir inputs_;
  std::string inbox_;
};

SuiteWarehouse ReportSize::warehouse_;

TEST_F(ReportSize, CalcReadsAReportOfAtMostTheLimit) {
  RunResult calc = Run({"calc", "--sql-file", kLook101, "--claim-date", "2025-07-15"}, "5");
  ASSERT_EQ(calc.exit_code, 0) << calc.err;
  const Json result = Json::parse(calc.out);
  EXPECT_EQ(result["lines"].size(), 5u);
  EXPECT_EQ(result["credit_amount"], "255.00");
}

TEST_F(ReportSize, CalcRefusesALargerReportInOneLine) {
  RunResult calc = Run({"calc", "--sql-file", kLook101, "--claim-date", "2025-07-15"}, "4");
  EXPECT_EQ(calc.exit_code, 1);
  EXPECT_EQ(calc.out, "");
  EXPECT_THAT(calc.err, HasSubstr("creditbot calc: calculation: " + kTooLarge));
  EXPECT_EQ(std::count(calc.err.begin(), calc.err.end(), '\n'), 1) << calc.err;
}

TEST_F(ReportSize, ALimitThatIsNoPositiveNumberIsRefusedAtStart) {
  RunResult calc = Run({"calc", "--sql-file", kLook101, "--claim-date", "2025-07-15"}, "0");
  EXPECT_EQ(calc.exit_code, 2);
  EXPECT_THAT(calc.err, HasSubstr("CREDITBOT_MAX_REPORT_ROWS"));
  EXPECT_THAT(calc.err, HasSubstr("a positive whole number"));
}

TEST_F(ReportSize, TheStreamedResultIsTheSameInOutputAndOnStdout) {
  const std::string output = inputs_.File("out/result.json");
  RunResult calc =
      Run({"calc", "--sql-file", kLook101, "--claim-date", "2025-07-15", "--output", output}, "5");
  ASSERT_EQ(calc.exit_code, 0) << calc.err;
  EXPECT_EQ(ReadFile(output), calc.out);
  EXPECT_EQ(calc.out.back(), '\n');
  EXPECT_FALSE(std::filesystem::exists(output + ".tmp"));
}

TEST_F(ReportSize, APassFailsALargerReportForGoodAndTellsTheOwner) {
  RunResult pass = Run({"run", "--once"}, "4");
  ASSERT_EQ(pass.exit_code, 0) << pass.err;
  bool told = false;
  for (const std::string& line : ReadLines(home_.File("outbox.jsonl"))) {
    const Json payload = Json::parse(line);
    if (payload.contains("method")) continue;
    const Json& event = payload["metadata"]["event_payload"];
    if (event["request_key"] != kRequest101 || event["kind"] != "owner_alert") continue;
    EXPECT_EQ(payload["channel"], "U0OWNER01");
    EXPECT_THAT(payload["text"].get<std::string>(), HasSubstr(kTooLarge));
    told = true;
  }
  EXPECT_TRUE(told);
  // Final at once: failed, not waiting for a retry that could not shrink the report.
  RunResult stats = Run({"state", "stats", "--json"}, "4");
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(Json::parse(stats.out)["by_status"]["failed"], 1) << stats.out;
}

}  // namespace
}  // namespace creditbot::testing
