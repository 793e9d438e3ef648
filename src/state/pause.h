// The pause switch (`creditbot pause` / `creditbot resume`, issue 22): one flag in the state store that every
// mode honours at once. While it is on, a pass and `serve` read messages but claim nothing and post nothing,
// and decisions are refused; after `resume` each request waiting meanwhile is answered exactly once.
//
// PauseState is the flag as stored (StateStore::GetPause / SetPause): who set it last, when, and why. A store
// that was never paused reads as PauseState{} (not paused, no one, no time). Plain data, no I/O.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace creditbot {

struct PauseState {
  bool paused = false;
  std::string by;                   // Slack user id (U…) of who paused or resumed last; may be empty
  std::optional<absl::Time> since;  // when it was set; nullopt when never set
  std::string reason;               // why it was paused (required to pause); "" after a resume

  bool operator==(const PauseState& other) const = default;
};

// What StateStore::SetPause did: `applied` when the flag changed (the store then holds the requested state),
// else nothing changed (already paused, or not paused). `before` is the state as it was read.
struct PauseChange {
  bool applied = false;
  PauseState before;
};

// What every store checks before SetPause writes `next`: kInvalidArgument when it has no time, or pauses
// without a reason ("a pause needs a reason").
absl::Status ValidatePauseState(const PauseState& next);

// The one line that names a pause, for logs, /readyz, `doctor`, the pause commands and refusals:
// "paused: REASON (by U…, since 2026-01-15T12:34:56Z)"; the parts it lacks are left out ("paused: REASON").
// "not paused" when `state` is not paused.
std::string PauseLine(const PauseState& state);

}  // namespace creditbot
