// `creditbot doctor` against real parts on loopback: a fake Looker and a Trino stand-in over the sample
// warehouse. One line per check, exit 1 when any fails, secrets never printed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/fake_looker_server.h"
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

}  // namespace
}  // namespace creditbot::testing
