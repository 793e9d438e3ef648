// SlackMessage: one Slack message event, flattened into the fields the bot decides on, whichever way it
// arrived (Events API, Socket Mode, a conversations.history page, the local inbox file).
//
// Accepted JSON shapes, outermost first (each is unwrapped if present):
//   - a Socket Mode envelope {"type":"events_api","payload":{…}};
//   - an Events API envelope {"type":"event_callback","event":{…}};
//   - a message event {"type":"message",…} or a conversations.history item (no "type", channel often absent).
// A parsed SlackMessage is a plain value: copy it freely, no thread-safety concerns. Parsing never throws.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {

struct SlackMessage {
  std::string channel;  // from the event, else the caller's default channel
  // The message's own ts: for message_changed, the ts of the message that changed (the request's key stays
  // channel:ts across edits); for message_deleted, the deletion event's ts (see deleted_ts).
  std::string ts;
  std::string thread_ts;  // "" for a top-level message without replies
  std::string user;
  std::string parent_user_id;  // thread replies: the author of the thread's parent message ("" otherwise)
  std::string bot_id;
  std::string subtype;  // the event's subtype, "" for a plain user message
  std::string
      changed_subtype;  // message_changed only: the new message's subtype ("tombstone", "bot_message" …)
  std::string text;     // raw mrkdwn as Slack sent it (entities not decoded); "" when absent
  // The message's "blocks" array, shared and immutable so that copies stay cheap and this header need not
  // include nlohmann/json.hpp. nullptr when the message has no (or a null) "blocks".
  std::shared_ptr<const nlohmann::json> blocks;
  bool edited = false;  // the (new) message carries "edited"
  // message_changed and message_deleted: previous_message.text, when previous_message is an object holding a
  // string "text" (Slack sometimes sends previous_message as [] — then nullopt).
  std::optional<std::string> previous_text;
  std::string deleted_ts;     // message_deleted only: ts of the deleted message
  bool is_tombstone = false;  // message_changed whose new message has subtype "tombstone" (a deleted parent)
  // The event's own "event_ts"; for message_changed and message_deleted without one, the event's "ts".
  // "" for history items, which carry neither.
  std::string event_ts;
  // True only for a top-level message read from conversations.history whose thread had no replies then (no
  // "reply_count"): nothing of ours can be in its thread unless posted after that read. The pipeline uses it
  // to skip the exactly-once thread lookup before a first post (see Pipeline::PostOnce). False otherwise.
  bool no_replies_when_read = false;

  // True when the message is a reply inside a thread (Slack sends replies without a subtype; thread_ts is
  // present and differs from ts). A thread parent has thread_ts == ts.
  bool IsThreadReply() const { return !thread_ts.empty() && thread_ts != ts; }
};

// Flattens one message JSON (any shape listed above). `default_channel` is used when the message carries no
// "channel" (conversations.history items). Never throws. Errors are kInvalidArgument naming the problem:
//   "message JSON is not an object", "events_api envelope has no payload object",
//   "events_api envelope does not carry an event_callback", "event_callback has no event object",
//   "not a message event (type \"app_mention\")", "message has no channel", "message has no ts",
//   "message ts \"abc\" is not a Slack timestamp", "message has no text",
//   "message field \"user\" is not a string", "message_changed event has no message object",
//   "message_deleted event has no deleted_ts", "message blocks are nested deeper than 64 levels".
// "text" is required except for message_changed (its new message may lack it), message_deleted, and bot
// messages (bot_id or subtype bot_message), which may carry only attachments or blocks.
absl::StatusOr<SlackMessage> ParseSlackMessage(const nlohmann::json& j,
                                               std::string_view default_channel = "");

// Parses `json_text` and then ParseSlackMessage. Invalid JSON is kInvalidArgument "not JSON: <parser error>".
absl::StatusOr<SlackMessage> ParseSlackMessageLine(std::string_view json_text,
                                                   std::string_view default_channel);

}  // namespace creditbot
