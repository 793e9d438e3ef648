// The dashboard in a real browser (issue 18): `creditbot serve` on the embedded default, on loopback, with
// the sample request 101 (test case 1 of CREDIT_POLICY.md: $255.00 for parent ACp, above the $250.00
// threshold, so awaiting a decision) answered by serve's first catch-up pass; then
// tests/browser/dashboard.mjs drives Debian's chromium (headless, playwright-core from
// tests/browser/node_modules, installed by scripts/setup's `npm ci`; no browser is downloaded) through it: no
// session → /login and 401, a non-approver refused, local sign-in, the queue, a POST without the CSRF token
// refused, approve, history filtered, the CSV downloaded and read, the request page, the chart data. This
// test then checks what the browser cannot see: the reply updated in the outbox ("Approved by
// <@U0APPROVER1>"), the requester told, the ledger's entry decided once. Screenshots (1280×800) go to
// $CREDITBOT_SCREENSHOT_DIR when set, else to a temporary folder (printed).
// AReplaysReportOpensInTheDashboard: a replay's report (issue 19) written to $CREDITBOT_HOME/replays/ and
// opened through the Replays page by tests/browser/replay.mjs (the worked example's delta, the CSV).
// DashboardBrowserOnSlack walks the same pages signed in THROUGH Sign in with Slack: the fake Slack
// (tests/fake_slack_server.h) is the Web API and the OpenID provider, the request 101 is posted in its
// channel and answered by `run --once`, serve runs with SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and
// CREDITBOT_PUBLIC_URL (http on loopback) and the fake Socket Mode server; the browser signs in with
// SIGN_IN=slack (the fake's authorize redirects straight back, its openid.connect.token answers the code) and
// the approval reaches the fake Slack as one chat.update.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/fake_slack_server.h"
#include "tests/fake_socket_mode_server.h"
#include "tests/replay_worked_example.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
constexpr char kApiToken[] = "xapi-test-token";

class DashboardBrowser : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  void SetUp() override {
    std::ofstream inbox(inbox_.File("inbox.jsonl"));
    for (const std::string& line : ReadLines(kSource + "/data/sample/inbox.jsonl")) {
      if (Json::parse(line).value("ts", "") == "1752588191.000100") inbox << line << "\n";
    }
  }

  std::map<std::string, std::string> Env() const {
    return {{"CREDITBOT_HOME", home_.path()},
            {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
            {"CREDITBOT_INBOX", inbox_.File("inbox.jsonl")},
            {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
            {"CREDITBOT_APPROVERS", "U0APPROVER1"},
            {"CREDITBOT_HTTP_ADDR", "127.0.0.1:0"},
            {"CREDITBOT_API_TOKEN", kApiToken},
            {"DRY_RUN", "false"},
            {"SLACK_USER_ID", "U0OWNER01"},
            {"CREDITBOT_LOG_FORMAT", "json"}};
  }

  static int PortOf(const BackgroundCreditbot& serve) {
    const std::string out = serve.out();
    const std::size_t at = out.find("127.0.0.1:");
    return at == std::string::npos ? 0 : std::stoi(out.substr(at + 10));
  }

  // The API's answer to GET `path` with the bearer token (null when it is not 200).
  static Json Api(int port, const std::string& path) {
    httplib::Client client("127.0.0.1", port);
    httplib::Result result = client.Get(path, {{"Authorization", std::string("Bearer ") + kApiToken}});
    if (!result || result->status != 200) return nullptr;
    return Json::parse(result->body);
  }

  // Runs tests/browser/`script` against the dashboard on `port` with `extra_env` ("NAME=value …"),
  // screenshots to $CREDITBOT_SCREENSHOT_DIR or a temp dir; returns its output and fails the test unless it
  // exited 0 with every check ok and a screenshot of each page of `screens`.
  std::string RunBrowser(int port, const std::string& extra_env, const std::string& script = "dashboard.mjs",
                         const std::vector<std::string>& screens = {"sign-in", "queue", "history", "request",
                                                                    "charts"}) {
    const std::string browser_dir = kSource + "/tests/browser";
    EXPECT_TRUE(std::filesystem::exists(browser_dir + "/node_modules/playwright-core"))
        << "playwright-core is not installed: run scripts/setup (npm ci in tests/browser)";
    EXPECT_TRUE(std::filesystem::exists("/usr/bin/chromium"))
        << "Debian's chromium is missing: scripts/setup";
    const char* kept = std::getenv("CREDITBOT_SCREENSHOT_DIR");
    const std::string screen_dir = kept != nullptr && *kept != '\0' ? kept : screens_.path();
    std::filesystem::create_directories(screen_dir);
    const std::string command = "cd '" + browser_dir +
                                "' && CREDITBOT_URL=http://127.0.0.1:" + std::to_string(port) +
                                " SCREEN_DIR='" + screen_dir + "' " + extra_env + " node " + script + " 2>&1";
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
      ADD_FAILURE() << "popen failed: " << command;
      return output;
    }
    char buffer[4096];
    while (std::size_t read = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, read);
    const int status = pclose(pipe);
    std::printf("%s: screenshots in %s\n%s", script.c_str(), screen_dir.c_str(), output.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output;
    EXPECT_THAT(output, Not(HasSubstr("FAIL")));
    for (const std::string& name : screens) {
      EXPECT_TRUE(std::filesystem::exists(screen_dir + "/" + name + ".png")) << name;
    }
    return output;
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
  TempDir inbox_;
  TempDir screens_;
};
SuiteWarehouse DashboardBrowser::warehouse_;

TEST_F(DashboardBrowser, SignInApproveFilterOpenExportAndChart) {
  BackgroundCreditbot serve({"serve"}, Env(), home_.path());
  ASSERT_TRUE(serve.WaitForOutput("dashboard at")) << serve.err();
  const int port = PortOf(serve);
  ASSERT_GT(port, 0) << serve.out();
  ASSERT_TRUE(WaitUntil([&] {
    const Json queue = Api(port, "/api/queue");
    return queue.is_object() && queue["entries"].size() == 1;
  })) << "the sample request never reached the queue: "
      << serve.err();
  const std::string execution_id = Api(port, "/api/queue")["entries"][0]["execution_id"];

  const std::string output = RunBrowser(port, "");
  ASSERT_FALSE(HasFailure()) << serve.err();
  const Json result = Json::parse(output.substr(output.rfind('{')));
  EXPECT_EQ(result["execution_id"], execution_id);

  // Recorded once, by the approver, through the desk: the ledger, the reply updated, the requester told.
  const Json entry = Api(port, "/api/requests/" + execution_id)["entry"];
  EXPECT_EQ(entry["status"], "approved");
  EXPECT_EQ(entry["final_amount"], "255.00");
  EXPECT_EQ(entry["decided_by"], "U0APPROVER1");
  EXPECT_EQ(entry["reply_updated"], true);
  int updates = 0;
  int notices = 0;
  for (const std::string& line : ReadLines(home_.File("outbox.jsonl"))) {
    const Json post = Json::parse(line);
    if (post.value("method", "") == "chat.update") {
      ++updates;
      EXPECT_THAT(post.value("text", ""), HasSubstr("Approved by <@U0APPROVER1>"));
    }
    if (post.value("text", "").find("your credit request was approved by <@U0APPROVER1>") !=
        std::string::npos)
      ++notices;
  }
  EXPECT_EQ(updates, 1);
  EXPECT_EQ(notices, 1);
  EXPECT_EQ(serve.Stop(SIGTERM), 0) << serve.err();
}

// --- a replay's report opened in the dashboard (issue 19) ---

// Request 101 answered by `run --once`, then replayed under a policy with k.standard = 0.5 WITHOUT --out: the
// report goes to a new folder of $CREDITBOT_HOME/replays/, which serve's Replays page lists; then
// tests/browser/replay.mjs opens it: the hand-computed delta of the worked example (255.00 → 142.50,
// −112.50, −44.12%: the standard goodwill lines 165.00 and 60.00 halved), and the CSV downloaded.
TEST_F(DashboardBrowser, AReplaysReportOpensInTheDashboard) {
  RunResult pass = RunCreditbot({"run", "--once"}, Env(), home_.path());
  ASSERT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  WriteFile(inbox_.File("k-standard-half.toml"), HalfStandardPolicy());
  RunResult replay =
      RunCreditbot({"replay", "--policy", inbox_.File("k-standard-half.toml")}, Env(), home_.path());
  ASSERT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  // "report: <home>/replays/<UTC time>-<short id>/replay.html, …"
  const std::string prefix = "report: " + home_.File("replays/");
  const std::size_t at = replay.out.find(prefix);
  ASSERT_NE(at, std::string::npos) << replay.out;
  const std::string name =
      replay.out.substr(at + prefix.size(), replay.out.find('/', at + prefix.size()) - at - prefix.size());
  ASSERT_EQ(name.size(), 23u) << name;  // YYYYMMDDTHHMMSSZ-xxxxxx
  EXPECT_EQ(name[8], 'T');
  EXPECT_EQ(name[16], '-');
  EXPECT_TRUE(std::filesystem::exists(home_.File("replays/" + name + "/replay.csv")));

  BackgroundCreditbot serve({"serve"}, Env(), home_.path());
  ASSERT_TRUE(serve.WaitForOutput("dashboard at")) << serve.err();
  const int port = PortOf(serve);
  ASSERT_GT(port, 0) << serve.out();
  const Json listed = Api(port, "/api/replays");
  ASSERT_TRUE(listed.is_object()) << serve.err();
  ASSERT_EQ(listed["reports"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["reports"][0]["name"], name);
  EXPECT_EQ(listed["reports"][0]["total_delta"], "-112.50");

  const std::string output = RunBrowser(port, "REPLAY_NAME=" + name, "replay.mjs", {"replays", "replay"});
  ASSERT_FALSE(HasFailure()) << serve.err();
  const Json result = Json::parse(output.substr(output.rfind('{')));
  ASSERT_EQ(result["csv_rows"].size(), 2u);
  EXPECT_THAT(result["csv_rows"][1].get<std::string>(), HasSubstr(",255.00,142.50,-112.50,-44.12%,"));
  EXPECT_EQ(serve.Stop(SIGTERM), 0) << serve.err();
}

// --- signed in through the fake Slack's OpenID provider, the approval seen in the fake Slack ---

constexpr char kChannel[] = "C0CREDITREQ";
constexpr char kApprover[] = "U0APPROVER1";

// A port on 127.0.0.1 free now (CREDITBOT_PUBLIC_URL must name serve's port before it starts); 0 on error.
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

class DashboardBrowserOnSlack : public DashboardBrowser {
 protected:
  void SetUp() override {
    slack_.AddChannel(kChannel, "credit-requests", /*bot_is_member=*/true);
    slack_.SetTsBase(1752588191);  // test case 1's claim date: the request's ts is 1752588191.000100
    slack_.SetSocketModeUrl(socket_.url());
    slack_.openid().SetUser(kApprover, FakeSlackServer::kTeamId, "Grace Hopper", "grace@example.com");
  }
  // DashboardBrowser's environment without the inbox, on the fake Slack, Sign in with Slack set up.
  std::map<std::string, std::string> SlackEnv(int port) const {
    std::map<std::string, std::string> env = Env();
    env.erase("CREDITBOT_INBOX");
    const std::string address = "127.0.0.1:" + std::to_string(port);
    env.insert({{"SLACK_BOT_TOKEN", FakeSlackServer::kBotToken},
                {"SLACK_APP_TOKEN", FakeSlackServer::kAppToken},
                {"CREDITBOT_SLACK_API_URL", slack_.api_url()},
                {"CREDITBOT_SLACK_CHANNELS", kChannel},
                {"CREDITBOT_SLACK_POST_INTERVAL_MS", "0"},
                {"CREDITBOT_SLACK_LOOKBACK_HOURS", "100000"},
                {"SLACK_CLIENT_ID", FakeSlackOpenId::kClientId},
                {"SLACK_CLIENT_SECRET", FakeSlackOpenId::kClientSecret},
                {"CREDITBOT_PUBLIC_URL", "http://" + address}});
    env["CREDITBOT_HTTP_ADDR"] = address;
    return env;
  }

  FakeSlackServer slack_;
  FakeSocketModeServer socket_;
};

TEST_F(DashboardBrowserOnSlack, SignInWithSlackApproveAndTheReplyUpdatedInSlack) {
  const int port = FreeLoopbackPort();
  ASSERT_GT(port, 0);
  const std::map<std::string, std::string> env = SlackEnv(port);
  // Request 101 posted in the channel and answered by one pass: awaiting a decision, with its buttons.
  slack_.PostUserMessage(
      kChannel, {{"user", "U0ANALYST1"},
                 {"text", "credit please <https://looker.example.com/looks/101|Authy fraud report - ACp>"}});
  RunResult pass = RunCreditbot({"run", "--once"}, env, home_.path());
  ASSERT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  ASSERT_EQ(slack_.BotPosts().size(), 1u);
  const std::string reply_ts = slack_.BotPosts()[0].ts;
  EXPECT_THAT(slack_.BotPosts()[0].payload.dump(), HasSubstr("creditbot_approve"));

  BackgroundCreditbot serve({"serve"}, env, home_.path());
  ASSERT_TRUE(serve.WaitForOutput("dashboard at")) << serve.err();
  ASSERT_TRUE(WaitUntil([&] {
    const Json queue = Api(port, "/api/queue");
    return queue.is_object() && queue["entries"].size() == 1;
  })) << serve.err();
  const std::string execution_id = Api(port, "/api/queue")["entries"][0]["execution_id"];

  const std::string output = RunBrowser(port, "SIGN_IN=slack");
  ASSERT_FALSE(HasFailure()) << serve.err();
  EXPECT_EQ(Json::parse(output.substr(output.rfind('{')))["execution_id"], execution_id);

  // The sign-in went through the fake's authorize (our client, our callback) and one token exchange.
  const std::vector<Json> authorizations = slack_.openid().Authorizations();
  ASSERT_EQ(authorizations.size(), 1u);
  EXPECT_EQ(authorizations[0].value("client_id", ""), FakeSlackOpenId::kClientId);
  EXPECT_EQ(authorizations[0].value("redirect_uri", ""),
            "http://127.0.0.1:" + std::to_string(port) + "/auth/slack/callback");
  EXPECT_EQ(slack_.openid().TokensIssued(), 1);

  // The approval reached Slack: one chat.update of our reply, the requester told once.
  EXPECT_EQ(slack_.Count("chat.update"), 1);
  std::string stored_reply;
  for (const Json& message : slack_.Messages(kChannel))
    if (message.value("ts", "") == reply_ts) stored_reply = message.dump();
  EXPECT_THAT(stored_reply, HasSubstr("Approved by <@U0APPROVER1>"));
  int notices = 0;
  for (const SlackBotPost& post : slack_.BotPosts()) {
    notices += post.payload.value("text", "").find("your credit request was approved by <@U0APPROVER1>") !=
               std::string::npos;
  }
  EXPECT_EQ(notices, 1);
  // The ledger: approved once, by the approver who signed in with Slack.
  const Json entry = Api(port, "/api/requests/" + execution_id)["entry"];
  EXPECT_EQ(entry["status"], "approved");
  EXPECT_EQ(entry["final_amount"], "255.00");
  EXPECT_EQ(entry["decided_by"], kApprover);
  EXPECT_EQ(entry["reply_updated"], true);
  Json all = Api(port, "/api/history");
  Json approved = Api(port, "/api/history?status=approved");
  ASSERT_TRUE(all.is_object() && approved.is_object()) << serve.err();
  EXPECT_EQ(all["total"], 1) << all.dump();            // one entry in the ledger,
  EXPECT_EQ(approved["total"], 1) << approved.dump();  // and it is the approved one
  EXPECT_EQ(serve.Stop(SIGTERM), 0) << serve.err();
}

}  // namespace
}  // namespace creditbot::testing
