// Configuration: one set of names (ARCHITECTURE.md "Configuration"), read in this order, later wins:
// built-in defaults → config file (--config, TOML, the same NAME = value pairs) → .env → environment →
// command-line (--set NAME=VALUE). The seed deployment's names (SLACK_BOT_TOKEN, DRY_RUN, PRESTO_*, S3_*,
// SAGEMAKER_*…) keep working; new names use the CREDITBOT_ prefix.
//
// The AWS Secrets Manager layer sits between the config file and .env: when CREDITBOT_SECRET_ID (or the
// seed's AWS_SECRET_NAME; CREDITBOT_SECRET_ID wins) is set in any layer, that secret — a JSON object of
// setting names → values (strings; numbers and booleans are taken as their text) — is read through
// ConfigInputs::secret_fetcher; names creditbot does not know are noted and ignored (their values are still
// registered for redaction). When PRESTO_SECRET_NAME is set (in any layer, the first secret included), that
// secret's JSON `host`, `port`, `username`, `password` become PRESTO_HOST/PORT/USERNAME/PASSWORD at the same
// layer (after the first secret). A secret that cannot be fetched or read stops the command with one line
// naming the secret id and the setting that named it — never a value. `creditbot serve` reads the whole
// configuration again on SIGHUP and every CREDITBOT_SECRET_REFRESH_SECONDS (app/config_reload.h); there a
// failure keeps the configuration in use.
//
// Every setting is declared once in kSettings (config.cc) with its default, whether it is a secret, and
// a line of help; `creditbot config` prints them. A value that does not parse fails at start with one
// line naming the setting and where it came from; secrets are never echoed.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "app/logging.h"

namespace creditbot {

struct SettingInfo {
  std::string_view name;
  std::string_view default_value;
  bool secret;
  std::string_view help;
};

// Every setting creditbot knows, in documentation order.
const std::vector<SettingInfo>& AllSettings();

// The raw values and where each came from ("default", "config file X", ".env", "environment",
// "command line").
struct RawSettings {
  struct Entry {
    std::string value;
    std::string source;
  };
  std::map<std::string, Entry, std::less<>> values;
  std::vector<std::string> notes;  // things worth a log line (e.g. unknown names in .env)
  // Values read from Secrets Manager under names that are not settings: never shown, but redacted.
  std::vector<std::string> extra_secret_values;
};

// Reads one Secrets Manager secret's SecretString by id (name or ARN). Errors must not contain the value.
using SecretFetcher = std::function<absl::StatusOr<std::string>(std::string_view id)>;

struct ConfigInputs {
  std::string config_file;        // --config; empty = none
  std::string env_file = ".env";  // --env-file; read only if it exists (unless given explicitly)
  bool env_file_explicit = false;
  std::vector<std::string> overrides;    // --set NAME=VALUE
  const char* const* environ = nullptr;  // the process environment; nullptr = none
  // Reads the Secrets Manager layer's secrets; unset = a configured secret id is an error
  // (kFailedPrecondition). LoadConfig (cli.cc) passes one built on the AWS chain.
  SecretFetcher secret_fetcher;
};

// Builds the layered raw settings. Errors: an unreadable or malformed config file / .env, an unknown
// name in the config file or in --set (named), a --set without '='; a secret that cannot be fetched (the
// fetcher's code) or is not a JSON object (kInvalidArgument), named by id, never by value.
absl::StatusOr<RawSettings> LoadRawSettings(const ConfigInputs& inputs);

// How to reach a Trino/Presto warehouse (CREDITBOT_WAREHOUSE=trino://…).
struct TrinoSettings {
  std::string password;                             // PRESTO_PASSWORD
  std::string bearer_token;                         // CREDITBOT_TRINO_TOKEN
  std::string ca_bundle;                            // CREDITBOT_TRINO_CA_BUNDLE; empty = the system's
  absl::Duration query_timeout = absl::Minutes(5);  // CREDITBOT_TRINO_QUERY_TIMEOUT_SECONDS
  std::vector<std::pair<std::string, std::string>> session;  // CREDITBOT_TRINO_SESSION
};

// The typed configuration the commands use.
struct Config {
  // Slack. A bot token selects Slack itself; without one, the local inbox and outbox.
  std::string slack_bot_token;
  std::string slack_app_token;       // Socket Mode (serve)
  std::string slack_signing_secret;  // Events API (serve)
  std::string slack_api_url;
  absl::Duration slack_post_interval = absl::Seconds(1);
  absl::Duration slack_lookback = absl::Hours(24);
  absl::Duration slack_asked_window = absl::Hours(24 * 7);
  std::string slack_user_id;  // owner: errors go to this user by DM
  std::vector<std::string> slack_channels;
  std::vector<std::string> slack_allowed_bot_ids;
  std::string slack_own_user_id;
  std::string slack_own_bot_id;

  // Looker
  std::string looker_base_url;
  std::string looker_api_url;  // the Looker API address; default = looker_base_url
  std::string looker_client_id, looker_client_secret;

  // Local far ends of the embedded default.
  std::string inbox_path;
  std::string outbox_path;
  std::string look_catalog_dir;
  std::string work_dir;

  // Stores and data
  std::string warehouse_url;  // "sqlite:PATH" or "trino://USER@HOST:PORT/CATALOG/SCHEMA"
  TrinoSettings trino;
  std::string state_url;  // "sqlite:PATH" or "s3://BUCKET/KEY"
  std::string audit_dir;
  // S3 (app/store_factory.h): with a bucket and CREDITBOT_STATE / CREDITBOT_AUDIT_DIR left at their
  // defaults, state and audit records live in S3.
  std::string s3_bucket;                                       // S3_BUCKET
  std::string s3_state_key = "state/processed_messages.json";  // S3_STATE_KEY
  std::string s3_output_prefix = "outputs";                    // S3_OUTPUT_PREFIX
  std::string policy_dir;  // empty = the embedded policies
  std::string sql_dir;     // empty = the embedded SQL

  // Behaviour
  bool dry_run = true;
  int max_attempts = 5;
  absl::Duration retry_backoff = absl::Minutes(15);
  absl::Duration claim_lease = absl::Minutes(10);
  int state_retention_days = 90;

  // The service
  std::string http_addr;  // host:port
  absl::Duration catchup_interval = absl::Minutes(5);
  // serve re-reads the configuration (secrets included) this often, and on SIGHUP; zero = only on SIGHUP
  // (CREDITBOT_SECRET_REFRESH_SECONDS).
  absl::Duration secret_refresh_interval = absl::Minutes(5);

  LogOptions log;

  // Executors (CREDITBOT_EXECUTOR; app/executor_factory.h).
  struct ExecutorSettings {
    std::string kind = "native";  // native | sagemaker | notebook
    std::string notebook_path;    // CREDITBOT_NOTEBOOK_PATH
    std::string papermill = "papermill";  // CREDITBOT_PAPERMILL: program name (searched on PATH) or path
    absl::Duration notebook_timeout = absl::Minutes(10);  // CREDITBOT_NOTEBOOK_TIMEOUT_SECONDS
    std::string sagemaker_image_uri;                      // SAGEMAKER_IMAGE_URI
    std::string sagemaker_role_arn;                       // SAGEMAKER_ROLE_ARN
    std::string sagemaker_instance_type;                  // SAGEMAKER_INSTANCE_TYPE
    absl::Duration sagemaker_max_runtime = absl::Seconds(600);  // SAGEMAKER_MAX_RUNTIME
    // Non-secret settings a SageMaker container needs to compute like this process (CREDITBOT_WAREHOUSE as
    // resolved, Trino's non-secret options, the secret ids, …): name → value.
    std::map<std::string, std::string> container_settings;
  };
  ExecutorSettings executor;

  std::vector<std::string> secret_values;  // every non-empty secret, for the redactor
};

// Types and validates the raw settings. One error line naming the first bad setting and its source.
absl::StatusOr<Config> BuildConfig(const RawSettings& raw);

// "sqlite:PATH" → PATH. kInvalidArgument naming `setting` for other schemes or an empty path;
// kUnimplemented for trino:// and presto:// (they name a warehouse, which OpenWarehouse opens itself, never
// a SQLite file) and for s3:// (an S3 state object, which OpenStateStore in app/store_factory.h opens).
absl::StatusOr<std::string> SqlitePathFromUrl(std::string_view url, std::string_view setting);

}  // namespace creditbot
