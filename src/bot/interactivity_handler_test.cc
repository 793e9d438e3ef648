// Tests for InteractivityHandler on Slack's own payloads (fixtures) with creditbot's action ids put in: the
// immediate answer, then what reaches a recording DecisionDesk and a recording responder.
#include "bot/interactivity_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/decision_commands.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::ReadFixture;
using Json = nlohmann::json;

class RecordingDesk : public DecisionDesk {
 public:
  bool IsApprover(const std::string& user) override { return user == "U111" || user == "U12345678"; }
  std::string WhoCanDecide() override { return "<@U111> or <@U12345678>"; }
  DecisionAnswer Decide(const DecisionRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex);
    requests.push_back(request);
    return answer;
  }
  int FinishPendingUpdates() override { return 0; }
  std::vector<DecisionRequest> Requests() {
    std::lock_guard<std::mutex> lock(mutex);
    return requests;
  }

  std::mutex mutex;
  std::vector<DecisionRequest> requests;
  DecisionAnswer answer{DecisionAnswer::Kind::kDecided, "", {}};
};

class RecordingResponder : public InteractionResponder {
 public:
  absl::Status OpenModal(std::string_view trigger_id, const Json& view) override {
    calls.push_back("views.open " + std::string(trigger_id) + " " + view.value("callback_id", "") + " " +
                    view.value("private_metadata", ""));
    return absl::OkStatus();
  }
  absl::Status RespondEphemeral(std::string_view response_url, std::string_view text) override {
    calls.push_back("response_url " + std::string(response_url) + " " + std::string(text));
    return absl::OkStatus();
  }
  absl::Status PostEphemeral(std::string_view channel, std::string_view user, std::string_view thread_ts,
                             std::string_view text) override {
    calls.push_back("chat.postEphemeral " + std::string(channel) + " " + std::string(user) + " " +
                    std::string(thread_ts) + " " + std::string(text));
    return absl::OkStatus();
  }
  std::vector<std::string> calls;
};

// The Socket Mode fixture's block_actions click (user U111, trigger 111.222.xxx, response_url
// https://hooks.slack.com/actions/T111/111/xxx) on a button with `action_id` and `value`.
Json Click(const std::string& action_id, const std::string& value, const std::string& user = "U111") {
  Json payload =
      Json::parse(
          ReadFixture("slack/socket_mode/envelope.interactive.block_actions_button.java-sdk-mock.json"))
          .at("payload");
  payload["actions"][0]["action_id"] = action_id;
  payload["actions"][0]["value"] = value;
  payload["user"]["id"] = user;
  return payload;
}

// The Java SDK's view_submission (user U12345678) as one of our modals.
Json Submission(const std::string& callback_id, const std::string& execution_id, const std::string& amount,
                const std::string& reason) {
  Json payload = Json::parse(ReadFixture("slack/events/interactive/view_submission.java-sdk-test.json"));
  payload["view"]["callback_id"] = callback_id;
  payload["view"]["private_metadata"] = execution_id;
  Json values = Json::object();
  values["creditbot_reason"]["reason"] = {{"type", "plain_text_input"}, {"value", reason}};
  if (callback_id == kAdjustModalCallbackId)
    values["creditbot_amount"]["amount"] = {{"type", "plain_text_input"}, {"value", amount}};
  payload["view"]["state"]["values"] = values;
  return payload;
}

class InteractivityHandlerTest : public ::testing::Test {
 protected:
  RecordingDesk desk_;
  RecordingResponder responder_;
  InteractivityHandler handler_{desk_, responder_};
};

TEST_F(InteractivityHandlerTest, ApproveClickDecidesAfterAnEmptyAck) {
  const InteractionAck ack = handler_.Accept(Click(kApproveActionId, "exec-1"), "test");
  EXPECT_EQ(ack.result, "decide");
  EXPECT_TRUE(ack.response.is_null());
  EXPECT_TRUE(desk_.Requests().empty());  // nothing before the ack
  EXPECT_EQ(handler_.RunQueued(), 1);
  ASSERT_EQ(desk_.Requests().size(), 1u);
  const DecisionRequest request = desk_.Requests()[0];
  EXPECT_EQ(request.execution_id, "exec-1");
  EXPECT_EQ(request.command.verb, DecisionVerb::kApprove);
  EXPECT_EQ(request.actor, "U111");
  EXPECT_EQ(request.via, "button");
  EXPECT_TRUE(responder_.calls.empty());  // the desk updates the reply itself
}

TEST_F(InteractivityHandlerTest, TheDesksRefusalGoesToTheClickerAloneByResponseUrl) {
  desk_.answer = {DecisionAnswer::Kind::kAlreadyDecided, "already approved by <@U111> at 14:02 UTC", {}};
  handler_.Accept(Click(kApproveActionId, "exec-1", "U999"), "test");
  handler_.RunQueued();
  ASSERT_EQ(desk_.Requests().size(), 1u);
  EXPECT_THAT(responder_.calls,
              ::testing::ElementsAre("response_url https://hooks.slack.com/actions/T111/111/xxx already "
                                     "approved by <@U111> at 14:02 UTC"));
}

TEST_F(InteractivityHandlerTest, RejectClickOpensTheModalWithTheTriggerId) {
  const InteractionAck ack = handler_.Accept(Click(kRejectActionId, "exec-2"), "test");
  EXPECT_EQ(ack.result, "open_modal");
  handler_.RunQueued();
  EXPECT_THAT(responder_.calls,
              ::testing::ElementsAre("views.open 111.222.xxx creditbot_reject_modal exec-2"));
  EXPECT_TRUE(desk_.Requests().empty());
}

TEST_F(InteractivityHandlerTest, AdjustClickByANonApproverGetsTheDesksRefusalAndNoModal) {
  desk_.answer = {
      DecisionAnswer::Kind::kNotApprover, "Only <@U111> or <@U12345678> can decide on credits.", {}};
  handler_.Accept(Click(kAdjustActionId, "exec-2", "U999"), "test");
  handler_.RunQueued();
  EXPECT_THAT(
      responder_.calls,
      ::testing::ElementsAre("response_url https://hooks.slack.com/actions/T111/111/xxx Only <@U111> or "
                             "<@U12345678> can decide on credits."));
  ASSERT_EQ(desk_.Requests().size(), 1u);  // the desk refuses a non-approver before anything else
  EXPECT_EQ(desk_.Requests()[0].actor, "U999");
  EXPECT_EQ(desk_.Requests()[0].command.verb, DecisionVerb::kAdjust);
}

TEST_F(InteractivityHandlerTest, DecisionsGoThroughTheRunnerAndTheirAnswersComeBack) {
  std::vector<std::function<void(DecisionDesk&)>> posted;  // what the Service worker would run
  handler_.SetDecisionRunner(
      [&posted](std::function<void(DecisionDesk&)> decide) { posted.push_back(decide); });
  handler_.Accept(Click(kApproveActionId, "exec-9"), "test");
  EXPECT_EQ(handler_.RunQueued(), 1);
  EXPECT_TRUE(desk_.Requests().empty());  // not on the handler's thread
  ASSERT_EQ(posted.size(), 1u);
  RecordingDesk owner_desk;  // the runtime's desk, on the worker
  owner_desk.answer = {DecisionAnswer::Kind::kAlreadyDecided, "already approved by <@U111>", {}};
  posted[0](owner_desk);
  ASSERT_EQ(owner_desk.Requests().size(), 1u);
  EXPECT_EQ(handler_.RunQueued(), 1);  // the answer, back on the handler's thread
  EXPECT_THAT(responder_.calls,
              ::testing::ElementsAre("response_url https://hooks.slack.com/actions/T111/111/xxx "
                                     "already approved by <@U111>"));
}

TEST_F(InteractivityHandlerTest, AdjustSubmissionDecidesWithTheNormalisedAmount) {
  const InteractionAck ack =
      handler_.Accept(Submission(kAdjustModalCallbackId, "exec-3", "$1,200", "  partial overlap "), "test");
  EXPECT_EQ(ack.result, "decide");
  EXPECT_TRUE(ack.response.is_null());  // an empty answer closes the modal
  handler_.RunQueued();
  ASSERT_EQ(desk_.Requests().size(), 1u);
  const DecisionRequest request = desk_.Requests()[0];
  EXPECT_EQ(request.execution_id, "exec-3");
  EXPECT_EQ(request.command.verb, DecisionVerb::kAdjust);
  EXPECT_EQ(request.command.amount, "1200.00");
  EXPECT_EQ(request.command.reason, "partial overlap");
  EXPECT_EQ(request.actor, "U12345678");
  EXPECT_EQ(request.via, "modal");
}

TEST_F(InteractivityHandlerTest, RejectSubmissionCarriesTheReason) {
  handler_.Accept(Submission(kRejectModalCallbackId, "exec-4", "", "duplicate of an earlier request"),
                  "test");
  handler_.RunQueued();
  ASSERT_EQ(desk_.Requests().size(), 1u);
  EXPECT_EQ(desk_.Requests()[0].command.verb, DecisionVerb::kReject);
  EXPECT_EQ(desk_.Requests()[0].command.reason, "duplicate of an earlier request");
}

TEST_F(InteractivityHandlerTest, BadFieldsKeepTheModalOpenAndDecideNothing) {
  const InteractionAck ack = handler_.Accept(Submission(kAdjustModalCallbackId, "exec-5", "-5", " "), "test");
  EXPECT_EQ(ack.result, "view_errors");
  EXPECT_EQ(ack.response["response_action"], "errors");
  EXPECT_EQ(ack.response["errors"]["creditbot_reason"],
            "Say why the amount is adjusted: the requester sees it.");
  EXPECT_THAT(ack.response["errors"]["creditbot_amount"].get<std::string>(),
              ::testing::HasSubstr("negative"));
  EXPECT_EQ(handler_.RunQueued(), 0);
  EXPECT_TRUE(desk_.Requests().empty());

  const InteractionAck no_reason = handler_.Accept(Submission(kRejectModalCallbackId, "exec-5", "", ""), "t");
  EXPECT_EQ(no_reason.response["errors"],
            Json::parse(R"({"creditbot_reason":"Say why the credit is rejected: the requester sees it."})"));
}

TEST_F(InteractivityHandlerTest, ASubmissionTheDeskRefusesIsAnsweredInTheThread) {
  LedgerEntry entry;
  entry.channel = "C0REQUESTS";
  entry.ts = "1700000000.000100";
  desk_.answer = {DecisionAnswer::Kind::kAlreadyDecided, "already rejected by <@U111>: duplicate", entry};
  handler_.Accept(Submission(kRejectModalCallbackId, "exec-6", "", "late"), "test");
  handler_.RunQueued();
  EXPECT_THAT(responder_.calls,
              ::testing::ElementsAre("chat.postEphemeral C0REQUESTS U12345678 1700000000.000100 already "
                                     "rejected by <@U111>: duplicate"));
}

TEST_F(InteractivityHandlerTest, OtherInteractionsAreNotOursAndHaveNoEffect) {
  for (const char* fixture :
       {"slack/events/interactive/message_action.with_link.java-sdk-test.json",
        "slack/events/interactive/block_actions.button.message_attachment.java-sdk-test.json",
        "slack/events/interactive/view_submission.java-sdk-test.json"}) {
    const InteractionAck ack = handler_.Accept(Json::parse(ReadFixture(fixture)), "test");
    EXPECT_EQ(ack.result, "not_ours") << fixture;
    EXPECT_TRUE(ack.response.is_null()) << fixture;
  }
  const Json shortcut =
      Json::parse(ReadFixture("slack/socket_mode/envelope.interactive.shortcut.python-sdk-mock.json"));
  EXPECT_EQ(handler_.Accept(shortcut.at("payload"), "test").result, "not_ours");
  EXPECT_EQ(handler_.Accept(Click(kApproveActionId, ""), "test").result, "not_ours");  // no execution id
  EXPECT_EQ(handler_.Accept(Json::array(), "test").result, "bad_request");
  EXPECT_EQ(handler_.RunQueued(), 0);
  EXPECT_TRUE(desk_.Requests().empty());
  EXPECT_TRUE(responder_.calls.empty());
}

TEST_F(InteractivityHandlerTest, TheWorkerThreadHandlesQueuedClicks) {
  handler_.Start();
  handler_.Accept(Click(kApproveActionId, "exec-7"), "test");
  for (int i = 0; i < 500 && desk_.Requests().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  handler_.Stop();
  ASSERT_EQ(desk_.Requests().size(), 1u);
  EXPECT_EQ(desk_.Requests()[0].execution_id, "exec-7");
}

TEST_F(InteractivityHandlerTest, AFullQueueDropsTheClick) {
  InteractivityHandler small(desk_, responder_, /*max_queue=*/1);
  EXPECT_EQ(small.Accept(Click(kApproveActionId, "a"), "test").result, "decide");
  EXPECT_EQ(small.Accept(Click(kApproveActionId, "b"), "test").result, "queue_full");
  EXPECT_EQ(small.RunQueued(), 1);
}

}  // namespace
}  // namespace creditbot
