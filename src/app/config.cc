// Loading, layering and typing of the configuration.
#include "app/config.h"

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
#include "common/embedded_files.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/toml_document.h"

namespace creditbot {

const std::vector<SettingInfo>& AllSettings() {
  static const std::vector<SettingInfo> settings = {
      // Slack
      {"SLACK_BOT_TOKEN", "", true, "bot token (xoxb-…); empty = the local inbox/outbox"},
      {"SLACK_USER_ID", "", false, "owner's Slack user id; errors are sent to this user by DM"},
      {"SLACK_APP_TOKEN", "", true, "app-level token (xapp-…) for Socket Mode"},
      {"SLACK_SIGNING_SECRET", "", true, "signing secret for the Events API"},
      {"CREDITBOT_SLACK_CHANNELS", "", false, "channels to read, comma-separated names or ids"},
      {"CREDITBOT_SLACK_API_URL", "https://slack.com/api/", false, "Slack Web API base URL"},
      {"CREDITBOT_SLACK_ALLOWED_BOT_IDS", "", false,
       "bot ids whose messages are requests (e.g. a Workflow Builder form)"},
      {"CREDITBOT_SLACK_OWN_USER_ID", "", false,
       "the bot's own user id (found with auth.test when Slack is live)"},
      {"CREDITBOT_SLACK_OWN_BOT_ID", "", false, "the bot's own bot id"},
      {"CREDITBOT_SLACK_POST_INTERVAL_MS", "1000", false,
       "least time between two posts to one channel (Slack allows about one a second)"},
      {"CREDITBOT_SLACK_LOOKBACK_HOURS", "24", false,
       "how far back the first pass reads each channel's history"},
      {"CREDITBOT_SLACK_ASKED_DAYS", "7", false,
       "how long a request we asked about is watched for an edit or a thread reply with the link"},
      // The service (`creditbot serve`)
      {"CREDITBOT_HTTP_ADDR", "127.0.0.1:8080", false,
       "serve's HTTP endpoint (/slack/events, /healthz, /readyz, /metrics), host:port"},
      {"CREDITBOT_CATCHUP_SECONDS", "300", false,
       "serve reads every channel's history this often, so nothing posted during a disconnect is missed"},
      {"CREDITBOT_SECRET_REFRESH_SECONDS", "300", false,
       "serve re-reads the configuration (Secrets Manager included) this often, and on SIGHUP; a changed "
       "one takes effect between requests; 0 = only on SIGHUP"},
      // Looker
      {"CREDITBOT_LOOKER_BASE_URL", "https://looker.example.com", false,
       "the only Looker host whose links are followed"},
      {"CREDITBOT_LOOKER_API_URL", "", false,
       "Looker API address (/api/4.0 is appended), e.g. https://acme.looker.com:19999; default "
       "CREDITBOT_LOOKER_BASE_URL"},
      {"LOOKER_CLIENT_ID", "", false, "Looker API client id"},
      {"LOOKER_CLIENT_SECRET", "", true, "Looker API client secret"},
      // Warehouse
      {"CREDITBOT_WAREHOUSE", "", false,
       "warehouse URL: sqlite:PATH, or trino://USER@HOST[:PORT][/CATALOG[/SCHEMA]][?ssl=false] (presto:// "
       "for PrestoDB); default sqlite:$CREDITBOT_HOME/warehouse.db, generated on first use"},
      {"PRESTO_HOST", "", false, "Presto/Trino host (seed name)"},
      {"PRESTO_PORT", "", false, "Presto/Trino port (seed name)"},
      {"PRESTO_USERNAME", "", false, "Presto/Trino user (seed name)"},
      {"PRESTO_PASSWORD", "", true, "Presto/Trino password (seed name)"},
      {"PRESTO_SECRET_NAME", "", false, "Secrets Manager secret with the Presto credentials"},
      {"CREDITBOT_TRINO_TOKEN", "", true,
       "JWT bearer token for the Trino warehouse (instead of PRESTO_PASSWORD; https only)"},
      {"CREDITBOT_TRINO_CA_BUNDLE", "", false,
       "PEM file of the CAs to trust for the Trino warehouse; empty = the system's"},
      {"CREDITBOT_TRINO_QUERY_TIMEOUT_SECONDS", "300", false,
       "a warehouse query running longer is cancelled"},
      {"CREDITBOT_TRINO_SESSION", "", false, "Trino session properties, name=value,name=value"},
      // Local far ends and stores
      {"CREDITBOT_HOME", ".creditbot", false,
       "working folder of the embedded default (state, outbox, audit, warehouse)"},
      {"CREDITBOT_INBOX", "data/sample/inbox.jsonl", false,
       "local inbox: Slack message events, one JSON object per line"},
      {"CREDITBOT_OUTBOX", "", false,
       "local outbox of chat.postMessage payloads, one per line; default $CREDITBOT_HOME/outbox.jsonl"},
      {"CREDITBOT_LOOK_CATALOG", "data/sample/looks", false,
       "local look catalog: <look id>.sql and query-<slug>.sql"},
      {"CREDITBOT_STATE", "", false,
       "state store URL (sqlite:PATH); default sqlite:$CREDITBOT_HOME/state.db"},
      {"CREDITBOT_AUDIT_DIR", "", false,
       "audit folder of <execution id>/result.json; default $CREDITBOT_HOME/audit"},
      {"CREDITBOT_POLICY_DIR", "", false, "folder of policy *.toml files; empty = the built-in policies"},
      {"CREDITBOT_SQL_DIR", "", false, "folder overriding the built-in sql/ files"},
      // Behaviour
      {"DRY_RUN", "true", false,
       "true: replies are printed and written to the outbox, never posted to Slack"},
      {"CREDITBOT_MAX_ATTEMPTS", "5", false, "attempts for a request that keeps failing transiently"},
      {"CREDITBOT_RETRY_BACKOFF_SECONDS", "900", false, "first retry delay; doubles each attempt"},
      {"CREDITBOT_CLAIM_LEASE_SECONDS", "600", false,
       "how long a claimed request is held before another pass may take it"},
      {"CREDITBOT_STATE_RETENTION_DAYS", "90", false, "finished state entries older than this are removed"},
      {"CREDITBOT_LOG_LEVEL", "info", false, "debug, info, warn or error"},
      {"CREDITBOT_LOG_FORMAT", "auto", false, "auto (text on a terminal, else JSON lines), text or json"},
      {"CREDITBOT_LOG_FILE", "", false, "also append JSON log lines to this file"},
      // AWS (used by the S3 / Secrets Manager / SageMaker work; accepted now so seed files load)
      {"AWS_SECRET_NAME", "", false, "Secrets Manager secret with the seed's keys"},
      {"CREDITBOT_SECRET_ID", "", false, "Secrets Manager secret id"},
      {"S3_BUCKET", "", false, "S3 bucket for state and audit"},
      {"S3_STATE_KEY", "state/processed_messages.json", false, "S3 key of the state object"},
      {"S3_OUTPUT_PREFIX", "outputs", false, "S3 prefix of the audit records"},
      {"SAGEMAKER_IMAGE_URI", "", false, "SageMaker processing image"},
      {"SAGEMAKER_ROLE_ARN", "", false, "SageMaker execution role"},
      {"SAGEMAKER_INSTANCE_TYPE", "ml.t3.medium", false, "SageMaker instance type"},
      {"SAGEMAKER_MAX_RUNTIME", "600", false, "SageMaker MaxRuntimeInSeconds"},
      // Executors
      {"CREDITBOT_EXECUTOR", "native", false,
       "where a calculation runs: native (in process), sagemaker (a SageMaker Processing Job running "
       "`creditbot calc`; needs SAGEMAKER_IMAGE_URI, SAGEMAKER_ROLE_ARN, S3_BUCKET) or notebook (the "
       "analyst's notebook through papermill; needs CREDITBOT_NOTEBOOK_PATH)"},
      {"CREDITBOT_NOTEBOOK_PATH", "", false,
       "the notebook (.ipynb) the notebook executor runs; it gets the SQL as the papermill parameter "
       "`looker`"},
      {"CREDITBOT_PAPERMILL", "papermill", false,
       "the papermill program (a name searched on PATH, or a path)"},
      {"CREDITBOT_NOTEBOOK_TIMEOUT_SECONDS", "600", false, "a notebook running longer is killed"},
  };
  return settings;
}

namespace {

const SettingInfo* FindSetting(std::string_view name) {
  for (const SettingInfo& info : AllSettings()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

absl::Status LoadConfigFile(const std::string& path, RawSettings& raw) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  absl::StatusOr<toml::table> parsed = ParseTomlDocument(text, absl::StrCat("config file ", path));
  if (!parsed.ok()) return parsed.status();
  const toml::table& table = *parsed;
  for (const auto& [key, node] : table) {
    std::string name(key.str());
    if (FindSetting(name) == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("config file ", path, ": unknown setting '", name, "'"));
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
          return absl::InvalidArgumentError(
              absl::StrCat("config file ", path, ": ", name, ": a list must hold strings"));
      }
      value = absl::StrJoin(items, ",");
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("config file ", path, ": ", name, ": expected a string, integer, boolean or list"));
    }
    raw.values[name] = {value, absl::StrCat("config file ", path)};
  }
  return absl::OkStatus();
}

absl::Status ParseBool(const RawSettings& raw, std::string_view name, bool& out) {
  const RawSettings::Entry& entry = raw.values.find(name)->second;
  std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(entry.value));
  const absl::string_view setting = ToAbsl(name);
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on")
    out = true;
  else if (lower == "false" || lower == "0" || lower == "no" || lower == "off")
    out = false;
  else
    return absl::InvalidArgumentError(
        absl::StrCat(setting, "='", entry.value, "' (from ", entry.source, "): expected true or false"));
  return absl::OkStatus();
}

absl::Status ParsePositiveInt(const RawSettings& raw, std::string_view name, int& out) {
  const RawSettings::Entry& entry = raw.values.find(name)->second;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(entry.value), &out) || out <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(name), "='", entry.value, "' (from ", entry.source,
                                                   "): expected a positive whole number"));
  }
  return absl::OkStatus();
}

absl::Status ParseNonNegativeInt(const RawSettings& raw, std::string_view name, int& out) {
  const RawSettings::Entry& entry = raw.values.find(name)->second;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(entry.value), &out) || out < 0) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(name), "='", entry.value, "' (from ", entry.source,
                                                   "): expected a whole number, 0 or more"));
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

// One layer of NAME=VALUE pairs (in order; later pairs win) and where they came from.
struct Layer {
  std::string source;
  std::vector<std::pair<std::string, std::string>> values;
};

// The value and source `name` ends with once `upper` is applied over `raw`.
RawSettings::Entry Effective(const RawSettings& raw, const std::vector<Layer>& upper, std::string_view name) {
  RawSettings::Entry entry = raw.values.find(name)->second;
  for (const Layer& layer : upper) {
    for (const auto& [key, value] : layer.values) {
      if (key == name) entry = {value, layer.source};
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
                                                 std::string_view setting, std::string_view source) {
  const std::string what =
      absl::StrCat("secret '", id, "' (", ToAbsl(setting), ", from ", ToAbsl(source), ")");
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
  RawSettings::Entry id = Effective(raw, upper, "CREDITBOT_SECRET_ID");
  std::string_view id_setting = "CREDITBOT_SECRET_ID";
  if (id.value.empty()) {
    id = Effective(raw, upper, "AWS_SECRET_NAME");
    id_setting = "AWS_SECRET_NAME";
  }
  if (!id.value.empty()) {
    CREDITBOT_ASSIGN_OR_RETURN(nlohmann::json secret,
                               FetchSecretObject(inputs, id.value, id_setting, id.source));
    const std::string source = absl::StrCat("secret ", id.value);
    for (const auto& [name, value] : secret.items()) {
      std::optional<std::string> text = ScalarText(value);
      if (FindSetting(name) == nullptr || !text) {
        if (text && !text->empty()) raw.extra_secret_values.push_back(*text);
        raw.notes.push_back(
            absl::StrCat(source, ": ignoring ", text ? "unknown name " : "non-scalar value of ", name));
        continue;
      }
      if (FindSetting(name)->secret && !text->empty()) raw.extra_secret_values.push_back(*text);
      raw.values[name] = {*text, source};
    }
  }
  const RawSettings::Entry presto = Effective(raw, upper, "PRESTO_SECRET_NAME");
  if (!presto.value.empty()) {
    CREDITBOT_ASSIGN_OR_RETURN(nlohmann::json secret,
                               FetchSecretObject(inputs, presto.value, "PRESTO_SECRET_NAME", presto.source));
    const std::string source = absl::StrCat("secret ", presto.value);
    for (const auto& [key, value] : secret.items()) {
      std::optional<std::string> text = ScalarText(value);
      const char* setting = key == "host"       ? "PRESTO_HOST"
                            : key == "port"     ? "PRESTO_PORT"
                            : key == "username" ? "PRESTO_USERNAME"
                            : key == "password" ? "PRESTO_PASSWORD"
                                                : nullptr;
      if (setting == nullptr || !text) {
        if (text && !text->empty()) raw.extra_secret_values.push_back(*text);
        raw.notes.push_back(absl::StrCat(source, ": ignoring ", key));
        continue;
      }
      if (key == "password" && !text->empty()) raw.extra_secret_values.push_back(*text);
      raw.values[setting] = {*text, source};
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RawSettings> LoadRawSettings(const ConfigInputs& inputs) {
  RawSettings raw;
  for (const SettingInfo& info : AllSettings())
    raw.values[std::string(info.name)] = {std::string(info.default_value), "default"};
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
    for (auto& [name, value] : *pairs) {
      if (FindSetting(name) == nullptr) {
        raw.notes.push_back(absl::StrCat(inputs.env_file, ": ignoring unknown name ", name));
        continue;
      }
      layer.values.emplace_back(name, value);
    }
  }
  if (inputs.environ != nullptr) {
    Layer& layer = upper.emplace_back();
    layer.source = "environment";
    for (const char* const* entry = inputs.environ; *entry != nullptr; ++entry) {
      std::string_view pair(*entry);
      std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      std::string name(pair.substr(0, eq));
      if (FindSetting(name) != nullptr) layer.values.emplace_back(name, std::string(pair.substr(eq + 1)));
    }
  }
  {
    Layer& layer = upper.emplace_back();
    layer.source = "command line";
    for (const std::string& override_text : inputs.overrides) {
      std::size_t eq = override_text.find('=');
      if (eq == std::string::npos)
        return absl::InvalidArgumentError(absl::StrCat("--set ", override_text, ": expected NAME=VALUE"));
      std::string name = override_text.substr(0, eq);
      if (FindSetting(name) == nullptr)
        return absl::InvalidArgumentError(absl::StrCat("--set: unknown setting '", name, "'"));
      layer.values.emplace_back(name, override_text.substr(eq + 1));
    }
  }

  CREDITBOT_RETURN_IF_ERROR(ApplySecretLayer(inputs, upper, raw));
  for (const Layer& layer : upper) {
    for (const auto& [name, value] : layer.values) raw.values[name] = {value, layer.source};
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
    return absl::UnimplementedError(absl::StrCat(
        setting, "='", url, "': s3:// names an S3 state object (opened by OpenStateStore), not a SQLite file"));
  }
  return absl::InvalidArgumentError(absl::StrCat(setting, "='", url, "': expected sqlite:PATH"));
}

namespace {

// CREDITBOT_EXECUTOR and what the chosen executor needs (checked by OpenExecutor, so that commands that
// run no calculation still start).
absl::Status BuildExecutorSettings(const RawSettings& raw, Config& config) {
  auto get = [&raw](std::string_view name) -> const std::string& {
    return raw.values.find(name)->second.value;
  };
  Config::ExecutorSettings& e = config.executor;
  e.kind = absl::AsciiStrToLower(absl::StripAsciiWhitespace(get("CREDITBOT_EXECUTOR")));
  if (e.kind != "native" && e.kind != "sagemaker" && e.kind != "notebook") {
    const RawSettings::Entry& entry = raw.values.find("CREDITBOT_EXECUTOR")->second;
    return absl::InvalidArgumentError(absl::StrCat("CREDITBOT_EXECUTOR='", entry.value, "' (from ",
                                                   entry.source,
                                                   "): expected native, sagemaker or notebook"));
  }
  e.notebook_path = get("CREDITBOT_NOTEBOOK_PATH");
  e.papermill = get("CREDITBOT_PAPERMILL");
  if (e.papermill.empty()) e.papermill = "papermill";
  int seconds = 0;
  CREDITBOT_RETURN_IF_ERROR(ParsePositiveInt(raw, "CREDITBOT_NOTEBOOK_TIMEOUT_SECONDS", seconds));
  e.notebook_timeout = absl::Seconds(seconds);
  e.sagemaker_image_uri = get("SAGEMAKER_IMAGE_URI");
  e.sagemaker_role_arn = get("SAGEMAKER_ROLE_ARN");
  e.sagemaker_instance_type = get("SAGEMAKER_INSTANCE_TYPE");
  CREDITBOT_RETURN_IF_ERROR(ParsePositiveInt(raw, "SAGEMAKER_MAX_RUNTIME", seconds));
  e.sagemaker_max_runtime = absl::Seconds(seconds);
  e.container_settings.clear();
  e.container_settings["CREDITBOT_WAREHOUSE"] = config.warehouse_url;
  for (const char* name :
       {"CREDITBOT_TRINO_QUERY_TIMEOUT_SECONDS", "CREDITBOT_TRINO_SESSION", "CREDITBOT_SECRET_ID",
        "AWS_SECRET_NAME", "PRESTO_SECRET_NAME", "CREDITBOT_LOOKER_BASE_URL", "CREDITBOT_SLACK_CHANNELS"}) {
    if (!get(name).empty()) e.container_settings[name] = get(name);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Config> BuildConfig(const RawSettings& raw) {
  auto get = [&raw](std::string_view name) -> const std::string& {
    return raw.values.find(name)->second.value;
  };
  Config config;
  config.slack_bot_token = get("SLACK_BOT_TOKEN");
  config.slack_user_id = get("SLACK_USER_ID");
  config.slack_channels = ParseList(get("CREDITBOT_SLACK_CHANNELS"));
  config.slack_allowed_bot_ids = ParseList(get("CREDITBOT_SLACK_ALLOWED_BOT_IDS"));
  config.slack_own_user_id = get("CREDITBOT_SLACK_OWN_USER_ID");
  config.slack_own_bot_id = get("CREDITBOT_SLACK_OWN_BOT_ID");
  config.slack_app_token = get("SLACK_APP_TOKEN");
  config.slack_signing_secret = get("SLACK_SIGNING_SECRET");
  config.slack_api_url = get("CREDITBOT_SLACK_API_URL");
  config.http_addr = get("CREDITBOT_HTTP_ADDR");
  config.looker_base_url = get("CREDITBOT_LOOKER_BASE_URL");
  config.looker_api_url = get("CREDITBOT_LOOKER_API_URL");
  if (config.looker_api_url.empty()) config.looker_api_url = config.looker_base_url;
  config.looker_client_id = get("LOOKER_CLIENT_ID");
  config.looker_client_secret = get("LOOKER_CLIENT_SECRET");
  config.work_dir = get("CREDITBOT_HOME");
  config.inbox_path = get("CREDITBOT_INBOX");
  config.outbox_path = get("CREDITBOT_OUTBOX");
  config.look_catalog_dir = get("CREDITBOT_LOOK_CATALOG");
  config.warehouse_url = get("CREDITBOT_WAREHOUSE");
  config.trino.password = get("PRESTO_PASSWORD");
  config.trino.bearer_token = get("CREDITBOT_TRINO_TOKEN");
  config.trino.ca_bundle = get("CREDITBOT_TRINO_CA_BUNDLE");
  int query_timeout_seconds = 0;
  CREDITBOT_RETURN_IF_ERROR(
      ParsePositiveInt(raw, "CREDITBOT_TRINO_QUERY_TIMEOUT_SECONDS", query_timeout_seconds));
  config.trino.query_timeout = absl::Seconds(query_timeout_seconds);
  for (const std::string& property : ParseList(get("CREDITBOT_TRINO_SESSION"))) {
    const std::size_t eq = property.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("CREDITBOT_TRINO_SESSION: '", property, "' is not name=value"));
    }
    config.trino.session.emplace_back(property.substr(0, eq), property.substr(eq + 1));
  }
  config.state_url = get("CREDITBOT_STATE");
  config.audit_dir = get("CREDITBOT_AUDIT_DIR");
  config.s3_bucket = get("S3_BUCKET");
  config.s3_state_key = get("S3_STATE_KEY");
  config.s3_output_prefix = get("S3_OUTPUT_PREFIX");
  config.policy_dir = get("CREDITBOT_POLICY_DIR");
  if (config.work_dir.empty())
    return absl::InvalidArgumentError("CREDITBOT_HOME is empty: set it to a working folder");
  if (config.outbox_path.empty()) config.outbox_path = config.work_dir + "/outbox.jsonl";
  if (config.warehouse_url.empty() && !get("PRESTO_HOST").empty()) {
    // The seed's way of naming the warehouse: PRESTO_HOST, PRESTO_PORT, PRESTO_USERNAME (TLS on).
    if (get("PRESTO_USERNAME").empty()) {
      return absl::InvalidArgumentError(
          "PRESTO_HOST is set but PRESTO_USERNAME is not: set the warehouse user");
    }
    config.warehouse_url = absl::StrCat("trino://", get("PRESTO_USERNAME"), "@", get("PRESTO_HOST"),
                                        get("PRESTO_PORT").empty() ? "" : ":", get("PRESTO_PORT"));
  }
  if (config.warehouse_url.empty()) config.warehouse_url = "sqlite:" + config.work_dir + "/warehouse.db";
  if (config.state_url.empty()) config.state_url = "sqlite:" + config.work_dir + "/state.db";
  if (config.audit_dir.empty()) config.audit_dir = config.work_dir + "/audit";
  config.sql_dir = get("CREDITBOT_SQL_DIR");
  CREDITBOT_RETURN_IF_ERROR(ParseBool(raw, "DRY_RUN", config.dry_run));
  CREDITBOT_RETURN_IF_ERROR(ParsePositiveInt(raw, "CREDITBOT_MAX_ATTEMPTS", config.max_attempts));
  int seconds = 0;
  CREDITBOT_RETURN_IF_ERROR(ParsePositiveInt(raw, "CREDITBOT_RETRY_BACKOFF_SECONDS", seconds));
  config.retry_backoff = absl::Seconds(seconds);
  CREDITBOT_RETURN_IF_ERROR(ParsePositiveInt(raw, "CREDITBOT_CLAIM_LEASE_SECONDS", seconds));
  config.claim_lease = absl::Seconds(seconds);
  CREDITBOT_RETURN_IF_ERROR(
      ParsePositiveInt(raw, "CREDITBOT_STATE_RETENTION_DAYS", config.state_retention_days));
  CREDITBOT_RETURN_IF_ERROR(ParseNonNegativeInt(raw, "CREDITBOT_SLACK_POST_INTERVAL_MS", seconds));
  config.slack_post_interval = absl::Milliseconds(seconds);
  CREDITBOT_RETURN_IF_ERROR(ParsePositiveInt(raw, "CREDITBOT_SLACK_LOOKBACK_HOURS", seconds));
  config.slack_lookback = absl::Hours(seconds);
  CREDITBOT_RETURN_IF_ERROR(ParsePositiveInt(raw, "CREDITBOT_SLACK_ASKED_DAYS", seconds));
  config.slack_asked_window = absl::Hours(24) * seconds;
  CREDITBOT_RETURN_IF_ERROR(ParsePositiveInt(raw, "CREDITBOT_CATCHUP_SECONDS", seconds));
  config.catchup_interval = absl::Seconds(seconds);
  CREDITBOT_RETURN_IF_ERROR(ParseNonNegativeInt(raw, "CREDITBOT_SECRET_REFRESH_SECONDS", seconds));
  config.secret_refresh_interval = absl::Seconds(seconds);
  for (const char* name : {"CREDITBOT_LOG_LEVEL", "CREDITBOT_LOG_FORMAT"}) {
    const RawSettings::Entry& entry = raw.values.find(name)->second;
    absl::Status status = std::string_view(name) == "CREDITBOT_LOG_LEVEL"
                              ? ParseLogLevel(entry.value, config.log.level)
                              : ParseLogFormat(entry.value, config.log.format);
    if (!status.ok())
      return absl::InvalidArgumentError(absl::StrCat(name, " (from ", entry.source, "): ", status.message()));
  }
  config.log.file = get("CREDITBOT_LOG_FILE");
  for (const SettingInfo& info : AllSettings()) {
    if (info.secret && !get(info.name).empty()) config.secret_values.push_back(get(info.name));
  }
  for (const std::string& value : raw.extra_secret_values) config.secret_values.push_back(value);
  CREDITBOT_RETURN_IF_ERROR(BuildExecutorSettings(raw, config));
  if (!config.slack_bot_token.empty() && config.slack_channels.empty()) {
    return absl::InvalidArgumentError(
        "SLACK_BOT_TOKEN is set but CREDITBOT_SLACK_CHANNELS is empty: name the channels to read (ids or "
        "names, comma-separated)");
  }
  return config;
}

}  // namespace creditbot
