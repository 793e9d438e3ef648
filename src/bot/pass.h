// A scheduled pass (`creditbot run --once`): take the pass lease, finish showing decisions recorded but not
// yet shown in Slack, fetch the messages, hand each to the Pipeline, clean old state, release the lease.
// Passes never overlap: a second pass that finds the lease held ends at once with lease_busy set.
//
// While the pause switch is on (the pipeline's PauseGate, bot/pause_gate.h) a pass still takes the lease and
// reads the messages, but the pipeline claims, records and posts nothing (each item ends kPaused), pending
// decisions are not shown, the read position is not committed (so every message is read again, and answered
// once, after `creditbot resume`) and old state is not cleaned; one line is logged per such pass.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "bot/pipeline.h"

namespace creditbot {

struct PassOptions {
  std::string holder = "creditbot";
  absl::Duration lease_ttl = absl::Seconds(kDefaultClaimLeaseSeconds);
  int retention_days = 90;
};

struct PassSummary {
  bool lease_busy = false;
  int items = 0;
  std::map<std::string, int> outcomes;  // by ItemOutcomeName
  int cleaned = 0;
  // Decisions whose Slack side this pass completed (Pipeline::FinishPendingDecisions).
  int decisions_finished = 0;
  // The pause in force when the pass started or an item was left alone because of it (outcomes["paused"]).
  std::optional<PauseState> paused;
};

// Errors: the source cannot be read, or the state store fails on the lease (nothing was processed); or
// kUnauthenticated when a service refused creditbot's credentials while handling a message (the pass stops
// there; that message is due again later and the read position is not committed, so none is lost).
absl::StatusOr<PassSummary> RunPass(MessageSource& source, Pipeline& pipeline, StateStore& state,
                                    const Clock& clock, const PassOptions& options);

}  // namespace creditbot
