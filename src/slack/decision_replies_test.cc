// Tests of what a decision needs from Slack: usergroups.users.list and chat.postEphemeral in SlackWebApi
// (against FakeSlackServer over real HTTP, answers scripted in Slack's documented shapes), and the repliers'
// Update / PostEphemeral / MessageBlocks: SlackReplier through the fake, LocalOutbox and DryRunReplier in a
// temporary outbox file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "net/http_transport.h"
#include "slack/replier.h"
#include "slack/slack_replier.h"
#include "slack/slack_web_api.h"
#include "tests/fake_slack_server.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeSlackServer;
using ::creditbot::testing::TempDir;
using ::testing::ElementsAre;
using Json = nlohmann::json;

constexpr char kChannel[] = "C0CREDITS";
constexpr char kJson[] = "application/json; charset=utf-8";

class DecisionSlackTest : public ::testing::Test {
 protected:
  SlackApiOptions Options() const {
    SlackApiOptions options;
    options.api_base_url = server_.api_url();
    options.bot_token = FakeSlackServer::kBotToken;
    return options;
  }
  Json LastBody(const std::string& method) const { return Json::parse(LastRawBody(method), nullptr, false); }
  std::string LastRawBody(const std::string& method) const {
    std::string body;
    for (const auto& request : server_.requests())
      if (request.api_method == method) body = request.body;
    return body;
  }

  FakeSlackServer server_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  FakeClock clock_{absl::FromUnixSeconds(1763884800)};
  FakeSleeper sleeper_{clock_};
  SlackWebApi api_{*transport_, clock_, sleeper_, Options()};
};

TEST_F(DecisionSlackTest, UsergroupUsersReadsTheMembers) {
  // Slack's documented answer of usergroups.users.list.
  server_.FailHttpNext("usergroups.users.list", 200, 1, R"({"ok":true,"users":["U060R4BJ4","W123A4BC5"]})",
                       kJson);
  absl::StatusOr<std::vector<std::string>> users = api_.UsergroupUsers("S0614TZR7");
  ASSERT_TRUE(users.ok()) << users.status();
  EXPECT_THAT(*users, ElementsAre("U060R4BJ4", "W123A4BC5"));
  EXPECT_EQ(LastRawBody("usergroups.users.list"), "usergroup=S0614TZR7");

  server_.FailNext("usergroups.users.list", "no_such_subteam");
  absl::StatusOr<std::vector<std::string>> missing = api_.UsergroupUsers("S0NOPE");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SlackErrorCode(missing.status()), "no_such_subteam");

  server_.FailNext("usergroups.users.list", "missing_scope", 1, {{"needed", "usergroups:read"}});
  absl::StatusOr<std::vector<std::string>> scope = api_.UsergroupUsers("S0614TZR7");
  EXPECT_EQ(scope.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(scope.status().message()), ::testing::HasSubstr("usergroups:read"));

  server_.FailHttpNext("usergroups.users.list", 200, 1, R"({"ok":true})", kJson);
  EXPECT_EQ(api_.UsergroupUsers("S0614TZR7").status().code(), absl::StatusCode::kInternal);
}

TEST_F(DecisionSlackTest, PostEphemeralShowsTextToOneUserInTheThread) {
  server_.FailHttpNext("chat.postEphemeral", 200, 1, R"({"ok":true,"message_ts":"1502210682.580145"})",
                       kJson);
  absl::StatusOr<std::string> ts =
      api_.PostEphemeral(kChannel, "U0BOB", "Only <@U0ALICE> can decide.", "", "1700000000.000100");
  ASSERT_TRUE(ts.ok()) << ts.status();
  EXPECT_EQ(*ts, "1502210682.580145");
  EXPECT_EQ(LastBody("chat.postEphemeral"), (Json{{"channel", kChannel},
                                                  {"user", "U0BOB"},
                                                  {"text", "Only <@U0ALICE> can decide."},
                                                  {"thread_ts", "1700000000.000100"}}));
  server_.FailNext("chat.postEphemeral", "user_not_in_channel");
  EXPECT_EQ(api_.PostEphemeral(kChannel, "U0BOB", "x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(api_.PostEphemeral(kChannel, "U0BOB", "x", "not json").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(DecisionSlackTest, SlackReplierUpdatesAReplyAndReadsItsBlocks) {
  server_.AddChannel(kChannel, "credit-requests", true);
  const std::string request =
      server_.PostUserMessage(kChannel, {{"user", "U0REQ"}, {"text", "credit please"}});
  SlackReplier replier(api_);
  Reply reply{kChannel,
              request,
              "C0CREDITS:" + request,
              "credit",
              "Recommended credit: $255.00",
              R"([{"type":"actions","block_id":"creditbot_decision","elements":[]}])",
              "E1"};
  absl::StatusOr<std::string> posted = replier.Post(reply);
  ASSERT_TRUE(posted.ok()) << posted.status();

  absl::StatusOr<std::string> blocks = replier.MessageBlocks(kChannel, request, *posted);
  ASSERT_TRUE(blocks.ok()) << blocks.status();
  EXPECT_EQ(Json::parse(*blocks), Json::parse(reply.blocks_json));

  const std::string decided = R"([{"type":"context","elements":[{"type":"mrkdwn","text":"Approved"}]}])";
  ASSERT_TRUE(replier.Update(kChannel, *posted, "Approved", decided).ok());
  EXPECT_EQ(
      LastBody("chat.update"),
      (Json{{"channel", kChannel}, {"ts", *posted}, {"text", "Approved"}, {"blocks", Json::parse(decided)}}));
  blocks = replier.MessageBlocks(kChannel, request, *posted);
  ASSERT_TRUE(blocks.ok()) << blocks.status();
  EXPECT_EQ(Json::parse(*blocks), Json::parse(decided));

  EXPECT_EQ(replier.MessageBlocks(kChannel, request, "1.000001").status().code(),
            absl::StatusCode::kNotFound);
}

std::vector<Json> OutboxLines(const std::string& path) {
  std::vector<Json> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
  return lines;
}

TEST(LocalOutboxDecisions, UpdateAndEphemeralAreRecordedAndTheLatestBlocksRead) {
  TempDir dir;
  const std::string path = dir.File("outbox.jsonl");
  LocalOutbox outbox(path);
  Reply reply{"C1",     "1.2",  "C1:1.2",
              "credit", "text", R"([{"type":"actions","block_id":"creditbot_decision"}])",
              "E1"};
  absl::StatusOr<std::string> ts = outbox.Post(reply);
  ASSERT_TRUE(ts.ok());
  EXPECT_EQ(*ts, "outbox:1");
  EXPECT_EQ(Json::parse(*outbox.MessageBlocks("C1", "1.2", *ts)), Json::parse(reply.blocks_json));
  // What FindOurReply answered before it named the line still names the request's credit reply.
  EXPECT_EQ(Json::parse(*outbox.MessageBlocks("C1", "1.2", "outbox:C1:1.2")), Json::parse(reply.blocks_json));

  ASSERT_TRUE(outbox.Update("C1", *ts, "Approved by <@U0A>", R"([{"type":"context","elements":[]}])").ok());
  ASSERT_TRUE(outbox.PostEphemeral("C1", "U0BOB", "Only <@U0A> can decide.", "1.2").ok());
  EXPECT_EQ(Json::parse(*outbox.MessageBlocks("C1", "1.2", *ts)),
            Json::parse(R"([{"type":"context","elements":[]}])"));
  EXPECT_EQ(outbox.MessageBlocks("C1", "1.2", "outbox:9").status().code(), absl::StatusCode::kNotFound);

  const std::vector<Json> lines = OutboxLines(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], Json::parse(R"({"method":"chat.update","channel":"C1","ts":"outbox:1",
      "text":"Approved by <@U0A>","blocks":[{"type":"context","elements":[]}]})"));
  EXPECT_EQ(lines[2], Json::parse(R"({"method":"chat.postEphemeral","channel":"C1","user":"U0BOB",
      "text":"Only <@U0A> can decide.","thread_ts":"1.2"})"));
  // An update line is not a reply: the request still has exactly its one credit reply.
  // Read back from the file: the post's line and the execution id its buttons carry.
  LocalOutbox reread(path);
  absl::StatusOr<std::optional<OurReply>> found = reread.FindOurReply("C1", "1.2", "C1:1.2", "credit");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->ts, "outbox:1");
  EXPECT_EQ((*found)->execution_id, "E1");
  EXPECT_FALSE(reread.FindOurReply("C1", "1.2", "C1:1.2", "ask_link")->has_value());
}

TEST(LocalOutboxDecisions, ADryRunRecordsItsUpdatesMarkedAndNeverReadsLiveOnes) {
  TempDir dir;
  const std::string path = dir.File("outbox.jsonl");
  LocalOutbox live(path);
  LocalOutbox dry_outbox(path, /*mark_dry_run=*/true);
  DryRunReplier dry(live, dry_outbox);
  Reply reply{"C1", "1.2", "C1:1.2", "credit", "text", R"([{"type":"actions"}])", "E1"};
  absl::StatusOr<std::string> ts = dry.Post(reply);
  ASSERT_TRUE(ts.ok());
  ASSERT_TRUE(dry.Update("C1", *ts, "decided", R"([{"type":"context"}])").ok());
  ASSERT_TRUE(dry.PostEphemeral("C1", "U0BOB", "no", "").ok());
  EXPECT_EQ(Json::parse(*dry.MessageBlocks("C1", "1.2", *ts)), Json::parse(R"([{"type":"context"}])"));
  // The live outbox reads the post but not the dry run's update.
  EXPECT_EQ(Json::parse(*live.MessageBlocks("C1", "1.2", *ts)), Json::parse(R"([{"type":"actions"}])"));
  const std::vector<Json> lines = OutboxLines(path);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[1].value("dry_run", false));
  EXPECT_EQ(lines[1]["method"], "chat.update");
  EXPECT_TRUE(lines[2].value("dry_run", false));
  EXPECT_FALSE(lines[2].contains("thread_ts"));
}

}  // namespace
}  // namespace creditbot
