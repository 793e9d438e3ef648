// Tests for the interactivity payload reader on Slack's own SDK test payloads
// (tests/fixtures/slack/events/interactive/, socket_mode/envelope.interactive.*), the form decoding, the
// limits on untrusted input and the two modals. Expected values are read off the fixtures by hand.
#include "slack/interactivity.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "core/decision_commands.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::ReadFixture;
using ::testing::HasSubstr;
using Json = nlohmann::json;

InteractionPayload ParseFixture(const std::string& name) {
  absl::StatusOr<InteractionPayload> parsed = ParseInteractionPayloadText(ReadFixture(name));
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : InteractionPayload{};
}

TEST(InteractionPayload, ReadsTheJavaSdkBlockActionsButtonClick) {
  const InteractionPayload p =
      ParseFixture("slack/events/interactive/block_actions.button.message_attachment.java-sdk-test.json");
  EXPECT_EQ(p.type, "block_actions");
  EXPECT_TRUE(p.IsBlockActions());
  EXPECT_EQ(p.user_id, "UA8RXUSPL");
  EXPECT_EQ(p.user_name, "jtorrance");
  EXPECT_EQ(p.team_id, "T9TK3CUKW");
  EXPECT_EQ(p.trigger_id, "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3");
  EXPECT_EQ(p.response_url, "https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209");
  EXPECT_EQ(p.channel_id, "CBR2V3XEX");
  EXPECT_EQ(p.message_ts, "1548261231.000200");
  EXPECT_EQ(p.thread_ts, "");
  ASSERT_EQ(p.actions.size(), 1u);
  EXPECT_EQ(p.actions[0].action_id, "WaXA");
  EXPECT_EQ(p.actions[0].block_id, "=qXel");
  EXPECT_EQ(p.actions[0].value, "click_me_123");
  EXPECT_EQ(p.actions[0].type, "button");
}

TEST(InteractionPayload, ReadsTheSocketModeInteractiveEnvelopesPayload) {
  const Json envelope = Json::parse(
      ReadFixture("slack/socket_mode/envelope.interactive.block_actions_button.java-sdk-mock.json"));
  absl::StatusOr<InteractionPayload> p = ParseInteractionPayload(envelope.at("payload"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->type, "block_actions");
  EXPECT_EQ(p->user_id, "U111");
  EXPECT_EQ(p->user_name, "test-test-test");
  EXPECT_EQ(p->team_id, "T111");
  EXPECT_EQ(p->trigger_id, "111.222.xxx");
  EXPECT_EQ(p->response_url, "https://hooks.slack.com/actions/T111/111/xxx");
  EXPECT_EQ(p->channel_id, "C111");
  EXPECT_EQ(p->message_ts, "1605853634.000400");
  ASSERT_EQ(p->actions.size(), 1u);
  EXPECT_EQ(p->actions[0].action_id, "a");
  EXPECT_EQ(p->actions[0].block_id, "b");
  EXPECT_EQ(p->actions[0].value, "underlying");
}

TEST(InteractionPayload, ReadsTheJavaSdkViewSubmissionState) {
  const InteractionPayload p = ParseFixture("slack/events/interactive/view_submission.java-sdk-test.json");
  EXPECT_TRUE(p.IsViewSubmission());
  EXPECT_EQ(p.user_id, "U12345678");
  EXPECT_EQ(p.user_name, "user-name");
  EXPECT_EQ(p.team_id, "T12345678");
  EXPECT_EQ(p.view_id, "V12345678");
  EXPECT_EQ(p.callback_id, "modal-callback-id");
  EXPECT_EQ(p.private_metadata, "");
  EXPECT_EQ(p.response_url, "");
  EXPECT_TRUE(p.actions.empty());
  // plain_text_input → value; static_select → selected_option.value; datepicker → selected_date.
  EXPECT_EQ(p.StateValue("comment", "single_action"), "Just amazing!");
  EXPECT_EQ(p.StateValue("rating", "single_action"), "3");
  EXPECT_EQ(p.StateValue("date-of-visit", "single_action"), "2019-09-23");
  EXPECT_EQ(p.StateValue("comment", "other"), "");
  EXPECT_EQ(p.StateValue("nothing", "single_action"), "");
  EXPECT_EQ(p.state_values.size(), 3u);
}

TEST(InteractionPayload, ReadsOtherTypesAsFarAsTheCommonFieldsGo) {
  const InteractionPayload action =
      ParseFixture("slack/events/interactive/message_action.with_link.java-sdk-test.json");
  EXPECT_EQ(action.type, "message_action");
  EXPECT_FALSE(action.IsBlockActions());
  EXPECT_FALSE(action.IsViewSubmission());
  EXPECT_EQ(action.user_id, "U0D15K92L");
  EXPECT_EQ(action.user_name, "dr_maomao");
  EXPECT_EQ(action.channel_id, "D0LFFBKLZ");
  EXPECT_EQ(action.message_ts, "1516229207.000133");
  EXPECT_TRUE(action.actions.empty());

  const Json shortcut =
      Json::parse(ReadFixture("slack/socket_mode/envelope.interactive.shortcut.python-sdk-mock.json"));
  absl::StatusOr<InteractionPayload> p = ParseInteractionPayload(shortcut.at("payload"));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->type, "shortcut");
  EXPECT_EQ(p->user_id, "U111");
  EXPECT_EQ(p->trigger_id, "111.222.xxx");
}

TEST(InteractionPayload, MistypedMembersReadAsEmptyNeverThrow) {
  absl::StatusOr<InteractionPayload> p = ParseInteractionPayloadText(
      R"({"type":"block_actions","user":"U1","container":[],"actions":[1,{"action_id":5,"value":"v"}],)"
      R"("view":{"state":{"values":{"b":{"a":{"value":7}},"c":"x"}}}})");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->user_id, "");
  EXPECT_EQ(p->channel_id, "");
  ASSERT_EQ(p->actions.size(), 1u);
  EXPECT_EQ(p->actions[0].action_id, "");
  EXPECT_EQ(p->actions[0].value, "v");
  EXPECT_EQ(p->StateValue("b", "a"), "");
}

TEST(InteractionPayload, RefusesWhatIsNotAPayload) {
  EXPECT_EQ(ParseInteractionPayloadText("payload=").status().message(), "interactivity payload is not JSON");
  EXPECT_EQ(ParseInteractionPayloadText("[1]").status().message(),
            "interactivity payload is not a JSON object");
  EXPECT_EQ(ParseInteractionPayloadText(R"({"type":3})").status().message(),
            "interactivity payload has no string \"type\"");
  EXPECT_EQ(ParseInteractionPayloadText(std::string(100, '[') + std::string(100, ']')).status().message(),
            "interactivity payload is nested deeper than 64 levels");
  EXPECT_EQ(ParseInteractionPayloadText(std::string(kMaxInteractionPayloadBytes + 1, ' ')).status().message(),
            "interactivity payload is larger than 1 MiB");
}

TEST(InteractionPayload, KeepsAtMostKMaxActionsAndCutsLongFields) {
  Json payload = {{"type", "block_actions"}, {"trigger_id", std::string(5000, 't')}};
  for (int i = 0; i < 40; ++i) payload["actions"].push_back({{"action_id", "a"}, {"value", "v"}});
  absl::StatusOr<InteractionPayload> p = ParseInteractionPayload(payload);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->actions.size(), 25u);
  EXPECT_EQ(p->trigger_id.size(), 3000u);
}

TEST(InteractionPayloadFromForm, DecodesThePayloadParameter) {
  // {"type":"block_actions","text":"a b+c"} url-encoded as Slack sends it, with '+' for a space.
  absl::StatusOr<std::string> json = InteractionPayloadFromForm(
      "other=1&payload=%7B%22type%22%3A%22block_actions%22%2C%22text%22%3A%22a+b%2Bc%22%7D");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, R"({"type":"block_actions","text":"a b+c"})");
  EXPECT_EQ(InteractionPayloadFromForm("ssl_check=1").status().message(),
            "the form has no payload parameter");
  EXPECT_EQ(InteractionPayloadFromForm("payload=").status().message(), "the form has no payload parameter");
  EXPECT_EQ(InteractionPayloadFromForm("").status().message(), "the form has no payload parameter");
}

TEST(Modals, RejectAsksAReasonAndCarriesTheExecutionId) {
  const Json view = RejectModalView("20260115T123456Z-3f9c");
  EXPECT_EQ(view["type"], "modal");
  EXPECT_EQ(view["callback_id"], "creditbot_reject_modal");
  EXPECT_EQ(view["private_metadata"], "20260115T123456Z-3f9c");
  EXPECT_EQ(view["submit"]["text"], "Reject");
  ASSERT_EQ(view["blocks"].size(), 2u);
  const Json& input = view["blocks"][1];
  EXPECT_EQ(input["type"], "input");
  EXPECT_EQ(input["block_id"], "creditbot_reason");
  EXPECT_EQ(input["element"]["type"], "plain_text_input");
  EXPECT_EQ(input["element"]["action_id"], "reason");
  EXPECT_EQ(input["element"]["multiline"], true);
  // Slack refuses a modal title over 24 characters.
  EXPECT_LE(view["title"]["text"].get<std::string>().size(), 24u);
}

TEST(Modals, AdjustAsksAnAmountAndAReason) {
  const Json view = AdjustModalView("exec-7", "4948.80");
  EXPECT_EQ(view["callback_id"], "creditbot_adjust_modal");
  EXPECT_EQ(view["private_metadata"], "exec-7");
  ASSERT_EQ(view["blocks"].size(), 3u);
  EXPECT_EQ(view["blocks"][1]["block_id"], "creditbot_amount");
  EXPECT_EQ(view["blocks"][1]["element"]["action_id"], "amount");
  EXPECT_EQ(view["blocks"][1]["hint"]["text"], "The recommendation was $4948.80.");
  EXPECT_EQ(view["blocks"][2]["block_id"], "creditbot_reason");
  EXPECT_FALSE(AdjustModalView("exec-7")["blocks"][1].contains("hint"));
}

TEST(Modals, ViewErrorsKeepTheModalOpenWithAMessagePerField) {
  EXPECT_EQ(ViewErrorsResponse({{"creditbot_amount", "not an amount"}, {"creditbot_reason", "say why"}}),
            Json::parse(R"({"response_action":"errors","errors":{"creditbot_amount":"not an amount",)"
                        R"("creditbot_reason":"say why"}})"));
}

}  // namespace
}  // namespace creditbot
