// The HTTP endpoint of `creditbot serve`: routes, Events API checks and the refusal log, on HttpFront; see
// service_http.h.
#include "bot/service_http.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/logging.h"
#include "common/strings.h"
#include "slack/interactivity.h"

namespace creditbot {
namespace {

constexpr char kTextPlain[] = "text/plain; charset=utf-8";
constexpr char kEventsPath[] = "/slack/events";
constexpr char kInteractivityPath[] = "/slack/interactivity";

// Refused requests are logged at most once per interval (issue 21: a flood of unsigned requests must not
// become a flood of log lines). A constant, not a setting.
constexpr absl::Duration kRefusalLogInterval = absl::Seconds(10);

// The connection limits (issue 21). Constants, not settings: they bound what a client can make serve hold,
// and Slack's deliveries (a few KB, sent at once) are far inside them.
HttpFrontLimits FrontLimits(const ServiceHttpOptions& options) {
  HttpFrontLimits limits;
  limits.header_deadline = absl::Seconds(5);
  limits.body_deadline = absl::Seconds(10);
  limits.max_header_count = 100;
  limits.max_header_bytes = std::size_t{16} * 1024;
  // One byte over the limit still reaches HandleEventsApiRequest (which answers 413 with its reason);
  // anything larger is refused 413 by the front before it is read.
  limits.max_body_bytes = options.max_body_bytes + 1;
  limits.max_connections = 2048;
  limits.backlog = 1024;
  limits.handler_threads = options.threads;
  return limits;
}

// One line of /readyz or /healthz text: no line breaks from a check's message.
std::string OneLine(std::string_view text) {
  return absl::StrReplaceAll(ToAbsl(text), {{"\r\n", " "}, {"\n", " "}, {"\r", " "}});
}

// host:port, with brackets around an IPv6 address.
std::string HostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

HttpFrontResponse Text(int status, std::string body) {
  return HttpFrontResponse{status, kTextPlain, {}, std::move(body)};
}

HttpFrontResponse MethodNotAllowed(const std::string& allow) {
  HttpFrontResponse response = Text(405, "method not allowed\n");
  response.headers.emplace_back("Allow", allow);
  return response;
}

}  // namespace

bool ReadyReport::ok() const {
  for (const ReadyCheck& check : checks) {
    if (!check.ok) return false;
  }
  return true;
}

ServiceHttp::ServiceHttp(ServiceHttpOptions options, ServiceHttpHandlers handlers)
    : options_(std::move(options)), handlers_(std::move(handlers)), signing_secret_(options_.signing_secret) {
  if (options_.recent_ids == nullptr) owned_recent_ids_ = std::make_unique<RecentIds>();
  recent_ids_ = options_.recent_ids != nullptr ? options_.recent_ids : owned_recent_ids_.get();
  metrics_ = options_.metrics != nullptr ? options_.metrics : &GlobalMetrics();
  static const SystemClock system_clock;
  clock_ = options_.clock != nullptr ? options_.clock : &system_clock;
}

ServiceHttp::~ServiceHttp() { Stop(); }

absl::StatusOr<int> ServiceHttp::Start() {
  if (front_ != nullptr) return absl::FailedPreconditionError("already started");
  if (options_.port < 0 || options_.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("port ", options_.port, " is not in 0..65535"));
  }
  if (options_.threads < 1) {
    return absl::InvalidArgumentError(absl::StrCat("threads must be at least 1, not ", options_.threads));
  }
  auto front = std::make_unique<HttpFront>(
      FrontLimits(options_), [this](const HttpFrontRequest& request) { return Route(request); },
      [this](int status, std::string_view reason, std::string_view path, std::string_view peer) {
        if (path == kEventsPath) CountEvent(status == 413 ? "too_large" : "bad_request");
        if (path == kInteractivityPath) CountInteraction(status == 413 ? "too_large" : "bad_request");
        NoteRefusal(status, reason, peer);
      },
      [this] { FlushRefusals(); });
  absl::StatusOr<int> bound = front->Start(options_.bind_address, options_.port);
  if (!bound.ok()) return bound.status();
  front_ = std::move(front);
  port_ = *bound;
  LogInfo("HTTP endpoint listening", {{"address", HostPort(options_.bind_address, *bound)},
                                      {"events_api", SigningSecret().empty() ? "off" : "on"}});
  return *bound;
}

void ServiceHttp::Stop() {
  if (front_ == nullptr) return;
  front_->Stop();
  front_.reset();
  port_ = 0;
  std::lock_guard<std::mutex> lock(refusal_mutex_);
  if (refusals_unlogged_ > 0) {
    LogWarn(absl::StrCat("refused ", refusals_unlogged_, " more HTTP requests before stopping"),
            {{"count", std::to_string(refusals_unlogged_)}, {"last", last_refusal_}});
  }
  refusals_unlogged_ = 0;
  refusal_window_open_ = false;
}

void ServiceHttp::NoteRefusal(int status, std::string_view reason, std::string_view peer) {
  const absl::Time now = clock_->Now();
  std::lock_guard<std::mutex> lock(refusal_mutex_);
  if (!refusal_window_open_) {
    refusal_window_open_ = true;
    refusal_window_start_ = now;
    LogWarn("refused an HTTP request",
            {{"status", std::to_string(status)},
             {"reason", std::string(reason)},
             {"peer", std::string(peer)},
             {"next", absl::StrCat("further refusals are counted and logged once per ",
                                   absl::FormatDuration(kRefusalLogInterval))}});
    return;
  }
  ++refusals_unlogged_;
  last_refusal_ = absl::StrCat(status, " ", ToAbsl(reason), " from ", ToAbsl(peer));
}

void ServiceHttp::FlushRefusals() {
  const absl::Time now = clock_->Now();
  std::lock_guard<std::mutex> lock(refusal_mutex_);
  if (!refusal_window_open_ || now - refusal_window_start_ < kRefusalLogInterval) return;
  if (refusals_unlogged_ == 0) {
    refusal_window_open_ = false;  // a quiet interval: the next refusal is logged in full
    return;
  }
  LogWarn(absl::StrCat("refused ", refusals_unlogged_, " more HTTP requests in the last ",
                       absl::FormatDuration(now - refusal_window_start_)),
          {{"count", std::to_string(refusals_unlogged_)}, {"last", last_refusal_}});
  refusals_unlogged_ = 0;
  refusal_window_start_ = now;
}

HttpFrontResponse ServiceHttp::Route(const HttpFrontRequest& request) {
  const std::string& path = request.path;
  if (path == kEventsPath) {
    if (request.method != "POST") return MethodNotAllowed("POST");
    return HandleEvents(request);
  }
  if (path == kInteractivityPath) {
    if (request.method != "POST") return MethodNotAllowed("POST");
    return HandleInteractivity(request);
  }
  if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
    if (request.method != "GET") return MethodNotAllowed("GET");
    if (path == "/healthz") return HandleHealth();
    if (path == "/readyz") return HandleReady();
    return HandleMetrics();
  }
  if (handlers_.dashboard) return HandleDashboard(request);
  return Text(404, "not found\n");
}

HttpFrontResponse ServiceHttp::HandleDashboard(const HttpFrontRequest& request) {
  try {
    return handlers_.dashboard(request);
  } catch (const std::exception& error) {
    LogError("the dashboard handler threw; answered 500", {{"path", request.path}, {"error", error.what()}});
  } catch (...) {
    LogError("the dashboard handler threw; answered 500", {{"path", request.path}});
  }
  return Text(500, "internal error\n");
}

void ServiceHttp::CountEvent(const std::string& result) {
  metrics_->Increment(kMetricEventsReceivedTotal, {{"source", "events_api"}, {"result", result}});
}

void ServiceHttp::CountInteraction(const std::string& result) {
  metrics_->Increment(kMetricEventsReceivedTotal, {{"source", "interactivity"}, {"result", result}});
}

void ServiceHttp::SetSigningSecret(std::string secret) {
  std::lock_guard<std::mutex> lock(secret_mutex_);
  signing_secret_ = std::move(secret);
}

std::string ServiceHttp::SigningSecret() const {
  std::lock_guard<std::mutex> lock(secret_mutex_);
  return signing_secret_;
}

HttpFrontResponse ServiceHttp::HandleEvents(const HttpFrontRequest& request) {
  const std::string signing_secret = SigningSecret();
  if (signing_secret.empty()) {
    CountEvent("not_configured");
    return Text(404, "the Events API is not enabled (no signing secret is configured)\n");
  }
  EventsApiRequest delivery;
  delivery.method = request.method;
  delivery.content_type = request.Header("Content-Type");
  delivery.request_timestamp = request.Header("X-Slack-Request-Timestamp");
  delivery.signature = request.Header("X-Slack-Signature");
  delivery.retry_num = request.Header("X-Slack-Retry-Num");
  delivery.retry_reason = request.Header("X-Slack-Retry-Reason");
  delivery.body = request.body;
  const absl::Time now = clock_->Now();
  EventsApiResult result = HandleEventsApiRequest(delivery, signing_secret, now, options_.max_body_bytes);

  if (!result.envelope.has_value()) {
    if (result.http_status != 200) NoteRefusal(result.http_status, result.body, request.peer);
    CountEvent(result.result);
    return HttpFrontResponse{result.http_status, result.content_type, {}, result.body};
  }

  const std::string event_id = result.event_id;
  const LogFields fields = {{"event_id", event_id},
                            {"retry_num", std::to_string(result.retry_num)},
                            {"retry_reason", result.retry_reason}};
  if (!recent_ids_->FirstSeen(event_id, now)) {
    LogInfo("Slack redelivered an event already received; acknowledged and dropped", fields);
    CountEvent("duplicate");
    return HttpFrontResponse{200, "", {}, ""};
  }
  if (handlers_.on_event) {
    std::string failure;
    try {
      handlers_.on_event(std::move(result));
    } catch (const std::exception& error) {
      failure = error.what();
    } catch (...) {
      failure = "unknown exception";
    }
    if (!failure.empty()) {
      // Forget the id so that Slack's retry of this delivery is handed on again.
      recent_ids_->Forget(event_id);
      LogFields error_fields = fields;
      error_fields.emplace_back("error", failure);
      LogError("could not hand on a Slack event; answered 500 so that Slack retries", error_fields);
      CountEvent("error");
      return Text(500, "could not queue the event\n");
    }
  }
  LogDebug("Slack event received", fields);
  if (!handlers_.on_event || !handlers_.on_event_counts) CountEvent("event");
  return HttpFrontResponse{200, "", {}, ""};
}

HttpFrontResponse ServiceHttp::HandleInteractivity(const HttpFrontRequest& request) {
  const std::string signing_secret = SigningSecret();
  if (signing_secret.empty() || !handlers_.on_interaction) {
    CountInteraction("not_configured");
    return Text(404, "interactivity over HTTP is not enabled (no signing secret is configured)\n");
  }
  auto refuse = [&](int status, const std::string& result, std::string why) {
    NoteRefusal(status, why, request.peer);
    CountInteraction(result);
    return Text(status, why + "\n");
  };
  if (request.body.size() > options_.max_body_bytes)
    return refuse(413, "too_large", absl::StrCat("body is larger than ", options_.max_body_bytes, " bytes"));
  const absl::Status signed_ok =
      VerifySlackSignature(signing_secret, request.Header("X-Slack-Request-Timestamp"),
                           request.Header("X-Slack-Signature"), request.body, clock_->Now());
  if (!signed_ok.ok()) {
    const bool internal = signed_ok.code() == absl::StatusCode::kInternal;
    return refuse(internal ? 500 : 401, internal ? "error" : "unauthenticated",
                  std::string(signed_ok.message()));
  }
  absl::StatusOr<std::string> payload_text = InteractionPayloadFromForm(request.body);
  if (!payload_text.ok()) return refuse(400, "bad_request", std::string(payload_text.status().message()));
  absl::StatusOr<nlohmann::json> payload = ParseInteractionJson(*payload_text);
  if (!payload.ok()) return refuse(400, "bad_request", std::string(payload.status().message()));
  std::string result = "accepted";
  nlohmann::json answer;
  try {
    answer = handlers_.on_interaction(*payload, result);
  } catch (const std::exception& error) {
    LogError("could not hand on a Slack interaction; answered 500", {{"error", error.what()}});
    CountInteraction("error");
    return Text(500, "could not handle the interaction\n");
  }
  CountInteraction(result);
  if (answer.is_null()) return HttpFrontResponse{200, "", {}, ""};
  return HttpFrontResponse{200,
                           "application/json; charset=utf-8",
                           {},
                           answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

HttpFrontResponse ServiceHttp::HandleHealth() {
  absl::Status alive = absl::OkStatus();
  if (handlers_.liveness) {
    try {
      alive = handlers_.liveness();
    } catch (const std::exception& error) {
      alive = absl::InternalError(error.what());
    }
  }
  if (alive.ok()) return Text(200, "ok\n");
  return Text(503, absl::StrCat("FAIL: ", OneLine(ToStd(alive.message())), "\n"));
}

HttpFrontResponse ServiceHttp::HandleReady() {
  ReadyReport report;
  if (handlers_.readiness) {
    try {
      report = handlers_.readiness();
    } catch (const std::exception& error) {
      report.checks = {ReadyCheck{"readiness", false, absl::StrCat("the checks threw: ", error.what())}};
    }
  }
  std::string text;
  for (const ReadyCheck& check : report.checks) {
    if (check.ok) {
      absl::StrAppend(&text, "ok ", OneLine(check.name), "\n");
    } else {
      absl::StrAppend(&text, "FAIL ", OneLine(check.name), ": ", OneLine(check.why), "\n");
    }
  }
  if (report.checks.empty()) text = "ok\n";
  for (const std::string& note : report.notes) absl::StrAppend(&text, OneLine(note), "\n");
  return Text(report.ok() ? 200 : 503, std::move(text));
}

HttpFrontResponse ServiceHttp::HandleMetrics() {
  return HttpFrontResponse{200,
                           kPrometheusTextContentType,
                           {},
                           handlers_.metrics_text ? handlers_.metrics_text() : metrics_->Render()};
}

}  // namespace creditbot
