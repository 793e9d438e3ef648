// The one decision path over the ledger: approver check, the store's conditional write, then the audit and
// the reply in Slack.
#include "bot/ledger_decision_desk.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utc_time.h"
#include "core/decimal.h"
#include "core/reply_renderer.h"
#include "state/decision_record.h"

namespace creditbot {
namespace {

Decimal Amount(const std::string& text) { return Decimal::Parse(text).value_or(Decimal()); }

// How the decided `entry` is shown; nullopt when it is not approved, rejected or adjusted.
std::optional<ShownDecision> Shown(const LedgerEntry& entry) {
  ShownDecision shown;
  switch (entry.status) {
    case LedgerStatus::kApproved:
      shown.kind = ShownDecision::Kind::kApproved;
      break;
    case LedgerStatus::kRejected:
      shown.kind = ShownDecision::Kind::kRejected;
      break;
    case LedgerStatus::kAdjusted:
      shown.kind = ShownDecision::Kind::kAdjusted;
      break;
    case LedgerStatus::kAwaiting:
    case LedgerStatus::kAutoApproved:
    case LedgerStatus::kSuperseded:
      return std::nullopt;
  }
  shown.by = entry.decided_by;
  shown.at = entry.decided_at.value_or(absl::UnixEpoch());
  shown.amount = Amount(entry.final_amount);
  shown.reason = entry.reason;
  return shown;
}

// "Already approved by <@U1> at 14:02 UTC" and the like, for whoever comes second.
std::string AlreadyDecided(const LedgerEntry& entry) {
  if (entry.status == LedgerStatus::kAutoApproved) {
    return "Already approved by policy: the credit is within the auto-approval limit.";
  }
  std::optional<ShownDecision> shown = Shown(entry);
  if (!shown) return absl::StrCat("This credit is ", ToAbsl(LedgerStatusName(entry.status)), ".");
  std::string line = DecisionLine(*shown);
  line[0] = static_cast<char>(line[0] - 'A' + 'a');
  return absl::StrCat("Already ", line, ".");
}

// What the approver is told after their decision was recorded.
std::string Confirmation(const LedgerEntry& entry) {
  const std::string amount = FormatUsd(Amount(entry.final_amount));
  const std::string what = absl::StrCat(" for ", entry.request_key, " (execution ", entry.execution_id, ")");
  switch (entry.status) {
    case LedgerStatus::kApproved:
      return absl::StrCat("Approved ", amount, what, ".");
    case LedgerStatus::kRejected:
      return absl::StrCat("Rejected the credit", what, ".");
    case LedgerStatus::kAdjusted: {
      std::string text = absl::StrCat("Adjusted the credit to ", amount, what, ".");
      const Decimal recommended = Amount(entry.recommended_amount);
      if (Amount(entry.final_amount) > recommended) {
        absl::StrAppend(&text, " Note: that is above the recommended ", FormatUsd(recommended), ".");
      }
      return text;
    }
    default:
      return absl::StrCat("Recorded", what, ".");
  }
}

DecisionAnswer Answer(DecisionAnswer::Kind kind, std::string message, LedgerEntry entry = {}) {
  DecisionAnswer answer;
  answer.kind = kind;
  answer.message = std::move(message);
  answer.entry = std::move(entry);
  return answer;
}

// The decision asked for, or why it cannot be made (in words for the approver).
absl::StatusOr<Decision> DecisionFor(const DecisionRequest& request, absl::Time now) {
  Decision decision;
  decision.by = request.actor;
  decision.at = now;
  decision.reason = std::string(absl::StripAsciiWhitespace(ToAbsl(request.command.reason)));
  switch (request.command.verb) {
    case DecisionVerb::kApprove:
      decision.kind = DecisionKind::kApprove;
      break;
    case DecisionVerb::kReject:
      decision.kind = DecisionKind::kReject;
      if (decision.reason.empty()) return absl::InvalidArgumentError("A rejection needs a reason.");
      break;
    case DecisionVerb::kAdjust: {
      decision.kind = DecisionKind::kAdjust;
      absl::StatusOr<std::string> amount = ParseDecisionAmount(request.command.amount);
      if (!amount.ok())
        return absl::InvalidArgumentError(absl::StrCat("Cannot adjust: ", amount.status().message()));
      decision.amount = *std::move(amount);
      if (decision.reason.empty()) return absl::InvalidArgumentError("An adjustment needs a reason.");
      break;
    }
    case DecisionVerb::kRecalculate:
      return absl::InvalidArgumentError("To recalculate, reply `recalculate` in the request's thread.");
  }
  return decision;
}

}  // namespace

std::string PausedRefusal(const PauseState& pause) {
  std::vector<std::string> who;
  // A Slack user id is shown as a mention; a local login (`creditbot pause` without --as) as it is.
  const bool slack_user = !pause.by.empty() && (pause.by[0] == 'U' || pause.by[0] == 'W') &&
                          std::all_of(pause.by.begin(), pause.by.end(), [](char c) {
                            return absl::ascii_isupper(static_cast<unsigned char>(c)) ||
                                   absl::ascii_isdigit(static_cast<unsigned char>(c));
                          });
  if (!pause.by.empty())
    who.push_back(slack_user ? absl::StrCat("by <@", pause.by, ">") : absl::StrCat("by ", pause.by));
  if (pause.since) who.push_back(absl::StrCat("since ", Rfc3339Utc(*pause.since)));
  return absl::StrCat("creditbot is paused",
                      who.empty() ? "" : absl::StrCat(" (", absl::StrJoin(who, ", "), ")"), ": ",
                      pause.reason.empty() ? "no reason given" : pause.reason,
                      ". Nothing was recorded; decide again once it is resumed (`creditbot resume`).");
}

DecisionAnswer LedgerDecisionDesk::Decide(const DecisionRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  ScopedLogContext context({{"execution_id", request.execution_id}, {"via", request.via}});
  if (request.command.verb != DecisionVerb::kRecalculate && !approvers_.IsApprover(request.actor)) {
    LogInfo("a decision was refused: not an approver", {{"actor", request.actor}});
    const std::string message =
        approvers_.empty() ? "Nobody may decide on credits yet: CREDITBOT_APPROVERS is empty."
                           : absl::StrCat("Only ", approvers_.WhoCanDecide(), " can decide on credits.");
    return Answer(DecisionAnswer::Kind::kNotApprover, message);
  }
  // Read at every decision, never cached: a decision must not slip through a pause just set.
  absl::StatusOr<PauseState> pause = state_.GetPause();
  if (!pause.ok()) {
    LogWarn("could not read the pause switch for a decision",
            {{"error", std::string(pause.status().message())}});
    return Answer(DecisionAnswer::Kind::kFailed,
                  "The pause switch could not be read; try again in a minute.");
  }
  if (pause->paused) {
    LogInfo("a decision was refused: creditbot is paused",
            {{"actor", request.actor}, {"reason", pause->reason}});
    return Answer(DecisionAnswer::Kind::kRefused, PausedRefusal(*pause));
  }
  absl::StatusOr<Decision> decision = DecisionFor(request, clock_.Now());
  if (!decision.ok()) return Answer(DecisionAnswer::Kind::kRefused, std::string(decision.status().message()));

  absl::StatusOr<std::optional<LedgerEntry>> found = state_.GetLedgerEntry(request.execution_id);
  if (!found.ok()) {
    LogWarn("could not read the ledger for a decision", {{"error", std::string(found.status().message())}});
    return Answer(DecisionAnswer::Kind::kFailed, "The ledger could not be read; try again in a minute.");
  }
  if (!found->has_value()) {
    return Answer(DecisionAnswer::Kind::kRefused,
                  absl::StrCat("No credit has execution id ", request.execution_id, "."));
  }
  if ((*found)->status == LedgerStatus::kSuperseded) {
    return Answer(DecisionAnswer::Kind::kRefused,
                  absl::StrCat("This credit was replaced by a recalculation (execution ",
                               (*found)->superseded_by, "): decide on the new reply."),
                  **found);
  }
  if ((*found)->status != LedgerStatus::kAwaiting) {
    return Answer(DecisionAnswer::Kind::kAlreadyDecided, AlreadyDecided(**found), **found);
  }

  absl::StatusOr<DecideResult> result = state_.Decide(request.execution_id, *decision);
  if (absl::IsNotFound(result.status())) {
    return Answer(DecisionAnswer::Kind::kRefused,
                  absl::StrCat("No credit has execution id ", request.execution_id, "."));
  }
  if (absl::IsInvalidArgument(result.status())) {
    return Answer(DecisionAnswer::Kind::kRefused, std::string(result.status().message()));
  }
  if (!result.ok()) {
    LogWarn("could not record a decision", {{"error", std::string(result.status().message())}});
    return Answer(DecisionAnswer::Kind::kFailed,
                  "The decision could not be recorded; try again in a minute.");
  }
  if (!result->applied) {
    if (result->entry.status == LedgerStatus::kSuperseded) {
      return Answer(DecisionAnswer::Kind::kRefused,
                    absl::StrCat("This credit was replaced by a recalculation (execution ",
                                 result->entry.superseded_by, "): decide on the new reply."),
                    result->entry);
    }
    return Answer(DecisionAnswer::Kind::kAlreadyDecided, AlreadyDecided(result->entry), result->entry);
  }
  LogInfo("decision recorded", {{"status", std::string(LedgerStatusName(result->entry.status))},
                                {"by", request.actor},
                                {"final_amount", result->entry.final_amount}});
  std::string message = Confirmation(result->entry);
  if (absl::Status shown = Show(result->entry, request.via); !shown.ok()) {
    LogWarn("a decision was recorded but not yet shown in Slack; the next pass finishes it",
            {{"error", std::string(shown.message())}});
    absl::StrAppend(&message, " The reply in Slack will show it shortly.");
  } else {
    result->entry.reply_updated = true;
  }
  return Answer(DecisionAnswer::Kind::kDecided, std::move(message), result->entry);
}

int LedgerDecisionDesk::FinishPendingUpdates() {
  std::lock_guard<std::mutex> lock(mutex_);
  int finished = 0;
  // Showing a decision posts to Slack: not while paused (nor when the switch cannot be read).
  if (absl::StatusOr<PauseState> pause = state_.GetPause(); !pause.ok() || pause->paused) return finished;
  LedgerFilter pending;
  pending.reply_pending = true;
  absl::StatusOr<std::vector<LedgerEntry>> entries = state_.ListLedger(pending);
  if (!entries.ok()) {
    LogWarn("could not list the ledger to finish decisions",
            {{"error", std::string(entries.status().message())}});
    return finished;
  }
  for (const LedgerEntry& entry : *entries) {
    ScopedLogContext context({{"execution_id", entry.execution_id}});
    if (absl::Status shown = Show(entry, ""); !shown.ok()) {
      LogWarn("could not show a decision in Slack; trying again next time",
              {{"error", std::string(shown.message())}});
      continue;
    }
    LogInfo("a decision recorded earlier is now shown in Slack");
    ++finished;
  }
  return finished;
}

absl::Status LedgerDecisionDesk::WriteDecisionAudit(const LedgerEntry& entry, std::string_view via) {
  absl::StatusOr<std::string> written =
      audit_.WriteDecision(entry.execution_id, RenderDecisionRecord(entry, via));
  // Another record is there already: an earlier attempt (with another `via`, or before a crash) wrote it.
  if (absl::IsAlreadyExists(written.status())) return absl::OkStatus();
  return written.status();
}

absl::Status LedgerDecisionDesk::Show(const LedgerEntry& entry, std::string_view via) {
  std::optional<ShownDecision> shown = Shown(entry);
  if (!shown) return absl::FailedPreconditionError("the entry is not decided");
  CREDITBOT_RETURN_IF_ERROR(WriteDecisionAudit(entry, via));
  if (entry.reply_ts.empty()) {
    LogWarn("the decided credit has no reply to update");
  } else {
    absl::StatusOr<std::string> blocks = replier_.MessageBlocks(entry.channel, entry.ts, entry.reply_ts);
    if (absl::IsNotFound(blocks.status())) {
      LogWarn("the credit reply is gone; only the requester is told", {{"reply_ts", entry.reply_ts}});
    } else {
      if (!blocks.ok()) return blocks.status();
      if (ShowsDecision(*blocks, *shown)) {
        // Updated before a crash or a lost answer: once is enough.
        LogInfo("the credit reply already shows the decision", {{"reply_ts", entry.reply_ts}});
      } else {
        const RenderedMessage decided = RenderDecidedReply(*blocks, *shown);
        CREDITBOT_RETURN_IF_ERROR(
            replier_.Update(entry.channel, entry.reply_ts, decided.text, decided.blocks_json));
      }
    }
  }
  const std::string kind = absl::StrCat("decision:", entry.execution_id);
  CREDITBOT_ASSIGN_OR_RETURN(std::optional<OurReply> told,
                             replier_.FindOurReply(entry.channel, entry.ts, entry.request_key, kind));
  if (!told) {
    const RenderedMessage notice = RenderDecisionNotice(entry.requester, *shown);
    Reply reply{entry.channel, entry.ts,           entry.request_key, kind,
                notice.text,   notice.blocks_json, entry.execution_id};
    CREDITBOT_RETURN_IF_ERROR(replier_.Post(reply).status());
  }
  return state_.MarkReplyUpdated(entry.execution_id);
}

}  // namespace creditbot
