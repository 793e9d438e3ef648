// Tests of how cells already credited are shown: the reply's line per earlier request (with and without a
// link to its thread), the headline of a credit left with nothing, and the result JSON's already_credited
// section (absent when nothing was left out).
#include <nlohmann/json.hpp>
#include <string>

#include "absl/time/civil_time.h"
#include "core/already_credited.h"
#include "core/credit_report.h"
#include "core/reply_renderer.h"
#include "core/report_json.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

// A report of $30.00 after an earlier request's two cells (2025-07-01 and 07-02; this report's charges
// 300.00 + 240.00 = 540.00; credited there 165.00 + 60.00 = 225.00) were left out.
CreditReport LeftOutReport(std::string link) {
  CreditReport report;
  report.product = report.policy_name = "verify";
  report.policy_version = "1";
  report.parent_account_sid = "ACp";
  report.claim_date = absl::CivilDay(2025, 7, 15);
  report.credit_amount = D("30.00");
  LeftOutEntry entry;
  entry.execution_id = "20250710T090000Z-beef";
  entry.request_key = "C1:1752138000.000100";
  entry.channel = "C1";
  entry.ts = "1752138000.000100";
  entry.link = std::move(link);
  entry.cells = {{absl::CivilDay(2025, 7, 2), "ACs1", "VA1", "400", ""},
                 {absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "400", ""}};
  entry.fraud_charges = D("540.00");
  entry.credited = D("225.00");
  report.already_credited.entries.push_back(entry);
  report.already_credited.rows = 2;
  report.already_credited.fraud_charges = D("540.00");
  report.already_credited.credited = D("225.00");
  return report;
}

TEST(AlreadyCreditedReply, NamesTheCellsTheEarlierThreadAndWhatItCredited) {
  RenderedMessage reply =
      RenderCreditReply(LeftOutReport("https://slack.com/archives/C1/p1752138000000100"), "x");
  const std::string line =
      "Already credited: 2 cells (2025-07-01 to 2025-07-02, fraud charges $540.00) were already credited in "
      "<https://slack.com/archives/C1/p1752138000000100|an earlier request> ($225.00 credited there): left "
      "out "
      "of this credit.";
  EXPECT_THAT(reply.text, HasSubstr(line));
  EXPECT_THAT(reply.blocks_json, HasSubstr("*Already credited*: 2 cells"));
}

TEST(AlreadyCreditedReply, WithoutALinkNamesTheRequest) {
  RenderedMessage reply = RenderCreditReply(LeftOutReport(""), "x");
  EXPECT_THAT(reply.text,
              HasSubstr("already credited in an earlier request (C1:1752138000.000100) ($225.00"));
}

TEST(AlreadyCreditedReply, NothingLeftOutSaysSoInTheHeadline) {
  CreditReport report = LeftOutReport("https://slack.com/archives/C1/p1752138000000100");
  report.credit_amount = Decimal();
  report.reason = "already_credited";
  RenderedMessage reply = RenderCreditReply(report, "x");
  EXPECT_THAT(reply.text, HasSubstr("No credit recommended: every cell of the report was already credited in "
                                    "an earlier request"));
}

TEST(AlreadyCreditedJson, TheSectionFollowsTheReason) {
  const Json json = Json::parse(RenderResultJson(LeftOutReport("https://l/p1"), ExecutionMeta()));
  ASSERT_TRUE(json.contains("already_credited"));
  const Json& already = json["already_credited"];
  EXPECT_EQ(already["rows"], 2);
  EXPECT_EQ(already["fraud_charges"], "540.00");
  EXPECT_EQ(already["credited"], "225.00");
  ASSERT_EQ(already["requests"].size(), 1u);
  const Json& request = already["requests"][0];
  EXPECT_EQ(request["request"], "C1:1752138000.000100");
  EXPECT_EQ(request["channel"], "C1");
  EXPECT_EQ(request["ts"], "1752138000.000100");
  EXPECT_EQ(request["link"], "https://l/p1");
  EXPECT_EQ(request["execution_id"], "20250710T090000Z-beef");
  EXPECT_EQ(request["fraud_charges"], "540.00");
  EXPECT_EQ(request["credited"], "225.00");
  EXPECT_EQ(request["cells"][0], Json({{"date", "2025-07-02"},
                                       {"account_sid", "ACs1"},
                                       {"service_sid", "VA1"},
                                       {"mcc", "400"},
                                       {"mnc", ""}}));
  // Right after "reason" in the document's order.
  const std::string text = RenderResultJson(LeftOutReport(""), ExecutionMeta());
  EXPECT_LT(text.find("\"reason\""), text.find("\"already_credited\""));
  EXPECT_LT(text.find("\"already_credited\""), text.find("\"warnings\""));
}

TEST(AlreadyCreditedJson, AbsentWhenNothingWasLeftOut) {
  CreditReport report = LeftOutReport("");
  report.already_credited = AlreadyCredited();
  EXPECT_THAT(RenderResultJson(report, ExecutionMeta()), Not(HasSubstr("already_credited")));
  EXPECT_THAT(RenderCreditReply(report, "x").text, Not(HasSubstr("Already credited")));
}

}  // namespace
}  // namespace creditbot
