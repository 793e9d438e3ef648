// End-to-end tests of "no fraud credited twice" (issue 17) with the real binary on the embedded default:
// two requests about parent ACp whose reports overlap. The first links look 701, test case 1's SQL narrowed
// to 2025-07-01..02 (rows r1, r2, r4 of CREDIT_POLICY.md's worked example: goodwill 165.00 + 60.00, off 0 →
// $225.00, within the $250.00 threshold); the second links look 101, the whole of test case 1. Its rows r1,
// r2 and r4 are held by the first request's ledger entry and left out: r3 (promise 30.00) and r5 (off, 0)
// remain, $30.00. Left out: fraud charges 300.00 + 240.00 + 400.00 = 940.00, credited there 225.00.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
constexpr char kChannel[] = "C0CREDITREQ";
constexpr char kFirstTs[] = "1752588191.000100";   // 2025-07-15
constexpr char kSecondTs[] = "1752591791.000200";  // 2025-07-15, an hour later
constexpr char kFirstLink[] = "https://slack.com/archives/C0CREDITREQ/p1752588191000100";

Json Request(const std::string& ts, const std::string& look) {
  return {{"type", "message"},
          {"channel", kChannel},
          {"user", "U0ANALYST1"},
          {"ts", ts},
          {"text", "credit please <https://looker.example.com/looks/" + look + "|Authy fraud report - ACp>"}};
}

class OverlapEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  void SetUp() override {
    // The sample catalog's look 101, and look 701: the same SQL for the first two days only.
    const std::string sql = ReadFile(kSource + "/data/sample/looks/101.sql");
    WriteFile(looks_.File("101.sql"), sql);
    const std::string until = "created_at < '2025-07-04 00:00:00'";
    const std::size_t at = sql.find(until);
    ASSERT_NE(at, std::string::npos);
    WriteFile(looks_.File("701.sql"),
              std::string(sql).replace(at, until.size(), "created_at < '2025-07-03 00:00:00'"));
  }

  RunResult Pass(const std::vector<Json>& inbox, bool dry_run = true) const {
    std::string text;
    for (const Json& message : inbox) text += message.dump() + "\n";
    WriteFile(inputs_.File("inbox.jsonl"), text);
    RunResult run = RunCreditbot({"run", "--once"},
                                 {{"CREDITBOT_HOME", home_.path()},
                                  {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
                                  {"CREDITBOT_INBOX", inputs_.File("inbox.jsonl")},
                                  {"CREDITBOT_LOOK_CATALOG", looks_.path()},
                                  {"SLACK_USER_ID", "U0OWNER01"},
                                  {"DRY_RUN", dry_run ? "true" : "false"},
                                  {"CREDITBOT_LOG_FORMAT", "json"}},
                                 home_.path());
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    return run;
  }

  // The credit reply in the thread of `ts`; null when there is none.
  Json CreditReply(const std::string& ts) const {
    Json found;
    for (const std::string& line : ReadLines(home_.File("outbox.jsonl"))) {
      Json post = Json::parse(line);
      if (post.contains("method") || post.value("thread_ts", "") != ts) continue;
      if (post["metadata"]["event_payload"].value("kind", "") == "credit") found = std::move(post);
    }
    return found;
  }
  Json Audit(const Json& reply) const {
    const std::string execution_id = reply["metadata"]["event_payload"]["execution_id"];
    return Json::parse(ReadFile(home_.File("audit/" + execution_id + "/result.json")));
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
  TempDir inputs_;
  TempDir looks_;
};

SuiteWarehouse OverlapEndToEnd::warehouse_;

TEST_F(OverlapEndToEnd, TheSecondRequestLeavesOutTheCellsTheFirstAlreadyCredited) {
  const Json first = Request(kFirstTs, "701");
  Pass({first});
  const Json first_reply = CreditReply(kFirstTs);
  ASSERT_FALSE(first_reply.is_null());
  EXPECT_THAT(first_reply["text"].get<std::string>(),
              HasSubstr("Recommended credit: $225.00 USD, within the auto-approval limit"));
  EXPECT_THAT(first_reply["text"].get<std::string>(), Not(HasSubstr("already credited")));
  EXPECT_FALSE(Audit(first_reply).contains("already_credited"));

  RunResult second = Pass({first, Request(kSecondTs, "101")});
  const Json reply = CreditReply(kSecondTs);
  ASSERT_FALSE(reply.is_null()) << second.err;
  const std::string text = reply["text"];
  EXPECT_THAT(text, HasSubstr("Recommended credit: $30.00 USD, within the auto-approval limit"));
  EXPECT_THAT(text,
              HasSubstr("3 cells (2025-07-01 to 2025-07-02, fraud charges $940.00) were already credited "
                        "in <" +
                        std::string(kFirstLink) +
                        "|an earlier request> ($225.00 credited there): left out of this credit."));
  EXPECT_THAT(reply["blocks"].dump(), HasSubstr(kFirstLink));

  const Json audit = Audit(reply);
  EXPECT_EQ(audit["credit_amount"], "30.00");
  EXPECT_EQ(audit["fraud_total"], "190.00");  // r3 90.00 + r5 100.00
  EXPECT_EQ(audit["reason"], nullptr);
  EXPECT_EQ(audit["lines"].size(), 2u);
  const Json& already = audit["already_credited"];
  EXPECT_EQ(already["rows"], 3);
  EXPECT_EQ(already["fraud_charges"], "940.00");
  EXPECT_EQ(already["credited"], "225.00");
  ASSERT_EQ(already["requests"].size(), 1u);
  EXPECT_EQ(already["requests"][0]["request"], std::string(kChannel) + ":" + kFirstTs);
  EXPECT_EQ(already["requests"][0]["link"], kFirstLink);
  EXPECT_EQ(already["requests"][0]["execution_id"], first_reply["metadata"]["event_payload"]["execution_id"]);
  EXPECT_EQ(already["requests"][0]["cells"].size(), 3u);
  EXPECT_EQ(already["requests"][0]["cells"][0], Json({{"date", "2025-07-01"},
                                                      {"account_sid", "ACs1"},
                                                      {"service_sid", "VA1"},
                                                      {"mcc", "400"},
                                                      {"mnc", "04"}}));
}

TEST_F(OverlapEndToEnd, EveryCellAlreadyCreditedIsAZeroCreditSayingWhy) {
  // Both requests link look 101: the second one has nothing left to credit.
  const Json first = Request(kFirstTs, "101");
  Pass({first});
  Pass({first, Request(kSecondTs, "101")});
  const Json reply = CreditReply(kSecondTs);
  ASSERT_FALSE(reply.is_null());
  const std::string text = reply["text"];
  EXPECT_THAT(text, HasSubstr("No credit recommended: every cell of the report was already credited in an "
                              "earlier request"));
  EXPECT_THAT(text, HasSubstr("5 cells (2025-07-01 to 2025-07-03, fraud charges $1,130.00) were already "
                              "credited in <" +
                              std::string(kFirstLink) + "|an earlier request> ($255.00 credited there)"));
  const Json audit = Audit(reply);
  EXPECT_EQ(audit["credit_amount"], "0.00");
  EXPECT_EQ(audit["reason"], "already_credited");
  EXPECT_EQ(audit["needs_approval"], false);
  EXPECT_EQ(audit["already_credited"]["rows"], 5);
}

TEST_F(OverlapEndToEnd, ADryRunsAnswerDoesNotHoldCellsForALiveRequest) {
  // The first request was only previewed (dry run): the live second request credits all of test case 1.
  // (The live pass reads only the second request: with the first in its inbox too, the live pass would
  // answer the first for real before the second, and that live answer rightly holds its cells.)
  Pass({Request(kFirstTs, "701")});
  Pass({Request(kSecondTs, "101")}, /*dry_run=*/false);
  const Json reply = CreditReply(kSecondTs);
  ASSERT_FALSE(reply.is_null());
  EXPECT_THAT(reply["text"].get<std::string>(), HasSubstr("Recommended credit: $255.00 USD"));
  EXPECT_FALSE(Audit(reply).contains("already_credited"));
}

}  // namespace
}  // namespace creditbot::testing
