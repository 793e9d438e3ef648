// End-to-end tests of `creditbot replay` on S3 audit records (issue 19: "works on the embedded default and on
// S3 audit records"): the real binary answers the sample inbox with its state and its audit records in the
// fake S3 on loopback (tests/fake_aws_server.h, which verifies every SigV4 signature), as
// tests/s3_end_to_end_test.cc sets it up; then `creditbot replay` reads those records back through S3 (the
// executions named by the ledger in the S3 state, each record's result.json and evidence.json.gz from
// s3://BUCKET/outputs/<execution id>/). Expected values are worked out by hand from docs/CREDIT_POLICY.md's
// worked example (test case 1, the sample's request for look 101: credit 255.00, above the 250.00 approval
// threshold); the k.standard = 0.5 figures are worked out in tests/replay_worked_example.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/fake_aws_server.h"
#include "tests/replay_worked_example.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
constexpr char kBucket[] = "creditbot-replay";
constexpr const char* kRequest101 = kWorkedExampleRequest;

class ReplayS3EndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }
  ReplayS3EndToEnd() { server_.CreateBucket(kBucket); }

  RunResult Run(const std::vector<std::string>& args) const {
    return RunCreditbot(args,
                        {{"CREDITBOT_HOME", home_.path()},
                         {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
                         {"CREDITBOT_INBOX", kSource + "/data/sample/inbox.jsonl"},
                         {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
                         {"SLACK_USER_ID", "U0OWNER01"},
                         {"CREDITBOT_LOG_FORMAT", "json"},
                         {"S3_BUCKET", kBucket},
                         {"AWS_ENDPOINT_URL", server_.base_url()},
                         {"AWS_REGION", FakeAwsServer::kRegion},
                         {"AWS_ACCESS_KEY_ID", FakeAwsServer::kAccessKeyId},
                         {"AWS_SECRET_ACCESS_KEY", FakeAwsServer::kSecretAccessKey}},
                        home_.path());
  }
  // run --once on the sample inbox: 4 requests answered, state and audit in S3 only.
  void AnswerTheSampleInboxIntoS3() {
    RunResult pass = Run({"run", "--once"});
    ASSERT_EQ(pass.exit_code, 0) << pass.out << pass.err;
    ASSERT_THAT(pass.out, HasSubstr("replied=4")) << pass.out;
    ASSERT_FALSE(std::filesystem::exists(home_.File("audit")));
    ASSERT_FALSE(std::filesystem::exists(home_.File("state.db")));
  }
  static Json RowOf(const Json& report, const std::string& request_key) {
    for (const Json& row : report["requests"]) {
      if (row["request_key"] == request_key) return row;
    }
    ADD_FAILURE() << "no row for " << request_key << " in " << report.dump(2);
    return Json();
  }
  // The S3 object `outputs/<execution id>/<name>`'s body ("" when absent, with a failure).
  std::string AuditObject(const std::string& execution_id, const std::string& name) const {
    std::optional<FakeS3Object> object = server_.Object(kBucket, "outputs/" + execution_id + "/" + name);
    EXPECT_TRUE(object.has_value()) << execution_id << "/" << name;
    return object ? object->body : "";
  }
  // Requests that would change the bucket (anything but GET and HEAD), and those whose signature failed.
  int Writes() const {
    int writes = 0;
    for (const FakeAwsRequest& request : server_.requests())
      writes += request.method == "GET" || request.method == "HEAD" ? 0 : 1;
    return writes;
  }
  int SignatureErrors() const {
    int errors = 0;
    for (const FakeAwsRequest& request : server_.requests())
      errors += request.signature_error.empty() ? 0 : 1;
    return errors;
  }
  int ReadsOf(const std::string& name) const {
    int reads = 0;
    for (const FakeAwsRequest& request : server_.requests()) {
      reads += request.method == "GET" && request.target.find("/outputs/") != std::string::npos &&
                       request.target.find("/" + name) != std::string::npos
                   ? 1
                   : 0;
    }
    return reads;
  }

  static SuiteWarehouse warehouse_;
  FakeAwsServer server_;
  TempDir home_;
};

SuiteWarehouse ReplayS3EndToEnd::warehouse_;

TEST_F(ReplayS3EndToEnd, ItsOwnPolicyReplaysEveryS3RecordByteIdenticalFromFrozenInputs) {
  AnswerTheSampleInboxIntoS3();
  const int writes_before = Writes();
  RunResult replay = Run({"replay", "--out", home_.File("out")});
  ASSERT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  EXPECT_THAT(replay.out,
              HasSubstr("replayed 4 requests (4 frozen, 0 queried again, 0 without frozen evidence): 0 "
                        "changed, 0 by more than 1%, 0 approvals changed, 4 byte-identical, 0 failed"));
  const Json report = Json::parse(ReadFile(home_.File("out/replay.json")));
  EXPECT_EQ(report["replay"]["audit"], std::string("s3://") + kBucket + "/outputs/");
  EXPECT_EQ(report["summary"]["total_delta"], "0.00");
  EXPECT_EQ(report["summary"]["old_total"], report["summary"]["new_total"]);
  ASSERT_EQ(report["requests"].size(), 4u);
  for (const Json& row : report["requests"]) {
    const std::string id = row["execution_id"];
    EXPECT_EQ(row["inputs"], "frozen") << id;
    EXPECT_EQ(row["delta"], "0.00") << id;
    EXPECT_EQ(row["identical"], true) << id;
    // Byte-identical to the record in the bucket, and its evidence was kept there too.
    EXPECT_EQ(ReadFile(home_.File("out/results/" + id + ".json")), AuditObject(id, "result.json")) << id;
    EXPECT_FALSE(AuditObject(id, "evidence.json.gz").empty()) << id;
  }
  EXPECT_EQ(RowOf(report, kRequest101)["old_credit"], "255.00");
  // Every record and its evidence were read through S3; nothing was written there; every call was signed.
  EXPECT_EQ(ReadsOf("result.json"), 4);
  EXPECT_EQ(ReadsOf("evidence.json.gz"), 4);
  EXPECT_EQ(Writes(), writes_before);
  EXPECT_EQ(SignatureErrors(), 0);
  EXPECT_FALSE(std::filesystem::exists(home_.File("audit")));
}

TEST_F(ReplayS3EndToEnd, HalfTheStandardShareGivesTheHandCheckedDeltaOnS3Records) {
  AnswerTheSampleInboxIntoS3();
  WriteFile(home_.File("k-standard-half.toml"), HalfStandardPolicy());
  RunResult replay = Run({"replay", "--policy", home_.File("k-standard-half.toml"), "--request", kRequest101,
                          "--out", home_.File("out")});
  ASSERT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  const Json report = Json::parse(ReadFile(home_.File("out/replay.json")));
  ASSERT_EQ(report["requests"].size(), 1u);
  ExpectHalfStandardWorkedExample(RowOf(report, kRequest101));
  EXPECT_EQ(report["summary"]["total_delta"], "-112.50");
  EXPECT_THAT(ReadFile(home_.File("out/replay.csv")),
              HasSubstr(",255.00,142.50,-112.50,-44.12%,true,false,false,"));
  EXPECT_EQ(SignatureErrors(), 0);
}

TEST_F(ReplayS3EndToEnd, RequeryRunsTheRecordsSqlOnTodaysWarehouse) {
  AnswerTheSampleInboxIntoS3();
  // The warehouse is unchanged since the run, so today's answer is the recorded one: 255.00, byte-identical,
  // now from the warehouse (the SQL kept in the S3 evidence) instead of the frozen rows.
  RunResult replay = Run({"replay", "--requery", "--request", kRequest101, "--out", home_.File("out")});
  ASSERT_EQ(replay.exit_code, 0) << replay.out << replay.err;
  const Json row = RowOf(Json::parse(ReadFile(home_.File("out/replay.json"))), kRequest101);
  EXPECT_EQ(row["inputs"], "requery");
  EXPECT_EQ(row["new_credit"], "255.00");
  EXPECT_EQ(row["delta"], "0.00");
  EXPECT_EQ(row["identical"], true);
  EXPECT_EQ(SignatureErrors(), 0);
}

}  // namespace
}  // namespace creditbot::testing
