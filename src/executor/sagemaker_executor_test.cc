// Tests of SageMakerClient and SageMakerExecutor against the fake SageMaker and S3 on loopback (every
// request's SigV4 signature verified by the fake).
//
// The fake never runs a container. For jobs that must complete, the test emulates the container honestly: at
// the executor's first poll (a Sleeper hook), it runs the REAL `creditbot calc` binary with exactly the
// ContainerArguments and Environment the fake recorded from CreateProcessingJob, plus what SageMaker's role
// would give the container (AWS credentials and, here, the fake's endpoint), so calc reads the SQL from and
// writes result.json to the fake S3 itself; the executor then reads that result back.
#include "executor/sagemaker_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/executor_factory.h"
#include "app/policies.h"
#include "aws/s3_client.h"
#include "aws/sagemaker_client.h"
#include "common/embedded_files.h"
#include "core/report_json.h"
#include "tests/fake_aws_server.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeAwsServer;
using ::creditbot::testing::FakeAwsService;
using ::creditbot::testing::FakeProcessingJob;
using ::creditbot::testing::RunCreditbot;
using ::creditbot::testing::RunResult;
using ::creditbot::testing::SuiteWarehouse;
using ::creditbot::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

constexpr const char* kBucket = "creditbot-jobs";
const std::string kLooks = std::string(CREDITBOT_SOURCE_DIR) + "/data/sample/looks";

// A FakeSleeper that runs a hook before each sleep (the "container", or a shutdown).
class HookedSleeper final : public Sleeper {
 public:
  explicit HookedSleeper(FakeClock& clock) : sleeper_(clock) {}
  void Sleep(absl::Duration duration) override {
    if (hook_) hook_();
    sleeper_.Sleep(duration);
  }
  void SetHook(std::function<void()> hook) { hook_ = std::move(hook); }
  const std::vector<absl::Duration>& sleeps() const { return sleeper_.sleeps(); }

 private:
  FakeSleeper sleeper_;
  std::function<void()> hook_;
};

class SageMakerExecutorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  SageMakerExecutorTest() {
    server_.CreateBucket(kBucket);
    absl::StatusOr<std::vector<CreditPolicy>> policies = LoadPolicies("");
    EXPECT_TRUE(policies.ok()) << policies.status();
    for (CreditPolicy& policy : *policies) {
      if (policy.name == "verify") verify_ = policy;
    }
    sql_ = *ReadFileToString(kLooks + "/101.sql");
  }

  AwsEndpoint Endpoint(const char* variable) const { return AwsEndpoint{server_.base_url(), true, variable}; }

  SageMakerExecutorOptions Options() const {
    SageMakerExecutorOptions options;
    options.image_uri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/creditbot:1.0.0";
    options.role_arn = "arn:aws:iam::123456789012:role/creditbot-sagemaker-processing";
    options.instance_type = "ml.t3.medium";
    options.max_runtime = absl::Seconds(600);
    options.bucket = kBucket;
    options.prefix = "outputs";
    options.container_environment = {{"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
                                     {"AWS_REGION", FakeAwsServer::kRegion}};
    options.secret_values = {"xoxb-configured-secret-token", "presto-configured-password"};
    return options;
  }

  std::unique_ptr<SageMakerExecutor> Executor(SageMakerExecutorOptions options) {
    return std::make_unique<SageMakerExecutor>(sagemaker_, s3_, clock_, sleeper_, std::move(options));
  }

  CalcRequest Request() const { return CalcRequest{sql_, &verify_, absl::CivilDay(2025, 7, 15), ""}; }

  // The one job created so far.
  FakeProcessingJob OnlyJob() const {
    const std::vector<std::string> names = server_.processing_job_names();
    EXPECT_EQ(names.size(), 1u);
    return names.empty() ? FakeProcessingJob{} : *server_.ProcessingJob(names.front());
  }

  // Runs the job's container as SageMaker would: the real creditbot with the recorded arguments and
  // environment, plus the credentials and endpoint the job's role and network would supply.
  RunResult RunContainer(const FakeProcessingJob& job) const {
    const Json request = Json::parse(job.create_body);
    EXPECT_EQ(request["AppSpecification"]["ContainerEntrypoint"], Json::array({"creditbot"}));
    std::vector<std::string> args = request["AppSpecification"]["ContainerArguments"];
    std::map<std::string, std::string> env = request["Environment"];
    env["AWS_ACCESS_KEY_ID"] = FakeAwsServer::kAccessKeyId;
    env["AWS_SECRET_ACCESS_KEY"] = FakeAwsServer::kSecretAccessKey;
    env["AWS_ENDPOINT_URL"] = server_.base_url();
    return RunCreditbot(args, env, container_dir_.path());
  }

  static SuiteWarehouse warehouse_;
  FakeClock clock_{absl::FromUnixSeconds(1767225600)};
  HookedSleeper sleeper_{clock_};
  FakeAwsServer server_;
  TempDir container_dir_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  StaticAwsCredentialsProvider credentials_{
      AwsCredentials{FakeAwsServer::kSessionAccessKeyId, FakeAwsServer::kSessionSecretAccessKey,
                     FakeAwsServer::kSessionToken, std::nullopt, "test"}};
  S3Client s3_{
      *transport_, credentials_, clock_, sleeper_,
      S3ClientOptions{Endpoint("AWS_ENDPOINT_URL_S3"), FakeAwsServer::kRegion, {}, absl::Seconds(30)}};
  SageMakerClient sagemaker_{
      *transport_, credentials_, clock_, sleeper_,
      SageMakerOptions{
          Endpoint("AWS_ENDPOINT_URL_SAGEMAKER"), FakeAwsServer::kRegion, {}, absl::Seconds(30)}};
  CreditPolicy verify_;
  std::string sql_;
};

SuiteWarehouse SageMakerExecutorTest::warehouse_;

TEST_F(SageMakerExecutorTest, CompletedJobRunsTheRealCalcAndReturnsItsReport) {
  server_.ScriptProcessingJobs({"InProgress", "InProgress", "Completed"});
  RunResult container;
  bool ran = false;
  sleeper_.SetHook([&] {
    if (ran) return;
    ran = true;
    container = RunContainer(OnlyJob());
  });
  auto executor = Executor(Options());
  absl::StatusOr<CreditReport> report = executor->Execute(Request());
  ASSERT_EQ(container.exit_code, 0) << container.err;
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->credit_amount.ToFixed(2), "255.00");
  EXPECT_EQ(report->product, "verify");
  EXPECT_EQ(report->lines.size(), 5u);

  const FakeProcessingJob job = OnlyJob();
  EXPECT_TRUE(IsValidProcessingJobName(job.name)) << job.name;
  EXPECT_THAT(job.name, ::testing::StartsWith("creditbot-2026"));
  const Json request = Json::parse(job.create_body);
  EXPECT_EQ(request["AppSpecification"]["ImageUri"], Options().image_uri);
  EXPECT_EQ(request["RoleArn"], Options().role_arn);
  EXPECT_EQ(request["ProcessingResources"]["ClusterConfig"]["InstanceType"], "ml.t3.medium");
  EXPECT_EQ(request["ProcessingResources"]["ClusterConfig"]["InstanceCount"], 1);
  EXPECT_EQ(request["StoppingCondition"]["MaxRuntimeInSeconds"], 600);
  const std::string base = "s3://creditbot-jobs/outputs/sagemaker/" + job.name;
  EXPECT_EQ(request["AppSpecification"]["ContainerArguments"],
            Json::array({"calc", "--sql-file", base + "/query.sql", "--claim-date", "2025-07-15", "--output",
                         base + "/result.json"}));
  const Json& env = request["Environment"];
  EXPECT_EQ(env["CREDITBOT_SQL_URI"], base + "/query.sql");
  EXPECT_EQ(env["CREDITBOT_OUTPUT_URI"], base + "/result.json");
  EXPECT_EQ(env["CREDITBOT_CLAIM_DATE"], "2025-07-15");
  EXPECT_EQ(env["CREDITBOT_POLICY_NAME"], "verify");
  EXPECT_EQ(SageMakerExecutor::JobNameFor(env["CREDITBOT_EXECUTION_ID"].get<std::string>()), job.name);

  // The SQL went through S3, never through the job request; the result is encrypted at rest.
  EXPECT_EQ(server_.Object(kBucket, "outputs/sagemaker/" + job.name + "/query.sql")->body, sql_);
  EXPECT_THAT(job.create_body, Not(HasSubstr("SELECT")));
  const std::optional<testing::FakeS3Object> result =
      server_.Object(kBucket, "outputs/sagemaker/" + job.name + "/result.json");
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->server_side_encryption, "AES256");

  // Reading the result back loses nothing: rendered again with the container's own metadata, it is the
  // same document, byte for byte (why sentences included).
  const Json written = Json::parse(result->body);
  EXPECT_EQ(written["execution_id"], env["CREDITBOT_EXECUTION_ID"]);
  ExecutionMeta meta;
  meta.execution_id = written["execution_id"].get<std::string>();
  std::string error;
  ASSERT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%SZ", written["timestamp"].get<std::string>(), &meta.timestamp,
                              &error));
  meta.sql_file = base + "/query.sql";
  meta.sql_sha256 = written["inputs"]["sql_sha256"].get<std::string>();
  meta.dry_run = written["dry_run"].get<bool>();
  EXPECT_EQ(RenderResultJson(*report, meta), result->body);

  // Polled with growing delays; every request was signed correctly.
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Seconds(5), absl::Seconds(10), absl::Seconds(20)));
  for (const auto& seen : server_.requests()) EXPECT_EQ(seen.signature_error, "") << seen.target;
}

TEST_F(SageMakerExecutorTest, FailedJobIsAnErrorNamingTheJobAndFailureReason) {
  server_.ScriptProcessingJobs({"InProgress", "Failed"}, "AlgorithmError: See job logs for more information");
  absl::StatusOr<CreditReport> report = Executor(Options())->Execute(Request());
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(report.status().message(), HasSubstr(OnlyJob().name));
  EXPECT_THAT(report.status().message(),
              HasSubstr("failed: AlgorithmError: See job logs for more information"));
  EXPECT_THAT(report.status().message(), HasSubstr("exit message: creditbot calc: the container failed"));
}

TEST_F(SageMakerExecutorTest, JobStoppedElsewhereIsAbortedSoTheRequestIsRetried) {
  server_.ScriptProcessingJobs({"Stopping", "Stopped"}, "Stopped by the account's administrator");
  absl::StatusOr<CreditReport> report = Executor(Options())->Execute(Request());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(report.status().message(), HasSubstr("was stopped: Stopped by the account's administrator"));
}

TEST_F(SageMakerExecutorTest, JobPastMaxRuntimeIsStoppedAndTimesOut) {
  server_.ScriptProcessingJobs({"InProgress"});
  SageMakerExecutorOptions options = Options();
  options.max_runtime = absl::Seconds(120);
  options.stop_margin = absl::Seconds(60);
  absl::StatusOr<CreditReport> report = Executor(options)->Execute(Request());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kDeadlineExceeded);
  const FakeProcessingJob job = OnlyJob();
  EXPECT_THAT(report.status().message(), HasSubstr(job.name));
  EXPECT_THAT(report.status().message(), HasSubstr("StopProcessingJob sent"));
  EXPECT_TRUE(job.stop_requested);
  int stops = 0;
  for (const auto& seen : server_.requests())
    stops += seen.Header("X-Amz-Target") == "SageMaker.StopProcessingJob";
  EXPECT_EQ(stops, 1);
}

TEST_F(SageMakerExecutorTest, CancelStopsTheRunningJob) {
  server_.ScriptProcessingJobs({"InProgress"});
  auto executor = Executor(Options());
  int polls = 0;
  sleeper_.SetHook([&] {
    if (++polls == 2) executor->Cancel();  // a shutdown while the job runs
  });
  absl::StatusOr<CreditReport> report = executor->Execute(Request());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kAborted);  // transient: a later pass retries it
  EXPECT_THAT(report.status().message(), HasSubstr("abandoned at shutdown; StopProcessingJob sent"));
  EXPECT_TRUE(OnlyJob().stop_requested);
}

TEST_F(SageMakerExecutorTest, ThrottlingIsRetriedWithBackoff) {
  server_.ScriptProcessingJobs({"Failed"}, "AlgorithmError: after throttling");
  server_.FailNext(FakeAwsService::kSageMaker, 2, 400, "ThrottlingException");
  absl::StatusOr<CreditReport> report = Executor(Options())->Execute(Request());
  // Both throttled CreateProcessingJob calls were retried, and the job then ran (to its scripted failure).
  EXPECT_THAT(report.status().message(), HasSubstr("AlgorithmError: after throttling"));
  int creates = 0;
  for (const auto& seen : server_.requests()) {
    creates += seen.Header("X-Amz-Target") == "SageMaker.CreateProcessingJob";
  }
  EXPECT_EQ(creates, 3);
  EXPECT_EQ(server_.processing_job_names().size(), 1u);
  EXPECT_GE(sleeper_.sleeps().size(), 3u);  // two backoffs, then the poll
}

TEST_F(SageMakerExecutorTest, NoSecretEverReachesTheJobRequest) {
  server_.ForbidEnvironmentValues(Options().secret_values);
  server_.ScriptProcessingJobs({"Failed"}, "AlgorithmError: stop here");
  (void)Executor(Options())->Execute(Request());
  const FakeProcessingJob job = OnlyJob();
  for (const std::string& secret : Options().secret_values) {
    for (const auto& seen : server_.requests()) EXPECT_THAT(seen.body, Not(HasSubstr(secret)));
  }
  EXPECT_THAT(job.create_body, Not(HasSubstr(FakeAwsServer::kSessionSecretAccessKey)));
  EXPECT_THAT(job.create_body, Not(HasSubstr(FakeAwsServer::kSessionToken)));
}

TEST_F(SageMakerExecutorTest, AnEnvironmentValueCarryingASecretIsRefusedBeforeAnythingIsSent) {
  SageMakerExecutorOptions options = Options();
  options.container_environment["CREDITBOT_WAREHOUSE"] = "trino://svc:presto-configured-password@presto:8443";
  absl::StatusOr<CreditReport> report = Executor(options)->Execute(Request());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(report.status().message(), HasSubstr("CREDITBOT_WAREHOUSE would carry a secret"));
  EXPECT_THAT(report.status().message(), Not(HasSubstr("presto-configured-password")));
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(SageMakerExecutorTest, FakeRefusesAnEnvironmentWithASecret) {
  // The fake's own check, so the test above is not the only guard.
  server_.ForbidEnvironmentValues({"xoxb-configured-secret-token"});
  ProcessingJobSpec spec;
  spec.name = "creditbot-fake-check";
  spec.image_uri = "image";
  spec.role_arn = "role";
  spec.instance_type = "ml.t3.medium";
  spec.environment = {{"LEAK", "token=xoxb-configured-secret-token"}};
  absl::StatusOr<std::string> arn = sagemaker_.CreateProcessingJob(spec);
  EXPECT_EQ(arn.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(arn.status().message(), HasSubstr("ValidationException"));
}

TEST_F(SageMakerExecutorTest, ClientMapsValidationAndUnknownJobErrors) {
  absl::StatusOr<ProcessingJobDescription> missing = sagemaker_.DescribeProcessingJob("creditbot-absent");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("ValidationException"));
  EXPECT_THAT(missing.status().message(), HasSubstr("creditbot-absent"));

  server_.FailNext(FakeAwsService::kSageMaker, 1, 400, "ValidationException");
  ProcessingJobSpec spec;
  spec.name = "creditbot-valid-name";
  spec.image_uri = "image";
  spec.role_arn = "role";
  spec.instance_type = "ml.t3.medium";
  absl::StatusOr<std::string> created = sagemaker_.CreateProcessingJob(spec);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(created.status().message(), HasSubstr("ValidationException (HTTP 400): injected by the test"));

  server_.FailNext(FakeAwsService::kSageMaker, 1, 400, "ResourceNotFound");
  EXPECT_EQ(sagemaker_.StopProcessingJob("creditbot-valid-name").code(), absl::StatusCode::kNotFound);

  spec.name = "bad_name!";
  EXPECT_EQ(sagemaker_.CreateProcessingJob(spec).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SageMakerExecutorTest, DescribeParsesTheFixtures) {
  absl::StatusOr<ProcessingJobDescription> failed = ParseDescribeProcessingJobResponse(
      FakeAwsServer::Fixture("sagemaker-describeprocessingjob-response-failed.json"));
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_EQ(failed->status, ProcessingJobStatus::kFailed);
  EXPECT_EQ(failed->failure_reason, "AlgorithmError: See job logs for more information");
  absl::StatusOr<ProcessingJobDescription> done = ParseDescribeProcessingJobResponse(
      FakeAwsServer::Fixture("sagemaker-describeprocessingjob-response-completed.json"));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->status, ProcessingJobStatus::kCompleted);
}

TEST_F(SageMakerExecutorTest, ThePipelinesExecutionIdNamesTheJobAndADuplicateNameDrawsAnother) {
  server_.ScriptProcessingJobs({"Failed"}, "AlgorithmError: stop here");
  CalcRequest request = Request();
  request.execution_id = "20250715T120000Z-AB12";
  auto executor = Executor(Options());
  (void)executor->Execute(request);
  const FakeProcessingJob job = OnlyJob();
  EXPECT_EQ(job.name, "creditbot-20250715t120000z-ab12");
  const Json spec = Json::parse(job.create_body);
  EXPECT_EQ(spec["Environment"]["CREDITBOT_EXECUTION_ID"], "20250715T120000Z-AB12");
  EXPECT_EQ(spec["AppSpecification"]["ContainerArguments"][6],
            "s3://creditbot-jobs/outputs/sagemaker/creditbot-20250715t120000z-ab12/result.json");

  // The same id again (a name SageMaker already has): the executor draws its own.
  (void)executor->Execute(request);
  const std::vector<std::string> names = server_.processing_job_names();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_NE(names[1], names[0]);
  EXPECT_THAT(names[1], ::testing::StartsWith("creditbot-2026"));  // drawn from the (fake) clock
}

// The fake's container runner (FakeAwsServer::RunContainersWith), with /bin/sh standing in for the image:
// the entrypoint's first word is replaced by the binary, so {"sh", "-c", SCRIPT, "creditbot"} runs SCRIPT.
class SageMakerContainerRunnerTest : public SageMakerExecutorTest {
 protected:
  SageMakerExecutorOptions ShellOptions(const std::string& script) const {
    SageMakerExecutorOptions options = Options();
    options.entrypoint = {"sh", "-c", script, "creditbot"};
    return options;
  }
  // Before the first poll, wait (really) until the job's container has exited, or stop waiting at once.
  void WaitForTheContainerAtTheFirstPoll() {
    sleeper_.SetHook([this] {
      const std::vector<std::string> names = server_.processing_job_names();
      if (names.size() != 1) return;
      testing::WaitUntil([&] { return server_.ProcessingJob(names[0])->exited; });
    });
  }
};

TEST_F(SageMakerContainerRunnerTest, AFailingContainerFailsTheJobWithItsLastStderrLineCutTo1024) {
  server_.RunContainersWith("/bin/sh");
  WaitForTheContainerAtTheFirstPoll();
  // 1100 x's after "AlgorithmError: " is more than SageMaker's 1024 characters of FailureReason.
  const std::string script = "echo first line >&2; printf 'x%.0s' $(seq 1100) >&2; echo >&2; exit 3";
  absl::StatusOr<CreditReport> report = Executor(ShellOptions(script))->Execute(Request());
  const FakeProcessingJob job = OnlyJob();
  EXPECT_TRUE(job.exited);
  EXPECT_EQ(job.exit_code, 3);
  EXPECT_EQ(job.status, "Failed");
  EXPECT_EQ(job.failure_reason.size(), 1024u);
  EXPECT_EQ(job.failure_reason, "AlgorithmError: " + std::string(1024 - 16, 'x'));
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(report.status().message(), HasSubstr(job.name + " failed: AlgorithmError: xxx"));
  EXPECT_THAT(report.status().message(), Not(HasSubstr("exit message")));
}

TEST_F(SageMakerContainerRunnerTest, TheContainerSeesItsArgumentsEnvironmentAndRole) {
  server_.RunContainersWith("/bin/sh", {{"EXTRA", "from-the-test"}});
  WaitForTheContainerAtTheFirstPoll();
  const std::string script =
      "echo \"$0 $1 $CREDITBOT_CLAIM_DATE $AWS_REGION $AWS_ENDPOINT_URL $EXTRA\"; "
      "echo \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\"; exit 0";
  (void)Executor(ShellOptions(script))->Execute(Request());
  const FakeProcessingJob job = OnlyJob();
  EXPECT_EQ(job.status, "Completed");
  EXPECT_EQ(job.container_stdout, "creditbot calc 2025-07-15 eu-west-1 " + server_.base_url() +
                                      " from-the-test\n" + server_.base_url() + "/v2/credentials/" +
                                      job.name + "\n");
}

TEST_F(SageMakerContainerRunnerTest, CancelStopsTheContainerWithSigterm) {
  server_.RunContainersWith("/bin/sh");
  auto executor = Executor(ShellOptions("exec sleep 600"));
  int polls = 0;
  sleeper_.SetHook([&] {
    if (++polls == 2) executor->Cancel();
  });
  absl::StatusOr<CreditReport> report = executor->Execute(Request());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kAborted);
  const std::string name = OnlyJob().name;
  ASSERT_TRUE(testing::WaitUntil([&] { return server_.ProcessingJob(name)->exited; }));
  EXPECT_EQ(server_.ProcessingJob(name)->exit_code, 128 + SIGTERM);
  absl::StatusOr<ProcessingJobDescription> described = sagemaker_.DescribeProcessingJob(name);
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(described->status, ProcessingJobStatus::kStopped);
}

TEST(SageMakerJobName, IsValidAndUnderTheLimit) {
  EXPECT_EQ(SageMakerExecutor::JobNameFor("20260115T123456Z-3f9c"), "creditbot-20260115t123456z-3f9c");
  const std::string long_name = SageMakerExecutor::JobNameFor(std::string(80, 'a') + "_");
  EXPECT_EQ(long_name.size(), 63u);
  EXPECT_TRUE(IsValidProcessingJobName(long_name));
  EXPECT_TRUE(IsValidProcessingJobName(SageMakerExecutor::JobNameFor("x--y__")));
  EXPECT_FALSE(IsValidProcessingJobName("-starts-with-dash"));
  EXPECT_FALSE(IsValidProcessingJobName(std::string(64, 'a')));
}

TEST(SageMakerFactory, MissingSettingsAreNamed) {
  Config config;
  config.executor.kind = "sagemaker";
  config.executor.sagemaker_role_arn = "role";
  config.executor.sagemaker_instance_type = "ml.t3.medium";
  config.s3_bucket = "bucket";
  FakeClock clock(absl::FromUnixSeconds(1767225600));
  FakeSleeper sleeper(clock);
  class NoWarehouse final : public Warehouse {
   public:
    absl::Status Query(std::string_view, RowSink&) override { return absl::UnimplementedError("none"); }
    std::string_view dialect() const override { return "sqlite"; }
  } warehouse;
  const Environment with_region({{"AWS_REGION", "eu-west-1"}}, clock, sleeper);
  const Environment without_region({}, clock, sleeper);
  absl::StatusOr<std::unique_ptr<Executor>> executor = OpenExecutor(config, warehouse, with_region);
  EXPECT_EQ(executor.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(executor.status().message(), HasSubstr("SAGEMAKER_IMAGE_URI"));

  config.executor.sagemaker_image_uri = "image";
  executor = OpenExecutor(config, warehouse, with_region);
  EXPECT_TRUE(executor.ok()) << executor.status();
  config.executor.kind = "native";
  executor = OpenExecutor(config, warehouse, without_region);
  EXPECT_TRUE(executor.ok()) << executor.status();
}

}  // namespace
}  // namespace creditbot
