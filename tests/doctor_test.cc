// `creditbot doctor` against real parts on loopback: a fake Looker and a Trino stand-in over the sample
// warehouse, and the fake AWS (Secrets Manager, S3, SageMaker). One line per check, exit 1 when any fails,
// secrets never printed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "tests/fake_aws_server.h"
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
  // policy/messaging.toml is shipped disabled (issue 22).
  EXPECT_THAT(run.out, HasSubstr("ok   policies     messaging/1 (off), verify/1"));
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
  std::map<std::string, std::string> env =
      Env("sqlite:" + dir_.File("warehouse.db"), FakeLookerServer::kClientSecret);
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

// Issue 15: doctor fails as `run` refuses to start — with Slack, no stand-in of the embedded default — and
// treats a name that is not a setting as an error, naming the closest setting.
TEST_F(Doctor, WithSlackTheStandInsAndUnknownNamesFail) {
  FakeSlackServer slack;
  slack.AddChannel("C0CREDITREQ", "credit-requests", /*bot_is_member=*/true);
  std::map<std::string, std::string> env = Env("", FakeLookerServer::kClientSecret);
  env.erase("CREDITBOT_WAREHOUSE");
  env["CREDITBOT_WAREHOUS"] = "sqlite:" + dir_.File("warehouse.db");  // the typo
  env["SLACK_BOT_TOKEN"] = FakeSlackServer::kBotToken;
  env["CREDITBOT_SLACK_API_URL"] = slack.api_url();
  env["CREDITBOT_SLACK_CHANNELS"] = "C0CREDITREQ";
  RunResult run = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.out,
              HasSubstr("FAIL setting      CREDITBOT_WAREHOUS (environment) is not a setting; did you "
                        "mean CREDITBOT_WAREHOUSE? — rename it to CREDITBOT_WAREHOUSE, or remove it"));
  EXPECT_THAT(run.out,
              HasSubstr("FAIL live mode    SLACK_BOT_TOKEN is set, so the embedded default's synthetic "
                        "warehouse and sample looks are not used: set the warehouse (CREDITBOT_WAREHOUSE "
                        "or PRESTO_HOST) — "));
  // The Looker key pair is set, so the look source is not named.
  EXPECT_THAT(run.out, Not(HasSubstr("set the look source")));

  // Fixed: the live-mode line and the setting line are gone.
  env.erase("CREDITBOT_WAREHOUS");
  env["CREDITBOT_WAREHOUSE"] = "sqlite:" + dir_.File("warehouse.db");
  run = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, Not(HasSubstr("FAIL")));
}

// The AWS checks: the secrets the configuration reads, an S3 probe object, SageMaker's describe permission.
class DoctorAws : public Doctor {
 protected:
  static constexpr const char* kBucket = "creditbot-doctor";
  static constexpr const char* kMainSecret = "creditbot/doctor";
  static constexpr const char* kPrestoSecret = "creditbot/presto";
  static constexpr const char* kPrestoPassword = "presto-canary-pw-5c1d";
  static constexpr const char* kRole = "arn:aws:iam::123456789012:role/creditbot-sagemaker";

  DoctorAws() {
    aws_.CreateBucket(kBucket);
    aws_.PutSecret(kMainSecret, nlohmann::json{{"LOOKER_CLIENT_ID", FakeLookerServer::kClientId},
                                               {"LOOKER_CLIENT_SECRET", FakeLookerServer::kClientSecret},
                                               {"SLACK_USER_ID", "U0OWNER01"},
                                               {"TEAM_WIKI_URL", "https://wiki.example/credits"}}
                                    .dump());
    aws_.PutSecret(kPrestoSecret, nlohmann::json{{"host", "trino.internal"},
                                                 {"port", 8443},
                                                 {"username", "creditbot"},
                                                 {"password", kPrestoPassword},
                                                 {"engine", "hive"}}
                                      .dump());
  }
  // The Looker key pair comes from the main secret; the SageMaker executor is on.
  std::map<std::string, std::string> AwsEnv() const {
    std::map<std::string, std::string> env = Env("sqlite:" + dir_.File("warehouse.db"), "");
    env.erase("LOOKER_CLIENT_ID");
    env.erase("LOOKER_CLIENT_SECRET");
    env["CREDITBOT_SECRET_ID"] = kMainSecret;
    env["PRESTO_SECRET_NAME"] = kPrestoSecret;
    env["S3_BUCKET"] = kBucket;
    env["CREDITBOT_EXECUTOR"] = "sagemaker";
    env["SAGEMAKER_IMAGE_URI"] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/creditbot:1.0";
    env["SAGEMAKER_ROLE_ARN"] = kRole;
    env["AWS_ENDPOINT_URL"] = aws_.base_url();
    env["AWS_REGION"] = FakeAwsServer::kRegion;
    env["AWS_ACCESS_KEY_ID"] = FakeAwsServer::kAccessKeyId;
    env["AWS_SECRET_ACCESS_KEY"] = FakeAwsServer::kSecretAccessKey;
    return env;
  }
  std::vector<FakeAwsRequest> Requests(FakeAwsService service) const {
    std::vector<FakeAwsRequest> matching;
    for (const FakeAwsRequest& request : aws_.requests())
      if (request.service == service) matching.push_back(request);
    return matching;
  }
  void ExpectNoSecretIn(const RunResult& run) const {
    for (const char* secret :
         {FakeLookerServer::kClientSecret, kPrestoPassword, FakeAwsServer::kSecretAccessKey}) {
      EXPECT_THAT(run.out + run.err, Not(HasSubstr(secret)));
    }
  }
  FakeAwsServer aws_;
};

TEST_F(DoctorAws, SecretsProbeObjectAndSageMakerPermissionAreOk) {
  RunResult run = RunCreditbot({"doctor"}, AwsEnv(), dir_.path());
  // The main secret's TEAM_WIKI_URL is not a setting: doctor treats that as --strict does (issue 15), and it
  // is the only failure. Its closest setting name is too far to suggest.
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.out,
              HasSubstr("FAIL setting      TEAM_WIKI_URL (secret creditbot/doctor) is not a setting — "
                        "remove it"));
  std::size_t fails = 0;
  for (std::size_t at = run.out.find("FAIL"); at != std::string::npos; at = run.out.find("FAIL", at + 1))
    ++fails;
  EXPECT_EQ(fails, 1u) << run.out;
  EXPECT_THAT(run.out, HasSubstr("ok   secret       'creditbot/doctor' (CREDITBOT_SECRET_ID): 3 settings "
                                 "(LOOKER_CLIENT_ID, LOOKER_CLIENT_SECRET, SLACK_USER_ID); ignored, not "
                                 "creditbot settings: TEAM_WIKI_URL"));
  EXPECT_THAT(run.out, HasSubstr("ok   secret       'creditbot/presto' (PRESTO_SECRET_NAME): host, port, "
                                 "username, password; ignored: engine"));
  EXPECT_THAT(run.out, HasSubstr("ok   looker       logged in to "));  // with the key pair from the secret
  EXPECT_THAT(run.out, HasSubstr("ok   s3 probe     PutObject, GetObject (same bytes), DeleteObject of "
                                 "s3://creditbot-doctor/outputs/doctor-probe-"));
  EXPECT_THAT(run.out, HasSubstr(" (AES256)\n"));
  EXPECT_THAT(run.out, HasSubstr("ok   sagemaker    DescribeProcessingJob allowed (creditbot-doctor-probe is "
                                 "unknown, as expected); image 123456789012.dkr.ecr"));
  ExpectNoSecretIn(run);

  // Each secret was fetched once, not once for the configuration and again for the check.
  EXPECT_EQ(aws_.Count(FakeAwsService::kSecretsManager), 2);
  // The probe: PUT (encrypted), GET, DELETE of one key under the audit prefix, gone afterwards.
  std::vector<std::string> probe;
  for (const FakeAwsRequest& request : Requests(FakeAwsService::kS3)) {
    if (!absl::StrContains(request.target, "/doctor-probe-")) continue;
    probe.push_back(request.method + " " + request.target);
    if (request.method == "PUT") {
      EXPECT_EQ(request.Header("x-amz-server-side-encryption"), "AES256");
    }
    EXPECT_EQ(request.signature_error, "");
  }
  ASSERT_EQ(probe.size(), 3u);
  const std::string target = probe[0].substr(4);
  EXPECT_TRUE(absl::StartsWith(target, "/creditbot-doctor/outputs/doctor-probe-")) << target;
  EXPECT_EQ(probe[0], "PUT " + target);
  EXPECT_EQ(probe[1], "GET " + target);
  EXPECT_EQ(probe[2], "DELETE " + target);
  EXPECT_FALSE(aws_.Object(kBucket, target.substr(std::string("/creditbot-doctor/").size())).has_value());
  // SageMaker: one DescribeProcessingJob of the probe name (the fake answers ValidationException "Could not
  // find requested job", as SageMaker does), and no job created.
  std::vector<FakeAwsRequest> sagemaker = Requests(FakeAwsService::kSageMaker);
  ASSERT_EQ(sagemaker.size(), 1u);
  EXPECT_EQ(sagemaker[0].Header("X-Amz-Target"), "SageMaker.DescribeProcessingJob");
  EXPECT_EQ(nlohmann::json::parse(sagemaker[0].body),
            (nlohmann::json{{"ProcessingJobName", "creditbot-doctor-probe"}}));
  EXPECT_TRUE(aws_.processing_job_names().empty());
}

TEST_F(DoctorAws, RefusedPutObjectNamesTheStepAndThePermission) {
  std::map<std::string, std::string> env = AwsEnv();
  env["CREDITBOT_STATE"] = "sqlite:" + dir_.File("state.db");  // so the probe is the first S3 request
  aws_.FailNext(FakeAwsService::kS3, 1, 403, "AccessDenied");
  RunResult run = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.out,
              HasSubstr("FAIL s3 probe     PutObject failed: S3 PutObject s3://creditbot-doctor/outputs/"
                        "doctor-probe-"));
  EXPECT_THAT(run.out, HasSubstr("AccessDenied"));
  EXPECT_THAT(run.out,
              HasSubstr(" — the IAM role needs s3:PutObject on arn:aws:s3:::creditbot-doctor/outputs/*"));
  EXPECT_THAT(run.out, HasSubstr("ok   secret       'creditbot/doctor'"));
  EXPECT_THAT(run.out, HasSubstr("ok   sagemaker"));
  // Nothing was written, so nothing is read back or deleted.
  EXPECT_EQ(Requests(FakeAwsService::kS3).size(), 1u);
  ExpectNoSecretIn(run);
}

TEST_F(DoctorAws, UnreadableSecretIsAFailWithThePermission) {
  aws_.DenySecret(kMainSecret);
  RunResult run = RunCreditbot({"doctor"}, AwsEnv(), dir_.path());
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("FAIL config"));
  EXPECT_THAT(run.out, HasSubstr("FAIL secret       'creditbot/doctor' (CREDITBOT_SECRET_ID): "));
  EXPECT_THAT(run.out, HasSubstr("AccessDeniedException"));
  EXPECT_THAT(run.out, HasSubstr("the IAM role needs secretsmanager:GetSecretValue on that secret"));
  // The configuration stops at the first secret, so the second one is named but not read.
  EXPECT_THAT(run.out, HasSubstr("skip secret       'creditbot/presto' (PRESTO_SECRET_NAME) not read"));
  EXPECT_EQ(aws_.Count(FakeAwsService::kSecretsManager), 1);
  ExpectNoSecretIn(run);
}

TEST_F(DoctorAws, SecretWithoutAnExpectedKeyNamesTheKeyNeverAValue) {
  aws_.PutSecret(kPrestoSecret, nlohmann::json{{"host", "trino.internal"},
                                               {"port", "8443"},
                                               {"username", "creditbot"},
                                               {"passwd", kPrestoPassword}}
                                    .dump());
  aws_.PutSecret(kMainSecret,
                 nlohmann::json{{"LOOKER_CLIENT_ID", FakeLookerServer::kClientId},
                                {"SLACK_BOT_TOKEN", nlohmann::json::array({"xoxb-not-a-string"})}}
                     .dump());
  RunResult run = RunCreditbot({"doctor"}, AwsEnv(), dir_.path());
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.out,
              HasSubstr("FAIL secret       'creditbot/presto' (PRESTO_SECRET_NAME): missing password; "
                        "ignored: passwd — give the secret the keys host, port, username and password"));
  EXPECT_THAT(run.out, HasSubstr("FAIL secret       'creditbot/doctor' (CREDITBOT_SECRET_ID): missing "
                                 "LOOKER_CLIENT_SECRET; not text, a number or a boolean: SLACK_BOT_TOKEN"));
  EXPECT_THAT(run.out + run.err, Not(HasSubstr("xoxb-not-a-string")));
  ExpectNoSecretIn(run);
}

TEST_F(DoctorAws, SageMakerAccessDeniedIsAFailNamingThePermissions) {
  std::map<std::string, std::string> env = AwsEnv();
  env.erase("SAGEMAKER_IMAGE_URI");
  aws_.FailNext(FakeAwsService::kSageMaker, 1, 400, "AccessDeniedException");
  RunResult run = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("FAIL sagemaker    CREDITBOT_EXECUTOR=sagemaker needs SAGEMAKER_IMAGE_URI"));
  EXPECT_THAT(run.out, HasSubstr("FAIL sagemaker    SageMaker DescribeProcessingJob"));
  EXPECT_THAT(run.out, HasSubstr("AccessDeniedException"));
  EXPECT_THAT(run.out,
              HasSubstr("the IAM role needs sagemaker:DescribeProcessingJob, sagemaker:CreateProcessingJob "
                        "and sagemaker:StopProcessingJob, and iam:PassRole on " +
                        std::string(kRole)));
  ExpectNoSecretIn(run);
}

TEST_F(DoctorAws, WithoutAwsSettingsTheAwsChecksAreSkipped) {
  RunResult run = RunCreditbot(
      {"doctor"}, Env("sqlite:" + dir_.File("warehouse.db"), FakeLookerServer::kClientSecret), dir_.path());
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out,
              HasSubstr("skip secret       no CREDITBOT_SECRET_ID, AWS_SECRET_NAME or PRESTO_SECRET_NAME"));
  EXPECT_THAT(run.out, HasSubstr("skip s3 probe     S3_BUCKET is not set"));
  EXPECT_THAT(run.out, HasSubstr("skip sagemaker    CREDITBOT_EXECUTOR=native"));
  EXPECT_EQ(aws_.requests().size(), 0u);
}

}  // namespace
}  // namespace creditbot::testing
