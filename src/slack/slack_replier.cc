// Posting replies and DMs to Slack, and finding our earlier replies in a thread.
#include "slack/slack_replier.h"

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/cap_text.h"
#include "common/json_fields.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
namespace {

// True when `message` is a live reply of ours for `request_key` of `kind`.
bool IsOurReply(const nlohmann::json& message, const SlackIdentity& us, std::string_view request_key,
                std::string_view kind) {
  const std::string bot_id = JsonStringMember(message, "bot_id");
  const std::string user = JsonStringMember(message, "user");
  const bool by_us =
      (!us.bot_id.empty() && bot_id == us.bot_id) || (!us.user_id.empty() && user == us.user_id);
  if (!by_us) return false;
  const nlohmann::json* metadata = JsonMember(message, "metadata");
  if (metadata == nullptr || JsonStringMember(*metadata, "event_type") != "creditbot_reply") return false;
  const nlohmann::json* payload = JsonMember(*metadata, "event_payload");
  if (payload == nullptr || !payload->is_object()) return false;
  const nlohmann::json* dry_run = JsonMember(*payload, "dry_run");
  if (dry_run != nullptr && dry_run->is_boolean() && dry_run->get<bool>()) return false;
  return JsonStringMember(*payload, "request_key") == request_key &&
         JsonStringMember(*payload, "kind") == kind;
}

bool IsUserId(std::string_view id) { return id.size() > 1 && (id.front() == 'U' || id.front() == 'W'); }

}  // namespace

absl::StatusOr<std::optional<OurReply>> SlackReplier::FindOurReply(std::string_view channel,
                                                                   std::string_view thread_ts,
                                                                   std::string_view request_key,
                                                                   std::string_view kind) {
  if (thread_ts.empty()) return std::optional<OurReply>();
  CREDITBOT_ASSIGN_OR_RETURN(SlackIdentity us, api_.AuthTest());
  std::string cursor;
  for (int page = 0; page < max_thread_pages_; ++page) {
    absl::StatusOr<SlackMessagePage> replies = api_.Replies(channel, thread_ts, cursor);
    if (absl::IsNotFound(replies.status())) return std::optional<OurReply>();
    if (!replies.ok()) return replies.status();
    for (const nlohmann::json& message : replies->messages) {
      if (IsOurReply(message, us, request_key, kind)) {
        const nlohmann::json& event = (*JsonMember(message, "metadata"))["event_payload"];
        return std::optional<OurReply>(
            OurReply{JsonStringMember(message, "ts"), JsonStringMember(event, "execution_id")});
      }
    }
    if (replies->next_cursor.empty()) return std::optional<OurReply>();
    cursor = replies->next_cursor;
  }
  LogWarn("thread too long to search for our earlier reply completely",
          {{"channel", std::string(channel)}, {"thread_ts", std::string(thread_ts)}});
  return std::optional<OurReply>();
}

absl::StatusOr<std::string> SlackReplier::Post(const Reply& reply) {
  Reply to_send = reply;
  if (reply.thread_ts.empty() && IsUserId(reply.channel)) {
    CREDITBOT_ASSIGN_OR_RETURN(to_send.channel, api_.OpenDm(reply.channel));
  }
  absl::StatusOr<SlackPosted> posted = api_.PostMessage(PostMessagePayload(to_send, /*dry_run=*/false));
  if (posted.ok()) return posted->ts;
  if (posted.status().code() != absl::StatusCode::kUnknown) return posted.status();
  // The answer was lost: Slack may or may not have the message. Look before anyone posts again.
  absl::StatusOr<std::optional<OurReply>> found =
      FindOurReply(to_send.channel, to_send.thread_ts, to_send.request_key, to_send.kind);
  if (found.ok() && found->has_value()) {
    LogInfo("the post's answer was lost but the reply is in the thread");
    return (*found)->ts;
  }
  return absl::UnavailableError(absl::StrCat(
      "the post's answer was lost and the reply is not in the thread (yet): ", posted.status().message()));
}

bool SlackReplier::AddReaction(std::string_view channel, std::string_view ts, std::string_view name) {
  if (name == kSeenReaction && !api_.HasBudget("reactions.remove")) {
    LogDebug("eyes reaction skipped: it could not be taken off again this minute");
    return false;
  }
  absl::Status added = api_.AddReaction(channel, ts, name);
  if (absl::IsResourceExhausted(added)) {
    LogDebug("reaction skipped: Slack's rate budget for reactions is spent", {{"name", std::string(name)}});
  } else if (!added.ok()) {
    LogWarn("could not add a reaction",
            {{"name", std::string(name)}, {"error", std::string(added.message())}});
  }
  return added.ok();
}

void SlackReplier::RemoveReaction(std::string_view channel, std::string_view ts, std::string_view name) {
  absl::Status removed = api_.RemoveReaction(channel, ts, name);
  if (!removed.ok()) {
    LogWarn("could not remove a reaction",
            {{"name", std::string(name)}, {"error", std::string(removed.message())}});
  }
}

std::string SlackReplier::Permalink(std::string_view channel, std::string_view ts) {
  absl::StatusOr<SlackIdentity> us = api_.AuthTest();
  if (!us.ok() || us->url.empty()) return Replier::Permalink(channel, ts);
  return BuildPermalink(us->url, channel, ts);
}

absl::Status SlackReplier::Update(std::string_view channel, std::string_view ts, std::string_view text,
                                  std::string_view blocks_json) {
  nlohmann::json payload = {{"text", CapText(text, kMaxSlackTextBytes)}};
  if (!blocks_json.empty()) {
    nlohmann::json blocks = nlohmann::json::parse(blocks_json, nullptr, /*allow_exceptions=*/false);
    if (blocks.is_discarded() || !blocks.is_array())
      return absl::InvalidArgumentError("chat.update: the blocks are not a JSON array");
    payload["blocks"] = std::move(blocks);
  }
  return api_.UpdateMessage(channel, ts, payload.dump());
}

absl::Status SlackReplier::PostEphemeral(std::string_view channel, std::string_view user,
                                         std::string_view text, std::string_view thread_ts) {
  return api_.PostEphemeral(channel, user, CapText(text, kMaxSlackTextBytes), "", thread_ts).status();
}

absl::StatusOr<std::string> SlackReplier::MessageBlocks(std::string_view channel, std::string_view thread_ts,
                                                        std::string_view ts) {
  if (thread_ts.empty()) return absl::NotFoundError("no thread to read the message from");
  std::string cursor;
  for (int page = 0; page < max_thread_pages_; ++page) {
    CREDITBOT_ASSIGN_OR_RETURN(SlackMessagePage replies, api_.Replies(channel, thread_ts, cursor));
    for (const nlohmann::json& message : replies.messages) {
      if (JsonStringMember(message, "ts") != ts) continue;
      const nlohmann::json* blocks = JsonMember(message, "blocks");
      return blocks != nullptr && blocks->is_array() ? blocks->dump() : std::string();
    }
    if (replies.next_cursor.empty()) break;
    cursor = replies.next_cursor;
  }
  return absl::NotFoundError(
      absl::StrCat("message ", ToAbsl(ts), " not found in the thread ", ToAbsl(thread_ts)));
}

}  // namespace creditbot
