// End-to-end tests of the real creditbot binary in its AWS shape (issue 5): `run --once` with S3_BUCKET
// (state and audit in the fake S3), CREDITBOT_SECRET_ID (the Slack bot token read from the fake Secrets
// Manager), CREDITBOT_EXECUTOR=sagemaker (the calculation as a fake SageMaker processing job whose container
// really runs `creditbot calc`: FakeAwsServer::RunContainersWith) and the fake Slack on loopback. Every AWS
// request is SigV4-checked by the fake; the container gets its AWS credentials from the fake's container
// endpoint, as a job gets its role's.
//
// The container computes on the warehouse the bot's configuration names: CREDITBOT_WAREHOUSE travels in the
// job's Environment (Config::ExecutorSettings::container_settings), as do the secret *id* and the
// non-secret settings; a secret value never does (the fake refuses such a job). Here the warehouse is the
// synthetic SQLite file, which the container (a local process) can open; in production it is trino://….
// The expected credit of look 101 is test case 1 of CREDIT_POLICY.md ($255.00, checked by hand).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "tests/fake_aws_server.h"
#include "tests/fake_slack_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
const std::string kLooks = kSource + "/data/sample/looks";
constexpr char kBucket[] = "creditbot-prod";
constexpr char kStateKey[] = "creditbot/state.json";
constexpr char kOutputPrefix[] = "creditbot/outputs";
constexpr char kSecretId[] = "creditbot/prod";
constexpr char kChannel[] = "C0CREDITREQ";
constexpr char kOwner[] = "U0OWNER01";
constexpr char kLook101[] = "<https://looker.example.com/looks/101|Authy fraud report - ACp>";
constexpr char kImage[] = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/creditbot:1.0.0";
constexpr char kJobRole[] = "arn:aws:iam::123456789012:role/creditbot-sagemaker-processing";

// What a lower-cased execution id becomes in a job name (SageMakerExecutor::JobNameFor, by hand).
std::string JobName(const std::string& execution_id) {
  std::string name = "creditbot-";
  for (char c : execution_id) {
    const auto byte = static_cast<unsigned char>(c);
    name.push_back(std::isalnum(byte) ? static_cast<char>(std::tolower(byte)) : '-');
  }
  return name;
}

class AwsEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  void SetUp() override {
    aws_.CreateBucket(kBucket);
    aws_.PutSecret(kSecretId, Json{{"SLACK_BOT_TOKEN", FakeSlackServer::kBotToken}}.dump());
    // No secret may reach a job's Environment (nor the bot's own AWS key).
    aws_.ForbidEnvironmentValues({FakeSlackServer::kBotToken, FakeAwsServer::kSecretAccessKey});
    aws_.RunContainersWith(CREDITBOT_BINARY);
    slack_.AddChannel(kChannel, "credit-requests", /*bot_is_member=*/true);
    slack_.SetTsBase(1752588191);  // requests posted on 2025-07-15, test case 1's claim date
  }

  RunResult Run(const std::vector<std::string>& args) const {
    // No SLACK_BOT_TOKEN here: it comes from the secret.
    const std::map<std::string, std::string> env = {
        {"CREDITBOT_HOME", home_.path()},
        {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
        {"CREDITBOT_LOOK_CATALOG", kLooks},
        {"CREDITBOT_SECRET_ID", kSecretId},
        {"CREDITBOT_SLACK_API_URL", slack_.api_url()},
        {"CREDITBOT_SLACK_CHANNELS", kChannel},
        {"CREDITBOT_SLACK_POST_INTERVAL_MS", "0"},
        {"CREDITBOT_SLACK_LOOKBACK_HOURS", "100000"},
        {"CREDITBOT_SLACK_ASKED_DAYS", "100000"},
        {"SLACK_USER_ID", kOwner},
        {"S3_BUCKET", kBucket},
        {"S3_STATE_KEY", kStateKey},
        {"S3_OUTPUT_PREFIX", kOutputPrefix},
        {"CREDITBOT_EXECUTOR", "sagemaker"},
        {"SAGEMAKER_IMAGE_URI", kImage},
        {"SAGEMAKER_ROLE_ARN", kJobRole},
        {"SAGEMAKER_INSTANCE_TYPE", "ml.t3.medium"},
        {"AWS_ENDPOINT_URL", aws_.base_url()},
        {"AWS_REGION", FakeAwsServer::kRegion},
        {"AWS_ACCESS_KEY_ID", FakeAwsServer::kAccessKeyId},
        {"AWS_SECRET_ACCESS_KEY", FakeAwsServer::kSecretAccessKey},
        {"CREDITBOT_LOG_FORMAT", "json"}};
    return RunCreditbot(args, env, home_.path());
  }
  std::string PostRequest() {
    return slack_.PostUserMessage(
        kChannel, {{"user", "U0ANALYST1"}, {"text", std::string("Please credit ACp: ") + kLook101}});
  }
  std::vector<SlackBotPost> PostsIn(const std::string& channel) const {
    std::vector<SlackBotPost> posts;
    for (SlackBotPost& post : slack_.BotPosts())
      if (post.channel == channel) posts.push_back(std::move(post));
    return posts;
  }
  std::vector<SlackBotPost> Dms() const {
    std::vector<SlackBotPost> dms;
    for (SlackBotPost& post : slack_.BotPosts())
      if (post.channel.rfind('D', 0) == 0) dms.push_back(std::move(post));
    return dms;
  }
  Json StateRecord(const std::string& ts) const {
    std::optional<FakeS3Object> state = aws_.Object(kBucket, kStateKey);
    EXPECT_TRUE(state.has_value());
    if (!state) return Json();
    return Json::parse(state->body)["records"].value(std::string(kChannel) + ":" + ts, Json());
  }
  int SignatureErrors() const {
    int errors = 0;
    for (const FakeAwsRequest& request : aws_.requests()) errors += request.signature_error.empty() ? 0 : 1;
    return errors;
  }

  static SuiteWarehouse warehouse_;
  FakeAwsServer aws_;
  FakeSlackServer slack_;
  TempDir home_;
};

SuiteWarehouse AwsEndToEnd::warehouse_;

TEST_F(AwsEndToEnd, ALiveRunComputesInAProcessingJobAndKeepsStateAndAuditInS3) {
  const std::string ts = PostRequest();
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("replied=1"));

  // The reply, in the thread, with the hand-checked credit; posted with the token from the secret.
  std::vector<SlackBotPost> posts = PostsIn(kChannel);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].thread_ts, ts);
  EXPECT_THAT(posts[0].payload.value("text", ""), HasSubstr("$255.00"));
  const std::string execution_id = posts[0].payload["metadata"]["event_payload"]["execution_id"];
  ASSERT_FALSE(execution_id.empty());
  EXPECT_GE(aws_.Count(FakeAwsService::kSecretsManager), 1);

  // Exactly one job, named after the audit record's execution id, its container the real `creditbot calc`.
  const std::vector<std::string> jobs = aws_.processing_job_names();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0], JobName(execution_id));
  const FakeProcessingJob job = *aws_.ProcessingJob(jobs[0]);
  EXPECT_EQ(job.status, "Completed");
  EXPECT_EQ(job.exit_code, 0) << job.container_stderr;
  const Json spec = Json::parse(job.create_body);
  EXPECT_EQ(spec["AppSpecification"]["ImageUri"], kImage);
  EXPECT_EQ(spec["RoleArn"], kJobRole);
  EXPECT_EQ(spec["AppSpecification"]["ContainerArguments"][0], "calc");
  const Json& environment = spec["Environment"];
  EXPECT_EQ(environment["CREDITBOT_EXECUTION_ID"], execution_id);
  EXPECT_EQ(environment["CREDITBOT_WAREHOUSE"], "sqlite:" + warehouse_.path());
  EXPECT_EQ(environment["CREDITBOT_SECRET_ID"], kSecretId);
  EXPECT_EQ(environment["CREDITBOT_CLAIM_DATE"], "2025-07-15");
  for (const auto& [name, value] : environment.items()) {
    EXPECT_THAT(value.get<std::string>(), Not(HasSubstr(FakeSlackServer::kBotToken))) << name;
    EXPECT_THAT(value.get<std::string>(), Not(HasSubstr(FakeAwsServer::kSecretAccessKey))) << name;
  }
  // The container wrote its result next to its SQL, encrypted; the bot read it back.
  const std::string job_folder = std::string(kOutputPrefix) + "/sagemaker/" + jobs[0];
  std::optional<FakeS3Object> job_result = aws_.Object(kBucket, job_folder + "/result.json");
  ASSERT_TRUE(job_result.has_value());
  EXPECT_EQ(Json::parse(job_result->body)["credit_amount"], "255.00");
  EXPECT_EQ(job_result->server_side_encryption, "AES256");
  EXPECT_TRUE(aws_.Object(kBucket, job_folder + "/query.sql").has_value());
  // The container authenticated with its role's temporary credentials, not the bot's keys.
  EXPECT_FALSE(aws_.issued_access_key_ids().empty());

  // State and audit in S3.
  const Json record = StateRecord(ts);
  EXPECT_EQ(record["status"], "replied");
  EXPECT_EQ(record["execution_id"], execution_id);
  EXPECT_EQ(aws_.Object(kBucket, kStateKey)->server_side_encryption, "AES256");
  std::optional<FakeS3Object> audit =
      aws_.Object(kBucket, std::string(kOutputPrefix) + "/" + execution_id + "/result.json");
  ASSERT_TRUE(audit.has_value());
  EXPECT_EQ(Json::parse(audit->body)["credit_amount"], "255.00");
  EXPECT_EQ(Json::parse(audit->body)["execution_id"], execution_id);
  EXPECT_EQ(audit->server_side_encryption, "AES256");

  // Exactly once: a second pass answers nothing and starts no job.
  RunResult again = Run({"run", "--once", "--live"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(PostsIn(kChannel).size(), 1u);
  EXPECT_EQ(aws_.processing_job_names().size(), 1u);
  EXPECT_TRUE(Dms().empty());
  EXPECT_EQ(SignatureErrors(), 0);
}

TEST_F(AwsEndToEnd, ADryRunStillComputesInAJobButPostsNothing) {
  PostRequest();
  RunResult run = Run({"run", "--once"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("[dry run] would post to thread C0CREDITREQ"));
  EXPECT_THAT(run.out, HasSubstr("$255.00"));
  EXPECT_TRUE(slack_.BotPosts().empty());
  ASSERT_EQ(aws_.processing_job_names().size(), 1u);
  EXPECT_EQ(aws_.ProcessingJob(aws_.processing_job_names()[0])->status, "Completed");
}

TEST_F(AwsEndToEnd, AFailedJobGetsAShortReplyAndTheOwnerIsToldTheJobAndItsFailureReason) {
  // The container's warehouse is broken (its environment wins over the job's): `creditbot calc` fails.
  aws_.RunContainersWith(CREDITBOT_BINARY,
                         {{"CREDITBOT_WAREHOUSE", "sqlite:" + home_.File("no-such-folder/warehouse.db")}});
  const std::string ts = PostRequest();
  RunResult run = Run({"run", "--once", "--live"});
  ASSERT_EQ(aws_.processing_job_names().size(), 1u) << run.err;
  const FakeProcessingJob job = *aws_.ProcessingJob(aws_.processing_job_names()[0]);
  EXPECT_EQ(job.status, "Failed");
  EXPECT_NE(job.exit_code, 0);
  EXPECT_THAT(job.failure_reason, HasSubstr("AlgorithmError: creditbot calc:"));

  // The requester gets one short reply without internals (no job, no reason); the owner gets the details.
  std::vector<SlackBotPost> posts = PostsIn(kChannel);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].thread_ts, ts);
  EXPECT_EQ(posts[0].payload["metadata"]["event_payload"]["kind"], "failure");
  EXPECT_THAT(posts[0].payload.value("text", ""), HasSubstr("I could not calculate this credit"));
  EXPECT_THAT(posts[0].payload.value("text", ""), Not(HasSubstr(job.name)));
  EXPECT_THAT(posts[0].payload.value("text", ""), Not(HasSubstr("AlgorithmError")));
  std::vector<SlackBotPost> dms = Dms();
  ASSERT_EQ(dms.size(), 1u);
  const std::string dm = dms[0].payload.value("text", "");
  EXPECT_THAT(dm, HasSubstr(job.name));
  EXPECT_THAT(dm, HasSubstr("AlgorithmError: creditbot calc:"));
  EXPECT_THAT(dm, Not(HasSubstr(FakeSlackServer::kBotToken)));
  EXPECT_EQ(StateRecord(ts)["status"], "failed");
}

TEST_F(AwsEndToEnd, ASecretThatCannotBeReadStopsTheRunBeforeAnythingIsDone) {
  aws_.DenySecret(kSecretId);
  PostRequest();
  RunResult run = Run({"run", "--once", "--live"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr(kSecretId));
  EXPECT_THAT(run.err, HasSubstr("AccessDenied"));
  EXPECT_TRUE(slack_.BotPosts().empty());
  EXPECT_EQ(slack_.Count("conversations.history"), 0);
  EXPECT_TRUE(aws_.processing_job_names().empty());
  EXPECT_FALSE(aws_.Object(kBucket, kStateKey).has_value());
}

}  // namespace
}  // namespace creditbot::testing
