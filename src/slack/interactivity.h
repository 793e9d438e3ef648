// Slack interactivity payloads, as pure logic (no sockets): what a click on a Block Kit button
// (`block_actions`) or the submission of a modal (`view_submission`) tells us, read from the payload Slack
// sends — over HTTP as a form body `payload=<url-encoded JSON>` (POST /slack/interactivity, signed like the
// Events API), over Socket Mode as the `payload` of an `interactive` envelope. Also the two modals
// creditbot opens (views.open): Reject asks a reason, Adjust an amount and a reason.
//
// Payload shapes (tests/fixtures/slack/events/interactive/, socket_mode/envelope.interactive.*):
//   block_actions:   user{id, username, name, team_id}, team{id}, trigger_id, response_url,
//                    container{message_ts, channel_id, …}, channel{id}, message{ts, thread_ts, …},
//                    actions[{action_id, block_id, value, type, action_ts}]
//   view_submission: user, team, trigger_id, view{id, callback_id, private_metadata,
//                    state{values{<block_id>{<action_id>{type, value | selected_option{value} |
//                    selected_date | selected_user | …}}}}}
// Every other type (shortcut, message_action, view_closed, block_suggestion, …) is parsed as far as the
// common fields go: the caller answers it "not a creditbot action". The payload is untrusted input: a
// missing or mistyped member reads as "" (common/json_fields.h), never throws, and sizes are bounded.
//
// Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace creditbot {

// Interactivity payloads are a few KB; larger bodies are refused before parsing.
inline constexpr std::size_t kMaxInteractionPayloadBytes = std::size_t{1} << 20;

// The block and action ids of the modals' inputs (view.state.values[block_id][action_id]).
inline constexpr char kReasonBlockId[] = "creditbot_reason";
inline constexpr char kReasonActionId[] = "reason";
inline constexpr char kAmountBlockId[] = "creditbot_amount";
inline constexpr char kAmountActionId[] = "amount";

// One element of block_actions' `actions`.
struct InteractionAction {
  std::string action_id;
  std::string block_id;
  std::string value;  // a button's value ("" for elements without one)
  std::string type;   // "button", "static_select", …
};

struct InteractionPayload {
  std::string type;        // as sent: "block_actions", "view_submission", "shortcut", "message_action", …
  std::string user_id;     // user.id
  std::string user_name;   // user.username, else user.name
  std::string team_id;     // team.id, else user.team_id
  std::string trigger_id;  // for views.open (valid 3 s after the click)
  std::string response_url;

  // block_actions
  std::vector<InteractionAction> actions;  // at most kMaxActions are kept
  std::string channel_id;                  // container.channel_id, else channel.id
  std::string message_ts;                  // container.message_ts, else message.ts
  std::string thread_ts;                   // container.thread_ts, else message.thread_ts ("" when none)

  // view_submission (also filled for block_actions inside a modal, where `view` is present)
  std::string view_id;
  std::string callback_id;  // view.callback_id
  std::string private_metadata;
  // view.state.values flattened: [block_id][action_id] → the input's value as text (plain_text_input's
  // value, a select's selected_option.value, selected_date, selected_user, selected_channel…).
  std::map<std::string, std::map<std::string, std::string>> state_values;

  bool IsBlockActions() const { return type == "block_actions"; }
  bool IsViewSubmission() const { return type == "view_submission"; }
  // The text of state_values[block_id][action_id], "" when absent.
  std::string StateValue(std::string_view block_id, std::string_view action_id) const;
};

// More actions than this in one payload are ignored (Slack sends one per click).
inline constexpr std::size_t kMaxActions = 25;

// Reads a payload already parsed as JSON. kInvalidArgument when it is not an object or has no string
// `type`. Never throws.
absl::StatusOr<InteractionPayload> ParseInteractionPayload(const nlohmann::json& payload);

// The JSON text of a payload as a JSON object, within the limits: kInvalidArgument "interactivity payload
// is not JSON", "… is not a JSON object", "… nested deeper than 64 levels", "… larger than 1 MiB".
absl::StatusOr<nlohmann::json> ParseInteractionJson(std::string_view json_text);

// ParseInteractionJson, then ParseInteractionPayload.
absl::StatusOr<InteractionPayload> ParseInteractionPayloadText(std::string_view json_text);

// The `payload` parameter of a form-encoded body (application/x-www-form-urlencoded), decoded: the JSON
// text. kInvalidArgument "the form has no payload parameter" when absent or empty.
absl::StatusOr<std::string> InteractionPayloadFromForm(std::string_view form_body);

// The views.open `view` of the Reject modal for `execution_id` (callback kRejectModalCallbackId,
// private_metadata the execution id, one required multiline input kReasonBlockId/kReasonActionId).
nlohmann::json RejectModalView(std::string_view execution_id);

// The Adjust modal: kAdjustModalCallbackId, an amount input kAmountBlockId/kAmountActionId (a hint naming
// `recommended_amount` when not empty) and the reason input.
nlohmann::json AdjustModalView(std::string_view execution_id, std::string_view recommended_amount = "");

// The view_submission answer that keeps the modal open and shows `errors` under their inputs:
// {"response_action":"errors","errors":{<block_id>:<message>}}.
nlohmann::json ViewErrorsResponse(const std::map<std::string, std::string>& errors);

}  // namespace creditbot
