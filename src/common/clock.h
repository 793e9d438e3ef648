// Clock: the only way creditbot reads the time, so tests can move time by hand and never sleep.
//
// SystemClock is thread-safe. FakeClock is for tests on one thread.
#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace creditbot {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override { return now_; }
  void Set(absl::Time now) { now_ = now; }
  void Advance(absl::Duration by) { now_ += by; }

 private:
  absl::Time now_;
};

}  // namespace creditbot
