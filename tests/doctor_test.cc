// `creditbot doctor` against real parts on loopback: a fake Looker and a Trino stand-in over the sample
// warehouse. One line per check, exit 1 when any fails, secrets never printed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/fake_looker_server.h"
#include "tests/fake_slack_server.h"
#include "tests/sqlite_backed_trino_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Doctor : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(RunCreditbot({"synth", "--db", dir_.File("warehouse.db")}, {}, dir_.path()).exit_code, 0);
    WriteFile(dir_.File("inbox.jsonl"), "");
  }
  std::map<std::string, std::string> Env(const std::string& warehouse, const std::string& secret) const {
    return {{"CREDITBOT_HOME", dir_.File("home")}, {"CREDITBOT_INBOX", dir_.File("inbox.jsonl")},
            {"CREDITBOT_WAREHOUSE", warehouse},    {"LOOKER_CLIENT_ID", FakeLookerServer::kClientId},
            {"LOOKER_CLIENT_SECRET", secret},      {"CREDITBOT_LOOKER_API_URL", looker_.base_url()},
            {"CREDITBOT_LOG_FORMAT", "json"}};
  }
  TempDir dir_;
  FakeLookerServer looker_;
};

TEST_F(Doctor, EveryPartAnswersSoEveryCheckIsOk) {
  SqliteBackedTrinoServer trino(dir_.File("warehouse.db"));
  RunResult run =
      RunCreditbot({"doctor"}, Env(trino.warehouse_url(), FakeLookerServer::kClientSecret), dir_.path());
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("ok   warehouse    SELECT 1 on trino://"));
  EXPECT_THAT(run.out, HasSubstr("ok   looker       logged in to " + looker_.base_url()));
  EXPECT_THAT(run.out, HasSubstr("ok   policies     verify/1"));
  EXPECT_THAT(run.out, Not(HasSubstr("FAIL")));
  EXPECT_EQ(trino.queries(), 1);
}

TEST_F(Doctor, FailuresNameTheFixAndNeverTheSecret) {
  const std::string wrong_secret = "wrong-secret-canary-81f3";
  RunResult run =
      RunCreditbot({"doctor"}, Env("sqlite:" + dir_.File("missing.db"), wrong_secret), dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, HasSubstr("FAIL warehouse"));
  EXPECT_THAT(run.out, HasSubstr("FAIL looker"));
  EXPECT_THAT(run.out, HasSubstr("LOOKER_CLIENT_SECRET"));
  EXPECT_THAT(run.out + run.err, Not(HasSubstr(wrong_secret)));
  EXPECT_EQ(looker_.Count("POST", "/api/4.0/login"), 1);
}

TEST_F(Doctor, SlackTokenScopesChannelsAndSocketModeAreChecked) {
  FakeSlackServer slack;
  slack.AddChannel("C0CREDITREQ", "credit-requests", /*bot_is_member=*/true);
  slack.AddChannel("C0NOTMEMBER", "credit-requests-eu", /*bot_is_member=*/false);
  std::map<std::string, std::string> env = Env("sqlite:" + dir_.File("warehouse.db"), FakeLookerServer::kClientSecret);
  env["SLACK_BOT_TOKEN"] = FakeSlackServer::kBotToken;
  env["SLACK_APP_TOKEN"] = FakeSlackServer::kAppToken;
  env["CREDITBOT_SLACK_API_URL"] = slack.api_url();
  env["CREDITBOT_SLACK_CHANNELS"] = "C0CREDITREQ";
  RunResult run = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr(std::string("ok   slack        bot ") + FakeSlackServer::kBotUserId));
  EXPECT_THAT(run.out, HasSubstr("ok   slack scopes channels:history"));
  EXPECT_THAT(run.out, HasSubstr("ok   channel      C0CREDITREQ readable"));
  EXPECT_THAT(run.out, HasSubstr("ok   socket mode  apps.connections.open"));
  EXPECT_THAT(run.out, HasSubstr("skip events api"));

  // A channel the bot is not in, and a token without reactions:write.
  slack.SetScopes("channels:history,chat:write,im:write");
  env["CREDITBOT_SLACK_CHANNELS"] = "C0CREDITREQ,C0NOTMEMBER";
  run = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, HasSubstr("FAIL slack scopes missing reactions:write"));
  EXPECT_THAT(run.out, HasSubstr("FAIL channel"));
  EXPECT_THAT(run.out, HasSubstr("not_in_channel"));
  EXPECT_THAT(run.out, HasSubstr("invite the bot to C0NOTMEMBER"));
  EXPECT_THAT(run.out + run.err, Not(HasSubstr(FakeSlackServer::kBotToken)));
  EXPECT_THAT(run.out + run.err, Not(HasSubstr(FakeSlackServer::kAppToken)));

  env["SLACK_BOT_TOKEN"] = "xoxb-0000-1111-NotTheRightTokenAtAll";
  run = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.out, HasSubstr("FAIL slack"));
  EXPECT_THAT(run.out, HasSubstr("invalid_auth"));
  EXPECT_THAT(run.out + run.err, Not(HasSubstr("NotTheRightTokenAtAll")));
}

}  // namespace
}  // namespace creditbot::testing
