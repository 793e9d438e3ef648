// Replier: how creditbot answers. A Reply is exactly a chat.postMessage payload plus what the pipeline
// needs to know about it. LocalOutbox (the embedded default) appends payloads to a JSON-lines file that
// stands in for Slack; DryRunReplier prints what would be posted and writes it to the outbox marked as a
// dry run; the Slack Web API replier comes with issue 3.
//
// Exactly-once: every reply carries metadata {event_type: "creditbot_reply", event_payload: {request_key,
// kind, execution_id, dry_run}}. FindOurReply looks for a live (not dry-run) reply with the request key and
// kind in the thread, so a crash between posting and recording never yields a second reply. The kind is
// part of the match because one request can rightly get a question first ("ask_link") and, after the
// requester's edit, its answer ("credit"): one reply of each kind per request, never two.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {

struct Reply {
  std::string channel;    // a channel id, or the owner's user id for a DM
  std::string thread_ts;  // empty for a DM
  std::string request_key;
  std::string kind;         // "credit", "ask_link", "owner_alert"
  std::string text;         // plain-text fallback
  std::string blocks_json;  // JSON array, may be empty
  std::string execution_id;
};

// The chat.postMessage body for `reply`: channel, text, blocks, thread_ts, unfurl_links=false,
// unfurl_media=false and the metadata above.
std::string PostMessagePayload(const Reply& reply, bool dry_run);

class Replier {
 public:
  virtual ~Replier() = default;
  // The ts of a live reply of ours in `channel`/`thread_ts` carrying `request_key` and `kind`, if any.
  virtual absl::StatusOr<std::optional<std::string>> FindOurReply(std::string_view channel,
                                                                  std::string_view thread_ts,
                                                                  std::string_view request_key,
                                                                  std::string_view kind) = 0;
  // Posts; returns the reply's ts. Not idempotent: callers use FindOurReply first.
  virtual absl::StatusOr<std::string> Post(const Reply& reply) = 0;
  // Shows the requester that their request is being worked on (Slack: an "eyes" reaction). Best effort:
  // failures are logged by the implementation, never returned. Default: nothing.
  virtual void MarkSeen(std::string_view /*channel*/, std::string_view /*ts*/) {}
};

// The local outbox. One instance per process run; thread-compatible.
class LocalOutbox final : public Replier {
 public:
  explicit LocalOutbox(std::string path, bool mark_dry_run = false)
      : path_(std::move(path)), mark_dry_run_(mark_dry_run) {}
  absl::StatusOr<std::optional<std::string>> FindOurReply(std::string_view channel,
                                                          std::string_view thread_ts,
                                                          std::string_view request_key,
                                                          std::string_view kind) override;
  absl::StatusOr<std::string> Post(const Reply& reply) override;

 private:
  absl::Status LoadIndex();
  std::string path_;
  bool mark_dry_run_;
  bool loaded_ = false;
  std::set<std::string> answered_;  // "channel|thread_ts|request_key|kind" of live replies in the file
  long lines_ = 0;
};

// Dry run: prints each reply on stdout as a person would read it, and records its payload (marked
// dry_run) in the outbox; looks for earlier live replies through `live`.
class DryRunReplier final : public Replier {
 public:
  DryRunReplier(Replier& live, LocalOutbox& outbox) : live_(live), outbox_(outbox) {}
  absl::StatusOr<std::optional<std::string>> FindOurReply(std::string_view channel,
                                                          std::string_view thread_ts,
                                                          std::string_view request_key,
                                                          std::string_view kind) override {
    return live_.FindOurReply(channel, thread_ts, request_key, kind);
  }
  absl::StatusOr<std::string> Post(const Reply& reply) override;

 private:
  Replier& live_;
  LocalOutbox& outbox_;
};

}  // namespace creditbot
