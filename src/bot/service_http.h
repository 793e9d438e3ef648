// ServiceHttp: the HTTP endpoint of `creditbot serve`, bound to loopback by default:
//
//   POST /slack/events  Slack Events API deliveries (slack/events_api.h decides the answer). An accepted
//                       event_callback is handed to on_event once per event_id: a redelivery of an event
//                       already seen (RecentIds) is acknowledged 200 and dropped. 404 when no signing
//                       secret is configured (the Events API is then off: Socket Mode is the default).
//   POST /slack/interactivity
//                       Slack interactivity (button clicks, modal submissions): a form body `payload=<JSON>`,
//                       signature v0 and replay window checked exactly as for /slack/events
//                       (VerifySlackSignature); the decoded payload goes to on_interaction, whose answer is
//                       sent at once (200, empty or its JSON: a view_submission's errors). 404 when no
//                       signing secret is configured or on_interaction is unset; 401 for a bad signature;
//                       400 for a body that is not a form with a JSON object `payload`; 413 beyond
//                       max_body_bytes. Counted in creditbot_events_received_total{source="interactivity"}
//                       with the handler's result, or the refusal (unauthenticated, bad_request, too_large,
//                       not_configured, error).
//   GET  /healthz       liveness: 200 "ok\n" while the process serves (or liveness() says OK), else 503.
//   GET  /readyz        readiness: 200 when every check of readiness() passes, else 503; one line per check,
//                       "ok NAME" or "FAIL NAME: WHY", then the report's notes, one line each.
//   GET  /metrics       metrics_text() (default: the registry's Render()), Prometheus text format 0.0.4.
//   anything else       handed to the `dashboard` handler when one is set (serve's web dashboard, web/), with
//                       the parsed request (method, target, headers incl. Cookie, body) and answered with
//                       what it returns (status, headers incl. Set-Cookie and Location, body); else 404.
// Other methods on the paths above are 405.
//
// Connections are handled by HttpFront (service_http_front.h): one poll() loop reads every request without
// blocking and hands only complete ones to `threads` handler threads, so slow clients cannot hold them.
// Limits (constants, not settings): request line and headers within 5 s of the connection (or of the
// previous answer), the body within 10 s, at most 100 header fields and 16 KiB of them (else 408 / 431),
// a body up to max_body_bytes (else 413), 2,048 open connections, listen backlog 1,024.
//
// Every Events API delivery is counted in creditbot_events_received_total{source="events_api",result}, with
// result one of: event, duplicate, url_verification, ssl_check, app_rate_limited, unauthenticated,
// too_large, bad_request, method_not_allowed, not_configured, error (a delivery to /slack/events refused by
// the connection limits counts as too_large for 413, else bad_request), once per delivery: with
// on_event_counts, an event handed on is counted by the handler instead of as "event".
// Refused requests are logged (warn) with the reason and the peer address, never with the secret or the
// body, at most one line per 10 s: the first refusal after a quiet 10 s is logged in full, the ones after it
// are counted and summed up in one line ("refused N more HTTP requests in the last 10 s") every 10 s while
// they go on.
//
// The signing secret can be replaced while serving (SetSigningSecret, after a configuration reload): a
// request is checked against the secret in force when its check starts; an empty secret turns the Events API
// off (404) from then on.
//
// Threads: handlers are called on the handler threads, concurrently, so they must be thread-safe and quick
// (on_event must only enqueue: Slack retries a delivery not acknowledged within 3 s). Start/Stop are for one
// owning thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bot/service_http_front.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "slack/events_api.h"

namespace creditbot {

struct ServiceHttpOptions {
  std::string bind_address = "127.0.0.1";  // Default: loopback only
  int port = 8080;                         // Default: 8080; 0 picks a free port (see Start)
  std::string signing_secret;              // Default: none, and POST /slack/events answers 404
  std::size_t max_body_bytes = kDefaultEventsApiMaxBodyBytes;  // Default: 1 MiB; larger bodies get 413
  int threads = 4;                                             // Default: 4 handler threads
  // Default: a private set of 10,000 ids kept 1 hour. Pass the set Socket Mode uses so that an event
  // arriving by both routes is handled once. Not owned; must outlive the server.
  RecentIds* recent_ids = nullptr;
  Metrics* metrics = nullptr;    // Default: GlobalMetrics(). Not owned.
  const Clock* clock = nullptr;  // Default: the system clock. Not owned; read from request threads.
};

struct ReadyCheck {
  std::string name;  // e.g. "state", "slack"
  bool ok = false;
  std::string why;  // when not ok: one line saying what is wrong (no secrets)
};

struct ReadyReport {
  std::vector<ReadyCheck> checks;
  // Lines shown after the checks that do not change the answer (serve's "paused: REASON (by U…, since …)").
  std::vector<std::string> notes = {};
  bool ok() const;  // true when every check passes (and when there are none)
};

struct ServiceHttpHandlers {
  // Called on a request thread after the decision to answer 200 to a first delivery of an event; must only
  // enqueue. If it throws, the delivery is answered 500 and the event_id forgotten, so Slack's retry is
  // handed on again. Unset: accepted events are dropped (still acknowledged).
  std::function<void(EventsApiResult&&)> on_event;
  // True when on_event counts each event it is handed in creditbot_events_received_total{source=
  // "events_api"} itself (serve's Service::Deliver does: queued, duplicate, not_for_us, queue_full); the
  // endpoint then leaves those uncounted instead of counting them "event", so that one delivery is counted
  // once. Everything the endpoint answers itself (refusals, redeliveries, url_verification…) it still counts.
  bool on_event_counts = false;
  // Called on a request thread with the decoded payload of an accepted POST /slack/interactivity; must be
  // quick (queue the work: Slack shows an error when the answer takes over 3 s). Returns the JSON to answer
  // with (null: an empty 200) and names the result for the metric through `result`. If it throws, the
  // request is answered 500. Unset: /slack/interactivity answers 404.
  std::function<nlohmann::json(const nlohmann::json& payload, std::string& result)> on_interaction;
  // The readiness checks, run for each GET /readyz. Unset: always ready.
  std::function<ReadyReport()> readiness;
  // The body of GET /metrics. Unset: the metrics registry's Render().
  std::function<std::string()> metrics_text;
  // Liveness: non-OK makes /healthz answer 503 with the message. Unset: alive while serving.
  std::function<absl::Status()> liveness;
  // Every request to a path not listed above (the web dashboard: bot does not know web/, app wires it in).
  // Called on a request thread, concurrently; must be thread-safe. Bodies are within max_body_bytes (larger
  // ones are refused 413 first). If it throws, the request is answered 500. Unset: 404.
  std::function<HttpFrontResponse(const HttpFrontRequest& request)> dashboard;
};

class ServiceHttp {
 public:
  ServiceHttp(ServiceHttpOptions options, ServiceHttpHandlers handlers);
  ~ServiceHttp();  // Stop()
  ServiceHttp(const ServiceHttp&) = delete;
  ServiceHttp& operator=(const ServiceHttp&) = delete;

  // Binds bind_address:port and serves on new threads; returns the bound port (the chosen one when port
  // is 0) once the server accepts connections. The port is bound exclusively (no SO_REUSEPORT), so a second
  // server on a port in use fails. Errors:
  //   kUnavailable "cannot listen on 127.0.0.1:8080: Address already in use" (the OS's reason, when known);
  //   kInvalidArgument for a port outside 0..65535, threads < 1 or a bind_address that is not a numeric
  //   IPv4/IPv6 address;
  //   kFailedPrecondition "already started".
  absl::StatusOr<int> Start();

  // Stops accepting, finishes the requests in progress and joins the thread. Idempotent; Start() may be
  // called again afterwards.
  void Stop();

  int port() const { return port_; }  // the bound port while started, else 0

  // Thread-safe: deliveries checked from now on use `secret` (ServiceHttpOptions::signing_secret at first).
  void SetSigningSecret(std::string secret);

 private:
  HttpFrontResponse Route(const HttpFrontRequest& request);
  HttpFrontResponse HandleEvents(const HttpFrontRequest& request);
  HttpFrontResponse HandleInteractivity(const HttpFrontRequest& request);
  void CountInteraction(const std::string& result);
  HttpFrontResponse HandleHealth();
  HttpFrontResponse HandleReady();
  HttpFrontResponse HandleMetrics();
  HttpFrontResponse HandleDashboard(const HttpFrontRequest& request);
  void CountEvent(const std::string& result);
  std::string SigningSecret() const;
  // The refusal log (at most one line per kRefusalLogInterval; see the top of this file).
  void NoteRefusal(int status, std::string_view reason, std::string_view peer);
  void FlushRefusals();

  const ServiceHttpOptions options_;
  const ServiceHttpHandlers handlers_;
  std::unique_ptr<RecentIds> owned_recent_ids_;
  RecentIds* recent_ids_;
  Metrics* metrics_;
  const Clock* clock_;
  mutable std::mutex secret_mutex_;
  std::string signing_secret_;  // guarded by secret_mutex_
  std::mutex refusal_mutex_;
  bool refusal_window_open_ = false;  // guarded by refusal_mutex_, as are the three below
  absl::Time refusal_window_start_;
  std::size_t refusals_unlogged_ = 0;
  std::string last_refusal_;  // "STATUS REASON from PEER" of the latest unlogged refusal
  std::unique_ptr<HttpFront> front_;
  int port_ = 0;
};

}  // namespace creditbot
