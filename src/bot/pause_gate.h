// PauseGate: how a pass, `serve` and the pipeline read the pause switch (state/pause.h, `creditbot pause`).
// Pipeline::Handle asks it before anything else, so every mode — `run --once`, serve's catch-up pass and
// each event serve is delivered — claims nothing, records nothing and posts nothing while paused; RunPass
// then leaves the source's read position where it was, so every message read meanwhile is read again (and
// answered, once) after `creditbot resume`.
//
// The flag is read from the store at most every `max_age` (default 2 s, never more than 5 s: a pause takes
// effect within that), so a pass over many messages costs one read per max_age, not one per message. A flag
// that cannot be read counts as paused (the reason says so; logged once per outage): a store that cannot say
// whether it is paused would not take a claim either, and nothing read meanwhile is lost.
//
// Every read sets the gauge creditbot_paused (0 or 1). A line is logged the first time the gate sees the
// store paused and whenever it sees the flag change (paused → resumed, resumed → paused).
//
// Used by one thread at a time (the store's rule); the store and clock must outlive the gate.
#pragma once

#include <optional>

#include "absl/time/time.h"
#include "common/clock.h"
#include "state/pause.h"
#include "state/state_store.h"

namespace creditbot {

// The longest a pause may go unnoticed (the bound); PauseGateOptions::max_age is capped at it.
inline constexpr absl::Duration kMaxPauseStaleness = absl::Seconds(5);

struct PauseGateOptions {
  absl::Duration max_age = absl::Seconds(2);  // Default: 2 s; capped at kMaxPauseStaleness
};

class PauseGate {
 public:
  PauseGate(StateStore& state, const Clock& clock, PauseGateOptions options = {});

  // The pause in force: the last read when younger than max_age, else the store read again. Never fails: an
  // unreadable flag is PauseState{paused, reason "the pause switch could not be read: …"} (logged).
  PauseState Current();
  // Current().paused.
  bool Paused() { return Current().paused; }
  // Forgets the last read, so the next Current() reads the store (e.g. right after this process paused).
  void Invalidate() { read_at_.reset(); }

 private:
  StateStore& state_;
  const Clock& clock_;
  PauseGateOptions options_;
  PauseState last_;
  std::optional<absl::Time> read_at_;
  std::optional<bool> seen_paused_;  // what the last successful read said; nullopt before it
  bool unreadable_ = false;          // the last read failed (logged once per outage)
};

}  // namespace creditbot
