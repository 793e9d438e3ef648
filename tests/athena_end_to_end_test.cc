// Issue 22, Athena ("Path B"): with CREDITBOT_WAREHOUSE=athena://… the real binary reaches a fake Athena
// (tests/fake_athena_server.h: the documented JSON 1.1 shapes, SigV4 verified, results paged 3 rows at a
// time, answered from the sample SQLite warehouse) and computes exactly what it computes on the embedded
// default, for every sample look; a failing query and a query that never finishes end the calculation with
// Athena's reason and a StopQueryExecution; malformed athena:// URLs are refused at start; doctor checks
// the workgroup and the output location.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "synth/synthetic_warehouse.h"
#include "tests/fake_athena_server.h"
#include "tests/fake_aws_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using Json = nlohmann::json;

const std::string kLooks = std::string(CREDITBOT_SOURCE_DIR) + "/data/sample/looks";
constexpr char kAthenaUrl[] = "athena://primary/AwsDataCatalog/sample?output=s3://creditbot-athena/results/";

// The sample warehouse, generated once for the suite (as `creditbot synth` writes it: seed 42, scale 1).
const TempDir& SampleDir() {
  static const TempDir dir;
  static const bool generated = [] {
    const absl::Status status = GenerateSyntheticWarehouse(dir.File("warehouse.db"), SynthOptions{});
    EXPECT_TRUE(status.ok()) << status;
    return status.ok();
  }();
  (void)generated;
  return dir;
}

// `calc`'s result with the two members every execution has of its own (execution_id, timestamp) left out,
// so two calculations of the same request compare equal; null when the output is not JSON.
Json Comparable(const RunResult& calc) {
  Json result = Json::parse(calc.out, nullptr, /*allow_exceptions=*/false);
  for (const char* own : {"execution_id", "timestamp"}) {
    if (result.is_object()) result.erase(own);
  }
  return result;
}

class AthenaEndToEnd : public ::testing::Test {
 protected:
  const TempDir& dir_ = SampleDir();
  std::string Home() const { return dir_.File("home"); }
  std::map<std::string, std::string> AwsEnv(const FakeAthenaServer& athena) const {
    return {{"CREDITBOT_HOME", Home()},
            {"AWS_REGION", FakeAwsServer::kRegion},
            {"AWS_ACCESS_KEY_ID", FakeAwsServer::kAccessKeyId},
            {"AWS_SECRET_ACCESS_KEY", FakeAwsServer::kSecretAccessKey},
            {"AWS_ENDPOINT_URL_ATHENA", athena.base_url()}};
  }
  // `creditbot calc` of `sql_file` on `warehouse` (env: CREDITBOT_HOME alone when empty).
  RunResult RunCalc(const std::string& warehouse, const std::string& sql_file, const std::string& claim_date,
                    std::map<std::string, std::string> env = {}) const {
    if (env.empty()) env = {{"CREDITBOT_HOME", Home()}};
    return RunCreditbot(
        {"calc", "--warehouse", warehouse, "--sql-file", sql_file, "--claim-date", claim_date}, env,
        dir_.path());
  }
  std::string Embedded() const { return "sqlite:" + dir_.File("warehouse.db"); }
};

TEST_F(AthenaEndToEnd, EverySampleLookGivesTheSameResultThroughAthena) {
  FakeAthenaServer athena(dir_.File("warehouse.db"), /*page_rows=*/3);
  for (const auto& [look, claim_date] :
       std::vector<std::pair<std::string, std::string>>{{"101", "2025-07-15"},
                                                        {"102", "2025-09-20"},
                                                        {"103", "2025-08-12"},
                                                        {"query-Xq4Lm2Vt8RzK0pNa7bWc3d", "2025-10-03"}}) {
    const std::string sql_file = kLooks + "/" + look + ".sql";
    RunResult embedded = RunCalc(Embedded(), sql_file, claim_date);
    RunResult athena_run = RunCalc(kAthenaUrl, sql_file, claim_date, AwsEnv(athena));
    ASSERT_EQ(embedded.exit_code, 0) << look << ": " << embedded.err;
    ASSERT_EQ(athena_run.exit_code, 0) << look << ": " << athena_run.err;
    ASSERT_TRUE(Comparable(embedded).is_object()) << look;
    EXPECT_EQ(Comparable(athena_run), Comparable(embedded)) << look;
    if (look == "101") {
      // Test case 1's hand-checked credit (README, docs/CREDIT_POLICY.md), with its breakdown by mode.
      EXPECT_EQ(Comparable(athena_run)["credit_amount"], "255.00");
    }
  }

  // Four calculations of a fraud report and the follow-up questions each: every query started, polled
  // through QUEUED and RUNNING to SUCCEEDED, and read in pages of 3 rows (more pages than queries).
  const int started = athena.Count("StartQueryExecution");
  EXPECT_GE(started, 4 * 9);
  EXPECT_GE(athena.Count("GetQueryExecution"), 3 * started);
  EXPECT_GT(athena.Count("GetQueryResults"), started);
  EXPECT_EQ(athena.Count("StopQueryExecution"), 0);
  EXPECT_THAT(athena.refused(), IsEmpty());
  const Json first = Json::parse(athena.start_bodies().front());
  EXPECT_EQ(first["WorkGroup"], "primary");
  EXPECT_EQ(first["QueryExecutionContext"], Json({{"Catalog", "AwsDataCatalog"}, {"Database", "sample"}}));
  EXPECT_EQ(first["ResultConfiguration"], Json({{"OutputLocation", "s3://creditbot-athena/results/"}}));
  EXPECT_THAT(first["ClientRequestToken"].get<std::string>(), SizeIs(32));
  EXPECT_NE(first["ClientRequestToken"], Json::parse(athena.start_bodies().back())["ClientRequestToken"]);
}

TEST_F(AthenaEndToEnd, AFailedQueryEndsTheCalculationWithAthenasReason) {
  FakeAthenaServer athena(dir_.File("warehouse.db"));
  WriteFile(dir_.File("missing_table.sql"), "SELECT day, account_sid FROM authy_attempts_missing");
  RunResult calc = RunCalc(kAthenaUrl, dir_.File("missing_table.sql"), "2025-07-15", AwsEnv(athena));
  EXPECT_NE(calc.exit_code, 0);
  EXPECT_THAT(calc.err, HasSubstr("FAILED: SYNTAX_ERROR"));
  EXPECT_THAT(calc.err, HasSubstr("no such table: authy_attempts_missing"));
  EXPECT_EQ(athena.Count("StartQueryExecution"), 1);
  EXPECT_EQ(athena.Count("GetQueryResults"), 0);
  EXPECT_THAT(athena.stopped(), IsEmpty());
}

TEST_F(AthenaEndToEnd, AQueryThatNeverFinishesIsStoppedAtTheTimeout) {
  FakeAthenaServer athena(dir_.File("warehouse.db"));
  athena.HangQueriesContaining("fraud_guard_settings_history");
  std::map<std::string, std::string> env = AwsEnv(athena);
  env["CREDITBOT_TRINO_QUERY_TIMEOUT_SECONDS"] = "1";
  RunResult calc = RunCalc(kAthenaUrl, kLooks + "/101.sql", "2025-07-15", env);
  EXPECT_NE(calc.exit_code, 0);
  EXPECT_THAT(calc.err, HasSubstr("ran longer than 1s"));
  ASSERT_THAT(athena.stopped(), SizeIs(1));
  EXPECT_THAT(athena.stopped().front(), HasSubstr("c0ffee00-"));
}

TEST_F(AthenaEndToEnd, WriteSqlIsRefusedBeforeAnythingIsSent) {
  FakeAthenaServer athena(dir_.File("warehouse.db"));
  WriteFile(dir_.File("drop.sql"), "DROP TABLE fraud_guard_settings_history");
  RunResult calc = RunCalc(kAthenaUrl, dir_.File("drop.sql"), "2025-07-15", AwsEnv(athena));
  EXPECT_NE(calc.exit_code, 0);
  EXPECT_THAT(calc.err, HasSubstr("not a single read-only SELECT statement"));
  EXPECT_EQ(athena.Count("StartQueryExecution"), 0);
}

TEST_F(AthenaEndToEnd, MalformedAthenaUrlsAreRefusedAtStart) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"athena://primary/AwsDataCatalog/sample", "no output location"},
      {"athena://primary/AwsDataCatalog?output=s3://creditbot-athena/results/",
       "the catalog or the database is missing"},
      {"athena://primary/AwsDataCatalog/sample/extra?output=s3://creditbot-athena/results/",
       "too many path segments"},
      {"athena://primary/AwsDataCatalog/sample?output=https://example.com/results/", "not an s3:// URL"},
      {"athena://primary/AwsDataCatalog/sample?output=s3://Bad_Bucket/results/",
       "'Bad_Bucket' is not an S3 bucket name"},
      {"athena://primary/AwsDataCatalog/sample?output=s3://creditbot-athena/results", "must end with '/'"},
      {"athena://primary/AwsDataCatalog/sample?output=s3://creditbot-athena/r/&region=x",
       "unknown parameter 'region'"},
      {"athena://primary:443/AwsDataCatalog/sample?output=s3://creditbot-athena/r/",
       "a port has no meaning here"},
      {"athena://user@primary/AwsDataCatalog/sample?output=s3://creditbot-athena/r/", "user info"},
      {"athena://prim%20ary/AwsDataCatalog/sample?output=s3://creditbot-athena/r/", "URL"},
  };
  for (const auto& [url, reason] : cases) {
    RunResult calc = RunCreditbot({"calc", "--sql-file", kLooks + "/101.sql"},
                                  {{"CREDITBOT_HOME", Home()}, {"CREDITBOT_WAREHOUSE", url}}, dir_.path());
    EXPECT_EQ(calc.exit_code, 2) << url;
    EXPECT_THAT(calc.err, HasSubstr("CREDITBOT_WAREHOUSE")) << url;
    EXPECT_THAT(calc.err, HasSubstr(reason)) << url << ": " << calc.err;
    EXPECT_THAT(calc.err,
                HasSubstr("expected athena://WORKGROUP/CATALOG/DATABASE?output=s3://BUCKET/PREFIX/"))
        << url;
  }
  // Without a region the Athena warehouse cannot be opened: said at once, naming AWS_REGION.
  RunResult no_region = RunCreditbot({"calc", "--sql-file", kLooks + "/101.sql", "--warehouse", kAthenaUrl},
                                     {{"CREDITBOT_HOME", Home()}}, dir_.path());
  EXPECT_NE(no_region.exit_code, 0);
  EXPECT_THAT(no_region.err, HasSubstr("AWS_REGION"));
}

TEST_F(AthenaEndToEnd, DoctorChecksTheWorkgroupAndTheOutputLocation) {
  FakeAthenaServer athena(dir_.File("warehouse.db"));
  FakeAwsServer aws;
  aws.CreateBucket("creditbot-athena");
  std::map<std::string, std::string> env = AwsEnv(athena);
  env["AWS_ENDPOINT_URL_S3"] = aws.base_url();
  env["CREDITBOT_WAREHOUSE"] = kAthenaUrl;
  RunResult doctor = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_THAT(doctor.out, HasSubstr("'primary' is ENABLED (Athena engine version 3)"));
  EXPECT_THAT(doctor.out, HasSubstr("s3://creditbot-athena/results/ is reachable"));
  EXPECT_THAT(doctor.out, Not(HasSubstr("FAIL athena")));
  EXPECT_EQ(athena.Count("GetWorkGroup"), 1);

  // A workgroup that enforces its own output location: ours is ignored, and doctor says where results go.
  athena.SetWorkGroup("primary", "ENABLED", /*enforce=*/true, "s3://creditbot-athena/enforced/");
  doctor = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_THAT(doctor.out, HasSubstr("enforces its own output location s3://creditbot-athena/enforced/"));
  EXPECT_THAT(doctor.out, Not(HasSubstr("FAIL athena")));

  // A disabled workgroup, and an output bucket that does not exist.
  athena.SetWorkGroup("primary", "DISABLED", false, "");
  env["CREDITBOT_WAREHOUSE"] = "athena://primary/AwsDataCatalog/sample?output=s3://no-such-bucket/results/";
  doctor = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_EQ(doctor.exit_code, 1);
  EXPECT_THAT(doctor.out, HasSubstr("'primary' is DISABLED"));
  EXPECT_THAT(doctor.out, HasSubstr("NoSuchBucket"));

  // A workgroup that does not exist.
  env["CREDITBOT_WAREHOUSE"] =
      "athena://analytics/AwsDataCatalog/sample?output=s3://creditbot-athena/results/";
  doctor = RunCreditbot({"doctor"}, env, dir_.path());
  EXPECT_EQ(doctor.exit_code, 1);
  EXPECT_THAT(doctor.out, HasSubstr("WorkGroup analytics is not found"));
  EXPECT_THAT(doctor.out, HasSubstr("athena:GetWorkGroup"));
}

}  // namespace
}  // namespace creditbot::testing
