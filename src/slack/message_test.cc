// Tests for SlackMessage parsing, mostly on real payloads from Slack's SDK test suites
// (fixtures/slack/events/java_sdk_tests, socket_mode, web_api); expected values are read off those files.
#include "slack/message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::ReadFixture;
using ::testing::HasSubstr;
using ::testing::StartsWith;

SlackMessage ParseFixture(const std::string& relative, std::string_view default_channel = "") {
  absl::StatusOr<SlackMessage> message =
      ParseSlackMessageLine(ReadFixture("slack/" + relative), default_channel);
  EXPECT_TRUE(message.ok()) << relative << ": " << message.status();
  return message.ok() ? *message : SlackMessage{};
}

void ExpectInvalid(std::string_view json_text, const std::string& message,
                   std::string_view default_channel = "C1") {
  absl::StatusOr<SlackMessage> parsed = ParseSlackMessageLine(json_text, default_channel);
  ASSERT_FALSE(parsed.ok()) << json_text;
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << json_text;
  EXPECT_EQ(parsed.status().message(), message) << json_text;
}

// --- real payloads ------------------------------------------------------------------------------------

TEST(SlackMessage, ParsesPlainMessageEvent) {
  SlackMessage m = ParseFixture("events/java_sdk_tests/message.simple.json");
  EXPECT_EQ(m.channel, "C2147483705");
  EXPECT_EQ(m.user, "U2147483697");
  EXPECT_EQ(m.text, "Hello world");
  EXPECT_EQ(m.ts, "1355517523.000005");
  EXPECT_EQ(m.subtype, "");
  EXPECT_EQ(m.thread_ts, "");
  EXPECT_EQ(m.bot_id, "");
  EXPECT_EQ(m.blocks, nullptr);
  EXPECT_FALSE(m.edited);
  EXPECT_FALSE(m.previous_text.has_value());
  EXPECT_FALSE(m.is_tombstone);
  EXPECT_FALSE(m.IsThreadReply());
}

TEST(SlackMessage, MarksEditedMessages) {
  SlackMessage m = ParseFixture("events/java_sdk_tests/message.edited.json");
  EXPECT_TRUE(m.edited);
  EXPECT_EQ(m.text, "Hello, world!");
}

TEST(SlackMessage, ParsesChannelMessageWithEventTs) {
  SlackMessage m = ParseFixture("events/java_sdk_tests/message.channel.json");
  EXPECT_EQ(m.channel, "C024BE91L");
  EXPECT_EQ(m.text, "Live long and prospect.");
  EXPECT_EQ(m.event_ts, "1355517523.000005");
}

TEST(SlackMessage, ParsesClassicBotMessage) {
  SlackMessage m = ParseFixture("events/java_sdk_tests/message.bot_message.json");
  EXPECT_EQ(m.subtype, "bot_message");
  EXPECT_EQ(m.bot_id, "ABC1234");
  EXPECT_EQ(m.user, "");
  EXPECT_EQ(m.channel, "G024BE91L");
}

TEST(SlackMessage, RecognisesThreadReply) {
  SlackMessage m = ParseFixture("events/java_sdk_tests/message.bot_message.thread_reply.json");
  EXPECT_EQ(m.ts, "1610402265.000300");
  EXPECT_EQ(m.thread_ts, "1610402224.000200");
  EXPECT_TRUE(m.IsThreadReply());
}

TEST(SlackMessage, ParsesMessageWithFiles) {
  SlackMessage m = ParseFixture("events/java_sdk_tests/message.with_files.json");
  EXPECT_EQ(m.text, "Check this snippet");
  EXPECT_EQ(m.user, "U111");
  EXPECT_EQ(m.channel, "C111");
}

TEST(SlackMessage, ParsesChannelJoin) {
  SlackMessage m = ParseFixture("events/java_sdk_tests/message.channel_join.json");
  EXPECT_EQ(m.subtype, "channel_join");
  EXPECT_EQ(m.text, "<@W111> joined");
}

TEST(SlackMessage, MessageChangedTakesTheNewMessagesFields) {
  SlackMessage m = ParseFixture("events/java_sdk_tests/message_changed.thread_reply_edit.json");
  EXPECT_EQ(m.subtype, "message_changed");
  EXPECT_EQ(m.changed_subtype, "");
  EXPECT_EQ(m.channel, "C111");
  EXPECT_EQ(m.ts, "1626342128.008700");
  EXPECT_EQ(m.thread_ts, "1626342092.008500");
  EXPECT_EQ(m.user, "U111");
  EXPECT_EQ(m.text, "updated message");
  EXPECT_EQ(m.previous_text, "test");
  EXPECT_EQ(m.event_ts, "1626342137.008900");
  EXPECT_TRUE(m.edited);
  ASSERT_NE(m.blocks, nullptr);
  EXPECT_TRUE(m.blocks->is_array());
  EXPECT_TRUE(m.IsThreadReply());
  EXPECT_FALSE(m.is_tombstone);
}

TEST(SlackMessage, DetectsTombstoneOfDeletedThreadParent) {
  SlackMessage m = ParseFixture("events/java_sdk_tests/message_changed.tombstone.issue1384.json");
  EXPECT_TRUE(m.is_tombstone);
  EXPECT_EQ(m.changed_subtype, "tombstone");
  EXPECT_EQ(m.user, "USLACKBOT");
  EXPECT_EQ(m.text, "This message was deleted.");
  EXPECT_EQ(m.ts, "1728639839.746989");
  EXPECT_EQ(m.channel, "D0697V");
  EXPECT_EQ(m.previous_text, "need help with VPN");

  SlackMessage other =
      ParseFixture("events/java_sdk_tests/message_changed.tombstone.thread_parent_with_reply.json");
  EXPECT_TRUE(other.is_tombstone);
  EXPECT_EQ(other.previous_text, "hi hi!");
  EXPECT_FALSE(other.IsThreadReply());  // the parent: thread_ts == ts
}

TEST(SlackMessage, AcceptsPreviousMessageAsEmptyArray) {
  SlackMessage m = ParseFixture(
      "events/java_sdk_tests/message_changed.tombstone.previous_message_empty_array.issue784.json");
  EXPECT_TRUE(m.is_tombstone);
  EXPECT_FALSE(m.previous_text.has_value());
  EXPECT_EQ(m.ts, "1626775604.004900");
  EXPECT_EQ(m.channel, "C03E94MKU");
}

TEST(SlackMessage, ParsesMessageDeleted) {
  SlackMessage m = ParseFixture("events/java_sdk_tests/message_deleted.json");
  EXPECT_EQ(m.subtype, "message_deleted");
  EXPECT_EQ(m.deleted_ts, "1626387317.008600");
  EXPECT_EQ(m.ts, "1626387318.008700");
  EXPECT_EQ(m.channel, "C111");
  EXPECT_EQ(m.text, "");
  EXPECT_EQ(m.previous_text, "test prep");
  EXPECT_EQ(m.bot_id, "");  // the deleted message was a bot's; the deletion event itself is not
}

TEST(SlackMessage, UnwrapsSocketModeEnvelope) {
  SlackMessage m = ParseFixture("socket_mode/envelope.events_api.message.python-sdk-mock.json");
  EXPECT_EQ(m.channel, "C111");
  EXPECT_EQ(m.user, "U222");
  EXPECT_EQ(m.text, "<@U111> Hi here!");
  EXPECT_EQ(m.ts, "1610241741.000200");
}

TEST(SlackMessage, UnwrapsEventCallbackEnvelope) {
  const nlohmann::json envelope =
      nlohmann::json::parse(ReadFixture("slack/socket_mode/envelope.events_api.message.python-sdk-mock.json"))
          .at("payload");
  ASSERT_EQ(envelope.at("type"), "event_callback");
  absl::StatusOr<SlackMessage> m = ParseSlackMessage(envelope, "CDEFAULT");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->channel, "C111");  // the event's channel wins over the default
  EXPECT_EQ(m->user, "U222");
}

TEST(SlackMessage, RejectsNonMessageEvents) {
  ExpectInvalid(ReadFixture("slack/socket_mode/envelope.events_api.app_mention.python-sdk-mock.json"),
                "not a message event (type \"app_mention\")");
  ExpectInvalid(ReadFixture("slack/events/java_sdk_tests/link_shared.json"),
                "not a message event (type \"link_shared\")");
  ExpectInvalid(ReadFixture("slack/events/event_callback.reaction_added.python-slack-events-api.json"),
                "not a message event (type \"reaction_added\")");
  ExpectInvalid(ReadFixture("slack/socket_mode/hello.python-sdk-mock.json"),
                "not a message event (type \"hello\")");
}

TEST(SlackMessage, ParsesHistoryItemWithCallersChannel) {
  const nlohmann::json page = nlohmann::json::parse(
      ReadFixture("slack/web_api/conversations.history.with_unfurl.java-sdk-issue1207.json"));
  const nlohmann::json& item = page.at("messages").at(0);
  absl::StatusOr<SlackMessage> m = ParseSlackMessage(item, "C123");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->channel, "C123");
  EXPECT_EQ(m->ts, "1695106171.334469");
  EXPECT_EQ(m->text, "test\n<https://xxx.slack.com/archives/C123/p1695106171334469>");
  EXPECT_TRUE(m->edited);
  EXPECT_EQ(m->event_ts, "");
  ASSERT_NE(m->blocks, nullptr);
  EXPECT_EQ(m->blocks->at(0).at("type"), "rich_text");

  absl::StatusOr<SlackMessage> no_channel = ParseSlackMessage(item, "");
  EXPECT_EQ(no_channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_channel.status().message(), "message has no channel");
}

// --- constructed edge cases ---------------------------------------------------------------------------

TEST(SlackMessage, ReportsInvalidJson) {
  absl::StatusOr<SlackMessage> m = ParseSlackMessageLine(R"({"type": "message",)", "C1");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(m.status().message()), StartsWith("not JSON: "));
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("parse error"));
  EXPECT_FALSE(ParseSlackMessageLine("", "C1").ok());
}

TEST(SlackMessage, RejectsNonObjects) {
  ExpectInvalid("[1, 2]", "message JSON is not an object");
  ExpectInvalid("\"text\"", "message JSON is not an object");
  ExpectInvalid("null", "message JSON is not an object");
}

TEST(SlackMessage, RequiresTs) {
  ExpectInvalid(R"({"type": "message", "text": "hi", "user": "U1"})", "message has no ts");
  ExpectInvalid(R"({"type": "message", "text": "hi", "ts": null})", "message has no ts");
  ExpectInvalid(R"({"subtype": "message_changed", "channel": "C1", "message": {"text": "x"}})",
                "message has no ts");
}

TEST(SlackMessage, RejectsMalformedTimestamps) {
  ExpectInvalid(R"({"text": "hi", "ts": "abc"})", "message ts \"abc\" is not a Slack timestamp");
  ExpectInvalid(R"({"text": "hi", "ts": "1.2.3"})", "message ts \"1.2.3\" is not a Slack timestamp");
  ExpectInvalid(R"({"text": "hi", "ts": "1."})", "message ts \"1.\" is not a Slack timestamp");
  ExpectInvalid(R"({"text": "hi", "ts": "1.5", "thread_ts": "../x"})",
                "message thread_ts \"../x\" is not a Slack timestamp");
  ExpectInvalid(R"({"text": "hi", "ts": 1355517523.000005})", "message field \"ts\" is not a string");
}

TEST(SlackMessage, RequiresTextOnUserMessages) {
  ExpectInvalid(R"({"type": "message", "user": "U1", "ts": "1.5"})", "message has no text");
  ExpectInvalid(R"({"type": "message", "subtype": "file_share", "user": "U1", "ts": "1.5"})",
                "message has no text");
  ExpectInvalid(R"({"type": "message", "user": "U1", "ts": "1.5", "text": null})", "message has no text");
  ExpectInvalid(R"({"type": "message", "user": "U1", "ts": "1.5", "text": 5})",
                "message field \"text\" is not a string");
}

TEST(SlackMessage, TextMayBeMissingWhereSlackLegitimatelyOmitsIt) {
  EXPECT_TRUE(ParseSlackMessageLine(R"({"bot_id": "B1", "ts": "1.5", "attachments": []})", "C1").ok());
  EXPECT_TRUE(ParseSlackMessageLine(R"({"subtype": "bot_message", "ts": "1.5"})", "C1").ok());
  EXPECT_TRUE(
      ParseSlackMessageLine(R"({"subtype": "message_deleted", "ts": "2.5", "deleted_ts": "1.5"})", "C1")
          .ok());
  absl::StatusOr<SlackMessage> changed = ParseSlackMessageLine(
      R"({"subtype": "message_changed", "ts": "2.5", "message": {"ts": "1.5", "user": "U1"},
          "previous_message": {"text": "old"}})",
      "C1");
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->text, "");
  EXPECT_EQ(changed->previous_text, "old");
  EXPECT_EQ(changed->event_ts, "2.5");
}

TEST(SlackMessage, RejectsMalformedSubtypePayloads) {
  ExpectInvalid(R"({"subtype": "message_changed", "ts": "2.5", "message": []})",
                "message_changed event has no message object");
  ExpectInvalid(R"({"subtype": "message_deleted", "ts": "2.5"})", "message_deleted event has no deleted_ts");
  ExpectInvalid(R"({"type": "event_callback", "event": "x"})", "event_callback has no event object");
  ExpectInvalid(R"({"type": "events_api", "payload": null})", "events_api envelope has no payload object");
  ExpectInvalid(
      R"({"type": "events_api", "payload": {"event": {"type": "message", "text": "x", "ts": "1.5"}}})",
      "events_api envelope does not carry an event_callback");
}

TEST(SlackMessage, RejectsWrongFieldTypes) {
  ExpectInvalid(R"({"text": "hi", "ts": "1.5", "user": {"id": "U1"}})",
                "message field \"user\" is not a string");
  ExpectInvalid(R"({"text": "hi", "ts": "1.5", "channel": 7})", "message field \"channel\" is not a string");
  ExpectInvalid(R"({"type": 1, "text": "hi", "ts": "1.5"})", "message field \"type\" is not a string");
}

TEST(SlackMessage, NullBlocksAreAbsentAndOtherBlocksAreKept) {
  absl::StatusOr<SlackMessage> null_blocks =
      ParseSlackMessageLine(R"({"text": "", "ts": "1.5", "blocks": null})", "C1");
  ASSERT_TRUE(null_blocks.ok());
  EXPECT_EQ(null_blocks->blocks, nullptr);
  absl::StatusOr<SlackMessage> odd_blocks =
      ParseSlackMessageLine(R"({"text": "", "ts": "1.5", "blocks": 3})", "C1");
  ASSERT_TRUE(odd_blocks.ok());
  ASSERT_NE(odd_blocks->blocks, nullptr);
  EXPECT_EQ(*odd_blocks->blocks, 3);
}

TEST(SlackMessage, RejectsBlocksNestedDeeperThan64Levels) {
  std::string deep =
      R"({"text": "", "ts": "1.5", "blocks": )" + std::string(65, '[') + std::string(65, ']') + "}";
  ExpectInvalid(deep, "message blocks are nested deeper than 64 levels");
  std::string ok =
      R"({"text": "", "ts": "1.5", "blocks": )" + std::string(64, '[') + std::string(64, ']') + "}";
  EXPECT_TRUE(ParseSlackMessageLine(ok, "C1").ok());
}

TEST(SlackMessage, LongValuesAreShortenedInErrors) {
  ExpectInvalid(R"({"text": "hi", "ts": ")" + std::string(100, 'x') + "\"}",
                "message ts \"" + std::string(40, 'x') + "…\" is not a Slack timestamp");
}

}  // namespace
}  // namespace creditbot
