// The one exponential backoff with Retry-After and equal jitter; see backoff.h.
#include "common/backoff.h"

#include <algorithm>
#include <cmath>

#include "absl/random/distributions.h"

namespace creditbot {

absl::Duration BackoffPolicy::Ceiling(int retry) const {
  if (initial <= absl::ZeroDuration() || max <= absl::ZeroDuration()) return absl::ZeroDuration();
  absl::Duration delay = initial;
  // Doubling stops at max; with an infinite max, absl::Duration saturates to infinity after ~100 doublings.
  for (int i = 0; i < retry && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

absl::Duration BackoffPolicy::Delay(int retry, double draw, std::optional<absl::Duration> retry_after) const {
  if (retry_after) {
    return std::clamp(*retry_after, absl::ZeroDuration(),
                      std::max(absl::ZeroDuration(), max_retry_after.value_or(max)));
  }
  const absl::Duration ceiling = Ceiling(retry);
  if (jitter == BackoffJitter::kNone) return ceiling;
  draw = std::clamp(std::isfinite(draw) ? draw : 1.0, 0.0, 1.0);
  return ceiling * (0.5 + 0.5 * draw);
}

absl::Duration BackoffPolicy::Delay(int retry, absl::BitGenRef random,
                                    std::optional<absl::Duration> retry_after) const {
  if (retry_after || jitter == BackoffJitter::kNone) return Delay(retry, 1.0, retry_after);
  return Delay(retry, absl::Uniform(absl::IntervalClosed, random, 0.0, 1.0), retry_after);
}

absl::Duration BackoffPolicy::Delay(int retry, std::optional<absl::Duration> retry_after) const {
  return Delay(retry, 1.0, retry_after);
}

}  // namespace creditbot
