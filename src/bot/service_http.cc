// The HTTP endpoint of `creditbot serve` on cpp-httplib; see service_http.h.
#include "bot/service_http.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <exception>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "app/logging.h"
#include "common/strings.h"

namespace creditbot {
namespace {

constexpr char kTextPlain[] = "text/plain; charset=utf-8";
constexpr char kEventsPath[] = "/slack/events";
// The paths we serve, for the 405 answers to other methods.
constexpr char kOurPaths[] = R"(/(slack/events|healthz|readyz|metrics))";

// One line of /readyz or /healthz text: no line breaks from a check's message.
std::string OneLine(std::string_view text) {
  return absl::StrReplaceAll(ToAbsl(text), {{"\r\n", " "}, {"\n", " "}, {"\r", " "}});
}

// host:port, with brackets around an IPv6 address.
std::string HostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

void MethodNotAllowed(const httplib::Request& request, httplib::Response& response) {
  response.status = 405;
  response.set_header("Allow", request.path == kEventsPath ? "POST" : "GET");
  response.set_content("method not allowed\n", kTextPlain);
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
  if (server_ != nullptr) return absl::FailedPreconditionError("already started");
  if (options_.port < 0 || options_.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("port ", options_.port, " is not in 0..65535"));
  }
  if (options_.threads < 1) {
    return absl::InvalidArgumentError(absl::StrCat("threads must be at least 1, not ", options_.threads));
  }
  auto server = std::make_unique<httplib::Server>();
  const auto threads = static_cast<std::size_t>(options_.threads);
  server->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // httplib's default sets SO_REUSEPORT, which lets a second process bind the same port and silently share
  // Slack's deliveries. SO_REUSEADDR alone still allows a quick restart (TIME_WAIT) but refuses a port in
  // use.
  server->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // A keep-alive connection holds a request thread while idle; keep that short so that a few idle
  // connections (an ingress, probes) cannot delay Slack's next delivery past its 3 s deadline.
  server->set_keep_alive_timeout(1);
  // One byte over the limit still reaches HandleEventsApiRequest (which answers 413 with a reason);
  // anything larger is refused 413 by httplib before it is read.
  server->set_payload_max_length(options_.max_body_bytes + 1);
  server->set_exception_handler(
      [](const httplib::Request&, httplib::Response& response, const std::exception_ptr&) {
        response.status = 500;  // never echo the exception text to the client
        response.set_content("internal error\n", kTextPlain);
      });

  server->Post(kEventsPath, [this](const httplib::Request& request, httplib::Response& response) {
    HandleEvents(request, response);
  });
  server->Get("/healthz",
              [this](const httplib::Request&, httplib::Response& response) { HandleHealth(response); });
  server->Get("/readyz",
              [this](const httplib::Request&, httplib::Response& response) { HandleReady(response); });
  server->Get("/metrics",
              [this](const httplib::Request&, httplib::Response& response) { HandleMetrics(response); });
  server->Get(kEventsPath, MethodNotAllowed);
  server->Post(R"(/(healthz|readyz|metrics))", MethodNotAllowed);
  server->Put(kOurPaths, MethodNotAllowed);
  server->Patch(kOurPaths, MethodNotAllowed);
  server->Delete(kOurPaths, MethodNotAllowed);

  errno = 0;
  int bound = -1;
  if (options_.port == 0) {
    bound = server->bind_to_any_port(options_.bind_address);
  } else if (server->bind_to_port(options_.bind_address, options_.port)) {
    bound = options_.port;
  }
  if (bound <= 0) {
    const int error = errno;
    std::string message = absl::StrCat("cannot listen on ", HostPort(options_.bind_address, options_.port));
    if (error != 0)
      absl::StrAppend(&message, ": ", std::error_code(error, std::generic_category()).message());
    return absl::UnavailableError(message);
  }

  auto finished = std::make_shared<std::atomic<bool>>(false);
  httplib::Server* raw = server.get();
  thread_ = std::thread([raw, finished] {
    raw->listen_after_bind();
    finished->store(true);
  });
  // Wait until the accept loop runs, so that Stop() right after Start() cannot miss it.
  while (!raw->is_running() && !finished->load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!raw->is_running()) {
    thread_.join();
    return absl::UnavailableError(
        absl::StrCat("the server on ", HostPort(options_.bind_address, bound), " stopped at once"));
  }
  server_ = std::move(server);
  port_ = bound;
  LogInfo("HTTP endpoint listening", {{"address", HostPort(options_.bind_address, bound)},
                                      {"events_api", SigningSecret().empty() ? "off" : "on"}});
  return bound;
}

void ServiceHttp::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  port_ = 0;
}

void ServiceHttp::CountEvent(const std::string& result) {
  metrics_->Increment(kMetricEventsReceivedTotal, {{"source", "events_api"}, {"result", result}});
}

void ServiceHttp::SetSigningSecret(std::string secret) {
  std::lock_guard<std::mutex> lock(secret_mutex_);
  signing_secret_ = std::move(secret);
}

std::string ServiceHttp::SigningSecret() const {
  std::lock_guard<std::mutex> lock(secret_mutex_);
  return signing_secret_;
}

void ServiceHttp::HandleEvents(const httplib::Request& request, httplib::Response& response) {
  const std::string signing_secret = SigningSecret();
  if (signing_secret.empty()) {
    CountEvent("not_configured");
    response.status = 404;
    response.set_content("the Events API is not enabled (no signing secret is configured)\n", kTextPlain);
    return;
  }
  EventsApiRequest delivery;
  delivery.method = request.method;
  delivery.content_type = request.get_header_value("Content-Type");
  delivery.request_timestamp = request.get_header_value("X-Slack-Request-Timestamp");
  delivery.signature = request.get_header_value("X-Slack-Signature");
  delivery.retry_num = request.get_header_value("X-Slack-Retry-Num");
  delivery.retry_reason = request.get_header_value("X-Slack-Retry-Reason");
  delivery.body = request.body;
  const absl::Time now = clock_->Now();
  EventsApiResult result =
      HandleEventsApiRequest(delivery, signing_secret, now, options_.max_body_bytes);

  if (!result.envelope.has_value()) {
    if (result.http_status != 200) {
      LogWarn("refused a Slack Events API request", {{"status", std::to_string(result.http_status)},
                                                     {"reason", result.body},
                                                     {"peer", request.remote_addr}});
    }
    CountEvent(result.result);
    response.status = result.http_status;
    response.set_content(result.body, result.content_type);
    return;
  }

  const std::string event_id = result.event_id;
  const LogFields fields = {{"event_id", event_id},
                            {"retry_num", std::to_string(result.retry_num)},
                            {"retry_reason", result.retry_reason}};
  if (!recent_ids_->FirstSeen(event_id, now)) {
    LogInfo("Slack redelivered an event already received; acknowledged and dropped", fields);
    CountEvent("duplicate");
    response.status = 200;
    return;
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
      response.status = 500;
      response.set_content("could not queue the event\n", kTextPlain);
      return;
    }
  }
  LogDebug("Slack event received", fields);
  CountEvent("event");
  response.status = 200;
}

void ServiceHttp::HandleHealth(httplib::Response& response) {
  absl::Status alive = absl::OkStatus();
  if (handlers_.liveness) {
    try {
      alive = handlers_.liveness();
    } catch (const std::exception& error) {
      alive = absl::InternalError(error.what());
    }
  }
  if (alive.ok()) {
    response.status = 200;
    response.set_content("ok\n", kTextPlain);
  } else {
    response.status = 503;
    response.set_content(absl::StrCat("FAIL: ", OneLine(ToStd(alive.message())), "\n"), kTextPlain);
  }
}

void ServiceHttp::HandleReady(httplib::Response& response) {
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
  response.status = report.ok() ? 200 : 503;
  response.set_content(text, kTextPlain);
}

void ServiceHttp::HandleMetrics(httplib::Response& response) {
  response.status = 200;
  response.set_content(handlers_.metrics_text ? handlers_.metrics_text() : metrics_->Render(),
                       kPrometheusTextContentType);
}

}  // namespace creditbot
