// BackoffPolicy: how long every creditbot client waits before retrying a call (AWS, S3 state, Slack Web API
// and Socket Mode, Trino, Looker). One rule, so the clients differ only in their numbers (each keeps its
// own options and defaults):
//   - the ceiling before retry n (0 = the first retry) is min(max, initial × 2^n);
//   - a server's Retry-After, when the answer has one, replaces the ceiling and is honoured, capped at
//     max_retry_after (by default at max): the server knows better than a guess when it can take the call;
//   - jitter is either none (the ceiling itself) or "equal jitter": the ceiling's first half fixed and its
//     second half uniformly random, ceiling × (0.5 + 0.5 × draw), draw ∈ [0, 1].
//
// Why equal jitter (the AWS Architecture Blog's "Exponential Backoff And Jitter" compares full, equal and
// decorrelated jitter): it spreads clients that failed together (a restart, a throttled account) as the
// other rules do, but never waits less than half the ceiling, so a retry never hammers a server that just
// refused it and the waits stay bounded from both sides (tests, logs and an operator can reason about
// "between 100 ms and 200 ms"). Full jitter may wait ~0 and decorrelated jitter depends on the previous
// wait (state in the caller). The three clients that jittered already (S3 state store, Socket Mode, AWS)
// used this rule; the others wait without jitter as before (their waits are few and mostly a server's
// Retry-After).
//
// Randomness is injected: Delay takes an absl::BitGenRef (an absl::BitGen in production; a seeded
// std::mt19937 or absl::MockingBitGen in tests) or the draw itself, so tests are deterministic. Waiting is
// the caller's, through common/clock.h's Sleeper. A BackoffPolicy is an immutable value: thread-safe.
#pragma once

#include <optional>

#include "absl/random/bit_gen_ref.h"
#include "absl/time/time.h"

namespace creditbot {

enum class BackoffJitter {
  kNone,   // the ceiling itself: deterministic
  kEqual,  // ceiling × (0.5 + 0.5 × draw): between half the ceiling and the ceiling
};

struct BackoffPolicy {
  // `max` may be absl::InfiniteDuration() (no cap). `max_retry_after` caps a server's Retry-After; when
  // absent, `max` does.
  BackoffPolicy(absl::Duration initial_delay, absl::Duration max_delay, BackoffJitter jitter_rule,
                std::optional<absl::Duration> retry_after_cap = std::nullopt)
      : initial(initial_delay), max(max_delay), jitter(jitter_rule), max_retry_after(retry_after_cap) {}

  absl::Duration initial;                         // the ceiling before the first retry
  absl::Duration max;                             // no ceiling exceeds it
  BackoffJitter jitter;                           // none or equal jitter
  std::optional<absl::Duration> max_retry_after;  // caps Retry-After; Default: max

  // min(max, initial × 2^retry) for retry ≥ 0 (a negative retry counts as 0); never negative, never
  // overflows (a large retry gives max).
  absl::Duration Ceiling(int retry) const;

  // The wait before retry `retry`: `retry_after` (a server's Retry-After) when given, capped at
  // max_retry_after (else max) and at least zero; otherwise Ceiling(retry) with jitter, `draw` being the
  // random draw (clamped to [0, 1]; NaN or infinity counts as 1). kNone ignores the draw.
  absl::Duration Delay(int retry, double draw,
                       std::optional<absl::Duration> retry_after = std::nullopt) const;

  // The same with the draw taken uniformly from `random` (nothing is drawn for kNone, or when `retry_after`
  // is given).
  absl::Duration Delay(int retry, absl::BitGenRef random,
                       std::optional<absl::Duration> retry_after = std::nullopt) const;

  // The same without a random source, for a kNone policy; a kEqual policy gets the top of its range (draw 1).
  absl::Duration Delay(int retry, std::optional<absl::Duration> retry_after = std::nullopt) const;
};

}  // namespace creditbot
