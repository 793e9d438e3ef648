// End-to-end tests of the errors a user meets at the command line (issue 15, point 9): each is one line
// that names what is wrong and how to fix it, and refuses instead of guessing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "absl/strings/str_split.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
const std::string kLook101 = kSource + "/data/sample/looks/101.sql";

// The lines of `text` (the last newline ends a line; it does not start another).
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

class CliErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  RunResult Run(const std::vector<std::string>& args, std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> env = {{"CREDITBOT_HOME", home_.path()},
                                              {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
                                              {"CREDITBOT_INBOX", kSource + "/data/sample/inbox.jsonl"},
                                              {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
                                              {"SLACK_USER_ID", "U0OWNER01"},
                                              {"CREDITBOT_LOG_FORMAT", "json"}};
    for (auto& [name, value] : extra) env[name] = value;
    return RunCreditbot(args, env, home_.path());
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
};

SuiteWarehouse CliErrors::warehouse_;

TEST_F(CliErrors, AMistypedCommandSuggestsTheClosestOne) {
  RunResult run = Run({"runn", "--once"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err,
            "creditbot: unknown command 'runn'; did you mean 'run'? (creditbot --help lists the commands)\n");
  RunResult list = Run({"state", "lsit"});
  EXPECT_EQ(list.exit_code, 2);
  EXPECT_THAT(list.err, HasSubstr("creditbot state: unknown command 'lsit'; did you mean 'list'?"));
  RunResult unrelated = Run({"frobnicate"});
  EXPECT_EQ(unrelated.exit_code, 2);
  EXPECT_EQ(unrelated.err, "creditbot: unknown command 'frobnicate' (creditbot --help lists the commands)\n");
}

TEST_F(CliErrors, AnUnknownStatusListsTheValidOnes) {
  RunResult list = Run({"state", "list", "--status", "bogus"});
  EXPECT_EQ(list.exit_code, 2);
  EXPECT_EQ(Lines(list.err).size(), 1u) << list.err;
  EXPECT_THAT(list.err,
              HasSubstr("unknown status 'bogus'; the statuses are claimed, replied, asked, ignored, "
                        "skipped, refused, failed, rejected, deleted"));
}

TEST_F(CliErrors, AClaimDateThatIsNoDateIsRefused) {
  for (const char* bad : {"2025-13-01", "2025-02-30", "15/07/2025", "2025-7-15"}) {
    RunResult calc = Run({"calc", "--sql-file", kLook101, "--claim-date", bad});
    EXPECT_EQ(calc.exit_code, 2) << bad;
    EXPECT_THAT(calc.err, HasSubstr(absl::StrCat("'", bad, "' is not a valid date; expected YYYY-MM-DD")));
    EXPECT_EQ(calc.out, "") << bad;
  }
}

TEST_F(CliErrors, AClaimDateBeforeTheFraudIsRefused) {
  // Look 101 is CREDIT_POLICY.md's worked example: fraud in July 2025, claimed on 2025-07-15.
  RunResult on_time = Run({"calc", "--sql-file", kLook101, "--claim-date", "2025-07-15"});
  ASSERT_EQ(on_time.exit_code, 0) << on_time.err;
  const Json result = Json::parse(on_time.out);
  const std::string first_day = result.value("fraud_start", "");
  ASSERT_FALSE(first_day.empty()) << on_time.out;

  RunResult early = Run({"calc", "--sql-file", kLook101, "--claim-date", "2025-01-01"});
  EXPECT_EQ(early.exit_code, 2);
  EXPECT_EQ(early.out, "");
  EXPECT_THAT(
      early.err,
      HasSubstr("2025-01-01 is before the fraud: the report's first day with attempts is " + first_day));
}

TEST_F(CliErrors, AnEmptyOrMissingPolicyFolderIsNamedAsRead) {
  TempDir empty;
  const std::string absolute = std::filesystem::canonical(empty.path()).string();
  RunResult calc = Run({"calc", "--sql-file", kLook101}, {{"CREDITBOT_POLICY_DIR", empty.path()}});
  EXPECT_EQ(calc.exit_code, 2);
  EXPECT_EQ(Lines(calc.err).size(), 1u) << calc.err;
  EXPECT_THAT(calc.err, HasSubstr("(" + absolute + ") holds no *.toml credit policy"));
  EXPECT_THAT(calc.err, HasSubstr("unset CREDITBOT_POLICY_DIR to use the built-in ones"));
  EXPECT_THAT(calc.err, Not(HasSubstr("policy/*.toml")));  // not the built-in folder it did not read

  // A relative setting is resolved against the working folder, and that is the folder named.
  RunResult missing = Run({"calc", "--sql-file", kLook101}, {{"CREDITBOT_POLICY_DIR", "policies"}});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err,
              HasSubstr("CREDITBOT_POLICY_DIR='policies' (" +
                        std::filesystem::canonical(home_.path()).string() + "/policies) is not a folder"));

  RunResult doctor = Run({"doctor"}, {{"CREDITBOT_POLICY_DIR", empty.path()}});
  EXPECT_EQ(doctor.exit_code, 1);
  EXPECT_THAT(doctor.out, HasSubstr("holds no *.toml credit policy"));
  EXPECT_THAT(doctor.out, HasSubstr("point CREDITBOT_POLICY_DIR at a folder of policy *.toml files"));
  EXPECT_THAT(doctor.out, Not(HasSubstr("correct the policy file named above")));
}

TEST_F(CliErrors, ATomlSyntaxErrorFitsOneLine) {
  TempDir policies;
  // Broken in the ways a hand edit breaks a file: an unclosed array, an unclosed string, a missing value.
  for (const char* broken :
       {"name = \"verify\"\nk = [1, 2\n", "name = \"verify\nversion = 1\n", "name =\n"}) {
    WriteFile(policies.File("verify.toml"), broken);
    RunResult calc = Run({"calc", "--sql-file", kLook101}, {{"CREDITBOT_POLICY_DIR", policies.path()}});
    EXPECT_EQ(calc.exit_code, 2) << broken;
    EXPECT_EQ(Lines(calc.err).size(), 1u) << calc.err;
    EXPECT_THAT(calc.err, HasSubstr(policies.File("verify.toml") + ":")) << calc.err;
  }
}

TEST_F(CliErrors, APrototypeImportWithBareTimestampsNeedsItsChannel) {
  const std::string prototype = home_.File("processed_messages.json");
  WriteFile(prototype, R"({"processed": ["1752588191.000100", "C0CREDITREQ:1752588200.000200"]})");
  RunResult import = Run({"state", "import", prototype, "--format", "prototype"});
  EXPECT_EQ(import.exit_code, 2);
  EXPECT_THAT(import.err, HasSubstr("1 entries are a bare ts without their channel"));
  EXPECT_THAT(import.err, HasSubstr("--channel C0123ABCD"));
  EXPECT_THAT(import.err, HasSubstr("Nothing was imported"));
  RunResult stats = Run({"state", "stats", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(Json::parse(stats.out).value("total", -1), 0);

  RunResult with_channel =
      Run({"state", "import", prototype, "--format", "prototype", "--channel", "C0CREDITREQ"});
  EXPECT_EQ(with_channel.exit_code, 0) << with_channel.err;
  EXPECT_THAT(with_channel.out, HasSubstr("imported 2 records"));
}

TEST_F(CliErrors, CalcWithSlackConfiguredNeedsAnExplicitWarehouse) {
  // The typo of issue 15: CREDITBOT_WAREHOUS is not CREDITBOT_WAREHOUSE, so no warehouse is set.
  std::map<std::string, std::string> env = {{"CREDITBOT_HOME", home_.path()},
                                            {"SLACK_BOT_TOKEN", "xoxb-test-token"},
                                            {"CREDITBOT_SLACK_CHANNELS", "C0CREDITREQ"},
                                            {"CREDITBOT_WAREHOUS", "sqlite:" + warehouse_.path()}};
  RunResult calc = RunCreditbot({"calc", "--sql-file", kLook101}, env, home_.path());
  EXPECT_EQ(calc.exit_code, 2);
  EXPECT_EQ(calc.out, "");
  EXPECT_THAT(calc.err, HasSubstr("CREDITBOT_WAREHOUSE"));
  // Named on the command line, the warehouse is explicit.
  RunResult named = RunCreditbot(
      {"calc", "--sql-file", kLook101, "--warehouse", "sqlite:" + warehouse_.path()}, env, home_.path());
  EXPECT_EQ(named.exit_code, 0) << named.err;
}

TEST_F(CliErrors, CalcInAFreshFolderGeneratesTheEmbeddedWarehouseAsRunDoes) {
  TempDir fresh;
  const std::map<std::string, std::string> env = {{"CREDITBOT_LOG_FORMAT", "json"}};
  RunResult calc =
      RunCreditbot({"calc", "--sql-file", kLook101, "--claim-date", "2025-07-15"}, env, fresh.path());
  ASSERT_EQ(calc.exit_code, 0) << calc.err;
  // Look 101 is CREDIT_POLICY.md's worked example: $255.00, checked by hand there.
  EXPECT_EQ(Json::parse(calc.out).value("credit_amount", ""), "255.00");
  EXPECT_TRUE(std::filesystem::exists(fresh.File(".creditbot/warehouse.db")));
}

TEST_F(CliErrors, ALogFileInAFolderThatDoesNotExistYetIsCreated) {
  TempDir fresh;
  const std::string log = fresh.File("logs/creditbot/log.jsonl");
  RunResult stats = RunCreditbot({"state", "stats", "--log-file", log}, {}, fresh.path());
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_TRUE(std::filesystem::exists(log));
}

TEST_F(CliErrors, OnlyMessagesThatWereAnsweredAreTaggedDryRun) {
  // The sample inbox has requests (answered in a dry run) and messages that are not requests (skipped).
  RunResult pass = Run({"run", "--once"});
  ASSERT_EQ(pass.exit_code, 0) << pass.err;
  RunResult list = Run({"state", "list", "--limit", "1000"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  int skipped = 0;
  int replied = 0;
  for (const std::string& line : Lines(list.out)) {
    if (line.find(" skipped ") != std::string::npos) {
      ++skipped;
      EXPECT_THAT(line, Not(HasSubstr("[dry run]")));
    }
    if (line.find(" replied ") != std::string::npos) {
      ++replied;
      EXPECT_THAT(line, HasSubstr("[dry run]"));
    }
  }
  EXPECT_GT(skipped, 0) << list.out;
  EXPECT_GT(replied, 0) << list.out;
}

}  // namespace
}  // namespace creditbot::testing
