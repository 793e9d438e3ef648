// DecisionDesk: the one path every decision on a credit takes, whichever way it arrives (a button or modal
// in Slack, a reply in the thread, `creditbot decide`, the dashboard): is the person an approver, is the
// entry awaiting a decision, record it exactly once in the ledger (StateStore::Decide), append it to the
// audit (`<execution id>/decision.json`), then show it in Slack (the reply updated in place, the buttons
// replaced by who decided what; the requester told in the thread) and mark the entry reply_updated.
//
// Exactly once: the store's conditional write decides the race (a double click, two approvers, a retry);
// the loser gets "already approved by <@U…>". A crash between the write and the Slack update leaves
// reply_updated false; FinishPendingUpdates (each pass, and `serve` at start) completes it without
// deciding again.
//
// Recalculation (DecisionVerb::kRecalculate) is not a decision on the entry: it replaces the entry with a
// new execution, which only the pipeline can run (bot/pipeline.h: it supersedes the entry, reopens the
// request and posts a new reply). A `recalculate` reply in the thread goes to the pipeline and never here;
// the pipeline asks only IsApprover and WhoCanDecide of the desk for it. Decide answers kRecalculate with
// kRefused (a Recalculate button, if one is shown, gets that answer: the approver replies `recalculate` in
// the thread instead).
#pragma once

#include <string>

#include "core/decision_commands.h"
#include "state/ledger.h"

namespace creditbot {

struct DecisionRequest {
  std::string execution_id;  // the entry decided (the button's value, the modal's private_metadata)
  DecisionCommand command;   // approve / reject / adjust / recalculate, with amount and reason
  std::string actor;         // Slack user id of who asks
  std::string via;           // "button", "modal", "thread", "cli", "dashboard": for the log and the audit
};

struct DecisionAnswer {
  enum class Kind {
    kDecided,         // recorded now (and shown in Slack, or to be finished by FinishPendingUpdates)
    kAlreadyDecided,  // someone decided first: `message` says who and what
    kNotApprover,     // `message` says who can decide
    kRefused,         // not awaiting (superseded, unknown id), or the command is invalid: `message` says why
    kFailed,          // the store could not be read or written: try again
  };
  Kind kind = Kind::kFailed;
  std::string message;  // one line for the person who asked (an ephemeral message, the CLI, the page)
  LedgerEntry entry;    // the entry after the call, when there is one
};

class DecisionDesk {
 public:
  virtual ~DecisionDesk() = default;
  // True when `user` may decide (CREDITBOT_APPROVERS: a listed user, or a member of a listed user group).
  virtual bool IsApprover(const std::string& user) = 0;
  // The approvers in words for a refusal: "<@U1>, <@U2> or members of <!subteam^S1>".
  virtual std::string WhoCanDecide() = 0;
  virtual DecisionAnswer Decide(const DecisionRequest& request) = 0;
  // Completes the Slack side of decisions recorded but not yet shown (reply_updated false). Returns how
  // many were completed; failures are logged and left for the next call.
  virtual int FinishPendingUpdates() = 0;
};

}  // namespace creditbot
