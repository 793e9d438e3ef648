// End-to-end tests of `creditbot serve` (the real binary) re-reading its secrets: the Slack bot token and
// signing secret live in a Secrets Manager secret (CREDITBOT_SECRET_ID) on the fake AWS server, which checks
// every SigV4 signature; Slack is the fake Web API, which accepts one bot token at a time, and events come
// signed through the Events API (signature v0 computed here with OpenSSL). A rotation is picked up on SIGHUP
// and by the periodic refresh; a secret that can no longer be read leaves the service on the values in use.
// Each test waits for visible effects (a log line, a post in the fake, a metric), never for a time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/hmac.h>
#include <signal.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "tests/fake_aws_server.h"
#include "tests/fake_slack_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
constexpr char kSecretId[] = "credit-bot/credentials";
constexpr char kChannel[] = "C0CREDITREQ";
constexpr char kRequester[] = "U0ANALYST1";
constexpr char kOldSigningSecret[] = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr char kNewSigningSecret[] = "3c9d0e77rotated4b1aa5f0e2c6d8b91";
constexpr char kNewBotToken[] = "xoxb-2112-4242-rOtAtEdBoTtOkEnFoRcReDiTbOt";
constexpr char kLook101[] = "<https://looker.example.com/looks/101|Authy fraud report - ACp>";

std::string Signature(const std::string& secret, const std::string& base) {
  unsigned char mac[32];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), mac, &size);
  std::string hex = "v0=";
  for (unsigned int i = 0; i < size; ++i) absl::StrAppend(&hex, absl::Hex(mac[i], absl::kZeroPad2));
  return hex;
}

std::string SecretJson(const std::string& bot_token, const std::string& signing_secret) {
  return Json{{"SLACK_BOT_TOKEN", bot_token}, {"SLACK_SIGNING_SECRET", signing_secret}}.dump();
}

class ServeSecretReload : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }
  void SetUp() override {
    slack_.AddChannel(kChannel, "credit-requests", /*bot_is_member=*/true);
    slack_.SetTsBase(1752588191);
    aws_.PutSecret(kSecretId, SecretJson(FakeSlackServer::kBotToken, kOldSigningSecret));
  }

  // Slack's tokens come only from the secret.
  std::map<std::string, std::string> Env(const std::string& refresh_seconds) const {
    return {{"CREDITBOT_HOME", home_.path()},
            {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
            {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
            {"CREDITBOT_SLACK_API_URL", slack_.api_url()},
            {"CREDITBOT_SLACK_CHANNELS", kChannel},
            {"CREDITBOT_SLACK_POST_INTERVAL_MS", "0"},
            {"CREDITBOT_SLACK_LOOKBACK_HOURS", "100000"},
            {"CREDITBOT_HTTP_ADDR", "127.0.0.1:0"},
            {"CREDITBOT_CATCHUP_SECONDS", "3600"},
            {"CREDITBOT_SECRET_REFRESH_SECONDS", refresh_seconds},
            {"CREDITBOT_SECRET_ID", kSecretId},
            {"AWS_ENDPOINT_URL", aws_.base_url()},
            {"AWS_REGION", FakeAwsServer::kRegion},
            {"AWS_ACCESS_KEY_ID", FakeAwsServer::kAccessKeyId},
            {"AWS_SECRET_ACCESS_KEY", FakeAwsServer::kSecretAccessKey},
            {"SLACK_USER_ID", "U0OWNER01"},
            {"DRY_RUN", "false"},
            {"CREDITBOT_LOG_FORMAT", "json"}};
  }
  // Starts serve and waits for its start-up catch-up pass (done with the first token).
  std::unique_ptr<BackgroundCreditbot> Serve(const std::string& refresh_seconds) {
    auto serve = std::make_unique<BackgroundCreditbot>(std::vector<std::string>{"serve"},
                                                       Env(refresh_seconds), home_.path());
    EXPECT_TRUE(serve->WaitForOutput("listening on")) << serve->err();
    EXPECT_TRUE(serve->WaitForOutput("catch-up pass done")) << serve->err();
    const std::string out = serve->out();
    const std::size_t at = out.find("listening on 127.0.0.1:");
    port_ = at == std::string::npos ? 0 : std::stoi(out.substr(at + 23));
    EXPECT_GT(port_, 0) << out;
    return serve;
  }
  // A new request posted in the channel and delivered through the Events API, signed with `secret`;
  // returns the HTTP status serve answered.
  int Deliver(const std::string& event_id, const std::string& secret) {
    const std::string text = std::string("credit please ") + kLook101;
    const std::string ts = slack_.PostUserMessage(kChannel, {{"user", kRequester}, {"text", text}});
    const Json envelope = {{"token", "XXYYZZ"},
                           {"team_id", FakeSlackServer::kTeamId},
                           {"api_app_id", FakeSlackServer::kAppId},
                           {"type", "event_callback"},
                           {"event_id", event_id},
                           {"event_time", 1752588191},
                           {"event",
                            {{"type", "message"},
                             {"channel", kChannel},
                             {"channel_type", "channel"},
                             {"user", kRequester},
                             {"text", text},
                             {"ts", ts},
                             {"event_ts", ts}}}};
    const std::string body = envelope.dump();
    const std::string timestamp = std::to_string(static_cast<long>(std::time(nullptr)));
    httplib::Client client("127.0.0.1", port_);
    httplib::Result result =
        client.Post("/slack/events",
                    {{"X-Slack-Request-Timestamp", timestamp},
                     {"X-Slack-Signature", Signature(secret, absl::StrCat("v0:", timestamp, ":", body))}},
                    body, "application/json");
    return result ? result->status : -1;
  }
  std::size_t Replies() const {
    std::size_t count = 0;
    for (const SlackBotPost& post : slack_.BotPosts())
      if (post.channel == kChannel) ++count;
    return count;
  }
  // The Authorization header of the last chat.postMessage the fake received.
  std::string LastPostAuthorization() const {
    std::string authorization;
    for (const SlackRequest& request : slack_.requests())
      if (request.api_method == "chat.postMessage") authorization = request.Header("Authorization");
    return authorization;
  }
  std::string Metrics() const {
    httplib::Client client("127.0.0.1", port_);
    httplib::Result scraped = client.Get("/metrics");
    return scraped ? scraped->body : "";
  }
  static void ExpectNoSecretIn(const std::string& text) {
    for (const char* secret : {FakeSlackServer::kBotToken, kNewBotToken, kOldSigningSecret, kNewSigningSecret,
                               FakeAwsServer::kSecretAccessKey})
      EXPECT_THAT(text, Not(HasSubstr(secret)));
  }

  static SuiteWarehouse warehouse_;
  FakeSlackServer slack_;
  FakeAwsServer aws_;
  TempDir home_;
  int port_ = 0;
};

SuiteWarehouse ServeSecretReload::warehouse_;

TEST_F(ServeSecretReload, SighupPicksUpARotatedBotTokenAndSigningSecret) {
  std::unique_ptr<BackgroundCreditbot> serve = Serve("0");  // only on SIGHUP
  ASSERT_EQ(Deliver("EvOLD1", kOldSigningSecret), 200);
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 1; })) << serve->err();
  EXPECT_EQ(LastPostAuthorization(), absl::StrCat("Bearer ", FakeSlackServer::kBotToken));

  // Rotation: the secret gets new values, and Slack accepts only the new token from now on.
  aws_.PutSecret(kSecretId, SecretJson(kNewBotToken, kNewSigningSecret));
  slack_.SetBotToken(kNewBotToken);
  ASSERT_EQ(kill(serve->pid(), SIGHUP), 0);
  ASSERT_TRUE(serve->WaitForOutput(R"("changed":"SLACK_BOT_TOKEN,SLACK_SIGNING_SECRET")")) << serve->err();

  // An event signed with the old signing secret is refused; one signed with the new one is answered, with
  // the new token.
  EXPECT_EQ(Deliver("EvOLD2", kOldSigningSecret), 401);
  ASSERT_EQ(Deliver("EvNEW1", kNewSigningSecret), 200);
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 2; })) << serve->err();
  EXPECT_EQ(LastPostAuthorization(), absl::StrCat("Bearer ", kNewBotToken));
  EXPECT_THAT(slack_.BotPosts().back().payload.value("text", ""), HasSubstr("$255.00"));

  // Another SIGHUP with nothing rotated changes nothing.
  ASSERT_EQ(kill(serve->pid(), SIGHUP), 0);
  ASSERT_TRUE(serve->WaitForOutput("configuration reloaded: nothing changed")) << serve->err();
  const std::string metrics = Metrics();
  EXPECT_THAT(metrics, HasSubstr(R"(creditbot_config_reloads_total{result="ok"} 1)"));
  EXPECT_THAT(metrics, HasSubstr(R"(creditbot_config_reloads_total{result="unchanged"} 1)"));
  EXPECT_THAT(metrics, HasSubstr(R"(creditbot_config_reloads_total{result="failed"} 0)"));

  EXPECT_EQ(serve->Stop(SIGTERM), 0) << serve->err();
  ExpectNoSecretIn(serve->out());
  ExpectNoSecretIn(serve->err());
  EXPECT_EQ(Replies(), 2u);
}

TEST_F(ServeSecretReload, ThePeriodicRefreshPicksUpARotationWithoutASignal) {
  std::unique_ptr<BackgroundCreditbot> serve = Serve("1");
  // Slack first, so that no refresh sees the new secret while Slack still wants the old token.
  slack_.SetBotToken(kNewBotToken);
  aws_.PutSecret(kSecretId, SecretJson(kNewBotToken, kNewSigningSecret));
  ASSERT_TRUE(serve->WaitForOutput(R"("changed":"SLACK_BOT_TOKEN,SLACK_SIGNING_SECRET")")) << serve->err();
  EXPECT_THAT(serve->err(), HasSubstr(R"("trigger":"periodic")"));

  EXPECT_EQ(Deliver("EvOLD1", kOldSigningSecret), 401);
  ASSERT_EQ(Deliver("EvNEW1", kNewSigningSecret), 200);
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 1; })) << serve->err();
  EXPECT_EQ(LastPostAuthorization(), absl::StrCat("Bearer ", kNewBotToken));

  EXPECT_EQ(serve->Stop(SIGTERM), 0) << serve->err();
  ExpectNoSecretIn(serve->out());
  ExpectNoSecretIn(serve->err());
}

TEST_F(ServeSecretReload, ASecretThatCannotBeReadAnyMoreKeepsTheValuesInUse) {
  std::unique_ptr<BackgroundCreditbot> serve = Serve("1");
  aws_.DenySecret(kSecretId);
  ASSERT_TRUE(serve->WaitForOutput("configuration reload failed")) << serve->err();
  EXPECT_THAT(serve->err(), HasSubstr(kSecretId));
  std::string metrics;
  EXPECT_TRUE(WaitUntil([&] {
    metrics = Metrics();
    return metrics.find(R"(creditbot_config_reloads_total{result="failed"} )") != std::string::npos &&
           metrics.find(R"(creditbot_config_reloads_total{result="failed"} 0)") == std::string::npos;
  })) << metrics;
  EXPECT_THAT(metrics, HasSubstr(R"(creditbot_config_reloads_total{result="ok"} 0)"));

  // Still serving with the old signing secret and token.
  ASSERT_EQ(Deliver("EvOLD1", kOldSigningSecret), 200);
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 1; })) << serve->err();
  EXPECT_EQ(LastPostAuthorization(), absl::StrCat("Bearer ", FakeSlackServer::kBotToken));
  httplib::Client client("127.0.0.1", port_);
  httplib::Result health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_TRUE(serve->Running());

  EXPECT_EQ(serve->Stop(SIGTERM), 0) << serve->err();
  ExpectNoSecretIn(serve->out());
  ExpectNoSecretIn(serve->err());
}

}  // namespace
}  // namespace creditbot::testing
