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
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

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

  static SuiteWarehouse warehouse_;
  TempDir home_;
  TempDir inbox_;
  TempDir screens_;
};
SuiteWarehouse DashboardBrowser::warehouse_;

TEST_F(DashboardBrowser, SignInApproveFilterOpenExportAndChart) {
  const std::string browser_dir = kSource + "/tests/browser";
  ASSERT_TRUE(std::filesystem::exists(browser_dir + "/node_modules/playwright-core"))
      << "playwright-core is not installed: run scripts/setup (npm ci in tests/browser)";
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "Debian's chromium is missing: scripts/setup";

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

  const char* kept = std::getenv("CREDITBOT_SCREENSHOT_DIR");
  const std::string screen_dir = kept != nullptr && *kept != '\0' ? kept : screens_.path();
  std::filesystem::create_directories(screen_dir);
  const std::string command = "cd '" + browser_dir +
                              "' && CREDITBOT_URL=http://127.0.0.1:" + std::to_string(port) +
                              " SCREEN_DIR='" + screen_dir + "' node dashboard.mjs 2>&1";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096];
  while (std::size_t read = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, read);
  const int status = pclose(pipe);
  std::printf("dashboard browser test: screenshots in %s\n%s", screen_dir.c_str(), output.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << output << serve.err();
  EXPECT_THAT(output, Not(HasSubstr("FAIL")));
  for (const char* name : {"sign-in", "queue", "history", "request", "charts"}) {
    EXPECT_TRUE(std::filesystem::exists(screen_dir + "/" + name + ".png")) << name;
  }
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

}  // namespace
}  // namespace creditbot::testing
