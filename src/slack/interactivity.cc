// Slack interactivity payloads (block_actions, view_submission) and creditbot's two modals; see
// interactivity.h.
#include "slack/interactivity.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/json_fields.h"
#include "common/strings.h"
#include "common/url.h"
#include "core/decision_commands.h"

namespace creditbot {
namespace {

using Json = nlohmann::json;

constexpr int kMaxJsonDepth = 64;
// Slack caps private_metadata at 3,000 characters and a plain_text_input at 3,000; ids are short. Anything
// longer is cut here so that a hostile payload cannot make the handler carry megabytes around.
constexpr std::size_t kMaxFieldBytes = 3000;
constexpr std::size_t kMaxStateBlocks = 50;

std::string Field(const Json& object, std::string_view name) {
  std::string value = JsonStringMember(object, name);
  if (value.size() > kMaxFieldBytes) value.resize(kMaxFieldBytes);
  return value;
}

// The member `name` of the object member `parent`, "" when either is missing or mistyped.
std::string Nested(const Json& object, std::string_view parent, std::string_view name) {
  const Json* inner = JsonObjectMember(object, parent);
  return inner == nullptr ? "" : Field(*inner, name);
}

std::string FirstNonEmpty(std::string a, std::string b) { return a.empty() ? std::move(b) : std::move(a); }

// The value of one input in view.state.values, as text: what each element type carries.
std::string InputValue(const Json& input) {
  for (const char* name : {"value", "selected_date", "selected_time", "selected_user", "selected_channel",
                           "selected_conversation"}) {
    if (const Json* member = JsonMember(input, name); member != nullptr && member->is_string())
      return Field(input, name);
  }
  if (const Json* option = JsonObjectMember(input, "selected_option")) return Field(*option, "value");
  return "";
}

void ReadState(const Json& view, InteractionPayload& out) {
  const Json* state = JsonObjectMember(view, "state");
  const Json* values = state == nullptr ? nullptr : JsonObjectMember(*state, "values");
  if (values == nullptr) return;
  for (const auto& [block_id, actions] : values->items()) {
    if (out.state_values.size() >= kMaxStateBlocks) break;
    if (!actions.is_object()) continue;
    std::map<std::string, std::string>& block = out.state_values[block_id.substr(0, kMaxFieldBytes)];
    for (const auto& [action_id, input] : actions.items()) {
      if (block.size() >= kMaxStateBlocks) break;
      block[action_id.substr(0, kMaxFieldBytes)] = InputValue(input);
    }
  }
}

void ReadActions(const Json& payload, InteractionPayload& out) {
  const Json* actions = JsonMember(payload, "actions");
  if (actions == nullptr || !actions->is_array()) return;
  for (const Json& action : *actions) {
    if (out.actions.size() >= kMaxActions) break;
    if (!action.is_object()) continue;
    out.actions.push_back(InteractionAction{Field(action, "action_id"), Field(action, "block_id"),
                                            Field(action, "value"), Field(action, "type")});
  }
}

Json PlainText(std::string_view text) {
  return Json{{"type", "plain_text"}, {"text", text}, {"emoji", true}};
}

Json ReasonInput(std::string_view placeholder) {
  return Json{{"type", "input"},
              {"block_id", kReasonBlockId},
              {"label", PlainText("Reason")},
              {"element",
               {{"type", "plain_text_input"},
                {"action_id", kReasonActionId},
                {"multiline", true},
                {"max_length", 2000},
                {"placeholder", PlainText(placeholder)}}}};
}

Json Modal(std::string_view callback_id, std::string_view execution_id, std::string_view title,
           std::string_view submit, Json blocks) {
  return Json{{"type", "modal"},
              {"callback_id", callback_id},
              {"private_metadata", execution_id},
              {"title", PlainText(title)},
              {"submit", PlainText(submit)},
              {"close", PlainText("Cancel")},
              {"blocks", std::move(blocks)}};
}

}  // namespace

std::string InteractionPayload::StateValue(std::string_view block_id, std::string_view action_id) const {
  const auto block = state_values.find(std::string(block_id));
  if (block == state_values.end()) return "";
  const auto value = block->second.find(std::string(action_id));
  return value == block->second.end() ? "" : value->second;
}

absl::StatusOr<InteractionPayload> ParseInteractionPayload(const Json& payload) {
  if (!payload.is_object()) return absl::InvalidArgumentError("interactivity payload is not a JSON object");
  InteractionPayload out;
  out.type = Field(payload, "type");
  if (out.type.empty()) return absl::InvalidArgumentError("interactivity payload has no string \"type\"");
  out.user_id = Nested(payload, "user", "id");
  out.user_name = FirstNonEmpty(Nested(payload, "user", "username"), Nested(payload, "user", "name"));
  out.team_id = FirstNonEmpty(Nested(payload, "team", "id"), Nested(payload, "user", "team_id"));
  out.trigger_id = Field(payload, "trigger_id");
  out.response_url = Field(payload, "response_url");
  ReadActions(payload, out);
  out.channel_id =
      FirstNonEmpty(Nested(payload, "container", "channel_id"), Nested(payload, "channel", "id"));
  out.message_ts =
      FirstNonEmpty(Nested(payload, "container", "message_ts"), Nested(payload, "message", "ts"));
  out.thread_ts =
      FirstNonEmpty(Nested(payload, "container", "thread_ts"), Nested(payload, "message", "thread_ts"));
  if (const Json* view = JsonObjectMember(payload, "view")) {
    out.view_id = Field(*view, "id");
    out.callback_id = Field(*view, "callback_id");
    out.private_metadata = Field(*view, "private_metadata");
    ReadState(*view, out);
  }
  return out;
}

absl::StatusOr<Json> ParseInteractionJson(std::string_view json_text) {
  if (json_text.size() > kMaxInteractionPayloadBytes)
    return absl::InvalidArgumentError("interactivity payload is larger than 1 MiB");
  bool too_deep = false;
  const Json::parser_callback_t limit_depth = [&too_deep](int depth, Json::parse_event_t event, Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth > kMaxJsonDepth) {
      too_deep = true;
    }
    return !too_deep;
  };
  Json payload = Json::parse(json_text, limit_depth, /*allow_exceptions=*/false);
  if (too_deep) return absl::InvalidArgumentError("interactivity payload is nested deeper than 64 levels");
  if (payload.is_discarded()) return absl::InvalidArgumentError("interactivity payload is not JSON");
  if (!payload.is_object()) return absl::InvalidArgumentError("interactivity payload is not a JSON object");
  return payload;
}

absl::StatusOr<InteractionPayload> ParseInteractionPayloadText(std::string_view json_text) {
  absl::StatusOr<Json> payload = ParseInteractionJson(json_text);
  if (!payload.ok()) return payload.status();
  return ParseInteractionPayload(*payload);
}

absl::StatusOr<std::string> InteractionPayloadFromForm(std::string_view form_body) {
  for (const absl::string_view pair : absl::StrSplit(ToAbsl(form_body), '&')) {
    const std::size_t equals = pair.find('=');
    if (equals == absl::string_view::npos || FormDecode(ToStd(pair.substr(0, equals))) != "payload") continue;
    std::string payload = FormDecode(ToStd(pair.substr(equals + 1)));
    if (!payload.empty()) return payload;
  }
  return absl::InvalidArgumentError("the form has no payload parameter");
}

Json RejectModalView(std::string_view execution_id) {
  Json blocks = Json::array();
  blocks.push_back(Json{{"type", "section"},
                        {"text",
                         {{"type", "mrkdwn"},
                          {"text", absl::StrCat("Reject the credit of execution `", ToAbsl(execution_id),
                                                "`. The requester sees the reason in the thread.")}}}});
  blocks.push_back(ReasonInput("Why is this credit rejected?"));
  return Modal(kRejectModalCallbackId, execution_id, "Reject credit", "Reject", std::move(blocks));
}

Json AdjustModalView(std::string_view execution_id, std::string_view recommended_amount) {
  Json amount_element = {{"type", "plain_text_input"},
                         {"action_id", kAmountActionId},
                         {"placeholder", PlainText("e.g. 1200.00")}};
  Json amount = {{"type", "input"},
                 {"block_id", kAmountBlockId},
                 {"label", PlainText("Amount to credit (USD)")},
                 {"element", std::move(amount_element)}};
  if (!recommended_amount.empty())
    amount["hint"] = PlainText(absl::StrCat("The recommendation was $", ToAbsl(recommended_amount), "."));
  Json blocks = Json::array();
  blocks.push_back(
      Json{{"type", "section"},
           {"text",
            {{"type", "mrkdwn"},
             {"text", absl::StrCat("Credit another amount for execution `", ToAbsl(execution_id), "`.")}}}});
  blocks.push_back(std::move(amount));
  blocks.push_back(ReasonInput("Why this amount?"));
  return Modal(kAdjustModalCallbackId, execution_id, "Adjust credit", "Adjust", std::move(blocks));
}

Json ViewErrorsResponse(const std::map<std::string, std::string>& errors) {
  Json fields = Json::object();
  for (const auto& [block_id, message] : errors) fields[block_id] = message;
  return Json{{"response_action", "errors"}, {"errors", std::move(fields)}};
}

}  // namespace creditbot
