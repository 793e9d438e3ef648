// Tests of the decision words typed in a thread or on the command line: the verbs, the amount forms, the
// refusals in words, and ordinary conversation left alone.
#include "core/decision_commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace creditbot {
namespace {

using ::testing::HasSubstr;

DecisionCommand Parsed(std::string_view text) {
  absl::StatusOr<std::optional<DecisionCommand>> command = ParseDecisionCommand(text);
  EXPECT_TRUE(command.ok()) << text << ": " << command.status();
  EXPECT_TRUE(command.ok() && command->has_value()) << text << " was not taken for a command";
  return command.ok() && command->has_value() ? **command : DecisionCommand{};
}

absl::Status Refusal(std::string_view text) { return ParseDecisionCommand(text).status(); }

TEST(DecisionCommands, VerbNames) {
  EXPECT_EQ(DecisionVerbName(DecisionVerb::kApprove), "approve");
  EXPECT_EQ(DecisionVerbName(DecisionVerb::kReject), "reject");
  EXPECT_EQ(DecisionVerbName(DecisionVerb::kAdjust), "adjust");
  EXPECT_EQ(DecisionVerbName(DecisionVerb::kRecalculate), "recalculate");
}

TEST(DecisionCommands, ApproveRejectRecalculate) {
  EXPECT_EQ(Parsed("approve").verb, DecisionVerb::kApprove);
  EXPECT_EQ(Parsed("  Approve  ").verb, DecisionVerb::kApprove);
  EXPECT_EQ(Parsed("APPROVE looks right").reason, "looks right");
  const DecisionCommand reject = Parsed("reject   duplicate of last week's request  ");
  EXPECT_EQ(reject.verb, DecisionVerb::kReject);
  EXPECT_EQ(reject.reason, "duplicate of last week's request");
  EXPECT_EQ(Parsed("recalculate").verb, DecisionVerb::kRecalculate);
}

TEST(DecisionCommands, AdjustAmountForms) {
  const DecisionCommand dollars = Parsed("adjust $1,200 only the July traffic");
  EXPECT_EQ(dollars.verb, DecisionVerb::kAdjust);
  EXPECT_EQ(dollars.amount, "1200.00");
  EXPECT_EQ(dollars.reason, "only the July traffic");
  EXPECT_EQ(Parsed("adjust 1200 x").amount, "1200.00");
  EXPECT_EQ(Parsed("adjust 1200.5 x").amount, "1200.50");
  EXPECT_EQ(Parsed("adjust 0.07 x").amount, "0.07");
  EXPECT_EQ(Parsed("adjust $12,345,678.9 x").amount, "12345678.90");
}

TEST(DecisionCommands, ALeadingMentionIsAllowed) {
  EXPECT_EQ(Parsed("<@U123> approve").verb, DecisionVerb::kApprove);
  EXPECT_EQ(Parsed("<@U0BOT|creditbot>: reject wrong account").reason, "wrong account");
  EXPECT_EQ(Parsed("<@U123> adjust 99 partial").amount, "99.00");
}

TEST(DecisionCommands, MalformedCommandsAreRefusedInWords) {
  EXPECT_EQ(Refusal("reject").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Refusal("reject   ").message(), HasSubstr("needs a reason"));
  EXPECT_THAT(Refusal("adjust 1200").message(), HasSubstr("needs a reason after the amount"));
  EXPECT_THAT(Refusal("adjust").message(), HasSubstr("needs an amount and a reason"));
  EXPECT_THAT(Refusal("adjust -5 refund").message(), HasSubstr("negative"));
  EXPECT_THAT(Refusal("adjust $-5 refund").message(), HasSubstr("negative"));
  EXPECT_THAT(Refusal("adjust 12.345 refund").message(), HasSubstr("more than two decimals"));
  EXPECT_THAT(Refusal("adjust 0 refund").message(), HasSubstr("more than $0.00"));
  EXPECT_THAT(Refusal("adjust lots refund").message(), HasSubstr("'lots' is not an amount"));
  EXPECT_THAT(Refusal("adjust 1,20 refund").message(), HasSubstr("not an amount"));
  EXPECT_THAT(Refusal("adjust 12,0000 refund").message(), HasSubstr("not an amount"));
  EXPECT_THAT(Refusal("adjust 1e3 refund").message(), HasSubstr("not an amount"));
}

TEST(DecisionCommands, OrdinaryConversationIsNotACommand) {
  for (std::string_view text : {"", "thanks!", "can someone approve this?", "Approve? not sure",
                                "approved by finance already", "<@U123> what is this", "adjusting now"}) {
    absl::StatusOr<std::optional<DecisionCommand>> command = ParseDecisionCommand(text);
    ASSERT_TRUE(command.ok()) << text;
    EXPECT_FALSE(command->has_value()) << text;
  }
}

TEST(DecisionCommands, AmountsOnTheirOwn) {
  EXPECT_EQ(ParseDecisionAmount(" $1,200 ").value(), "1200.00");
  EXPECT_EQ(ParseDecisionAmount("1200.5").value(), "1200.50");
  EXPECT_FALSE(ParseDecisionAmount("").ok());
  EXPECT_FALSE(ParseDecisionAmount("$").ok());
  EXPECT_FALSE(ParseDecisionAmount(".5").ok());
  EXPECT_FALSE(ParseDecisionAmount("1.2.3").ok());
}

}  // namespace
}  // namespace creditbot
