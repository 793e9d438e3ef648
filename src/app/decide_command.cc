// `creditbot decide TARGET approve|reject REASON|adjust AMOUNT REASON --as
// USER`: a decision taken from the command line (the embedded default's way to
// decide, and a fallback beside Slack), through the same LedgerDecisionDesk as
// the buttons and the thread replies: the approver check, the exactly-once
// write, the audit's decision.json and the reply updated (in the outbox, or in
// Slack with SLACK_BOT_TOKEN; marked as a dry run unless --live or
// DRY_RUN=false).
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "app/commands.h"
#include "app/store_factory.h"
#include "bot/approvers.h"
#include "bot/ledger_decision_desk.h"
#include "common/logging.h"
#include "common/strings.h"
#include "core/decision_commands.h"
#include "slack/replier.h"
#include "slack/slack_replier.h"
#include "slack/slack_web_api.h"

namespace creditbot {
namespace {

int Fail(std::string_view message, int code) {
  std::fprintf(stderr, "creditbot decide: %s\n", Redact(message).c_str());
  return code;
}

// The execution id `target` names: itself, or for a request key ("C…:ts") the
// newest entry of that request that is not superseded. kNotFound naming the
// request when it has none.
absl::StatusOr<std::string> ExecutionIdOf(StateStore& store, const std::string& target) {
  if (target.find(':') == std::string::npos) return target;
  LedgerFilter filter;
  filter.request_key = target;
  absl::StatusOr<std::vector<LedgerEntry>> entries = store.ListLedger(filter);
  if (!entries.ok()) return entries.status();
  for (const LedgerEntry& entry : *entries) {  // newest first
    if (entry.status != LedgerStatus::kSuperseded) return entry.execution_id;
  }
  return absl::NotFoundError(absl::StrCat("no credit is recorded for the request ", target,
                                          entries->empty() ? "" : " that is not superseded"));
}

// The command in words, checked as a thread reply would be. Exit code 2 and the
// line to print when the words are not a decision.
absl::StatusOr<DecisionCommand> CommandOf(const std::vector<std::string>& words) {
  constexpr char kUsage[] = "expected approve [NOTE], reject REASON or adjust AMOUNT REASON";
  absl::StatusOr<std::optional<DecisionCommand>> command = ParseDecisionCommand(absl::StrJoin(words, " "));
  if (!command.ok()) return command.status();
  if (!command->has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        words.empty() ? "no decision given" : absl::StrCat("'", words.front(), "' is not a decision"), ": ",
        kUsage));
  }
  if ((*command)->verb == DecisionVerb::kRecalculate) {
    return absl::InvalidArgumentError(
        "recalculate is not a decision: reply `recalculate` in the request's "
        "thread and the next pass computes "
        "the credit again");
  }
  return **command;
}

}  // namespace

int DecideCommand(const Environment& env, const GlobalOptions& global, const DecideOptions& options) {
  absl::StatusOr<DecisionCommand> command = CommandOf(options.words);
  if (!command.ok()) return Fail(ToStd(command.status().message()), 2);
  absl::StatusOr<ApproverIds> as = ParseApproverIds({options.as});
  if (!as.ok() || as->users.empty()) {
    return Fail(absl::StrCat("--as: '", options.as, "' is not a Slack user id (U…, W…)"), 2);
  }
  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok()) return Fail(absl::StrCat("configuration: ", config.status().message()), 2);
  absl::StatusOr<std::unique_ptr<StateStore>> store = OpenStateStore(*config, env);
  if (!store.ok()) return Fail(absl::StrCat("state store: ", store.status().message()), 1);
  absl::StatusOr<std::unique_ptr<AuditSink>> audit = OpenAuditSink(*config, env);
  if (!audit.ok()) return Fail(absl::StrCat("audit: ", audit.status().message()), 1);
  absl::StatusOr<std::string> execution_id = ExecutionIdOf(**store, options.target);
  if (!execution_id.ok()) return Fail(ToStd(execution_id.status().message()), 1);

  // Where the reply is updated: Slack itself with a bot token, else the local
  // outbox; through the dry-run replier unless DRY_RUN is off, as `run` does.
  std::unique_ptr<HttpTransport> transport;
  std::unique_ptr<SlackWebApi> slack;
  std::unique_ptr<Replier> live;
  GroupMembersReader members;
  if (!config->slack_bot_token.empty()) {
    SlackApiOptions slack_options;
    slack_options.api_base_url = config->slack_api_url;
    slack_options.bot_token = config->slack_bot_token;
    slack_options.post_interval = config->slack_post_interval;
    if (absl::Status valid = SlackWebApi::ValidateOptions(slack_options); !valid.ok())
      return Fail(absl::StrCat("Slack: ", valid.message()), 2);
    transport = env.NewHttpTransport();
    slack = std::make_unique<SlackWebApi>(*transport, env.clock(), env.sleeper(), slack_options);
    live = std::make_unique<SlackReplier>(*slack);
    members = SlackGroupMembers(*slack);
  } else {
    live = std::make_unique<LocalOutbox>(config->outbox_path);
  }
  LocalOutbox dry_run_outbox(config->outbox_path, /*mark_dry_run=*/true);
  DryRunReplier dry_run(*live, dry_run_outbox);
  Replier& replier = config->dry_run ? static_cast<Replier&>(dry_run) : *live;

  Approvers approvers(ParseApproverIds(config->approvers).value_or(ApproverIds{}), env.clock(), members);
  LedgerDecisionDesk desk(**store, **audit, replier, approvers, env.clock());
  DecisionRequest request{*execution_id, *command, options.as, "cli"};
  const DecisionAnswer answer = desk.Decide(request);
  if (answer.kind != DecisionAnswer::Kind::kDecided) return Fail(answer.message, 1);
  std::printf("%s\n", answer.message.c_str());
  return 0;
}

}  // namespace creditbot
