// End-to-end tests of the real creditbot binary with its state and audit records in S3: the embedded
// default (sample inbox, look catalog, synthetic warehouse) with S3_BUCKET and AWS_ENDPOINT_URL pointing at
// the fake S3 on loopback (which verifies every SigV4 signature), plus `state export|import|forget`
// between the S3 object and a SQLite file, and the import of the prototype's processed_messages.json.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/fake_aws_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
const std::string kInbox = kSource + "/data/sample/inbox.jsonl";
constexpr char kBucket[] = "creditbot-prod";
constexpr char kStateKey[] = "state/processed_messages.json";
constexpr char kRequest101Key[] = "C0CREDITREQ:1752588191.000100";

class S3EndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }
  S3EndToEnd() { server_.CreateBucket(kBucket); }

  RunResult Run(const std::vector<std::string>& args, std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> env = {{"CREDITBOT_HOME", home_.path()},
                                              {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
                                              {"CREDITBOT_INBOX", kInbox},
                                              {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
                                              {"SLACK_USER_ID", "U0OWNER01"},
                                              {"CREDITBOT_LOG_FORMAT", "json"},
                                              {"S3_BUCKET", kBucket},
                                              {"AWS_ENDPOINT_URL", server_.base_url()},
                                              {"AWS_REGION", FakeAwsServer::kRegion},
                                              {"AWS_ACCESS_KEY_ID", FakeAwsServer::kAccessKeyId},
                                              {"AWS_SECRET_ACCESS_KEY", FakeAwsServer::kSecretAccessKey}};
    for (auto& [name, value] : extra) env[name] = value;
    return RunCreditbot(args, env, home_.path());
  }
  Json StateObject(const std::string& key = kStateKey) const {
    std::optional<FakeS3Object> object = server_.Object(kBucket, key);
    EXPECT_TRUE(object.has_value()) << key;
    return object ? Json::parse(object->body) : Json();
  }
  // The outbox's chat.postMessage payloads (its reaction lines, which carry "method", left out).
  std::vector<Json> Outbox() const {
    std::vector<Json> payloads;
    for (const std::string& line : ReadLines(home_.File("outbox.jsonl"))) {
      Json payload = Json::parse(line);
      if (!payload.contains("method")) payloads.push_back(std::move(payload));
    }
    return payloads;
  }
  int SignatureErrors() const {
    int errors = 0;
    for (const FakeAwsRequest& request : server_.requests())
      errors += request.signature_error.empty() ? 0 : 1;
    return errors;
  }

  static SuiteWarehouse warehouse_;
  FakeAwsServer server_;
  TempDir home_;
};

SuiteWarehouse S3EndToEnd::warehouse_;

TEST_F(S3EndToEnd, StateAndAuditLandInS3AndASecondRunAnswersNothingTwice) {
  RunResult first = Run({"run", "--once"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("[dry run] would post to thread C0CREDITREQ 1752588191.000100"));
  EXPECT_FALSE(std::filesystem::exists(home_.File("state.db")));
  EXPECT_FALSE(std::filesystem::exists(home_.File("audit")));

  Json state = StateObject();
  EXPECT_EQ(state["format"], "creditbot-state");
  ASSERT_EQ(state["records"].size(), 10u);
  EXPECT_EQ(state["records"][kRequest101Key]["status"], "replied");
  EXPECT_EQ(server_.Object(kBucket, kStateKey)->server_side_encryption, "AES256");

  // The audit record of the reply's execution is in S3, encrypted, with the hand-checked credit.
  std::string execution_id;
  for (const Json& payload : Outbox()) {
    const Json& event = payload["metadata"]["event_payload"];
    if (event["request_key"] == kRequest101Key && event["kind"] == "credit")
      execution_id = event["execution_id"];
  }
  ASSERT_FALSE(execution_id.empty());
  EXPECT_EQ(state["records"][kRequest101Key]["execution_id"], execution_id);
  std::optional<FakeS3Object> audit = server_.Object(kBucket, "outputs/" + execution_id + "/result.json");
  ASSERT_TRUE(audit.has_value());
  EXPECT_EQ(Json::parse(audit->body)["credit_amount"], "255.00");
  EXPECT_EQ(audit->server_side_encryption, "AES256");
  EXPECT_EQ(audit->content_type, "application/json");

  RunResult stats = Run({"state", "stats", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  Json counts = Json::parse(stats.out);
  EXPECT_EQ(counts["total"], 10);
  EXPECT_EQ(counts["by_status"]["replied"], 4);

  const std::size_t outbox_lines = Outbox().size();
  RunResult second = Run({"run", "--once"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, Not(HasSubstr("would post")));
  EXPECT_EQ(Outbox().size(), outbox_lines);
  EXPECT_EQ(SignatureErrors(), 0);
}

TEST_F(S3EndToEnd, ExportAndImportMoveStateBetweenS3AndSqliteWithoutOverwriting) {
  ASSERT_EQ(Run({"run", "--once"}).exit_code, 0);
  const std::string exported = home_.File("exported.json");
  RunResult out = Run({"state", "export", "--output", exported});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_THAT(out.out, HasSubstr("exported 10 records"));
  Json file = Json::parse(ReadFile(exported));
  EXPECT_EQ(file["records"].size(), 10u);

  const std::map<std::string, std::string> sqlite = {{"CREDITBOT_STATE", "sqlite:" + home_.File("local.db")}};
  RunResult in = Run({"state", "import", exported}, sqlite);
  ASSERT_EQ(in.exit_code, 0) << in.err;
  EXPECT_THAT(in.out, HasSubstr("imported 10 records"));
  EXPECT_THAT(in.out, HasSubstr("0 already present, 0 unreadable"));
  RunResult again = Run({"state", "import", exported}, sqlite);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("imported 0 records"));
  EXPECT_THAT(again.out, HasSubstr("10 already present"));
  RunResult listed = Run({"state", "list", "--json", "--status", "replied"}, sqlite);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr(kRequest101Key));

  // And back into a new S3 object: a run on it answers nothing again.
  const std::string local_export = home_.File("local.json");
  ASSERT_EQ(Run({"state", "export", "--output", local_export}, sqlite).exit_code, 0);
  const std::map<std::string, std::string> other_key = {{"S3_STATE_KEY", "state/creditbot.json"}};
  RunResult to_s3 = Run({"state", "import", local_export}, other_key);
  ASSERT_EQ(to_s3.exit_code, 0) << to_s3.err;
  EXPECT_THAT(to_s3.out, HasSubstr("imported 10 records into s3://creditbot-prod/state/creditbot.json"));
  const std::size_t outbox_lines = Outbox().size();
  RunResult run = Run({"run", "--once"}, other_key);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Outbox().size(), outbox_lines);
}

TEST_F(S3EndToEnd, PrototypeImportMarksItsMessagesAnsweredSoTheyAreNeverAnsweredAgain) {
  const std::string prototype = home_.File("processed_messages.json");
  WriteFile(prototype, "[\"C0CREDITREQ:1752588191.000100\", \"1754302869.000500\", 42]");
  RunResult imported =
      Run({"state", "import", prototype, "--format", "prototype", "--channel", "C0CREDITREQ"});
  EXPECT_EQ(imported.exit_code, 1);  // one entry could not be read: reported, the rest imported
  EXPECT_THAT(imported.out, HasSubstr("imported 2 records"));
  EXPECT_THAT(imported.out, HasSubstr("1 unreadable"));
  EXPECT_THAT(imported.err, HasSubstr("entry 2"));
  Json state = StateObject();
  EXPECT_EQ(state["records"][kRequest101Key]["status"], "replied");
  EXPECT_EQ(state["records"][kRequest101Key]["outcome"], "imported");
  EXPECT_EQ(state["records"][kRequest101Key]["dry_run"], false);

  RunResult run = Run({"run", "--once"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, Not(HasSubstr("would post to thread C0CREDITREQ 1752588191.000100")));
  for (const Json& payload : Outbox()) {
    EXPECT_NE(payload["metadata"]["event_payload"]["request_key"], kRequest101Key);
    EXPECT_NE(payload["metadata"]["event_payload"]["request_key"], "C0CREDITREQ:1754302869.000500");
  }
  EXPECT_EQ(StateObject()["records"][kRequest101Key]["outcome"], "imported");

  // A creditbot import of the prototype file says which format it needs.
  RunResult wrong = Run({"state", "import", prototype});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("--format prototype"));
}

TEST_F(S3EndToEnd, ForgetRemovesOneRecordFromTheObject) {
  ASSERT_EQ(Run({"run", "--once"}).exit_code, 0);
  RunResult forget = Run({"state", "forget", kRequest101Key});
  ASSERT_EQ(forget.exit_code, 0) << forget.err;
  Json state = StateObject();
  EXPECT_FALSE(state["records"].contains(kRequest101Key));
  EXPECT_EQ(state["records"].size(), 9u);
  RunResult missing = Run({"state", "forget", kRequest101Key});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr(kRequest101Key));
}

TEST_F(S3EndToEnd, AnUnreadableStateObjectStopsTheRunAndIsNeverReplaced) {
  server_.PutObjectDirect(kBucket, kStateKey, "{\"C0CREDITREQ:1752588191.000100\": true}");
  RunResult run = Run({"run", "--once"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("s3://creditbot-prod/state/processed_messages.json"));
  EXPECT_EQ(server_.Object(kBucket, kStateKey)->body, "{\"C0CREDITREQ:1752588191.000100\": true}");
  EXPECT_FALSE(std::filesystem::exists(home_.File("outbox.jsonl")));
}

}  // namespace
}  // namespace creditbot::testing
