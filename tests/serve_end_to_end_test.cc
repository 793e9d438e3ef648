// End-to-end tests of `creditbot serve` (the real binary) against a fake Slack on loopback: the Web API
// (tests/fake_slack_server.h), a Socket Mode websocket (tests/fake_socket_mode_server.h) and signed Events
// API deliveries sent the way Slack sends them (signature v0 computed here with OpenSSL, independently of
// the product's code). Each test waits for Slack-visible effects (a post in the fake), never for a time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/hmac.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/fake_slack_server.h"
#include "tests/fake_socket_mode_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
constexpr char kChannel[] = "C0CREDITREQ";
constexpr char kRequester[] = "U0ANALYST1";
constexpr char kSigningSecret[] = "8f742231b10e8888abcd99yyyzzz85a5";  // Slack's published test secret
constexpr char kLook101[] = "<https://looker.example.com/looks/101|Authy fraud report - ACp>";

std::string HexHmacSha256(const std::string& key, const std::string& data) {
  unsigned char digest[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

// The event_callback Slack sends for a message posted in `channel`.
Json EventCallback(const std::string& event_id, const std::string& ts, const std::string& text) {
  return {{"token", "XXYYZZ"},
          {"team_id", "T0G9PQBBK"},
          {"api_app_id", "A0CREDITBOT"},
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
}

class ServeEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }
  void SetUp() override {
    slack_.AddChannel(kChannel, "credit-requests", /*bot_is_member=*/true);
    slack_.SetTsBase(1752588191);
    slack_.SetSocketModeUrl(socket_.url());
  }

  std::map<std::string, std::string> Env(bool socket_mode, bool events_api) const {
    std::map<std::string, std::string> env = {{"CREDITBOT_HOME", home_.path()},
                                              {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
                                              {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
                                              {"SLACK_BOT_TOKEN", FakeSlackServer::kBotToken},
                                              {"CREDITBOT_SLACK_API_URL", slack_.api_url()},
                                              {"CREDITBOT_SLACK_CHANNELS", kChannel},
                                              {"CREDITBOT_SLACK_POST_INTERVAL_MS", "0"},
                                              {"CREDITBOT_SLACK_LOOKBACK_HOURS", "100000"},
                                              {"CREDITBOT_HTTP_ADDR", "127.0.0.1:0"},
                                              {"CREDITBOT_CATCHUP_SECONDS", "3600"},
                                              {"SLACK_USER_ID", "U0OWNER01"},
                                              {"DRY_RUN", "false"},
                                              {"CREDITBOT_LOG_FORMAT", "json"}};
    if (socket_mode) env["SLACK_APP_TOKEN"] = FakeSlackServer::kAppToken;
    if (events_api) env["SLACK_SIGNING_SECRET"] = kSigningSecret;
    return env;
  }
  std::unique_ptr<BackgroundCreditbot> Serve(std::map<std::string, std::string> env) {
    auto serve = std::make_unique<BackgroundCreditbot>(std::vector<std::string>{"serve"}, env, home_.path());
    EXPECT_TRUE(serve->WaitForOutput("listening on")) << serve->err();
    return serve;
  }
  // The port serve printed ("listening on 127.0.0.1:PORT").
  static int PortOf(const BackgroundCreditbot& serve) {
    const std::string out = serve.out();
    const std::size_t at = out.find("127.0.0.1:");
    return at == std::string::npos ? 0 : std::stoi(out.substr(at + 10));
  }
  std::size_t Replies() const {
    std::size_t count = 0;
    for (const SlackBotPost& post : slack_.BotPosts())
      if (post.channel == kChannel) ++count;
    return count;
  }
  std::string PostRequest(const std::string& text) {
    return slack_.PostUserMessage(kChannel, {{"user", kRequester}, {"text", text}});
  }
  static httplib::Result SendSigned(int port, const std::string& body, long timestamp,
                                    const std::string& secret = kSigningSecret, int retry_num = -1) {
    httplib::Client client("127.0.0.1", port);
    httplib::Headers headers = {
        {"X-Slack-Request-Timestamp", std::to_string(timestamp)},
        {"X-Slack-Signature", "v0=" + HexHmacSha256(secret, absl::StrCat("v0:", timestamp, ":", body))}};
    if (retry_num >= 0) {
      headers.emplace("X-Slack-Retry-Num", std::to_string(retry_num));
      headers.emplace("X-Slack-Retry-Reason", "http_timeout");
    }
    return client.Post("/slack/events", headers, body, "application/json");
  }

  static SuiteWarehouse warehouse_;
  FakeSlackServer slack_;
  FakeSocketModeServer socket_;
  TempDir home_;
};

SuiteWarehouse ServeEndToEnd::warehouse_;

TEST_F(ServeEndToEnd, SocketModeAnswersANewRequestAndStopsCleanlyOnSigterm) {
  std::unique_ptr<BackgroundCreditbot> serve = Serve(Env(/*socket_mode=*/true, /*events_api=*/false));
  ASSERT_TRUE(WaitUntil([&] { return socket_.Connections() >= 1; })) << serve->err();

  const std::string ts = PostRequest(std::string("credit please ") + kLook101);
  const std::string envelope =
      socket_.SendEvent(EventCallback("Ev0001", ts, std::string("credit please ") + kLook101));
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 1; })) << serve->err();
  EXPECT_THAT(socket_.Acks(), ::testing::Contains(envelope));
  const SlackBotPost reply = slack_.BotPosts().front();
  EXPECT_EQ(reply.thread_ts, ts);
  EXPECT_THAT(reply.payload.value("text", ""), HasSubstr("$255.00"));
  // It came through the socket (not only the start-up catch-up pass): the event was queued.
  httplib::Client client("127.0.0.1", PortOf(*serve));
  std::string metrics;
  EXPECT_TRUE(WaitUntil([&] {
    httplib::Result scraped = client.Get("/metrics");
    metrics = scraped ? scraped->body : "";
    return metrics.find(R"(creditbot_events_received_total{result="queued",source="socket_mode"} 1)") !=
           std::string::npos;
  })) << metrics;

  EXPECT_EQ(serve->Stop(SIGTERM), 0) << serve->err();
  EXPECT_THAT(serve->err(), HasSubstr("serve stopped"));
}

TEST_F(ServeEndToEnd, DuplicateDeliveriesAreAnsweredOnce) {
  std::unique_ptr<BackgroundCreditbot> serve = Serve(Env(true, false));
  ASSERT_TRUE(WaitUntil([&] { return socket_.Connections() >= 1; })) << serve->err();
  const std::string text = std::string("credit please ") + kLook101;
  const std::string first = PostRequest(text);
  // Slack redelivers the same event (same event_id, new envelope), and a retry arrives late.
  socket_.SendEvent(EventCallback("Ev0002", first, text));
  socket_.SendEvent(EventCallback("Ev0002", first, text));
  socket_.SendEvent(EventCallback("Ev0002", first, text));
  // A second request behind them in the queue: once it is answered, the duplicates were handled.
  const std::string second = PostRequest(text);
  socket_.SendEvent(EventCallback("Ev0003", second, text));
  ASSERT_TRUE(WaitUntil([&] { return Replies() >= 2; })) << serve->err();
  EXPECT_EQ(serve->Stop(SIGTERM), 0);
  EXPECT_EQ(Replies(), 2u);
}

TEST_F(ServeEndToEnd, ReconnectsAfterADisconnectAndCatchesUpOnWhatWasPostedMeanwhile) {
  std::map<std::string, std::string> env = Env(true, false);
  env["CREDITBOT_CATCHUP_SECONDS"] = "1";
  std::unique_ptr<BackgroundCreditbot> serve = Serve(env);
  ASSERT_TRUE(WaitUntil([&] { return socket_.Connections() >= 1; })) << serve->err();

  socket_.Disconnect("refresh_requested");
  ASSERT_TRUE(WaitUntil([&] { return socket_.Connections() >= 2; })) << serve->err();
  const std::string text = std::string("credit please ") + kLook101;
  const std::string ts = PostRequest(text);
  socket_.SendEvent(EventCallback("Ev0004", ts, text));
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 1; })) << serve->err();

  // The link breaks without a word; a request posted meanwhile never arrives as an event.
  socket_.DropConnection();
  PostRequest(text);
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 2; })) << serve->err();
  ASSERT_TRUE(WaitUntil([&] { return socket_.Connections() >= 3; })) << serve->err();
  EXPECT_EQ(serve->Stop(SIGTERM), 0);
  EXPECT_EQ(Replies(), 2u);
}

TEST_F(ServeEndToEnd, EventsApiChecksSignaturesAndDoesNotDoubleProcessRetries) {
  std::unique_ptr<BackgroundCreditbot> serve = Serve(Env(/*socket_mode=*/false, /*events_api=*/true));
  const int port = PortOf(*serve);
  ASSERT_GT(port, 0) << serve->out();
  const long now = static_cast<long>(time(nullptr));

  // URL verification, as Slack sends it when the request URL is configured.
  const std::string challenge =
      R"({"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"})";
  httplib::Result verified = SendSigned(port, challenge, now);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->status, 200);
  EXPECT_THAT(verified->body, HasSubstr("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"));

  const std::string text = std::string("credit please ") + kLook101;
  const std::string ts = PostRequest(text);
  const std::string body = EventCallback("Ev0005", ts, text).dump();
  // Forged (wrong secret) and stale (six minutes old) deliveries are refused and never processed.
  httplib::Result forged = SendSigned(port, body, now, "not-the-signing-secret");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  httplib::Result stale = SendSigned(port, body, now - 360);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 401);

  httplib::Result delivered = SendSigned(port, body, now);
  ASSERT_TRUE(delivered);
  EXPECT_EQ(delivered->status, 200);
  // Slack's retry of the same event (it did not see our 200 in time): acknowledged, not processed again.
  httplib::Result retried = SendSigned(port, body, now, kSigningSecret, /*retry_num=*/1);
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->status, 200);
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 1; })) << serve->err();

  httplib::Client client("127.0.0.1", port);
  httplib::Result health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  // The worker counts the outcome just after the post Slack saw: wait for it.
  std::string metrics;
  EXPECT_TRUE(WaitUntil([&] {
    httplib::Result scraped = client.Get("/metrics");
    metrics = scraped ? scraped->body : "";
    return metrics.find(R"(creditbot_requests_total{outcome="replied"} 1)") != std::string::npos;
  })) << metrics;
  EXPECT_THAT(metrics,
              HasSubstr(R"(creditbot_events_received_total{result="queued",source="events_api"} 1)"));

  // Another request behind the retry: once answered, the retry was certainly not turned into a reply.
  const std::string second = PostRequest(text);
  ASSERT_EQ(SendSigned(port, EventCallback("Ev0006", second, text).dump(), now)->status, 200);
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 2; })) << serve->err();
  EXPECT_EQ(serve->Stop(SIGINT), 0);
  EXPECT_EQ(Replies(), 2u);
}

// Issue 21: one Events API delivery is one count in creditbot_events_received_total{source="events_api"}
// (the endpoint and the worker both counted it: result="event" and result="queued"), and Slack's retry of the
// same event_id is one more, as "duplicate", never a second "queued".
TEST_F(ServeEndToEnd, EachEventsApiDeliveryIsCountedOnce) {
  auto serve = Serve(Env(false, true));
  const int port = PortOf(*serve);
  ASSERT_GT(port, 0) << serve->out();
  const long now = static_cast<long>(time(nullptr));
  const std::string text = std::string("credit please ") + kLook101;
  const std::string body = EventCallback("Ev0007", PostRequest(text), text).dump();
  ASSERT_EQ(SendSigned(port, body, now)->status, 200);
  ASSERT_EQ(SendSigned(port, body, now, kSigningSecret, /*retry_num=*/1)->status, 200);
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 1; })) << serve->err();

  httplib::Client client("127.0.0.1", port);
  httplib::Result scraped = client.Get("/metrics");
  ASSERT_TRUE(scraped);
  double deliveries = 0;
  std::string counted;
  for (const absl::string_view view : absl::StrSplit(scraped->body, '\n')) {
    const std::string line(view);
    if (line.rfind("creditbot_events_received_total{", 0) != 0 ||
        line.find("events_api") == std::string::npos)
      continue;
    const double value = std::stod(line.substr(line.rfind(' ') + 1));
    deliveries += value;
    if (value > 0) absl::StrAppend(&counted, line, "\n");
  }
  EXPECT_EQ(deliveries, 2) << counted;
  EXPECT_THAT(counted,
              HasSubstr(R"(creditbot_events_received_total{result="queued",source="events_api"} 1)"));
  EXPECT_THAT(counted,
              HasSubstr(R"(creditbot_events_received_total{result="duplicate",source="events_api"} 1)"));
  EXPECT_EQ(serve->Stop(SIGINT), 0);
}

TEST_F(ServeEndToEnd, RefusesToStartWithoutAWayToReceiveEvents) {
  RunResult run = RunCreditbot({"serve"}, Env(false, false), home_.path());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("SLACK_APP_TOKEN"));
  EXPECT_THAT(run.err, HasSubstr("SLACK_SIGNING_SECRET"));
}

}  // namespace
}  // namespace creditbot::testing
