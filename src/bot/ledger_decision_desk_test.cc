// Tests of the one decision path (issue 17) on a real SQLite state store, audit folder and local outbox in a
// temporary folder: approve, reject with a reason, adjust (above the recommendation too), a person who is
// not an approver, a double decision, unknown and superseded entries, and a crash between the decision's
// write and the reply's update (FinishPendingUpdates shows it exactly once).
#include "bot/ledger_decision_desk.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "state/sqlite_state_store.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::TempDir;
using ::testing::HasSubstr;
using Json = nlohmann::json;

// The reply as the renderer posts it for a credit that needs approval (shortened to its header, one section
// and the buttons).
constexpr char kReplyBlocks[] =
    R"([{"type":"header","text":{"type":"plain_text","text":"Recommended credit: $255.00 USD, needs approval"}},)"
    R"({"type":"section","text":{"type":"mrkdwn","text":"*Why*"}},)"
    R"({"type":"actions","block_id":"creditbot_decision","elements":[{"type":"button","action_id":)"
    R"("creditbot_approve","text":{"type":"plain_text","text":"Approve"},"value":"E1"}]}])";

class LedgerDecisionDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reply reply{"C1",     "1752588191.000100",  "C1:1752588191.000100",
                "credit", "Recommended credit", kReplyBlocks,
                "E1"};
    const std::string reply_ts = outbox_.Post(reply).value();
    ASSERT_EQ(reply_ts, "outbox:1");
    LedgerEntry entry;
    entry.execution_id = "E1";
    entry.request_key = "C1:1752588191.000100";
    entry.channel = "C1";
    entry.ts = "1752588191.000100";
    entry.reply_ts = reply_ts;
    entry.requester = "U0REQ";
    entry.parent_account_sid = "ACparent";
    entry.product = "verify";
    entry.recommended_amount = "255.00";
    entry.policy_name = "verify";
    entry.policy_version = "1";
    entry.created_at = clock_.Now() - absl::Hours(1);
    ASSERT_TRUE(store_->RecordLedgerEntry(entry).value());
  }

  DecisionAnswer Decide(DecisionVerb verb, const std::string& actor, const std::string& amount = "",
                        const std::string& reason = "", const std::string& id = "E1") {
    DecisionRequest request;
    request.execution_id = id;
    request.command.verb = verb;
    request.command.amount = amount;
    request.command.reason = reason;
    request.actor = actor;
    request.via = "button";
    return desk_.Decide(request);
  }
  LedgerEntry Entry() { return store_->GetLedgerEntry("E1").value().value(); }
  std::vector<Json> Outbox() const {
    std::vector<Json> lines;
    std::ifstream in(dir_.File("outbox.jsonl"));
    for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
    return lines;
  }
  std::vector<Json> Lines(const std::string& method) const {
    std::vector<Json> lines;
    for (const Json& line : Outbox())
      if (line.value("method", "") == method) lines.push_back(line);
    return lines;
  }
  // The thread notices (posts of kind decision:…).
  std::vector<std::string> Notices() const {
    std::vector<std::string> texts;
    for (const Json& line : Outbox()) {
      if (line.contains("metadata") &&
          line["metadata"]["event_payload"].value("kind", "").starts_with("decision:"))
        texts.push_back(line.value("text", ""));
    }
    return texts;
  }
  std::string DecisionRecord() const {
    std::ifstream in(dir_.File("audit/E1/decision.json"));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  TempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2025, 7, 16, 14, 2, 30), absl::UTCTimeZone())};
  std::unique_ptr<SqliteStateStore> store_ = SqliteStateStore::Open(dir_.File("state.db")).value();
  FolderAuditSink audit_{dir_.File("audit")};
  LocalOutbox outbox_{dir_.File("outbox.jsonl")};
  Approvers approvers_{ParseApproverIds({"U0ALICE", "U0BOB"}).value(), clock_};
  LedgerDecisionDesk desk_{*store_, audit_, outbox_, approvers_, clock_};
};

TEST_F(LedgerDecisionDeskTest, ApproveRecordsUpdatesTheReplyAndTellsTheRequester) {
  const DecisionAnswer answer = Decide(DecisionVerb::kApprove, "U0ALICE");
  EXPECT_EQ(answer.kind, DecisionAnswer::Kind::kDecided);
  EXPECT_EQ(answer.message, "Approved $255.00 for C1:1752588191.000100 (execution E1).");
  const LedgerEntry entry = Entry();
  EXPECT_EQ(entry.status, LedgerStatus::kApproved);
  EXPECT_EQ(entry.final_amount, "255.00");
  EXPECT_EQ(entry.decided_by, "U0ALICE");
  EXPECT_EQ(entry.decided_at, clock_.Now());
  EXPECT_TRUE(entry.reply_updated);

  const std::vector<Json> updates = Lines("chat.update");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["channel"], "C1");
  EXPECT_EQ(updates[0]["ts"], "outbox:1");
  ASSERT_EQ(updates[0]["blocks"].size(), 3u);  // the buttons gave way to who decided
  EXPECT_EQ(updates[0]["blocks"][2], Json::parse(R"({"type":"context","elements":[{"type":"mrkdwn",
      "text":"Approved by <@U0ALICE> at 14:02 UTC"}],"block_id":"creditbot_decision"})"));
  EXPECT_EQ(updates[0]["text"],
            "Recommended credit: $255.00 USD, needs approval. Approved by <@U0ALICE> at 14:02 UTC");
  EXPECT_THAT(Notices(), ::testing::ElementsAre("<@U0REQ> your credit request was approved by <@U0ALICE>: "
                                                "$255.00 will be credited."));
  const Json record = Json::parse(DecisionRecord());
  EXPECT_EQ(record["status"], "approved");
  EXPECT_EQ(record["decided_by"], "U0ALICE");
  EXPECT_EQ(record["decided_at"], "2025-07-16T14:02:30Z");
  EXPECT_EQ(record["via"], "button");
}

TEST_F(LedgerDecisionDeskTest, RejectNeedsAndKeepsAReason) {
  const DecisionAnswer missing = Decide(DecisionVerb::kReject, "U0ALICE", "", "   ");
  EXPECT_EQ(missing.kind, DecisionAnswer::Kind::kRefused);
  EXPECT_EQ(missing.message, "A rejection needs a reason.");
  EXPECT_EQ(Entry().status, LedgerStatus::kAwaiting);

  const DecisionAnswer answer = Decide(DecisionVerb::kReject, "U0BOB", "", "a duplicate of C1:1.0");
  EXPECT_EQ(answer.kind, DecisionAnswer::Kind::kDecided);
  const LedgerEntry entry = Entry();
  EXPECT_EQ(entry.status, LedgerStatus::kRejected);
  EXPECT_EQ(entry.final_amount, "0.00");
  EXPECT_EQ(entry.reason, "a duplicate of C1:1.0");
  EXPECT_EQ(Lines("chat.update")[0]["blocks"][2]["elements"][0]["text"],
            "Rejected by <@U0BOB>: a duplicate of C1:1.0");
  EXPECT_THAT(Notices(),
              ::testing::ElementsAre(
                  "<@U0REQ> your credit request was rejected by <@U0BOB>: a duplicate of C1:1.0."));
}

TEST_F(LedgerDecisionDeskTest, AdjustTakesAnAmountAboveZeroAndSaysWhenItIsAboveTheRecommendation) {
  EXPECT_EQ(Decide(DecisionVerb::kAdjust, "U0ALICE", "0", "nothing").kind, DecisionAnswer::Kind::kRefused);
  EXPECT_THAT(Decide(DecisionVerb::kAdjust, "U0ALICE", "-3", "refund").message, HasSubstr("negative"));
  EXPECT_EQ(Decide(DecisionVerb::kAdjust, "U0ALICE", "300", "").message, "An adjustment needs a reason.");
  EXPECT_EQ(Entry().status, LedgerStatus::kAwaiting);

  const DecisionAnswer answer = Decide(DecisionVerb::kAdjust, "U0ALICE", "$1,300.5", "two reports in one");
  EXPECT_EQ(answer.kind, DecisionAnswer::Kind::kDecided);
  EXPECT_EQ(
      answer.message,
      "Adjusted the credit to $1,300.50 for C1:1752588191.000100 (execution E1). Note: that is above the "
      "recommended $255.00.");
  EXPECT_EQ(Entry().final_amount, "1300.50");
  EXPECT_EQ(Entry().status, LedgerStatus::kAdjusted);
  EXPECT_EQ(Lines("chat.update")[0]["blocks"][2]["elements"][0]["text"],
            "Adjusted to $1,300.50 by <@U0ALICE>: two reports in one");
}

TEST_F(LedgerDecisionDeskTest, SomeoneWhoIsNotAnApproverIsToldWhoCan) {
  const DecisionAnswer answer = Decide(DecisionVerb::kApprove, "U0MALLORY");
  EXPECT_EQ(answer.kind, DecisionAnswer::Kind::kNotApprover);
  EXPECT_EQ(answer.message, "Only <@U0ALICE> or <@U0BOB> can decide on credits.");
  EXPECT_EQ(Entry().status, LedgerStatus::kAwaiting);
  EXPECT_TRUE(Lines("chat.update").empty());

  Approvers nobody(ApproverIds{}, clock_);
  LedgerDecisionDesk desk(*store_, audit_, outbox_, nobody, clock_);
  DecisionRequest request{"E1", {DecisionVerb::kApprove, "", ""}, "U0ALICE", "cli"};
  const DecisionAnswer refused = desk.Decide(request);
  EXPECT_EQ(refused.kind, DecisionAnswer::Kind::kNotApprover);
  EXPECT_EQ(refused.message, "Nobody may decide on credits yet: CREDITBOT_APPROVERS is empty.");
}

TEST_F(LedgerDecisionDeskTest, TheSecondDecisionIsToldWhoDecidedFirst) {
  EXPECT_EQ(Decide(DecisionVerb::kApprove, "U0ALICE").kind, DecisionAnswer::Kind::kDecided);
  clock_.Advance(absl::Minutes(5));
  const DecisionAnswer second = Decide(DecisionVerb::kReject, "U0BOB", "", "too much");
  EXPECT_EQ(second.kind, DecisionAnswer::Kind::kAlreadyDecided);
  EXPECT_EQ(second.message, "Already approved by <@U0ALICE> at 14:02 UTC.");
  EXPECT_EQ(Entry().status, LedgerStatus::kApproved);
  EXPECT_EQ(Lines("chat.update").size(), 1u);
  EXPECT_EQ(Notices().size(), 1u);
}

TEST_F(LedgerDecisionDeskTest, UnknownSupersededAndRecalculateAreRefusedWithWhy) {
  const DecisionAnswer unknown = Decide(DecisionVerb::kApprove, "U0ALICE", "", "", "E404");
  EXPECT_EQ(unknown.kind, DecisionAnswer::Kind::kRefused);
  EXPECT_EQ(unknown.message, "No credit has execution id E404.");

  const DecisionAnswer recalculate = Decide(DecisionVerb::kRecalculate, "U0ALICE");
  EXPECT_EQ(recalculate.kind, DecisionAnswer::Kind::kRefused);
  EXPECT_EQ(recalculate.message, "To recalculate, reply `recalculate` in the request's thread.");

  ASSERT_TRUE(store_->Supersede("E1", "E2", clock_.Now()).ok());
  const DecisionAnswer superseded = Decide(DecisionVerb::kApprove, "U0ALICE");
  EXPECT_EQ(superseded.kind, DecisionAnswer::Kind::kRefused);
  EXPECT_EQ(superseded.message,
            "This credit was replaced by a recalculation (execution E2): decide on the new reply.");
}

TEST_F(LedgerDecisionDeskTest, ACrashBetweenTheDecisionAndTheUpdateIsFinishedExactlyOnce) {
  // The decision was written, then the process died before Slack was told.
  Decision decision{DecisionKind::kApprove, "U0ALICE", clock_.Now(), "", ""};
  ASSERT_TRUE(store_->Decide("E1", decision).value().applied);
  EXPECT_FALSE(Entry().reply_updated);
  EXPECT_TRUE(Lines("chat.update").empty());

  EXPECT_EQ(desk_.FinishPendingUpdates(), 1);
  EXPECT_TRUE(Entry().reply_updated);
  EXPECT_EQ(Lines("chat.update").size(), 1u);
  EXPECT_EQ(Notices().size(), 1u);
  EXPECT_EQ(Json::parse(DecisionRecord())["via"], "");

  EXPECT_EQ(desk_.FinishPendingUpdates(), 0);
  EXPECT_EQ(Lines("chat.update").size(), 1u);
  EXPECT_EQ(Notices().size(), 1u);
  // The decision is not taken again: a later click is told it was decided.
  EXPECT_EQ(Decide(DecisionVerb::kApprove, "U0BOB").kind, DecisionAnswer::Kind::kAlreadyDecided);
}

TEST_F(LedgerDecisionDeskTest, ANoticePostedBeforeACrashIsNotPostedAgain) {
  ASSERT_TRUE(store_->Decide("E1", Decision{DecisionKind::kApprove, "U0ALICE", clock_.Now(), "", ""})
                  .value()
                  .applied);
  // The notice went out, then the process died before MarkReplyUpdated.
  Reply notice{"C1", "1752588191.000100", "C1:1752588191.000100", "decision:E1", "told", "", "E1"};
  ASSERT_TRUE(outbox_.Post(notice).ok());
  LocalOutbox reopened(dir_.File("outbox.jsonl"));
  LedgerDecisionDesk desk(*store_, audit_, reopened, approvers_, clock_);
  EXPECT_EQ(desk.FinishPendingUpdates(), 1);
  EXPECT_EQ(Notices().size(), 1u);
  EXPECT_EQ(Lines("chat.update").size(), 1u);
}

// Issue 22: while paused, a decision is refused naming who paused, since when and why, and nothing changes
// (the ledger, the audit, Slack); a decision recorded before the pause is not shown until the resume.
TEST_F(LedgerDecisionDeskTest, WhilePausedADecisionIsRefusedNamingWhoAndWhyAndNothingChanges) {
  const absl::Time paused_at = absl::FromCivil(absl::CivilSecond(2025, 7, 16, 14, 0, 0), absl::UTCTimeZone());
  ASSERT_TRUE(store_->SetPause(PauseState{true, "U0OPS", paused_at, "warehouse migration"})->applied);
  const DecisionAnswer refused = Decide(DecisionVerb::kApprove, "U0ALICE");
  EXPECT_EQ(refused.kind, DecisionAnswer::Kind::kRefused);
  EXPECT_EQ(refused.message,
            "creditbot is paused (by <@U0OPS>, since 2025-07-16T14:00:00Z): warehouse migration. Nothing was "
            "recorded; decide again once it is resumed (`creditbot resume`).");
  EXPECT_EQ(Entry().status, LedgerStatus::kAwaiting);
  EXPECT_TRUE(Lines("chat.update").empty());
  EXPECT_TRUE(DecisionRecord().empty());

  // A decision recorded before the pause (its Slack side not yet shown) waits for the resume.
  Decision decision{DecisionKind::kApprove, "U0BOB", clock_.Now(), "", ""};
  ASSERT_TRUE(store_->Decide("E1", decision).value().applied);
  EXPECT_EQ(desk_.FinishPendingUpdates(), 0);
  EXPECT_TRUE(Lines("chat.update").empty());

  ASSERT_TRUE(store_->SetPause(PauseState{false, "U0OPS", clock_.Now(), ""})->applied);
  EXPECT_EQ(desk_.FinishPendingUpdates(), 1);
  EXPECT_EQ(Lines("chat.update").size(), 1u);
}

TEST(PausedRefusal, NamesALocalLoginAsItIs) {
  EXPECT_EQ(PausedRefusal(PauseState{true, "alice", std::nullopt, "why"}),
            "creditbot is paused (by alice): why. Nothing was recorded; decide again once it is resumed "
            "(`creditbot resume`).");
}

}  // namespace
}  // namespace creditbot
