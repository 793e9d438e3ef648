// Service: the heart of `creditbot serve`. Receivers (Socket Mode, the Events API endpoint) hand every
// delivered event to Deliver, which only checks and queues it — so Slack's envelope is acknowledged at
// once, well inside its 3 seconds. One worker thread (Run) takes events off the queue and handles each
// with the same Pipeline a scheduled pass uses, and runs a catch-up pass over the channels' history at
// start and every `catchup_interval`, so nothing posted while disconnected is missed.
//
// Exactly once: a delivery whose event_id was seen in the last hour is dropped here (Slack retries and
// redelivers); everything else is made safe by the pipeline's claim in the state store and its look in
// the thread before posting, which also holds against a scheduled pass running at the same time.
//
// Posted tasks (Post) run on the worker too, before the next queued event, so that work touching the
// worker's parts — a decision from a Slack click, which writes the state store and updates the reply through
// the worker's Slack client — never runs beside them on another thread.
//
// Stop (from a signal) lets the item in hand finish and returns from Run; queued events are left — their
// messages are in the channel history, and the next catch-up (here or in the next process) reads them.
//
// Pause (state/pause.h): the pipeline's PauseGate leaves every event and every catch-up item alone while the
// switch is on (nothing claimed or posted; the catch-up commits no read position). The worker also reads the
// switch every kPauseCheckInterval when idle, so paused() (for /readyz) is never older than that, and when it
// sees the switch go off it runs a catch-up pass at once: the messages left alone are answered right after
// `creditbot resume`, exactly once, without waiting for the next scheduled catch-up.
//
// Reload: after RequestReload() (SIGHUP) and every `reload_interval`, the worker — between two items, so the
// item in hand finishes on the old parts — calls the `reload` hook, which may hand back new parts (pipeline,
// catch-up source, state store, channels…) built from a new configuration; the next item uses them.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bot/pass.h"
#include "bot/pipeline.h"
#include "common/clock.h"
#include "slack/events_api.h"
#include "slack/message_source.h"
#include "state/state_store.h"

namespace creditbot {

// What the worker works with. A reload replaces all of it at once.
struct ServiceParts {
  Pipeline* pipeline = nullptr;
  MessageSource* catchup_source = nullptr;
  StateStore* state = nullptr;
  std::vector<std::string> channel_ids;                // events from other channels are ignored
  absl::Duration catchup_interval = absl::Minutes(5);  // CREDITBOT_CATCHUP_SECONDS
  PassOptions pass;
  // The reload hook is also called this often; zero = only after RequestReload()
  // (CREDITBOT_SECRET_REFRESH_SECONDS).
  absl::Duration reload_interval = absl::ZeroDuration();
};

// Called on the worker thread between two items. nullopt: keep the current parts (nothing changed, or the
// new configuration was refused). Otherwise the worker uses the returned parts from its next step on and
// never touches the previous ones again, so the hook may destroy those before it returns.
using ServiceReloadHook = std::function<std::optional<ServiceParts>()>;

struct ServiceOptions {
  std::vector<std::string> channel_ids;                // events from other channels are ignored
  absl::Duration catchup_interval = absl::Minutes(5);  // CREDITBOT_CATCHUP_SECONDS
  PassOptions pass;
  std::size_t max_queue = 10000;  // beyond this, deliveries are dropped (the catch-up reads them later)
  absl::Duration reload_interval = absl::ZeroDuration();  // see ServiceParts::reload_interval
  ServiceReloadHook reload;  // unset: RequestReload() and reload_interval do nothing
};

// How often the idle worker reads the pause switch (through the pipeline's PauseGate, which caches for at
// most as long).
inline constexpr absl::Duration kPauseCheckInterval = absl::Seconds(2);

// What Deliver did with one delivery.
enum class DeliveryResult { kQueued, kDuplicate, kNotForUs, kQueueFull };
std::string_view DeliveryResultName(DeliveryResult result);

class Service {
 public:
  Service(Pipeline& pipeline, MessageSource& catchup_source, StateStore& state, const Clock& clock,
          ServiceOptions options);

  // Thread-safe and quick. `event` is an event_callback envelope (Events API body, Socket Mode payload);
  // `source` names the receiver for logs and metrics ("socket_mode", "events_api").
  DeliveryResult Deliver(const nlohmann::json& event, std::string_view source);

  // Thread-safe and quick: `task` runs on the worker thread before the next queued event (tasks in the
  // order posted), with the parts in use then. Tasks still waiting at Stop() are dropped (logged). An
  // exception escaping a task is caught and logged.
  void Post(std::function<void()> task);

  // The worker loop, on the calling thread, until Stop().
  void Run();
  void Stop();  // thread-safe
  // Thread-safe and quick: the worker calls the reload hook before its next item or pass.
  void RequestReload();

  std::size_t queue_depth() const;
  // When the last catch-up pass finished without error (nullopt before the first).
  std::optional<absl::Time> last_successful_pass() const;
  // Thread-safe: the pause in force as the worker last read it (nullopt: not paused, or not read yet).
  std::optional<PauseState> paused() const;

 private:
  // Runs a catch-up pass; true when the pause left messages of it alone.
  bool CatchUp();
  void Reload();
  // Reads the pause switch (the pipeline's gate) into paused_; true when it is on.
  bool CheckPause();
  static void RunTask(const std::function<void()>& task);

  // The worker's parts: replaced only by the worker (Reload); channel_ids_ is also read by Deliver, under
  // mutex_.
  Pipeline* pipeline_;
  MessageSource* catchup_source_;
  StateStore* state_;
  const Clock& clock_;
  ServiceOptions options_;
  RecentIds recent_ids_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<InboxItem> queue_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::string> channel_ids_;
  bool stopping_ = false;
  bool reload_requested_ = false;
  std::optional<absl::Time> last_successful_pass_;
  std::optional<PauseState> paused_;
};

}  // namespace creditbot
