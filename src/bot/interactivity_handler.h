// InteractivityHandler: Slack clicks and modal submissions (slack/interactivity.h) turned into decisions on
// the DecisionDesk — the same path for both receivers of `serve`: POST /slack/interactivity
// (bot/service_http.h) and Socket Mode `interactive` envelopes (slack/socket_mode_client.h).
//
// Slack wants an answer within 3 s, so Accept only reads the payload, decides the immediate answer and
// queues the work; a worker thread does the rest (the desk's store write, audit and chat.update; views.open;
// the ephemeral answers):
//   Approve button             → desk.Decide(approve). Decided: the desk updates the reply. Otherwise (not an
//                                approver, already decided, refused, failed) the desk's one-line answer goes
//                                to the clicker alone (the payload's response_url).
//   Reject / Adjust button     → not an approver: the ephemeral "who can decide"; else views.open of the
//                                Reject or Adjust modal with the click's trigger_id (it expires 3 s after the
//                                click, which is why modals never wait behind other work).
//   Recalculate button         → desk.Decide(recalculate); the desk answers or refuses.
//   Reject / Adjust submission → checked at once: a missing reason or an amount ParseDecisionAmount refuses
//                                is answered {"response_action":"errors"} (the modal stays open with the
//                                message under the field); else the modal closes (empty answer) and the
//                                worker decides; an answer other than decided goes to the approver by
//                                chat.postEphemeral in the request's thread.
//   Anything else (shortcuts, message actions, other apps' buttons, view_closed…) → "not a creditbot
//   action": acknowledged, logged at debug, no effect.
// Exactly once is the desk's (the store's conditional write): a double click or two approvers give one
// decision, and the later click gets "already approved by <@U…>".
//
// Thread-safety: Accept is thread-safe and quick (no I/O). The responder, and the desk's IsApprover and
// WhoCanDecide, are used only on the worker thread (or RunQueued's caller), one item at a time; SetParts
// swaps them between two items. Decide runs through the DecisionRunner: by default at once on the worker,
// in `serve` on the Service worker (the thread that owns the store and the reply's Slack client), whose
// answer comes back to this worker for the ephemeral message.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>

#include "bot/decision_desk.h"
#include "slack/interaction_responder.h"
#include "slack/interactivity.h"

namespace creditbot {

// What a payload asks of creditbot, decided without I/O.
struct InteractionPlan {
  enum class Kind {
    kNotOurs,     // not a creditbot action: no effect
    kDecide,      // `request` goes to the desk
    kOpenModal,   // the Reject or Adjust modal (`modal_verb`) for `request.execution_id`
    kViewErrors,  // a submission with bad fields: `errors` (block_id → message), the modal stays open
  };
  Kind kind = Kind::kNotOurs;
  DecisionRequest request;  // kDecide, kOpenModal (execution_id, actor)
  DecisionVerb modal_verb = DecisionVerb::kReject;
  std::map<std::string, std::string> errors;
  std::string why;  // kNotOurs: for the log ("shortcut", "action id other_app_button", …)
};

InteractionPlan PlanInteraction(const InteractionPayload& payload);

// What the receiver answers at once.
struct InteractionAck {
  // "decide", "open_modal", "view_errors", "not_ours", "bad_request", "queue_full": for logs and metrics.
  std::string result;
  // null: an empty answer (HTTP 200 with no body; a Socket Mode ack without payload). Otherwise the JSON to
  // answer with (the view_submission errors).
  nlohmann::json response;
};

class InteractivityHandler {
 public:
  // Runs `decide` with the desk on the thread that owns it. Default (unset): at once, on this handler's
  // worker, with the handler's desk.
  using DecisionRunner = std::function<void(std::function<void(DecisionDesk&)> decide)>;

  // Both must outlive the handler (or be replaced by SetParts first).
  InteractivityHandler(DecisionDesk& desk, InteractionResponder& responder, std::size_t max_queue = 1000);
  ~InteractivityHandler();  // Stop()
  InteractivityHandler(const InteractivityHandler&) = delete;
  InteractivityHandler& operator=(const InteractivityHandler&) = delete;

  // Before Start: where desk.Decide runs (see DecisionRunner). The runner must run or drop each task; a
  // task run after Stop() does nothing but the decision (its answer is dropped).
  void SetDecisionRunner(DecisionRunner runner) { runner_ = std::move(runner); }

  // Starts the worker thread. Without it, queued work runs only through RunQueued (tests).
  void Start();
  // Finishes the item in hand and joins the worker; items still queued are dropped (logged): their clicks
  // can be made again. Idempotent.
  void Stop();

  // Thread-safe and quick: the answer to give Slack now; the work is queued. `payload` is the decoded
  // interactivity payload (the form's `payload` JSON, or the Socket Mode envelope's `payload`); `source`
  // names the receiver for the log ("interactivity_http", "socket_mode").
  InteractionAck Accept(const nlohmann::json& payload, std::string_view source);

  // Uses `desk` and `responder` from the next item on (after a configuration reload); waits for the item in
  // hand, so the previous ones may be destroyed once it returns.
  void SetParts(DecisionDesk& desk, InteractionResponder& responder);

  // Runs the queued items on the calling thread; returns how many ran. For tests (without Start).
  int RunQueued();

  std::size_t queue_depth() const;

 private:
  using Work = std::function<void(DecisionDesk&, InteractionResponder&)>;
  void Worker();
  void RunOne(const Work& work);
  // Queues `work`; false (dropped) when stopping or the queue is full.
  bool Enqueue(Work work);
  // Decides `request` through runner_, then queues the answer to the person who asked: by `response_url`
  // (a click) or, when it is empty, chat.postEphemeral in the request's thread (a modal).
  void Decide(const DecisionRequest& request, const std::string& response_url, DecisionDesk& desk);

  DecisionRunner runner_;

  std::size_t max_queue_;
  mutable std::mutex mutex_;  // guards queue_, stopping_
  std::condition_variable wake_;
  std::deque<Work> queue_;
  bool stopping_ = false;
  std::thread worker_;

  std::mutex parts_mutex_;  // held while an item runs; guards desk_ and responder_
  DecisionDesk* desk_;
  InteractionResponder* responder_;
};

}  // namespace creditbot
