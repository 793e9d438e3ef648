// End-to-end tests of `creditbot serve` (the real binary) against a fake Slack on loopback: the Web API
// (tests/fake_slack_server.h), a Socket Mode websocket (tests/fake_socket_mode_server.h) and signed Events
// API deliveries sent the way Slack sends them (signature v0 computed here with OpenSSL, independently of
// the product's code). Each test waits for Slack-visible effects (a post in the fake), never for a time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/hmac.h>
#include <signal.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/url.h"
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
                                    const std::string& secret = kSigningSecret, int retry_num = -1,
                                    const std::string& path = "/slack/events",
                                    const std::string& content_type = "application/json") {
    httplib::Client client("127.0.0.1", port);
    httplib::Headers headers = {
        {"X-Slack-Request-Timestamp", std::to_string(timestamp)},
        {"X-Slack-Signature", "v0=" + HexHmacSha256(secret, absl::StrCat("v0:", timestamp, ":", body))}};
    if (retry_num >= 0) {
      headers.emplace("X-Slack-Retry-Num", std::to_string(retry_num));
      headers.emplace("X-Slack-Retry-Reason", "http_timeout");
    }
    client.set_read_timeout(10);
    return client.Post(path, headers, body, content_type);
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

// Slack interactivity (issue 17): a request answered with Approve / Reject / Adjust buttons, then clicks and
// modal submissions built from Slack's own SDK payloads (tests/fixtures/slack/events/interactive/,
// socket_mode/envelope.interactive.*), signed over HTTP (POST /slack/interactivity) or as Socket Mode
// `interactive` envelopes; the test waits for what Slack would see: chat.update of the reply, views.open
// with the click's trigger_id, the ephemeral answers on the response_url or by chat.postEphemeral.
constexpr char kApprover[] = "U0APPROVER1";
constexpr char kOtherApprover[] = "U0APPROVER2";
constexpr char kBystander[] = "U0BYSTANDER";

class ServeInteractivity : public ServeEndToEnd {
 protected:
  std::map<std::string, std::string> ApproverEnv(bool socket_mode, bool http) const {
    std::map<std::string, std::string> env = Env(socket_mode, http);
    env["CREDITBOT_APPROVERS"] = std::string(kApprover) + "," + kOtherApprover;
    return env;
  }
  std::unique_ptr<BackgroundCreditbot> ServeWithApprovers(bool socket_mode, bool http) {
    std::unique_ptr<BackgroundCreditbot> serve = Serve(ApproverEnv(socket_mode, http));
    port_ = PortOf(*serve);
    return serve;
  }

  // Posts a request and has serve answer it (by an Events API delivery, or Socket Mode); returns the
  // credit reply's ts and sets execution_id_ from its Approve button.
  std::string AnswerARequest(bool socket_mode) {
    const std::string text = std::string("credit please ") + kLook101;
    const std::string ts = slack_.PostUserMessage(kChannel, {{"user", kRequester}, {"text", text}});
    const Json event = EventCallback("Ev0001", ts, text);
    if (socket_mode) {
      socket_.SendEvent(event);
    } else {
      EXPECT_EQ(SendSigned(port_, event.dump(), static_cast<long>(time(nullptr)))->status, 200);
    }
    std::string reply_ts;
    EXPECT_TRUE(WaitUntil([&] {
      for (const SlackBotPost& post : slack_.BotPosts()) {
        if (post.channel != kChannel || post.thread_ts != ts) continue;
        for (const Json& block : post.payload.value("blocks", Json::array())) {
          if (block.value("type", "") != "actions") continue;
          for (const Json& element : block.value("elements", Json::array())) {
            if (element.value("action_id", "") == "creditbot_approve") {
              execution_id_ = element.value("value", "");
              reply_ts = post.ts;
            }
          }
        }
      }
      return !reply_ts.empty();
    })) << "no reply with buttons";
    request_ts_ = ts;
    return reply_ts;
  }

  // The Socket Mode fixture's block_actions click, by `user` on our button `action_id` of the reply.
  Json Click(const std::string& action_id, const std::string& user, const std::string& trigger_id,
             const std::string& response_id) const {
    Json payload =
        Json::parse(
            ReadFixture("slack/socket_mode/envelope.interactive.block_actions_button.java-sdk-mock.json"))
            .at("payload");
    payload["user"]["id"] = user;
    payload["user"]["username"] = user;
    payload["channel"]["id"] = kChannel;
    payload["container"]["channel_id"] = kChannel;
    payload["container"]["message_ts"] = reply_ts_;
    payload["message"]["ts"] = reply_ts_;
    payload["message"]["thread_ts"] = request_ts_;
    payload["trigger_id"] = trigger_id;
    payload["response_url"] = slack_.ResponseUrl(response_id);
    payload["actions"][0]["action_id"] = action_id;
    payload["actions"][0]["value"] = execution_id_;
    return payload;
  }

  // The Java SDK's view_submission as our Reject or Adjust modal, submitted by `user`.
  Json Submission(const std::string& callback_id, const std::string& user, const std::string& amount,
                  const std::string& reason) const {
    Json payload = Json::parse(ReadFixture("slack/events/interactive/view_submission.java-sdk-test.json"));
    payload["user"]["id"] = user;
    payload["view"]["callback_id"] = callback_id;
    payload["view"]["private_metadata"] = execution_id_;
    Json values = Json::object();
    values["creditbot_reason"]["reason"] = {{"type", "plain_text_input"}, {"value", reason}};
    if (callback_id == "creditbot_adjust_modal")
      values["creditbot_amount"]["amount"] = {{"type", "plain_text_input"}, {"value", amount}};
    payload["view"]["state"]["values"] = values;
    return payload;
  }

  // An interaction as Slack POSTs it: form-encoded `payload`, signed.
  httplib::Result Interact(const Json& payload, const std::string& secret = kSigningSecret) const {
    return SendSigned(port_, "payload=" + PercentEncode(payload.dump()), static_cast<long>(time(nullptr)),
                      secret,
                      /*retry_num=*/-1, "/slack/interactivity", "application/x-www-form-urlencoded");
  }

  // The chat.update calls that reached the fake, as their JSON bodies.
  std::vector<Json> Updates() const {
    std::vector<Json> updates;
    for (const SlackRequest& request : slack_.requests()) {
      if (request.api_method == "chat.update")
        updates.push_back(Json::parse(request.body, nullptr, /*allow_exceptions=*/false));
    }
    return updates;
  }
  // True when a chat.update of the reply mentions `text`.
  bool ReplyUpdatedWith(const std::string& text) const {
    for (const Json& update : Updates()) {
      if (update.value("ts", "") == reply_ts_ && absl::StrContains(update.dump(), text)) return true;
    }
    return false;
  }
  // The text posted to the response_url `id`, "" when none yet.
  std::string ResponseText(const std::string& id) const {
    for (const Json& post : slack_.ResponseUrlPosts()) {
      if (post.value("id", "") == id && post["body"].is_object()) return post["body"].value("text", "");
    }
    return "";
  }

  int port_ = 0;
  std::string execution_id_;
  std::string request_ts_;
  std::string reply_ts_;
};

TEST_F(ServeInteractivity, OverHttpApproveDecidesOnceAndLaterClicksAreAnsweredPrivately) {
  std::unique_ptr<BackgroundCreditbot> serve = ServeWithApprovers(/*socket_mode=*/false, /*http=*/true);
  ASSERT_GT(port_, 0) << serve->out();
  reply_ts_ = AnswerARequest(/*socket_mode=*/false);
  ASSERT_FALSE(execution_id_.empty()) << serve->err();

  // A forged click is refused and changes nothing.
  httplib::Result forged = Interact(Click("creditbot_approve", kApprover, "t0", "r0"), "not-the-secret");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);

  // A bystander's click: only they hear who can decide.
  httplib::Result bystander = Interact(Click("creditbot_approve", kBystander, "t1", "r1"));
  ASSERT_TRUE(bystander);
  EXPECT_EQ(bystander->status, 200);
  ASSERT_TRUE(WaitUntil([&] { return !ResponseText("r1").empty(); })) << serve->err();
  EXPECT_THAT(ResponseText("r1"), HasSubstr(std::string("<@") + kApprover + ">"));
  for (const Json& post : slack_.ResponseUrlPosts()) {
    EXPECT_EQ(post["body"]["response_type"], "ephemeral");
    EXPECT_EQ(post["body"]["replace_original"], false);
  }

  // The approver approves: the reply is updated in place.
  httplib::Result approved = Interact(Click("creditbot_approve", kApprover, "t2", "r2"));
  ASSERT_TRUE(approved);
  EXPECT_EQ(approved->status, 200);
  EXPECT_EQ(approved->body, "");
  ASSERT_TRUE(WaitUntil([&] { return ReplyUpdatedWith("Approved by"); })) << serve->err();
  EXPECT_TRUE(ReplyUpdatedWith(std::string("<@") + kApprover + ">"));

  // A double click, and the other approver a moment later: one decision, the later clicks told who decided.
  Interact(Click("creditbot_approve", kApprover, "t3", "r3"));
  Interact(Click("creditbot_approve", kOtherApprover, "t4", "r4"));
  ASSERT_TRUE(WaitUntil([&] { return !ResponseText("r3").empty() && !ResponseText("r4").empty(); }))
      << serve->err();
  EXPECT_THAT(absl::AsciiStrToLower(ResponseText("r4")), HasSubstr("already approved by"));
  EXPECT_THAT(ResponseText("r4"), HasSubstr(std::string("<@") + kApprover + ">"));
  EXPECT_EQ(Updates().size(), 1u);
  EXPECT_EQ(serve->Stop(SIGTERM), 0) << serve->err();
}

TEST_F(ServeInteractivity, OverHttpTwoApproversAtOnceGiveOneDecision) {
  std::unique_ptr<BackgroundCreditbot> serve = ServeWithApprovers(false, true);
  reply_ts_ = AnswerARequest(false);
  ASSERT_FALSE(execution_id_.empty()) << serve->err();
  std::thread first([&] { Interact(Click("creditbot_approve", kApprover, "t1", "a1")); });
  std::thread second([&] { Interact(Click("creditbot_approve", kOtherApprover, "t2", "a2")); });
  first.join();
  second.join();
  ASSERT_TRUE(WaitUntil([&] { return ReplyUpdatedWith("Approved by"); })) << serve->err();
  // Exactly one of the two hears that the other was first.
  ASSERT_TRUE(WaitUntil([&] { return !ResponseText("a1").empty() || !ResponseText("a2").empty(); }))
      << serve->err();
  EXPECT_EQ(slack_.ResponseUrlPosts().size(), 1u);
  EXPECT_EQ(Updates().size(), 1u);
  EXPECT_EQ(serve->Stop(SIGTERM), 0) << serve->err();
}

TEST_F(ServeInteractivity, OverHttpRejectOpensTheModalAndItsSubmissionRejectsWithTheReason) {
  std::unique_ptr<BackgroundCreditbot> serve = ServeWithApprovers(false, true);
  reply_ts_ = AnswerARequest(false);
  ASSERT_FALSE(execution_id_.empty()) << serve->err();

  ASSERT_EQ(Interact(Click("creditbot_reject", kApprover, "trigger-reject-1", "r1"))->status, 200);
  ASSERT_TRUE(WaitUntil([&] { return !slack_.OpenedViews().empty(); })) << serve->err();
  const Json opened = slack_.OpenedViews()[0];
  EXPECT_EQ(opened["trigger_id"], "trigger-reject-1");
  EXPECT_EQ(opened["view"]["callback_id"], "creditbot_reject_modal");
  EXPECT_EQ(opened["view"]["private_metadata"], execution_id_);

  // Submitted without a reason: the modal stays open with the message under the field.
  httplib::Result empty = Interact(Submission("creditbot_reject_modal", kApprover, "", "  "));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 200);
  const Json errors = Json::parse(empty->body, nullptr, false);
  EXPECT_EQ(errors.value("response_action", ""), "errors") << empty->body;
  EXPECT_TRUE(errors["errors"].contains("creditbot_reason")) << empty->body;

  httplib::Result submitted =
      Interact(Submission("creditbot_reject_modal", kApprover, "", "duplicate of an earlier request"));
  ASSERT_TRUE(submitted);
  EXPECT_EQ(submitted->status, 200);
  EXPECT_EQ(submitted->body, "");  // the modal closes
  ASSERT_TRUE(WaitUntil([&] { return ReplyUpdatedWith("Rejected by"); })) << serve->err();
  EXPECT_TRUE(ReplyUpdatedWith("duplicate of an earlier request"));

  // A second submission of the same modal: nothing decided again, the approver told in the thread.
  Interact(Submission("creditbot_reject_modal", kOtherApprover, "", "me too"));
  ASSERT_TRUE(WaitUntil([&] { return !slack_.Ephemerals().empty(); })) << serve->err();
  const Json ephemeral = slack_.Ephemerals()[0];
  EXPECT_EQ(ephemeral.value("channel", ""), kChannel);
  EXPECT_EQ(ephemeral.value("user", ""), kOtherApprover);
  EXPECT_THAT(absl::AsciiStrToLower(ephemeral.value("text", "")), HasSubstr("already rejected"));
  EXPECT_EQ(Updates().size(), 1u);
  EXPECT_EQ(serve->Stop(SIGTERM), 0) << serve->err();
}

TEST_F(ServeInteractivity, OverSocketModeAClickApprovesAndAModalsErrorsRideInTheAck) {
  std::unique_ptr<BackgroundCreditbot> serve = ServeWithApprovers(/*socket_mode=*/true, /*http=*/false);
  ASSERT_TRUE(WaitUntil([&] { return socket_.Connections() >= 1; })) << serve->err();
  reply_ts_ = AnswerARequest(/*socket_mode=*/true);
  ASSERT_FALSE(execution_id_.empty()) << serve->err();

  // An Adjust submission with a negative amount: the errors come back in the envelope's ack.
  socket_.Send({{"envelope_id", "env-adjust-1"},
                {"type", "interactive"},
                {"accepts_response_payload", true},
                {"payload", Submission("creditbot_adjust_modal", kApprover, "-5", "too much")}});
  ASSERT_TRUE(WaitUntil([&] {
    for (const std::string& frame : socket_.Received())
      if (absl::StrContains(frame, "env-adjust-1")) return true;
    return false;
  })) << serve->err();
  for (const std::string& frame : socket_.Received()) {
    if (!absl::StrContains(frame, "env-adjust-1")) continue;
    const Json ack = Json::parse(frame);
    EXPECT_EQ(ack["payload"]["response_action"], "errors") << frame;
    EXPECT_TRUE(ack["payload"]["errors"].contains("creditbot_amount")) << frame;
  }

  socket_.Send({{"envelope_id", "env-approve-1"},
                {"type", "interactive"},
                {"accepts_response_payload", false},
                {"payload", Click("creditbot_approve", kApprover, "t1", "r1")}});
  ASSERT_TRUE(WaitUntil([&] { return ReplyUpdatedWith("Approved by"); })) << serve->err();
  EXPECT_THAT(socket_.Acks(), ::testing::IsSupersetOf({"env-adjust-1", "env-approve-1"}));
  EXPECT_EQ(serve->Stop(SIGTERM), 0) << serve->err();
}

}  // namespace
}  // namespace creditbot::testing
