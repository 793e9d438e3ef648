// Tests of SlackWebApi against FakeSlackServer over real HTTP (libcurl on loopback), with a FakeClock and
// FakeSleeper so retries and pacing are checked by the waits they ask for, never by sleeping. Identity,
// rate-limit and error bodies come from tests/fixtures/slack/web_api.
#include "slack/slack_web_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "net/http_transport.h"
#include "slack/replier.h"
#include "tests/fake_slack_server.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeSlackServer;
using ::creditbot::testing::SlackBotPost;
using ::creditbot::testing::SlackRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Json = nlohmann::json;

constexpr char kChannel[] = "C0CREDITS";

std::vector<std::string> Texts(const std::vector<Json>& messages) {
  std::vector<std::string> texts;
  for (const Json& message : messages) texts.push_back(message.value("text", ""));
  return texts;
}

// Neither token may appear in anything a status says.
void ExpectNoToken(const absl::Status& status) {
  EXPECT_THAT(status.ToString(), Not(HasSubstr(FakeSlackServer::kBotToken)));
  EXPECT_THAT(status.ToString(), Not(HasSubstr(FakeSlackServer::kAppToken)));
}

Reply CreditReply(const std::string& channel, const std::string& thread_ts) {
  Reply reply;
  reply.channel = channel;
  reply.thread_ts = thread_ts;
  reply.request_key = "slack:" + channel + ":" + thread_ts;
  reply.kind = "credit";
  reply.text = "Credit for ACxxxx: $1,234.56";
  reply.blocks_json = R"([{"type":"section","text":{"type":"mrkdwn","text":"*Credit*: $1,234.56"}}])";
  reply.execution_id = "exec-1";
  return reply;
}

class SlackWebApiTest : public ::testing::Test {
 protected:
  SlackApiOptions Options() const {
    SlackApiOptions options;
    options.api_base_url = server_.api_url();
    options.bot_token = FakeSlackServer::kBotToken;
    options.app_token = FakeSlackServer::kAppToken;
    return options;
  }
  std::unique_ptr<SlackWebApi> ClientWith(const SlackApiOptions& options) {
    return std::make_unique<SlackWebApi>(*transport_, clock_, sleeper_, options);
  }
  SlackRequest LastRequest() const {
    std::vector<SlackRequest> all = server_.requests();
    EXPECT_FALSE(all.empty());
    return all.empty() ? SlackRequest{} : all.back();
  }

  FakeSlackServer server_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  FakeClock clock_{absl::FromUnixSeconds(1763884800)};
  FakeSleeper sleeper_{clock_};
  SlackWebApi api_{*transport_, clock_, sleeper_, Options()};
};

TEST_F(SlackWebApiTest, AuthTestReturnsTheFixtureBotIdentityAndCachesIt) {
  absl::StatusOr<SlackIdentity> identity = api_.AuthTest();
  ASSERT_TRUE(identity.ok()) << identity.status();
  // docs_ref/auth.test.json, success_with_bot_token.
  EXPECT_EQ(identity->user_id, "W23456789");
  EXPECT_EQ(identity->bot_id, "BZYBOTHED");
  EXPECT_EQ(identity->team_id, "T0G9PQBBK");
  EXPECT_EQ(identity->team, "Subarachnoid Workspace");
  EXPECT_EQ(identity->url, "https://subarachnoid.slack.com/");
  EXPECT_EQ(identity->user_id, FakeSlackServer::kBotUserId);
  EXPECT_EQ(identity->bot_id, FakeSlackServer::kBotId);

  ASSERT_TRUE(api_.AuthTest().ok());
  EXPECT_EQ(server_.Count("auth.test"), 1);
  const SlackRequest request = LastRequest();
  EXPECT_EQ(request.http_method, "POST");
  EXPECT_EQ(request.path, "/api/auth.test");
  EXPECT_EQ(request.Header("Authorization"), std::string("Bearer ") + FakeSlackServer::kBotToken);
  EXPECT_EQ(request.Header("Content-Type"), "application/x-www-form-urlencoded");
}

TEST_F(SlackWebApiTest, HistoryPagesForwardFromOldestOverThreePages) {
  server_.AddChannel(kChannel, "credit-requests", /*bot_is_member=*/true);
  const std::string before = server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "old"}});
  std::vector<std::string> ts;
  for (int i = 1; i <= 7; ++i) {
    ts.push_back(
        server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "request " + std::to_string(i)}}));
  }
  // A reply in the thread of request 2: never part of the history.
  server_.PostUserMessage(kChannel, {{"user", "U0BOB"}, {"text", "in thread"}, {"thread_ts", ts[1]}});
  EXPECT_EQ(before, "1700000000.000100");

  SlackHistoryQuery query;
  query.channel = kChannel;
  query.oldest = before;
  query.limit = 3;
  absl::StatusOr<SlackMessagePage> page1 = api_.History(query);
  ASSERT_TRUE(page1.ok()) << page1.status();
  // With oldest alone, the page closest to oldest comes first; each page is newest first.
  EXPECT_THAT(Texts(page1->messages), ElementsAre("request 3", "request 2", "request 1"));
  EXPECT_TRUE(page1->has_more);
  ASSERT_FALSE(page1->next_cursor.empty());
  EXPECT_EQ(page1->messages[1].value("reply_count", 0), 1);  // the parent carries its thread fields
  EXPECT_EQ(page1->messages[1].value("thread_ts", ""), ts[1]);

  query.cursor = page1->next_cursor;
  absl::StatusOr<SlackMessagePage> page2 = api_.History(query);
  ASSERT_TRUE(page2.ok()) << page2.status();
  EXPECT_THAT(Texts(page2->messages), ElementsAre("request 6", "request 5", "request 4"));
  EXPECT_TRUE(page2->has_more);

  query.cursor = page2->next_cursor;
  absl::StatusOr<SlackMessagePage> page3 = api_.History(query);
  ASSERT_TRUE(page3.ok()) << page3.status();
  EXPECT_THAT(Texts(page3->messages), ElementsAre("request 7"));
  EXPECT_FALSE(page3->has_more);
  EXPECT_EQ(page3->next_cursor, "");

  std::vector<SlackRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].path, "/api/conversations.history");
  EXPECT_EQ(requests[0].Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(requests[0].body, "channel=C0CREDITS&limit=3&oldest=1700000000.000100&include_all_metadata=true");
  EXPECT_THAT(requests[1].body, HasSubstr("&cursor="));
  EXPECT_THAT(sleeper_.sleeps(), IsEmpty());

  // `inclusive` takes the boundary message too.
  query.cursor.clear();
  query.inclusive = true;
  absl::StatusOr<SlackMessagePage> inclusive = api_.History(query);
  ASSERT_TRUE(inclusive.ok()) << inclusive.status();
  EXPECT_THAT(Texts(inclusive->messages), ElementsAre("request 2", "request 1", "old"));
}

TEST_F(SlackWebApiTest, HistoryReturnsMetadataOnlyWhenAsked) {
  server_.AddChannel(kChannel, "credit-requests", true);
  const Json metadata = {{"event_type", "creditbot_reply"}, {"event_payload", {{"request_key", "k1"}}}};
  server_.PostUserMessage(kChannel, {{"user", FakeSlackServer::kBotUserId},
                                     {"bot_id", FakeSlackServer::kBotId},
                                     {"text", "our earlier reply"},
                                     {"metadata", metadata}});
  SlackHistoryQuery query;
  query.channel = kChannel;
  absl::StatusOr<SlackMessagePage> with = api_.History(query);
  ASSERT_TRUE(with.ok()) << with.status();
  ASSERT_EQ(with->messages.size(), 1u);
  EXPECT_EQ(with->messages[0]["metadata"], metadata);

  query.include_all_metadata = false;
  absl::StatusOr<SlackMessagePage> without = api_.History(query);
  ASSERT_TRUE(without.ok()) << without.status();
  ASSERT_EQ(without->messages.size(), 1u);
  EXPECT_FALSE(without->messages[0].contains("metadata"));
  EXPECT_THAT(LastRequest().body, Not(HasSubstr("include_all_metadata")));
}

TEST_F(SlackWebApiTest, HistoryShowsAnEditedMessageWithItsNewText) {
  server_.AddChannel(kChannel, "credit-requests", true);
  const std::string ts = server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "no link yet"}});
  server_.EditMessage(kChannel, ts, "now with <https://looker.example.com/looks/42>");
  SlackHistoryQuery query;
  query.channel = kChannel;
  absl::StatusOr<SlackMessagePage> page = api_.History(query);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->messages.size(), 1u);
  EXPECT_EQ(page->messages[0].value("text", ""), "now with <https://looker.example.com/looks/42>");
  EXPECT_EQ(page->messages[0]["edited"].value("user", ""), "U0ALICE");
  EXPECT_EQ(page->messages[0].value("ts", ""), ts);  // an edit keeps the message's ts
}

TEST_F(SlackWebApiTest, RepliesGiveTheParentThenRepliesWithOurMetadataAcrossPages) {
  server_.AddChannel(kChannel, "credit-requests", true);
  const std::string parent =
      server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "please credit <https://looker/x>"}});
  server_.PostUserMessage(kChannel, {{"user", "U0BOB"}, {"text", "+1"}, {"thread_ts", parent}});
  const std::string payload = PostMessagePayload(CreditReply(kChannel, parent), /*dry_run=*/false);
  absl::StatusOr<SlackPosted> posted = api_.PostMessage(payload);
  ASSERT_TRUE(posted.ok()) << posted.status();
  server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "thanks"}, {"thread_ts", parent}});

  absl::StatusOr<SlackMessagePage> page1 = api_.Replies(kChannel, parent, "", 2);
  ASSERT_TRUE(page1.ok()) << page1.status();
  EXPECT_THAT(Texts(page1->messages), ElementsAre("please credit <https://looker/x>", "+1"));
  EXPECT_EQ(page1->messages[0].value("reply_count", 0), 3);
  EXPECT_TRUE(page1->has_more);
  EXPECT_THAT(LastRequest().body, HasSubstr("include_all_metadata=true"));

  absl::StatusOr<SlackMessagePage> page2 = api_.Replies(kChannel, parent, page1->next_cursor, 2);
  ASSERT_TRUE(page2.ok()) << page2.status();
  EXPECT_THAT(Texts(page2->messages), ElementsAre("Credit for ACxxxx: $1,234.56", "thanks"));
  EXPECT_FALSE(page2->has_more);
  EXPECT_EQ(page2->next_cursor, "");
  const Json& ours = page2->messages[0];
  EXPECT_EQ(ours.value("bot_id", ""), FakeSlackServer::kBotId);
  EXPECT_EQ(ours.value("ts", ""), posted->ts);
  EXPECT_EQ(ours["metadata"], Json::parse(payload)["metadata"]);
  EXPECT_EQ(ours["metadata"]["event_payload"].value("request_key", ""), "slack:C0CREDITS:" + parent);

  absl::StatusOr<SlackMessagePage> whole = api_.Replies(kChannel, parent);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->messages.size(), 4u);
}

TEST_F(SlackWebApiTest, ListChannelsFollowsTheCursorOverEveryPage) {
  server_.SetPageSizeCap(1);  // one channel a page, as in the fixtures' three-page walk
  server_.AddChannel("C1", "credit-requests", true);
  server_.AddChannel("C2", "general", false);
  server_.AddChannel("G3", "fraud-ops", true, /*is_private=*/true);
  server_.AddChannel("G4", "secret", false, /*is_private=*/true);               // invisible to the bot
  server_.AddChannel("C5", "old-requests", true, false, /*is_archived=*/true);  // excluded
  absl::StatusOr<std::vector<SlackChannel>> channels = api_.ListChannels();
  ASSERT_TRUE(channels.ok()) << channels.status();
  ASSERT_EQ(channels->size(), 3u);
  EXPECT_EQ((*channels)[0].id, "C1");
  EXPECT_EQ((*channels)[0].name, "credit-requests");
  EXPECT_TRUE((*channels)[0].is_member);
  EXPECT_FALSE((*channels)[0].is_private);
  EXPECT_EQ((*channels)[1].id, "C2");
  EXPECT_FALSE((*channels)[1].is_member);
  EXPECT_EQ((*channels)[2].id, "G3");
  EXPECT_TRUE((*channels)[2].is_private);
  EXPECT_EQ(server_.Count("conversations.list"), 3);
  EXPECT_EQ(server_.requests()[0].body,
            "types=public_channel%2Cprivate_channel&exclude_archived=true&limit=200");
}

TEST_F(SlackWebApiTest, PostMessageSendsThePayloadExactlyAsJson) {
  server_.AddChannel(kChannel, "credit-requests", true);
  const std::string parent = server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "request"}});
  const std::string payload = PostMessagePayload(CreditReply(kChannel, parent), /*dry_run=*/false);
  absl::StatusOr<SlackPosted> posted = api_.PostMessage(payload);
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(posted->channel, kChannel);
  EXPECT_EQ(posted->ts, "1700000000.000200");

  const SlackRequest request = LastRequest();
  EXPECT_EQ(request.path, "/api/chat.postMessage");
  EXPECT_EQ(request.body, payload);
  EXPECT_EQ(request.Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(request.Header("Authorization"), std::string("Bearer ") + FakeSlackServer::kBotToken);

  std::vector<SlackBotPost> posts = server_.BotPosts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].payload, Json::parse(payload));
  EXPECT_EQ(posts[0].channel, kChannel);
  EXPECT_EQ(posts[0].thread_ts, parent);
  EXPECT_EQ(posts[0].ts, posted->ts);
  EXPECT_EQ(posts[0].unfurl_links, false);
  EXPECT_EQ(posts[0].unfurl_media, false);
  std::vector<Json> stored = server_.Messages(kChannel);
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].value("user", ""), FakeSlackServer::kBotUserId);
  EXPECT_EQ(stored[1].value("bot_id", ""), FakeSlackServer::kBotId);
  EXPECT_EQ(stored[1].value("app_id", ""), FakeSlackServer::kAppId);
  EXPECT_EQ(stored[1]["blocks"], Json::parse(payload)["blocks"]);
  EXPECT_EQ(stored[1]["metadata"], Json::parse(payload)["metadata"]);
}

TEST_F(SlackWebApiTest, PostMessageWaitsThePostIntervalBetweenPostsToOneChannel) {
  server_.AddChannel("C1", "one", true);
  server_.AddChannel("C2", "two", true);
  auto post = [this](const std::string& channel) {
    absl::StatusOr<SlackPosted> posted = api_.PostMessage(Json{{"channel", channel}, {"text", "hi"}}.dump());
    EXPECT_TRUE(posted.ok()) << posted.status();
  };
  post("C1");  // t0: first post, no wait
  post("C1");  // t0: 1 s since nothing → waits 1 s (clock now t0+1)
  post("C2");  // another channel: no wait
  post("C1");  // t0+1, last C1 post at t0+1 → waits 1 s (clock now t0+2)
  clock_.Advance(absl::Seconds(5));
  post("C1");  // 5 s later: no wait
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Seconds(1), absl::Seconds(1)));
  EXPECT_EQ(server_.BotPosts().size(), 5u);
}

TEST_F(SlackWebApiTest, RateLimitedCallWaitsExactlyTheRetryAfterThenSucceeds) {
  server_.AddChannel(kChannel, "credit-requests", true);
  server_.RateLimitNext("conversations.history", 1, /*retry_after_seconds=*/7);
  SlackHistoryQuery query;
  query.channel = kChannel;
  absl::StatusOr<SlackMessagePage> page = api_.History(query);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(server_.Count("conversations.history"), 2);
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Seconds(7)));

  // A 429 is Slack refusing the post, so even a post is repeated, and stored once.
  server_.RateLimitNext("chat.postMessage", 1, 3);
  absl::StatusOr<SlackPosted> posted = api_.PostMessage(Json{{"channel", kChannel}, {"text", "hi"}}.dump());
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(server_.Count("chat.postMessage"), 2);
  EXPECT_EQ(server_.BotPosts().size(), 1u);
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Seconds(7), absl::Seconds(3)));

  // A Retry-After beyond max_retry_wait is waited for max_retry_wait.
  server_.RateLimitNext("auth.test", 1, 3600);
  ASSERT_TRUE(api_.AuthTest().ok());
  EXPECT_EQ(sleeper_.sleeps().back(), absl::Minutes(2));
}

TEST_F(SlackWebApiTest, RateLimitStormBeyondMaxAttemptsIsUnavailable) {
  server_.AddChannel(kChannel, "credit-requests", true);
  const std::string parent = server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "request"}});
  server_.RateLimitNext("conversations.replies", 10, 2);
  absl::StatusOr<SlackMessagePage> page = api_.Replies(kChannel, parent);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(SlackErrorCode(page.status()), "ratelimited");
  EXPECT_THAT(page.status().message(), HasSubstr("Slack conversations.replies: ratelimited"));
  EXPECT_THAT(page.status().message(), HasSubstr("after 5 attempts"));
  EXPECT_EQ(server_.Count("conversations.replies"), 5);
  EXPECT_THAT(sleeper_.sleeps(),
              ElementsAre(absl::Seconds(2), absl::Seconds(2), absl::Seconds(2), absl::Seconds(2)));
}

TEST_F(SlackWebApiTest, NotInChannelIsPermissionDeniedWithTheInviteHint) {
  server_.AddChannel("C0QUIET", "quiet", /*bot_is_member=*/false);
  ASSERT_TRUE(api_.AuthTest().ok());  // the bot's handle ("bot" in the fixture) goes into the hint
  absl::StatusOr<SlackPosted> posted = api_.PostMessage(Json{{"channel", "C0QUIET"}, {"text", "hi"}}.dump());
  EXPECT_EQ(posted.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(SlackErrorCode(posted.status()), "not_in_channel");
  EXPECT_THAT(posted.status().message(), HasSubstr("Slack chat.postMessage: not_in_channel"));
  EXPECT_THAT(posted.status().message(),
              HasSubstr("invite the bot to the channel: /invite @bot in #channel"));
  EXPECT_THAT(posted.status().message(), HasSubstr("C0QUIET"));
  EXPECT_EQ(server_.Count("chat.postMessage"), 1);
  EXPECT_THAT(server_.BotPosts(), IsEmpty());
  ExpectNoToken(posted.status());
}

TEST_F(SlackWebApiTest, InvalidAuthIsUnauthenticatedAndNamesTheSettingNeverTheToken) {
  SlackApiOptions options = Options();
  const std::string wrong = "xoxb-1111-2222-notthetokenthefakeknows";
  options.bot_token = wrong;
  std::unique_ptr<SlackWebApi> api = ClientWith(options);
  absl::StatusOr<SlackIdentity> identity = api->AuthTest();
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(SlackErrorCode(identity.status()), "invalid_auth");
  EXPECT_THAT(identity.status().message(), HasSubstr("check SLACK_BOT_TOKEN"));
  EXPECT_THAT(identity.status().ToString(), Not(HasSubstr(wrong)));
  EXPECT_EQ(server_.Count("auth.test"), 1);  // never retried
}

TEST_F(SlackWebApiTest, ChannelNotFoundIsNotFoundWithTheChannelsHint) {
  SlackHistoryQuery query;
  query.channel = "C0NOSUCH";
  absl::StatusOr<SlackMessagePage> page = api_.History(query);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(SlackErrorCode(page.status()), "channel_not_found");
  EXPECT_THAT(page.status().message(), HasSubstr("check CREDITBOT_SLACK_CHANNELS"));
  ExpectNoToken(page.status());
}

TEST_F(SlackWebApiTest, OkFalseWithoutAnErrorIsUnknownError) {
  // python_sdk/web_response_api_test_false.json: {"ok": false} and nothing else.
  server_.FailHttpNext("auth.test", 200, 1,
                       FakeSlackServer::Fixture("python_sdk/web_response_api_test_false.json"),
                       "application/json; charset=utf-8");
  absl::StatusOr<SlackIdentity> identity = api_.AuthTest();
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SlackErrorCode(identity.status()), "unknown_error");
  EXPECT_THAT(identity.status().message(), HasSubstr("Slack auth.test: unknown_error"));
  EXPECT_EQ(server_.Count("auth.test"), 1);
}

TEST_F(SlackWebApiTest, MissingScopeNamesTheNeededScope) {
  server_.AddChannel(kChannel, "credit-requests", true);
  server_.FailNext("conversations.history", "missing_scope", 1,
                   {{"needed", "channels:history"}, {"provided", "chat:write"}});
  SlackHistoryQuery query;
  query.channel = kChannel;
  absl::StatusOr<SlackMessagePage> page = api_.History(query);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(SlackErrorCode(page.status()), "missing_scope");
  EXPECT_THAT(page.status().message(), HasSubstr("add the scope channels:history"));
}

TEST_F(SlackWebApiTest, NonJsonBadGatewayAndInternalErrorAreRetriedWithBackoff) {
  server_.AddChannel(kChannel, "credit-requests", true);
  server_.FailHttpNext("conversations.history", 502, 2);
  SlackHistoryQuery query;
  query.channel = kChannel;
  absl::StatusOr<SlackMessagePage> page = api_.History(query);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(server_.Count("conversations.history"), 3);
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Seconds(1), absl::Seconds(2)));

  server_.FailNext("conversations.history", "internal_error", 1);
  ASSERT_TRUE(api_.History(query).ok());
  EXPECT_EQ(server_.Count("conversations.history"), 5);
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Seconds(1), absl::Seconds(2), absl::Seconds(1)));
}

TEST_F(SlackWebApiTest, PostWhoseAnswerIsLostIsUnknownAndNeverRepeated) {
  server_.AddChannel(kChannel, "credit-requests", true);
  server_.DropPostAfterStoring(1);
  absl::StatusOr<SlackPosted> posted =
      api_.PostMessage(Json{{"channel", kChannel}, {"text", "credit"}}.dump());
  EXPECT_EQ(posted.status().code(), absl::StatusCode::kUnknown);
  EXPECT_THAT(posted.status().message(), HasSubstr("may have been posted"));
  EXPECT_EQ(server_.Count("chat.postMessage"), 1);
  EXPECT_EQ(server_.BotPosts().size(), 1u);
  EXPECT_EQ(server_.Messages(kChannel).size(), 1u);
  EXPECT_THAT(sleeper_.sleeps(), IsEmpty());
  ExpectNoToken(posted.status());

  // A proxy's 502 page: Slack may have the message too.
  server_.FailHttpNext("chat.postMessage", 502, 1);
  posted = api_.PostMessage(Json{{"channel", kChannel}, {"text", "credit"}}.dump());
  EXPECT_EQ(posted.status().code(), absl::StatusCode::kUnknown);
  EXPECT_EQ(server_.Count("chat.postMessage"), 2);
}

TEST_F(SlackWebApiTest, PostIsRepeatedWhenSlackSaysItDidNotPost) {
  server_.AddChannel(kChannel, "credit-requests", true);
  // A 503 carrying Slack's own JSON: Slack says the post was not done.
  server_.FailHttpNext("chat.postMessage", 503, 1, R"({"ok":false,"error":"service_unavailable"})",
                       "application/json; charset=utf-8");
  absl::StatusOr<SlackPosted> posted =
      api_.PostMessage(Json{{"channel", kChannel}, {"text", "credit"}}.dump());
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(server_.Count("chat.postMessage"), 2);
  EXPECT_EQ(server_.BotPosts().size(), 1u);
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Seconds(1)));
}

TEST_F(SlackWebApiTest, UpdateMessageChangesTheBotsMessage) {
  server_.AddChannel(kChannel, "credit-requests", true);
  absl::StatusOr<SlackPosted> posted =
      api_.PostMessage(Json{{"channel", kChannel}, {"text", "draft"}}.dump());
  ASSERT_TRUE(posted.ok()) << posted.status();
  ASSERT_TRUE(
      api_.UpdateMessage(kChannel, posted->ts, Json{{"channel", "ignored"}, {"text", "final"}}.dump()).ok());
  std::vector<Json> stored = server_.Messages(kChannel);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].value("text", ""), "final");
  EXPECT_TRUE(stored[0].contains("edited"));
  EXPECT_EQ(Json::parse(LastRequest().body),
            (Json{{"channel", kChannel}, {"ts", posted->ts}, {"text", "final"}}));

  const std::string theirs = server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "mine"}});
  absl::Status refused = api_.UpdateMessage(kChannel, theirs, Json{{"text", "x"}}.dump());
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SlackErrorCode(refused), "cant_update_message");
}

TEST_F(SlackWebApiTest, AlreadyReactedCountsAsSuccess) {
  server_.AddChannel(kChannel, "credit-requests", true);
  const std::string ts = server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "request"}});
  EXPECT_TRUE(api_.AddReaction(kChannel, ts, "eyes").ok());
  EXPECT_TRUE(api_.AddReaction(kChannel, ts, "eyes").ok());  // the fake answers already_reacted
  EXPECT_EQ(server_.Count("reactions.add"), 2);
  EXPECT_EQ(server_.Messages(kChannel)[0]["reactions"].size(), 1u);
  EXPECT_EQ(Json::parse(LastRequest().body),
            (Json{{"channel", kChannel}, {"name", "eyes"}, {"timestamp", ts}}));

  absl::Status missing = api_.AddReaction(kChannel, "1600000000.000001", "eyes");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(SlackErrorCode(missing), "message_not_found");
}

TEST_F(SlackWebApiTest, RemovingAReactionThatIsNotThereCountsAsSuccess) {
  server_.AddChannel(kChannel, "credit-requests", true);
  const std::string ts = server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "request"}});
  ASSERT_TRUE(api_.AddReaction(kChannel, ts, "eyes").ok());
  EXPECT_TRUE(api_.RemoveReaction(kChannel, ts, "eyes").ok());
  EXPECT_EQ(Json::parse(LastRequest().body),
            (Json{{"channel", kChannel}, {"name", "eyes"}, {"timestamp", ts}}));
  EXPECT_TRUE(server_.BotReactions(kChannel, ts).empty());
  EXPECT_TRUE(api_.RemoveReaction(kChannel, ts, "eyes").ok());  // the fake answers no_reaction
  EXPECT_EQ(server_.Count("reactions.remove"), 2);
  EXPECT_EQ(api_.RemoveReaction(kChannel, "1600000000.000001", "eyes").code(), absl::StatusCode::kNotFound);
}

TEST_F(SlackWebApiTest, HasBudgetSaysWhetherACallWouldWait) {
  server_.AddChannel(kChannel, "credit-requests", true);
  const std::string ts = server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "request"}});
  // reactions.remove is Tier 2: 20 a minute, all there at first.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(api_.HasBudget("reactions.remove")) << i;
    ASSERT_TRUE(api_.RemoveReaction(kChannel, ts, "eyes").ok()) << i;
  }
  EXPECT_FALSE(api_.HasBudget("reactions.remove"));
  EXPECT_THAT(sleeper_.sleeps(), IsEmpty());
  clock_.Advance(absl::Seconds(3));  // one token back (20 a minute)
  EXPECT_TRUE(api_.HasBudget("reactions.remove"));
}

TEST_F(SlackWebApiTest, AReactionIsSkippedNotWaitedForWhenTheMinutesBudgetIsSpent) {
  server_.AddChannel(kChannel, "credit-requests", true);
  const std::string ts = server_.PostUserMessage(kChannel, {{"user", "U0ALICE"}, {"text", "request"}});
  // reactions.add is Tier 3: 50 a minute. The 51st in the same instant is skipped without a call or a sleep.
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(api_.AddReaction(kChannel, ts, "eyes").ok()) << i;
  EXPECT_EQ(api_.AddReaction(kChannel, ts, "eyes").code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(server_.Count("reactions.add"), 50);
  EXPECT_THAT(sleeper_.sleeps(), IsEmpty());
  // 1.2 s later one token has come back (50 a minute).
  clock_.Advance(absl::Milliseconds(1200));
  EXPECT_TRUE(api_.AddReaction(kChannel, ts, "eyes").ok());
  EXPECT_EQ(server_.Count("reactions.add"), 51);
}

TEST_F(SlackWebApiTest, OpenDmIsCachedPerUserAndThePostGoesToTheDm) {
  absl::StatusOr<std::string> dm = api_.OpenDm("U0OWNER");
  ASSERT_TRUE(dm.ok()) << dm.status();
  EXPECT_EQ(*dm, "D0OWNER");
  EXPECT_EQ(Json::parse(LastRequest().body), (Json{{"users", "U0OWNER"}}));
  EXPECT_EQ(api_.OpenDm("U0OWNER").value_or(""), "D0OWNER");
  EXPECT_EQ(server_.Count("conversations.open"), 1);
  EXPECT_EQ(api_.OpenDm("U0OTHER").value_or(""), "D0OTHER");
  EXPECT_EQ(server_.Count("conversations.open"), 2);

  absl::StatusOr<SlackPosted> posted =
      api_.PostMessage(Json{{"channel", *dm}, {"text", "a request failed"}}.dump());
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(posted->channel, "D0OWNER");
  EXPECT_EQ(server_.Messages("D0OWNER").size(), 1u);
}

TEST_F(SlackWebApiTest, OpenSocketModeUrlSendsTheAppToken) {
  absl::StatusOr<std::string> url = api_.OpenSocketModeUrl();
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(*url, "wss://wss-somethiing.slack.com/link/?ticket=12348&app_id=5678");  // docs_ref fixture
  EXPECT_EQ(LastRequest().Header("Authorization"), std::string("Bearer ") + FakeSlackServer::kAppToken);

  server_.SetSocketModeUrl("ws://127.0.0.1:9/link/?ticket=t1");
  EXPECT_EQ(api_.OpenSocketModeUrl().value_or(""), "ws://127.0.0.1:9/link/?ticket=t1");  // never cached
  EXPECT_EQ(server_.Count("apps.connections.open"), 2);

  SlackApiOptions options = Options();
  options.app_token.clear();
  absl::StatusOr<std::string> unset = ClientWith(options)->OpenSocketModeUrl();
  EXPECT_EQ(unset.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(unset.status().message(), HasSubstr("SLACK_APP_TOKEN"));
  EXPECT_EQ(server_.Count("apps.connections.open"), 2);
}

TEST_F(SlackWebApiTest, ValidateOptionsRefusesSwappedTokensAndPlainHttpWithoutEchoingTokens) {
  SlackApiOptions options = Options();
  EXPECT_TRUE(SlackWebApi::ValidateOptions(options).ok());

  options.app_token = FakeSlackServer::kBotToken;  // a bot token where the app token goes
  absl::Status swapped = SlackWebApi::ValidateOptions(options);
  EXPECT_EQ(swapped.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(swapped.message(), HasSubstr("SLACK_APP_TOKEN"));
  EXPECT_THAT(swapped.message(), HasSubstr("xapp-"));
  ExpectNoToken(swapped);
  // A client built with it refuses every call and sends nothing.
  absl::StatusOr<std::string> url = ClientWith(options)->OpenSocketModeUrl();
  EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(server_.requests().empty());

  options = Options();
  options.bot_token = FakeSlackServer::kAppToken;
  absl::Status bot = SlackWebApi::ValidateOptions(options);
  EXPECT_EQ(bot.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bot.message(), HasSubstr("xoxb-"));
  ExpectNoToken(bot);

  options = Options();
  options.api_base_url = "http://slack.example.com/api/";
  EXPECT_EQ(SlackWebApi::ValidateOptions(options).code(), absl::StatusCode::kInvalidArgument);
  options.api_base_url = "https://slack.com/api/";
  EXPECT_TRUE(SlackWebApi::ValidateOptions(options).ok());
  options.api_base_url = "http://localhost:8080/api";
  EXPECT_TRUE(SlackWebApi::ValidateOptions(options).ok());
}

TEST_F(SlackWebApiTest, ConnectionFailuresAreRetriedForReadsAndUnknownForPostsWithoutTokens) {
  SlackApiOptions options = Options();
  options.api_base_url = "http://127.0.0.1:1/api/";  // nothing listens on port 1
  std::unique_ptr<SlackWebApi> api = ClientWith(options);
  absl::StatusOr<SlackIdentity> identity = api->AuthTest();
  EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(identity.status().message(), HasSubstr("after 5 attempts"));
  EXPECT_EQ(SlackErrorCode(identity.status()), "");
  EXPECT_THAT(sleeper_.sleeps(),
              ElementsAre(absl::Seconds(1), absl::Seconds(2), absl::Seconds(4), absl::Seconds(8)));
  ExpectNoToken(identity.status());

  absl::StatusOr<SlackPosted> posted = api->PostMessage(Json{{"channel", kChannel}, {"text", "x"}}.dump());
  EXPECT_EQ(posted.status().code(), absl::StatusCode::kUnknown);
  ExpectNoToken(posted.status());
}

}  // namespace
}  // namespace creditbot
