// Tests for the Socket Mode frame and URL parsers (on every fixture in fixtures/slack/socket_mode) and for
// SocketModeClient against FakeSocketModeServer over real loopback websockets. Durations in the options
// are short so the tests run fast; assertions are on behaviour and counts, never on timings.
#include "slack/socket_mode_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "tests/fake_socket_mode_server.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeSocketModeServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

nlohmann::json FixtureJson(const std::string& name) {
  return nlohmann::json::parse(FakeSocketModeServer::Fixture(name));
}

SocketModeFrame ParseFixture(const std::string& name) {
  absl::StatusOr<SocketModeFrame> frame = ParseSocketModeFrame(FakeSocketModeServer::Fixture(name));
  EXPECT_TRUE(frame.ok()) << name << ": " << frame.status();
  return frame.ok() ? *frame : SocketModeFrame{};
}

void ExpectRefusedFrame(std::string_view text, const std::string& message) {
  absl::StatusOr<SocketModeFrame> frame = ParseSocketModeFrame(text);
  ASSERT_FALSE(frame.ok()) << text;
  EXPECT_EQ(frame.status().code(), absl::StatusCode::kInvalidArgument) << text;
  EXPECT_EQ(frame.status().message(), message) << text;
}

// --- ParseSocketModeFrame on the fixtures -------------------------------------------------------------

TEST(SocketModeFrame, ParsesHelloFixtures) {
  struct Case {
    const char* file;
    int num_connections;
    const char* host;
  };
  for (const Case& c : {Case{"hello.python-sdk-mock.json", 2, "applink-111-xxx"},
                        Case{"hello.java-sdk-mock.json", 1, "applink-xxx-yyy"},
                        Case{"from_issue_logs/hello.bolt-js-issue1061.json", 2, "applink-d85c5c684-k8lpq"}}) {
    SocketModeFrame frame = ParseFixture(c.file);
    EXPECT_EQ(frame.type, "hello") << c.file;
    EXPECT_FALSE(frame.IsEnvelope()) << c.file;
    EXPECT_EQ(frame.envelope_id, "") << c.file;
    EXPECT_EQ(frame.num_connections, c.num_connections) << c.file;
    EXPECT_EQ(frame.debug_host, c.host) << c.file;
    ASSERT_TRUE(frame.approximate_connection_time.has_value()) << c.file;
    EXPECT_EQ(*frame.approximate_connection_time, absl::Seconds(18060)) << c.file;
  }
}

TEST(SocketModeFrame, ParsesDisconnectFixtures) {
  struct Case {
    const char* file;
    const char* reason;
    const char* host;
  };
  for (const Case& c :
       {Case{"disconnect.too_many_websockets.python-sdk-mock.json", "too_many_websockets", "applink-111-xxx"},
        Case{"from_issue_logs/disconnect.refresh_requested.bolt-js-issue1061.json", "refresh_requested",
             "applink-d85c5c684-dnqj9"},
        Case{"from_issue_logs/disconnect.warning.bolt-js-issue1061.json", "warning",
             "applink-canary-5467cdc868-2w5t7"},
        Case{"from_issue_logs/disconnect.warning.bolt-js-issue2496.json", "warning", "applink-0"}}) {
    SocketModeFrame frame = ParseFixture(c.file);
    EXPECT_EQ(frame.type, "disconnect") << c.file;
    EXPECT_EQ(frame.reason, c.reason) << c.file;
    EXPECT_EQ(frame.debug_host, c.host) << c.file;
    EXPECT_FALSE(frame.approximate_connection_time.has_value()) << c.file;
  }
}

TEST(SocketModeFrame, ParsesEventsApiEnvelopeFixtures) {
  SocketModeFrame mention = ParseFixture("envelope.events_api.app_mention.python-sdk-mock.json");
  EXPECT_EQ(mention.type, "events_api");
  EXPECT_TRUE(mention.IsEnvelope());
  EXPECT_EQ(mention.envelope_id, "cda4159a-72a5-4744-aba3-4d66eb52682b");
  EXPECT_EQ(mention.payload["type"], "event_callback");
  EXPECT_EQ(mention.payload["event_id"], "Ev111");
  EXPECT_EQ(mention.payload["event"]["type"], "app_mention");
  EXPECT_FALSE(mention.accepts_response_payload);
  EXPECT_EQ(mention.retry_attempt, 0);
  EXPECT_EQ(mention.retry_reason, "");

  SocketModeFrame java = ParseFixture("envelope.events_api.app_mention.java-sdk-mock.json");
  EXPECT_EQ(java.type, "events_api");
  EXPECT_EQ(java.envelope_id, "xxx-11-222-yyy-zzz");
  EXPECT_EQ(java.payload["event_id"], "Ev01ERKCFKK9");
  EXPECT_EQ(java.payload["event"]["text"], "<@U222> hey");

  SocketModeFrame message = ParseFixture("envelope.events_api.message.python-sdk-mock.json");
  EXPECT_EQ(message.envelope_id, "ac2cfd40-6f8c-4d5e-a1ad-646e532baa19");
  EXPECT_EQ(message.payload["event"]["type"], "message");
  EXPECT_EQ(message.payload["event"]["channel_type"], "channel");
}

TEST(SocketModeFrame, ParsesSlashCommandAndInteractiveEnvelopeFixtures) {
  SocketModeFrame slash = ParseFixture("envelope.slash_commands.python-sdk-mock.json");
  EXPECT_EQ(slash.type, "slash_commands");
  EXPECT_TRUE(slash.IsEnvelope());
  EXPECT_EQ(slash.envelope_id, "1d3c79ab-0ffb-41f3-a080-d19e85f53649");
  EXPECT_TRUE(slash.accepts_response_payload);
  EXPECT_EQ(slash.payload["command"], "/hello-socket-mode");

  SocketModeFrame java_slash = ParseFixture("envelope.slash_commands.java-sdk-mock.json");
  EXPECT_EQ(java_slash.type, "slash_commands");
  EXPECT_EQ(java_slash.envelope_id, "xxx-11-222-yyy-zzz");
  EXPECT_TRUE(java_slash.accepts_response_payload);

  SocketModeFrame shortcut = ParseFixture("envelope.interactive.shortcut.python-sdk-mock.json");
  EXPECT_EQ(shortcut.type, "interactive");
  EXPECT_EQ(shortcut.envelope_id, "57d6a792-4d35-4d0b-b6aa-3361493e1caf");
  EXPECT_EQ(shortcut.payload["type"], "shortcut");
  EXPECT_FALSE(shortcut.accepts_response_payload);

  SocketModeFrame button = ParseFixture("envelope.interactive.block_actions_button.java-sdk-mock.json");
  EXPECT_EQ(button.type, "interactive");
  EXPECT_EQ(button.envelope_id, "xxx-11-222-yyy-zzz");
  EXPECT_EQ(button.payload["type"], "block_actions");
  EXPECT_EQ(button.payload["actions"][0]["value"], "underlying");
}

TEST(SocketModeFrame, RefusesTheClientsOwnAckFrameForHavingNoType) {
  ExpectRefusedFrame(
      FakeSocketModeServer::Fixture("from_issue_logs/ack.sent_by_client.bolt-js-issue1061.json"),
      "socket mode frame has no string \"type\"");
}

TEST(SocketModeFrame, RefusesMalformedFrames) {
  ExpectRefusedFrame("", "socket mode frame is not JSON");
  ExpectRefusedFrame(R"({"type":"hello")", "socket mode frame is not JSON");
  ExpectRefusedFrame("hello", "socket mode frame is not JSON");
  ExpectRefusedFrame(R"([{"type":"hello"}])", "socket mode frame is not a JSON object");
  ExpectRefusedFrame("\"hello\"", "socket mode frame is not a JSON object");
  ExpectRefusedFrame("{\"type\":7}", "socket mode frame has no string \"type\"");
  ExpectRefusedFrame("{\"type\":null}", "socket mode frame has no string \"type\"");
  ExpectRefusedFrame(R"({"type":""})", "socket mode frame has an empty \"type\"");
  ExpectRefusedFrame(R"({"type":"events_api","payload":{}})",
                     "socket mode events_api envelope has no string \"envelope_id\"");
  ExpectRefusedFrame(R"({"type":"interactive","envelope_id":42})",
                     "socket mode interactive envelope has no string \"envelope_id\"");
  ExpectRefusedFrame(R"({"type":"slash_commands","envelope_id":""})",
                     "socket mode slash_commands envelope has no string \"envelope_id\"");
}

TEST(SocketModeFrame, IgnoresOptionalFieldsOfTheWrongType) {
  absl::StatusOr<SocketModeFrame> envelope =
      ParseSocketModeFrame(R"({"type":"events_api","envelope_id":"e1","retry_attempt":"1","retry_reason":3,)"
                           R"("accepts_response_payload":"yes"})");
  ASSERT_TRUE(envelope.ok()) << envelope.status();
  EXPECT_EQ(envelope->retry_attempt, 0);
  EXPECT_EQ(envelope->retry_reason, "");
  EXPECT_FALSE(envelope->accepts_response_payload);
  EXPECT_TRUE(envelope->payload.is_null());

  for (const char* lifetime : {"\"18060\"", "0", "-5", "0.5", "1e308", "null", "{}"}) {
    absl::StatusOr<SocketModeFrame> hello = ParseSocketModeFrame(
        std::string(R"({"type":"hello","debug_info":{"approximate_connection_time":)") + lifetime + "}}");
    ASSERT_TRUE(hello.ok()) << lifetime;
    EXPECT_FALSE(hello->approximate_connection_time.has_value()) << lifetime;
  }
  absl::StatusOr<SocketModeFrame> odd_debug = ParseSocketModeFrame(R"({"type":"hello","debug_info":"x"})");
  ASSERT_TRUE(odd_debug.ok());
  EXPECT_EQ(odd_debug->debug_host, "");
}

TEST(SocketModeFrame, ReadsRetryFieldsAsSeenInProduction) {
  // research/slack.md §8: "retry_attempt":1,"retry_reason":"timeout".
  nlohmann::json envelope = FixtureJson("envelope.events_api.message.python-sdk-mock.json");
  envelope["retry_attempt"] = 1;
  envelope["retry_reason"] = "timeout";
  absl::StatusOr<SocketModeFrame> frame = ParseSocketModeFrame(envelope.dump());
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->retry_attempt, 1);
  EXPECT_EQ(frame->retry_reason, "timeout");
}

// --- ParseSocketModeUrl -------------------------------------------------------------------------------

TEST(SocketModeUrl, AcceptsTheUrlShapeOfAppsConnectionsOpen) {
  absl::StatusOr<SocketModeUrl> url =
      ParseSocketModeUrl("wss://wss-primary.slack.com/link/?ticket=XXX&app_id=XXX");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "wss-primary.slack.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->target, "/link/?ticket=XXX&app_id=XXX");
  EXPECT_EQ(url->HostPort(), "wss-primary.slack.com:443");

  absl::StatusOr<SocketModeUrl> upper = ParseSocketModeUrl("WSS://WSS-Primary.Slack.com:8443?ticket=1#frag");
  ASSERT_TRUE(upper.ok()) << upper.status();
  EXPECT_EQ(upper->host, "wss-primary.slack.com");
  EXPECT_EQ(upper->port, 8443);
  EXPECT_EQ(upper->target, "/?ticket=1");
}

TEST(SocketModeUrl, AcceptsPlainWsToLoopbackOnly) {
  absl::StatusOr<SocketModeUrl> v4 = ParseSocketModeUrl("ws://127.0.0.1:8080/link/?ticket=T");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_FALSE(v4->tls);
  EXPECT_EQ(v4->port, 8080);
  absl::StatusOr<SocketModeUrl> name = ParseSocketModeUrl("ws://localhost/");
  ASSERT_TRUE(name.ok()) << name.status();
  EXPECT_EQ(name->port, 80);
  absl::StatusOr<SocketModeUrl> v6 = ParseSocketModeUrl("ws://[::1]:9000");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->target, "/");
  EXPECT_EQ(v6->HostPort(), "[::1]:9000");
}

TEST(SocketModeUrl, RefusesEverythingElseWithoutShowingTheTicket) {
  for (const char* bad :
       {"ws://wss-primary.slack.com/link/?ticket=SECRET", "ws://127.0.0.2:80/?ticket=SECRET",
        "ws://localhost.evil.example/?ticket=SECRET", "http://127.0.0.1/?ticket=SECRET",
        "https://wss-primary.slack.com/link/?ticket=SECRET", "wss://user:pw@slack.com/?ticket=SECRET",
        "wss://slack.com:0/?ticket=SECRET", "wss://slack.com:65536/?ticket=SECRET",
        "wss://slack.com:8o/?ticket=SECRET", "wss://slack.com:/?ticket=SECRET",
        "wss://sla ck.com/?ticket=SECRET", "wss:///link/?ticket=SECRET",
        "wss://slack.com/link/?ticket=SECRET X", "wss://[::1/?ticket=SECRET", "wss://[zz::1]/?ticket=SECRET",
        "wss-primary.slack.com/link/?ticket=SECRET", ""}) {
    absl::StatusOr<SocketModeUrl> url = ParseSocketModeUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(url.status().message()), Not(HasSubstr("SECRET"))) << bad;
  }
  EXPECT_THAT(
      std::string(ParseSocketModeUrl("ws://wss-primary.slack.com/link/?ticket=SECRET").status().message()),
      HasSubstr("refusing unencrypted ws:// to host wss-primary.slack.com"));
  EXPECT_THAT(std::string(ParseSocketModeUrl("https://slack.com/").status().message()),
              HasSubstr("refusing a URL with scheme \"https\""));
}

// --- SocketModeReconnectDelay -------------------------------------------------------------------------

TEST(SocketModeReconnectDelay, DoublesUpToTheMaximumWithJitterInTheUpperHalf) {
  SocketModeOptions options;  // 1 s .. 60 s
  EXPECT_EQ(SocketModeReconnectDelay(0, options, 1.0), absl::Seconds(1));
  EXPECT_EQ(SocketModeReconnectDelay(0, options, 0.0), absl::Milliseconds(500));
  EXPECT_EQ(SocketModeReconnectDelay(3, options, 1.0), absl::Seconds(8));
  EXPECT_EQ(SocketModeReconnectDelay(6, options, 1.0), absl::Seconds(60));
  EXPECT_EQ(SocketModeReconnectDelay(1000, options, 1.0), absl::Seconds(60));
  EXPECT_EQ(SocketModeReconnectDelay(1000, options, 0.0), absl::Seconds(30));
  EXPECT_EQ(SocketModeReconnectDelay(2, options, 7.0), absl::Seconds(4));  // jitter clamped to [0, 1]
}

// --- SocketModeClient against the fake server ---------------------------------------------------------

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

class SocketModeClientTest : public ::testing::Test {
 protected:
  ~SocketModeClientTest() override {
    if (client_ != nullptr) client_->Stop();
    if (thread_.joinable()) thread_.join();
  }

  static SocketModeOptions FastOptions() {
    SocketModeOptions options;
    options.ping_interval = absl::Milliseconds(50);
    options.idle_timeout = absl::Seconds(5);
    options.reconnect_initial = absl::Milliseconds(10);
    options.reconnect_max = absl::Milliseconds(50);
    return options;
  }

  // OpenUrl answering with the fake's URL, counting calls.
  SocketModeClient::OpenUrl ServerUrl() {
    return [this]() -> absl::StatusOr<std::string> {
      ++open_calls_;
      return server_.url();
    };
  }

  void Start(SocketModeClient::OpenUrl open_url, SocketModeOptions options = FastOptions(),
             SocketModeClient::OnEvent on_event = nullptr) {
    if (!on_event) {
      on_event = [this](SocketModeEvent event) {
        std::lock_guard<std::mutex> lock(mutex_);
        events_.push_back(std::move(event));
      };
    }
    client_ =
        std::make_unique<SocketModeClient>(std::move(open_url), std::move(on_event), std::move(options));
    if (on_interactive_) client_->SetOnInteractive(on_interactive_);
    thread_ = std::thread([this] {
      run_status_ = client_->Run();
      run_done_.Notify();
    });
  }

  bool WaitConnected(int connections = 1) {
    return FakeSocketModeServer::WaitFor(
        [&] { return client_->connections() >= connections && client_->connected(); });
  }

  // Waits for Run to return and gives its status.
  absl::Status RunResult() {
    if (!run_done_.WaitForNotificationWithTimeout(absl::Seconds(10))) {
      return absl::DeadlineExceededError("Run did not return");
    }
    thread_.join();
    return run_status_;
  }

  std::vector<SocketModeEvent> Events() {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  std::size_t EventCount() { return Events().size(); }

  FakeSocketModeServer server_;
  std::atomic<int> open_calls_{0};
  std::unique_ptr<SocketModeClient> client_;
  std::thread thread_;
  absl::Notification run_done_;
  absl::Status run_status_;
  std::mutex mutex_;
  std::vector<SocketModeEvent> events_;
  SocketModeClient::OnInteractive on_interactive_;  // set before Start
};

TEST_F(SocketModeClientTest, AcksAnEventBeforeHandingItOver) {
  std::atomic<bool> acked_before_handler{false};
  Start(ServerUrl(), FastOptions(), [this, &acked_before_handler](SocketModeEvent event) {
    // The ack must reach the server while the handler has not returned yet.
    acked_before_handler = FakeSocketModeServer::WaitFor(
        [&] { return Contains(server_.Acks(), event.envelope_id); }, absl::Seconds(5));
    std::lock_guard<std::mutex> lock(mutex_);
    events_.push_back(std::move(event));
  });
  ASSERT_TRUE(WaitConnected());
  const nlohmann::json payload =
      FixtureJson("envelope.events_api.app_mention.python-sdk-mock.json")["payload"];
  const std::string envelope_id = server_.SendEvent(payload);

  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return EventCount() == 1; }));
  const SocketModeEvent event = Events()[0];
  EXPECT_EQ(event.envelope_id, envelope_id);
  EXPECT_EQ(event.payload, payload);
  EXPECT_EQ(event.retry_attempt, 0);
  EXPECT_EQ(event.retry_reason, "");
  EXPECT_TRUE(acked_before_handler);
  EXPECT_THAT(server_.Acks(), ElementsAre(envelope_id));
  // The ack is exactly {"envelope_id":"<id>"}.
  EXPECT_THAT(server_.Received(), ElementsAre(nlohmann::json{{"envelope_id", envelope_id}}.dump()));
  EXPECT_EQ(client_->connections(), 1);
  EXPECT_EQ(server_.Tickets().size(), 1u);
}

TEST_F(SocketModeClientTest, HandsOverRetryAttemptAndReason) {
  Start(ServerUrl());
  ASSERT_TRUE(WaitConnected());
  nlohmann::json envelope = FixtureJson("envelope.events_api.message.python-sdk-mock.json");
  envelope["retry_attempt"] = 1;
  envelope["retry_reason"] = "timeout";
  server_.Send(envelope);
  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return EventCount() == 1; }));
  EXPECT_EQ(Events()[0].envelope_id, "ac2cfd40-6f8c-4d5e-a1ad-646e532baa19");
  EXPECT_EQ(Events()[0].retry_attempt, 1);
  EXPECT_EQ(Events()[0].retry_reason, "timeout");
  EXPECT_EQ(Events()[0].payload["event_id"], "Ev111");
}

TEST_F(SocketModeClientTest, AcksButDoesNotHandOverSlashCommandsOrInteractions) {
  Start(ServerUrl());
  ASSERT_TRUE(WaitConnected());
  server_.Send(FixtureJson("envelope.slash_commands.python-sdk-mock.json"));
  server_.Send(FixtureJson("envelope.interactive.shortcut.python-sdk-mock.json"));
  server_.Send(FixtureJson("envelope.interactive.block_actions_button.java-sdk-mock.json"));
  const std::string event_id =
      server_.SendEvent(FixtureJson("envelope.events_api.message.python-sdk-mock.json")["payload"]);

  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return server_.Acks().size() == 4; }));
  EXPECT_THAT(server_.Acks(),
              ElementsAre("1d3c79ab-0ffb-41f3-a080-d19e85f53649", "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
                          "xxx-11-222-yyy-zzz", event_id));
  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return EventCount() == 1; }));
  EXPECT_EQ(Events()[0].envelope_id, event_id);
}

TEST_F(SocketModeClientTest, HandsInteractiveEnvelopesToOnInteractiveAndSendsItsAnswerInTheAck) {
  std::mutex handed_mutex;
  std::vector<nlohmann::json> handed;  // filled on Run's thread
  on_interactive_ = [&handed, &handed_mutex](const nlohmann::json& payload) -> nlohmann::json {
    std::lock_guard<std::mutex> lock(handed_mutex);
    handed.push_back(payload);
    if (payload.value("type", "") != "view_submission") return nullptr;
    return {{"response_action", "errors"}, {"errors", {{"creditbot_reason", "say why"}}}};
  };
  Start(ServerUrl());
  ASSERT_TRUE(WaitConnected());
  const nlohmann::json click = FixtureJson("envelope.interactive.block_actions_button.java-sdk-mock.json");
  server_.Send(click);
  nlohmann::json submission = {{"envelope_id", "env-view-1"},
                               {"type", "interactive"},
                               {"accepts_response_payload", true},
                               {"payload", {{"type", "view_submission"}, {"view", {{"callback_id", "x"}}}}}};
  server_.Send(submission);
  submission["envelope_id"] = "env-view-2";
  submission["accepts_response_payload"] = false;  // an answer it cannot take is left out
  server_.Send(submission);

  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return server_.Acks().size() == 3; }));
  EXPECT_THAT(server_.Acks(), ElementsAre("xxx-11-222-yyy-zzz", "env-view-1", "env-view-2"));
  EXPECT_THAT(server_.Received(),
              ElementsAre(R"({"envelope_id":"xxx-11-222-yyy-zzz"})",
                          R"({"envelope_id":"env-view-1","payload":{"errors":{"creditbot_reason":"say why"},)"
                          R"("response_action":"errors"}})",
                          R"({"envelope_id":"env-view-2"})"));
  std::lock_guard<std::mutex> lock(handed_mutex);
  ASSERT_EQ(handed.size(), 3u);
  EXPECT_EQ(handed[0], click["payload"]);
  EXPECT_EQ(EventCount(), 0u);  // never handed to OnEvent
}

TEST_F(SocketModeClientTest, SkipsUnreadableFramesAndStaysConnected) {
  Start(ServerUrl());
  ASSERT_TRUE(WaitConnected());
  server_.SendText("not json at all");
  server_.SendText("[1,2,3]");
  server_.Send({{"type", 7}, {"envelope_id", "no-type"}});
  server_.Send({{"type", "events_api"}, {"payload", {{"event_id", "EvNoEnvelope"}}}});
  server_.Send({{"type", "some_future_frame"}});
  const std::string event_id =
      server_.SendEvent(FixtureJson("envelope.events_api.message.python-sdk-mock.json")["payload"]);

  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return EventCount() == 1; }));
  EXPECT_EQ(Events()[0].envelope_id, event_id);
  // The ack travels back over the socket while the event is handed on: wait for the server to read it.
  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return !server_.Acks().empty(); }));
  EXPECT_THAT(server_.Acks(), ElementsAre(event_id));
  EXPECT_EQ(client_->connections(), 1);
  EXPECT_EQ(server_.Connections(), 1);
  EXPECT_EQ(open_calls_, 1);
}

TEST_F(SocketModeClientTest, ReconnectsOnAFreshUrlAfterEachDisconnectReason) {
  Start(ServerUrl());
  ASSERT_TRUE(WaitConnected());
  int expected = 1;
  for (const char* reason : {"refresh_requested", "warning", "too_many_websockets"}) {
    server_.Disconnect(reason);
    ++expected;
    ASSERT_TRUE(WaitConnected(expected)) << reason;
    EXPECT_EQ(open_calls_, expected) << reason;
    // The old link was closed by the client; events now go to the new one.
    ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return server_.OpenConnections() == 1; })) << reason;
    const std::string event_id =
        server_.SendEvent(FixtureJson("envelope.events_api.message.python-sdk-mock.json")["payload"]);
    ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return Contains(server_.Acks(), event_id); })) << reason;
    ASSERT_TRUE(FakeSocketModeServer::WaitFor(
        [&] { return EventCount() == static_cast<std::size_t>(expected - 1); }));
    EXPECT_EQ(Events().back().envelope_id, event_id);
  }
  const std::vector<std::string> tickets = server_.Tickets();
  EXPECT_EQ(std::set<std::string>(tickets.begin(), tickets.end()).size(), tickets.size());
}

TEST_F(SocketModeClientTest, SendsEveryQueuedAckBeforeClosingOnDisconnect) {
  Start(ServerUrl());
  ASSERT_TRUE(WaitConnected());
  const nlohmann::json payload = FixtureJson("envelope.events_api.message.python-sdk-mock.json")["payload"];
  std::vector<std::string> ids;
  ids.reserve(5);
  for (int i = 0; i < 5; ++i) ids.push_back(server_.SendEvent(payload));
  server_.Disconnect("warning");  // right behind the envelopes, on the same link
  ASSERT_TRUE(WaitConnected(2));
  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return server_.Acks().size() == ids.size(); }));
  EXPECT_EQ(server_.Acks(), ids);
  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return EventCount() == ids.size(); }));
}

TEST_F(SocketModeClientTest, ReconnectsAfterTheConnectionDropsWithoutACloseFrame) {
  Start(ServerUrl());
  ASSERT_TRUE(WaitConnected());
  server_.DropConnection();
  ASSERT_TRUE(WaitConnected(2));
  EXPECT_EQ(open_calls_, 2);
  const std::string event_id =
      server_.SendEvent(FixtureJson("envelope.events_api.message.python-sdk-mock.json")["payload"]);
  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return EventCount() == 1; }));
  EXPECT_EQ(Events()[0].envelope_id, event_id);
}

TEST_F(SocketModeClientTest, LinkDisabledEndsRunWithFailedPrecondition) {
  Start(ServerUrl());
  ASSERT_TRUE(WaitConnected());
  server_.Disconnect("link_disabled");
  const absl::Status status = RunResult();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("link_disabled"));
  EXPECT_EQ(open_calls_, 1);
  EXPECT_FALSE(client_->connected());
}

TEST_F(SocketModeClientTest, AuthFailuresFromOpenUrlEndRunWithoutRetrying) {
  for (const absl::Status& failure : {absl::UnauthenticatedError("apps.connections.open: invalid_auth"),
                                      absl::PermissionDeniedError("apps.connections.open: account_inactive"),
                                      absl::InvalidArgumentError("apps.connections.open: not_authed")}) {
    int calls = 0;
    SocketModeClient client(
        [&]() -> absl::StatusOr<std::string> {
          ++calls;
          return failure;
        },
        [](const SocketModeEvent&) {}, FastOptions());
    EXPECT_EQ(client.Run(), failure);
    EXPECT_EQ(calls, 1);
  }
  EXPECT_EQ(server_.Connections(), 0);
}

TEST_F(SocketModeClientTest, RetriesUnavailableOpenUrlThenConnects) {
  Start([this]() -> absl::StatusOr<std::string> {
    if (++open_calls_ <= 2) return absl::UnavailableError("apps.connections.open: HTTP 503");
    return server_.url();
  });
  ASSERT_TRUE(WaitConnected());
  EXPECT_EQ(open_calls_, 3);
  EXPECT_EQ(server_.Connections(), 1);
}

TEST_F(SocketModeClientTest, RefreshesTheLinkBeforeTheAnnouncedLifetimeRunsOut) {
  server_.SetApproximateConnectionTime(1);  // seconds
  SocketModeOptions options = FastOptions();
  options.refresh_margin = absl::Milliseconds(300);  // refresh 700 ms after hello
  Start(ServerUrl(), options);
  ASSERT_TRUE(WaitConnected(3));
  EXPECT_GE(open_calls_, 3);
  EXPECT_GE(server_.Connections(), 3);
  // Each refresh closed the old link: at most the newest one (and one closing) is open.
  EXPECT_TRUE(FakeSocketModeServer::WaitFor([&] { return server_.OpenConnections() <= 1; }));
}

TEST_F(SocketModeClientTest, ReplacesALinkWhosePingsGoUnanswered) {
  SocketModeOptions options = FastOptions();
  options.ping_interval = absl::Milliseconds(50);
  options.idle_timeout = absl::Milliseconds(1000);
  Start(ServerUrl(), options);
  ASSERT_TRUE(WaitConnected());
  // Answered pings keep a quiet link alive well past the idle timeout.
  absl::SleepFor(absl::Milliseconds(1500));
  EXPECT_EQ(client_->connections(), 1);

  server_.StopAnsweringPings(true);
  ASSERT_TRUE(WaitConnected(2));  // the half-open link was detected and replaced
  server_.StopAnsweringPings(false);
  // The replacement went silent too (it was accepted while pings were unanswered); the next one answers.
  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return server_.OpenConnections() == 1; }));
  const std::string event_id =
      server_.SendEvent(FixtureJson("envelope.events_api.message.python-sdk-mock.json")["payload"]);
  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return EventCount() == 1; }));
  EXPECT_EQ(Events()[0].envelope_id, event_id);
  EXPECT_GE(client_->connections(), 2);
}

TEST_F(SocketModeClientTest, RefusesPlainWsToANonLoopbackHostWithoutConnecting) {
  for (const std::string& url :
       {std::string("ws://wss-primary.slack.com/link/?ticket=SECRET&app_id=A111"),
        absl::StrCat("http://127.0.0.1:", server_.port(), "/link/?ticket=SECRET&app_id=A111")}) {
    int calls = 0;
    SocketModeClient client(
        [&]() -> absl::StatusOr<std::string> {
          ++calls;
          return url;
        },
        [](const SocketModeEvent&) {}, FastOptions());
    const absl::Status status = client.Run();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(std::string(status.message()), HasSubstr("refusing")) << url;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr("SECRET"))) << url;
    EXPECT_EQ(calls, 1) << url;
  }
  EXPECT_EQ(server_.Connections(), 0);
}

TEST_F(SocketModeClientTest, RetriesATlsHandshakeThatFails) {
  // The fake speaks plain ws: a wss URL to it fails in the TLS handshake, which is retried, never fatal.
  Start([this]() -> absl::StatusOr<std::string> {
    ++open_calls_;
    return absl::StrCat("wss://127.0.0.1:", server_.port(), "/link/?ticket=T&app_id=A111");
  });
  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return open_calls_ >= 3; }));
  EXPECT_FALSE(run_done_.HasBeenNotified());
  EXPECT_EQ(client_->connections(), 0);
  client_->Stop();
  EXPECT_TRUE(RunResult().ok());
}

TEST_F(SocketModeClientTest, StopFromAnotherThreadEndsRun) {
  Start(ServerUrl());
  ASSERT_TRUE(WaitConnected());
  std::thread stopper([this] { client_->Stop(); });
  stopper.join();
  EXPECT_TRUE(RunResult().ok());
  EXPECT_FALSE(client_->connected());
  EXPECT_EQ(open_calls_, 1);
  // The server's side of the link ends too.
  EXPECT_TRUE(FakeSocketModeServer::WaitFor([&] { return server_.OpenConnections() == 0; }));
}

TEST_F(SocketModeClientTest, StopEndsABackoffWaitAtOnce) {
  SocketModeOptions options = FastOptions();
  options.reconnect_initial = absl::Seconds(600);
  options.reconnect_max = absl::Seconds(600);
  Start(
      [this]() -> absl::StatusOr<std::string> {
        ++open_calls_;
        return absl::UnavailableError("apps.connections.open: HTTP 503");
      },
      options);
  ASSERT_TRUE(FakeSocketModeServer::WaitFor([&] { return open_calls_ == 1; }));
  client_->Stop();
  EXPECT_TRUE(RunResult().ok());
  EXPECT_EQ(open_calls_, 1);
}

}  // namespace
}  // namespace creditbot
