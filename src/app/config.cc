// Loading, layering and typing of the configuration.
#include "app/config.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "app/env_file.h"
#include "bot/approvers.h"
#include "common/closest_name.h"
#include "common/embedded_files.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/toml_document.h"
#include "common/url.h"
#include "core/looker_url.h"
#include "warehouse/athena_warehouse.h"

namespace creditbot {

namespace {

using T = SettingType;
constexpr unsigned kNotFromSecret = kFromAnywhere & ~kFromSecret;

// The decimal text of a non-negative number known at compile time, so the table can show a default that
// the layer owning it defines as a number (kDefaultClaimLeaseSeconds).
template <int kValue>
struct DecimalText {
  static_assert(kValue >= 0);
  static constexpr std::array<char, 12> kDigits = [] {
    std::array<char, 12> digits{};
    int count = 1;
    for (int rest = kValue; rest >= 10; rest /= 10) ++count;
    int rest = kValue;
    for (int i = count - 1; i >= 0; --i, rest /= 10)
      digits[static_cast<std::size_t>(i)] = static_cast<char>('0' + rest % 10);
    return digits;
  }();
  static constexpr std::string_view kView{kDigits.data()};
};

// Every setting, once. Keep the order of `enum class Setting` (checked below).
constexpr std::array<SettingInfo, kSettingCount> kSettingTable = {{
    // Slack
    {Setting::kSlackBotToken, "SLACK_BOT_TOKEN", T::kText, "", true,
     "`xoxb-…`: read and answer Slack itself instead of the local inbox/outbox; then the warehouse and the "
     "look source must be set explicitly"},
    {Setting::kSlackUserId, "SLACK_USER_ID", T::kText, "", false,
     "the owner: failures are sent to this user by DM, with a link to the request; the requester's "
     "failure reply names them (unset: failures are only logged, with a warning, and `run --once` exits 1 "
     "when a request failed in the pass)"},
    {Setting::kSlackAppToken, "SLACK_APP_TOKEN", T::kText, "", true,
     "`xapp-…` with `connections:write`: `serve` receives events by Socket Mode"},
    {Setting::kSlackSigningSecret, "SLACK_SIGNING_SECRET", T::kText, "", true,
     "`serve` accepts Events API deliveries at `POST /slack/events` (signature v0, 5-minute window)"},
    {Setting::kSlackChannels, "CREDITBOT_SLACK_CHANNELS", T::kList, "", false,
     "channels to serve, comma-separated ids (`C0123ABCD`) or names (`#credit-requests`, resolved once; "
     "needs `channels:read`)"},
    {Setting::kSlackApiUrl, "CREDITBOT_SLACK_API_URL", T::kHttpUrl, "https://slack.com/api/", false,
     "Web API base (staging, tests)"},
    {Setting::kSlackAllowedBotIds, "CREDITBOT_SLACK_ALLOWED_BOT_IDS", T::kList, "", false,
     "bots whose messages are requests (a Workflow Builder form posts as a bot)"},
    {Setting::kSlackOwnUserId, "CREDITBOT_SLACK_OWN_USER_ID", T::kText, "", false,
     "the bot's own user id (found with `auth.test` when Slack is live)"},
    {Setting::kSlackOwnBotId, "CREDITBOT_SLACK_OWN_BOT_ID", T::kText, "", false, "the bot's own bot id"},
    {Setting::kSlackPostIntervalMs, "CREDITBOT_SLACK_POST_INTERVAL_MS", T::kNonNegativeInt, "1000", false,
     "least time between two posts to one channel"},
    {Setting::kSlackLookbackHours, "CREDITBOT_SLACK_LOOKBACK_HOURS", T::kPositiveInt, "24", false,
     "how far back the first pass reads a channel; later passes read from where the last one stopped"},
    {Setting::kSlackAskedDays, "CREDITBOT_SLACK_ASKED_DAYS", T::kPositiveInt, "7", false,
     "how long a request we asked about is watched for the edit or thread reply that brings the link"},
    {Setting::kApprovers, "CREDITBOT_APPROVERS", T::kList, "", false,
     "who may approve, reject or adjust a credit: Slack user ids (`U…`, `W…`) and/or user-group ids (`S…`, "
     "members read with `usergroups.users.list`, needs `usergroups:read`, refreshed every 10 minutes), "
     "comma-separated; empty: nobody may decide"},
    // Sign in with Slack (the dashboard)
    {Setting::kSlackClientId, "SLACK_CLIENT_ID", T::kText, "", false,
     "with `SLACK_CLIENT_SECRET` and `CREDITBOT_PUBLIC_URL`: the dashboard's Sign in with Slack (OpenID "
     "Connect; Basic Information, App Credentials)"},
    {Setting::kSlackClientSecret, "SLACK_CLIENT_SECRET", T::kText, "", true,
     "the Slack app's client secret, for Sign in with Slack"},
    {Setting::kPublicUrl, "CREDITBOT_PUBLIC_URL", T::kHttpUrl, "", false,
     "the dashboard's address as browsers reach it (`https://creditbot.example.com`); the Slack app's "
     "redirect URL is it + `/auth/slack/callback` (https; http only on loopback)"},
    {Setting::kSlackTeamId, "CREDITBOT_SLACK_TEAM_ID", T::kText, "", false,
     "the workspace (`T0123ABCD`) whose members may sign in to the dashboard; unset: any workspace the "
     "Slack app is installed in"},
    // The service
    {Setting::kHttpAddr, "CREDITBOT_HTTP_ADDR", T::kText, "127.0.0.1:8080", false,
     "`serve`'s HTTP endpoint, host:port (`0.0.0.0:8080` in a container; port `0` picks a free one)"},
    {Setting::kCatchupSeconds, "CREDITBOT_CATCHUP_SECONDS", T::kPositiveInt, "300", false,
     "`serve` reads every channel's history this often, so nothing posted during a disconnect is missed"},
    {Setting::kSecretRefreshSeconds, "CREDITBOT_SECRET_REFRESH_SECONDS", T::kNonNegativeInt, "300", false,
     "`serve` re-reads its configuration, Secrets Manager included, this often and on SIGHUP; `0` = only "
     "on SIGHUP"},
    {Setting::kApiToken, "CREDITBOT_API_TOKEN", T::kText, "", true,
     "bearer token for the dashboard's read-only API (`Authorization: Bearer …` on `/api/…`, JSON and CSV); "
     "unset: the API answers only a signed-in browser"},
    // Metrics of the scheduled pass
    {Setting::kPushgatewayUrl, "CREDITBOT_PUSHGATEWAY_URL", T::kHttpUrl, "", false,
     "Prometheus Pushgateway that `run --once` pushes the pass's metrics to (job `creditbot`); a failed push "
     "is logged, never fails the pass"},
    {Setting::kMetricsTextfile, "CREDITBOT_METRICS_TEXTFILE", T::kLocalPath, "", false,
     "file that `run --once` writes the pass's metrics to, for node-exporter's textfile collector (a `.prom` "
     "name, replaced atomically)"},
    // Looker
    {Setting::kLookerBaseUrl, "CREDITBOT_LOOKER_BASE_URL", T::kHttpUrl, "https://looker.example.com", false,
     "the only Looker host whose links are followed"},
    {Setting::kLookerApiUrl, "CREDITBOT_LOOKER_API_URL", T::kHttpUrl, "", false,
     "Looker API host (often another port, e.g. `:19999`); `/api/4.0` is appended", kFromAnywhere, "",
     "`CREDITBOT_LOOKER_BASE_URL`"},
    {Setting::kLookerClientId, "LOOKER_CLIENT_ID", T::kText, "", false,
     "with `LOOKER_CLIENT_SECRET`: links are resolved through Looker API 4.0 instead of the local catalog"},
    {Setting::kLookerClientSecret, "LOOKER_CLIENT_SECRET", T::kText, "", true,
     "the Looker API client secret"},
    {Setting::kLookerAllowInsecureHttp, "CREDITBOT_LOOKER_ALLOW_INSECURE_HTTP", T::kBool, "false", false,
     "send the Looker credentials to an `http://` API address that is not this host (loopback is always "
     "allowed); without it such an address is refused at start"},
    // Warehouse
    {Setting::kWarehouse, "CREDITBOT_WAREHOUSE", T::kWarehouseUrl, "", false,
     "warehouse: `sqlite:PATH` (the default is generated on first use, only without Slack) or "
     "`trino://USER@HOST[:PORT][/CATALOG[/SCHEMA]][?ssl=false]` (`presto://` for PrestoDB headers; password "
     "from `PRESTO_PASSWORD`, HTTP basic over https only) or "
     "`athena://WORKGROUP/CATALOG/DATABASE?output=s3://BUCKET/PREFIX/` (Amazon Athena, with the AWS "
     "region and credentials)",
     kFromAnywhere, "",
     "`sqlite:$CREDITBOT_HOME/warehouse.db`; with `PRESTO_HOST`, "
     "`trino://$PRESTO_USERNAME@$PRESTO_HOST:$PRESTO_PORT`"},
    {Setting::kPrestoHost, "PRESTO_HOST", T::kText, "", false,
     "the seed's warehouse host (used when `CREDITBOT_WAREHOUSE` is unset)"},
    {Setting::kPrestoPort, "PRESTO_PORT", T::kText, "", false, "the seed's warehouse port"},
    {Setting::kPrestoUsername, "PRESTO_USERNAME", T::kText, "", false, "the seed's warehouse user"},
    {Setting::kPrestoPassword, "PRESTO_PASSWORD", T::kText, "", true,
     "the warehouse password (HTTP basic, https only)"},
    {Setting::kPrestoSecretName, "PRESTO_SECRET_NAME", T::kText, "", false,
     "Secrets Manager secret whose `host`, `port`, `username`, `password` fill `PRESTO_*`"},
    {Setting::kTrinoToken, "CREDITBOT_TRINO_TOKEN", T::kText, "", true,
     "Trino JWT bearer token (instead of `PRESTO_PASSWORD`; https only)"},
    {Setting::kTrinoCaBundle, "CREDITBOT_TRINO_CA_BUNDLE", T::kLocalPath, "", false,
     "PEM file of the CAs to trust for the warehouse", kFromAnywhere, "", "system CAs"},
    {Setting::kTrinoQueryTimeoutSeconds, "CREDITBOT_TRINO_QUERY_TIMEOUT_SECONDS", T::kPositiveInt, "300",
     false, "a warehouse query running longer is cancelled"},
    {Setting::kTrinoSession, "CREDITBOT_TRINO_SESSION", T::kList, "", false,
     "Trino session properties `name=value,…`"},
    // Local far ends and stores
    {Setting::kHome, "CREDITBOT_HOME", T::kLocalPath, ".creditbot", false,
     "working folder of the embedded default (state, outbox, audit, warehouse); created when missing"},
    {Setting::kInbox, "CREDITBOT_INBOX", T::kLocalPath, "data/sample/inbox.jsonl", false,
     "local inbox (without Slack): Slack message events, one JSON object per line"},
    {Setting::kOutbox, "CREDITBOT_OUTBOX", T::kLocalPath, "", false,
     "local outbox: `chat.postMessage` payloads, one per line", kFromAnywhere, "",
     "`$CREDITBOT_HOME/outbox.jsonl`"},
    {Setting::kLookCatalog, "CREDITBOT_LOOK_CATALOG", T::kLocalPath, "data/sample/looks", false,
     "local look catalog: `<look id>.sql`, `query-<qid or share slug>.sql`; the sample is used only "
     "without Slack"},
    {Setting::kState, "CREDITBOT_STATE", T::kStateUrl, "", false,
     "state store: `sqlite:PATH` or `s3://BUCKET/KEY` (one JSON object, conditional writes)", kFromAnywhere,
     "", "`sqlite:$CREDITBOT_HOME/state.db`; with `S3_BUCKET`, `s3://$S3_BUCKET/$S3_STATE_KEY`"},
    {Setting::kAuditDir, "CREDITBOT_AUDIT_DIR", T::kAuditLocation, "", false,
     "audit records (`<execution id>/result.json`): a folder or `s3://BUCKET/PREFIX/`", kFromAnywhere, "",
     "`$CREDITBOT_HOME/audit`; with `S3_BUCKET`, `s3://$S3_BUCKET/$S3_OUTPUT_PREFIX/`"},
    {Setting::kPolicyDir, "CREDITBOT_POLICY_DIR", T::kLocalPath, "", false,
     "folder of credit policy `*.toml` files", kFromAnywhere, "", "built in (`policy/`)"},
    {Setting::kSqlDir, "CREDITBOT_SQL_DIR", T::kLocalPath, "", false,
     "folder overriding the warehouse SQL files", kFromAnywhere, "", "built in (`sql/`)"},
    // Behaviour
    {Setting::kDryRun, "DRY_RUN", T::kBool, "true", false,
     "print replies and write them to the outbox marked as a dry run; never post (`--live` = `false`)"},
    {Setting::kMaxAttempts, "CREDITBOT_MAX_ATTEMPTS", T::kPositiveInt, "5", false,
     "attempts for a request that keeps failing transiently"},
    {Setting::kRetryBackoffSeconds, "CREDITBOT_RETRY_BACKOFF_SECONDS", T::kPositiveInt, "900", false,
     "first retry delay, doubled each attempt"},
    {Setting::kClaimLeaseSeconds, "CREDITBOT_CLAIM_LEASE_SECONDS", T::kPositiveInt,
     DecimalText<kDefaultClaimLeaseSeconds>::kView, false, "how long a claim (and the pass lease) holds"},
    {Setting::kStateRetentionDays, "CREDITBOT_STATE_RETENTION_DAYS", T::kPositiveInt, "90", false,
     "finished state entries older than this are removed"},
    {Setting::kMaxReportRows, "CREDITBOT_MAX_REPORT_ROWS", T::kPositiveInt,
     DecimalText<kDefaultMaxReportRows>::kView, false,
     "the most fraud-report rows one calculation reads: a larger report fails that request at once, telling "
     "the owner (final, never retried), instead of exhausting the pod's memory; the default fits "
     "`deploy/k8s`'s memory limits"},
    {Setting::kLogLevel, "CREDITBOT_LOG_LEVEL", T::kChoice, "info", false, "the least level logged",
     kFromAnywhere, "debug, info, warn, warning, error"},
    {Setting::kLogFormat, "CREDITBOT_LOG_FORMAT", T::kChoice, "auto", false,
     "`auto`: text on a terminal, JSON lines otherwise", kFromAnywhere, "auto, text, json"},
    {Setting::kLogFile, "CREDITBOT_LOG_FILE", T::kLocalPath, "", false,
     "also append JSON log lines to this file"},
    // AWS
    {Setting::kAwsSecretName, "AWS_SECRET_NAME", T::kText, "", false,
     "the seed's Secrets Manager secret (a JSON object of setting names)", kNotFromSecret},
    {Setting::kSecretId, "CREDITBOT_SECRET_ID", T::kText, "", false,
     "Secrets Manager secret (a JSON object of setting names); wins over `AWS_SECRET_NAME`", kNotFromSecret},
    {Setting::kS3Bucket, "S3_BUCKET", T::kText, "", false,
     "the seed's bucket for state and audit; AWS credentials from the environment, EKS IRSA, the container "
     "endpoint or IMDSv2; region `AWS_REGION`; endpoints `AWS_ENDPOINT_URL[_S3/_STS/_SECRETS_MANAGER/"
     "_SAGEMAKER/_ATHENA]`"},
    {Setting::kS3StateKey, "S3_STATE_KEY", T::kText, kDefaultS3StateKey, false, "S3 key of the state object"},
    {Setting::kS3OutputPrefix, "S3_OUTPUT_PREFIX", T::kText, "outputs", false,
     "S3 prefix of the audit records"},
    {Setting::kSagemakerImageUri, "SAGEMAKER_IMAGE_URI", T::kText, "", false,
     "`sagemaker` executor: the processing image"},
    {Setting::kSagemakerRoleArn, "SAGEMAKER_ROLE_ARN", T::kText, "", false,
     "`sagemaker` executor: the execution role"},
    {Setting::kSagemakerInstanceType, "SAGEMAKER_INSTANCE_TYPE", T::kText, "ml.t3.medium", false,
     "`sagemaker` executor: the instance type"},
    {Setting::kSagemakerMaxRuntime, "SAGEMAKER_MAX_RUNTIME", T::kPositiveInt, "600", false,
     "`sagemaker` executor: MaxRuntimeInSeconds"},
    // Executors
    {Setting::kExecutor, "CREDITBOT_EXECUTOR", T::kChoice, "native", false,
     "where the calculation runs: `native` (in process), `sagemaker` (a Processing Job running `creditbot "
     "calc`; needs `SAGEMAKER_IMAGE_URI`, `SAGEMAKER_ROLE_ARN`, `S3_BUCKET`), `notebook` (papermill; needs "
     "`CREDITBOT_NOTEBOOK_PATH`)",
     kFromAnywhere, "native, sagemaker, notebook"},
    {Setting::kNotebookPath, "CREDITBOT_NOTEBOOK_PATH", T::kLocalPath, "", false,
     "`notebook` executor: the notebook (.ipynb); it gets the SQL and the claim date as the papermill "
     "parameters `looker` and `claim_date`"},
    {Setting::kPapermill, "CREDITBOT_PAPERMILL", T::kText, "papermill", false,
     "`notebook` executor: the papermill program (a name searched on PATH, or a path)"},
    {Setting::kNotebookTimeoutSeconds, "CREDITBOT_NOTEBOOK_TIMEOUT_SECONDS", T::kPositiveInt, "600", false,
     "`notebook` executor: a notebook running longer is killed"},
}};

constexpr bool TableFollowsTheEnum() {
  for (std::size_t i = 0; i < kSettingTable.size(); ++i) {
    if (static_cast<std::size_t>(kSettingTable[i].id) != i) return false;
  }
  return true;
}
static_assert(TableFollowsTheEnum(), "kSettingTable must list the settings in the order of enum Setting");

}  // namespace

const std::vector<SettingInfo>& AllSettings() {
  static const std::vector<SettingInfo> settings(kSettingTable.begin(), kSettingTable.end());
  return settings;
}

const SettingInfo& Info(Setting setting) { return kSettingTable[static_cast<std::size_t>(setting)]; }

std::string_view Name(Setting setting) { return Info(setting).name; }

std::optional<Setting> FindSetting(std::string_view name) {
  for (const SettingInfo& info : kSettingTable) {
    if (info.name == name) return info.id;
  }
  return std::nullopt;
}

std::string ClosestSettingName(std::string_view name) {
  std::vector<std::string> names;
  names.reserve(kSettingTable.size());
  for (const SettingInfo& info : kSettingTable) names.emplace_back(info.name);
  return ClosestName(name, names);
}

std::string_view ExpectedForm(SettingType type) {
  switch (type) {
    case T::kText:
      return "text";
    case T::kBool:
      return "true or false";
    case T::kPositiveInt:
      return "a positive whole number";
    case T::kNonNegativeInt:
      return "a whole number, 0 or more";
    case T::kList:
      return "a comma-separated list";
    case T::kChoice:
      return "one of the listed values";
    case T::kLocalPath:
      return "a local path (not a URL)";
    case T::kHttpUrl:
      return "an http:// or https:// URL";
    case T::kWarehouseUrl:
      return "sqlite:PATH, trino://USER@HOST[:PORT][/CATALOG[/SCHEMA]], "
             "presto://USER@HOST[:PORT][/CATALOG[/SCHEMA]] or "
             "athena://WORKGROUP/CATALOG/DATABASE?output=s3://BUCKET/PREFIX/";
    case T::kStateUrl:
      return "sqlite:PATH or s3://BUCKET/KEY";
    case T::kAuditLocation:
      return "a local folder PATH or s3://BUCKET/PREFIX/";
  }
  return "text";
}

std::string UnknownSetting::Message() const {
  return absl::StrCat(name, " (", source, ") is not a setting",
                      suggestion.empty() ? "" : absl::StrCat("; did you mean ", suggestion, "?"));
}

namespace {

std::string_view TypeLabel(const SettingInfo& info) {
  if (info.secret) return "secret";
  switch (info.type) {
    case T::kBool:
      return "bool";
    case T::kPositiveInt:
    case T::kNonNegativeInt:
      return "number";
    case T::kList:
      return "list";
    case T::kChoice:
      return "choice";
    case T::kLocalPath:
      return "path";
    case T::kHttpUrl:
      return "URL";
    case T::kWarehouseUrl:
    case T::kStateUrl:
    case T::kAuditLocation:
      return "location";
    case T::kText:
      return "text";
  }
  return "text";
}

}  // namespace

std::string SettingsMarkdownTable() {
  std::string out = "| setting | type | default | meaning |\n|---|---|---|---|\n";
  for (const SettingInfo& info : kSettingTable) {
    std::string shown_default = !info.shown_default.empty() ? std::string(info.shown_default)
                                : info.default_value.empty()
                                    ? "—"
                                    : absl::StrCat("`", ToAbsl(info.default_value), "`");
    std::string meaning(info.help);
    if (info.type == T::kChoice) absl::StrAppend(&meaning, " (", ToAbsl(info.choices), ")");
    if (info.sources == kNotFromSecret) absl::StrAppend(&meaning, "; not read from a secret");
    absl::StrAppend(&out, "| `", ToAbsl(info.name), "` | ", ToAbsl(TypeLabel(info)), " | ", shown_default,
                    " | ", meaning, " |\n");
  }
  return out;
}

namespace {

absl::Status LoadConfigFile(const std::string& path, RawSettings& raw) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  absl::StatusOr<toml::table> parsed = ParseTomlDocument(text, absl::StrCat("config file ", path));
  if (!parsed.ok()) return parsed.status();
  const toml::table& table = *parsed;
  const std::string source = absl::StrCat("config file ", path);
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    const std::optional<Setting> setting = FindSetting(name);
    if (!setting) {
      raw.unknown.push_back({name, source, ClosestSettingName(name)});
      continue;
    }
    std::string value;
    if (const auto* string_value = node.as_string())
      value = string_value->get();
    else if (const auto* i = node.as_integer())
      value = std::to_string(i->get());
    else if (const auto* b = node.as_boolean())
      value = b->get() ? "true" : "false";
    else if (const auto* a = node.as_array()) {
      std::vector<std::string> items;
      for (const auto& item : *a) {
        if (const auto* string_item = item.as_string())
          items.push_back(string_item->get());
        else
          return absl::InvalidArgumentError(absl::StrCat(source, ": ", name, ": a list must hold strings"));
      }
      value = absl::StrJoin(items, ",");
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ": ", name, ": expected a string, integer, boolean or list"));
    }
    raw[*setting] = {value, source};
  }
  return absl::OkStatus();
}

// "NAME='value' (from SOURCE)", or without the value for a secret.
std::string Described(Setting setting, const RawSettings::Entry& entry) {
  const SettingInfo& info = Info(setting);
  if (info.secret) return absl::StrCat(ToAbsl(info.name), " (from ", entry.source, ")");
  return absl::StrCat(ToAbsl(info.name), "='", entry.value, "' (from ", entry.source, ")");
}

absl::Status Refuse(Setting setting, const RawSettings::Entry& entry, std::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(Described(setting, entry), ": expected ", ToAbsl(expected)));
}

bool ParseBoolText(std::string_view text, bool& out) {
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(ToAbsl(text)));
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") {
    out = true;
    return true;
  }
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") {
    out = false;
    return true;
  }
  return false;
}

bool HasScheme(absl::string_view value) {
  const std::size_t colon = value.find("://");
  return colon != absl::string_view::npos && colon > 0;
}

// Checks `setting`'s raw value against its type (kSettingTable). One line naming the setting, its source
// and the accepted forms.
absl::Status CheckType(const RawSettings& raw, Setting setting) {
  const SettingInfo& info = Info(setting);
  const RawSettings::Entry& entry = raw[setting];
  const absl::string_view value = absl::StripAsciiWhitespace(entry.value);
  if (value.empty() && info.type != T::kBool && info.type != T::kPositiveInt &&
      info.type != T::kNonNegativeInt && info.type != T::kChoice) {
    return absl::OkStatus();
  }
  switch (info.type) {
    case T::kText:
    case T::kList:
      return absl::OkStatus();
    case T::kBool: {
      bool ignored = false;
      return ParseBoolText(ToStd(value), ignored) ? absl::OkStatus()
                                                  : Refuse(setting, entry, ExpectedForm(info.type));
    }
    case T::kPositiveInt:
    case T::kNonNegativeInt: {
      int number = 0;
      const bool ok = absl::SimpleAtoi(value, &number) &&
                      (number > 0 || (number == 0 && info.type == T::kNonNegativeInt));
      return ok ? absl::OkStatus() : Refuse(setting, entry, ExpectedForm(info.type));
    }
    case T::kChoice: {
      const std::string lower = absl::AsciiStrToLower(value);
      for (absl::string_view choice : absl::StrSplit(ToAbsl(info.choices), ", ")) {
        if (lower == choice) return absl::OkStatus();
      }
      return Refuse(setting, entry, absl::StrCat("one of ", ToAbsl(info.choices)));
    }
    case T::kLocalPath:
      return HasScheme(value) ? Refuse(setting, entry, ExpectedForm(info.type)) : absl::OkStatus();
    case T::kHttpUrl: {
      const std::string lower = absl::AsciiStrToLower(value);
      const bool ok = (absl::StartsWith(lower, "http://") && lower.size() > 7) ||
                      (absl::StartsWith(lower, "https://") && lower.size() > 8);
      return ok ? absl::OkStatus() : Refuse(setting, entry, ExpectedForm(info.type));
    }
    case T::kWarehouseUrl: {
      absl::string_view rest = value;
      bool ok = false;
      if (absl::ConsumePrefix(&rest, "sqlite:")) {
        absl::ConsumePrefix(&rest, "//");
        ok = !rest.empty();
      } else if (absl::ConsumePrefix(&rest, "trino://") || absl::ConsumePrefix(&rest, "presto://")) {
        ok = !rest.empty();
      } else if (absl::StartsWith(value, "athena://")) {
        // Every part is checked here, at start: a workgroup, catalog, database and output location.
        absl::StatusOr<AthenaOptions> athena = ParseAthenaUrl(ToStd(value));
        if (!athena.ok()) {
          return absl::InvalidArgumentError(
              absl::StrCat(Described(setting, entry), ": ", athena.status().message()));
        }
        ok = true;
      }
      return ok ? absl::OkStatus() : Refuse(setting, entry, ExpectedForm(info.type));
    }
    case T::kStateUrl: {
      absl::string_view rest = value;
      bool ok = false;
      if (absl::ConsumePrefix(&rest, "sqlite:")) {
        absl::ConsumePrefix(&rest, "//");
        ok = !rest.empty();
      } else if (absl::ConsumePrefix(&rest, "s3://")) {
        const std::size_t slash = rest.find('/');
        ok = slash != absl::string_view::npos && slash > 0 && slash + 1 < rest.size();
      }
      return ok ? absl::OkStatus() : Refuse(setting, entry, ExpectedForm(info.type));
    }
    case T::kAuditLocation: {
      absl::string_view rest = value;
      bool ok = true;
      if (absl::ConsumePrefix(&rest, "s3://")) {
        ok = !rest.empty() && rest[0] != '/';
      } else if (HasScheme(value) || absl::StartsWith(value, "sqlite:") || absl::StartsWith(value, "s3:")) {
        ok = false;
      }
      return ok ? absl::OkStatus() : Refuse(setting, entry, ExpectedForm(info.type));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> ParseList(std::string_view text) {
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(ToAbsl(text), ',', absl::SkipWhitespace())) {
    items.emplace_back(absl::StripAsciiWhitespace(item));
  }
  return items;
}

// Typed reads of values CheckType has accepted.
bool GetBool(const RawSettings& raw, Setting setting) {
  bool value = false;
  ParseBoolText(raw[setting].value, value);
  return value;
}
int GetInt(const RawSettings& raw, Setting setting) {
  int value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(raw[setting].value), &value)) return 0;
  return value;
}

// One layer of settings (in order; later pairs win), where they came from, and which kind of source it is.
struct Layer {
  std::string source;
  unsigned kind = kFromAnywhere;
  std::vector<std::pair<Setting, std::string>> values;
};

// The value and source `setting` ends with once `upper` is applied over `raw`.
RawSettings::Entry Effective(const RawSettings& raw, const std::vector<Layer>& upper, Setting setting) {
  RawSettings::Entry entry = raw[setting];
  for (const Layer& layer : upper) {
    for (const auto& [key, value] : layer.values) {
      if (key == setting) entry = {value, layer.source};
    }
  }
  return entry;
}

// A JSON scalar as setting text: strings as they are, numbers and booleans as their JSON text.
std::optional<std::string> ScalarText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return std::nullopt;
}

// Fetches secret `id` (named by `setting`, from `source`) and parses it as a JSON object. Errors name the
// secret, the setting and its source, never the secret's text.
absl::StatusOr<nlohmann::json> FetchSecretObject(const ConfigInputs& inputs, const std::string& id,
                                                 Setting setting, std::string_view source) {
  const std::string what =
      absl::StrCat("secret '", id, "' (", ToAbsl(Name(setting)), ", from ", ToAbsl(source), ")");
  if (!inputs.secret_fetcher) {
    return absl::FailedPreconditionError(absl::StrCat(what, ": no Secrets Manager access is configured"));
  }
  absl::StatusOr<std::string> text = inputs.secret_fetcher(id);
  if (!text.ok())
    return absl::Status(text.status().code(), absl::StrCat(what, ": ", text.status().message()));
  nlohmann::json json = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": expected a JSON object of setting names and values"));
  }
  return json;
}

// The Secrets Manager layer (see config.h), written into `raw` over the config file.
absl::Status ApplySecretLayer(const ConfigInputs& inputs, const std::vector<Layer>& upper, RawSettings& raw) {
  RawSettings::Entry id = Effective(raw, upper, Setting::kSecretId);
  Setting id_setting = Setting::kSecretId;
  if (id.value.empty()) {
    id = Effective(raw, upper, Setting::kAwsSecretName);
    id_setting = Setting::kAwsSecretName;
  }
  if (!id.value.empty()) {
    CREDITBOT_ASSIGN_OR_RETURN(nlohmann::json secret,
                               FetchSecretObject(inputs, id.value, id_setting, id.source));
    const std::string source = absl::StrCat("secret ", id.value);
    for (const auto& [name, value] : secret.items()) {
      std::optional<std::string> text = ScalarText(value);
      const std::optional<Setting> setting = FindSetting(name);
      if (text && !text->empty() && (!setting || Info(*setting).secret))
        raw.extra_secret_values.push_back(*text);
      if (!setting) {
        raw.unknown.push_back({name, source, ClosestSettingName(name)});
        continue;
      }
      if (!text) {
        raw.notes.push_back(absl::StrCat(source, ": ignoring non-scalar value of ", name));
        continue;
      }
      if ((Info(*setting).sources & kFromSecret) == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ": ", name,
                         " names a secret and cannot be read from one; set it in "
                         "the config file, .env, the environment or --set"));
      }
      raw[*setting] = {*text, source};
    }
  }
  const RawSettings::Entry presto = Effective(raw, upper, Setting::kPrestoSecretName);
  if (!presto.value.empty()) {
    CREDITBOT_ASSIGN_OR_RETURN(
        nlohmann::json secret,
        FetchSecretObject(inputs, presto.value, Setting::kPrestoSecretName, presto.source));
    const std::string source = absl::StrCat("secret ", presto.value);
    for (const auto& [key, value] : secret.items()) {
      std::optional<std::string> text = ScalarText(value);
      const std::optional<Setting> setting = key == "host"       ? std::optional(Setting::kPrestoHost)
                                             : key == "port"     ? std::optional(Setting::kPrestoPort)
                                             : key == "username" ? std::optional(Setting::kPrestoUsername)
                                             : key == "password" ? std::optional(Setting::kPrestoPassword)
                                                                 : std::nullopt;
      if (!setting || !text) {
        if (text && !text->empty()) raw.extra_secret_values.push_back(*text);
        raw.notes.push_back(absl::StrCat(source, ": ignoring ", key));
        continue;
      }
      if (*setting == Setting::kPrestoPassword && !text->empty()) raw.extra_secret_values.push_back(*text);
      raw[*setting] = {*text, source};
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RawSettings> LoadRawSettings(const ConfigInputs& inputs) {
  RawSettings raw;
  for (const SettingInfo& info : kSettingTable) raw[info.id] = {std::string(info.default_value), "default"};
  if (!inputs.config_file.empty()) CREDITBOT_RETURN_IF_ERROR(LoadConfigFile(inputs.config_file, raw));

  // The layers above the secrets are read first (they may name the secret), applied after it.
  std::vector<Layer> upper;
  std::error_code ec;
  if (inputs.env_file_explicit ||
      (!inputs.env_file.empty() && std::filesystem::exists(inputs.env_file, ec))) {
    CREDITBOT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(inputs.env_file));
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> pairs = ParseEnvFile(text);
    if (!pairs.ok())
      return absl::InvalidArgumentError(absl::StrCat(inputs.env_file, ": ", pairs.status().message()));
    Layer& layer = upper.emplace_back();
    layer.source = inputs.env_file;
    layer.kind = kFromEnvFile;
    for (auto& [name, value] : *pairs) {
      const std::optional<Setting> setting = FindSetting(name);
      if (!setting) {
        raw.unknown.push_back({name, inputs.env_file, ClosestSettingName(name)});
        continue;
      }
      layer.values.emplace_back(*setting, value);
    }
  }
  if (inputs.environ != nullptr) {
    Layer& layer = upper.emplace_back();
    layer.source = "environment";
    layer.kind = kFromEnvironment;
    for (const char* const* entry = inputs.environ; *entry != nullptr; ++entry) {
      std::string_view pair(*entry);
      std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string_view name = pair.substr(0, eq);
      if (const std::optional<Setting> setting = FindSetting(name)) {
        layer.values.emplace_back(*setting, std::string(pair.substr(eq + 1)));
      } else if (name.starts_with("CREDITBOT_")) {
        raw.unknown.push_back({std::string(name), "environment", ClosestSettingName(name)});
      }
    }
  }
  {
    Layer& layer = upper.emplace_back();
    layer.source = "command line";
    layer.kind = kFromCommandLine;
    for (const std::string& override_text : inputs.overrides) {
      std::size_t eq = override_text.find('=');
      if (eq == std::string::npos)
        return absl::InvalidArgumentError(absl::StrCat("--set ", override_text, ": expected NAME=VALUE"));
      const std::string name = override_text.substr(0, eq);
      const std::optional<Setting> setting = FindSetting(name);
      if (!setting) {
        const std::string closest = ClosestSettingName(name);
        return absl::InvalidArgumentError(absl::StrCat("--set: unknown setting '", name, "'",
                                                       closest.empty() ? "" : "; did you mean ", closest,
                                                       closest.empty() ? "" : "?"));
      }
      layer.values.emplace_back(*setting, override_text.substr(eq + 1));
    }
  }

  CREDITBOT_RETURN_IF_ERROR(ApplySecretLayer(inputs, upper, raw));
  for (const Layer& layer : upper) {
    for (const auto& [setting, value] : layer.values) raw[setting] = {value, layer.source};
  }
  if (inputs.strict && !raw.unknown.empty()) {
    std::vector<std::string> messages;
    for (const UnknownSetting& unknown : raw.unknown) messages.push_back(unknown.Message());
    return absl::InvalidArgumentError(absl::StrCat(absl::StrJoin(messages, "; "), " (--strict)"));
  }
  return raw;
}

absl::StatusOr<std::string> SqlitePathFromUrl(std::string_view url_text, std::string_view setting_text) {
  const absl::string_view url = ToAbsl(url_text);
  const absl::string_view setting = ToAbsl(setting_text);
  absl::string_view path = url;
  if (absl::ConsumePrefix(&path, "sqlite:")) {
    absl::ConsumePrefix(&path, "//");
    if (path.empty())
      return absl::InvalidArgumentError(absl::StrCat(setting, "='", url, "': sqlite: needs a path"));
    return std::string(path);
  }
  if (absl::StartsWith(url, "trino://") || absl::StartsWith(url, "presto://")) {
    return absl::UnimplementedError(
        absl::StrCat(setting, "='", url, "': trino:// and presto:// name a warehouse (CREDITBOT_WAREHOUSE), ",
                     "not a SQLite file; use sqlite:PATH"));
  }
  if (absl::StartsWith(url, "s3://")) {
    return absl::UnimplementedError(
        absl::StrCat(setting, "='", url,
                     "': s3:// names an S3 state object (opened by OpenStateStore), not a SQLite file"));
  }
  return absl::InvalidArgumentError(absl::StrCat(setting, "='", url, "': expected sqlite:PATH"));
}

absl::Status RequireNoStandIns(const Config& config, const std::vector<StandIn>& parts) {
  if (config.slack_bot_token.empty()) return absl::OkStatus();
  std::vector<std::string> missing;
  for (StandIn part : parts) {
    if (part == StandIn::kWarehouse && !config.warehouse_explicit) {
      missing.push_back("the warehouse (CREDITBOT_WAREHOUSE or PRESTO_HOST)");
    }
    if (part == StandIn::kLookSource && !config.look_catalog_explicit && config.looker_client_id.empty() &&
        config.looker_client_secret.empty()) {
      missing.push_back(
          "the look source (LOOKER_CLIENT_ID and LOOKER_CLIENT_SECRET, or CREDITBOT_LOOK_CATALOG)");
    }
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "SLACK_BOT_TOKEN is set, so the embedded default's synthetic warehouse and sample looks are "
      "not used: set ",
      absl::StrJoin(missing, " and ")));
}

namespace {

// CREDITBOT_EXECUTOR and what the chosen executor needs (checked by OpenExecutor, so that commands that
// run no calculation still start).
void BuildExecutorSettings(const RawSettings& raw, Config& config) {
  auto get = [&raw](Setting setting) -> const std::string& { return raw[setting].value; };
  Config::ExecutorSettings& e = config.executor;
  e.kind = absl::AsciiStrToLower(absl::StripAsciiWhitespace(get(Setting::kExecutor)));
  e.notebook_path = get(Setting::kNotebookPath);
  e.papermill = get(Setting::kPapermill);
  if (e.papermill.empty()) e.papermill = "papermill";
  e.notebook_timeout = absl::Seconds(GetInt(raw, Setting::kNotebookTimeoutSeconds));
  e.sagemaker_image_uri = get(Setting::kSagemakerImageUri);
  e.sagemaker_role_arn = get(Setting::kSagemakerRoleArn);
  e.sagemaker_instance_type = get(Setting::kSagemakerInstanceType);
  e.sagemaker_max_runtime = absl::Seconds(GetInt(raw, Setting::kSagemakerMaxRuntime));
  e.container_settings.clear();
  e.container_settings[std::string(Name(Setting::kWarehouse))] = config.warehouse_url;
  for (Setting setting : {Setting::kTrinoQueryTimeoutSeconds, Setting::kTrinoSession, Setting::kSecretId,
                          Setting::kAwsSecretName, Setting::kPrestoSecretName, Setting::kLookerBaseUrl,
                          Setting::kSlackChannels}) {
    if (!get(setting).empty()) e.container_settings[std::string(Name(setting))] = get(setting);
  }
}

}  // namespace

namespace {

// Looker's client secret is sent in the login body: over plain http only to this host, or when
// CREDITBOT_LOOKER_ALLOW_INSECURE_HTTP says so (the Trino client refuses the same for its password).
absl::Status CheckLookerCredentialsStayEncrypted(const Config& config, bool allow_insecure_http) {
  if (config.looker_client_secret.empty() || allow_insecure_http) return absl::OkStatus();
  absl::StatusOr<LookerBase> api = ParseLookerBase(config.looker_api_url);
  if (!api.ok() || api->scheme != "http" || IsLoopbackHost(api->host)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "LOOKER_CLIENT_SECRET would be sent in the clear to ", api->Origin(),
      "; use an https:// CREDITBOT_LOOKER_API_URL, or set CREDITBOT_LOOKER_ALLOW_INSECURE_HTTP=true on a "
      "network you trust"));
}

// Sign in with Slack: SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and CREDITBOT_PUBLIC_URL all or none (and
// CREDITBOT_SLACK_TEAM_ID only with them); the redirect URI must be https, http only on loopback, since the
// sign-in cookie is Secure and the code travels in it.
absl::Status BuildSlackSignIn(const RawSettings& raw, Config& config) {
  config.slack_client_id = std::string(absl::StripAsciiWhitespace(raw[Setting::kSlackClientId].value));
  config.slack_client_secret = raw[Setting::kSlackClientSecret].value;
  config.public_url = std::string(absl::StripAsciiWhitespace(raw[Setting::kPublicUrl].value));
  while (absl::EndsWith(config.public_url, "/")) config.public_url.pop_back();
  config.slack_team_id = std::string(absl::StripAsciiWhitespace(raw[Setting::kSlackTeamId].value));
  std::vector<std::string> set;
  std::vector<std::string> missing;
  for (Setting setting : {Setting::kSlackClientId, Setting::kSlackClientSecret, Setting::kPublicUrl}) {
    (raw[setting].value.empty() ? missing : set).emplace_back(Name(setting));
  }
  if (!set.empty() && !missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Sign in with Slack is half configured: ", absl::StrJoin(set, " and "), " set but not ",
                     absl::StrJoin(missing, " and ")));
  }
  if (set.empty()) {
    if (!config.slack_team_id.empty()) {
      return absl::InvalidArgumentError(
          "CREDITBOT_SLACK_TEAM_ID is set but Sign in with Slack is not: set SLACK_CLIENT_ID, "
          "SLACK_CLIENT_SECRET and CREDITBOT_PUBLIC_URL");
    }
    return absl::OkStatus();
  }
  absl::StatusOr<ParsedUrl> url = ParseUrl(config.public_url);
  if (!url.ok() || url->query || !url->fragment.empty() || url->user ||
      (url->scheme != "https" && !(url->scheme == "http" && IsLoopbackHost(url->host)))) {
    return absl::InvalidArgumentError(absl::StrCat(
        Described(Setting::kPublicUrl, raw[Setting::kPublicUrl]),
        ": expected the dashboard's https:// address without query (http:// only on loopback), as browsers "
        "reach it"));
  }
  config.slack_redirect_uri = config.public_url + "/auth/slack/callback";
  return absl::OkStatus();
}

// CREDITBOT_TRINO_SESSION: comma-separated name=value session properties.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseTrinoSession(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> session;
  for (const std::string& property : ParseList(text)) {
    const std::size_t eq = property.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("CREDITBOT_TRINO_SESSION: '", property, "' is not name=value"));
    }
    session.emplace_back(property.substr(0, eq), property.substr(eq + 1));
  }
  return session;
}

// The seed's way of naming the warehouse: PRESTO_HOST, PRESTO_PORT, PRESTO_USERNAME (TLS on), as a
// trino:// URL. kInvalidArgument without a user.
absl::StatusOr<std::string> PrestoWarehouseUrl(const RawSettings& raw) {
  auto get = [&raw](Setting setting) -> const std::string& { return raw[setting].value; };
  if (get(Setting::kPrestoUsername).empty()) {
    return absl::InvalidArgumentError(
        "PRESTO_HOST is set but PRESTO_USERNAME is not: set the warehouse user");
  }
  return absl::StrCat("trino://", get(Setting::kPrestoUsername), "@", get(Setting::kPrestoHost),
                      get(Setting::kPrestoPort).empty() ? "" : ":", get(Setting::kPrestoPort));
}

}  // namespace

absl::StatusOr<Config> BuildConfig(const RawSettings& raw) {
  for (const SettingInfo& info : kSettingTable) CREDITBOT_RETURN_IF_ERROR(CheckType(raw, info.id));
  auto get = [&raw](Setting setting) -> const std::string& { return raw[setting].value; };
  Config config;
  config.slack_bot_token = get(Setting::kSlackBotToken);
  config.slack_user_id = get(Setting::kSlackUserId);
  config.slack_channels = ParseList(get(Setting::kSlackChannels));
  config.slack_allowed_bot_ids = ParseList(get(Setting::kSlackAllowedBotIds));
  config.slack_own_user_id = get(Setting::kSlackOwnUserId);
  config.slack_own_bot_id = get(Setting::kSlackOwnBotId);
  config.approvers = ParseList(get(Setting::kApprovers));
  if (absl::Status approvers = ParseApproverIds(config.approvers).status(); !approvers.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Described(Setting::kApprovers, raw[Setting::kApprovers]), ": ", approvers.message()));
  }
  CREDITBOT_RETURN_IF_ERROR(BuildSlackSignIn(raw, config));
  config.slack_app_token = get(Setting::kSlackAppToken);
  config.slack_signing_secret = get(Setting::kSlackSigningSecret);
  config.slack_api_url = get(Setting::kSlackApiUrl);
  config.http_addr = get(Setting::kHttpAddr);
  config.api_token = get(Setting::kApiToken);
  config.looker_base_url = get(Setting::kLookerBaseUrl);
  config.looker_api_url = get(Setting::kLookerApiUrl);
  if (config.looker_api_url.empty()) config.looker_api_url = config.looker_base_url;
  config.looker_client_id = get(Setting::kLookerClientId);
  config.looker_client_secret = get(Setting::kLookerClientSecret);
  CREDITBOT_RETURN_IF_ERROR(
      CheckLookerCredentialsStayEncrypted(config, GetBool(raw, Setting::kLookerAllowInsecureHttp)));
  config.work_dir = get(Setting::kHome);
  config.inbox_path = get(Setting::kInbox);
  config.outbox_path = get(Setting::kOutbox);
  config.look_catalog_dir = get(Setting::kLookCatalog);
  config.look_catalog_explicit = !raw.IsDefault(Setting::kLookCatalog) && !config.look_catalog_dir.empty();
  config.warehouse_url = get(Setting::kWarehouse);
  config.warehouse_explicit = !config.warehouse_url.empty() || !get(Setting::kPrestoHost).empty();
  config.trino.password = get(Setting::kPrestoPassword);
  config.trino.bearer_token = get(Setting::kTrinoToken);
  config.trino.ca_bundle = get(Setting::kTrinoCaBundle);
  config.trino.query_timeout = absl::Seconds(GetInt(raw, Setting::kTrinoQueryTimeoutSeconds));
  CREDITBOT_ASSIGN_OR_RETURN(config.trino.session, ParseTrinoSession(get(Setting::kTrinoSession)));
  config.state_url = get(Setting::kState);
  config.audit_dir = get(Setting::kAuditDir);
  config.s3_bucket = get(Setting::kS3Bucket);
  config.s3_state_key = get(Setting::kS3StateKey);
  config.s3_output_prefix = get(Setting::kS3OutputPrefix);
  config.policy_dir = get(Setting::kPolicyDir);
  if (config.work_dir.empty())
    return absl::InvalidArgumentError("CREDITBOT_HOME is empty: set it to a working folder");
  if (config.outbox_path.empty()) config.outbox_path = config.work_dir + "/outbox.jsonl";
  if (config.warehouse_url.empty() && !get(Setting::kPrestoHost).empty()) {
    CREDITBOT_ASSIGN_OR_RETURN(config.warehouse_url, PrestoWarehouseUrl(raw));
  }
  if (config.warehouse_url.empty()) config.warehouse_url = "sqlite:" + config.work_dir + "/warehouse.db";
  if (config.state_url.empty()) config.state_url = "sqlite:" + config.work_dir + "/state.db";
  if (config.audit_dir.empty()) config.audit_dir = config.work_dir + "/audit";
  config.sql_dir = get(Setting::kSqlDir);
  config.dry_run = GetBool(raw, Setting::kDryRun);
  config.max_attempts = GetInt(raw, Setting::kMaxAttempts);
  config.max_report_rows = GetInt(raw, Setting::kMaxReportRows);
  config.retry_backoff = absl::Seconds(GetInt(raw, Setting::kRetryBackoffSeconds));
  config.claim_lease = absl::Seconds(GetInt(raw, Setting::kClaimLeaseSeconds));
  config.state_retention_days = GetInt(raw, Setting::kStateRetentionDays);
  config.slack_post_interval = absl::Milliseconds(GetInt(raw, Setting::kSlackPostIntervalMs));
  config.slack_lookback = absl::Hours(GetInt(raw, Setting::kSlackLookbackHours));
  config.slack_asked_window = absl::Hours(24) * GetInt(raw, Setting::kSlackAskedDays);
  config.catchup_interval = absl::Seconds(GetInt(raw, Setting::kCatchupSeconds));
  config.secret_refresh_interval = absl::Seconds(GetInt(raw, Setting::kSecretRefreshSeconds));
  config.pushgateway_url = get(Setting::kPushgatewayUrl);
  config.metrics_textfile = get(Setting::kMetricsTextfile);
  // Both accepted by CheckType (the table's choices are what these parsers take).
  CREDITBOT_RETURN_IF_ERROR(ParseLogLevel(get(Setting::kLogLevel), config.log.level));
  CREDITBOT_RETURN_IF_ERROR(ParseLogFormat(get(Setting::kLogFormat), config.log.format));
  config.log.file = get(Setting::kLogFile);
  for (const SettingInfo& info : kSettingTable) {
    if (info.secret && !get(info.id).empty()) config.secret_values.push_back(get(info.id));
  }
  for (const std::string& value : raw.extra_secret_values) config.secret_values.push_back(value);
  BuildExecutorSettings(raw, config);
  if (!config.slack_bot_token.empty() && config.slack_channels.empty()) {
    return absl::InvalidArgumentError(
        "SLACK_BOT_TOKEN is set but CREDITBOT_SLACK_CHANNELS is empty: name the channels to read (ids or "
        "names, comma-separated)");
  }
  return config;
}

}  // namespace creditbot
