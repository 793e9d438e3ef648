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
//
// Interactivity (the reply's Approve / Reject / Adjust buttons and their modals) arrives by both receivers:
// Socket Mode `interactive` envelopes and POST /slack/interactivity (with SLACK_SIGNING_SECRET). One
// InteractivityHandler answers at once and works after: views.open and the ephemeral answers on its own
// thread and its own Slack client; the decisions themselves on the service worker (Service::Post), with the
// runtime's DecisionDesk, so the store and the reply's Slack client are only ever used from that thread.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <future>
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
#include "app/serve_dashboard.h"
#include "bot/interactivity_handler.h"
#include "bot/metric_series.h"
#include "bot/service.h"
#include "bot/service_http.h"
#include "common/lazy_openssl.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/strings.h"
#include "slack/interaction_responder.h"
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
  // Without SLACK_BOT_TOKEN, serve runs on the embedded default: catch-up passes over the local inbox, the
  // outbox, and the dashboard with its local sign-in.
  if (!config.slack_bot_token.empty() && config.slack_app_token.empty() &&
      config.slack_signing_secret.empty()) {
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
  // `interactivity` (may be null: interactive envelopes are then acked and ignored) must outlive the links.
  SocketModeReceiver(const Environment& env, Service& service, InteractivityHandler* interactivity)
      : env_(env), service_(service), interactivity_(interactivity) {}
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
    link->transport = env_.NewHttpTransport();
    link->api = std::make_unique<SlackWebApi>(*link->transport, env_.clock(), env_.sleeper(), options);
    SlackWebApi* api = link->api.get();
    link->client = std::make_unique<SocketModeClient>(
        [api] { return api->OpenSocketModeUrl(); },
        [this](SocketModeEvent event) { service_.Deliver(event.payload, "socket_mode"); });
    if (interactivity_ != nullptr) {
      link->client->SetOnInteractive([this](const nlohmann::json& payload) {
        return interactivity_->Accept(payload, "socket_mode").response;
      });
    }
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

  const Environment& env_;
  Service& service_;
  InteractivityHandler* interactivity_;
  mutable std::mutex mutex_;
  std::unique_ptr<Link> current_;  // guarded by mutex_
  bool stopped_ = false;           // guarded by mutex_
  std::atomic<bool> failed_{false};
};

// The Slack client of the interactivity handler (views.open, chat.postEphemeral, response_url), on
// transports of its own: the service worker's client is never used from the handler's thread.
struct InteractiveSlack {
  std::unique_ptr<HttpTransport> api_transport;
  std::unique_ptr<HttpTransport> response_transport;
  std::unique_ptr<SlackWebApi> api;
  std::unique_ptr<SlackInteractionResponder> responder;
};

std::unique_ptr<InteractiveSlack> OpenInteractiveSlack(const Environment& env,
                                                       const SlackApiOptions& options) {
  auto slack = std::make_unique<InteractiveSlack>();
  slack->api_transport = env.NewHttpTransport();
  slack->response_transport = env.NewHttpTransport();
  slack->api = std::make_unique<SlackWebApi>(*slack->api_transport, env.clock(), env.sleeper(), options);
  slack->responder = std::make_unique<SlackInteractionResponder>(*slack->api, *slack->response_transport,
                                                                 options.api_base_url);
  return slack;
}

// Blocks the signals serve handles on this thread, and so on every thread started after, for the signal
// thread to take them with sigwait.
sigset_t BlockServeSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, signal_number);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// The configuration at start: loaded, logging configured, its notes and warnings logged, and serve's own
// checks passed. The errors read as serve's failure line shows them ("configuration: …").
absl::StatusOr<LoadedConfig> LoadStartConfig(const GlobalOptions& global) {
  absl::StatusOr<LoadedConfig> loaded = LoadConfigWithValues(global);
  if (!loaded.ok())
    return absl::Status(loaded.status().code(), absl::StrCat("configuration: ", loaded.status().message()));
  if (absl::Status logging = ConfigureLogging(loaded->config.log); !logging.ok())
    return absl::Status(logging.code(), absl::StrCat("configuration: ", logging.message()));
  for (const std::string& note : loaded->notes) LogDebug(note);
  for (const std::string& warning : loaded->warnings) LogWarn(warning + " (--strict makes this an error)");
  if (absl::Status valid = CheckServeConfig(loaded->config); !valid.ok()) return valid;
  return loaded;
}

void DefineReloadMetric(Metrics& metrics) {
  metrics.DefineCounter(kMetricConfigReloadsTotal,
                        "Configuration reloads (SIGHUP, CREDITBOT_SECRET_REFRESH_SECONDS), by result: ok "
                        "(applied), unchanged, failed (the configuration in use was kept).",
                        {"result"});
  for (const char* result : {"ok", "unchanged", "failed"})
    metrics.Increment(kMetricConfigReloadsTotal, {{"result", result}}, 0);
}

// The service's options at start: the first runtime's parts.
ServiceOptions StartOptions(Runtime& runtime) {
  const ServiceParts parts = PartsOf(runtime);
  ServiceOptions options;
  options.channel_ids = parts.channel_ids;
  options.catchup_interval = parts.catchup_interval;
  options.pass = parts.pass;
  options.reload_interval = parts.reload_interval;
  return options;
}

// The service's reload hook (see the header comment): reads the configuration again and, when a setting
// changed, opens a new Runtime from it and switches the receivers over. Owns the Runtime in use. Reload runs
// on the worker thread only; NoteSighup may be called from any thread.
class ConfigReloader {
 public:
  ConfigReloader(const Environment& env, const GlobalOptions& global, SettingValues values,
                 std::unique_ptr<Runtime> runtime, Metrics& metrics)
      : env_(env),
        global_(global),
        values_(std::move(values)),
        runtime_(std::move(runtime)),
        start_config_(runtime_->config),
        metrics_(metrics) {}

  // The Runtime in use; replaced only by Reload.
  Runtime& runtime() { return *runtime_; }
  const Config& start_config() const { return start_config_; }
  // The receivers a reload switches (set once they exist, before the worker runs; null: none).
  void Attach(ServiceHttp* http, SocketModeReceiver* socket_mode) {
    http_ = http;
    socket_mode_ = socket_mode;
  }
  // The interactivity handler a reload gives the new desk and Slack client (`slack`, owned from now on).
  void AttachInteractivity(InteractivityHandler* interactivity, std::unique_ptr<InteractiveSlack> slack) {
    interactivity_ = interactivity;
    interactive_slack_ = std::move(slack);
  }
  // The next reload was asked for by SIGHUP (it is logged as such).
  void NoteSighup() { sighup_pending_ = true; }

  std::optional<ServiceParts> Reload() {
    const std::string trigger = sighup_pending_.exchange(false) ? "SIGHUP" : "periodic";
    absl::StatusOr<LoadedConfig> next = LoadConfigWithValues(global_);
    if (!next.ok()) return Refuse(trigger, next.status());
    const std::vector<std::string> changed = ChangedSettingNames(values_, next->values);
    if (changed.empty()) {
      metrics_.Increment(kMetricConfigReloadsTotal, {{"result", "unchanged"}});
      Log(trigger == "SIGHUP" ? LogLevel::kInfo : LogLevel::kDebug, "configuration reloaded: nothing changed",
          {{"trigger", trigger}});
      return std::nullopt;
    }
    const std::string changed_names = absl::StrJoin(changed, ",");
    auto naming_changed = [&changed_names](const absl::Status& why) {
      return absl::Status(why.code(), absl::StrCat("changed: ", changed_names, ": ", why.message()));
    };
    if (absl::Status valid = CheckServeConfig(next->config); !valid.ok())
      return Refuse(trigger, naming_changed(valid));
    const std::vector<std::string> not_applied = NeedsRestart(next->config);
    absl::StatusOr<std::unique_ptr<Runtime>> reopened = OpenRuntime(env_, next->config, runtime_->holder);
    if (!reopened.ok()) return Refuse(trigger, naming_changed(reopened.status()));
    std::unique_ptr<Runtime> fresh = *std::move(reopened);
    ApplyLogSettings(fresh->config.log, runtime_->config.log);
    SwitchReceivers(*fresh, runtime_->config);
    ServiceParts parts = PartsOf(*fresh);
    runtime_ = std::move(fresh);  // the old clients: the worker is between requests, nothing else uses them
    values_ = std::move(next->values);
    metrics_.Increment(kMetricConfigReloadsTotal, {{"result", "ok"}});
    LogFields fields = {{"trigger", trigger}, {"changed", changed_names}};
    if (!not_applied.empty()) fields.emplace_back("needs_restart", absl::StrJoin(not_applied, ","));
    LogInfo("configuration reloaded", fields);
    return parts;
  }

 private:
  std::optional<ServiceParts> Refuse(const std::string& trigger, const absl::Status& why) {
    metrics_.Increment(kMetricConfigReloadsTotal, {{"result", "failed"}});
    LogError("configuration reload failed; still serving with the configuration in use",
             {{"trigger", trigger}, {"error", std::string(why.message())}});
    return std::nullopt;
  }
  // What only a restart changes.
  std::vector<std::string> NeedsRestart(const Config& next) const {
    std::vector<std::string> not_applied;
    if (next.http_addr != start_config_.http_addr) not_applied.push_back("CREDITBOT_HTTP_ADDR");
    if (next.slack_app_token.empty() != start_config_.slack_app_token.empty())
      not_applied.push_back("SLACK_APP_TOKEN (turning Socket Mode on or off)");
    return not_applied;
  }
  // New log settings take effect; when they cannot, the old ones stay.
  static void ApplyLogSettings(const LogOptions& fresh, const LogOptions& old) {
    if (fresh.level == old.level && fresh.format == old.format && fresh.file == old.file) return;
    if (absl::Status logging = ConfigureLogging(fresh); !logging.ok()) {
      (void)ConfigureLogging(old);
      LogWarn("configuration reload: the new log settings were not applied",
              {{"error", std::string(logging.message())}});
    }
  }
  // The Events API's signing secret, and a Socket Mode link on a rotated app token.
  void SwitchReceivers(const Runtime& fresh, const Config& old) {
    if (http_ != nullptr) http_->SetSigningSecret(fresh.config.slack_signing_secret);
    if (interactivity_ != nullptr && fresh.desk != nullptr) {
      std::unique_ptr<InteractiveSlack> slack = OpenInteractiveSlack(env_, fresh.slack_options);
      interactivity_->SetParts(*fresh.desk, *slack->responder);  // waits for the click in hand
      interactive_slack_ = std::move(slack);
    }
    if (socket_mode_ != nullptr && !fresh.config.slack_app_token.empty() &&
        (fresh.config.slack_app_token != old.slack_app_token ||
         fresh.config.slack_api_url != old.slack_api_url)) {
      socket_mode_->Replace(fresh.slack_options);
    }
  }

  const Environment& env_;
  const GlobalOptions& global_;
  SettingValues values_;              // the settings in use, to tell what a reload changed
  std::unique_ptr<Runtime> runtime_;  // replaced by a reload
  const Config start_config_;
  Metrics& metrics_;
  ServiceHttp* http_ = nullptr;
  SocketModeReceiver* socket_mode_ = nullptr;
  InteractivityHandler* interactivity_ = nullptr;
  std::unique_ptr<InteractiveSlack> interactive_slack_;
  std::atomic<bool> sighup_pending_{false};
};

// /readyz: Socket Mode connected (when used) and a catch-up pass that succeeded. While paused, one more line
// "paused: REASON (by U…, since …)", and readiness unchanged (200): a paused pod must still take Slack's
// deliveries (an Events API endpoint that fails them gets its subscription disabled by Slack; an unready pod
// gets no traffic from its Service) and its dashboard, where an approver resumes it. Nothing is lost
// meanwhile: the messages are in the channels' history, which the catch-up at the resume reads again.
ReadyReport Readiness(const Service& service, const SocketModeReceiver* socket_mode) {
  ReadyReport report;
  if (socket_mode != nullptr) {
    const bool connected = socket_mode->connected();
    report.checks.push_back({"slack_socket_mode", connected,
                             connected ? "" : "not connected to Slack (Socket Mode); reconnecting"});
  }
  const bool passed = service.last_successful_pass().has_value();
  report.checks.push_back({"catch_up_pass", passed,
                           passed ? ""
                                  : "no catch-up pass has succeeded yet (Slack, Looker or the "
                                    "warehouse unreachable? see the log)"});
  if (std::optional<PauseState> paused = service.paused()) report.notes.push_back(PauseLine(*paused));
  return report;
}

ServiceHttpHandlers HttpHandlers(Service& service, const SocketModeReceiver* socket_mode,
                                 InteractivityHandler* interactivity) {
  ServiceHttpHandlers handlers;
  if (interactivity != nullptr) {
    handlers.on_interaction = [interactivity](const nlohmann::json& payload, std::string& result) {
      InteractionAck ack = interactivity->Accept(payload, "interactivity_http");
      result = ack.result;
      return std::move(ack.response);
    };
  }
  handlers.on_event = [&service](EventsApiResult&& result) {
    if (result.envelope) service.Deliver(*result.envelope, "events_api");
  };
  handlers.on_event_counts = true;  // Deliver counts each event once, as queued, duplicate…
  handlers.readiness = [&service, socket_mode] { return Readiness(service, socket_mode); };
  return handlers;
}

// The dashboard's decisions: run on the service worker with the runtime's desk (as the Slack buttons' are),
// waiting up to kDashboardDecisionWait for the answer. A worker busy for longer with a calculation still
// takes the decision afterwards; the page says so.
constexpr absl::Duration kDashboardDecisionWait = absl::Seconds(30);

std::function<DecisionAnswer(const DecisionRequest&)> DashboardDecider(Service& service,
                                                                       ConfigReloader& reloader) {
  return [&service, &reloader](const DecisionRequest& request) {
    auto promise = std::make_shared<std::promise<DecisionAnswer>>();
    std::future<DecisionAnswer> answer = promise->get_future();
    service.Post([&reloader, request, promise] {
      DecisionAnswer result;
      if (reloader.runtime().desk == nullptr) {
        result.message = "deciding is not set up in this service";
      } else {
        result = reloader.runtime().desk->Decide(request);
      }
      promise->set_value(std::move(result));
    });
    if (answer.wait_for(absl::ToChronoSeconds(kDashboardDecisionWait)) != std::future_status::ready) {
      DecisionAnswer waiting;
      waiting.message =
          "serve is busy with a calculation; the decision is queued and will be taken when it finishes. "
          "Reload the queue in a minute.";
      return waiting;
    }
    return answer.get();
  };
}

// The thread that takes serve's signals: SIGHUP asks for a reload, SIGTERM/SIGINT stop the service, SIGUSR1
// (sent when the service ended by itself) ends the thread.
std::thread StartSignalThread(const sigset_t& signals, Service& service, SocketModeReceiver* socket_mode,
                              ConfigReloader& reloader) {
  return std::thread([&signals, &service, socket_mode, &reloader] {
    while (true) {
      int received = 0;
      if (sigwait(&signals, &received) != 0) continue;
      if (received == SIGHUP) {
        LogInfo("SIGHUP: reading the configuration again");
        reloader.NoteSighup();
        service.RequestReload();
        continue;
      }
      if (received == SIGTERM || received == SIGINT) {
        LogInfo("stopping: finishing the request in hand",
                {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
        service.Stop();
        if (socket_mode != nullptr) socket_mode->RequestStop();
      }
      return;  // SIGUSR1: the service ended by itself
    }
  });
}

// The line the tests and operators read the bound port from (CREDITBOT_HTTP_ADDR may ask for port 0).
void PrintListening(const std::string& host, int port, bool socket_mode, const Config& config) {
  std::printf("creditbot serve: listening on %s:%d (%s%s%s), %s\n", host.c_str(), port,
              socket_mode ? "Socket Mode" : "",
              socket_mode && !config.slack_signing_secret.empty() ? " + " : "",
              config.slack_signing_secret.empty()
                  ? (config.slack_bot_token.empty() ? "embedded default: the local inbox and outbox" : "")
                  : "Events API at /slack/events, interactivity at /slack/interactivity",
              config.dry_run ? "dry run" : "live");
  std::printf("creditbot serve: dashboard at http://%s:%d/%s\n",
              host.find(':') == std::string::npos ? host.c_str() : ("[" + host + "]").c_str(), port,
              config.slack_bot_token.empty() ? " (local sign-in)" : "");
  std::fflush(stdout);
}

}  // namespace

int ServeCommand(const Environment& env, const GlobalOptions& global) {
  const sigset_t signals = BlockServeSignals();
  absl::StatusOr<LoadedConfig> loaded = LoadStartConfig(global);
  if (!loaded.ok()) return Fail(loaded.status());
  // TLS (Socket Mode), request signatures, sign-in and sessions all need OpenSSL, loaded on first use
  // elsewhere (common/lazy_openssl.h): a serve without it refuses to start rather than fail each request.
  if (absl::Status openssl = LoadOpenssl(); !openssl.ok()) return Fail(openssl);
  std::string http_host;
  int http_port = 0;
  if (absl::Status addr = ParseHttpAddr(loaded->config.http_addr, http_host, http_port); !addr.ok())
    return Fail(addr);
  absl::StatusOr<std::unique_ptr<Runtime>> opened = OpenRuntime(env, std::move(loaded->config));
  if (!opened.ok()) return Fail(opened.status());

  Metrics& metrics = GlobalMetrics();
  DefineReloadMetric(metrics);
  StartSeriesAtZero(metrics, (*opened)->router->policies());
  ConfigReloader reloader(env, global, std::move(loaded->values), *std::move(opened), metrics);
  const Config& start_config = reloader.start_config();
  Runtime& start = reloader.runtime();  // until the first reload, which happens inside service.Run()

  ServiceOptions service_options = StartOptions(start);
  service_options.reload = [&reloader] { return reloader.Reload(); };
  Service service(*start.pipeline, *start.source, *start.state, env.clock(), service_options);

  // Clicks: answered at once on the receivers' threads, Slack calls on the handler's, decisions on the
  // worker.
  std::unique_ptr<InteractiveSlack> interactive_slack;
  std::unique_ptr<InteractivityHandler> interactivity;
  if (start.desk != nullptr) {
    interactive_slack = OpenInteractiveSlack(env, start.slack_options);
    interactivity = std::make_unique<InteractivityHandler>(*start.desk, *interactive_slack->responder);
    interactivity->SetDecisionRunner([&service, &reloader](std::function<void(DecisionDesk&)> decide) {
      service.Post([&reloader, decide = std::move(decide)] {
        if (reloader.runtime().desk != nullptr) decide(*reloader.runtime().desk);
      });
    });
    interactivity->Start();
  }
  std::unique_ptr<SocketModeReceiver> socket_mode;
  if (!start_config.slack_app_token.empty())
    socket_mode = std::make_unique<SocketModeReceiver>(env, service, interactivity.get());

  ServiceHttpOptions http_options;
  http_options.bind_address = http_host;
  http_options.port = http_port;
  http_options.signing_secret = start_config.slack_signing_secret;
  http_options.clock = &env.clock();
  ServiceHttpHandlers handlers = HttpHandlers(service, socket_mode.get(), interactivity.get());
  // The web dashboard: every path the endpoint does not serve itself. Its decisions run on the worker.
  absl::StatusOr<std::unique_ptr<ServeDashboard>> dashboard =
      OpenServeDashboard(env, start_config, http_host, DashboardDecider(service, reloader));
  if (!dashboard.ok()) return Fail(dashboard.status());
  handlers.dashboard = [web = dashboard->get()](const HttpFrontRequest& request) {
    return web->Handle(request);
  };
  ServiceHttp http(http_options, std::move(handlers));
  absl::StatusOr<int> bound = http.Start();
  if (!bound.ok())
    return Fail(
        absl::Status(bound.status().code(), absl::StrCat("HTTP endpoint: ", bound.status().message())));
  reloader.Attach(&http, socket_mode.get());
  reloader.AttachInteractivity(interactivity.get(), std::move(interactive_slack));
  PrintListening(http_host, *bound, socket_mode != nullptr, start_config);

  if (socket_mode) socket_mode->Start(start.slack_options);
  std::thread signal_thread = StartSignalThread(signals, service, socket_mode.get(), reloader);
  LogInfo("serve started", {{"channels", std::to_string(start.channel_ids.size())},
                            {"dry_run", start_config.dry_run ? "true" : "false"},
                            {"secret_refresh_seconds",
                             std::to_string(absl::ToInt64Seconds(start_config.secret_refresh_interval))}});
  service.Run();

  const bool failed = socket_mode && socket_mode->failed();
  if (socket_mode) socket_mode->Stop();
  http.Stop();
  if (interactivity) interactivity->Stop();
  pthread_kill(signal_thread.native_handle(), SIGUSR1);
  signal_thread.join();
  LogInfo("serve stopped");
  return failed ? 1 : 0;
}

}  // namespace creditbot
