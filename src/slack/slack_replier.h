// SlackReplier: the Replier that posts to Slack itself (chat.postMessage), DMs the owner
// (conversations.open + chat.postMessage) and finds our earlier replies in a thread
// (conversations.replies with include_all_metadata) — the exactly-once check the pipeline makes before
// every post (ARCHITECTURE.md "Exactly one reply per request").
//
// A reply counts as ours only when it carries our metadata (event_type creditbot_reply, the request key and
// kind, not marked dry_run) AND was posted by our own bot (auth.test's bot_id or user_id): any app can
// write metadata, so the author is checked too.
//
// Post failures: a post whose answer never arrived (kUnknown from SlackWebApi::PostMessage) is looked up in
// the thread at once; found, its ts is returned; not found, kUnavailable, so the pipeline retries later —
// and checks the thread again first. Slack's own refusals keep SlackWebApi's codes.
//
// Decisions: Update is chat.update, PostEphemeral chat.postEphemeral, MessageBlocks reads a reply's blocks
// from its thread (conversations.replies).
//
// Reactions (reactions.add / reactions.remove) are a courtesy: they never pace the answers. The 👀 goes on
// only while reactions.remove has budget left this minute, so the 👀 put on can always be taken off again;
// ✅ / ❌ are skipped when reactions.add's budget is spent. Permalinks are built from auth.test's workspace
// `url` (no extra call, no extra scope).
//
// Used by one thread at a time, like the SlackWebApi it wraps.
#pragma once

#include <string>

#include "slack/replier.h"
#include "slack/slack_web_api.h"

namespace creditbot {

class SlackReplier final : public Replier {
 public:
  // `max_thread_pages`: how many conversations.replies pages FindOurReply reads (Default: 10, i.e. up to
  // 2,000 messages; our reply is usually among the first).
  explicit SlackReplier(SlackWebApi& api, int max_thread_pages = 10)
      : api_(api), max_thread_pages_(max_thread_pages) {}

  // nullopt for a DM (no thread) and for a thread that no longer exists.
  absl::StatusOr<std::optional<OurReply>> FindOurReply(std::string_view channel, std::string_view thread_ts,
                                                       std::string_view request_key,
                                                       std::string_view kind) override;
  // A reply whose channel is a user id (U…/W…) without thread is a DM: the DM channel is opened first.
  absl::StatusOr<std::string> Post(const Reply& reply) override;
  // Failures are logged, never fatal. kSeenReaction is skipped (false) when reactions.remove's budget is
  // spent, see above.
  bool AddReaction(std::string_view channel, std::string_view ts, std::string_view name) override;
  void RemoveReaction(std::string_view channel, std::string_view ts, std::string_view name) override;
  // https://<workspace>.slack.com/archives/<channel>/p<ts digits>; the default's slack.com link when
  // auth.test fails.
  std::string Permalink(std::string_view channel, std::string_view ts) override;
  // chat.update with the text (capped to Slack's limit) and blocks.
  absl::Status Update(std::string_view channel, std::string_view ts, std::string_view text,
                      std::string_view blocks_json) override;
  // chat.postEphemeral.
  absl::Status PostEphemeral(std::string_view channel, std::string_view user, std::string_view text,
                             std::string_view thread_ts) override;
  // Reads the thread (conversations.replies, up to max_thread_pages pages) for the message `ts`; kNotFound
  // when it is not there (or `thread_ts` is empty).
  absl::StatusOr<std::string> MessageBlocks(std::string_view channel, std::string_view thread_ts,
                                            std::string_view ts) override;

 private:
  SlackWebApi& api_;
  int max_thread_pages_;
};

}  // namespace creditbot
