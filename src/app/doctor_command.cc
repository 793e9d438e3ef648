// `creditbot doctor`: checks every configured part once, one line per check — `ok`, `skip` (not configured)
// or `FAIL` with what to do — and exits 1 when any check fails. Secrets are never printed: every message
// passes through the redactor. Slack: the token (auth.test), its scopes (Slack's x-oauth-scopes header),
// each channel readable by the bot, the Socket Mode app token, the Events API signing secret. AWS
// (doctor_aws_checks.h): each Secrets Manager secret read and holding the expected key names (names only),
// an S3 probe object written, read back and deleted, SageMaker's DescribeProcessingJob permission.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "app/commands.h"
#include "app/doctor_aws_checks.h"
#include "app/policies.h"
#include "app/runtime.h"
#include "app/store_factory.h"
#include "app/warehouse_factory.h"
#include "common/logging.h"
#include "common/strings.h"
#include "looker/looker_api_resolver.h"
#include "net/http_transport.h"
#include "slack/slack_web_api.h"
#include "state/sqlite_state_store.h"

namespace creditbot {
namespace {

class Report {
 public:
  void Ok(std::string_view check, std::string_view detail) { Line("ok  ", check, detail); }
  void Skip(std::string_view check, std::string_view detail) { Line("skip", check, detail); }
  // Something to know that is not a failure (exit status unchanged), e.g. the pause switch on.
  void Warn(std::string_view check, std::string_view detail) { Line("WARN", check, detail); }
  void Fail(std::string_view check, std::string_view detail, std::string_view fix) {
    ++failures_;
    Line("FAIL", check, absl::StrCat(ToAbsl(detail), " — ", ToAbsl(fix)));
  }
  void Add(const std::vector<DoctorLine>& lines) {
    for (const DoctorLine& line : lines) {
      switch (line.mark) {
        case DoctorLine::Mark::kOk:
          Ok(line.check, line.detail);
          break;
        case DoctorLine::Mark::kSkip:
          Skip(line.check, line.detail);
          break;
        case DoctorLine::Mark::kFail:
          Fail(line.check, line.detail, line.fix);
          break;
      }
    }
  }
  int failures() const { return failures_; }

 private:
  static void Line(std::string_view mark, std::string_view check, std::string_view detail) {
    std::printf("%s %-12s %s\n", std::string(mark).c_str(), std::string(check).c_str(),
                Redact(detail).c_str());
  }
  int failures_ = 0;
};

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// True when a file can be created in `dir` (created if missing); the probe file is removed.
absl::Status CheckWritableFolder(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::PermissionDeniedError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  const std::string probe = (std::filesystem::path(dir) / ".creditbot-doctor-probe").string();
  { std::ofstream(probe) << "probe"; }
  if (!std::filesystem::exists(probe, ec))
    return absl::PermissionDeniedError(absl::StrCat("cannot write in ", dir));
  std::filesystem::remove(probe, ec);
  return absl::OkStatus();
}

// Slack: token, scopes, channels, Socket Mode, Events API.
void CheckSlack(const Environment& env, const Config& config, Report& report) {
  SlackApiOptions options;
  options.api_base_url = config.slack_api_url;
  options.bot_token = config.slack_bot_token;
  options.app_token = config.slack_app_token;
  options.max_attempts = 2;
  if (absl::Status valid = SlackWebApi::ValidateOptions(options); !valid.ok()) {
    report.Fail("slack", Message(valid),
                "check SLACK_BOT_TOKEN, SLACK_APP_TOKEN and CREDITBOT_SLACK_API_URL");
    return;
  }
  std::unique_ptr<HttpTransport> transport = env.NewHttpTransport();
  SlackWebApi api(*transport, env.clock(), env.sleeper(), options);
  absl::StatusOr<SlackIdentity> identity = api.AuthTest();
  if (!identity.ok()) {
    report.Fail(
        "slack", Message(identity.status()),
        "check SLACK_BOT_TOKEN (the app's Bot User OAuth Token, xoxb-…) and that the app is installed");
    return;
  }
  report.Ok("slack",
            absl::StrCat("bot ", identity->user_id, " in ", identity->team, " (", identity->url, ")"));

  bool names = false;
  for (const std::string& channel : config.slack_channels)
    names = names || channel.empty() || channel[0] == '#' || !(channel[0] == 'C' || channel[0] == 'G');
  if (identity->scopes.empty()) {
    report.Skip("slack scopes", "Slack did not report the token's scopes");
  } else {
    auto has = [&](std::string_view scope) {
      return std::find(identity->scopes.begin(), identity->scopes.end(), scope) != identity->scopes.end();
    };
    std::vector<std::string> missing;
    if (!has("channels:history") && !has("groups:history")) missing.push_back("channels:history");
    for (const char* scope : {"chat:write", "im:write", "reactions:write"})
      if (!has(scope)) missing.push_back(scope);
    if (names && !has("channels:read") && !has("groups:read")) missing.push_back("channels:read");
    if (missing.empty()) {
      report.Ok("slack scopes", absl::StrJoin(identity->scopes, ","));
    } else {
      report.Fail(
          "slack scopes", absl::StrCat("missing ", absl::StrJoin(missing, ", ")),
          "add them under OAuth & Permissions (deploy/slack-app-manifest.yaml lists them) and reinstall");
    }
  }

  absl::StatusOr<std::vector<std::string>> ids = ResolveChannelIds(api, config.slack_channels);
  if (!ids.ok()) {
    report.Fail("channels", Message(ids.status()), "fix CREDITBOT_SLACK_CHANNELS");
  } else {
    for (const std::string& id : *ids) {
      SlackHistoryQuery query;
      query.channel = id;
      query.limit = 1;
      absl::StatusOr<SlackMessagePage> page = api.History(query);
      if (page.ok()) {
        report.Ok("channel", absl::StrCat(id, " readable"));
      } else {
        report.Fail("channel", Message(page.status()),
                    absl::StrCat("invite the bot to ", id, " (/invite @", identity->user_id,
                                 ") or remove it from CREDITBOT_SLACK_CHANNELS"));
      }
    }
  }

  if (config.slack_app_token.empty()) {
    report.Skip("socket mode", "SLACK_APP_TOKEN is not set");
  } else if (absl::StatusOr<std::string> url = api.OpenSocketModeUrl(); url.ok()) {
    report.Ok("socket mode", "apps.connections.open gave a websocket URL");
  } else {
    report.Fail("socket mode", Message(url.status()),
                "check SLACK_APP_TOKEN: an app-level token (xapp-…) with connections:write, Socket Mode on");
  }
  if (config.slack_signing_secret.empty()) {
    report.Skip("events api", "SLACK_SIGNING_SECRET is not set");
  } else {
    report.Ok("events api",
              absl::StrCat("signed deliveries accepted at POST /slack/events on ", config.http_addr));
  }
}

// The configuration: loads it (recording which secrets it fetches), then unknown setting names, the
// live-mode rule and the secrets. nullopt when it does not load (reported, with the secrets fetched so far).
std::optional<Config> CheckConfig(const GlobalOptions& global, Report& report) {
  // Which secrets the settings name (a pass that fetches none), then the real load, whose secret fetches
  // are recorded (once per id) for the secret check.
  ConfiguredSecrets secrets;
  {
    ConfigInputs names_only = global.config;
    names_only.strict = false;
    names_only.secret_fetcher = [](std::string_view) -> absl::StatusOr<std::string> {
      return std::string("{}");
    };
    if (absl::StatusOr<RawSettings> raw = LoadRawSettings(names_only); raw.ok())
      secrets = FindConfiguredSecrets(*raw);
  }
  SecretFetchLog fetched;
  GlobalOptions loading = global;
  loading.config.secret_fetcher = fetched.Wrap(global.config.secret_fetcher);
  absl::StatusOr<Config> config = LoadConfig(loading);
  if (!config.ok()) {
    report.Fail("config", Message(config.status()), "fix that setting (creditbot config lists them all)");
    report.Add(CheckSecrets(fetched.entries(), secrets, nullptr));
    return std::nullopt;
  }
  report.Ok("config", absl::StrCat("loaded; DRY_RUN=", config->dry_run ? "true" : "false"));
  // Names that are not settings (a CREDITBOT_* variable, a .env, config file or secret key) are errors here,
  // as with --strict. Read again through the same fetch log: no secret is fetched twice.
  if (absl::StatusOr<RawSettings> raw = LoadRawSettings(loading.config); raw.ok()) {
    for (const UnknownSetting& unknown : raw->unknown) {
      report.Fail("setting", unknown.Message(),
                  unknown.suggestion.empty()
                      ? "remove it (`creditbot config` lists every setting)"
                      : absl::StrCat("rename it to ", unknown.suggestion, ", or remove it"));
    }
  }
  // The live-mode rule (config.h): with Slack, the warehouse and the look source are set explicitly.
  if (absl::Status explicit_parts = RequireNoStandIns(*config, {StandIn::kWarehouse, StandIn::kLookSource});
      !explicit_parts.ok()) {
    report.Fail("live mode", Message(explicit_parts),
                "`run` and `serve` refuse to start like this; set what is named, or unset SLACK_BOT_TOKEN");
  }
  report.Add(CheckSecrets(fetched.entries(), secrets, &*config));
  return *std::move(config);
}

// The credit policies load; lists them.
void CheckPolicies(const Config& config, Report& report) {
  absl::StatusOr<std::vector<CreditPolicy>> policies = LoadPolicies(config.policy_dir);
  if (policies.ok()) {
    std::string names;
    for (const CreditPolicy& policy : *policies) {
      absl::StrAppend(&names, names.empty() ? "" : ", ", policy.name, "/", policy.version,
                      policy.enabled ? "" : " (off)");
    }
    report.Ok("policies", names);
  } else {
    report.Fail("policies", Message(policies.status()),
                policies.status().code() == absl::StatusCode::kNotFound
                    ? "point CREDITBOT_POLICY_DIR at a folder of policy *.toml files, or unset it"
                    : "correct the policy file named above");
  }
}

// The state store opens and counts its requests; the pause switch is read from it.
void CheckState(const Environment& env, const Config& config, Report& report) {
  const std::string state_location = StateStoreLocation(config).value_or(config.state_url);
  absl::StatusOr<std::unique_ptr<StateStore>> state = OpenStateStore(config, env);
  absl::StatusOr<StateStats> stats =
      state.ok() ? (*state)->Stats() : absl::StatusOr<StateStats>(state.status());
  if (stats.ok()) {
    report.Ok("state", absl::StrCat(state_location, " (", stats->total, " requests)"));
    // The pause switch (state/pause.h): a warning, not a failure — a pause is deliberate.
    absl::StatusOr<PauseState> pause = (*state)->GetPause();
    if (!pause.ok()) {
      report.Fail("pause", Message(pause.status()),
                  "check the state store (the pause switch is read from it)");
    } else if (pause->paused) {
      report.Warn("pause",
                  absl::StrCat(PauseLine(*pause),
                               " — nothing is claimed, posted or decided; `creditbot resume` to answer "
                               "again"));
    } else {
      report.Ok("pause", "not paused");
    }
  } else {
    report.Fail(
        "state", Message(stats.status()),
        "move the unreadable state aside, fix CREDITBOT_STATE / S3_BUCKET, or check the AWS credentials");
  }
}

// The warehouse answers SELECT 1 (skipped while the default synthetic one is not generated yet).
void CheckWarehouse(const Environment& env, const Config& config, Report& report) {
  const bool default_warehouse = config.warehouse_url == "sqlite:" + config.work_dir + "/warehouse.db";
  std::error_code ec;
  if (default_warehouse && !std::filesystem::exists(config.work_dir + "/warehouse.db", ec)) {
    report.Skip("warehouse", "the synthetic warehouse is generated by the first `creditbot run --once`");
    return;
  }
  absl::StatusOr<std::unique_ptr<Warehouse>> warehouse =
      OpenWarehouse(config.warehouse_url, "CREDITBOT_WAREHOUSE", false, config.trino, env);
  absl::StatusOr<Table> one =
      warehouse.ok() ? QueryTable(**warehouse, "SELECT 1 AS one") : absl::StatusOr<Table>(warehouse.status());
  if (one.ok() && one->rows.size() == 1) {
    report.Ok("warehouse", absl::StrCat("SELECT 1 on ", config.warehouse_url));
  } else {
    report.Fail(
        "warehouse", one.ok() ? "SELECT 1 returned no row" : Message(one.status()),
        "check CREDITBOT_WAREHOUSE (or PRESTO_HOST/PORT/USERNAME/PASSWORD) and that the warehouse is up");
  }
}

// The look source: the local catalog folder exists, or the Looker API login works.
void CheckLooker(const Environment& env, const Config& config, Report& report) {
  if (config.looker_client_id.empty() && config.looker_client_secret.empty()) {
    std::error_code ec;
    if (std::filesystem::is_directory(config.look_catalog_dir, ec)) {
      report.Ok("looker",
                absl::StrCat("local look catalog ", config.look_catalog_dir,
                             " (set LOOKER_CLIENT_ID and LOOKER_CLIENT_SECRET for the Looker API)"));
    } else {
      report.Fail("looker", absl::StrCat("no look catalog folder at ", config.look_catalog_dir),
                  "set CREDITBOT_LOOK_CATALOG, or LOOKER_CLIENT_ID and LOOKER_CLIENT_SECRET");
    }
    return;
  }
  LookerApiOptions options;
  options.api_base_url = config.looker_api_url;
  options.client_id = config.looker_client_id;
  options.client_secret = config.looker_client_secret;
  absl::Status login = LookerApiResolver::ValidateOptions(options);
  if (login.ok()) {
    std::unique_ptr<HttpTransport> transport = env.NewHttpTransport();
    LookerApiResolver looker(*transport, env.clock(), env.sleeper(), options);
    login = looker.CheckLogin();
  }
  if (login.ok()) {
    report.Ok("looker", absl::StrCat("logged in to ", config.looker_api_url));
  } else {
    report.Fail(
        "looker", Message(login),
        "check LOOKER_CLIENT_ID, LOOKER_CLIENT_SECRET and CREDITBOT_LOOKER_API_URL (API keys of a user "
        "allowed to see the fraud reports)");
  }
}

// Where requests come from: Slack when a bot token is set, else the local inbox file.
void CheckSlackOrInbox(const Environment& env, const Config& config, Report& report) {
  std::error_code ec;
  if (!config.slack_bot_token.empty()) {
    CheckSlack(env, config, report);
  } else if (std::filesystem::is_regular_file(config.inbox_path, ec)) {
    report.Ok("inbox", config.inbox_path);
    report.Skip("slack", "SLACK_BOT_TOKEN is not set: the local inbox and outbox stand in for Slack");
  } else {
    report.Fail("inbox", absl::StrCat("no inbox file at ", config.inbox_path), "set CREDITBOT_INBOX");
  }
}

// Where results go: the outbox folder and the audit trail (an S3 sink that opens, or a writable folder).
void CheckOutputs(const Environment& env, const Config& config, Report& report) {
  const std::string outbox_dir = std::filesystem::path(config.outbox_path).parent_path().string();
  std::vector<std::pair<std::string, std::string>> folders = {
      {"outbox", outbox_dir.empty() ? "." : outbox_dir}};
  const std::string audit_location = AuditLocation(config);
  if (absl::StartsWith(audit_location, "s3://")) {
    absl::StatusOr<std::unique_ptr<AuditSink>> audit = OpenAuditSink(config, env);
    if (audit.ok()) {
      report.Ok("audit", absl::StrCat(audit_location, " (credentials and region found)"));
    } else {
      report.Fail("audit", Message(audit.status()),
                  "check S3_BUCKET, S3_OUTPUT_PREFIX and the AWS credentials");
    }
  } else {
    folders.emplace_back("audit", config.audit_dir);
  }
  for (const auto& [check, dir] : folders) {
    if (absl::Status writable = CheckWritableFolder(dir); writable.ok()) {
      report.Ok(check, absl::StrCat(dir, " is writable"));
    } else {
      report.Fail(check, Message(writable), "make the folder writable or point the setting elsewhere");
    }
  }
}

}  // namespace

int DoctorCommand(const Environment& env, const GlobalOptions& global) {
  Report report;
  std::optional<Config> config = CheckConfig(global, report);
  if (!config.has_value()) return 1;
  CheckPolicies(*config, report);
  CheckState(env, *config, report);
  CheckWarehouse(env, *config, report);
  CheckLooker(env, *config, report);
  CheckSlackOrInbox(env, *config, report);
  CheckOutputs(env, *config, report);
  report.Add(CheckS3Probe(*config, env));
  report.Add(CheckSageMaker(*config, env));
  report.Add(CheckAthena(*config, env));
  if (config->slack_user_id.empty())
    report.Skip("owner", "SLACK_USER_ID is not set: failures are only logged");
  return report.failures() == 0 ? 0 : 1;
}

}  // namespace creditbot
