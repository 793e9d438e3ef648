// MessageSource: where requests come from. LocalInbox (the embedded default) reads a JSON-lines file of
// Slack message events in Slack's own wire format (bare `message` events, `event_callback` envelopes or
// conversations.history items with a `channel`). SlackHistorySource (slack/slack_history_source.h) reads
// Slack itself.
//
// A line that cannot be read is not dropped: it is returned as an item with `error` set, so the pass
// records and reports it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "slack/message.h"

namespace creditbot {

struct InboxItem {
  std::optional<SlackMessage> message;
  std::string error;   // why the item could not be read (message unset)
  std::string origin;  // e.g. "data/sample/inbox.jsonl:12"
  std::string digest;  // SHA-256 of the raw item, a stable key for a rejected line
  // For an item with `error`: the headline of the owner's DM. Default: "A message could not be read".
  std::string alert_headline;
};

class MessageSource {
 public:
  virtual ~MessageSource() = default;
  // The messages to consider in this pass, in the order they were posted (the inbox's line order). kNotFound
  // / kUnavailable when the source itself cannot be read (the pass then stops with that error).
  virtual absl::StatusOr<std::vector<InboxItem>> Fetch() = 0;
  // Called after every item of the last Fetch was handled (recorded in the state store): the source may
  // move past them (e.g. save how far a channel's history was read). Not called when the pass stopped
  // early, so a crash re-reads rather than loses. Default: nothing to remember.
  virtual absl::Status Commit() { return absl::OkStatus(); }
};

class LocalInbox final : public MessageSource {
 public:
  // `default_channel` is used for history items that carry no channel (may be empty).
  LocalInbox(std::string path, std::string default_channel)
      : path_(std::move(path)), default_channel_(std::move(default_channel)) {}
  absl::StatusOr<std::vector<InboxItem>> Fetch() override;

 private:
  std::string path_;
  std::string default_channel_;
};

}  // namespace creditbot
