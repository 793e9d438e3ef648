// `creditbot run --once`: one scheduled pass on the configured far ends (the embedded default: local
// inbox, look catalog, synthetic SQLite warehouse, SQLite state, audit folder, local outbox).
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "app/commands.h"
#include "app/logging.h"
#include "app/policies.h"
#include "app/warehouse_factory.h"
#include "audit/audit_sink.h"
#include "bot/pass.h"
#include "bot/pipeline.h"
#include "common/clock.h"
#include "common/strings.h"
#include "executor/executor.h"
#include "looker/look_resolver.h"
#include "looker/looker_api_resolver.h"
#include "net/http_transport.h"
#include "slack/message_source.h"
#include "slack/replier.h"
#include "state/sqlite_state_store.h"

namespace creditbot {
namespace {

int Fail(std::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "creditbot: %s: %s\n", std::string(what).c_str(),
               Redact(ToStd(status.message())).c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ||
                 status.code() == absl::StatusCode::kUnimplemented
             ? 2
             : 1;
}

}  // namespace

int RunCommand(const GlobalOptions& global, const RunOptions& options) {
  if (!options.once) {
    std::fprintf(
        stderr,
        "creditbot: run needs --once (one scheduled pass); the long-running service is `creditbot serve`, "
        "which comes with the Slack work (issue 3)\n");
    return 2;
  }
  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok()) return Fail("configuration", config.status());
  if (config->inbox_path.empty()) {
    return Fail("configuration",
                absl::InvalidArgumentError("CREDITBOT_INBOX is empty: set it to the local inbox file"));
  }
  if (config->slack_user_id.empty()) {
    LogWarn("SLACK_USER_ID is not set: failures are only logged, not sent to an owner by DM");
  }
  absl::StatusOr<LookerBase> looker = ParseLookerBase(config->looker_base_url);
  if (!looker.ok()) return Fail("CREDITBOT_LOOKER_BASE_URL", looker.status());
  absl::StatusOr<std::vector<CreditPolicy>> policies = LoadPolicies(config->policy_dir);
  if (!policies.ok()) return Fail("credit policy", policies.status());
  absl::StatusOr<ProductRouter> router = ProductRouter::Create(*std::move(policies));
  if (!router.ok()) return Fail("credit policy", router.status());

  absl::StatusOr<std::string> state_path = SqlitePathFromUrl(config->state_url, "CREDITBOT_STATE");
  if (!state_path.ok()) return Fail("CREDITBOT_STATE", state_path.status());
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> state = SqliteStateStore::Open(*state_path);
  if (!state.ok()) return Fail("state store", state.status());

  bool default_warehouse = config->warehouse_url == "sqlite:" + config->work_dir + "/warehouse.db";
  absl::StatusOr<std::unique_ptr<Warehouse>> warehouse =
      OpenWarehouse(config->warehouse_url, "CREDITBOT_WAREHOUSE", default_warehouse, config->trino);
  if (!warehouse.ok()) return Fail("warehouse", warehouse.status());

  SystemClock clock;
  // The Looker API when its credentials are set (one alone is a configuration error), else the catalog.
  SystemSleeper looker_sleeper;
  std::unique_ptr<HttpTransport> looker_transport;
  std::unique_ptr<LookResolver> looks;
  if (config->looker_client_id.empty() && config->looker_client_secret.empty()) {
    looks = std::make_unique<LookCatalog>(config->look_catalog_dir);
  } else {
    LookerApiOptions looker_api;
    looker_api.api_base_url = config->looker_api_url;
    looker_api.client_id = config->looker_client_id;
    looker_api.client_secret = config->looker_client_secret;
    if (absl::Status valid = LookerApiResolver::ValidateOptions(looker_api); !valid.ok())
      return Fail("configuration", valid);
    looker_transport = MakeCurlTransport();
    looks =
        std::make_unique<LookerApiResolver>(*looker_transport, clock, looker_sleeper, std::move(looker_api));
  }
  NativeExecutor executor(**warehouse, config->sql_dir);
  FolderAuditSink audit(config->audit_dir);
  LocalOutbox outbox(config->outbox_path);
  LocalOutbox dry_run_outbox(config->outbox_path, /*mark_dry_run=*/true);
  DryRunReplier dry_run_replier(outbox, dry_run_outbox);
  Replier& replier = config->dry_run ? static_cast<Replier&>(dry_run_replier) : static_cast<Replier&>(outbox);
  LocalInbox inbox(config->inbox_path, config->slack_channels.empty() ? "" : config->slack_channels.front());

  std::string holder = absl::StrCat("pid-", getpid());
  PipelineOptions pipeline_options;
  pipeline_options.dry_run = config->dry_run;
  pipeline_options.owner_user_id = config->slack_user_id;
  pipeline_options.triage = TriageConfig{*looker, config->slack_own_user_id, config->slack_own_bot_id,
                                         config->slack_allowed_bot_ids};
  pipeline_options.max_attempts = config->max_attempts;
  pipeline_options.retry_backoff = config->retry_backoff;
  pipeline_options.claim_lease = config->claim_lease;
  pipeline_options.holder = holder;
  Pipeline pipeline({**state, *looks, executor, audit, replier, *router, clock}, pipeline_options);

  LogInfo("pass starting", {{"dry_run", config->dry_run ? "true" : "false"}, {"inbox", config->inbox_path}});
  absl::StatusOr<PassSummary> summary =
      RunPass(inbox, pipeline, **state, clock,
              PassOptions{holder, config->claim_lease, config->state_retention_days});
  if (!summary.ok()) return Fail("pass", summary.status());
  if (summary->lease_busy) {
    std::printf("another pass is running; nothing done\n");
    return 0;
  }
  std::vector<std::string> counts;
  for (const auto& [outcome, count] : summary->outcomes) counts.push_back(absl::StrCat(outcome, "=", count));
  std::printf("pass done: %d messages (%s)%s; outbox %s, audit %s\n", summary->items,
              absl::StrJoin(counts, ", ").c_str(), config->dry_run ? ", dry run" : "",
              config->outbox_path.c_str(), config->audit_dir.c_str());
  return 0;
}

}  // namespace creditbot
