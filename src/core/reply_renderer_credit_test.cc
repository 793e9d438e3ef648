// Tests of the credit reply's words (issue 15, point 7): each part of the rule that applied is explained,
// a zero credit gives a human reason, the per-mode table adds up to the credit, the report link and the
// other report links are shown, and Slack's size limits hold. Reports are built by hand; every expected
// figure is worked out in the comments.
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/credit_report.h"
#include "core/reply_renderer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace creditbot {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

// The worked example of CREDIT_POLICY.md: promise 30.00 + goodwill 225.00 = 255.00, MRR 250.00,
// threshold min(1000.00, 1.0 × 250.00) = 250.00 → needs approval.
CreditReport WorkedExampleReport() {
  CreditReport report;
  report.product = report.policy_name = "verify";
  report.policy_version = "1";
  report.parent_account_sid = "ACp";
  report.claim_date = absl::CivilDay(2025, 7, 15);
  report.fraud_start = absl::CivilDay(2025, 7, 1);
  report.fraud_end = absl::CivilDay(2025, 7, 3);
  report.fraud_total = D("1130");
  report.mrr = D("250");
  report.credit_amount = D("255");
  report.needs_approval = true;
  const char* charges[] = {"500", "0", "540", "90"};
  const char* credit[] = {"0", "0", "225", "30"};
  const char* if_mode[] = {"0", "275", "525", "865"};
  for (size_t i = 0; i < 4; ++i) {
    report.output_df[i].mode = kAllModes[i];
    report.output_df[i].fraud_charges_in_mode = D(charges[i]);
    report.output_df[i].credit_in_mode = D(credit[i]);
    report.output_df[i].credit_if_mode = D(if_mode[i]);
  }
  CreditSummary& s = report.summary;
  s.promise = D("30");
  s.goodwill_raw = s.goodwill = D("225");
  s.goodwill_cap = D("432");
  s.raw = D("255");
  s.approval_threshold = D("250");
  s.repeat_factor = D("1");
  s.min_credit = D("5");
  s.auto_approve_limit = D("1000");
  s.approval_mrr_multiple = D("1");
  s.repeat_window_days = 365;
  return report;
}

// All the mrkdwn/plain texts of the blocks, joined by newlines.
std::string BlocksText(const RenderedMessage& message) {
  const nlohmann::json blocks = nlohmann::json::parse(message.blocks_json);
  std::string out;
  for (const auto& block : blocks) {
    if (block.contains("text")) out += block["text"]["text"].get<std::string>() + "\n";
    if (block.contains("fields")) {
      for (const auto& field : block["fields"]) out += field["text"].get<std::string>() + "\n";
    }
    if (block.contains("elements")) {
      for (const auto& element : block["elements"]) {
        // A context element's text is a string; a button's is a plain_text object.
        const auto& text = element["text"];
        out += (text.is_object() ? text["text"] : text).get<std::string>() + "\n";
      }
    }
  }
  return out;
}

// The table row of `mode` ("Standard  $540.00 …").
std::string TableRow(const RenderedMessage& message, const std::string& mode) {
  const std::string text = BlocksText(message);
  const size_t at = text.find("\n" + mode + " ");
  if (at == std::string::npos) return "";
  return text.substr(at + 1, text.find('\n', at + 1) - at - 1);
}

TEST(CreditReply, WorkedExampleExplainsPromiseGoodwillAndApproval) {
  RenderedMessage message = RenderCreditReply(WorkedExampleReport(), "E1");
  const std::string blocks = BlocksText(message);
  EXPECT_THAT(message.text,
              HasSubstr("Recommended credit: $255.00 USD, needs approval (above the $250.00 threshold)"));
  EXPECT_THAT(blocks, HasSubstr("*Promise*: $30.00 for Max rows claimed on time"));
  EXPECT_THAT(blocks, HasSubstr("*Goodwill*: $225.00 for Basic and Standard rows:"));
  EXPECT_THAT(blocks, HasSubstr("*Approval needed*: $255.00 is above $250.00, the lower of the auto-approval "
                                "limit $1,000.00 and 1.0 × MRR $250.00"));
  EXPECT_THAT(blocks, Not(HasSubstr("Cost cap")));
  EXPECT_THAT(blocks, Not(HasSubstr("Repeat incident")));
  EXPECT_THAT(blocks, Not(HasSubstr("Late Max")));
  EXPECT_THAT(blocks, Not(HasSubstr("Rounding")));
  EXPECT_THAT(blocks,
              HasSubstr("_if all in mode_: what the policy would credit had every service been in that "
                        "mode for the whole fraud window"));
  // The plain text carries the why too, without the bold markers.
  EXPECT_THAT(message.text, HasSubstr("Promise: $30.00 for Max rows"));
  EXPECT_EQ(TableRow(message, "Standard"), "Standard  $540.00      $225.00      $525.00");
  EXPECT_EQ(TableRow(message, "Max"), "Max       $90.00       $30.00       $865.00");
}

TEST(CreditReply, ApprovalWithinTheLimitAndWithoutMrr) {
  CreditReport report = WorkedExampleReport();
  report.needs_approval = false;
  report.summary.approval_threshold = D("1000");
  report.mrr = D("5000");
  // threshold min(1000.00, 1.0 × 5000.00) = 1000.00 ≥ 255.00.
  EXPECT_THAT(BlocksText(RenderCreditReply(report, "E1")),
              HasSubstr("*No approval needed*: $255.00 is within $1,000.00, the lower of the auto-approval "
                        "limit $1,000.00 and 1.0 × MRR $5,000.00."));
  report.mrr.reset();
  report.needs_approval = true;
  report.warnings = {"no MRR found for parent account ACp: every non-zero credit needs approval"};
  const std::string blocks = BlocksText(RenderCreditReply(report, "E1"));
  EXPECT_THAT(blocks, HasSubstr("*Approval needed*: no MRR was found for the parent account, so every credit "
                                "needs a person's approval."));
  EXPECT_THAT(blocks, HasSubstr("*Warnings*\n• no MRR found for parent account ACp"));
}

TEST(CreditReply, ExplainsTheCostCapAndAddsUpTheTableByLargestRemainder) {
  // Goodwill 48.00 capped at 11.015 (CreditEngine.CreditInModeSharesACappedGoodwillExactlyAmongModes):
  // standard 6.884375, max 4.130625, credit 11.02. Rounded alone they show 6.88 + 4.13 = 11.01; by the
  // largest remainder the missing cent goes to standard (0.004375 > 0.000625): 6.89 + 4.13 = 11.02.
  CreditReport report = WorkedExampleReport();
  report.credit_amount = D("11.02");
  report.needs_approval = false;
  report.output_df[ModeIndex(Mode::kStandard)].credit_in_mode = D("6.884375");
  report.output_df[ModeIndex(Mode::kMax)].credit_in_mode = D("4.130625");
  report.summary.promise = D("0");
  report.summary.goodwill_raw = D("48");
  report.summary.goodwill_cap = report.summary.goodwill = report.summary.raw = D("11.015");
  report.summary.cap_binds = true;
  RenderedMessage message = RenderCreditReply(report, "E1");
  const std::string blocks = BlocksText(message);
  EXPECT_THAT(blocks,
              HasSubstr("*Cost cap*: goodwill came to $48.00 but is capped at $11.02, what the messages "
                        "of those rows cost at the providers"));
  EXPECT_THAT(blocks, HasSubstr("*Goodwill*: $11.02"));
  EXPECT_THAT(blocks,
              HasSubstr("*Rounding*: promise + goodwill = 11.015 USD, rounded once, half up, to cents."));
  EXPECT_THAT(TableRow(message, "Standard"), HasSubstr(" $6.89 "));
  EXPECT_THAT(TableRow(message, "Max"), HasSubstr(" $4.13 "));
}

TEST(CreditReply, TheIssueExampleShowsTheCreditNotACentLess) {
  // credit_in_mode 10.015 beside a 10.02 credit (issue 15): the table shows $10.02, not $10.01.
  CreditReport report = WorkedExampleReport();
  report.credit_amount = D("10.02");
  report.needs_approval = false;
  report.output_df[ModeIndex(Mode::kStandard)].credit_in_mode = D("10.015");
  report.output_df[ModeIndex(Mode::kMax)].credit_in_mode = D("0");
  report.summary.promise = D("0");
  report.summary.goodwill = report.summary.raw = D("10.015");
  EXPECT_THAT(TableRow(RenderCreditReply(report, "E1"), "Standard"), HasSubstr(" $10.02 "));
}

TEST(CreditReply, ExplainsTheRepeatHaircutAndALateMaxClaim) {
  CreditReport report = WorkedExampleReport();
  report.summary.repeat_factor = D("0.5");
  CreditLine late;
  late.mode = Mode::kMax;
  late.treatment = Treatment::kGoodwill;
  late.promise_deadline = absl::CivilDay(2025, 7, 30);
  late.attempts_sent = 10;
  report.lines = {late, late};
  const std::string blocks = BlocksText(RenderCreditReply(report, "E1"));
  EXPECT_THAT(blocks,
              HasSubstr("*Repeat incident*: the parent account had a credit approved or issued in the "
                        "365 days before this claim, so goodwill is multiplied by 0.5 (Promise rows "
                        "are not)."));
  EXPECT_THAT(blocks, HasSubstr("*Late Max claim*: 2 Max rows were claimed on 2025-07-15, after the Promise "
                                "deadline of 2025-07-30"));
  EXPECT_THAT(blocks, HasSubstr("so they are credited as goodwill instead of under the Promise."));
  EXPECT_THAT(blocks, HasSubstr("*Goodwill*: $225.00 for Basic and Standard rows (and late Max rows)"));
}

TEST(CreditReply, ZeroCreditsGiveAHumanReasonNotACode) {
  CreditReport report = WorkedExampleReport();
  report.credit_amount = D("0");
  report.needs_approval = false;
  for (ModeBreakdown& mode : report.output_df) mode.credit_in_mode = D("0");

  report.reason = "fraud_guard_off";
  RenderedMessage off = RenderCreditReply(report, "E1");
  EXPECT_THAT(off.text,
              HasSubstr("No credit recommended: Fraud Guard was off for all of the fraudulent traffic"));
  EXPECT_THAT(off.text + off.blocks_json, Not(HasSubstr("fraud_guard_off")));

  report.reason = "below_minimum";
  report.summary.raw = D("3.2");
  EXPECT_THAT(
      RenderCreditReply(report, "E1").text,
      HasSubstr("No credit recommended: the calculated credit of $3.20 is below the policy's minimum of "
                "$5.00"));
  report.summary.raw = D("4.996");  // rounds to 5.00, still under the minimum: the exact figure is shown
  EXPECT_THAT(RenderCreditReply(report, "E1").text,
              HasSubstr("the calculated credit of $5.00 (4.996) is below the policy's minimum of $5.00"));
  report.summary.min_credit = D("0");
  report.summary.raw = D("0.004");
  EXPECT_THAT(RenderCreditReply(report, "E1").text,
              HasSubstr("the calculated credit of $0.004 rounds to $0.00"));

  report.reason = "no_shortfall";
  RenderedMessage none = RenderCreditReply(report, "E1");
  EXPECT_THAT(none.text,
              HasSubstr("No credit recommended: Fraud Guard blocked at least as many attempts as its "
                        "mode is expected to block, so there is no shortfall to credit"));
  EXPECT_THAT(none.text + none.blocks_json, Not(HasSubstr("no_shortfall")));
  report.fraud_start.reset();
  EXPECT_THAT(RenderCreditReply(report, "E1").text,
              HasSubstr("No credit recommended: the report has no SMS attempts sent"));
}

// A remote executor's amount only (no lines, no parent, no window): the reply says what was not given
// instead of "Parent account , fraud no billed fraud, fraud charges $0.00".
TEST(CreditReply, AnAmountOnlyReportSaysWhatWasNotGiven) {
  CreditReport report;
  report.product = "verify";
  report.policy_name = "verify";
  report.policy_version = "1";
  report.credit_amount = *Decimal::Parse("77.10");
  report.needs_approval = true;
  report.warnings.push_back("computed by the notebook n.ipynb, which gave the credit amount only");
  RenderedMessage message = RenderCreditReply(report, "E1");
  EXPECT_THAT(message.text, HasSubstr("Parent account not given, fraud not given, fraud charges not given."));
  EXPECT_THAT(message.text, Not(HasSubstr("no billed fraud")));
  const std::string blocks = BlocksText(message);
  EXPECT_THAT(blocks, HasSubstr("*Parent account*\nnot given"));
  EXPECT_THAT(blocks, HasSubstr("*Fraud charges*\nnot given"));
}

TEST(CreditReply, LinksTheLookerReportAndNamesOtherReportLinks) {
  CreditReplyContext context;
  context.looker_url = "https://looker.example.com/looks/42?a=1&b=2";
  RenderedMessage one = RenderCreditReply(WorkedExampleReport(), "E1", context);
  EXPECT_THAT(BlocksText(one),
              HasSubstr("<https://looker.example.com/looks/42?a=1&amp;b=2|the Looker report>"));
  EXPECT_THAT(one.text, HasSubstr("Report: https://looker.example.com/looks/42?a=1&b=2"));
  EXPECT_THAT(BlocksText(one), Not(HasSubstr("Several reports")));

  context.other_report_urls = {"https://looker.example.com/looks/43", "https://looker.example.com/x/Q1"};
  RenderedMessage several = RenderCreditReply(WorkedExampleReport(), "E1", context);
  for (const std::string& text : {BlocksText(several), several.text}) {
    EXPECT_THAT(text,
                AllOf(HasSubstr("this message links 3 reports. I calculated the credit for the first one "
                                "only"),
                      HasSubstr("please post one request per report for the others: "),
                      HasSubstr("https://looker.example.com/looks/43"),
                      HasSubstr("https://looker.example.com/x/Q1")));
  }
}

TEST(CreditReply, StaysWithinSlackLimitsWithThousandsOfWarnings) {
  CreditReport report = WorkedExampleReport();
  for (int i = 0; i < 2000; ++i) report.warnings.push_back(std::string(300, 'w') + std::to_string(i));
  report.parent_account_sid = std::string(500, 'A');  // an absurd SID makes the header long
  RenderedMessage message = RenderCreditReply(report, "E1");
  EXPECT_LE(message.text.size(), 40000u);
  const nlohmann::json blocks = nlohmann::json::parse(message.blocks_json);
  EXPECT_LE(blocks.size(), 50u);
  for (const auto& block : blocks) {
    if (block["type"] == "header") {
      EXPECT_LE(block["text"]["text"].get<std::string>().size(), 150u);
    }
    if (block.contains("text")) {
      EXPECT_LE(block["text"]["text"].get<std::string>().size(), 3000u);
    }
    if (block.contains("elements")) {
      for (const auto& element : block["elements"]) {
        const auto& text = element["text"];
        EXPECT_LE((text.is_object() ? text["text"] : text).get<std::string>().size(), 3000u);
      }
    }
  }
  EXPECT_THAT(BlocksText(message), HasSubstr("more in the audit record"));
}

// --- The decision block (issue 17): buttons, approval by policy, and the decided state. ---

TEST(CreditReply, ACreditThatNeedsApprovalCarriesApproveRejectAdjustButtons) {
  const nlohmann::json blocks =
      nlohmann::json::parse(RenderCreditReply(WorkedExampleReport(), "E1").blocks_json);
  // header, summary, why, breakdown, legend, footer, then the buttons.
  ASSERT_EQ(blocks.size(), 7u);
  EXPECT_EQ(blocks[5]["type"], "context");
  const nlohmann::json& actions = blocks[6];
  EXPECT_EQ(actions["type"], "actions");
  EXPECT_EQ(actions["block_id"], "creditbot_decision");
  ASSERT_EQ(actions["elements"].size(), 3u);
  const nlohmann::json& approve = actions["elements"][0];
  EXPECT_EQ(approve, nlohmann::json::parse(R"({"type":"button","action_id":"creditbot_approve",
      "text":{"type":"plain_text","text":"Approve"},"value":"E1","style":"primary"})"));
  EXPECT_EQ(actions["elements"][1], nlohmann::json::parse(R"({"type":"button","action_id":"creditbot_reject",
      "text":{"type":"plain_text","text":"Reject"},"value":"E1","style":"danger"})"));
  EXPECT_EQ(actions["elements"][2], nlohmann::json::parse(R"({"type":"button","action_id":"creditbot_adjust",
      "text":{"type":"plain_text","text":"Adjust"},"value":"E1"})"));
}

TEST(CreditReply, ACreditWithinTheLimitSaysItIsApprovedByPolicy) {
  CreditReport report = WorkedExampleReport();
  report.needs_approval = false;
  report.mrr = D("5000");
  report.summary.approval_threshold = D("1000");
  const nlohmann::json blocks = nlohmann::json::parse(RenderCreditReply(report, "E1").blocks_json);
  const nlohmann::json& last = blocks.back();
  EXPECT_EQ(last["type"], "context");
  EXPECT_EQ(last["block_id"], "creditbot_decision");
  EXPECT_EQ(last["elements"][0]["text"], "Approved by policy (within the $1,000.00 auto-approval limit)");
  for (const auto& block : blocks) EXPECT_NE(block["type"], "actions");
}

TEST(CreditReply, AZeroCreditHasNoDecisionBlock) {
  CreditReport report = WorkedExampleReport();
  report.credit_amount = D("0");
  report.reason = "fraud_guard_off";
  EXPECT_THAT(RenderCreditReply(report, "E1").blocks_json,
              AllOf(Not(HasSubstr("creditbot_decision")), Not(HasSubstr("actions"))));
}

TEST(CreditReply, EveryOptionalBlockAndTheButtonsMakeAtMostNine) {
  CreditReport report = WorkedExampleReport();
  report.warnings = {"w1"};
  CreditReplyContext context;
  context.looker_url = "https://looker.example.com/looks/42";
  context.other_report_urls = {"https://looker.example.com/looks/43"};
  const nlohmann::json blocks = nlohmann::json::parse(RenderCreditReply(report, "E1", context).blocks_json);
  EXPECT_EQ(blocks.size(), 9u);
  EXPECT_EQ(blocks.back()["type"], "actions");
}

ShownDecision Decided(ShownDecision::Kind kind, const char* amount, const char* reason) {
  ShownDecision decision;
  decision.kind = kind;
  decision.by = "U0APPROVER";
  decision.at = absl::FromCivil(absl::CivilSecond(2025, 7, 16, 14, 2, 30), absl::UTCTimeZone());
  decision.amount = D(amount);
  decision.reason = reason;
  return decision;
}

TEST(CreditReply, TheDecidedReplyReplacesTheButtonsWithWhoDecided) {
  const RenderedMessage reply = RenderCreditReply(WorkedExampleReport(), "E1");
  const RenderedMessage decided =
      RenderDecidedReply(reply.blocks_json, Decided(ShownDecision::Kind::kApproved, "255", ""));
  const nlohmann::json before = nlohmann::json::parse(reply.blocks_json);
  const nlohmann::json after = nlohmann::json::parse(decided.blocks_json);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i + 1 < after.size(); ++i) EXPECT_EQ(after[i], before[i]) << "block " << i;
  EXPECT_EQ(after.back(), nlohmann::json::parse(R"({"type":"context","elements":[{"type":"mrkdwn",
      "text":"Approved by <@U0APPROVER> at 14:02 UTC"}],"block_id":"creditbot_decision"})"));
  EXPECT_EQ(decided.text,
            "Recommended credit: $255.00 USD, needs approval (above the $250.00 threshold). Approved by "
            "<@U0APPROVER> at 14:02 UTC");
  // Shown again (a retried update): the same message.
  const RenderedMessage again =
      RenderDecidedReply(decided.blocks_json, Decided(ShownDecision::Kind::kApproved, "255", ""));
  EXPECT_EQ(again.blocks_json, decided.blocks_json);
  EXPECT_EQ(again.text, decided.text);
}

TEST(CreditReply, ShowsDecisionOnlyWhenTheDecisionBlockSaysThisDecision) {
  const RenderedMessage reply = RenderCreditReply(WorkedExampleReport(), "E1");
  const ShownDecision approved = Decided(ShownDecision::Kind::kApproved, "255", "");
  EXPECT_FALSE(ShowsDecision(reply.blocks_json, approved));  // still the buttons
  const std::string decided = RenderDecidedReply(reply.blocks_json, approved).blocks_json;
  EXPECT_TRUE(ShowsDecision(decided, approved));
  // Another decision's line in the block, a block of another id, or unreadable blocks: not shown.
  EXPECT_FALSE(ShowsDecision(decided, Decided(ShownDecision::Kind::kRejected, "0", "dup")));
  EXPECT_FALSE(ShowsDecision(R"([{"type":"context","elements":[{"type":"mrkdwn",
      "text":"Approved by <@U0APPROVER> at 14:02 UTC"}],"block_id":"other"}])",
                             approved));
  EXPECT_FALSE(ShowsDecision("not json", approved));
  // As Slack gives blocks back: the same block with fields Slack adds (verbatim) still counts.
  EXPECT_TRUE(ShowsDecision(R"([{"type":"context","block_id":"creditbot_decision","elements":[{"type":
      "mrkdwn","text":"Approved by <@U0APPROVER> at 14:02 UTC","verbatim":false}]}])",
                            approved));
}

TEST(CreditReply, DecisionLinesForRejectAndAdjustCarryTheReasonEscaped) {
  EXPECT_EQ(DecisionLine(Decided(ShownDecision::Kind::kRejected, "0", "wrong account <!channel> & co")),
            "Rejected by <@U0APPROVER>: wrong account &lt;!channel&gt; &amp; co");
  EXPECT_EQ(DecisionLine(Decided(ShownDecision::Kind::kAdjusted, "1200", "only the July traffic")),
            "Adjusted to $1,200.00 by <@U0APPROVER>: only the July traffic");
  // A reply without a decision block gets the line at the end; unreadable blocks give the line alone.
  const RenderedMessage appended =
      RenderDecidedReply(R"([{"type":"section","text":{"type":"mrkdwn","text":"x"}}])",
                         Decided(ShownDecision::Kind::kRejected, "0", "dup"));
  EXPECT_EQ(nlohmann::json::parse(appended.blocks_json).size(), 2u);
  EXPECT_EQ(appended.text, "Rejected by <@U0APPROVER>: dup");
  EXPECT_EQ(
      nlohmann::json::parse(
          RenderDecidedReply("not json", Decided(ShownDecision::Kind::kRejected, "0", "dup")).blocks_json)
          .size(),
      1u);
}

TEST(CreditReply, TheRequesterIsToldInTheThread) {
  EXPECT_EQ(RenderDecisionNotice("U0REQ", Decided(ShownDecision::Kind::kApproved, "255", "")).text,
            "<@U0REQ> your credit request was approved by <@U0APPROVER>: $255.00 will be credited.");
  EXPECT_EQ(RenderDecisionNotice("U0REQ", Decided(ShownDecision::Kind::kRejected, "0", "a duplicate")).text,
            "<@U0REQ> your credit request was rejected by <@U0APPROVER>: a duplicate.");
  EXPECT_EQ(RenderDecisionNotice("", Decided(ShownDecision::Kind::kAdjusted, "200", "partial refund.")).text,
            "Your credit request was adjusted to $200.00 by <@U0APPROVER>: partial refund.");
}

}  // namespace
}  // namespace creditbot
