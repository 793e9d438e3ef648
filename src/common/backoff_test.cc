// Tests for BackoffPolicy: the ceilings, the cap, Retry-After, and the bounds of equal jitter. Expected
// values are worked out by hand from min(max, initial × 2^retry) and ceiling × (0.5 + 0.5 × draw).
#include "common/backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace creditbot {
namespace {

// A random bit generator that always returns `bits` and counts its calls.
struct FixedBits {
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  result_type operator()() {
    ++calls;
    return bits;
  }
  result_type bits = 0;
  int calls = 0;
};

TEST(BackoffPolicy, CeilingDoublesFromInitialUpToMax) {
  const BackoffPolicy policy(absl::Milliseconds(100), absl::Seconds(10), BackoffJitter::kNone);
  EXPECT_EQ(policy.Ceiling(0), absl::Milliseconds(100));
  EXPECT_EQ(policy.Ceiling(1), absl::Milliseconds(200));
  EXPECT_EQ(policy.Ceiling(2), absl::Milliseconds(400));
  EXPECT_EQ(policy.Ceiling(3), absl::Milliseconds(800));
  EXPECT_EQ(policy.Ceiling(6), absl::Milliseconds(6400));
  EXPECT_EQ(policy.Ceiling(7), absl::Seconds(10));  // 12.8 s, capped
  EXPECT_EQ(policy.Ceiling(1000), absl::Seconds(10));
  EXPECT_EQ(policy.Ceiling(std::numeric_limits<int>::max()), absl::Seconds(10));
  EXPECT_EQ(policy.Ceiling(-3), absl::Milliseconds(100));  // a negative retry counts as the first
}

TEST(BackoffPolicy, MaxBelowInitialCapsEveryCeiling) {
  const BackoffPolicy policy(absl::Seconds(5), absl::Seconds(2), BackoffJitter::kNone);
  EXPECT_EQ(policy.Ceiling(0), absl::Seconds(2));
  EXPECT_EQ(policy.Ceiling(4), absl::Seconds(2));
}

TEST(BackoffPolicy, ZeroInitialNeverWaits) {
  const BackoffPolicy policy(absl::ZeroDuration(), absl::Seconds(2), BackoffJitter::kEqual);
  EXPECT_EQ(policy.Ceiling(0), absl::ZeroDuration());
  EXPECT_EQ(policy.Ceiling(50), absl::ZeroDuration());
  EXPECT_EQ(policy.Delay(50, 0.0), absl::ZeroDuration());
}

TEST(BackoffPolicy, InfiniteMaxKeepsDoublingAndSaturatesInsteadOfOverflowing) {
  const BackoffPolicy policy(absl::Seconds(1), absl::InfiniteDuration(), BackoffJitter::kNone);
  EXPECT_EQ(policy.Ceiling(3), absl::Seconds(8));
  EXPECT_EQ(policy.Ceiling(40), absl::Seconds(int64_t{1} << 40));  // 1,099,511,627,776 s
  // 2^64 s is beyond absl::Duration's range (about ±2^63 s).
  EXPECT_EQ(policy.Ceiling(64), absl::InfiniteDuration());
  EXPECT_EQ(policy.Ceiling(100000), absl::InfiniteDuration());
}

TEST(BackoffPolicy, WithoutJitterTheDelayIsTheCeilingWhateverTheDraw) {
  const BackoffPolicy policy(absl::Seconds(1), absl::Minutes(2), BackoffJitter::kNone);
  EXPECT_EQ(policy.Delay(0), absl::Seconds(1));
  EXPECT_EQ(policy.Delay(1), absl::Seconds(2));
  EXPECT_EQ(policy.Delay(2, 0.0), absl::Seconds(4));
  EXPECT_EQ(policy.Delay(6, 0.3), absl::Seconds(64));
  EXPECT_EQ(policy.Delay(7), absl::Minutes(2));  // 128 s, capped at 120 s
}

TEST(BackoffPolicy, EqualJitterSpansTheUpperHalfOfTheCeiling) {
  const BackoffPolicy policy(absl::Seconds(1), absl::Seconds(60), BackoffJitter::kEqual);
  EXPECT_EQ(policy.Delay(0, 0.0), absl::Milliseconds(500));
  EXPECT_EQ(policy.Delay(0, 1.0), absl::Seconds(1));
  EXPECT_EQ(policy.Delay(3, 0.5), absl::Seconds(6));  // 8 s × 0.75
  EXPECT_EQ(policy.Delay(3, 0.0), absl::Seconds(4));
  EXPECT_EQ(policy.Delay(1000, 0.0), absl::Seconds(30));
  EXPECT_EQ(policy.Delay(1000, 1.0), absl::Seconds(60));
  EXPECT_EQ(policy.Delay(2), absl::Seconds(4));  // no draw: the top of the range
}

TEST(BackoffPolicy, DrawsOutsideTheUnitIntervalAreClamped) {
  const BackoffPolicy policy(absl::Seconds(1), absl::Seconds(60), BackoffJitter::kEqual);
  EXPECT_EQ(policy.Delay(2, 7.0), absl::Seconds(4));
  EXPECT_EQ(policy.Delay(2, -0.5), absl::Seconds(2));
  EXPECT_EQ(policy.Delay(2, std::nan("")), absl::Seconds(4));
  EXPECT_EQ(policy.Delay(2, -std::numeric_limits<double>::infinity()), absl::Seconds(4));
}

TEST(BackoffPolicy, RetryAfterReplacesTheBackoffAndIsCappedAtMax) {
  const BackoffPolicy policy(absl::Milliseconds(200), absl::Seconds(20), BackoffJitter::kEqual);
  EXPECT_EQ(policy.Delay(0, 0.0, absl::Seconds(3)), absl::Seconds(3));  // longer than the ceiling
  EXPECT_EQ(policy.Delay(9, 0.0, absl::Seconds(3)), absl::Seconds(3));  // shorter than the ceiling
  EXPECT_EQ(policy.Delay(0, 1.0, absl::Seconds(60)), absl::Seconds(20));
  EXPECT_EQ(policy.Delay(0, 1.0, absl::ZeroDuration()), absl::ZeroDuration());
  EXPECT_EQ(policy.Delay(0, 1.0, absl::Seconds(-5)), absl::ZeroDuration());
  EXPECT_EQ(policy.Delay(0, absl::Seconds(7)), absl::Seconds(7));
}

TEST(BackoffPolicy, RetryAfterHasItsOwnCapWhenGiven) {
  const BackoffPolicy policy(absl::Milliseconds(100), absl::Seconds(10), BackoffJitter::kNone,
                             absl::Minutes(5));
  EXPECT_EQ(policy.Delay(0, absl::Seconds(60)), absl::Seconds(60));  // above max, below its cap
  EXPECT_EQ(policy.Delay(0, absl::Minutes(10)), absl::Minutes(5));
  EXPECT_EQ(policy.Delay(20), absl::Seconds(10));  // the backoff itself still stops at max
}

TEST(BackoffPolicy, RandomSourceDrawsTheJitter) {
  const BackoffPolicy policy(absl::Milliseconds(200), absl::Seconds(20), BackoffJitter::kEqual);
  FixedBits zeros;
  EXPECT_EQ(policy.Delay(2, zeros), absl::Milliseconds(400));  // draw 0: half of 800 ms
  EXPECT_GT(zeros.calls, 0);

  FixedBits ones;
  ones.bits = std::numeric_limits<std::uint64_t>::max();
  const absl::Duration top = policy.Delay(2, ones);  // draw ≈ 1: about the whole 800 ms
  EXPECT_GE(top, absl::Milliseconds(799));
  EXPECT_LE(top, absl::Milliseconds(800));
}

TEST(BackoffPolicy, SeededDrawsStayWithinHalfTheCeilingAndTheCeilingAndSpreadOverIt) {
  const BackoffPolicy policy(absl::Milliseconds(200), absl::Seconds(20), BackoffJitter::kEqual);
  std::mt19937_64 random(16);
  absl::Duration lowest = absl::InfiniteDuration();
  absl::Duration highest = absl::ZeroDuration();
  for (int i = 0; i < 1000; ++i) {
    const absl::Duration delay = policy.Delay(2, random);
    lowest = std::min(lowest, delay);
    highest = std::max(highest, delay);
  }
  EXPECT_GE(lowest, absl::Milliseconds(400));
  EXPECT_LE(highest, absl::Milliseconds(800));
  // 1000 uniform draws over 400 ms come within 20 ms of both ends.
  EXPECT_LT(lowest, absl::Milliseconds(420));
  EXPECT_GT(highest, absl::Milliseconds(780));
}

TEST(BackoffPolicy, NothingIsDrawnWithoutJitterOrWithRetryAfter) {
  FixedBits bits;
  const BackoffPolicy plain(absl::Seconds(1), absl::Seconds(30), BackoffJitter::kNone);
  EXPECT_EQ(plain.Delay(1, bits), absl::Seconds(2));
  const BackoffPolicy jittered(absl::Seconds(1), absl::Seconds(30), BackoffJitter::kEqual);
  EXPECT_EQ(jittered.Delay(1, bits, absl::Seconds(9)), absl::Seconds(9));
  EXPECT_EQ(bits.calls, 0);
}

}  // namespace
}  // namespace creditbot
