// A scheduled pass (`creditbot run --once`): take the pass lease, finish showing decisions recorded but not
// yet shown in Slack, fetch the messages, hand each to the Pipeline, clean old state, release the lease.
// Passes never overlap: a second pass that finds the lease held ends at once with lease_busy set.
#pragma once

#include <map>
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
};

// Errors: the source cannot be read, or the state store fails on the lease (nothing was processed); or
// kUnauthenticated when a service refused creditbot's credentials while handling a message (the pass stops
// there; that message is due again later and the read position is not committed, so none is lost).
absl::StatusOr<PassSummary> RunPass(MessageSource& source, Pipeline& pipeline, StateStore& state,
                                    const Clock& clock, const PassOptions& options);

}  // namespace creditbot
