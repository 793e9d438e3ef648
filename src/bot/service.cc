// The serve worker: a queue of delivered events and periodic catch-up passes.
#include "bot/service.h"

#include <algorithm>
#include <exception>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bot/metric_series.h"
#include "common/json_fields.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "slack/message.h"

namespace creditbot {
namespace {

// Seconds since a Slack ts, for the time-to-reply histogram; nullopt when unparsable.
std::optional<double> SecondsSince(std::string_view ts, absl::Time now) {
  double posted = 0;
  if (!absl::SimpleAtod(ToAbsl(ts), &posted)) return std::nullopt;
  return absl::ToDoubleSeconds(now - absl::FromUnixMicros(static_cast<int64_t>(posted * 1e6)));
}

}  // namespace

std::string_view DeliveryResultName(DeliveryResult result) {
  switch (result) {
    case DeliveryResult::kQueued:
      return "queued";
    case DeliveryResult::kDuplicate:
      return "duplicate";
    case DeliveryResult::kNotForUs:
      return "not_for_us";
    case DeliveryResult::kQueueFull:
      return "queue_full";
  }
  return "not_for_us";
}

Service::Service(Pipeline& pipeline, MessageSource& catchup_source, StateStore& state, const Clock& clock,
                 ServiceOptions options)
    : pipeline_(&pipeline),
      catchup_source_(&catchup_source),
      state_(&state),
      clock_(clock),
      options_(std::move(options)),
      channel_ids_(options_.channel_ids) {}

DeliveryResult Service::Deliver(const nlohmann::json& event, std::string_view source) {
  DeliveryResult result = DeliveryResult::kQueued;
  const std::string event_id = JsonStringMember(event, "event_id");
  if (!event_id.empty() && !recent_ids_.FirstSeen(event_id, clock_.Now())) {
    result = DeliveryResult::kDuplicate;
  } else {
    absl::StatusOr<SlackMessage> message = ParseSlackMessage(event);
    bool ours = false;
    if (message.ok()) {
      std::lock_guard<std::mutex> lock(mutex_);
      ours = std::find(channel_ids_.begin(), channel_ids_.end(), message->channel) != channel_ids_.end();
    }
    if (!ours) {
      // Other event types, and messages from channels we do not serve, are not requests. A malformed
      // message event in one of ours is not lost either: the catch-up pass reads the channel again.
      if (!message.ok())
        LogDebug("delivery is not a message for us", {{"why", std::string(message.status().message())}});
      result = DeliveryResult::kNotForUs;
    } else {
      InboxItem item;
      item.origin = absl::StrCat(ToAbsl(source), ":", event_id.empty() ? message->ts : event_id);
      item.digest = Sha256Hex(event.dump());
      item.message = *std::move(message);
      std::lock_guard<std::mutex> lock(mutex_);
      if (queue_.size() >= options_.max_queue) {
        result = DeliveryResult::kQueueFull;
      } else {
        queue_.push_back(std::move(item));
        GlobalMetrics().SetGauge(kMetricQueueDepth, static_cast<double>(queue_.size()));
        wake_.notify_one();
      }
    }
  }
  GlobalMetrics().Increment(
      kMetricEventsReceivedTotal,
      {{"source", std::string(source)}, {"result", std::string(DeliveryResultName(result))}});
  if (result == DeliveryResult::kQueueFull)
    LogWarn("event queue full; the catch-up pass will read this message", {{"event_id", event_id}});
  return result;
}

bool Service::CatchUp() {
  absl::StatusOr<PassSummary> summary = RunPass(*catchup_source_, *pipeline_, *state_, clock_, options_.pass);
  if (!summary.ok()) {
    LogError("catch-up pass failed; trying again later",
             {{"error", std::string(summary.status().message())}});
    return false;
  }
  CountPassOutcomes(GlobalMetrics(), *summary);
  if (summary->lease_busy) return false;  // a scheduled pass is doing the same work
  const absl::Time now = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_successful_pass_ = now;
  }
  GlobalMetrics().SetGauge(kMetricLastSuccessfulPassTimestampSeconds,
                           absl::ToDoubleSeconds(now - absl::UnixEpoch()));
  LogInfo("catch-up pass done", {{"messages", std::to_string(summary->items)}});
  return summary->paused.has_value();
}

bool Service::CheckPause() {
  std::optional<PauseState> now = pipeline_->PauseInForce();
  const bool paused = now.has_value();
  std::lock_guard<std::mutex> lock(mutex_);
  paused_ = std::move(now);
  return paused;
}

std::optional<PauseState> Service::paused() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return paused_;
}

void Service::Reload() {
  std::optional<ServiceParts> parts = options_.reload();
  if (!parts) return;
  pipeline_ = parts->pipeline;
  catchup_source_ = parts->catchup_source;
  state_ = parts->state;
  options_.catchup_interval = parts->catchup_interval;
  options_.pass = parts->pass;
  options_.reload_interval = parts->reload_interval;
  options_.channel_ids = parts->channel_ids;
  std::lock_guard<std::mutex> lock(mutex_);
  channel_ids_ = std::move(parts->channel_ids);
}

void Service::Run() {
  absl::Time next_catchup = clock_.Now();
  auto next_reload_after = [this](absl::Time now) {
    return options_.reload && options_.reload_interval > absl::ZeroDuration() ? now + options_.reload_interval
                                                                              : absl::InfiniteFuture();
  };
  absl::Time next_reload = next_reload_after(clock_.Now());
  absl::Time next_pause_check = clock_.Now();
  bool left_alone = false;  // an event or a catch-up item was left alone while paused
  while (true) {
    std::optional<InboxItem> item;
    std::function<void()> task;
    bool reload = false;
    if (clock_.Now() >= next_pause_check) {
      const bool was_paused = paused().has_value();
      // Resumed: what was left alone meanwhile is answered now, by a catch-up pass.
      if (!CheckPause() && (was_paused || left_alone)) {
        next_catchup = clock_.Now();
        left_alone = false;
      }
      next_pause_check = clock_.Now() + kPauseCheckInterval;
    }
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (stopping_) break;
      const absl::Time now = clock_.Now();
      if (options_.reload && (reload_requested_ || now >= next_reload)) {
        reload_requested_ = false;
        reload = true;
      } else if (!tasks_.empty()) {
        task = std::move(tasks_.front());
        tasks_.pop_front();
      } else if (queue_.empty() && now < next_catchup) {
        const absl::Duration wait = std::min({next_catchup, next_reload, next_pause_check}) - now;
        wake_.wait_for(lock, absl::ToChronoMilliseconds(wait) + std::chrono::milliseconds(1));
        continue;
      } else if (!queue_.empty()) {
        item = std::move(queue_.front());
        queue_.pop_front();
        GlobalMetrics().SetGauge(kMetricQueueDepth, static_cast<double>(queue_.size()));
      }
    }
    if (reload) {
      Reload();
      next_reload = next_reload_after(clock_.Now());
      continue;
    }
    if (task) {
      RunTask(task);
      continue;
    }
    if (item) {
      ItemOutcome outcome = pipeline_->Handle(*item);
      GlobalMetrics().Increment(kMetricRequestsTotal, {{"outcome", std::string(ItemOutcomeName(outcome))}});
      if (outcome == ItemOutcome::kPaused) {
        LogInfo("paused: an event was left alone; the catch-up pass after `creditbot resume` answers it",
                {{"origin", item->origin}});
        left_alone = true;
        CheckPause();
      }
      if ((outcome == ItemOutcome::kReplied || outcome == ItemOutcome::kAsked) && item->message) {
        if (std::optional<double> seconds = SecondsSince(item->message->ts, clock_.Now()))
          GlobalMetrics().Observe(kMetricTimeToReplySeconds, *seconds);
      }
      continue;
    }
    if (CatchUp()) left_alone = true;
    next_catchup = clock_.Now() + options_.catchup_interval;
  }
  std::size_t tasks_left = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_left = tasks_.size();
    tasks_.clear();
  }
  LogInfo("service worker stopped",
          {{"queued_left", std::to_string(queue_depth())}, {"tasks_dropped", std::to_string(tasks_left)}});
}

void Service::Post(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(mutex_);
  tasks_.push_back(std::move(task));
  wake_.notify_one();
}

void Service::RunTask(const std::function<void()>& task) {
  try {
    task();
  } catch (const std::exception& error) {
    LogError("service: a posted task threw", {{"error", error.what()}});
  } catch (...) {
    LogError("service: a posted task threw", {{"error", "unknown exception"}});
  }
}

void Service::Stop() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
}

void Service::RequestReload() {
  std::lock_guard<std::mutex> lock(mutex_);
  reload_requested_ = true;
  wake_.notify_all();
}

std::size_t Service::queue_depth() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

std::optional<absl::Time> Service::last_successful_pass() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return last_successful_pass_;
}

}  // namespace creditbot
