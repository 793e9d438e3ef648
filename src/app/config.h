// Configuration: one set of names (ARCHITECTURE.md "Configuration"), read in this order, later wins:
// built-in defaults → config file (--config, TOML, the same NAME = value pairs) → .env → environment →
// command-line (--set NAME=VALUE). The seed deployment's names (SLACK_BOT_TOKEN, DRY_RUN, PRESTO_*, S3_*,
// SAGEMAKER_*…) keep working; new names use the CREDITBOT_ prefix. (The AWS Secrets Manager layer, between
// the config file and .env, arrives with the AWS work.)
//
// Every setting is declared once in kSettings (config.cc) with its default, whether it is a secret, and
// a line of help; `creditbot config` prints them. A value that does not parse fails at start with one
// line naming the setting and where it came from; secrets are never echoed.
#pragma once

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
};

struct ConfigInputs {
  std::string config_file;        // --config; empty = none
  std::string env_file = ".env";  // --env-file; read only if it exists (unless given explicitly)
  bool env_file_explicit = false;
  std::vector<std::string> overrides;    // --set NAME=VALUE
  const char* const* environ = nullptr;  // the process environment; nullptr = none
};

// Builds the layered raw settings. Errors: an unreadable or malformed config file / .env, an unknown
// name in the config file or in --set (named), a --set without '='.
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
  // Slack (the Web API client arrives with issue 3; until then a token selects nothing and is refused).
  std::string slack_bot_token;
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
  std::string state_url;  // "sqlite:PATH"
  std::string audit_dir;
  std::string policy_dir;  // empty = the embedded policies
  std::string sql_dir;     // empty = the embedded SQL

  // Behaviour
  bool dry_run = true;
  int max_attempts = 5;
  absl::Duration retry_backoff = absl::Minutes(15);
  absl::Duration claim_lease = absl::Minutes(10);
  int state_retention_days = 90;

  LogOptions log;

  std::vector<std::string> secret_values;  // every non-empty secret, for the redactor
};

// Types and validates the raw settings. One error line naming the first bad setting and its source.
absl::StatusOr<Config> BuildConfig(const RawSettings& raw);

// "sqlite:PATH" → PATH. kInvalidArgument naming `setting` for other schemes or an empty path;
// kUnimplemented for trino:// and presto:// (they name a warehouse, which OpenWarehouse opens itself, never
// a SQLite file).
absl::StatusOr<std::string> SqlitePathFromUrl(std::string_view url, std::string_view setting);

}  // namespace creditbot
