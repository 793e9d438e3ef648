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
// Every setting is declared once in kSettingTable (config.cc): name, type, default, whether it is a secret,
// help and where it may come from; see `Setting` below. A value that does not parse, or a location in a form
// the setting does not take, fails at start with one line naming the setting, where it came from and the
// accepted forms; secrets are never echoed. A name that is not a setting (a CREDITBOT_* environment
// variable, a key of the config file, .env or a secret) is warned about with the closest known name;
// --strict and `doctor` make it an error.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bot/pipeline.h"  // kDefaultClaimLeaseSeconds
#include "common/logging.h"
#include "state/s3_state_store.h"  // kDefaultS3StateKey

namespace creditbot {

// Every setting creditbot knows, in documentation order. kSettingTable (config.cc) declares each one
// once — its name, type, default, whether it is a secret, its help and where it may come from — and
// everything else (parsing, validation, `creditbot config`, `config --markdown` for the README, `doctor`,
// the unknown-name warnings) is derived from it. Code names a setting by this enum, never by a string, so a
// misspelled name does not compile.
enum class Setting : int {
  // Slack
  kSlackBotToken,
  kSlackUserId,
  kSlackAppToken,
  kSlackSigningSecret,
  kSlackChannels,
  kSlackApiUrl,
  kSlackAllowedBotIds,
  kSlackOwnUserId,
  kSlackOwnBotId,
  kSlackPostIntervalMs,
  kSlackLookbackHours,
  kSlackAskedDays,
  kApprovers,
  // Sign in with Slack (the dashboard)
  kSlackClientId,
  kSlackClientSecret,
  kPublicUrl,
  kSlackTeamId,
  // The service
  kHttpAddr,
  kCatchupSeconds,
  kSecretRefreshSeconds,
  kApiToken,
  // Metrics of the scheduled pass
  kPushgatewayUrl,
  kMetricsTextfile,
  // Looker
  kLookerBaseUrl,
  kLookerApiUrl,
  kLookerClientId,
  kLookerClientSecret,
  kLookerAllowInsecureHttp,
  // Warehouse
  kWarehouse,
  kPrestoHost,
  kPrestoPort,
  kPrestoUsername,
  kPrestoPassword,
  kPrestoSecretName,
  kTrinoToken,
  kTrinoCaBundle,
  kTrinoQueryTimeoutSeconds,
  kTrinoSession,
  // Local far ends and stores
  kHome,
  kInbox,
  kOutbox,
  kLookCatalog,
  kState,
  kAuditDir,
  kPolicyDir,
  kSqlDir,
  // Behaviour
  kDryRun,
  kMaxAttempts,
  kRetryBackoffSeconds,
  kClaimLeaseSeconds,
  kStateRetentionDays,
  kMaxReportRows,
  kLogLevel,
  kLogFormat,
  kLogFile,
  // AWS
  kAwsSecretName,
  kSecretId,
  kS3Bucket,
  kS3StateKey,
  kS3OutputPrefix,
  kSagemakerImageUri,
  kSagemakerRoleArn,
  kSagemakerInstanceType,
  kSagemakerMaxRuntime,
  // Executors
  kExecutor,
  kNotebookPath,
  kPapermill,
  kNotebookTimeoutSeconds,
  kCount,  // not a setting
};
inline constexpr std::size_t kSettingCount = static_cast<std::size_t>(Setting::kCount);

// CREDITBOT_MAX_REPORT_ROWS's default: the largest fraud report one calculation reads. A calculation peaks
// at ~30 MB plus ~300 bytes a report row in `calc`, more in `serve`, whose audit record is one string of
// ~680 bytes a line (issue 20); this many rows fit the deployment's pods (deploy/k8s).
inline constexpr int kDefaultMaxReportRows = 500'000;

// What a setting's value must look like; BuildConfig checks every setting against its type and refuses
// anything else naming the accepted forms. Empty is accepted for every type whose default is empty.
enum class SettingType {
  kText,            // anything
  kBool,            // true/false (also 1/0, yes/no, on/off)
  kPositiveInt,     // a whole number ≥ 1
  kNonNegativeInt,  // a whole number ≥ 0
  kList,            // comma-separated items
  kChoice,          // one of SettingInfo::choices (case-insensitive)
  kLocalPath,       // a local file or folder; a URL (scheme://…) is refused
  kHttpUrl,         // http://… or https://…
  kWarehouseUrl,    // sqlite:PATH, trino://…, presto://…
  kStateUrl,        // sqlite:PATH or s3://BUCKET/KEY
  kAuditLocation,   // a local folder PATH or s3://BUCKET/PREFIX/
};

// Where a setting may be given (a bit set). The secret ids cannot come from a secret (they name it).
enum SettingSources : unsigned {
  kFromConfigFile = 1u << 0,
  kFromSecret = 1u << 1,
  kFromEnvFile = 1u << 2,
  kFromEnvironment = 1u << 3,
  kFromCommandLine = 1u << 4,
  kFromAnywhere = 0x1fu,
};

struct SettingInfo {
  Setting id;
  std::string_view name;
  SettingType type;
  std::string_view default_value;  // the raw default; "" = unset (or derived, see shown_default)
  bool secret;                     // never printed or logged; registered with the redactor
  std::string_view help;           // one sentence; `creditbot config` and the README's "meaning"
  unsigned sources = kFromAnywhere;
  std::string_view choices = "";        // kChoice: "native, sagemaker, notebook"
  std::string_view shown_default = "";  // the README's default when it is derived ("$CREDITBOT_HOME/…")
};

// Every setting, in documentation order (the enum's order).
const std::vector<SettingInfo>& AllSettings();
const SettingInfo& Info(Setting setting);
std::string_view Name(Setting setting);
// The setting called `name` (exact, case-sensitive), if any.
std::optional<Setting> FindSetting(std::string_view name);
// The known name closest to `name` (common/closest_name.h: by edit distance, case-insensitive), or "" when
// none is within a typo of it.
std::string ClosestSettingName(std::string_view name);
// The accepted forms of `type`, as an error message says them ("expected …").
std::string_view ExpectedForm(SettingType type);

// The README's settings table (Markdown), one row per setting, generated from the table:
// | setting | type | default | meaning |. `creditbot config --markdown` prints it.
std::string SettingsMarkdownTable();

// A name that looks like a setting but is not one: a CREDITBOT_* environment variable, or any key of the
// config file, .env or a Secrets Manager secret.
struct UnknownSetting {
  std::string name;
  std::string source;      // "environment", ".env path", "config file X", "secret ID"
  std::string suggestion;  // the closest known name, or ""
  // "CREDITBOT_WAREHOUS (environment) is not a setting; did you mean CREDITBOT_WAREHOUSE?"
  std::string Message() const;
};

// The raw values and where each came from ("default", "config file X", ".env", "environment",
// "command line").
struct RawSettings {
  struct Entry {
    std::string value;
    std::string source;
  };
  std::array<Entry, kSettingCount> entries;
  const Entry& operator[](Setting setting) const { return entries[static_cast<std::size_t>(setting)]; }
  Entry& operator[](Setting setting) { return entries[static_cast<std::size_t>(setting)]; }
  // True when nothing set it (it has its built-in default).
  bool IsDefault(Setting setting) const { return (*this)[setting].source == "default"; }

  std::vector<std::string> notes;  // things worth a debug log line
  // Names that are not settings (warned about at start; an error with ConfigInputs::strict).
  std::vector<UnknownSetting> unknown;
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
  // --strict (and `doctor`): an unknown name (RawSettings::unknown) is an error instead of a warning.
  bool strict = false;
};

// Builds the layered raw settings. Errors: an unreadable or malformed config file / .env, an unknown
// name in --set (named, with the closest known name), a --set without '='; with `strict`, any unknown name
// (kInvalidArgument, each named with its source and the closest known name); a setting given where its
// table entry does not allow it (e.g. CREDITBOT_SECRET_ID inside a secret); a secret that cannot be
// fetched (the fetcher's code) or is not a JSON object (kInvalidArgument), named by id, never by value.
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
  // CREDITBOT_APPROVERS: Slack user ids (U…/W…) and user-group ids (S…) who may decide on credits, each
  // checked by ParseApproverIds (bot/approvers.h) at start; empty = nobody may decide.
  std::vector<std::string> approvers;
  // Sign in with Slack for the dashboard (web/slack_sign_in.h): SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and
  // CREDITBOT_PUBLIC_URL are all set or none (BuildConfig refuses half of them). Configured when the id is.
  std::string slack_client_id;
  std::string slack_client_secret;
  std::string public_url;          // CREDITBOT_PUBLIC_URL without a trailing slash: the dashboard's address
  std::string slack_redirect_uri;  // public_url + "/auth/slack/callback"; "" when not configured
  std::string slack_team_id;       // CREDITBOT_SLACK_TEAM_ID: the only workspace that may sign in; "" = any

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
  std::string audit_dir;  // a folder, or "s3://BUCKET/PREFIX/" (app/store_factory.h)
  // Whether the warehouse (CREDITBOT_WAREHOUSE or PRESTO_HOST) and the look catalog
  // (CREDITBOT_LOOK_CATALOG) were set by something other than the built-in default: with Slack, the
  // embedded default's stand-ins are refused (RequireNoStandIns).
  bool warehouse_explicit = false;
  bool look_catalog_explicit = false;
  // S3 (app/store_factory.h): with a bucket and CREDITBOT_STATE / CREDITBOT_AUDIT_DIR left at their
  // defaults, state and audit records live in S3.
  std::string s3_bucket;                          // S3_BUCKET
  std::string s3_state_key = kDefaultS3StateKey;  // S3_STATE_KEY
  std::string s3_output_prefix = "outputs";       // S3_OUTPUT_PREFIX
  std::string policy_dir;                         // empty = the embedded policies
  std::string sql_dir;                            // empty = the embedded SQL

  // Behaviour
  bool dry_run = true;
  int max_attempts = 5;
  absl::Duration retry_backoff = absl::Minutes(15);
  absl::Duration claim_lease = absl::Seconds(kDefaultClaimLeaseSeconds);
  int state_retention_days = 90;
  int64_t max_report_rows = kDefaultMaxReportRows;  // CREDITBOT_MAX_REPORT_ROWS

  // The service
  std::string http_addr;  // host:port
  std::string api_token;  // CREDITBOT_API_TOKEN: the dashboard's read-only API (/api/…) by bearer token
  absl::Duration catchup_interval = absl::Minutes(5);
  // serve re-reads the configuration (secrets included) this often, and on SIGHUP; zero = only on SIGHUP
  // (CREDITBOT_SECRET_REFRESH_SECONDS).
  absl::Duration secret_refresh_interval = absl::Minutes(5);

  // Where `run --once` sends its metrics at the end of the pass (app/metrics_push.h); empty = nowhere.
  std::string pushgateway_url;   // CREDITBOT_PUSHGATEWAY_URL
  std::string metrics_textfile;  // CREDITBOT_METRICS_TEXTFILE

  LogOptions log;

  // Executors (CREDITBOT_EXECUTOR; app/executor_factory.h).
  struct ExecutorSettings {
    std::string kind = "native";          // native | sagemaker | notebook
    std::string notebook_path;            // CREDITBOT_NOTEBOOK_PATH
    std::string papermill = "papermill";  // CREDITBOT_PAPERMILL: program name (searched on PATH) or path
    absl::Duration notebook_timeout = absl::Minutes(10);        // CREDITBOT_NOTEBOOK_TIMEOUT_SECONDS
    std::string sagemaker_image_uri;                            // SAGEMAKER_IMAGE_URI
    std::string sagemaker_role_arn;                             // SAGEMAKER_ROLE_ARN
    std::string sagemaker_instance_type;                        // SAGEMAKER_INSTANCE_TYPE
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

// The parts a command uses, for RequireNoStandIns.
enum class StandIn { kWarehouse, kLookSource };

// The live-mode rule: the embedded default's stand-ins (the synthetic warehouse, the sample look catalog)
// are used only when creditbot is not talking to Slack. With SLACK_BOT_TOKEN set, each part in `parts`
// must be configured explicitly — the warehouse by CREDITBOT_WAREHOUSE or PRESTO_HOST, the look source by
// LOOKER_CLIENT_ID/LOOKER_CLIENT_SECRET or CREDITBOT_LOOK_CATALOG. kFailedPrecondition, one line naming
// every missing part and what to set. OK without a bot token.
absl::Status RequireNoStandIns(const Config& config, const std::vector<StandIn>& parts);

// "sqlite:PATH" → PATH. kInvalidArgument naming `setting` for other schemes or an empty path;
// kUnimplemented for trino:// and presto:// (they name a warehouse, which OpenWarehouse opens itself, never
// a SQLite file) and for s3:// (an S3 state object, which OpenStateStore in app/store_factory.h opens).
absl::StatusOr<std::string> SqlitePathFromUrl(std::string_view url, std::string_view setting);

}  // namespace creditbot
