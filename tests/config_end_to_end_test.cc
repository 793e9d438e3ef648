// End-to-end tests of the real creditbot binary for the configuration rules of issue 15: no silent stand-ins
// with Slack (point 2), the settings table and its warnings (point 3), locations that are never taken for
// paths (point 4, with the fake S3 on loopback) and a fresh home that just works (point 5).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/fake_aws_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
const std::string kInbox = kSource + "/data/sample/inbox.jsonl";
const std::string kLooks = kSource + "/data/sample/looks";
constexpr char kRequest101Key[] = "C0CREDITREQ:1752588191.000100";

class ConfigEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  // The embedded default on the suite's warehouse, plus the fake AWS's endpoint and credentials.
  std::map<std::string, std::string> BaseEnv() const {
    return {{"CREDITBOT_HOME", home_.File("home")},
            {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
            {"CREDITBOT_INBOX", kInbox},
            {"CREDITBOT_LOOK_CATALOG", kLooks},
            {"SLACK_USER_ID", "U0OWNER01"},
            {"CREDITBOT_LOG_FORMAT", "json"},
            {"AWS_ENDPOINT_URL", aws_.base_url()},
            {"AWS_REGION", FakeAwsServer::kRegion},
            {"AWS_ACCESS_KEY_ID", FakeAwsServer::kAccessKeyId},
            {"AWS_SECRET_ACCESS_KEY", FakeAwsServer::kSecretAccessKey}};
  }
  RunResult Run(const std::vector<std::string>& args, const std::map<std::string, std::string>& extra = {},
                const std::vector<std::string>& unset = {}) const {
    std::map<std::string, std::string> env = BaseEnv();
    for (const auto& [name, value] : extra) env[name] = value;
    for (const std::string& name : unset) env.erase(name);
    return RunCreditbot(args, env, home_.path());
  }
  // The execution id of request 101's credit reply, from the outbox.
  std::string CreditExecutionId(const std::string& outbox) const {
    for (const std::string& line : ReadLines(outbox)) {
      Json payload = Json::parse(line);  // not const: a payload without metadata reads as null
      const Json& event = payload["metadata"]["event_payload"];
      if (event.is_object() && event.value("request_key", "") == kRequest101Key &&
          event.value("kind", "") == "credit")
        return event.value("execution_id", "");
    }
    return "";
  }

  static SuiteWarehouse warehouse_;
  FakeAwsServer aws_;
  TempDir home_;
};

SuiteWarehouse ConfigEndToEnd::warehouse_;

// Point 2: the typo with a Slack token. Before, this posted a credit computed from the synthetic
// warehouse and the sample looks; now the pass refuses to start, before contacting Slack, naming what is
// missing, and the typo itself is warned about with the right name.
TEST_F(ConfigEndToEnd, WithSlackATypoedWarehouseRefusesToStartNamingWhatIsMissing) {
  RunResult run = Run({"run", "--once"},
                      {{"SLACK_BOT_TOKEN", "xoxb-never-used"},
                       {"CREDITBOT_SLACK_CHANNELS", "C0CREDITREQ"},
                       {"CREDITBOT_SLACK_API_URL", "http://127.0.0.1:9/api/"},
                       {"CREDITBOT_WAREHOUS", "trino://creditbot@warehouse.example:443"}},
                      {"CREDITBOT_WAREHOUSE", "CREDITBOT_LOOK_CATALOG"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("CREDITBOT_WAREHOUS (environment) is not a setting; did you mean "
                                 "CREDITBOT_WAREHOUSE?"));
  EXPECT_THAT(run.err,
              HasSubstr("creditbot: configuration: SLACK_BOT_TOKEN is set, so the embedded default's "
                        "synthetic warehouse and sample looks are not used: set the warehouse "
                        "(CREDITBOT_WAREHOUSE or PRESTO_HOST) and the look source (LOOKER_CLIENT_ID "
                        "and LOOKER_CLIENT_SECRET, or CREDITBOT_LOOK_CATALOG)\n"));
  EXPECT_FALSE(std::filesystem::exists(home_.File("home/outbox.jsonl")));
  EXPECT_FALSE(std::filesystem::exists(home_.File("home/warehouse.db")));

  // --strict makes the typo itself the error.
  RunResult strict = Run({"run", "--once", "--strict"}, {{"CREDITBOT_WAREHOUS", "sqlite:/tmp/x.db"}});
  EXPECT_EQ(strict.exit_code, 2) << strict.err;
  EXPECT_THAT(strict.err, HasSubstr("did you mean CREDITBOT_WAREHOUSE? (--strict)"));
}

// Point 3: `config` shows the values in force for derived defaults, never a blank.
TEST_F(ConfigEndToEnd, ConfigShowsTheDerivedValuesInForce) {
  RunResult run = Run({"config"}, {{"S3_BUCKET", "creditbot-prod"}},
                      {"CREDITBOT_WAREHOUSE", "CREDITBOT_INBOX", "CREDITBOT_LOOK_CATALOG"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto line_of = [&run](const std::string& name) {
    std::istringstream lines(run.out);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind(name + " ", 0) == 0) return line;
    return std::string();
  };
  const std::string home = home_.File("home");
  // Derived by hand from CREDITBOT_HOME and the S3 defaults (S3_STATE_KEY, S3_OUTPUT_PREFIX).
  EXPECT_THAT(line_of("CREDITBOT_WAREHOUSE"), HasSubstr("sqlite:" + home + "/warehouse.db"));
  EXPECT_THAT(line_of("CREDITBOT_OUTBOX"), HasSubstr(home + "/outbox.jsonl"));
  EXPECT_THAT(line_of("CREDITBOT_STATE"), HasSubstr("s3://creditbot-prod/state/processed_messages.json"));
  EXPECT_THAT(line_of("CREDITBOT_AUDIT_DIR"), HasSubstr("s3://creditbot-prod/outputs/"));
  EXPECT_THAT(line_of("CREDITBOT_AUDIT_DIR"), HasSubstr("from default (derived)"));
  EXPECT_THAT(line_of("CREDITBOT_LOOKER_API_URL"), HasSubstr("https://looker.example.com"));
}

// Point 3: the README's settings table is the one the binary generates from its table.
TEST_F(ConfigEndToEnd, ReadmeSettingsTableIsTheGeneratedOne) {
  RunResult run = Run({"config", "--markdown"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("| `CREDITBOT_WAREHOUSE` | location | "));
  std::ifstream readme_file(kSource + "/README.md");
  std::stringstream readme;
  readme << readme_file.rdbuf();
  const std::string text = readme.str();
  const std::string marker = "| setting | type | default | meaning |\n";
  const std::size_t start = text.find(marker);
  ASSERT_NE(start, std::string::npos)
      << "README.md has no generated settings table (creditbot config --markdown)";
  std::size_t end = text.find("\n\n", start);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(text.substr(start, end + 1 - start), run.out)
      << "README.md's settings table differs from `creditbot config --markdown`: paste its output";
}

// Point 4: CREDITBOT_AUDIT_DIR=s3://… writes to S3 (before: a local folder named "s3:"), with the state kept
// local and no S3_BUCKET at all.
TEST_F(ConfigEndToEnd, AnS3AuditDirWritesToS3AndNeverToAFolderNamedS3) {
  aws_.CreateBucket("audit-bucket");
  RunResult run = Run({"run", "--once"}, {{"CREDITBOT_AUDIT_DIR", "s3://audit-bucket/credit/records/"}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("audit s3://audit-bucket/credit/records/"));
  EXPECT_FALSE(std::filesystem::exists(home_.File("s3:")));
  EXPECT_FALSE(std::filesystem::exists(home_.File("home/s3:")));
  const std::string execution_id = CreditExecutionId(home_.File("home/outbox.jsonl"));
  ASSERT_FALSE(execution_id.empty());
  std::optional<FakeS3Object> audit =
      aws_.Object("audit-bucket", "credit/records/" + execution_id + "/result.json");
  ASSERT_TRUE(audit.has_value());
  // The sample's request 101 is the README's hand-checked $255.00 credit.
  EXPECT_EQ(Json::parse(audit->body)["credit_amount"], "255.00");
  EXPECT_EQ(audit->server_side_encryption, "AES256");
  // The state stayed local (CREDITBOT_STATE's default, no S3_BUCKET).
  EXPECT_TRUE(std::filesystem::exists(home_.File("home/state.db")));
}

// Point 4: a location in a form its setting does not take stops the command at start, naming the forms.
TEST_F(ConfigEndToEnd, LocationsInTheWrongFormAreRefusedNamingTheAcceptedOnes) {
  RunResult state = Run({"run", "--once"}, {{"CREDITBOT_STATE", "/tmp/s.db"}});
  EXPECT_EQ(state.exit_code, 2);
  EXPECT_THAT(state.err, HasSubstr("CREDITBOT_STATE='/tmp/s.db' (from environment): expected sqlite:PATH or "
                                   "s3://BUCKET/KEY"));
  RunResult warehouse = Run({"run", "--once"}, {{"CREDITBOT_WAREHOUSE", "postgres://x"}});
  EXPECT_EQ(warehouse.exit_code, 2);
  EXPECT_THAT(warehouse.err, HasSubstr("CREDITBOT_WAREHOUSE='postgres://x' (from environment): expected "
                                       "sqlite:PATH, trino://"));
  EXPECT_THAT(warehouse.err, HasSubstr("presto://"));
  RunResult calc = Run({"calc", "--sql-file", kLooks + "/101.sql", "--warehouse", "postgres://x"});
  EXPECT_NE(calc.exit_code, 0);
  EXPECT_THAT(calc.err, HasSubstr("--warehouse='postgres://x': expected sqlite:PATH, trino://"));
  EXPECT_FALSE(std::filesystem::exists(home_.File("home/state.db")));
}

// Point 5: state in S3 and the embedded warehouse in a home that does not exist yet. Before, the first pass
// failed with "cannot open SQLite database …/warehouse.db.partial-NNNN" (only the SQLite state store
// created the folder).
TEST_F(ConfigEndToEnd, AFreshHomeWithStateInS3JustWorks) {
  aws_.CreateBucket("creditbot-prod");
  const std::string fresh = home_.File("fresh/nested/home");
  RunResult run = Run({"run", "--once"}, {{"CREDITBOT_HOME", fresh}, {"S3_BUCKET", "creditbot-prod"}},
                      {"CREDITBOT_WAREHOUSE"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(std::filesystem::exists(fresh + "/warehouse.db"));
  EXPECT_FALSE(std::filesystem::exists(fresh + "/state.db"));
  EXPECT_TRUE(aws_.Object("creditbot-prod", "state/processed_messages.json").has_value());
  EXPECT_THAT(run.out, HasSubstr("[dry run] would post to thread C0CREDITREQ 1752588191.000100"));
}

}  // namespace
}  // namespace creditbot::testing
