// Fuzz target: one Slack interactivity payload — the untrusted input of POST /slack/interactivity and of
// Socket Mode `interactive` envelopes — through the form decoding, ParseInteractionPayloadText and
// PlanInteraction (what creditbot would do with it). Must never crash or throw, and the plan must be
// consistent, whatever the bytes.
//
// Input: the payload's JSON text, or a form body starting with "payload=" (decoded first, as the HTTP route
// does). The corpus is seeded with Slack's own payloads (tests/fixtures/slack/events/interactive/ and the
// socket_mode envelopes' payloads) and with creditbot's buttons and modal submissions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "bot/interactivity_handler.h"
#include "slack/interactivity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string text(input);
  if (input.starts_with("payload=")) {
    absl::StatusOr<std::string> decoded = creditbot::InteractionPayloadFromForm(input);
    if (!decoded.ok()) return 0;
    text = *std::move(decoded);
  }
  absl::StatusOr<creditbot::InteractionPayload> payload = creditbot::ParseInteractionPayloadText(text);
  if (!payload.ok()) {
    if (payload.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  if (payload->type.empty() || payload->actions.size() > creditbot::kMaxActions) std::abort();
  const creditbot::InteractionPlan plan = creditbot::PlanInteraction(*payload);
  switch (plan.kind) {
    case creditbot::InteractionPlan::Kind::kNotOurs:
      break;
    case creditbot::InteractionPlan::Kind::kDecide:
    case creditbot::InteractionPlan::Kind::kOpenModal:
      // Only a known user deciding a named execution ever reaches the desk or opens a modal.
      if (plan.request.execution_id.empty() || plan.request.actor.empty()) std::abort();
      if (plan.request.actor != payload->user_id) std::abort();
      if (plan.kind == creditbot::InteractionPlan::Kind::kOpenModal) {
        const nlohmann::json view = plan.modal_verb == creditbot::DecisionVerb::kReject
                                        ? creditbot::RejectModalView(plan.request.execution_id)
                                        : creditbot::AdjustModalView(plan.request.execution_id);
        (void)view.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
      // A modal's decision always carries the reason it asked for, and an adjustment its amount.
      if (payload->IsViewSubmission()) {
        if (plan.request.command.reason.empty()) std::abort();
        if (plan.request.command.verb == creditbot::DecisionVerb::kAdjust &&
            plan.request.command.amount.empty())
          std::abort();
      }
      break;
    case creditbot::InteractionPlan::Kind::kViewErrors:
      if (plan.errors.empty() || !payload->IsViewSubmission()) std::abort();
      (void)creditbot::ViewErrorsResponse(plan.errors)
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      break;
  }
  return 0;
}
