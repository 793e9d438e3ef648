// `creditbot pause --reason "…" [--as U…]`, `creditbot pause --status` and `creditbot resume [--as U…]`: the
// pause switch (state/pause.h) in the configured state store (SQLite or S3, app/store_factory.h). Every mode
// honours it at once: a pass and `serve` read messages but claim and post nothing (bot/pause_gate.h), and
// decisions are refused naming who paused and why (bot/ledger_decision_desk.h); after `resume` each request
// left alone meanwhile is answered exactly once.
//
//   pause --reason TEXT [--as U…]   turns it on (the reason is required); "already paused: …" when it is on
//   pause --status                  prints "paused: REASON (by U…, since …)" or "not paused"
//   resume [--as U…]                turns it off; "not paused" when it is off
//
// Who: --as (a Slack user id, as `decide` takes), else the local login ($USER). Exit 0 when the switch is
// as asked afterwards (also when it already was: the line says who set it and nothing changed), 1 when the
// store cannot be read or written, 2 for a usage error (no reason, a bad --as).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "app/commands.h"
#include "app/store_factory.h"
#include "bot/approvers.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/utc_time.h"
#include "state/pause.h"

namespace creditbot {
namespace {

int Fail(std::string_view command, std::string_view message, int code) {
  std::fprintf(stderr, "creditbot %s: %s\n", std::string(command).c_str(), Redact(message).c_str());
  return code;
}

// --as when given (checked to be a Slack user id), else the local login. kInvalidArgument for a bad --as.
absl::StatusOr<std::string> Who(const std::string& as) {
  if (!as.empty()) {
    absl::StatusOr<ApproverIds> ids = ParseApproverIds({as});
    if (!ids.ok() || ids->users.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--as: '", as, "' is not a Slack user id (U…, W…)"));
    }
    return as;
  }
  const char* user = std::getenv("USER");
  return std::string(user != nullptr && *user != '\0' ? user : "unknown");
}

}  // namespace

int PauseCommand(const Environment& env, const GlobalOptions& global, const PauseOptions& options) {
  const std::string command = options.resume ? "resume" : "pause";
  const std::string reason(absl::StripAsciiWhitespace(options.reason));
  if (!options.resume && !options.status && reason.empty()) {
    return Fail(command,
                "--reason \"…\" is required: say why (it is shown in /readyz, `doctor`, the log and every "
                "refused decision)",
                2);
  }
  absl::StatusOr<std::string> by = Who(options.as);
  if (!by.ok()) return Fail(command, ToStd(by.status().message()), 2);
  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok()) return Fail(command, absl::StrCat("configuration: ", config.status().message()), 2);
  absl::StatusOr<std::unique_ptr<StateStore>> store = OpenStateStore(*config, env);
  if (!store.ok()) return Fail(command, absl::StrCat("state store: ", store.status().message()), 1);
  const std::string location = StateStoreLocation(*config).value_or("the state store");

  if (options.status) {
    absl::StatusOr<PauseState> pause = (*store)->GetPause();
    if (!pause.ok()) return Fail(command, absl::StrCat("state store: ", pause.status().message()), 1);
    std::printf("%s\n", PauseLine(*pause).c_str());
    return 0;
  }

  PauseState next;
  next.paused = !options.resume;
  next.by = *by;
  next.since = env.clock().Now();
  next.reason = options.resume ? "" : reason;
  absl::StatusOr<PauseChange> change = (*store)->SetPause(next);
  if (!change.ok()) return Fail(command, absl::StrCat("state store: ", change.status().message()), 1);
  if (!change->applied) {
    if (options.resume) {
      std::printf("creditbot is not paused; nothing changed\n");
    } else {
      std::printf("creditbot was already %s; nothing changed\n", PauseLine(change->before).c_str());
    }
    return 0;
  }
  if (options.resume) {
    LogInfo("creditbot resumed", {{"by", next.by}, {"state", location}});
    std::printf("resumed by %s at %s: the next pass (and `serve` within seconds) answers what waited\n",
                next.by.c_str(), Rfc3339Utc(*next.since).c_str());
  } else {
    LogInfo("creditbot paused", {{"by", next.by}, {"reason", next.reason}, {"state", location}});
    std::printf(
        "%s\nnothing is claimed, posted or decided until `creditbot resume`; messages are still read\n",
        PauseLine(next).c_str());
  }
  return 0;
}

}  // namespace creditbot
