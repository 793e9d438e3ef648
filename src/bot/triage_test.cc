// Tests for Triage: which messages become requests, which ask for a link, which are skipped and why.
// Rules come from research/slack.md §0.3 and §5 and ARCHITECTURE.md (triage stage).
#include "bot/triage.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TriageConfig Config() {
  TriageConfig config;
  config.looker = *ParseLookerBase("https://looker.example.com");
  config.own_user_id = "UBOT";
  config.own_bot_id = "BBOT";
  config.allowed_bot_ids = {"BWORKFLOW"};
  return config;
}

SlackMessage UserMessage(std::string text) {
  SlackMessage m;
  m.channel = "C1";
  m.ts = "1700000000.000100";
  m.user = "U1";
  m.text = std::move(text);
  return m;
}

SlackMessage Fixture(const std::string& name) {
  absl::StatusOr<SlackMessage> m =
      ParseSlackMessageLine(testing::ReadFixture("slack/events/java_sdk_tests/" + name), "");
  EXPECT_TRUE(m.ok()) << name << ": " << m.status();
  return m.ok() ? *m : SlackMessage{};
}

std::vector<std::string> LinkUrls(const TriageDecision& d) {
  std::vector<std::string> urls;
  urls.reserve(d.looker_links.size());
  for (const LookerRef& ref : d.looker_links) urls.push_back(ref.url);
  return urls;
}

// --- requests and missing links -----------------------------------------------------------------------

TEST(Triage, MessageWithLookLinkIsARequest) {
  TriageDecision d =
      Triage(UserMessage("please credit <https://looker.example.com/looks/42|fraud report>"), Config());
  EXPECT_EQ(d.action, TriageDecision::kRequest);
  EXPECT_EQ(d.reason, "looker_link");
  ASSERT_EQ(d.looker_links.size(), 1u);
  EXPECT_EQ(d.looker_links[0].kind, LinkKind::kLook);
  EXPECT_EQ(d.looker_links[0].id, "42");
  EXPECT_THAT(d.ignored_links, IsEmpty());
  EXPECT_FALSE(d.is_edit);
}

TEST(Triage, MessageWithoutLookerLinkAsksForOne) {
  TriageDecision d =
      Triage(UserMessage("credit AC123 please, see <https://wiki.example.com/case/1|case>"), Config());
  EXPECT_EQ(d.action, TriageDecision::kAskForLink);
  EXPECT_EQ(d.reason, "no_looker_link");
  EXPECT_THAT(d.looker_links, IsEmpty());
  EXPECT_THAT(d.ignored_links, ElementsAre(SlackLink{"https://wiki.example.com/case/1", "case"}));
}

TEST(Triage, MessageWithNoLinkAtAllAsksForOne) {
  EXPECT_EQ(Triage(UserMessage("credit AC123 please"), Config()).action, TriageDecision::kAskForLink);
}

TEST(Triage, LookalikeHostsAndBareUrlsAreNotLookerLinks) {
  TriageDecision d = Triage(UserMessage("<https://looker.example.com.evil.test/looks/1> "
                                        "<https://looker.example.com@evil.test/looks/2> "
                                        "https://looker.example.com/looks/3"),
                            Config());
  EXPECT_EQ(d.action, TriageDecision::kAskForLink);
  EXPECT_EQ(d.ignored_links.size(), 2u);
}

TEST(Triage, UnresolvableLinkOnOurHostStillMakesARequest) {
  TriageDecision d = Triage(UserMessage("<https://looker.example.com/folders/12>"), Config());
  EXPECT_EQ(d.action, TriageDecision::kRequest);
  ASSERT_EQ(d.looker_links.size(), 1u);
  EXPECT_EQ(d.looker_links[0].kind, LinkKind::kLookerOther);
}

TEST(Triage, KeepsLookerLinksInOrderOnceEachAndSeparatesOthers) {
  TriageDecision d =
      Triage(UserMessage("<https://looker.example.com/dashboards/7|dash> <https://other.test/> "
                         "<https://looker.example.com/x/AbC> <https://looker.example.com/dashboards/7>"),
             Config());
  EXPECT_EQ(d.action, TriageDecision::kRequest);
  EXPECT_THAT(LinkUrls(d),
              ElementsAre("https://looker.example.com/dashboards/7", "https://looker.example.com/x/AbC"));
  EXPECT_THAT(d.ignored_links, ElementsAre(SlackLink{"https://other.test/", ""}));
}

TEST(Triage, DecodesEntitiesBeforeClassifying) {
  TriageDecision d = Triage(
      UserMessage("<https://looker.example.com/explore/sms/usage?fields=usage.count&amp;qid=Q1>"), Config());
  ASSERT_EQ(d.looker_links.size(), 1u);
  EXPECT_EQ(d.looker_links[0].kind, LinkKind::kExplore);
  EXPECT_EQ(d.looker_links[0].id, "Q1");
}

TEST(Triage, TakesLinksFromRichTextBlocksWhenPresent) {
  SlackMessage m = UserMessage("see report");  // text without the link: blocks are what counts
  m.blocks = std::make_shared<const nlohmann::json>(nlohmann::json::parse(
      R"([{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
           {"type": "text", "text": "see "}, {"type": "link", "url": "https://looker.example.com/looks/9"}]}]}])"));
  TriageDecision d = Triage(m, Config());
  EXPECT_EQ(d.action, TriageDecision::kRequest);
  EXPECT_THAT(LinkUrls(d), ElementsAre("https://looker.example.com/looks/9"));
}

TEST(Triage, FileShareIsHandled) {
  SlackMessage m = UserMessage("<https://looker.example.com/looks/1>");
  m.subtype = "file_share";
  EXPECT_EQ(Triage(m, Config()).action, TriageDecision::kRequest);
}

TEST(Triage, ThreadParentIsHandled) {
  SlackMessage m = UserMessage("<https://looker.example.com/looks/1>");
  m.thread_ts = m.ts;
  EXPECT_EQ(Triage(m, Config()).action, TriageDecision::kRequest);
}

TEST(Triage, EditedFlagMarksAnEdit) {
  SlackMessage m = UserMessage("<https://looker.example.com/looks/1>");
  m.edited = true;
  TriageDecision d = Triage(m, Config());
  EXPECT_EQ(d.action, TriageDecision::kRequest);
  EXPECT_TRUE(d.is_edit);
}

// --- skipped ------------------------------------------------------------------------------------------

TEST(Triage, SkipsBotMessages) {
  TriageDecision d = Triage(Fixture("message.bot_message.json"), Config());
  EXPECT_EQ(d.action, TriageDecision::kSkip);
  EXPECT_EQ(d.reason, "bot_message");

  SlackMessage modern_bot = UserMessage("<https://looker.example.com/looks/1>");  // granular bot: no subtype
  modern_bot.bot_id = "BOTHER";
  EXPECT_EQ(Triage(modern_bot, Config()).reason, "bot_message");

  SlackMessage no_id = UserMessage("<https://looker.example.com/looks/1>");
  no_id.subtype = "bot_message";
  EXPECT_EQ(Triage(no_id, Config()).reason, "bot_message");
}

TEST(Triage, HandlesAllowListedBots) {
  SlackMessage classic = UserMessage("<https://looker.example.com/looks/1>");
  classic.user = "";
  classic.bot_id = "BWORKFLOW";
  classic.subtype = "bot_message";
  EXPECT_EQ(Triage(classic, Config()).action, TriageDecision::kRequest);

  SlackMessage modern = UserMessage("credit please");
  modern.bot_id = "BWORKFLOW";
  EXPECT_EQ(Triage(modern, Config()).action, TriageDecision::kAskForLink);
}

TEST(Triage, AlwaysSkipsOwnMessages) {
  SlackMessage by_user = UserMessage("<https://looker.example.com/looks/1>");
  by_user.user = "UBOT";
  EXPECT_EQ(Triage(by_user, Config()).reason, "own_message");

  TriageConfig config = Config();
  config.allowed_bot_ids.emplace_back("BBOT");  // even when someone allow-lists our own bot
  SlackMessage by_bot = UserMessage("<https://looker.example.com/looks/1>");
  by_bot.user = "";
  by_bot.bot_id = "BBOT";
  TriageDecision d = Triage(by_bot, config);
  EXPECT_EQ(d.action, TriageDecision::kSkip);
  EXPECT_EQ(d.reason, "own_message");
}

TEST(Triage, EmptyOwnIdsMatchNothing) {
  TriageConfig config = Config();
  config.own_user_id = "";
  config.own_bot_id = "";
  SlackMessage m = UserMessage("<https://looker.example.com/looks/1>");
  m.user = "";
  EXPECT_EQ(Triage(m, config).action, TriageDecision::kRequest);
}

TEST(Triage, SkipsOtherSubtypesByName) {
  EXPECT_EQ(Triage(Fixture("message.channel_join.json"), Config()).reason, "subtype:channel_join");
  for (const char* subtype :
       {"thread_broadcast", "me_message", "channel_topic", "pinned_item", "message_replied"}) {
    SlackMessage m = UserMessage("<https://looker.example.com/looks/1>");
    m.subtype = subtype;
    TriageDecision d = Triage(m, Config());
    EXPECT_EQ(d.action, TriageDecision::kSkip) << subtype;
    EXPECT_EQ(d.reason, std::string("subtype:") + subtype);
  }
}

TEST(Triage, SkipsThreadRepliesFromAnyoneButTheRequester) {
  SlackMessage m = UserMessage("<https://looker.example.com/looks/1>");
  m.thread_ts = "1700000000.000050";
  EXPECT_EQ(Triage(m, Config()).reason, "thread_reply");  // parent author unknown
  m.parent_user_id = "U0SOMEONE";
  TriageDecision d = Triage(m, Config());
  EXPECT_EQ(d.action, TriageDecision::kSkip);
  EXPECT_EQ(d.reason, "thread_reply");
  EXPECT_TRUE(d.looker_links.empty());
}

TEST(Triage, TheRequestersThreadReplyWithALookerLinkBringsTheLink) {
  SlackMessage m = UserMessage("here it is: <https://looker.example.com/looks/1>");
  m.thread_ts = "1700000000.000050";
  m.parent_user_id = m.user;
  TriageDecision d = Triage(m, Config());
  EXPECT_EQ(d.action, TriageDecision::kThreadLink);
  EXPECT_EQ(d.reason, "thread_reply_with_link");
  ASSERT_EQ(d.looker_links.size(), 1u);
  EXPECT_EQ(d.looker_links[0].url, "https://looker.example.com/looks/1");
  // Without a Looker link it is just conversation.
  m.text = "thanks, looking for it";
  EXPECT_EQ(Triage(m, Config()).reason, "thread_reply");
}

TEST(Triage, ADecisionCommandInAThreadIsAThreadCommand) {
  SlackMessage m = UserMessage("approve");
  m.user = "U0APPROVER";
  m.thread_ts = "1700000000.000050";
  m.parent_user_id = "U0ANALYST";
  TriageDecision d = Triage(m, Config());
  EXPECT_EQ(d.action, TriageDecision::kThreadCommand);
  EXPECT_EQ(d.reason, "decision_command");
  ASSERT_TRUE(d.command.has_value());
  EXPECT_EQ(d.command->verb, DecisionVerb::kApprove);
  EXPECT_EQ(d.command_error, "");

  m.text = "<@UBOT> adjust $1,200 partial refund agreed";
  d = Triage(m, Config());
  ASSERT_EQ(d.action, TriageDecision::kThreadCommand);
  ASSERT_TRUE(d.command.has_value());
  EXPECT_EQ(d.command->verb, DecisionVerb::kAdjust);
  EXPECT_EQ(d.command->amount, "1200.00");
  EXPECT_EQ(d.command->reason, "partial refund agreed");

  m.text = "recalculate";
  d = Triage(m, Config());
  ASSERT_TRUE(d.command.has_value());
  EXPECT_EQ(d.command->verb, DecisionVerb::kRecalculate);
}

TEST(Triage, AMalformedDecisionCommandCarriesItsError) {
  SlackMessage m = UserMessage("reject");  // a reject needs a reason
  m.thread_ts = "1700000000.000050";
  TriageDecision d = Triage(m, Config());
  EXPECT_EQ(d.action, TriageDecision::kThreadCommand);
  EXPECT_FALSE(d.command.has_value());
  EXPECT_NE(d.command_error, "");
}

TEST(Triage, ThreadConversationAndCommandsOutsideThreadsAreNotCommands) {
  SlackMessage m = UserMessage("thanks, approved on our side too?");
  m.thread_ts = "1700000000.000050";
  EXPECT_EQ(Triage(m, Config()).reason, "thread_reply");
  // A top-level "approve" is a message without a link, as before.
  EXPECT_EQ(Triage(UserMessage("approve"), Config()).action, TriageDecision::kAskForLink);
  // Our own and other bots' thread messages are never commands.
  SlackMessage own = UserMessage("approve");
  own.thread_ts = "1700000000.000050";
  own.user = "UBOT";
  EXPECT_EQ(Triage(own, Config()).reason, "own_message");
  // An edit of a thread reply is not read again as a command.
  SlackMessage edit = UserMessage("approve");
  edit.thread_ts = "1700000000.000050";
  edit.subtype = "message_changed";
  edit.previous_text = "aprove";
  EXPECT_EQ(Triage(edit, Config()).reason, "thread_reply");
}

// --- edits and deletions ------------------------------------------------------------------------------

SlackMessage Changed(std::string previous, std::string text) {
  SlackMessage m = UserMessage(std::move(text));
  m.subtype = "message_changed";
  m.previous_text = std::move(previous);
  m.edited = true;
  return m;
}

TEST(Triage, EditThatChangesTheTextIsHandled) {
  TriageDecision d =
      Triage(Changed("credit please", "credit please <https://looker.example.com/looks/5>"), Config());
  EXPECT_EQ(d.action, TriageDecision::kRequest);
  EXPECT_TRUE(d.is_edit);
}

TEST(Triage, EditWithUnchangedTextIsSkipped) {
  // Link unfurls produce message_changed with the same text.
  TriageDecision d = Triage(
      Changed("<https://looker.example.com/looks/5>", "<https://looker.example.com/looks/5>"), Config());
  EXPECT_EQ(d.action, TriageDecision::kSkip);
  EXPECT_EQ(d.reason, "unchanged_edit");
  EXPECT_TRUE(d.is_edit);
}

TEST(Triage, EditWithUnknownPreviousTextIsHandled) {
  SlackMessage m = Changed("", "<https://looker.example.com/looks/5>");
  m.previous_text.reset();
  EXPECT_EQ(Triage(m, Config()).action, TriageDecision::kRequest);
}

TEST(Triage, EditOfAThreadReplyIsSkipped) {
  TriageDecision d = Triage(Fixture("message_changed.thread_reply_edit.json"), Config());
  EXPECT_EQ(d.action, TriageDecision::kSkip);
  EXPECT_EQ(d.reason, "thread_reply");
  EXPECT_TRUE(d.is_edit);
}

TEST(Triage, TombstonesAreSkipped) {
  for (const char* name :
       {"message_changed.tombstone.issue1384.json", "message_changed.tombstone.thread_parent_with_reply.json",
        "message_changed.tombstone.previous_message_empty_array.issue784.json"}) {
    TriageDecision d = Triage(Fixture(name), Config());
    EXPECT_EQ(d.action, TriageDecision::kSkip) << name;
    EXPECT_EQ(d.reason, "tombstone") << name;
  }
}

TEST(Triage, EditOfABotMessageIsSkippedUnlessAllowed) {
  SlackMessage m = Changed("a", "<https://looker.example.com/looks/5>");
  m.user = "";
  m.bot_id = "BOTHER";
  EXPECT_EQ(Triage(m, Config()).reason, "bot_message");
  m.bot_id = "BWORKFLOW";
  m.changed_subtype = "bot_message";
  EXPECT_EQ(Triage(m, Config()).action, TriageDecision::kRequest);
}

TEST(Triage, EditOfOtherSubtypeIsSkippedByItsName) {
  SlackMessage m = Changed("a", "<https://looker.example.com/looks/5>");
  m.changed_subtype = "thread_broadcast";
  EXPECT_EQ(Triage(m, Config()).reason, "subtype:thread_broadcast");
}

TEST(Triage, DeletionIsReported) {
  TriageDecision d = Triage(Fixture("message_deleted.json"), Config());
  EXPECT_EQ(d.action, TriageDecision::kDeleted);
  EXPECT_EQ(d.reason, "message_deleted");
}

TEST(Triage, NamesEveryAction) {
  EXPECT_EQ(TriageActionName(TriageDecision::kSkip), "skip");
  EXPECT_EQ(TriageActionName(TriageDecision::kAskForLink), "ask_for_link");
  EXPECT_EQ(TriageActionName(TriageDecision::kRequest), "request");
  EXPECT_EQ(TriageActionName(TriageDecision::kDeleted), "deleted");
}

}  // namespace
}  // namespace creditbot
