// End-to-end tests of `creditbot decide` with the real binary on the embedded default (issue 17): the sample
// request 101 (test case 1 of CREDIT_POLICY.md, $255.00, above the $250.00 threshold, so awaiting a
// decision) is answered by `run --once --live`, then decided from the command line through the same desk
// as the Slack buttons: a non-approver is refused naming who can, an approver's decision is recorded once
// (the ledger, the audit's decision.json, the reply updated in the outbox, the requester told), a second
// decision is told who decided first, and bad approver ids or a missing reason are refused at start.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
constexpr char kKey[] = "C0CREDITREQ:1752588191.000100";

class DecideEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  void SetUp() override {
    // Request 101 alone, from the sample inbox.
    std::ofstream inbox(inbox_.File("inbox.jsonl"));
    for (const std::string& line : ReadLines(kSource + "/data/sample/inbox.jsonl")) {
      if (Json::parse(line).value("ts", "") == "1752588191.000100") inbox << line << "\n";
    }
  }
  RunResult Run(const std::vector<std::string>& args, std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> env = {{"CREDITBOT_HOME", home_.path()},
                                              {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
                                              {"CREDITBOT_INBOX", inbox_.File("inbox.jsonl")},
                                              {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
                                              {"CREDITBOT_APPROVERS", "U0ALICE,S0FINANCE"},
                                              {"SLACK_USER_ID", "U0OWNER01"},
                                              {"CREDITBOT_LOG_FORMAT", "json"}};
    for (auto& [name, value] : extra) env[name] = value;
    return RunCreditbot(args, env, home_.path());
  }
  std::vector<Json> OutboxLines() const {
    std::vector<Json> lines;
    for (const std::string& line : ReadLines(home_.File("outbox.jsonl"))) lines.push_back(Json::parse(line));
    return lines;
  }
  // The outbox's posts of `kind` for request 101.
  std::vector<Json> Posts(const std::string& kind) const {
    std::vector<Json> posts;
    for (const Json& line : OutboxLines()) {
      if (line.contains("metadata") && line["metadata"]["event_payload"]["request_key"] == kKey &&
          line["metadata"]["event_payload"]["kind"] == kind)
        posts.push_back(line);
    }
    return posts;
  }
  std::vector<Json> Updates() const {
    std::vector<Json> updates;
    for (const Json& line : OutboxLines())
      if (line.value("method", "") == "chat.update") updates.push_back(line);
    return updates;
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
  TempDir inbox_;
};

SuiteWarehouse DecideEndToEnd::warehouse_;

TEST_F(DecideEndToEnd, AnApproverDecidesOnceAndTheReplyShowsIt) {
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::vector<Json> credit = Posts("credit");
  ASSERT_EQ(credit.size(), 1u);
  const Json& buttons = credit[0]["blocks"].back();
  ASSERT_EQ(buttons["type"], "actions");
  const std::string execution_id = buttons["elements"][0]["value"];
  EXPECT_EQ(credit[0]["metadata"]["event_payload"]["execution_id"], execution_id);

  RunResult stranger = Run({"decide", kKey, "approve", "--as", "U0MALLORY", "--live"});
  EXPECT_EQ(stranger.exit_code, 1);
  EXPECT_THAT(stranger.err,
              HasSubstr("Only <@U0ALICE> or members of <!subteam^S0FINANCE> can decide on credits."));
  EXPECT_TRUE(Updates().empty());

  RunResult approved = Run({"decide", kKey, "approve", "--as", "U0ALICE", "--live"});
  ASSERT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_EQ(approved.out,
            "Approved $255.00 for " + std::string(kKey) + " (execution " + execution_id + ").\n");

  const std::vector<Json> updates = Updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["channel"], "C0CREDITREQ");
  EXPECT_FALSE(updates[0].contains("dry_run"));
  const Json& shown = updates[0]["blocks"].back();
  EXPECT_EQ(shown["type"], "context");
  EXPECT_THAT(shown["elements"][0]["text"].get<std::string>(), HasSubstr("Approved by <@U0ALICE> at "));
  EXPECT_EQ(updates[0]["blocks"].size(), credit[0]["blocks"].size());
  const std::vector<Json> notices = Posts("decision:" + execution_id);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0]["thread_ts"], "1752588191.000100");
  EXPECT_EQ(notices[0]["text"],
            "<@U0ANALYST1> your credit request was approved by <@U0ALICE>: $255.00 will be credited.");

  std::ifstream record_file(home_.File("audit/" + execution_id + "/decision.json"));
  ASSERT_TRUE(record_file.good());
  std::stringstream record_text;
  record_text << record_file.rdbuf();
  const Json record = Json::parse(record_text.str());
  EXPECT_EQ(record["status"], "approved");
  EXPECT_EQ(record["final_amount"], "255.00");
  EXPECT_EQ(record["decided_by"], "U0ALICE");
  EXPECT_EQ(record["via"], "cli");

  // By execution id this time, and another decision: refused, naming the first.
  RunResult again = Run({"decide", execution_id, "reject", "too", "much", "--as", "U0ALICE", "--live"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("Already approved by <@U0ALICE> at "));
  EXPECT_EQ(Updates().size(), 1u);
  EXPECT_EQ(Posts("decision:" + execution_id).size(), 1u);
  // A later pass neither decides nor updates again.
  run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Updates().size(), 1u);
  EXPECT_EQ(Posts("decision:" + execution_id).size(), 1u);
}

TEST_F(DecideEndToEnd, AdjustInADryRunIsRecordedAndItsUpdateMarkedDryRun) {
  ASSERT_EQ(Run({"run", "--once", "--live"}).exit_code, 0);
  RunResult adjusted = Run({"decide", kKey, "adjust", "$300", "two", "reports", "--as", "U0ALICE"});
  ASSERT_EQ(adjusted.exit_code, 0) << adjusted.err;
  EXPECT_THAT(adjusted.out, HasSubstr("Adjusted the credit to $300.00 for " + std::string(kKey)));
  EXPECT_THAT(adjusted.out, HasSubstr("Note: that is above the recommended $255.00."));
  EXPECT_THAT(adjusted.out, HasSubstr("[dry run] would update C0CREDITREQ"));
  const std::vector<Json> updates = Updates();
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["dry_run"], true);
  EXPECT_EQ(updates[0]["blocks"].back()["elements"][0]["text"],
            "Adjusted to $300.00 by <@U0ALICE>: two reports");
}

TEST_F(DecideEndToEnd, UsageAndConfigurationErrorsAreRefusedAtStart) {
  RunResult no_reason = Run({"decide", kKey, "reject", "--as", "U0ALICE"});
  EXPECT_EQ(no_reason.exit_code, 2);
  EXPECT_THAT(no_reason.err, HasSubstr("a rejection needs a reason"));
  RunResult bad_user = Run({"decide", kKey, "approve", "--as", "alice"});
  EXPECT_EQ(bad_user.exit_code, 2);
  EXPECT_THAT(bad_user.err, HasSubstr("--as: 'alice' is not a Slack user id"));
  RunResult bad_setting =
      Run({"decide", kKey, "approve", "--as", "U0ALICE"}, {{"CREDITBOT_APPROVERS", "U0ALICE,#finance"}});
  EXPECT_EQ(bad_setting.exit_code, 2);
  EXPECT_THAT(bad_setting.err,
              HasSubstr("CREDITBOT_APPROVERS='U0ALICE,#finance' (from environment): '#finance' is not "
                        "a Slack user id (U…, W…) or user-group id (S…)"));
  RunResult unknown = Run({"decide", "C0CREDITREQ:1.000001", "approve", "--as", "U0ALICE"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no credit is recorded for the request C0CREDITREQ:1.000001"));
}

}  // namespace
}  // namespace creditbot::testing
