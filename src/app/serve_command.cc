// `creditbot serve`: the long-running service. Slack events arrive by Socket Mode (SLACK_APP_TOKEN) and/or
// the Events API (SLACK_SIGNING_SECRET, POST /slack/events on CREDITBOT_HTTP_ADDR); one worker handles
// them with the same pipeline as `run --once` and runs a catch-up pass every CREDITBOT_CATCHUP_SECONDS.
// The HTTP endpoint also serves /healthz, /readyz and /metrics. SIGTERM/SIGINT stop it gracefully: the
// request in hand finishes, receivers close, exit 0.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "app/commands.h"
#include "app/logging.h"
#include "app/runtime.h"
#include "bot/service.h"
#include "bot/service_http.h"
#include "common/strings.h"
#include "slack/socket_mode_client.h"

namespace creditbot {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "creditbot: %s\n", Redact(ToStd(status.message())).c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
}

// "host:port" → the two parts. kInvalidArgument naming CREDITBOT_HTTP_ADDR.
absl::Status ParseHttpAddr(const std::string& text, std::string& host, int& port) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(ToAbsl(std::string_view(text).substr(colon + 1)), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("CREDITBOT_HTTP_ADDR='", text, "': expected host:port, e.g. 127.0.0.1:8080"));
  }
  host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return absl::OkStatus();
}

}  // namespace

int ServeCommand(const GlobalOptions& global) {
  // Signals are taken by one thread with sigwait; every thread started below inherits this mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&signals, signal_number);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok())
    return Fail(absl::Status(config.status().code(), absl::StrCat("configuration: ", config.status().message())));
  if (config->slack_bot_token.empty()) {
    return Fail(absl::InvalidArgumentError(
        "configuration: serve needs Slack: set SLACK_BOT_TOKEN (and SLACK_APP_TOKEN for Socket Mode or "
        "SLACK_SIGNING_SECRET for the Events API); `run --once` works on the local inbox"));
  }
  if (config->slack_app_token.empty() && config->slack_signing_secret.empty()) {
    return Fail(absl::InvalidArgumentError(
        "configuration: serve needs a way to receive events: SLACK_APP_TOKEN (Socket Mode, no public URL "
        "needed) or SLACK_SIGNING_SECRET (Events API on CREDITBOT_HTTP_ADDR /slack/events), or both"));
  }
  std::string http_host;
  int http_port = 0;
  if (absl::Status addr = ParseHttpAddr(config->http_addr, http_host, http_port); !addr.ok()) return Fail(addr);

  absl::StatusOr<std::unique_ptr<Runtime>> opened = OpenRuntime(*std::move(config));
  if (!opened.ok()) return Fail(opened.status());
  Runtime& r = **opened;

  ServiceOptions service_options;
  service_options.channel_ids = r.channel_ids;
  service_options.catchup_interval = r.config.catchup_interval;
  service_options.pass = PassOptions{r.holder, r.config.claim_lease, r.config.state_retention_days};
  Service service(*r.pipeline, *r.source, *r.state, r.clock, service_options);

  // Socket Mode: its own Web API client (and connection), since it runs on its own thread.
  std::unique_ptr<HttpTransport> socket_transport;
  std::unique_ptr<SlackWebApi> socket_api;
  std::unique_ptr<SocketModeClient> socket_mode;
  if (!r.config.slack_app_token.empty()) {
    socket_transport = MakeCurlTransport();
    socket_api = std::make_unique<SlackWebApi>(*socket_transport, r.clock, r.sleeper, r.slack_options);
    socket_mode = std::make_unique<SocketModeClient>(
        [&socket_api] { return socket_api->OpenSocketModeUrl(); },
        [&service](SocketModeEvent event) { service.Deliver(event.payload, "socket_mode"); });
  }

  ServiceHttpOptions http_options;
  http_options.bind_address = http_host;
  http_options.port = http_port;
  http_options.signing_secret = r.config.slack_signing_secret;
  http_options.clock = &r.clock;
  ServiceHttpHandlers handlers;
  handlers.on_event = [&service](EventsApiResult&& result) {
    if (result.envelope) service.Deliver(*result.envelope, "events_api");
  };
  SocketModeClient* socket_for_ready = socket_mode.get();
  handlers.readiness = [&service, socket_for_ready] {
    ReadyReport report;
    if (socket_for_ready != nullptr) {
      report.checks.push_back(
          {"slack_socket_mode", socket_for_ready->connected(),
           socket_for_ready->connected() ? "" : "not connected to Slack (Socket Mode); reconnecting"});
    }
    const bool passed = service.last_successful_pass().has_value();
    report.checks.push_back({"catch_up_pass", passed,
                             passed ? "" : "no catch-up pass has succeeded yet (Slack, Looker or the "
                                           "warehouse unreachable? see the log)"});
    return report;
  };
  ServiceHttp http(http_options, handlers);
  absl::StatusOr<int> bound = http.Start();
  if (!bound.ok()) return Fail(absl::Status(bound.status().code(), absl::StrCat("HTTP endpoint: ", bound.status().message())));
  // The tests and operators read the bound port from this line (CREDITBOT_HTTP_ADDR may ask for port 0).
  std::printf("creditbot serve: listening on %s:%d (%s%s%s), %s\n", http_host.c_str(), *bound,
              socket_mode ? "Socket Mode" : "", socket_mode && !r.config.slack_signing_secret.empty() ? " + " : "",
              r.config.slack_signing_secret.empty() ? "" : "Events API at /slack/events",
              r.config.dry_run ? "dry run" : "live");
  std::fflush(stdout);

  std::atomic<bool> failed{false};
  std::thread socket_thread;
  if (socket_mode) {
    socket_thread = std::thread([&socket_mode, &service, &failed] {
      absl::Status ended = socket_mode->Run();
      if (!ended.ok()) {
        LogError("Socket Mode stopped for good; stopping the service", {{"error", std::string(ended.message())}});
        failed = true;
        service.Stop();
      }
    });
  }
  std::thread signal_thread([&signals, &service, &socket_mode] {
    while (true) {
      int received = 0;
      if (sigwait(&signals, &received) != 0) continue;
      if (received == SIGHUP) {
        LogInfo("SIGHUP: the configuration is read at start; restart to apply changes");
        continue;
      }
      if (received == SIGTERM || received == SIGINT) {
        LogInfo("stopping: finishing the request in hand", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
        service.Stop();
        if (socket_mode) socket_mode->Stop();
      }
      return;  // SIGUSR1: the service ended by itself
    }
  });

  LogInfo("serve started", {{"channels", std::to_string(r.channel_ids.size())},
                            {"dry_run", r.config.dry_run ? "true" : "false"}});
  service.Run();

  if (socket_mode) socket_mode->Stop();
  if (socket_thread.joinable()) socket_thread.join();
  http.Stop();
  pthread_kill(signal_thread.native_handle(), SIGUSR1);
  signal_thread.join();
  LogInfo("serve stopped");
  return failed ? 1 : 0;
}

}  // namespace creditbot
