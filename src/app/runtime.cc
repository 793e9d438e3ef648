// Building the far ends and the pipeline from the configuration.
#include "app/runtime.h"

#include <unistd.h>

#include <map>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "app/executor_factory.h"
#include "app/policies.h"
#include "app/store_factory.h"
#include "app/warehouse_factory.h"
#include "bot/ledger_decision_desk.h"
#include "bot/state_store_history.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "looker/looker_api_resolver.h"
#include "net/instrumented_transport.h"
#include "slack/slack_history_source.h"
#include "slack/slack_ids.h"
#include "slack/slack_replier.h"
#include "state/sqlite_state_store.h"

namespace creditbot {
namespace {

// Prefixes `status`'s message with the part that failed, keeping its code.
absl::Status In(std::string_view part, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(ToAbsl(part), ": ", status.message()));
}

absl::Status OpenSlack(Runtime& runtime) {
  const Config& config = runtime.config;
  SlackApiOptions options;
  options.api_base_url = config.slack_api_url;
  options.bot_token = config.slack_bot_token;
  options.app_token = config.slack_app_token;
  options.post_interval = config.slack_post_interval;
  if (absl::Status valid = SlackWebApi::ValidateOptions(options); !valid.ok()) return In("Slack", valid);
  runtime.slack_options = options;
  runtime.slack_transport = MakeInstrumentedTransport(runtime.env.NewHttpTransport(), "slack");
  runtime.slack = std::make_unique<SlackWebApi>(*runtime.slack_transport, runtime.env.clock(),
                                                runtime.env.sleeper(), options);
  absl::StatusOr<SlackIdentity> identity = runtime.slack->AuthTest();
  if (!identity.ok()) return In("Slack auth.test", identity.status());
  runtime.identity = *identity;
  CREDITBOT_ASSIGN_OR_RETURN(runtime.channel_ids, ResolveChannelIds(*runtime.slack, config.slack_channels));
  LogInfo("connected to Slack", {{"team", identity->team},
                                 {"bot_user", identity->user_id},
                                 {"channels", absl::StrJoin(runtime.channel_ids, ",")}});
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ResolveChannelIds(SlackWebApi& api,
                                                           const std::vector<std::string>& channels) {
  std::vector<std::string> ids;
  std::optional<std::vector<SlackChannel>> known;  // listed once, only when a name is given
  for (const std::string& entry : channels) {
    if (LooksLikeChannelId(entry)) {
      ids.push_back(entry);
      continue;
    }
    std::string name = entry;
    if (absl::StartsWith(name, "#")) name.erase(0, 1);
    if (!known) {
      absl::StatusOr<std::vector<SlackChannel>> listed = api.ListChannels();
      if (!listed.ok()) {
        return In(absl::StrCat("CREDITBOT_SLACK_CHANNELS: resolving the name '", name,
                               "' (give channel ids to avoid needing channels:read)"),
                  listed.status());
      }
      known = *std::move(listed);
    }
    const SlackChannel* match = nullptr;
    for (const SlackChannel& channel : *known)
      if (channel.name == name) match = &channel;
    if (match == nullptr) {
      return absl::NotFoundError(absl::StrCat("CREDITBOT_SLACK_CHANNELS: no channel named '", name,
                                              "' is visible to the bot (check the name, or invite the bot)"));
    }
    if (!match->is_member) {
      LogWarn("the bot is not a member of a configured channel; invite it with /invite",
              {{"channel", name}, {"id", match->id}});
    }
    ids.push_back(match->id);
  }
  return ids;
}

namespace {

// Who holds claims, unique across hosts and containers (where every process may be pid 1): host, pid and
// a random part.
std::string MakeHolder() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return absl::StrCat(host, "-", getpid(), "-", absl::Hex(absl::Uniform<uint32_t>(absl::BitGen())));
}

// The look source: the Looker API when its credentials are set (one alone is a configuration error),
// else the local catalog.
absl::Status OpenLookSource(const Environment& env, Runtime& runtime) {
  const Config& c = runtime.config;
  if (c.looker_client_id.empty() && c.looker_client_secret.empty()) {
    runtime.looks = std::make_unique<LookCatalog>(c.look_catalog_dir);
    return absl::OkStatus();
  }
  LookerApiOptions looker_api;
  looker_api.api_base_url = c.looker_api_url;
  looker_api.client_id = c.looker_client_id;
  looker_api.client_secret = c.looker_client_secret;
  if (absl::Status valid = LookerApiResolver::ValidateOptions(looker_api); !valid.ok())
    return In("configuration", valid);
  runtime.looker_transport = MakeInstrumentedTransport(env.NewHttpTransport(), "looker");
  runtime.looks = std::make_unique<LookerApiResolver>(*runtime.looker_transport, env.clock(), env.sleeper(),
                                                      std::move(looker_api));
  return absl::OkStatus();
}

// Where replies go: Slack or the local outbox, through the dry-run replier when DRY_RUN is on.
void WireRepliers(Runtime& runtime) {
  const Config& c = runtime.config;
  if (runtime.uses_slack()) {
    runtime.live_replier = std::make_unique<SlackReplier>(*runtime.slack);
  } else {
    runtime.live_replier = std::make_unique<LocalOutbox>(c.outbox_path);
  }
  runtime.dry_run_outbox = std::make_unique<LocalOutbox>(c.outbox_path, /*mark_dry_run=*/true);
  runtime.dry_run_replier = std::make_unique<DryRunReplier>(*runtime.live_replier, *runtime.dry_run_outbox);
  runtime.replier = c.dry_run ? runtime.dry_run_replier.get() : runtime.live_replier.get();
}

// Where requests come from: the channels' Slack history, or the local inbox.
void WireRequestSource(const Environment& env, Runtime& runtime) {
  const Config& c = runtime.config;
  if (runtime.uses_slack()) {
    runtime.history_state =
        std::make_unique<StateStoreHistory>(*runtime.state, StateStoreHistoryOptions{c.slack_asked_window});
    SlackHistoryOptions history;
    history.channel_ids = runtime.channel_ids;
    history.first_lookback = c.slack_lookback;
    runtime.source =
        std::make_unique<SlackHistorySource>(*runtime.slack, *runtime.history_state, env.clock(), history);
  } else {
    runtime.source =
        std::make_unique<LocalInbox>(c.inbox_path, c.slack_channels.empty() ? "" : c.slack_channels.front());
  }
}

// The pipeline over the runtime's parts.
std::unique_ptr<Pipeline> MakePipeline(const Environment& env, Runtime& runtime, const LookerBase& looker) {
  const Config& c = runtime.config;
  PipelineOptions options;
  options.dry_run = c.dry_run;
  options.owner_user_id = c.slack_user_id;
  options.triage = TriageConfig{
      looker, c.slack_own_user_id.empty() ? runtime.identity.user_id : c.slack_own_user_id,
      c.slack_own_bot_id.empty() ? runtime.identity.bot_id : c.slack_own_bot_id, c.slack_allowed_bot_ids};
  options.max_attempts = c.max_attempts;
  options.retry_backoff = c.retry_backoff;
  options.claim_lease = c.claim_lease;
  options.holder = runtime.holder;
  return std::make_unique<Pipeline>(
      PipelineDeps{*runtime.state, *runtime.looks, *runtime.executor, *runtime.audit, *runtime.replier,
                   *runtime.router, env.clock()},
      options);
}

// The approvers and the decision desk, handed to the pipeline.
absl::Status WireDecisionDesk(Runtime& runtime) {
  const Config& c = runtime.config;
  absl::StatusOr<ApproverIds> ids = ParseApproverIds(c.approvers);
  if (!ids.ok()) return In("CREDITBOT_APPROVERS", ids.status());
  GroupMembersReader members;
  if (runtime.uses_slack() && !ids->groups.empty()) {
    runtime.approvers_transport = MakeInstrumentedTransport(runtime.env.NewHttpTransport(), "slack");
    runtime.approvers_slack = std::make_unique<SlackWebApi>(*runtime.approvers_transport, runtime.env.clock(),
                                                            runtime.env.sleeper(), runtime.slack_options);
    members = SlackGroupMembers(*runtime.approvers_slack);
  }
  runtime.approvers = std::make_unique<Approvers>(*std::move(ids), runtime.env.clock(), std::move(members));
  runtime.desk = std::make_unique<LedgerDecisionDesk>(*runtime.state, *runtime.audit, *runtime.replier,
                                                      *runtime.approvers, runtime.env.clock());
  runtime.pipeline->set_decision_desk(runtime.desk.get());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Runtime>> OpenRuntime(const Environment& env, Config config,
                                                     std::string holder) {
  auto runtime = std::make_unique<Runtime>(env);
  runtime->config = std::move(config);
  const Config& c = runtime->config;
  runtime->holder = holder.empty() ? MakeHolder() : std::move(holder);

  // With Slack, no stand-in of the embedded default (synthetic warehouse, sample looks) is used.
  if (absl::Status explicit_parts = RequireNoStandIns(c, {StandIn::kWarehouse, StandIn::kLookSource});
      !explicit_parts.ok()) {
    return In("configuration", explicit_parts);
  }
  if (!runtime->config.slack_bot_token.empty()) {
    CREDITBOT_RETURN_IF_ERROR(OpenSlack(*runtime));
  } else if (c.inbox_path.empty()) {
    return absl::InvalidArgumentError(
        "configuration: CREDITBOT_INBOX is empty: set it to the local inbox file (or set SLACK_BOT_TOKEN)");
  }
  if (c.slack_user_id.empty())
    LogWarn("SLACK_USER_ID is not set: failures are only logged, not sent to an owner by DM");

  absl::StatusOr<LookerBase> looker = ParseLookerBase(c.looker_base_url);
  if (!looker.ok()) return In("CREDITBOT_LOOKER_BASE_URL", looker.status());
  absl::StatusOr<std::vector<CreditPolicy>> policies = LoadPolicies(c.policy_dir);
  if (!policies.ok()) return In("credit policy", policies.status());
  absl::StatusOr<ProductRouter> router = ProductRouter::Create(*std::move(policies));
  if (!router.ok()) return In("credit policy", router.status());
  runtime->router.emplace(*std::move(router));

  absl::StatusOr<std::unique_ptr<StateStore>> state = OpenStateStore(c, env);
  if (!state.ok()) return In("state store", state.status());
  runtime->state = *std::move(state);

  absl::StatusOr<std::unique_ptr<Warehouse>> warehouse =
      OpenWarehouse(c.warehouse_url, "CREDITBOT_WAREHOUSE", IsEmbeddedDefaultWarehouse(c), c.trino, env);
  if (!warehouse.ok()) return In("warehouse", warehouse.status());
  runtime->warehouse = *std::move(warehouse);

  CREDITBOT_RETURN_IF_ERROR(OpenLookSource(env, *runtime));
  absl::StatusOr<std::unique_ptr<Executor>> executor = OpenExecutor(c, *runtime->warehouse, env);
  if (!executor.ok()) return In("executor", executor.status());
  runtime->executor = *std::move(executor);
  absl::StatusOr<std::unique_ptr<AuditSink>> audit = OpenAuditSink(c, env);
  if (!audit.ok()) return In("audit", audit.status());
  runtime->audit = *std::move(audit);

  WireRepliers(*runtime);
  WireRequestSource(env, *runtime);
  runtime->pipeline = MakePipeline(env, *runtime, *looker);
  runtime->pause = std::make_unique<PauseGate>(*runtime->state, env.clock());
  runtime->pipeline->set_pause_gate(runtime->pause.get());
  CREDITBOT_RETURN_IF_ERROR(WireDecisionDesk(*runtime));
  return runtime;
}

}  // namespace creditbot
