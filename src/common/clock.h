// Clock and Sleeper: the only ways creditbot reads the time and waits, so retry and timeout tests move
// time by hand and never sleep for real.
//
// SystemClock and SystemSleeper are thread-safe. FakeClock and FakeSleeper are for tests on one thread; a
// FakeSleeper advances its FakeClock by each requested delay and records it.
#pragma once

#include <vector>

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

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void Sleep(absl::Duration duration) = 0;
};

class SystemSleeper final : public Sleeper {
 public:
  void Sleep(absl::Duration duration) override { absl::SleepFor(duration); }
};

class FakeSleeper final : public Sleeper {
 public:
  explicit FakeSleeper(FakeClock& clock) : clock_(clock) {}
  void Sleep(absl::Duration duration) override {
    sleeps_.push_back(duration);
    clock_.Advance(duration);
  }
  const std::vector<absl::Duration>& sleeps() const { return sleeps_; }

 private:
  FakeClock& clock_;
  std::vector<absl::Duration> sleeps_;
};

}  // namespace creditbot
