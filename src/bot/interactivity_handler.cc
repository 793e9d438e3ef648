// Slack clicks and modal submissions to the DecisionDesk: the immediate answer, then the work on a worker
// thread; see interactivity_handler.h.
#include "bot/interactivity_handler.h"

#include <exception>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/strings.h"
#include "core/decision_commands.h"

namespace creditbot {
namespace {

constexpr char kVia[] = "button";
constexpr char kViaModal[] = "modal";

InteractionPlan NotOurs(std::string why) {
  InteractionPlan plan;
  plan.why = std::move(why);
  return plan;
}

std::string Trim(std::string_view text) { return std::string(absl::StripAsciiWhitespace(ToAbsl(text))); }

InteractionPlan PlanBlockActions(const InteractionPayload& payload) {
  for (const InteractionAction& action : payload.actions) {
    InteractionPlan plan;
    const std::string& id = action.action_id;
    if (id == kApproveActionId) {
      plan.kind = InteractionPlan::Kind::kDecide;
      plan.request.command.verb = DecisionVerb::kApprove;
    } else if (id == kRecalculateActionId) {
      plan.kind = InteractionPlan::Kind::kDecide;
      plan.request.command.verb = DecisionVerb::kRecalculate;
    } else if (id == kRejectActionId || id == kAdjustActionId) {
      plan.kind = InteractionPlan::Kind::kOpenModal;
      plan.modal_verb = id == kRejectActionId ? DecisionVerb::kReject : DecisionVerb::kAdjust;
      plan.request.command.verb = plan.modal_verb;
    } else {
      continue;
    }
    if (action.value.empty()) return NotOurs(absl::StrCat("button ", id, " carries no execution id"));
    if (payload.user_id.empty()) return NotOurs("block_actions without a user");
    plan.request.execution_id = action.value;
    plan.request.actor = payload.user_id;
    plan.request.via = kVia;
    return plan;
  }
  return NotOurs(payload.actions.empty() ? "block_actions without actions"
                                         : absl::StrCat("action id ", payload.actions.front().action_id));
}

InteractionPlan PlanSubmission(const InteractionPayload& payload) {
  const bool reject = payload.callback_id == kRejectModalCallbackId;
  if (!reject && payload.callback_id != kAdjustModalCallbackId)
    return NotOurs(absl::StrCat("view callback_id ", payload.callback_id));
  if (payload.user_id.empty()) return NotOurs("view_submission without a user");
  InteractionPlan plan;
  plan.request.execution_id = Trim(payload.private_metadata);
  plan.request.actor = payload.user_id;
  plan.request.via = kViaModal;
  plan.request.command.verb = reject ? DecisionVerb::kReject : DecisionVerb::kAdjust;
  plan.request.command.reason = Trim(payload.StateValue(kReasonBlockId, kReasonActionId));
  if (plan.request.execution_id.empty()) {
    plan.errors[kReasonBlockId] =
        "This form lost the credit it decides; close it and click the button again.";
  } else if (plan.request.command.reason.empty()) {
    plan.errors[kReasonBlockId] = reject ? "Say why the credit is rejected: the requester sees it."
                                         : "Say why the amount is adjusted: the requester sees it.";
  }
  if (!reject) {
    absl::StatusOr<std::string> amount =
        ParseDecisionAmount(payload.StateValue(kAmountBlockId, kAmountActionId));
    if (amount.ok()) {
      plan.request.command.amount = *std::move(amount);
    } else {
      plan.errors[kAmountBlockId] = std::string(amount.status().message());
    }
  }
  plan.kind = plan.errors.empty() ? InteractionPlan::Kind::kDecide : InteractionPlan::Kind::kViewErrors;
  return plan;
}

std::string_view KindResult(InteractionPlan::Kind kind) {
  switch (kind) {
    case InteractionPlan::Kind::kDecide:
      return "decide";
    case InteractionPlan::Kind::kOpenModal:
      return "open_modal";
    case InteractionPlan::Kind::kViewErrors:
      return "view_errors";
    case InteractionPlan::Kind::kNotOurs:
      return "not_ours";
  }
  return "not_ours";
}

std::string_view AnswerKindName(DecisionAnswer::Kind kind) {
  switch (kind) {
    case DecisionAnswer::Kind::kDecided:
      return "decided";
    case DecisionAnswer::Kind::kAlreadyDecided:
      return "already_decided";
    case DecisionAnswer::Kind::kNotApprover:
      return "not_approver";
    case DecisionAnswer::Kind::kRefused:
      return "refused";
    case DecisionAnswer::Kind::kFailed:
      return "failed";
  }
  return "failed";
}

void LogIfFailed(const absl::Status& status, std::string_view what, const DecisionRequest& request) {
  if (status.ok()) return;
  LogWarn(absl::StrCat("interactivity: ", ToAbsl(what), " failed"),
          {{"execution_id", request.execution_id},
           {"user", request.actor},
           {"error", std::string(ToStd(status.message()))}});
}

// The desk's answer to the person who asked, when it is not a decision just made.
std::string AnswerText(const DecisionAnswer& answer) {
  if (!answer.message.empty()) return answer.message;
  if (answer.kind == DecisionAnswer::Kind::kFailed)
    return "creditbot could not record that decision just now; please try again in a minute.";
  return "creditbot did not record that decision.";
}

// The person who asked hears the desk's answer when it is not a decision just made: by the click's
// response_url, or (a modal has none) by chat.postEphemeral in the request's thread.
void Tell(const DecisionRequest& request, const DecisionAnswer& answer, const std::string& response_url,
          InteractionResponder& responder) {
  const std::string text = AnswerText(answer);
  if (!response_url.empty()) {
    LogIfFailed(responder.RespondEphemeral(response_url, text), "the ephemeral answer", request);
    return;
  }
  if (answer.entry.channel.empty()) {
    LogWarn("interactivity: no channel to answer in; the answer is only logged",
            {{"execution_id", request.execution_id}, {"answer", text}});
    return;
  }
  LogIfFailed(responder.PostEphemeral(answer.entry.channel, request.actor, answer.entry.ts, text),
              "chat.postEphemeral", request);
}

// Reject / Adjust clicked by an approver: the modal, with the click's trigger_id.
void OpenModal(const InteractionPlan& plan, const std::string& trigger_id, InteractionResponder& responder) {
  const DecisionRequest& request = plan.request;
  const nlohmann::json view = plan.modal_verb == DecisionVerb::kReject
                                  ? RejectModalView(request.execution_id)
                                  : AdjustModalView(request.execution_id);
  LogIfFailed(responder.OpenModal(trigger_id, view), "views.open", request);
}

}  // namespace

InteractionPlan PlanInteraction(const InteractionPayload& payload) {
  if (payload.IsBlockActions()) return PlanBlockActions(payload);
  if (payload.IsViewSubmission()) return PlanSubmission(payload);
  return NotOurs(payload.type);
}

InteractivityHandler::InteractivityHandler(DecisionDesk& desk, InteractionResponder& responder,
                                           std::size_t max_queue)
    : max_queue_(max_queue), desk_(&desk), responder_(&responder) {}

InteractivityHandler::~InteractivityHandler() { Stop(); }

void InteractivityHandler::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (worker_.joinable() || stopping_) return;
  worker_ = std::thread([this] { Worker(); });
}

void InteractivityHandler::Stop() {
  std::size_t dropped = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    dropped = queue_.size();
    queue_.clear();
    wake_.notify_all();
  }
  if (worker_.joinable()) worker_.join();
  if (dropped > 0)
    LogWarn("interactivity: stopped with clicks not handled", {{"dropped", std::to_string(dropped)}});
}

InteractionAck InteractivityHandler::Accept(const nlohmann::json& payload, std::string_view source) {
  InteractionAck ack;
  absl::StatusOr<InteractionPayload> parsed = ParseInteractionPayload(payload);
  if (!parsed.ok()) {
    LogWarn("interactivity: unreadable payload",
            {{"source", std::string(source)}, {"error", std::string(ToStd(parsed.status().message()))}});
    ack.result = "bad_request";
    return ack;
  }
  InteractionPlan plan = PlanInteraction(*parsed);
  ack.result = std::string(KindResult(plan.kind));
  if (plan.kind == InteractionPlan::Kind::kNotOurs) {
    LogDebug("interactivity: not a creditbot action", {{"source", std::string(source)}, {"why", plan.why}});
    return ack;
  }
  if (plan.kind == InteractionPlan::Kind::kViewErrors) {
    ack.response = ViewErrorsResponse(plan.errors);
    return ack;
  }
  // A modal's answer has no response_url: chat.postEphemeral in the thread instead.
  const std::string response_url = parsed->IsViewSubmission() ? "" : parsed->response_url;
  Work work;
  if (plan.kind == InteractionPlan::Kind::kOpenModal) {
    work = [this, plan, trigger_id = parsed->trigger_id, response_url](DecisionDesk& desk,
                                                                       InteractionResponder& responder) {
      if (desk.IsApprover(plan.request.actor)) {
        OpenModal(plan, trigger_id, responder);
      } else {
        // The desk refuses a non-approver first, in its own words, and decides nothing.
        Decide(plan.request, response_url, desk);
      }
    };
  } else {
    work = [this, request = plan.request, response_url](DecisionDesk& desk, InteractionResponder&) {
      Decide(request, response_url, desk);
    };
  }
  if (!Enqueue(std::move(work))) {
    LogWarn("interactivity: queue full; the click is dropped (it can be made again)",
            {{"source", std::string(source)}, {"execution_id", plan.request.execution_id}});
    ack.result = "queue_full";
  }
  return ack;
}

bool InteractivityHandler::Enqueue(Work work) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || queue_.size() >= max_queue_) return false;
  queue_.push_back(std::move(work));
  wake_.notify_one();
  return true;
}

void InteractivityHandler::Decide(const DecisionRequest& request, const std::string& response_url,
                                  DecisionDesk& desk) {
  auto decide = [this, request, response_url](DecisionDesk& owner_desk) {
    const DecisionAnswer answer = owner_desk.Decide(request);
    LogInfo("interactivity: decision asked in Slack",
            {{"execution_id", request.execution_id},
             {"user", request.actor},
             {"via", request.via},
             {"verb", std::string(DecisionVerbName(request.command.verb))},
             {"answer", std::string(AnswerKindName(answer.kind))}});
    if (answer.kind == DecisionAnswer::Kind::kDecided) return;  // the desk updated the reply
    const bool queued =
        Enqueue([request, answer, response_url](DecisionDesk&, InteractionResponder& responder) {
          Tell(request, answer, response_url, responder);
        });
    if (!queued)
      LogWarn("interactivity: the answer to a decision was dropped (stopping or queue full)",
              {{"execution_id", request.execution_id}, {"answer", AnswerText(answer)}});
  };
  if (runner_) {
    runner_(std::move(decide));
  } else {
    decide(desk);
  }
}

void InteractivityHandler::SetParts(DecisionDesk& desk, InteractionResponder& responder) {
  std::lock_guard<std::mutex> lock(parts_mutex_);
  desk_ = &desk;
  responder_ = &responder;
}

void InteractivityHandler::RunOne(const Work& work) {
  std::lock_guard<std::mutex> lock(parts_mutex_);
  try {
    work(*desk_, *responder_);
  } catch (const std::exception& error) {
    LogError("interactivity: handling a click threw", {{"error", error.what()}});
  } catch (...) {
    LogError("interactivity: handling a click threw", {{"error", "unknown exception"}});
  }
}

int InteractivityHandler::RunQueued() {
  int ran = 0;
  while (true) {
    Work work;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (queue_.empty()) return ran;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    RunOne(work);
    ++ran;
  }
}

void InteractivityHandler::Worker() {
  while (true) {
    Work work;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    RunOne(work);
  }
}

std::size_t InteractivityHandler::queue_depth() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

}  // namespace creditbot
