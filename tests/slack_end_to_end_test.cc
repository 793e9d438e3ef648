// End-to-end tests of the real creditbot binary against a fake Slack on loopback (tests/fake_slack_server.h,
// built from tests/fixtures/slack): `run --once` reading channel history over several pages, replying
// in threads, DMing the owner, and never answering twice — across 429 storms, a post whose answer is lost,
// a lost state file, edits and thread replies. The looks, warehouse and policies are the embedded
// default's; the expected credit of look 101 is test case 1 of CREDIT_POLICY.md ($255.00, checked by hand).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/fake_slack_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
const std::string kLooks = kSource + "/data/sample/looks";
constexpr char kChannel[] = "C0CREDITREQ";
constexpr char kRequester[] = "U0ANALYST1";
constexpr char kOwner[] = "U0OWNER01";
constexpr char kLook101[] = "<https://looker.example.com/looks/101|Authy fraud report - ACp>";

std::string EventKind(const SlackBotPost& post) {
  const Json& payload = post.payload;
  if (!payload.contains("metadata")) return "";
  return payload["metadata"]["event_payload"].value("kind", "");
}

class SlackEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  void SetUp() override {
    slack_.AddChannel(kChannel, "credit-requests", /*bot_is_member=*/true);
    // Requests are posted on 2025-07-15 (test case 1's claim date).
    slack_.SetTsBase(1752588191);
  }

  std::map<std::string, std::string> Env() const {
    return {{"CREDITBOT_HOME", home_.path()},
            {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
            {"CREDITBOT_LOOK_CATALOG", kLooks},
            {"SLACK_BOT_TOKEN", FakeSlackServer::kBotToken},
            {"CREDITBOT_SLACK_API_URL", slack_.api_url()},
            {"CREDITBOT_SLACK_CHANNELS", kChannel},
            {"CREDITBOT_SLACK_POST_INTERVAL_MS", "0"},
            // The fake's messages are from 2025: read back far enough on the first pass.
            {"CREDITBOT_SLACK_LOOKBACK_HOURS", "100000"},
            {"CREDITBOT_SLACK_ASKED_DAYS", "100000"},
            {"SLACK_USER_ID", kOwner},
            {"CREDITBOT_LOG_FORMAT", "json"},
            {"CREDITBOT_LOG_FILE", home_.File("creditbot.log")}};
  }
  RunResult Run(const std::vector<std::string>& args, std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> env = Env();
    for (auto& [name, value] : extra) env[name] = value;
    return RunCreditbot(args, env, home_.path());
  }
  std::string PostRequest(const std::string& text, const std::string& user = kRequester) {
    return slack_.PostUserMessage(kChannel, {{"user", user}, {"text", text}});
  }
  std::vector<SlackBotPost> PostsIn(const std::string& channel) const {
    std::vector<SlackBotPost> posts;
    for (SlackBotPost& post : slack_.BotPosts())
      if (post.channel == channel) posts.push_back(std::move(post));
    return posts;
  }
  std::vector<SlackBotPost> Dms() const {
    std::vector<SlackBotPost> dms;
    for (SlackBotPost& post : slack_.BotPosts())
      if (post.channel.rfind('D', 0) == 0) dms.push_back(std::move(post));
    return dms;
  }

  static SuiteWarehouse warehouse_;
  FakeSlackServer slack_;
  TempDir home_;
};

SuiteWarehouse SlackEndToEnd::warehouse_;

TEST_F(SlackEndToEnd, ALiveRunRepliesInTheThreadWithTheCreditAndItsMetadata) {
  const std::string ts = PostRequest(std::string("Please credit ACp: ") + kLook101);
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("replied=1"));

  std::vector<SlackBotPost> posts = PostsIn(kChannel);
  ASSERT_EQ(posts.size(), 1u);
  const SlackBotPost& reply = posts[0];
  EXPECT_EQ(reply.thread_ts, ts);
  EXPECT_EQ(reply.unfurl_links, false);
  EXPECT_EQ(reply.unfurl_media, false);
  EXPECT_THAT(reply.payload.value("text", ""), HasSubstr("$255.00"));
  EXPECT_TRUE(reply.payload["blocks"].is_array());
  const Json& event = reply.payload["metadata"]["event_payload"];
  EXPECT_EQ(reply.payload["metadata"]["event_type"], "creditbot_reply");
  EXPECT_EQ(event["request_key"], std::string(kChannel) + ":" + ts);
  EXPECT_EQ(event["kind"], "credit");
  EXPECT_FALSE(event.contains("dry_run"));
  // The eyes reaction went on the request while it was worked on, and gave way to a check mark.
  EXPECT_EQ(slack_.Count("reactions.add"), 2);
  EXPECT_EQ(slack_.Count("reactions.remove"), 1);
  EXPECT_EQ(slack_.BotReactions(kChannel, ts), (std::set<std::string>{"white_check_mark"}));
  // The audit record names the same execution id as the reply.
  const std::string execution_id = event["execution_id"];
  EXPECT_TRUE(std::filesystem::exists(home_.File("audit/" + execution_id + "/result.json")));
}

TEST_F(SlackEndToEnd, DryRunPostsNothingToSlackAndWritesTheOutbox) {
  PostRequest(std::string("Please credit ACp: ") + kLook101);
  RunResult run = Run({"run", "--once"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("[dry run] would post to thread C0CREDITREQ"));
  EXPECT_TRUE(slack_.BotPosts().empty());
  EXPECT_EQ(slack_.Count("reactions.add"), 0);
  EXPECT_EQ(slack_.Count("reactions.remove"), 0);
  // The outbox has the reply, and the reactions a live run would make, all marked dry run.
  std::vector<std::string> outbox = ReadLines(home_.File("outbox.jsonl"));
  std::vector<std::string> reactions;
  int replies = 0;
  for (const std::string& line : outbox) {
    Json entry = Json::parse(line);
    if (entry.contains("method")) {
      EXPECT_EQ(entry["dry_run"], true) << line;
      reactions.push_back(entry["method"].get<std::string>() + " " + entry["name"].get<std::string>());
    } else {
      EXPECT_EQ(entry["metadata"]["event_payload"]["dry_run"], true);
      ++replies;
    }
  }
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(reactions, (std::vector<std::string>{"reactions.add eyes", "reactions.remove eyes",
                                                 "reactions.add white_check_mark"}));
}

TEST_F(SlackEndToEnd, DrainsABacklogOverSeveralPagesWithoutADuplicate) {
  slack_.SetPageSizeCap(10);
  std::set<std::string> requests;
  for (int i = 0; i < 25; ++i) requests.insert(PostRequest(std::string("credit please ") + kLook101));
  slack_.PostUserMessage(kChannel,
                         {{"bot_id", "B0REMINDER"}, {"subtype", "bot_message"}, {"text", "Reminder"}});
  slack_.PostUserMessage(kChannel, {{"user", "U0NEWHIRE1"}, {"subtype", "channel_join"}, {"text", "joined"}});

  RunResult first = Run({"run", "--once", "--live"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("27 messages (replied=25, skipped=2)"));
  EXPECT_GE(slack_.Count("conversations.history"), 3);  // 27 messages, 10 a page
  // Every request was new and its thread empty in the history read: no thread lookup was needed before
  // posting (the lookup is paced at 50 a minute; see Pipeline::PostOnce).
  EXPECT_EQ(slack_.Count("conversations.replies"), 0);

  std::set<std::string> answered;
  for (const SlackBotPost& post : PostsIn(kChannel)) {
    EXPECT_EQ(EventKind(post), "credit");
    EXPECT_TRUE(answered.insert(post.thread_ts).second) << "two replies in thread " << post.thread_ts;
  }
  EXPECT_EQ(answered, requests);

  // The next pass reads only what is newer than the last message seen, and posts nothing.
  const int history_calls = slack_.Count("conversations.history");
  RunResult second = Run({"run", "--once", "--live"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("0 messages"));
  EXPECT_EQ(PostsIn(kChannel).size(), 25u);
  EXPECT_EQ(slack_.Count("conversations.history"), history_calls + 1);
}

TEST_F(SlackEndToEnd, A429StormIsWaitedOutAndEveryRequestIsAnsweredOnce) {
  for (int i = 0; i < 3; ++i) PostRequest(std::string("credit please ") + kLook101);
  slack_.RateLimitNext("conversations.history", 2, 1);
  slack_.RateLimitNext("chat.postMessage", 2, 1);
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("replied=3"));
  EXPECT_EQ(PostsIn(kChannel).size(), 3u);
}

TEST_F(SlackEndToEnd, APostWhoseAnswerIsLostIsFoundInTheThreadNotPostedAgain) {
  const std::string ts = PostRequest(std::string("credit please ") + kLook101);
  slack_.DropPostAfterStoring(1);
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("replied=1"));
  ASSERT_EQ(PostsIn(kChannel).size(), 1u);
  EXPECT_EQ(PostsIn(kChannel)[0].thread_ts, ts);
}

TEST_F(SlackEndToEnd, ALostStateFileNeverAnswersTwice) {
  PostRequest(std::string("credit please ") + kLook101);
  PostRequest("credit please, no link yet");
  ASSERT_EQ(Run({"run", "--once", "--live"}).exit_code, 0);
  ASSERT_EQ(PostsIn(kChannel).size(), 2u);
  // The crash after posting and before recording, at its worst: the whole state is gone.
  std::filesystem::remove(home_.File("state.db"));
  std::filesystem::remove(home_.File("state.db-wal"));
  std::filesystem::remove(home_.File("state.db-shm"));
  RunResult again = Run({"run", "--once", "--live"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(PostsIn(kChannel).size(), 2u) << again.out;
}

TEST_F(SlackEndToEnd, AnAskedRequestIsAnsweredWhenTheRequesterRepliesInTheThreadWithTheLink) {
  const std::string ts = PostRequest("Please credit ACp for the July pumping");
  ASSERT_EQ(Run({"run", "--once", "--live"}).exit_code, 0);
  ASSERT_EQ(PostsIn(kChannel).size(), 1u);
  EXPECT_EQ(EventKind(PostsIn(kChannel)[0]), "ask_link");

  // Someone else's reply with a link does not count; the requester's does.
  slack_.PostUserMessage(kChannel, {{"user", "U0BYSTANDER"}, {"thread_ts", ts}, {"text", kLook101}});
  slack_.PostUserMessage(
      kChannel, {{"user", kRequester}, {"thread_ts", ts}, {"text", std::string("here: ") + kLook101}});
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<SlackBotPost> posts = PostsIn(kChannel);
  ASSERT_EQ(posts.size(), 2u) << run.out;
  EXPECT_EQ(EventKind(posts[1]), "credit");
  EXPECT_EQ(posts[1].thread_ts, ts);
  EXPECT_EQ(posts[1].payload["metadata"]["event_payload"]["request_key"], std::string(kChannel) + ":" + ts);
  EXPECT_THAT(posts[1].payload.value("text", ""), HasSubstr("$255.00"));

  ASSERT_EQ(Run({"run", "--once", "--live"}).exit_code, 0);
  EXPECT_EQ(PostsIn(kChannel).size(), 2u);
}

TEST_F(SlackEndToEnd, AnAskedRequestIsAnsweredWhenItsMessageIsEditedToAddTheLink) {
  const std::string ts = PostRequest("Please credit ACp for the July pumping");
  ASSERT_EQ(Run({"run", "--once", "--live"}).exit_code, 0);
  slack_.EditMessage(kChannel, ts, std::string("Please credit ACp for the July pumping ") + kLook101);
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<SlackBotPost> posts = PostsIn(kChannel);
  ASSERT_EQ(posts.size(), 2u) << run.out;
  EXPECT_EQ(EventKind(posts[0]), "ask_link");
  EXPECT_EQ(EventKind(posts[1]), "credit");
  EXPECT_EQ(posts[1].thread_ts, ts);
}

TEST_F(SlackEndToEnd, AChannelTheBotIsNotInIsReportedToTheOwnerOnce) {
  slack_.AddChannel("C0NOTMEMBER", "credit-requests-eu", /*bot_is_member=*/false);
  std::map<std::string, std::string> both = {{"CREDITBOT_SLACK_CHANNELS", "C0CREDITREQ,C0NOTMEMBER"}};
  PostRequest(std::string("credit please ") + kLook101);
  RunResult first = Run({"run", "--once", "--live"}, both);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(PostsIn(kChannel).size(), 1u);  // the other channel still works
  std::vector<SlackBotPost> dms = Dms();
  ASSERT_EQ(dms.size(), 1u);
  EXPECT_THAT(dms[0].payload.value("text", ""), HasSubstr("not_in_channel"));
  EXPECT_THAT(dms[0].payload.value("text", ""), HasSubstr("/invite"));
  ASSERT_EQ(Run({"run", "--once", "--live"}, both).exit_code, 0);
  EXPECT_EQ(Dms().size(), 1u);
}

TEST_F(SlackEndToEnd, ChannelNamesAreResolvedToIds) {
  PostRequest(std::string("credit please ") + kLook101);
  RunResult run = Run({"run", "--once", "--live"}, {{"CREDITBOT_SLACK_CHANNELS", "#credit-requests"}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(PostsIn(kChannel).size(), 1u);
  RunResult unknown = Run({"run", "--once", "--live"}, {{"CREDITBOT_SLACK_CHANNELS", "no-such-channel"}});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no channel named 'no-such-channel'"));
}

TEST_F(SlackEndToEnd, AnInvalidTokenStopsThePassWithAClearErrorAndNoSecret) {
  const std::string token = "xoxb-0000-1111-NotTheRightTokenAtAll";
  RunResult run = Run({"run", "--once", "--live"}, {{"SLACK_BOT_TOKEN", token}});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("invalid_auth"));
  EXPECT_THAT(run.err, HasSubstr("SLACK_BOT_TOKEN"));
  EXPECT_THAT(run.err + run.out + ReadFile(home_.File("creditbot.log")), Not(HasSubstr(token)));
  EXPECT_TRUE(slack_.BotPosts().empty());
}

TEST_F(SlackEndToEnd, AFailedCalculationIsDMedToTheOwnerAndTheRequesterGetsOneShortReply) {
  const std::string ts = PostRequest("credit please <https://looker.example.com/looks/9999>");
  const std::string key = std::string(kChannel) + ":" + ts;
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<SlackBotPost> dms = Dms();
  ASSERT_EQ(dms.size(), 1u);
  EXPECT_EQ(slack_.Count("conversations.open"), 1);
  const std::string dm = dms[0].payload.value("text", "");
  EXPECT_THAT(dm, HasSubstr("9999"));
  // The DM links to the request: the workspace of the fixture's auth.test (subarachnoid.slack.com), the
  // channel, "p" and the ts without its dot.
  std::string digits = ts;
  digits.erase(digits.find('.'), 1);
  EXPECT_THAT(dm, HasSubstr("https://subarachnoid.slack.com/archives/C0CREDITREQ/p" + digits));
  EXPECT_THAT(dm, HasSubstr("reference " + key));

  // In the thread: one short reply, no internals (nothing about the look), the owner mentioned.
  std::vector<SlackBotPost> posts = PostsIn(kChannel);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].thread_ts, ts);
  EXPECT_EQ(EventKind(posts[0]), "failure");
  EXPECT_EQ(posts[0].payload["metadata"]["event_payload"]["request_key"], key);
  EXPECT_EQ(posts[0].payload.value("text", ""),
            "I could not calculate this credit; <@U0OWNER01> has been told, reference " + key + ".");
  // Never calculated (the look is unknown): no eyes, a cross.
  EXPECT_EQ(slack_.BotReactions(kChannel, ts), (std::set<std::string>{"x"}));
  EXPECT_EQ(slack_.Count("reactions.remove"), 0);

  // The state is lost: the request fails again, but the thread keeps its one reply.
  std::filesystem::remove(home_.File("state.db"));
  std::filesystem::remove(home_.File("state.db-wal"));
  std::filesystem::remove(home_.File("state.db-shm"));
  RunResult again = Run({"run", "--once", "--live"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(PostsIn(kChannel).size(), 1u) << again.out;
}

TEST_F(SlackEndToEnd, ACalculationThatFailsTakesOffTheEyesAndPutsACross) {
  // Look 302's report lacks a column the engine needs: the request is calculated (eyes) and fails for good.
  const std::string ts = PostRequest("credit please <https://looker.example.com/looks/302>");
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("failed=1"));
  EXPECT_EQ(slack_.BotReactions(kChannel, ts), (std::set<std::string>{"x"}));
  EXPECT_EQ(slack_.Count("reactions.add"), 2);  // eyes, then the cross
  EXPECT_EQ(slack_.Count("reactions.remove"), 1);
  ASSERT_EQ(PostsIn(kChannel).size(), 1u);
  EXPECT_EQ(EventKind(PostsIn(kChannel)[0]), "failure");
}

TEST_F(SlackEndToEnd, AnIgnoredRequestEndsWithNoReactionOfOurs) {
  // Look 201 is a Programmable Messaging report: no enabled policy, ignored silently.
  const std::string ts = PostRequest("messaging pumping <https://looker.example.com/looks/201>");
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("ignored=1"));
  EXPECT_TRUE(slack_.BotReactions(kChannel, ts).empty());
  EXPECT_EQ(slack_.Count("reactions.add"), 0);
  EXPECT_TRUE(slack_.BotPosts().empty());
}

TEST_F(SlackEndToEnd, WithoutAnOwnerAFailedRequestMakesTheRunExitNonZero) {
  const std::string ts = PostRequest("credit please <https://looker.example.com/looks/9999>");
  PostRequest(std::string("credit please ") + kLook101);
  RunResult run = Run({"run", "--once", "--live"}, {{"SLACK_USER_ID", ""}});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_THAT(run.err, HasSubstr("1 request failed and no owner is configured"));
  EXPECT_TRUE(Dms().empty());
  std::vector<SlackBotPost> posts = PostsIn(kChannel);
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(EventKind(posts[0]), "failure");
  EXPECT_EQ(posts[0].payload.value("text", ""),
            "I could not calculate this credit; the team running creditbot can look it up with reference " +
                std::string(kChannel) + ":" + ts + ".");
  EXPECT_EQ(EventKind(posts[1]), "credit");
  // Nothing new on the next pass: exit 0.
  EXPECT_EQ(Run({"run", "--once", "--live"}, {{"SLACK_USER_ID", ""}}).exit_code, 0);
}

}  // namespace
}  // namespace creditbot::testing
