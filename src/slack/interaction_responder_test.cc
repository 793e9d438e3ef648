// Tests for the response_url rule (only Slack's hosts, or the configured Web API's), the ephemeral body, and
// SlackInteractionResponder's calls against FakeSlackServer over real HTTP (views.open, response_url,
// chat.postEphemeral).
#include "slack/interaction_responder.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "slack/interactivity.h"
#include "tests/fake_slack_server.h"

namespace creditbot {
namespace {

constexpr char kSlackBase[] = "https://slack.com/api/";

TEST(IsSlackResponseUrl, FollowsSlackHooksOnly) {
  EXPECT_TRUE(IsSlackResponseUrl("https://hooks.slack.com/actions/T111/111/xxx", kSlackBase));
  EXPECT_TRUE(IsSlackResponseUrl("https://slack.com/x", kSlackBase));
  EXPECT_FALSE(IsSlackResponseUrl("http://hooks.slack.com/actions/T111/111/xxx", kSlackBase));
  EXPECT_FALSE(IsSlackResponseUrl("https://hooks.slack.com.evil.example/actions", kSlackBase));
  EXPECT_FALSE(IsSlackResponseUrl("https://evilslack.com/actions", kSlackBase));
  EXPECT_FALSE(IsSlackResponseUrl("https://user@hooks.slack.com/actions", kSlackBase));
  EXPECT_FALSE(IsSlackResponseUrl("https://hooks.slack.com:8443/actions", kSlackBase));
  EXPECT_FALSE(IsSlackResponseUrl("https://169.254.169.254/latest/meta-data/", kSlackBase));
  EXPECT_FALSE(IsSlackResponseUrl("", kSlackBase));
  EXPECT_FALSE(IsSlackResponseUrl("not a url", kSlackBase));
}

TEST(IsSlackResponseUrl, FollowsTheConfiguredApiHostAndPort) {
  const char base[] = "http://127.0.0.1:8123/api/";
  EXPECT_TRUE(IsSlackResponseUrl("http://127.0.0.1:8123/response/1", base));
  EXPECT_FALSE(IsSlackResponseUrl("http://127.0.0.1:8124/response/1", base));
  EXPECT_FALSE(IsSlackResponseUrl("https://127.0.0.1:8123/response/1", base));
  EXPECT_FALSE(IsSlackResponseUrl("http://localhost:8123/response/1", base));
}

TEST(EphemeralResponseBody, IsShownToTheClickerAloneAndKeepsTheOriginal) {
  EXPECT_EQ(nlohmann::json::parse(EphemeralResponseBody("Only <@U1> can decide.")),
            nlohmann::json::parse(
                R"({"response_type":"ephemeral","replace_original":false,"text":"Only <@U1> can decide."})"));
}

class SlackInteractionResponderTest : public ::testing::Test {
 protected:
  SlackApiOptions Options() const {
    SlackApiOptions options;
    options.api_base_url = server_.api_url();
    options.bot_token = testing::FakeSlackServer::kBotToken;
    options.max_attempts = 1;
    return options;
  }
  testing::FakeSlackServer server_;
  std::unique_ptr<HttpTransport> api_transport_ = MakeCurlTransport();
  std::unique_ptr<HttpTransport> response_transport_ = MakeCurlTransport();
  FakeClock clock_{absl::FromUnixSeconds(1763884800)};
  FakeSleeper sleeper_{clock_};
  SlackWebApi api_{*api_transport_, clock_, sleeper_, Options()};
  SlackInteractionResponder responder_{api_, *response_transport_, server_.api_url()};
};

TEST_F(SlackInteractionResponderTest, OpenModalSendsTheTriggerAndTheViewOnce) {
  ASSERT_TRUE(responder_.OpenModal("111.222.xxx", RejectModalView("exec-1")).ok());
  ASSERT_EQ(server_.OpenedViews().size(), 1u);
  EXPECT_EQ(server_.OpenedViews()[0]["trigger_id"], "111.222.xxx");
  EXPECT_EQ(server_.OpenedViews()[0]["view"], RejectModalView("exec-1"));
  // A trigger works once: Slack refuses it again, which is not retried.
  const absl::Status again = responder_.OpenModal("111.222.xxx", RejectModalView("exec-1"));
  EXPECT_EQ(again.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SlackErrorCode(again), "exchanged_trigger_id");
  EXPECT_EQ(server_.Count("views.open"), 2);
  EXPECT_EQ(responder_.OpenModal("", RejectModalView("exec-1")).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server_.Count("views.open"), 2);  // not sent
}

TEST_F(SlackInteractionResponderTest, RespondEphemeralPostsToTheResponseUrl) {
  ASSERT_TRUE(responder_.RespondEphemeral(server_.ResponseUrl("r1"), "Only <@U1> can decide.").ok());
  ASSERT_EQ(server_.ResponseUrlPosts().size(), 1u);
  EXPECT_EQ(server_.ResponseUrlPosts()[0]["id"], "r1");
  EXPECT_EQ(server_.ResponseUrlPosts()[0]["body"],
            nlohmann::json::parse(
                R"({"response_type":"ephemeral","replace_original":false,"text":"Only <@U1> can decide."})"));
}

TEST_F(SlackInteractionResponderTest, RespondEphemeralRefusesAUrlThatIsNotSlacksAndSendsNothing) {
  const absl::Status refused = responder_.RespondEphemeral("https://attacker.example/collect?x=1", "hello");
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(refused.message(), "response_url https://attacker.example/collect is not Slack's; not followed");
  EXPECT_TRUE(server_.ResponseUrlPosts().empty());
}

TEST_F(SlackInteractionResponderTest, PostEphemeralAnswersTheApproverInTheThread) {
  server_.AddChannel("C0REQUESTS", "credit-requests", /*bot_is_member=*/true);
  ASSERT_TRUE(
      responder_.PostEphemeral("C0REQUESTS", "U0APPROVER1", "1700000000.000100", "already rejected").ok());
  ASSERT_EQ(server_.Ephemerals().size(), 1u);
  const nlohmann::json sent = server_.Ephemerals()[0];
  EXPECT_EQ(sent["channel"], "C0REQUESTS");
  EXPECT_EQ(sent["user"], "U0APPROVER1");
  EXPECT_EQ(sent["thread_ts"], "1700000000.000100");
  EXPECT_EQ(sent["text"], "already rejected");
}

}  // namespace
}  // namespace creditbot
