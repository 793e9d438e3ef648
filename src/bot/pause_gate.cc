// The pause switch as the pass, serve and the pipeline read it; see pause_gate.h.
#include "bot/pause_gate.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/utc_time.h"

namespace creditbot {

PauseGate::PauseGate(StateStore& state, const Clock& clock, PauseGateOptions options)
    : state_(state), clock_(clock), options_(options) {
  options_.max_age = std::clamp(options_.max_age, absl::ZeroDuration(), kMaxPauseStaleness);
}

PauseState PauseGate::Current() {
  const absl::Time now = clock_.Now();
  if (read_at_ && now - *read_at_ < options_.max_age && now >= *read_at_) return last_;
  absl::StatusOr<PauseState> read = state_.GetPause();
  read_at_ = now;
  if (!read.ok()) {
    last_ = PauseState{};
    last_.paused = true;
    last_.reason = absl::StrCat("the pause switch could not be read: ", read.status().message());
    if (!unreadable_) {  // once per outage, not every read
      LogWarn("the pause switch could not be read; claiming and posting nothing until it can",
              {{"error", std::string(read.status().message())}});
    }
    unreadable_ = true;
    return last_;
  }
  if (unreadable_) LogInfo("the pause switch can be read again");
  unreadable_ = false;
  last_ = *std::move(read);
  GlobalMetrics().SetGauge(kMetricPaused, last_.paused ? 1 : 0);
  if (last_.paused && seen_paused_ != true) {
    LogWarn("creditbot is paused: reading messages, claiming and posting nothing until `creditbot resume`",
            {{"reason", last_.reason}, {"by", last_.by}, {"since", Rfc3339UtcOrEmpty(last_.since)}});
  } else if (!last_.paused && seen_paused_ == true) {
    LogInfo("creditbot is resumed: answering again",
            {{"by", last_.by}, {"at", Rfc3339UtcOrEmpty(last_.since)}});
  }
  seen_paused_ = last_.paused;
  return last_;
}

}  // namespace creditbot
