// Tests of configuration layering and validation.
#include "app/config.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace creditbot {
namespace {

TEST(Config, LaterSourcesWinAndDryRunDefaultsToTrue) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("creditbot.toml"), "CREDITBOT_MAX_ATTEMPTS = 3\nSLACK_USER_ID = \"U0FILE\"\n");
  testing::WriteFile(dir.File(".env"),
                     "SLACK_USER_ID=U0DOTENV\nCREDITBOT_HOME=/tmp/from-env-file\nUNRELATED=1\n");
  const char* environ[] = {"CREDITBOT_HOME=/tmp/from-environment", "HOME=/root", nullptr};
  ConfigInputs inputs;
  inputs.config_file = dir.File("creditbot.toml");
  inputs.env_file = dir.File(".env");
  inputs.environ = environ;
  inputs.overrides = {"CREDITBOT_RETRY_BACKOFF_SECONDS=60"};
  absl::StatusOr<RawSettings> raw = LoadRawSettings(inputs);
  ASSERT_TRUE(raw.ok()) << raw.status();
  absl::StatusOr<Config> config = BuildConfig(*raw);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->dry_run);
  EXPECT_EQ(config->max_attempts, 3);
  EXPECT_EQ(config->slack_user_id, "U0DOTENV");
  EXPECT_EQ(config->work_dir, "/tmp/from-environment");
  EXPECT_EQ(config->state_url, "sqlite:/tmp/from-environment/state.db");
  EXPECT_EQ(config->retry_backoff, absl::Seconds(60));
  EXPECT_EQ(raw->values.at("SLACK_USER_ID").source, dir.File(".env"));
}

TEST(Config, AnInvalidValueFailsNamingTheSettingAndItsSource) {
  const char* environ[] = {"DRY_RUN=maybe", nullptr};
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.environ = environ;
  absl::StatusOr<Config> config = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(std::string(config.status().message()),
            "DRY_RUN='maybe' (from environment): expected true or false");
}

TEST(Config, UnknownNamesInTheConfigFileAreRefused) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.toml"), "DRYRUN = false\n");
  ConfigInputs inputs;
  inputs.config_file = dir.File("c.toml");
  inputs.env_file.clear();
  absl::StatusOr<RawSettings> raw = LoadRawSettings(inputs);
  ASSERT_FALSE(raw.ok());
  EXPECT_NE(std::string(raw.status().message()).find("unknown setting 'DRYRUN'"), std::string::npos);
}

TEST(Config, SecretsAreCollectedForTheRedactor) {
  const char* environ[] = {"LOOKER_CLIENT_SECRET=s3cr3t-value", "PRESTO_PASSWORD=pw-value", nullptr};
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.environ = environ;
  absl::StatusOr<Config> config = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->secret_values, (std::vector<std::string>{"s3cr3t-value", "pw-value"}));
}

TEST(Config, TheSeedsPrestoSettingsNameATrinoWarehouse) {
  const char* environ[] = {"PRESTO_HOST=presto.internal.example", "PRESTO_PORT=8443",
                           "PRESTO_USERNAME=creditbot", nullptr};
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.environ = environ;
  absl::StatusOr<Config> config = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->warehouse_url, "trino://creditbot@presto.internal.example:8443");

  const char* without_user[] = {"PRESTO_HOST=presto.internal.example", nullptr};
  inputs.environ = without_user;
  absl::StatusOr<Config> refused = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(std::string(refused.status().message()).find("PRESTO_USERNAME"), std::string::npos);
}

TEST(Config, TrinoSettingsAreTyped) {
  const char* environ[] = {"CREDITBOT_TRINO_QUERY_TIMEOUT_SECONDS=90",
                           "CREDITBOT_TRINO_SESSION=query_max_run_time=2m, task_concurrency=4",
                           "CREDITBOT_TRINO_TOKEN=jwt-canary-value", nullptr};
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.environ = environ;
  absl::StatusOr<Config> config = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->trino.query_timeout, absl::Seconds(90));
  EXPECT_EQ(config->trino.session, (std::vector<std::pair<std::string, std::string>>{
                                       {"query_max_run_time", "2m"}, {"task_concurrency", "4"}}));
  EXPECT_EQ(config->trino.bearer_token, "jwt-canary-value");
  EXPECT_EQ(config->secret_values, (std::vector<std::string>{"jwt-canary-value"}));

  const char* bad[] = {"CREDITBOT_TRINO_SESSION=no-equals-sign", nullptr};
  inputs.environ = bad;
  absl::StatusOr<Config> refused = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(std::string(refused.status().message()).find("CREDITBOT_TRINO_SESSION"), std::string::npos);
}

TEST(Config, SqlitePathsAreNotTrinoUrls) {
  absl::StatusOr<std::string> path =
      SqlitePathFromUrl("trino://user@host:443/hive/default", "CREDITBOT_WAREHOUSE");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(*SqlitePathFromUrl("sqlite:/tmp/w.db", "X"), "/tmp/w.db");
}

}  // namespace
}  // namespace creditbot
