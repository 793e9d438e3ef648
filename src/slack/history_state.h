// HistoryState: what SlackHistorySource needs from its owner between passes — how far each channel's
// history has been read, and which requests are waiting on their thread and due to be re-read. It is
// declared here so that slack/ does not depend on the state store; bot/ implements it on top of the
// StateStore (bot/state_store_history.h), where the rule of which requests are due lives
// (bot/due_requests.h).
//
// Implementations need not be thread-safe: SlackHistorySource uses one from one thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace creditbot {

// A request whose thread is to be read again.
struct WaitingThread {
  std::string key;      // the request's reference as the owner names it ("channel:ts")
  std::string channel;  // the request's message, the thread's parent
  std::string ts;
  bool asked = false;    // we asked the requester a question in the thread: their later replies may answer it
  std::string reply_ts;  // the ts of our reply in the thread, when one was posted
  // Our credit reply in the thread awaits a decision: anyone's later replies may be decision commands
  // (`approve`, `reject <reason>`, …).
  bool decisions = false;
};

class HistoryState {
 public:
  virtual ~HistoryState() = default;

  // How far `channel`'s history has been read (the newest Slack ts handled); nullopt before the first
  // pass. Errors: the store's (the pass stops and starts from the same place next time).
  virtual absl::StatusOr<std::optional<std::string>> Watermark(std::string_view channel) = 0;
  // Saves `ts` as `channel`'s watermark (overwrites).
  virtual absl::Status SaveWatermark(std::string_view channel, std::string_view ts) = 0;

  // The requests due to be re-read from their thread at `now`, looking at no more than `limit` of the
  // newest waiting requests of each kind (failures, claims, questions, credits awaiting a decision), in that
  // order of kinds and newest first within each. Errors: the store's.
  virtual absl::StatusOr<std::vector<WaitingThread>> DueThreads(absl::Time now, int limit) = 0;
};

}  // namespace creditbot
