// Tests of the reply wording: dollar formatting, the credit headline, the owner alert.
#include "core/reply_renderer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace creditbot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Decimal D(const char* text) { return *Decimal::Parse(text); }

TEST(ReplyRenderer, FormatsDollarsWithThousandsSeparatorsRoundedToCents) {
  EXPECT_EQ(FormatUsd(D("1130")), "$1,130.00");
  EXPECT_EQ(FormatUsd(D("255")), "$255.00");
  EXPECT_EQ(FormatUsd(D("0")), "$0.00");
  EXPECT_EQ(FormatUsd(D("1234567.895")), "$1,234,567.90");
  EXPECT_EQ(FormatUsd(D("999.994")), "$999.99");
  EXPECT_EQ(FormatUsd(D("-0.005")), "-$0.01");
}

TEST(ReplyRenderer, CreditHeadlineSaysAmountAndApproval) {
  CreditReport report;
  report.credit_amount = D("255.00");
  report.needs_approval = true;
  report.summary.approval_threshold = D("250.00");
  report.parent_account_sid = "ACp";
  report.policy_name = "verify";
  report.policy_version = "1";
  RenderedMessage message = RenderCreditReply(report, "20250715T120000Z-abcd");
  EXPECT_THAT(message.text,
              HasSubstr("Recommended credit: $255.00 USD, needs approval (above the $250.00 threshold)"));
  EXPECT_THAT(message.text, HasSubstr("execution 20250715T120000Z-abcd"));
  EXPECT_THAT(message.blocks_json, HasSubstr("\"type\":\"header\""));
}

TEST(ReplyRenderer, ZeroCreditNamesTheReason) {
  CreditReport report;
  report.reason = "fraud_guard_off";
  // In words, not the code (issue 15, point 7).
  EXPECT_THAT(RenderCreditReply(report, "x").text,
              HasSubstr("No credit recommended: Fraud Guard was off for all of the fraudulent traffic"));
}

TEST(ReplyRenderer, OwnerAlertNamesTheRequestOnlyWhenThereIsOne) {
  EXPECT_EQ(RenderOwnerAlert("C1", "1.2", "A credit request failed", "no look 9").text,
            ":warning: A credit request failed (request C1 1.2): no look 9");
  EXPECT_THAT(RenderOwnerAlert("", "", "A message could not be read", "inbox:3: not JSON").text,
              Not(HasSubstr("request")));
}

TEST(ReplyRenderer, OwnerAlertLinksToTheRequestAndNamesItsReference) {
  EXPECT_EQ(RenderOwnerAlert("C1", "1.2", "A credit request failed", "no look 9",
                             "https://acme.slack.com/archives/C1/p12", "C1:1.2")
                .text,
            ":warning: A credit request failed (request C1 1.2, reference C1:1.2): no look 9\n"
            "The request: https://acme.slack.com/archives/C1/p12");
}

TEST(ReplyRenderer, FailureReplyNamesTheOwnerAndTheReferenceOnly) {
  EXPECT_EQ(RenderFailureReply("U0OWNER", "C1:1.2").text,
            "I could not calculate this credit; <@U0OWNER> has been told, reference C1:1.2.");
  EXPECT_EQ(
      RenderFailureReply("", "C1:1.2").text,
      "I could not calculate this credit; the team running creditbot can look it up with reference C1:1.2.");
  EXPECT_TRUE(RenderFailureReply("U0OWNER", "C1:1.2").blocks_json.empty());
}

}  // namespace
}  // namespace creditbot
