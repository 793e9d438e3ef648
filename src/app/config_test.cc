// Tests of configuration layering and validation.
#include "app/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "app/executor_factory.h"
#include "common/strings.h"
#include "tests/fake_aws_server.h"
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
  EXPECT_EQ((*raw)[Setting::kSlackUserId].source, dir.File(".env"));
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

// Issue 15 point 3: a name that is not a setting is warned about with the closest known name, and
// refused with --strict. The suggestions were checked by hand: DRYRUN → DRY_RUN (one insertion),
// CREDITBOT_WAREHOUS → CREDITBOT_WAREHOUSE (one insertion), creditbot_max_attempt → CREDITBOT_MAX_ATTEMPTS
// (case is ignored; one insertion); NOT_EVEN_CLOSE_TO_ANYTHING is far from every name.
TEST(Config, UnknownNamesAreWarnedAboutWithTheClosestNameAndRefusedWhenStrict) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.toml"), "DRYRUN = false\n");
  testing::WriteFile(dir.File(".env"), "creditbot_max_attempt=3\nNOT_EVEN_CLOSE_TO_ANYTHING=1\n");
  const char* environ[] = {"CREDITBOT_WAREHOUS=trino://x@warehouse.example:443", "HOME=/root",
                           "PRESTO_HOSTNAME=ignored-not-our-prefix", nullptr};
  ConfigInputs inputs;
  inputs.config_file = dir.File("c.toml");
  inputs.env_file = dir.File(".env");
  inputs.environ = environ;
  absl::StatusOr<RawSettings> raw = LoadRawSettings(inputs);
  ASSERT_TRUE(raw.ok()) << raw.status();
  std::vector<std::string> messages;
  for (const UnknownSetting& unknown : raw->unknown) messages.push_back(unknown.Message());
  EXPECT_EQ(messages,
            (std::vector<std::string>{
                "DRYRUN (config file " + dir.File("c.toml") + ") is not a setting; did you mean DRY_RUN?",
                "creditbot_max_attempt (" + dir.File(".env") +
                    ") is not a setting; did you mean CREDITBOT_MAX_ATTEMPTS?",
                "NOT_EVEN_CLOSE_TO_ANYTHING (" + dir.File(".env") + ") is not a setting",
                "CREDITBOT_WAREHOUS (environment) is not a setting; did you mean CREDITBOT_WAREHOUSE?"}));
  // Nothing was taken from the misspelled names.
  EXPECT_TRUE(raw->IsDefault(Setting::kDryRun));
  EXPECT_TRUE(raw->IsDefault(Setting::kWarehouse));

  inputs.strict = true;
  absl::StatusOr<RawSettings> strict = LoadRawSettings(inputs);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(strict.status().message().find("CREDITBOT_WAREHOUS (environment) is not a setting; did you mean "
                                           "CREDITBOT_WAREHOUSE?"),
            absl::string_view::npos)
      << strict.status();

  // --set stays an error, now with the suggestion.
  ConfigInputs with_set;
  with_set.env_file.clear();
  with_set.overrides = {"CREDITBOT_MAX_ATTEMPT=2"};
  EXPECT_EQ(std::string(LoadRawSettings(with_set).status().message()),
            "--set: unknown setting 'CREDITBOT_MAX_ATTEMPT'; did you mean CREDITBOT_MAX_ATTEMPTS?");
}

TEST(Config, TheTableNamesEverySettingOnceInEnumOrder) {
  const std::vector<SettingInfo>& settings = AllSettings();
  ASSERT_EQ(settings.size(), kSettingCount);
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < settings.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(settings[i].id), i);
    EXPECT_TRUE(names.insert(settings[i].name).second) << settings[i].name;
    EXPECT_EQ(FindSetting(settings[i].name), settings[i].id);
    EXPECT_FALSE(settings[i].help.empty()) << settings[i].name;
  }
  EXPECT_EQ(FindSetting("CREDITBOT_WAREHOUS"), std::nullopt);
  EXPECT_EQ(Name(Setting::kWarehouse), "CREDITBOT_WAREHOUSE");
}

// Issue 15 point 4: every location setting takes exactly its documented forms; the error names them.
TEST(Config, LocationsAcceptOnlyTheirDocumentedForms) {
  auto refusal = [](const char* assignment) {
    const char* environ[] = {assignment, nullptr};
    ConfigInputs inputs;
    inputs.env_file.clear();
    inputs.environ = environ;
    absl::StatusOr<Config> config = BuildConfig(*LoadRawSettings(inputs));
    return config.ok() ? std::string("accepted") : std::string(config.status().message());
  };
  EXPECT_EQ(refusal("CREDITBOT_STATE=/tmp/s.db"),
            "CREDITBOT_STATE='/tmp/s.db' (from environment): expected sqlite:PATH or s3://BUCKET/KEY");
  EXPECT_EQ(refusal("CREDITBOT_STATE=s3://bucket-only"),
            "CREDITBOT_STATE='s3://bucket-only' (from environment): expected sqlite:PATH or s3://BUCKET/KEY");
  EXPECT_EQ(refusal("CREDITBOT_WAREHOUSE=postgres://x"),
            "CREDITBOT_WAREHOUSE='postgres://x' (from environment): expected sqlite:PATH, "
            "trino://USER@HOST[:PORT][/CATALOG[/SCHEMA]], presto://USER@HOST[:PORT][/CATALOG[/SCHEMA]] or "
            "athena://WORKGROUP/CATALOG/DATABASE?output=s3://BUCKET/PREFIX/");
  // An athena:// URL is read whole at start: a missing part is named.
  EXPECT_EQ(refusal("CREDITBOT_WAREHOUSE=athena://primary/AwsDataCatalog/sample"),
            "CREDITBOT_WAREHOUSE='athena://primary/AwsDataCatalog/sample' (from environment): the Athena "
            "warehouse URL: no output location (?output=s3://BUCKET/PREFIX/) (expected "
            "athena://WORKGROUP/CATALOG/DATABASE?output=s3://BUCKET/PREFIX/)");
  EXPECT_EQ(
      refusal("CREDITBOT_WAREHOUSE=athena://primary/AwsDataCatalog/sample?output=s3://results-bucket/cb/"),
      "accepted");
  EXPECT_EQ(refusal("CREDITBOT_AUDIT_DIR=gs://bucket/audit/"),
            "CREDITBOT_AUDIT_DIR='gs://bucket/audit/' (from environment): expected a local folder PATH or "
            "s3://BUCKET/PREFIX/");
  EXPECT_EQ(
      refusal("CREDITBOT_OUTBOX=s3://bucket/outbox.jsonl"),
      "CREDITBOT_OUTBOX='s3://bucket/outbox.jsonl' (from environment): expected a local path (not a URL)");
  EXPECT_EQ(refusal("CREDITBOT_LOOKER_BASE_URL=looker.example.com"),
            "CREDITBOT_LOOKER_BASE_URL='looker.example.com' (from environment): expected an http:// or "
            "https:// URL");
  for (const char* accepted :
       {"CREDITBOT_STATE=sqlite:/tmp/s.db", "CREDITBOT_STATE=s3://bucket/state.json",
        "CREDITBOT_WAREHOUSE=sqlite:/tmp/w.db", "CREDITBOT_WAREHOUSE=trino://u@h:443/hive/default",
        "CREDITBOT_WAREHOUSE=presto://u@h", "CREDITBOT_AUDIT_DIR=s3://bucket/audit/",
        "CREDITBOT_AUDIT_DIR=/var/lib/creditbot/audit", "CREDITBOT_OUTBOX=out/outbox.jsonl"}) {
    EXPECT_EQ(refusal(accepted), "accepted") << accepted;
  }
}

// Issue 15 point 2: with a Slack token, the warehouse and the look source must be explicit.
TEST(Config, WithSlackTheStandInsMustBeReplacedExplicitly) {
  auto check = [](std::vector<const char*> environ) {
    environ.push_back("SLACK_BOT_TOKEN=xoxb-test");
    environ.push_back("CREDITBOT_SLACK_CHANNELS=C0CREDITREQ");
    environ.push_back(nullptr);
    ConfigInputs inputs;
    inputs.env_file.clear();
    inputs.environ = environ.data();
    absl::StatusOr<Config> config = BuildConfig(*LoadRawSettings(inputs));
    EXPECT_TRUE(config.ok()) << config.status();
    absl::Status status = RequireNoStandIns(*config, {StandIn::kWarehouse, StandIn::kLookSource});
    return status.ok() ? std::string("ok") : std::string(status.message());
  };
  // The issue's typo: CREDITBOT_WAREHOUS is no setting, so nothing names the warehouse.
  EXPECT_EQ(
      check({"CREDITBOT_WAREHOUS=trino://u@h:443"}),
      "SLACK_BOT_TOKEN is set, so the embedded default's synthetic warehouse and sample looks are not used: "
      "set the warehouse (CREDITBOT_WAREHOUSE or PRESTO_HOST) and the look source (LOOKER_CLIENT_ID and "
      "LOOKER_CLIENT_SECRET, or CREDITBOT_LOOK_CATALOG)");
  EXPECT_EQ(
      check({"CREDITBOT_WAREHOUSE=trino://u@h:443"}),
      "SLACK_BOT_TOKEN is set, so the embedded default's synthetic warehouse and sample looks are not used: "
      "set the look source (LOOKER_CLIENT_ID and LOOKER_CLIENT_SECRET, or CREDITBOT_LOOK_CATALOG)");
  EXPECT_EQ(
      check({"PRESTO_HOST=p.example", "PRESTO_USERNAME=u", "LOOKER_CLIENT_ID=i", "LOOKER_CLIENT_SECRET=s"}),
      "ok");
  EXPECT_EQ(check({"CREDITBOT_WAREHOUSE=sqlite:/srv/w.db", "CREDITBOT_LOOK_CATALOG=/srv/looks"}), "ok");

  // Without Slack the embedded default needs nothing.
  ConfigInputs local;
  local.env_file.clear();
  absl::StatusOr<Config> config = BuildConfig(*LoadRawSettings(local));
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(RequireNoStandIns(*config, {StandIn::kWarehouse, StandIn::kLookSource}).ok());
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

TEST(Config, LookerCredentialsAreNeverSentInTheClearOffThisHost) {
  auto build = [](std::vector<std::string> settings) {
    settings.push_back("LOOKER_CLIENT_ID=id");
    settings.push_back("LOOKER_CLIENT_SECRET=looker-secret-value");
    std::vector<const char*> environ;
    for (const std::string& setting : settings) environ.push_back(setting.c_str());
    environ.push_back(nullptr);
    ConfigInputs inputs;
    inputs.env_file.clear();
    inputs.environ = environ.data();
    return BuildConfig(*LoadRawSettings(inputs));
  };
  absl::StatusOr<Config> plain = build({"CREDITBOT_LOOKER_API_URL=http://looker.internal.example:19999"});
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      plain.status().message(),
      "LOOKER_CLIENT_SECRET would be sent in the clear to http://looker.internal.example:19999; use an "
      "https:// CREDITBOT_LOOKER_API_URL, or set CREDITBOT_LOOKER_ALLOW_INSECURE_HTTP=true on a network "
      "you trust");
  // The base URL stands in for the API URL, so an http:// base is refused the same way.
  EXPECT_FALSE(build({"CREDITBOT_LOOKER_BASE_URL=http://looker.internal.example"}).ok());
  // Allowed explicitly, over https, or to this host (loopback never leaves the machine).
  EXPECT_TRUE(build({"CREDITBOT_LOOKER_API_URL=http://looker.internal.example:19999",
                     "CREDITBOT_LOOKER_ALLOW_INSECURE_HTTP=true"})
                  .ok());
  EXPECT_TRUE(build({"CREDITBOT_LOOKER_API_URL=https://looker.internal.example:19999"}).ok());
  EXPECT_TRUE(build({"CREDITBOT_LOOKER_API_URL=http://127.0.0.1:8123"}).ok());
  EXPECT_TRUE(build({"CREDITBOT_LOOKER_API_URL=http://localhost:8123"}).ok());
  EXPECT_TRUE(build({"CREDITBOT_LOOKER_API_URL=http://[::1]:8123"}).ok());
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

// ---- The Secrets Manager layer (defaults → config file → secret → .env → environment → --set). ----

// A SecretFetcher over a map, recording the ids asked for.
struct FakeSecrets {
  std::map<std::string, std::string> secrets;
  std::vector<std::string> asked;
  SecretFetcher Fetcher() {
    return [this](std::string_view id) -> absl::StatusOr<std::string> {
      asked.emplace_back(id);
      auto it = secrets.find(std::string(id));
      if (it == secrets.end()) {
        return absl::NotFoundError(absl::StrCat("Secrets Manager GetSecretValue '", ToAbsl(id),
                                                "': ResourceNotFoundException (HTTP 400)"));
      }
      return it->second;
    };
  }
};

TEST(ConfigSecrets, SecretSitsBetweenTheConfigFileAndDotEnv) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("creditbot.toml"),
                     "CREDITBOT_SECRET_ID = \"credit-bot/credentials\"\nSLACK_USER_ID = \"U0FILE\"\n"
                     "CREDITBOT_MAX_ATTEMPTS = 3\nCREDITBOT_CLAIM_LEASE_SECONDS = 30\n");
  testing::WriteFile(dir.File(".env"), "CREDITBOT_MAX_ATTEMPTS=9\n");
  const char* environ[] = {"CREDITBOT_SLACK_CHANNELS=C0CREDITREQ", nullptr};
  FakeSecrets secrets;
  secrets.secrets["credit-bot/credentials"] =
      R"({"SLACK_BOT_TOKEN":"xoxb-from-the-secret","SLACK_USER_ID":"U0SECRET","CREDITBOT_MAX_ATTEMPTS":"7",)"
      R"("LOOKER_CLIENT_ID":"lk-id","LOOKER_CLIENT_SECRET":"lk-secret-from-the-secret","DRY_RUN":false})";
  ConfigInputs inputs;
  inputs.config_file = dir.File("creditbot.toml");
  inputs.env_file = dir.File(".env");
  inputs.environ = environ;
  inputs.secret_fetcher = secrets.Fetcher();
  absl::StatusOr<RawSettings> raw = LoadRawSettings(inputs);
  ASSERT_TRUE(raw.ok()) << raw.status();
  absl::StatusOr<Config> config = BuildConfig(*raw);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(secrets.asked, std::vector<std::string>{"credit-bot/credentials"});
  EXPECT_EQ(config->slack_user_id, "U0SECRET");       // secret over config file
  EXPECT_EQ(config->max_attempts, 9);                 // .env over secret
  EXPECT_EQ(config->claim_lease, absl::Seconds(30));  // config file, untouched by the secret
  EXPECT_EQ(config->slack_bot_token, "xoxb-from-the-secret");
  EXPECT_FALSE(config->dry_run);  // a JSON boolean is taken as its text
  EXPECT_EQ((*raw)[Setting::kSlackUserId].source, "secret credit-bot/credentials");
  EXPECT_EQ((*raw)[Setting::kMaxAttempts].source, dir.File(".env"));
  // Every secret value is registered for redaction.
  for (const char* secret : {"xoxb-from-the-secret", "lk-secret-from-the-secret"}) {
    EXPECT_NE(std::find(config->secret_values.begin(), config->secret_values.end(), secret),
              config->secret_values.end())
        << secret;
  }
}

TEST(ConfigSecrets, EnvironmentAndCommandLineNameTheSecretAndStillWinOverIt) {
  const char* environ[] = {"AWS_SECRET_NAME=seed/credentials", "SLACK_USER_ID=U0ENVIRON", nullptr};
  FakeSecrets secrets;
  secrets.secrets["seed/credentials"] = R"({"SLACK_USER_ID":"U0SECRET","CREDITBOT_HOME":"/tmp/from-secret"})";
  secrets.secrets["override/credentials"] = R"({"CREDITBOT_HOME":"/tmp/from-override-secret"})";
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.environ = environ;
  inputs.secret_fetcher = secrets.Fetcher();
  absl::StatusOr<Config> config = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->slack_user_id, "U0ENVIRON");
  EXPECT_EQ(config->work_dir, "/tmp/from-secret");

  // CREDITBOT_SECRET_ID (here from --set) wins over the seed's AWS_SECRET_NAME.
  inputs.overrides = {"CREDITBOT_SECRET_ID=override/credentials"};
  config = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->work_dir, "/tmp/from-override-secret");
  EXPECT_EQ(secrets.asked.back(), "override/credentials");
}

TEST(ConfigSecrets, PrestoSecretMapsHostPortUsernameAndPassword) {
  const char* environ[] = {"CREDITBOT_SECRET_ID=credit-bot/credentials", nullptr};
  FakeSecrets secrets;
  // The main secret names the Presto secret; the Presto secret's port is a JSON number.
  secrets.secrets["credit-bot/credentials"] = R"({"PRESTO_SECRET_NAME":"credit-bot/presto"})";
  secrets.secrets["credit-bot/presto"] =
      R"({"host":"presto.internal","port":8443,"username":"svc_credit","password":"presto-pass-from-secret"})";
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.environ = environ;
  inputs.secret_fetcher = secrets.Fetcher();
  absl::StatusOr<RawSettings> raw = LoadRawSettings(inputs);
  ASSERT_TRUE(raw.ok()) << raw.status();
  absl::StatusOr<Config> config = BuildConfig(*raw);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(secrets.asked, (std::vector<std::string>{"credit-bot/credentials", "credit-bot/presto"}));
  EXPECT_EQ((*raw)[Setting::kPrestoHost].value, "presto.internal");
  EXPECT_EQ((*raw)[Setting::kPrestoPort].value, "8443");
  EXPECT_EQ((*raw)[Setting::kPrestoUsername].source, "secret credit-bot/presto");
  EXPECT_EQ(config->warehouse_url, "trino://svc_credit@presto.internal:8443");
  EXPECT_EQ(config->trino.password, "presto-pass-from-secret");
  EXPECT_NE(std::find(config->secret_values.begin(), config->secret_values.end(), "presto-pass-from-secret"),
            config->secret_values.end());
}

TEST(ConfigSecrets, UnknownNamesAreNotedAndIgnoredButTheirValuesRedacted) {
  const char* environ[] = {"CREDITBOT_SECRET_ID=credit-bot/credentials", nullptr};
  FakeSecrets secrets;
  secrets.secrets["credit-bot/credentials"] =
      R"({"LEGACY_API_KEY":"legacy-secret-value-42","SLACK_USER_ID":"U0SECRET","nested":{"a":1}})";
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.environ = environ;
  inputs.secret_fetcher = secrets.Fetcher();
  absl::StatusOr<RawSettings> raw = LoadRawSettings(inputs);
  ASSERT_TRUE(raw.ok()) << raw.status();
  // Both names are unknown (warned about, an error with --strict); the object's keys come in order.
  std::vector<std::string> unknown;
  for (const UnknownSetting& name : raw->unknown) unknown.push_back(name.Message());
  EXPECT_EQ(unknown,
            (std::vector<std::string>{"LEGACY_API_KEY (secret credit-bot/credentials) is not a setting",
                                      "nested (secret credit-bot/credentials) is not a setting"}));
  std::string notes;
  for (const std::string& note : raw->notes) notes += note + "\n";
  for (const std::string& message : unknown) notes += message + "\n";
  EXPECT_EQ(notes.find("legacy-secret-value-42"), std::string::npos) << notes;
  absl::StatusOr<Config> config = BuildConfig(*raw);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->slack_user_id, "U0SECRET");
  EXPECT_NE(std::find(config->secret_values.begin(), config->secret_values.end(), "legacy-secret-value-42"),
            config->secret_values.end());
}

TEST(ConfigSecrets, FetchFailureNamesTheSecretIdAndNeverTheValue) {
  const char* environ[] = {"CREDITBOT_SECRET_ID=credit-bot/absent", nullptr};
  FakeSecrets secrets;
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.environ = environ;
  inputs.secret_fetcher = secrets.Fetcher();
  absl::StatusOr<RawSettings> raw = LoadRawSettings(inputs);
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(raw.status().message().find("secret 'credit-bot/absent' (CREDITBOT_SECRET_ID, from environment)"),
            absl::string_view::npos)
      << raw.status();

  // A secret that is not a JSON object: named, its text never shown.
  secrets.secrets["credit-bot/absent"] = "hunter2-plain-text-secret";
  raw = LoadRawSettings(inputs);
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(raw.status().message().find("credit-bot/absent"), absl::string_view::npos);
  EXPECT_EQ(raw.status().message().find("hunter2"), absl::string_view::npos) << raw.status();

  // No way to read secrets at all.
  inputs.secret_fetcher = nullptr;
  raw = LoadRawSettings(inputs);
  EXPECT_EQ(raw.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(ConfigSecrets, NoSecretIdMeansNoFetch) {
  FakeSecrets secrets;
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.secret_fetcher = secrets.Fetcher();
  ASSERT_TRUE(LoadRawSettings(inputs).ok());
  EXPECT_TRUE(secrets.asked.empty());
}

TEST(ConfigSecrets, SecretsManagerFetcherReadsThroughTheAwsChain) {
  testing::FakeAwsServer server;
  server.PutSecret("credit-bot/credentials", R"({"SLACK_USER_ID":"U0FROMAWS"})");
  const Environment env({{"AWS_REGION", testing::FakeAwsServer::kRegion},
                         {"AWS_ENDPOINT_URL", server.base_url()},
                         {"AWS_ACCESS_KEY_ID", testing::FakeAwsServer::kAccessKeyId},
                         {"AWS_SECRET_ACCESS_KEY", testing::FakeAwsServer::kSecretAccessKey}});
  SecretFetcher fetch = MakeSecretsManagerFetcher(env);
  absl::StatusOr<std::string> value = fetch("credit-bot/credentials");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(*value, R"({"SLACK_USER_ID":"U0FROMAWS"})");
  EXPECT_EQ(server.requests().back().signature_error, "");
  EXPECT_EQ(fetch("credit-bot/absent").status().code(), absl::StatusCode::kNotFound);
}

TEST(Config, ExecutorSettings) {
  const char* environ[] = {"CREDITBOT_EXECUTOR=Notebook",
                           "CREDITBOT_NOTEBOOK_PATH=/srv/credit.ipynb",
                           "CREDITBOT_PAPERMILL=/opt/venv/bin/papermill",
                           "SAGEMAKER_MAX_RUNTIME=900",
                           "CREDITBOT_SECRET_ID=",
                           "PRESTO_SECRET_NAME=",
                           nullptr};
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.environ = environ;
  absl::StatusOr<Config> config = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->executor.kind, "notebook");
  EXPECT_EQ(config->executor.notebook_path, "/srv/credit.ipynb");
  EXPECT_EQ(config->executor.papermill, "/opt/venv/bin/papermill");
  EXPECT_EQ(config->executor.sagemaker_max_runtime, absl::Seconds(900));
  EXPECT_EQ(config->executor.container_settings.at("CREDITBOT_WAREHOUSE"), config->warehouse_url);

  const char* bad[] = {"CREDITBOT_EXECUTOR=lambda", nullptr};
  inputs.environ = bad;
  absl::StatusOr<Config> refused = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("CREDITBOT_EXECUTOR='lambda' (from environment)"),
            absl::string_view::npos)
      << refused.status();
  ConfigInputs defaults;
  defaults.env_file.clear();
  EXPECT_EQ(BuildConfig(*LoadRawSettings(defaults))->executor.kind, "native");
}

}  // namespace
}  // namespace creditbot
