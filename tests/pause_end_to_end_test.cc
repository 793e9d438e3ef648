// End-to-end tests of the pause switch (issue 22) with the real binary. On the embedded default: `creditbot
// pause` → a pass over the sample inbox reads every message but claims, records and posts nothing →
// `creditbot resume` → the next pass answers each request exactly once; `doctor` warns while paused; a
// decision is refused naming who paused and why; a missing reason, a bad --as and a mistyped command are
// refused at start. With `serve` against the fake Slack: paused while serving, an Events API delivery is
// acknowledged and left alone (nothing posted), /readyz (still 200) and /metrics say paused, and after the
// resume the request is answered once, without waiting for the scheduled catch-up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/fake_slack_server.h"
#include "tests/slack_events_delivery.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
const std::string kSampleInbox = kSource + "/data/sample/inbox.jsonl";
constexpr char kRequest101Key[] = "C0CREDITREQ:1752588191.000100";

class PauseEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  RunResult Run(const std::vector<std::string>& args, const std::string& inbox = kSampleInbox) const {
    return RunCreditbot(args,
                        {{"CREDITBOT_HOME", home_.path()},
                         {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
                         {"CREDITBOT_INBOX", inbox},
                         {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
                         {"CREDITBOT_APPROVERS", "U0ALICE"},
                         {"SLACK_USER_ID", "U0OWNER01"},
                         {"CREDITBOT_LOG_FORMAT", "json"}},
                        home_.path());
  }
  // The outbox's posts (its reaction and update lines, which carry "method", left out).
  std::vector<Json> Posts() const {
    std::vector<Json> posts;
    for (const std::string& line : ReadLines(home_.File("outbox.jsonl"))) {
      Json payload = Json::parse(line);
      if (!payload.contains("method")) posts.push_back(std::move(payload));
    }
    return posts;
  }
  // How many posts each (request key, kind) has.
  std::map<std::pair<std::string, std::string>, int> PostsByRequestAndKind() const {
    std::map<std::pair<std::string, std::string>, int> counts;
    for (const Json& post : Posts()) {
      const Json& payload = post["metadata"]["event_payload"];
      ++counts[{payload.value("request_key", ""), payload.value("kind", "")}];
    }
    return counts;
  }
  int StateTotal() const {
    RunResult stats = Run({"state", "stats", "--json"});
    EXPECT_EQ(stats.exit_code, 0) << stats.err;
    return Json::parse(stats.out).value("total", -1);
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
};

SuiteWarehouse PauseEndToEnd::warehouse_;

TEST_F(PauseEndToEnd, APausedPassAnswersNothingAndThePassAfterTheResumeAnswersEachRequestOnce) {
  RunResult paused = Run({"pause", "--reason", "warehouse migration", "--as", "U0OPS"});
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  EXPECT_THAT(paused.out, HasSubstr("paused: warehouse migration (by U0OPS, since "));
  EXPECT_THAT(paused.err, HasSubstr("creditbot paused"));  // the log line
  RunResult status = Run({"pause", "--status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("paused: warehouse migration (by U0OPS, since "));

  // Every line of the inbox is read; none is claimed, recorded or answered.
  const std::size_t lines = ReadLines(kSampleInbox).size();
  RunResult pass = Run({"run", "--once"});
  ASSERT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_THAT(pass.out, HasSubstr(absl::StrCat(lines, " messages (paused=", lines, ")")));
  EXPECT_THAT(pass.out, HasSubstr("paused: warehouse migration (by U0OPS, since "));
  EXPECT_THAT(pass.out, Not(HasSubstr("would post")));
  EXPECT_THAT(pass.err, HasSubstr(absl::StrCat("this pass read ", lines, " messages and left ", lines,
                                               " alone; paused: warehouse migration")));
  EXPECT_TRUE(Posts().empty());
  EXPECT_EQ(StateTotal(), 0);

  RunResult doctor = Run({"doctor"});
  EXPECT_THAT(doctor.out, HasSubstr("WARN pause        paused: warehouse migration (by U0OPS, since "));

  RunResult resumed = Run({"resume", "--as", "U0OPS"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_THAT(resumed.out, HasSubstr("resumed by U0OPS at "));
  EXPECT_EQ(Run({"pause", "--status"}).out, "not paused\n");

  RunResult after = Run({"run", "--once"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_THAT(after.out, Not(HasSubstr("paused")));
  const auto counts = PostsByRequestAndKind();
  ASSERT_FALSE(counts.empty());
  for (const auto& [request_and_kind, count] : counts)
    EXPECT_EQ(count, 1) << request_and_kind.first << " " << request_and_kind.second;
  // What the sample asks for (end_to_end_test.cc checks the contents): request 101's credit, a question for
  // the request without a link, the failure reply for the unknown look.
  EXPECT_EQ(counts.count({kRequest101Key, "credit"}), 1u);
  EXPECT_EQ(counts.count({"C0CREDITREQ:1754302869.000500", "ask_link"}), 1u);
  EXPECT_EQ(counts.count({"C0CREDITREQ:1759741205.000950", "failure"}), 1u);
  EXPECT_GT(StateTotal(), 0);

  // Answered once: another pass posts nothing.
  const std::size_t outbox_lines = ReadLines(home_.File("outbox.jsonl")).size();
  RunResult again = Run({"run", "--once"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(ReadLines(home_.File("outbox.jsonl")).size(), outbox_lines);
}

TEST_F(PauseEndToEnd, WhilePausedADecisionIsRefusedNamingWhoPausedAndWhy) {
  // Request 101 alone ($255.00, above the approval threshold: awaiting a decision).
  TempDir inbox;
  {
    std::ofstream out(inbox.File("inbox.jsonl"));
    for (const std::string& line : ReadLines(kSampleInbox))
      if (Json::parse(line).value("ts", "") == "1752588191.000100") out << line << "\n";
  }
  ASSERT_EQ(Run({"run", "--once"}, inbox.File("inbox.jsonl")).exit_code, 0);
  ASSERT_EQ(Run({"pause", "--reason", "finance audit", "--as", "U0OPS"}).exit_code, 0);

  RunResult refused = Run({"decide", kRequest101Key, "approve", "--as", "U0ALICE"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("creditbot decide: creditbot is paused (by <@U0OPS>, since "));
  EXPECT_THAT(refused.err,
              HasSubstr("): finance audit. Nothing was recorded; decide again once it is resumed "
                        "(`creditbot resume`)."));
  RunResult ledger = Run({"ledger", "list", "--json"});
  ASSERT_EQ(ledger.exit_code, 0) << ledger.err;
  EXPECT_EQ(Json::parse(ledger.out)["status"], "awaiting");

  ASSERT_EQ(Run({"resume"}).exit_code, 0);
  RunResult decided = Run({"decide", kRequest101Key, "approve", "--as", "U0ALICE"});
  EXPECT_EQ(decided.exit_code, 0) << decided.err;
}

TEST_F(PauseEndToEnd, AMissingReasonABadUserAndAMistypedCommandAreRefusedAndChangeNothing) {
  RunResult no_reason = Run({"pause"});
  EXPECT_EQ(no_reason.exit_code, 2);
  EXPECT_THAT(no_reason.err, HasSubstr("creditbot pause: --reason \"…\" is required: say why"));
  RunResult blank_reason = Run({"pause", "--reason", "   "});
  EXPECT_EQ(blank_reason.exit_code, 2);
  EXPECT_THAT(blank_reason.err, HasSubstr("--reason \"…\" is required"));
  RunResult bad_user = Run({"pause", "--reason", "x", "--as", "bob"});
  EXPECT_EQ(bad_user.exit_code, 2);
  EXPECT_THAT(bad_user.err, HasSubstr("creditbot pause: --as: 'bob' is not a Slack user id (U…, W…)"));
  RunResult typo = Run({"pasue", "--reason", "x"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("creditbot: unknown command 'pasue'; did you mean 'pause'?"));
  RunResult resume_typo = Run({"resme"});
  EXPECT_EQ(resume_typo.exit_code, 2);
  EXPECT_THAT(resume_typo.err, HasSubstr("did you mean 'resume'?"));
  EXPECT_EQ(Run({"pause", "--status"}).out, "not paused\n");

  // A second pause keeps the first one's who and why; a second resume changes nothing either.
  ASSERT_EQ(Run({"pause", "--reason", "first", "--as", "U0ONE"}).exit_code, 0);
  RunResult second = Run({"pause", "--reason", "second", "--as", "U0TWO"});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_THAT(second.out, HasSubstr("creditbot was already paused: first (by U0ONE, since "));
  EXPECT_THAT(second.out, HasSubstr("; nothing changed"));
  ASSERT_EQ(Run({"resume"}).exit_code, 0);
  RunResult again = Run({"resume"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out, "creditbot is not paused; nothing changed\n");
}

// --- serve ---

constexpr char kChannel[] = "C0CREDITREQ";
constexpr char kRequester[] = "U0ANALYST1";
constexpr char kSigningSecret[] = "8f742231b10e8888abcd99yyyzzz85a5";  // Slack's published test secret
constexpr char kLook101[] = "<https://looker.example.com/looks/101|Authy fraud report - ACp>";

class PauseServeEndToEnd : public PauseEndToEnd {
 protected:
  void SetUp() override {
    slack_.AddChannel(kChannel, "credit-requests", /*bot_is_member=*/true);
    slack_.SetTsBase(1752588191);
  }
  std::map<std::string, std::string> Env() const {
    return {{"CREDITBOT_HOME", home_.path()},
            {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
            {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
            {"SLACK_BOT_TOKEN", FakeSlackServer::kBotToken},
            {"CREDITBOT_SLACK_API_URL", slack_.api_url()},
            {"CREDITBOT_SLACK_CHANNELS", kChannel},
            {"CREDITBOT_SLACK_POST_INTERVAL_MS", "0"},
            {"CREDITBOT_SLACK_LOOKBACK_HOURS", "100000"},
            {"CREDITBOT_HTTP_ADDR", "127.0.0.1:0"},
            {"CREDITBOT_CATCHUP_SECONDS", "3600"},  // no scheduled catch-up during the test
            {"SLACK_SIGNING_SECRET", kSigningSecret},
            {"SLACK_USER_ID", "U0OWNER01"},
            {"DRY_RUN", "false"},
            {"CREDITBOT_LOG_FORMAT", "json"}};
  }
  std::size_t Replies() const {
    std::size_t count = 0;
    for (const SlackBotPost& post : slack_.BotPosts())
      if (post.channel == kChannel) ++count;
    return count;
  }
  // Posts a request in the channel and delivers its event over the Events API, signed as Slack signs.
  std::string Deliver(int port, const std::string& event_id) {
    const std::string text = std::string("credit please ") + kLook101;
    const std::string ts = slack_.PostUserMessage(kChannel, {{"user", kRequester}, {"text", text}});
    EXPECT_EQ(DeliverSignedEvent(port, MessageEventCallback(event_id, kChannel, kRequester, ts, text),
                                 kSigningSecret),
              200);
    return ts;
  }
  static std::string Get(int port, const std::string& path, int* status = nullptr) {
    httplib::Client client("127.0.0.1", port);
    httplib::Result result = client.Get(path);
    if (status != nullptr) *status = result ? result->status : 0;
    return result ? result->body : "";
  }

  FakeSlackServer slack_;
};

TEST_F(PauseServeEndToEnd, PausedWhileServingAnEventIsLeftAloneAndAnsweredOnceAfterTheResume) {
  BackgroundCreditbot serve({"serve"}, Env(), home_.path());
  ASSERT_TRUE(serve.WaitForOutput("listening on")) << serve.err();
  const std::string out = serve.out();
  const int port = std::stoi(out.substr(out.find("127.0.0.1:") + 10));
  ASSERT_TRUE(serve.WaitForOutput("catch-up pass done")) << serve.err();
  EXPECT_THAT(Get(port, "/metrics"), HasSubstr("\ncreditbot_paused 0\n"));

  RunResult paused = RunCreditbot({"pause", "--reason", "incident 42", "--as", "U0OPS"}, Env(), home_.path());
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  // serve notices within seconds: /readyz names the pause and stays 200 (deliveries must still be taken).
  std::string ready;
  int ready_status = 0;
  ASSERT_TRUE(WaitUntil([&] {
    ready = Get(port, "/readyz", &ready_status);
    return ready.find("paused: incident 42 (by U0OPS, since ") != std::string::npos;
  })) << ready;
  EXPECT_EQ(ready_status, 200);
  EXPECT_THAT(ready, HasSubstr("ok catch_up_pass\n"));

  const std::string ts = Deliver(port, "Ev0PAUSED1");
  std::string metrics;
  ASSERT_TRUE(WaitUntil([&] {
    metrics = Get(port, "/metrics");
    return metrics.find(R"(creditbot_requests_total{outcome="paused"} 1)") != std::string::npos;
  })) << metrics;
  EXPECT_THAT(metrics, HasSubstr("\ncreditbot_paused 1\n"));
  EXPECT_EQ(Replies(), 0u);
  EXPECT_THAT(serve.err(), HasSubstr("paused: an event was left alone"));

  RunResult resumed = RunCreditbot({"resume", "--as", "U0OPS"}, Env(), home_.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  // The catch-up at the resume reads the channel again and answers the request (the next scheduled one is an
  // hour away).
  ASSERT_TRUE(WaitUntil([&] { return Replies() == 1; })) << serve.err();
  EXPECT_EQ(slack_.BotPosts().front().thread_ts, ts);
  ASSERT_TRUE(WaitUntil([&] { return Get(port, "/readyz").find("paused") == std::string::npos; }));
  EXPECT_THAT(Get(port, "/metrics"), HasSubstr("\ncreditbot_paused 0\n"));

  // Answered once: a second request behind it is answered, and the first is not answered again.
  Deliver(port, "Ev0PAUSED2");
  ASSERT_TRUE(WaitUntil([&] { return Replies() >= 2; })) << serve.err();
  EXPECT_EQ(serve.Stop(SIGTERM), 0) << serve.err();
  EXPECT_EQ(Replies(), 2u);
}

}  // namespace
}  // namespace creditbot::testing
