// Runtime: every far end and the pipeline of one process, built from the configuration — shared by
// `creditbot run --once` and `creditbot serve`, so both run exactly the same request path.
//
// With SLACK_BOT_TOKEN set, messages come from Slack (SlackHistorySource) and replies go to Slack
// (SlackReplier); otherwise the embedded default's local inbox and outbox. Either way, with DRY_RUN (the
// default) nothing is posted: replies are printed and written to the outbox marked as a dry run, while
// the live side is still asked whether we answered before.
//
// OpenRuntime checks what it can at start (policies, state, warehouse, Looker options, Slack token via
// auth.test, channel names) and fails with one line naming the part: "<part>: <why>".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/config.h"
#include "app/environment.h"
#include "audit/audit_sink.h"
#include "bot/approvers.h"
#include "bot/decision_desk.h"
#include "bot/pause_gate.h"
#include "bot/pipeline.h"
#include "core/product_router.h"
#include "executor/executor.h"
#include "looker/look_resolver.h"
#include "net/http_transport.h"
#include "slack/history_state.h"
#include "slack/message_source.h"
#include "slack/replier.h"
#include "slack/slack_web_api.h"
#include "state/state_store.h"
#include "warehouse/warehouse.h"

namespace creditbot {

struct Runtime {
  explicit Runtime(const Environment& environment) : env(environment) {}

  const Environment& env;  // the clock, sleeper and transports every client here uses
  Config config;
  std::string holder;  // names this process in claims and leases ("pid-123")

  std::unique_ptr<StateStore> state;
  std::unique_ptr<Warehouse> warehouse;
  std::unique_ptr<HttpTransport> looker_transport;
  std::unique_ptr<LookResolver> looks;
  std::unique_ptr<Executor> executor;
  std::unique_ptr<AuditSink> audit;
  std::optional<ProductRouter> router;

  // Slack (null on the embedded default).
  std::unique_ptr<HttpTransport> slack_transport;
  SlackApiOptions slack_options;
  std::unique_ptr<SlackWebApi> slack;
  SlackIdentity identity;                // auth.test, or the configured own ids
  std::vector<std::string> channel_ids;  // CREDITBOT_SLACK_CHANNELS resolved to ids

  std::unique_ptr<Replier> live_replier;  // SlackReplier or LocalOutbox
  std::unique_ptr<LocalOutbox> dry_run_outbox;
  std::unique_ptr<Replier> dry_run_replier;
  Replier* replier = nullptr;  // the one the pipeline uses

  // SlackHistorySource's watermarks and waiting threads, kept in `state` (null without Slack).
  std::unique_ptr<HistoryState> history_state;
  std::unique_ptr<MessageSource> source;  // SlackHistorySource or LocalInbox
  // The pause switch on `state` (bot/pause_gate.h), which the pipeline asks before every item.
  std::unique_ptr<PauseGate> pause;
  std::unique_ptr<Pipeline> pipeline;

  // Decisions (CREDITBOT_APPROVERS): the one DecisionDesk (a LedgerDecisionDesk on `state`, `audit` and
  // `replier`), which the pipeline hands thread commands to and each pass asks to finish pending updates.
  // With Slack, user groups are read through `approvers_slack`, a SlackWebApi of their own (on its own
  // transport), so a click handled on another thread never shares `slack` with the worker.
  std::unique_ptr<HttpTransport> approvers_transport;
  std::unique_ptr<SlackWebApi> approvers_slack;
  std::unique_ptr<Approvers> approvers;
  std::unique_ptr<DecisionDesk> desk;

  bool uses_slack() const { return slack != nullptr; }
};

// `holder`: the name this process uses in claims and leases; empty = a new one ("host-pid-random"). `serve`
// passes the first runtime's holder when it opens another after a configuration reload, so the process
// keeps one name. `env` must outlive the runtime.
absl::StatusOr<std::unique_ptr<Runtime>> OpenRuntime(const Environment& env, Config config,
                                                     std::string holder = "");

// "C0123ABCD", "G…", "D…" are ids; anything else (with or without '#') is a channel name. Names are looked
// up once with conversations.list. kNotFound naming the channel when a name matches nothing.
absl::StatusOr<std::vector<std::string>> ResolveChannelIds(SlackWebApi& api,
                                                           const std::vector<std::string>& channels);

}  // namespace creditbot
