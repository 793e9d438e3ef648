// Parsing of Slack message events and history items into SlackMessage; see message.h.
#include "slack/message.h"

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
namespace {

using nlohmann::json;

// Real blocks nest a handful of levels. Copying a json value recurses, so a hostile document must be
// stopped before the copy.
constexpr int kMaxBlocksDepth = 64;

// Longest user-supplied value echoed into an error message.
constexpr std::size_t kMaxShownLength = 40;

std::string Shown(std::string_view value) {
  if (value.size() <= kMaxShownLength) return std::string(value);
  return absl::StrCat(ToAbsl(value.substr(0, kMaxShownLength)), "…");
}

// True when `value` nests arrays/objects deeper than `max_depth`. Iterative, so it is safe on any input.
bool NestsDeeperThan(const json& value, int max_depth) {
  std::vector<std::pair<const json*, int>> pending = {{&value, 1}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    if (depth > max_depth) return true;
    for (const json& child : *node) pending.emplace_back(&child, depth + 1);
  }
  return false;
}

// The string at `key` of `object`, or nullptr when absent or null. Fails when present with another type.
absl::StatusOr<const std::string*> FindString(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  if (!it->is_string())
    return absl::InvalidArgumentError(absl::StrCat("message field \"", ToAbsl(key), "\" is not a string"));
  return &it->get_ref<const std::string&>();
}

absl::Status CopyString(const json& object, std::string_view key, std::string& out) {
  CREDITBOT_ASSIGN_OR_RETURN(const std::string* value, FindString(object, key));
  if (value != nullptr) out = *value;
  return absl::OkStatus();
}

// Slack timestamps are "<seconds>.<micros>"; we accept digits with an optional fractional part.
bool IsSlackTimestamp(std::string_view ts) {
  std::size_t dot = ts.find('.');
  std::string_view seconds = ts.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : ts.substr(dot + 1);
  if (seconds.empty() || (dot != std::string_view::npos && fraction.empty())) return false;
  for (std::string_view part : {seconds, fraction}) {
    for (char c : part) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
    }
  }
  return true;
}

// Copies a timestamp field; `required` makes its absence an error ("message has no ts").
absl::Status CopyTimestamp(const json& object, std::string_view key, bool required, std::string_view owner,
                           std::string& out) {
  CREDITBOT_ASSIGN_OR_RETURN(const std::string* value, FindString(object, key));
  if (value == nullptr) {
    if (required) return absl::InvalidArgumentError(absl::StrCat(ToAbsl(owner), " has no ", ToAbsl(key)));
    return absl::OkStatus();
  }
  if (!IsSlackTimestamp(*value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("message ", ToAbsl(key), " \"", Shown(*value), "\" is not a Slack timestamp"));
  }
  out = *value;
  return absl::OkStatus();
}

absl::Status CopyBlocks(const json& object, SlackMessage& message) {
  auto it = object.find("blocks");
  if (it == object.end() || it->is_null()) return absl::OkStatus();
  if (NestsDeeperThan(*it, kMaxBlocksDepth)) {
    return absl::InvalidArgumentError(
        absl::StrCat("message blocks are nested deeper than ", kMaxBlocksDepth, " levels"));
  }
  message.blocks = std::make_shared<const json>(*it);
  return absl::OkStatus();
}

// previous_message.text when previous_message is an object with a string text; otherwise nullopt.
std::optional<std::string> PreviousText(const json& event) {
  auto previous = event.find("previous_message");
  if (previous == event.end() || !previous->is_object()) return std::nullopt;
  auto text = previous->find("text");
  if (text == previous->end() || !text->is_string()) return std::nullopt;
  return text->get_ref<const std::string&>();
}

// Fields shared by a plain message and the new message inside message_changed.
absl::Status CopyMessageFields(const json& object, SlackMessage& message) {
  CREDITBOT_RETURN_IF_ERROR(CopyTimestamp(object, "ts", /*required=*/true, "message", message.ts));
  CREDITBOT_RETURN_IF_ERROR(
      CopyTimestamp(object, "thread_ts", /*required=*/false, "message", message.thread_ts));
  CREDITBOT_RETURN_IF_ERROR(CopyString(object, "user", message.user));
  CREDITBOT_RETURN_IF_ERROR(CopyString(object, "parent_user_id", message.parent_user_id));
  CREDITBOT_RETURN_IF_ERROR(CopyString(object, "bot_id", message.bot_id));
  CREDITBOT_RETURN_IF_ERROR(CopyString(object, "text", message.text));
  CREDITBOT_RETURN_IF_ERROR(CopyBlocks(object, message));
  auto edited = object.find("edited");
  message.edited = edited != object.end() && !edited->is_null();
  return absl::OkStatus();
}

// Unwraps the Socket Mode and Events API envelopes, if any, down to the event object.
absl::StatusOr<const json*> UnwrapEvent(const json& j) {
  const json* event = &j;
  CREDITBOT_ASSIGN_OR_RETURN(const std::string* type, FindString(*event, "type"));
  if (type != nullptr && *type == "events_api") {
    auto payload = event->find("payload");
    if (payload == event->end() || !payload->is_object()) {
      return absl::InvalidArgumentError("events_api envelope has no payload object");
    }
    event = &*payload;
    CREDITBOT_ASSIGN_OR_RETURN(type, FindString(*event, "type"));
    if (type == nullptr || *type != "event_callback") {
      return absl::InvalidArgumentError("events_api envelope does not carry an event_callback");
    }
  }
  if (type != nullptr && *type == "event_callback") {
    auto inner = event->find("event");
    if (inner == event->end() || !inner->is_object()) {
      return absl::InvalidArgumentError("event_callback has no event object");
    }
    event = &*inner;
    CREDITBOT_ASSIGN_OR_RETURN(type, FindString(*event, "type"));
  }
  if (type != nullptr && *type != "message") {
    return absl::InvalidArgumentError(absl::StrCat("not a message event (type \"", Shown(*type), "\")"));
  }
  return event;
}

}  // namespace

absl::StatusOr<SlackMessage> ParseSlackMessage(const json& j, std::string_view default_channel) {
  if (!j.is_object()) return absl::InvalidArgumentError("message JSON is not an object");
  CREDITBOT_ASSIGN_OR_RETURN(const json* event_ptr, UnwrapEvent(j));
  const json& event = *event_ptr;

  SlackMessage message;
  CREDITBOT_RETURN_IF_ERROR(CopyString(event, "subtype", message.subtype));
  CREDITBOT_RETURN_IF_ERROR(CopyString(event, "channel", message.channel));
  if (message.channel.empty()) message.channel = std::string(default_channel);
  if (message.channel.empty()) return absl::InvalidArgumentError("message has no channel");
  CREDITBOT_RETURN_IF_ERROR(
      CopyTimestamp(event, "event_ts", /*required=*/false, "message", message.event_ts));

  if (message.subtype == "message_changed") {
    auto changed = event.find("message");
    if (changed == event.end() || !changed->is_object()) {
      return absl::InvalidArgumentError("message_changed event has no message object");
    }
    if (message.event_ts.empty()) {
      CREDITBOT_RETURN_IF_ERROR(CopyTimestamp(event, "ts", /*required=*/false, "message", message.event_ts));
    }
    CREDITBOT_RETURN_IF_ERROR(CopyMessageFields(*changed, message));
    CREDITBOT_RETURN_IF_ERROR(CopyString(*changed, "subtype", message.changed_subtype));
    message.is_tombstone = message.changed_subtype == "tombstone";
    message.previous_text = PreviousText(event);
    return message;
  }

  CREDITBOT_RETURN_IF_ERROR(CopyMessageFields(event, message));
  if (message.subtype == "message_deleted") {
    CREDITBOT_RETURN_IF_ERROR(
        CopyTimestamp(event, "deleted_ts", /*required=*/true, "message_deleted event", message.deleted_ts));
    message.previous_text = PreviousText(event);
    if (message.event_ts.empty()) message.event_ts = message.ts;
    return message;
  }
  const bool is_bot = !message.bot_id.empty() || message.subtype == "bot_message";
  auto text = event.find("text");
  if (!is_bot && (text == event.end() || text->is_null())) {
    return absl::InvalidArgumentError("message has no text");
  }
  return message;
}

absl::StatusOr<SlackMessage> ParseSlackMessageLine(std::string_view json_text,
                                                   std::string_view default_channel) {
  json parsed;
  try {
    parsed = json::parse(json_text);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not JSON: ", e.what()));
  }
  return ParseSlackMessage(parsed, default_channel);
}

}  // namespace creditbot
