// StateStoreHistory: the HistoryState of SlackHistorySource (slack/history_state.h) kept in the StateStore.
// A channel's watermark is the cursor "slack_history:<channel>"; the threads due to be re-read are the
// waiting records that DueForReRead (bot/due_requests.h) picks.
//
// The store must outlive this object. Used by one thread (the store's rule).
#pragma once

#include "absl/time/time.h"
#include "slack/history_state.h"
#include "state/state_store.h"

namespace creditbot {

struct StateStoreHistoryOptions {
  absl::Duration asked_window = absl::Hours(24 * 7);  // Default: CREDITBOT_SLACK_ASKED_DAYS's
};

class StateStoreHistory final : public HistoryState {
 public:
  StateStoreHistory(StateStore& state, StateStoreHistoryOptions options) : state_(state), options_(options) {}

  absl::StatusOr<std::optional<std::string>> Watermark(std::string_view channel) override;
  absl::Status SaveWatermark(std::string_view channel, std::string_view ts) override;
  // Lists the failed, claimed and asked records (in that order, `limit` of each, newest first) and keeps
  // those DueForReRead at `now`; then the live ledger entries awaiting a decision (`limit`, newest first),
  // as threads whose replies may decide them. A ledger that cannot be read is logged and left out (the
  // other threads are still read).
  absl::StatusOr<std::vector<WaitingThread>> DueThreads(absl::Time now, int limit) override;

 private:
  StateStore& state_;
  StateStoreHistoryOptions options_;
};

}  // namespace creditbot
