// LedgerDecisionDesk: the DecisionDesk (bot/decision_desk.h) over the state store's ledger. Every way a
// decision arrives — a button or modal (the interactivity handler), a thread reply (the pass and `serve`),
// `creditbot decide` — calls Decide here, so the rules are written once:
//   - the actor must be an approver (bot/approvers.h), else kNotApprover saying who can decide (or that
//     CREDITBOT_APPROVERS is empty);
//   - the entry must exist and not be superseded (kRefused saying why), and be awaiting a decision: the
//     store's conditional write (StateStore::Decide) settles every race, the loser gets kAlreadyDecided
//     "Already approved by <@U…> at 14:02 UTC";
//   - reject needs a reason; adjust an amount above zero (normalised to two places; one above the
//     recommendation is allowed and said so) and a reason;
//   - `recalculate` is not a decision: it is the pipeline's (a new execution supersedes the entry), so
//     Decide answers kRefused "To recalculate, reply `recalculate` in the request's thread." (see
//     decision_desk.h); callers route it to the pipeline instead.
// After the write, the Slack side: decision.json in the audit (state/decision_record.h, beside result.json),
// the reply updated in place (Replier::Update: the buttons give way to who decided what,
// core/reply_renderer.h), a notice to the requester in the thread (kind "decision:<execution id>", looked up
// first so never posted twice), then StateStore::MarkReplyUpdated. A failure there is logged and left to
// FinishPendingUpdates (each pass, and `serve` at start), which does the same steps for decided entries whose
// reply_updated is false, without deciding again.
//
// While the pause switch is on (state/pause.h, read from the store at every call, never cached) Decide
// answers an approver kRefused with PausedRefusal's line and changes nothing, and FinishPendingUpdates shows
// nothing (it posts to Slack); both carry on after `creditbot resume`. Refusing rather than recording the
// decision and showing it later keeps "paused" meaning "nothing changes": the approver decides again, and
// a decision recorded during a pause can never surprise anyone at the resume.
//
// Construction (app/run_command.cc, app/serve_command.cc, app/decide_command.cc):
//   Approvers approvers(*ParseApproverIds(config.approvers), env.clock(), SlackGroupMembers(api));
//   LedgerDecisionDesk desk(*runtime.state, *runtime.audit, *runtime.replier, approvers, env.clock());
// Everything passed must outlive the desk. Use the runtime's replier (the dry-run one in a dry run), so a
// dry run records its updates in the outbox marked dry_run and changes nothing in Slack.
//
// Thread-safe in itself: calls are serialised by one lock. The store, replier and audit sink are used only
// inside that lock, but the replier's SlackWebApi is one-thread-at-a-time: in `serve`, either call the desk
// from the thread that owns that replier, or give the desk a replier on its own SlackWebApi.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "audit/audit_sink.h"
#include "bot/approvers.h"
#include "bot/decision_desk.h"
#include "common/clock.h"
#include "slack/replier.h"
#include "state/state_store.h"

namespace creditbot {

// The refusal while paused, naming who paused, since when and why: "creditbot is paused (by <@U1>, since
// 2026-01-15T14:02:00Z): REASON. Nothing was recorded; decide again once it is resumed (`creditbot resume`)."
std::string PausedRefusal(const PauseState& pause);

class LedgerDecisionDesk final : public DecisionDesk {
 public:
  LedgerDecisionDesk(StateStore& state, AuditSink& audit, Replier& replier, Approvers& approvers,
                     const Clock& clock)
      : state_(state), audit_(audit), replier_(replier), approvers_(approvers), clock_(clock) {}

  bool IsApprover(const std::string& user) override { return approvers_.IsApprover(user); }
  std::string WhoCanDecide() override { return approvers_.WhoCanDecide(); }
  // See the file comment. kFailed when the store cannot be read or written (nothing decided; try again).
  DecisionAnswer Decide(const DecisionRequest& request) override;
  // Returns how many entries were completed; each failure is logged and left for the next call.
  int FinishPendingUpdates() override;

 private:
  // The Slack side of the decided `entry` (audit, chat.update, thread notice, MarkReplyUpdated). `via` is
  // recorded in decision.json ("" when finishing a pending update).
  absl::Status Show(const LedgerEntry& entry, std::string_view via);
  absl::Status WriteDecisionAudit(const LedgerEntry& entry, std::string_view via);

  StateStore& state_;
  AuditSink& audit_;
  Replier& replier_;
  Approvers& approvers_;
  const Clock& clock_;
  std::mutex mutex_;
};

}  // namespace creditbot
