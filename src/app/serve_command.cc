// `creditbot serve`: the long-running service. Slack events arrive by Socket Mode (SLACK_APP_TOKEN) and/or
// the Events API (SLACK_SIGNING_SECRET, POST /slack/events on CREDITBOT_HTTP_ADDR); one worker handles
// them with the same pipeline as `run --once` and runs a catch-up pass every CREDITBOT_CATCHUP_SECONDS.
// The HTTP endpoint also serves /healthz, /readyz and /metrics. SIGTERM/SIGINT stop it gracefully: the
// request in hand finishes, receivers close, exit 0.
//
// Reload: on SIGHUP and every CREDITBOT_SECRET_REFRESH_SECONDS (0 = only on SIGHUP) the configuration is
// read again, Secrets Manager included (app/config_reload.h). When any setting changed, the worker — between
// two requests — opens a new Runtime (clients for Slack, Looker, the warehouse, state, audit, the executor)
// from it and uses that for the next request; the Events API's signing secret switches at the same time, and
// a changed Socket Mode app token opens a new link before the old one is closed. One log line names the
// settings that changed (never values); creditbot_config_reloads_total{result="ok|unchanged|failed"} counts
// the reloads. A reload that fails (a secret that cannot be read, a configuration that no longer validates,
// a far end that refuses the new credentials) changes nothing: the service keeps the configuration in use.
// Only at a restart: CREDITBOT_HTTP_ADDR, and turning Socket Mode on or off (SLACK_APP_TOKEN set or unset).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "app/commands.h"
#include "app/config_reload.h"
#include "app/runtime.h"
#include "bot/service.h"
#include "bot/service_http.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "slack/socket_mode_client.h"

namespace creditbot {
namespace {

constexpr char kMetricConfigReloadsTotal[] = "creditbot_config_reloads_total";  // {result}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "creditbot: %s\n", Redact(ToStd(status.message())).c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

// "host:port" → the two parts. kInvalidArgument naming CREDITBOT_HTTP_ADDR.
absl::Status ParseHttpAddr(const std::string& text, std::string& host, int& port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(ToAbsl(std::string_view(text).substr(colon + 1)), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("CREDITBOT_HTTP_ADDR='", text, "': expected host:port, e.g. 127.0.0.1:8080"));
  }
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return absl::OkStatus();
}

// What serve needs of the configuration beyond BuildConfig's checks (at start and at every reload).
absl::Status CheckServeConfig(const Config& config) {
  if (config.slack_bot_token.empty()) {
    return absl::InvalidArgumentError(
        "configuration: serve needs Slack: set SLACK_BOT_TOKEN (and SLACK_APP_TOKEN for Socket Mode or "
        "SLACK_SIGNING_SECRET for the Events API); `run --once` works on the local inbox");
  }
  if (config.slack_app_token.empty() && config.slack_signing_secret.empty()) {
    return absl::InvalidArgumentError(
        "configuration: serve needs a way to receive events: SLACK_APP_TOKEN (Socket Mode, no public URL "
        "needed) or SLACK_SIGNING_SECRET (Events API on CREDITBOT_HTTP_ADDR /slack/events), or both");
  }
  std::string host;
  int port = 0;
  return ParseHttpAddr(config.http_addr, host, port);
}

ServiceParts PartsOf(Runtime& r) {
  ServiceParts parts;
  parts.pipeline = r.pipeline.get();
  parts.catchup_source = r.source.get();
  parts.state = r.state.get();
  parts.channel_ids = r.channel_ids;
  parts.catchup_interval = r.config.catchup_interval;
  parts.pass = PassOptions{r.holder, r.config.claim_lease, r.config.state_retention_days};
  parts.reload_interval = r.config.secret_refresh_interval;
  return parts;
}

// Socket Mode, each link on its own thread with its own Web API client (and connection). Replace opens a link
// with new options (a rotated app token) and then closes the old one, so no event is missed meanwhile. A
// link that ends for good (revoked token, Socket Mode turned off) stops the service — unless it had been
// replaced. Thread-safe.
class SocketModeReceiver {
 public:
  explicit SocketModeReceiver(Service& service) : service_(service) {}
  ~SocketModeReceiver() { Stop(); }

  void Start(const SlackApiOptions& options) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopped_) current_ = StartLink(options);
  }
  void Replace(const SlackApiOptions& options) {
    std::unique_ptr<Link> old;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopped_) return;
      old = std::move(current_);
      current_ = StartLink(options);
    }
    EndLink(std::move(old));
    LogInfo("Socket Mode: reconnected with the new app token");
  }
  // Stops every link; RequestStop does not wait, Stop also joins the threads.
  void RequestStop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    if (current_) current_->client->Stop();
  }
  void Stop() {
    std::unique_ptr<Link> link;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopped_ = true;
      link = std::move(current_);
    }
    EndLink(std::move(link));
  }
  bool connected() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_ != nullptr && current_->client->connected();
  }
  bool failed() const { return failed_.load(); }

 private:
  struct Link {
    std::unique_ptr<HttpTransport> transport;
    std::unique_ptr<SlackWebApi> api;
    std::unique_ptr<SocketModeClient> client;
    std::thread thread;
  };

  // Requires mutex_ held.
  std::unique_ptr<Link> StartLink(const SlackApiOptions& options) {
    auto link = std::make_unique<Link>();
    link->transport = MakeCurlTransport();
    link->api = std::make_unique<SlackWebApi>(*link->transport, clock_, sleeper_, options);
    SlackWebApi* api = link->api.get();
    link->client = std::make_unique<SocketModeClient>(
        [api] { return api->OpenSocketModeUrl(); },
        [this](SocketModeEvent event) { service_.Deliver(event.payload, "socket_mode"); });
    Link* raw = link.get();
    link->thread = std::thread([this, raw] {
      absl::Status ended = raw->client->Run();
      if (ended.ok()) return;
      bool current = false;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        current = current_.get() == raw && !stopped_;
      }
      if (!current) return;
      LogError("Socket Mode stopped for good; stopping the service",
               {{"error", std::string(ended.message())}});
      failed_ = true;
      service_.Stop();
    });
    return link;
  }
  static void EndLink(std::unique_ptr<Link> link) {
    if (!link) return;
    link->client->Stop();
    if (link->thread.joinable()) link->thread.join();
  }

  Service& service_;
  SystemClock clock_;
  SystemSleeper sleeper_;
  mutable std::mutex mutex_;
  std::unique_ptr<Link> current_;  // guarded by mutex_
  bool stopped_ = false;           // guarded by mutex_
  std::atomic<bool> failed_{false};
};

}  // namespace

int ServeCommand(const GlobalOptions& global) {
  // Signals are taken by one thread with sigwait; every thread started below inherits this mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, signal_number);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<LoadedConfig> loaded = LoadConfigWithValues(global);
  if (!loaded.ok())
    return Fail(
        absl::Status(loaded.status().code(), absl::StrCat("configuration: ", loaded.status().message())));
  if (absl::Status logging = ConfigureLogging(loaded->config.log); !logging.ok())
    return Fail(absl::Status(logging.code(), absl::StrCat("configuration: ", logging.message())));
  for (const std::string& note : loaded->notes) LogDebug(note);
  for (const std::string& warning : loaded->warnings) LogWarn(warning + " (--strict makes this an error)");
  if (absl::Status valid = CheckServeConfig(loaded->config); !valid.ok()) return Fail(valid);
  std::string http_host;
  int http_port = 0;
  if (absl::Status addr = ParseHttpAddr(loaded->config.http_addr, http_host, http_port); !addr.ok())
    return Fail(addr);
  SettingValues current_values = std::move(loaded->values);

  absl::StatusOr<std::unique_ptr<Runtime>> opened = OpenRuntime(std::move(loaded->config));
  if (!opened.ok()) return Fail(opened.status());
  // Replaced by a reload, on the worker thread only (the reload hook below).
  std::unique_ptr<Runtime> runtime = *std::move(opened);
  const Config start_config = runtime->config;

  Metrics& metrics = GlobalMetrics();
  metrics.DefineCounter(kMetricConfigReloadsTotal,
                        "Configuration reloads (SIGHUP, CREDITBOT_SECRET_REFRESH_SECONDS), by result: ok "
                        "(applied), unchanged, failed (the configuration in use was kept).",
                        {"result"});
  for (const char* result : {"ok", "unchanged", "failed"})
    metrics.Increment(kMetricConfigReloadsTotal, {{"result", result}}, 0);

  const SystemClock clock;  // outlives every Runtime
  ServiceOptions service_options;
  service_options.channel_ids = runtime->channel_ids;
  service_options.catchup_interval = runtime->config.catchup_interval;
  service_options.pass =
      PassOptions{runtime->holder, runtime->config.claim_lease, runtime->config.state_retention_days};
  service_options.reload_interval = runtime->config.secret_refresh_interval;
  ServiceHttp* http_for_reload = nullptr;  // set once the endpoint exists (before the worker runs)
  SocketModeReceiver* socket_for_reload = nullptr;
  std::atomic<bool> sighup_pending{false};
  service_options.reload = [&]() -> std::optional<ServiceParts> {
    const std::string trigger = sighup_pending.exchange(false) ? "SIGHUP" : "periodic";
    auto refuse = [&](const absl::Status& why) -> std::optional<ServiceParts> {
      metrics.Increment(kMetricConfigReloadsTotal, {{"result", "failed"}});
      LogError("configuration reload failed; still serving with the configuration in use",
               {{"trigger", trigger}, {"error", std::string(why.message())}});
      return std::nullopt;
    };
    absl::StatusOr<LoadedConfig> next = LoadConfigWithValues(global);
    if (!next.ok()) return refuse(next.status());
    const std::vector<std::string> changed = ChangedSettingNames(current_values, next->values);
    if (changed.empty()) {
      metrics.Increment(kMetricConfigReloadsTotal, {{"result", "unchanged"}});
      Log(trigger == "SIGHUP" ? LogLevel::kInfo : LogLevel::kDebug, "configuration reloaded: nothing changed",
          {{"trigger", trigger}});
      return std::nullopt;
    }
    const std::string changed_names = absl::StrJoin(changed, ",");
    if (absl::Status valid = CheckServeConfig(next->config); !valid.ok())
      return refuse(
          absl::Status(valid.code(), absl::StrCat("changed: ", changed_names, ": ", valid.message())));
    // What only a restart changes.
    std::vector<std::string> not_applied;
    if (next->config.http_addr != start_config.http_addr) not_applied.push_back("CREDITBOT_HTTP_ADDR");
    if (next->config.slack_app_token.empty() != start_config.slack_app_token.empty())
      not_applied.push_back("SLACK_APP_TOKEN (turning Socket Mode on or off)");

    absl::StatusOr<std::unique_ptr<Runtime>> reopened = OpenRuntime(next->config, runtime->holder);
    if (!reopened.ok()) {
      return refuse(absl::Status(reopened.status().code(), absl::StrCat("changed: ", changed_names, ": ",
                                                                        reopened.status().message())));
    }
    std::unique_ptr<Runtime> fresh = *std::move(reopened);
    const Config& old_config = runtime->config;
    if (fresh->config.log.level != old_config.log.level ||
        fresh->config.log.format != old_config.log.format || fresh->config.log.file != old_config.log.file) {
      if (absl::Status logging = ConfigureLogging(fresh->config.log); !logging.ok()) {
        (void)ConfigureLogging(old_config.log);
        LogWarn("configuration reload: the new log settings were not applied",
                {{"error", std::string(logging.message())}});
      }
    }
    if (http_for_reload != nullptr) http_for_reload->SetSigningSecret(fresh->config.slack_signing_secret);
    if (socket_for_reload != nullptr && !fresh->config.slack_app_token.empty() &&
        (fresh->config.slack_app_token != old_config.slack_app_token ||
         fresh->config.slack_api_url != old_config.slack_api_url)) {
      socket_for_reload->Replace(fresh->slack_options);
    }
    ServiceParts parts = PartsOf(*fresh);
    runtime = std::move(fresh);  // the old clients: the worker is between requests, nothing else uses them
    current_values = std::move(next->values);
    metrics.Increment(kMetricConfigReloadsTotal, {{"result", "ok"}});
    LogFields fields = {{"trigger", trigger}, {"changed", changed_names}};
    if (!not_applied.empty()) fields.emplace_back("needs_restart", absl::StrJoin(not_applied, ","));
    LogInfo("configuration reloaded", fields);
    return parts;
  };
  Service service(*runtime->pipeline, *runtime->source, *runtime->state, clock, service_options);

  std::unique_ptr<SocketModeReceiver> socket_mode;
  if (!start_config.slack_app_token.empty()) socket_mode = std::make_unique<SocketModeReceiver>(service);

  ServiceHttpOptions http_options;
  http_options.bind_address = http_host;
  http_options.port = http_port;
  http_options.signing_secret = start_config.slack_signing_secret;
  http_options.clock = &clock;
  ServiceHttpHandlers handlers;
  handlers.on_event = [&service](EventsApiResult&& result) {
    if (result.envelope) service.Deliver(*result.envelope, "events_api");
  };
  SocketModeReceiver* socket_for_ready = socket_mode.get();
  handlers.readiness = [&service, socket_for_ready] {
    ReadyReport report;
    if (socket_for_ready != nullptr) {
      const bool connected = socket_for_ready->connected();
      report.checks.push_back({"slack_socket_mode", connected,
                               connected ? "" : "not connected to Slack (Socket Mode); reconnecting"});
    }
    const bool passed = service.last_successful_pass().has_value();
    report.checks.push_back({"catch_up_pass", passed,
                             passed ? ""
                                    : "no catch-up pass has succeeded yet (Slack, Looker or the "
                                      "warehouse unreachable? see the log)"});
    return report;
  };
  ServiceHttp http(http_options, handlers);
  absl::StatusOr<int> bound = http.Start();
  if (!bound.ok())
    return Fail(
        absl::Status(bound.status().code(), absl::StrCat("HTTP endpoint: ", bound.status().message())));
  http_for_reload = &http;
  socket_for_reload = socket_mode.get();
  // The tests and operators read the bound port from this line (CREDITBOT_HTTP_ADDR may ask for port 0).
  std::printf("creditbot serve: listening on %s:%d (%s%s%s), %s\n", http_host.c_str(), *bound,
              socket_mode ? "Socket Mode" : "",
              socket_mode && !start_config.slack_signing_secret.empty() ? " + " : "",
              start_config.slack_signing_secret.empty() ? "" : "Events API at /slack/events",
              start_config.dry_run ? "dry run" : "live");
  std::fflush(stdout);

  if (socket_mode) socket_mode->Start(runtime->slack_options);
  std::thread signal_thread([&signals, &service, &socket_mode, &sighup_pending] {
    while (true) {
      int received = 0;
      if (sigwait(&signals, &received) != 0) continue;
      if (received == SIGHUP) {
        LogInfo("SIGHUP: reading the configuration again");
        sighup_pending = true;
        service.RequestReload();
        continue;
      }
      if (received == SIGTERM || received == SIGINT) {
        LogInfo("stopping: finishing the request in hand",
                {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
        service.Stop();
        if (socket_mode) socket_mode->RequestStop();
      }
      return;  // SIGUSR1: the service ended by itself
    }
  });

  LogInfo("serve started", {{"channels", std::to_string(runtime->channel_ids.size())},
                            {"dry_run", start_config.dry_run ? "true" : "false"},
                            {"secret_refresh_seconds",
                             std::to_string(absl::ToInt64Seconds(start_config.secret_refresh_interval))}});
  service.Run();

  const bool failed = socket_mode && socket_mode->failed();
  if (socket_mode) socket_mode->Stop();
  http.Stop();
  pthread_kill(signal_thread.native_handle(), SIGUSR1);
  signal_thread.join();
  LogInfo("serve stopped");
  return failed ? 1 : 0;
}

}  // namespace creditbot
