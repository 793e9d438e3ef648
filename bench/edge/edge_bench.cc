// edge_bench: the loopback harness for issue 21 points 1 and 2 ("hold the edge"). It starts an HTTP
// endpoint in a child process on 127.0.0.1 (a free port) and measures, from the parent:
//
//   slow   N connections (default 1,000) each send the start of a request and then one header byte every
//          2 s; meanwhile signed Events API deliveries and /healthz checks are sent one after the other and
//          timed (p50, p99, max, failures: a 10 s client timeout).
//   flood  one connection (or --flood_connections in parallel) sends 50,000 header fields of 4 KB (205 MB)
//          each; the child's RSS (VmRSS) before and after, and its peak (VmHWM).
//
// --server=new is ServiceHttp as `serve` runs it (HttpFront). --server=old is the endpoint before issue 21:
// cpp-httplib's Server set up exactly as the old ServiceHttp::Start did (4 request threads, keep-alive 1 s,
// body limit, SO_REUSEADDR) routing to the same Events API logic, kept here only to show the "before".
//
// Bounded: at most --slow connections, --deliveries requests (each with a 10 s timeout) and a wall-clock
// budget of --budget seconds for the request loop; only 127.0.0.1 is ever used. Usage:
//   edge_bench [--server=new|old] [--phase=slow|flood|both] [--slow=1000] [--deliveries=200]
//              [--flood_headers=50000] [--flood_header_bytes=4096] [--flood_connections=1 (≤ 8)]
//              [--budget=60]
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bot/service_http.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "slack/events_api.h"

namespace {

using creditbot::ComputeSlackSignature;

constexpr char kSecret[] = "8f742231b10e8888abcd99yyyzzz85a5";  // Slack's published test secret

struct Args {
  std::string server = "new";
  std::string phase = "both";
  int slow = 1000;
  int deliveries = 200;
  int flood_headers = 50000;
  int flood_header_bytes = 4096;
  int flood_connections = 1;
  int budget = 60;
};

Args ParseArgs(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&](const char* name) -> const char* {
      const std::string prefix = absl::StrCat("--", name, "=");
      return arg.rfind(prefix, 0) == 0 ? argv[i] + prefix.size() : nullptr;
    };
    if (const char* v = value("server"))
      args.server = v;
    else if (const char* v = value("phase"))
      args.phase = v;
    else if (const char* v = value("slow"))
      args.slow = std::clamp(std::atoi(v), 0, 5000);
    else if (const char* v = value("deliveries"))
      args.deliveries = std::clamp(std::atoi(v), 1, 10000);
    else if (const char* v = value("flood_headers"))
      args.flood_headers = std::clamp(std::atoi(v), 1, 100000);
    else if (const char* v = value("flood_header_bytes"))
      args.flood_header_bytes = std::clamp(std::atoi(v), 1, 65536);
    else if (const char* v = value("flood_connections"))
      args.flood_connections = std::clamp(std::atoi(v), 1, 8);
    else if (const char* v = value("budget"))
      args.budget = std::clamp(std::atoi(v), 1, 600);
    else {
      std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
      std::exit(2);
    }
  }
  return args;
}

// The old endpoint: cpp-httplib set up as ServiceHttp::Start did before issue 21.
int RunOldServer(int port_pipe) {
  static creditbot::Metrics metrics;
  static creditbot::RecentIds recent;
  httplib::Server server;
  server.new_task_queue = [] { return new httplib::ThreadPool(4); };
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server.set_keep_alive_timeout(1);
  server.set_payload_max_length(creditbot::kDefaultEventsApiMaxBodyBytes + 1);
  server.Post("/slack/events", [](const httplib::Request& request, httplib::Response& response) {
    creditbot::EventsApiRequest delivery;
    delivery.method = request.method;
    delivery.content_type = request.get_header_value("Content-Type");
    delivery.request_timestamp = request.get_header_value("X-Slack-Request-Timestamp");
    delivery.signature = request.get_header_value("X-Slack-Signature");
    delivery.body = request.body;
    creditbot::EventsApiResult result = creditbot::HandleEventsApiRequest(
        delivery, kSecret, absl::Now(), creditbot::kDefaultEventsApiMaxBodyBytes);
    if (result.envelope.has_value()) recent.FirstSeen(result.event_id, absl::Now());
    response.status = result.http_status;
    response.set_content(result.body, result.content_type);
  });
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("ok\n", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (write(port_pipe, &port, sizeof(port)) != sizeof(port)) return 1;
  server.listen_after_bind();
  return 0;
}

int RunNewServer(int port_pipe) {
  static creditbot::Metrics metrics;
  creditbot::DefineCreditbotMetrics(metrics);
  creditbot::ServiceHttpOptions options;
  options.port = 0;
  options.signing_secret = kSecret;
  options.metrics = &metrics;
  creditbot::ServiceHttp server(options, {});
  const absl::StatusOr<int> port = server.Start();
  const int bound = port.ok() ? *port : -1;
  if (write(port_pipe, &bound, sizeof(bound)) != sizeof(bound)) return 1;
  while (true) pause();
}

long ReadStatusKb(pid_t pid, const std::string& field) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

// A non-blocking connect to 127.0.0.1:port, given up after `timeout_ms`; -1 on failure.
int Connect(int port, int timeout_ms) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  pollfd p{fd, POLLOUT, 0};
  int error = 0;
  socklen_t length = sizeof(error);
  if (poll(&p, 1, timeout_ms) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 ||
      error != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// One request on a fresh connection (Connection: close); the status code, or -1 on a failure or after
// 10 s. A raw socket rather than httplib::Client, whose Debian build this harness cannot rely on.
int Request(int port, const std::string& method, const std::string& path,
            const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) {
  const int fd = Connect(port, 10000);
  if (fd < 0) return -1;
  const int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  std::string request =
      absl::StrCat(method, " ", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
  for (const auto& [name, value] : headers) absl::StrAppend(&request, name, ": ", value, "\r\n");
  absl::StrAppend(&request, "Content-Length: ", body.size(), "\r\n\r\n", body);
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return -1;
  }
  std::string answer;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) answer.append(buffer, static_cast<std::size_t>(n));
  close(fd);
  if (answer.rfind("HTTP/1.1 ", 0) != 0 || answer.size() < 12) return -1;
  return std::atoi(answer.c_str() + 9);
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

void SlowPhase(const Args& args, int port) {
  std::vector<int> slow;
  for (int i = 0; i < args.slow; ++i) {
    const int fd = Connect(port, 200);
    if (fd < 0) continue;
    (void)send(fd, "POST /slack/events HTTP/1.1\r\nX", 30, MSG_NOSIGNAL);
    slow.push_back(fd);
  }
  std::atomic<bool> done{false};
  std::thread dripper([&] {
    while (!done.load()) {
      for (int fd : slow) (void)send(fd, "x", 1, MSG_NOSIGNAL);
      for (int i = 0; i < 20 && !done.load(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::vector<double> delivery_ms, health_ms;
  int failures = 0, sent = 0;
  const auto budget_end = std::chrono::steady_clock::now() + std::chrono::seconds(args.budget);
  for (int i = 0; i < args.deliveries && std::chrono::steady_clock::now() < budget_end; ++i) {
    const std::string body = absl::StrCat(
        R"({"type":"event_callback","event_id":"EvBench)", i,
        R"(","event":{"type":"app_mention","text":"hi","channel":"C1","ts":"1.1"},"team_id":"T1"})");
    const std::string ts = std::to_string(absl::ToUnixSeconds(absl::Now()));
    auto started = std::chrono::steady_clock::now();
    const int status = Request(port, "POST", "/slack/events",
                               {{"Content-Type", "application/json"},
                                {"X-Slack-Request-Timestamp", ts},
                                {"X-Slack-Signature", ComputeSlackSignature(kSecret, ts, body)}},
                               body);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    ++sent;
    if (status != 200) ++failures;
    delivery_ms.push_back(ms);
    started = std::chrono::steady_clock::now();
    const int health = Request(port, "GET", "/healthz", {}, "");
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    if (health != 200) ++failures;
    health_ms.push_back(ms);
  }
  done = true;
  dripper.join();
  for (int fd : slow) close(fd);
  std::printf("slow[%s]: %zu of %d slow connections open; %d deliveries + %d health checks, %d failed\n",
              args.server.c_str(), slow.size(), args.slow, sent, sent, failures);
  std::printf(
      "slow[%s]: signed delivery ms p50 %.1f p99 %.1f max %.1f; /healthz ms p50 %.1f p99 %.1f max %.1f\n",
      args.server.c_str(), Percentile(delivery_ms, 0.5), Percentile(delivery_ms, 0.99),
      Percentile(delivery_ms, 1.0), Percentile(health_ms, 0.5), Percentile(health_ms, 0.99),
      Percentile(health_ms, 1.0));
}

// One flooding connection: the status line of the answer ("(no answer)" if none) and the bytes sent.
std::pair<std::string, std::size_t> FloodOnce(const Args& args, int port) {
  const int fd = Connect(port, 2000);
  if (fd < 0) return {"(cannot connect)", 0};
  timeval timeout{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  const int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  std::string chunk;
  const std::string value(static_cast<std::size_t>(args.flood_header_bytes), 'v');
  bool refused = false;
  std::size_t sent_bytes = 0;
  std::string start = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  (void)send(fd, start.data(), start.size(), MSG_NOSIGNAL);
  for (int i = 0; i < args.flood_headers && !refused; ++i) {
    chunk = absl::StrCat("X-Flood-", i, ": ", value, "\r\n");
    std::size_t at = 0;
    while (at < chunk.size()) {
      const ssize_t n = send(fd, chunk.data() + at, chunk.size() - at, MSG_NOSIGNAL);
      if (n <= 0) {
        refused = true;
        break;
      }
      at += static_cast<std::size_t>(n);
    }
    sent_bytes += at;
  }
  if (!refused) (void)send(fd, "\r\n", 2, MSG_NOSIGNAL);
  char answer[256] = {};
  const ssize_t got = recv(fd, answer, sizeof(answer) - 1, 0);
  close(fd);
  std::string status_line = got > 0 ? std::string(answer, static_cast<std::size_t>(got)) : "(no answer)";
  return {status_line.substr(0, status_line.find('\r')), sent_bytes};
}

void FloodPhase(const Args& args, int port, pid_t child) {
  const long before = ReadStatusKb(child, "VmRSS");
  std::vector<std::pair<std::string, std::size_t>> results(static_cast<std::size_t>(args.flood_connections));
  std::vector<std::thread> floods;
  for (std::size_t i = 0; i < results.size(); ++i) {
    floods.emplace_back([&, i] { results[i] = FloodOnce(args, port); });
  }
  for (std::thread& flood : floods) flood.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const long after = ReadStatusKb(child, "VmRSS");
  const long peak = ReadStatusKb(child, "VmHWM");
  double sent_mb = 0;
  for (const auto& result : results) sent_mb += static_cast<double>(result.second) / 1e6;
  std::printf("flood[%s]: %d connection(s) sent %.1f MB of headers; first answer: %s\n", args.server.c_str(),
              args.flood_connections, sent_mb, results.empty() ? "" : results[0].first.c_str());
  std::printf("flood[%s]: server RSS before %.1f MB, after %.1f MB, peak %.1f MB\n", args.server.c_str(),
              static_cast<double>(before) / 1024, static_cast<double>(after) / 1024,
              static_cast<double>(peak) / 1024);
}

int RunPhase(const Args& args, const std::string& phase) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) return 1;
  const pid_t child = fork();
  if (child == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the harness
    close(pipe_fds[0]);
    std::_Exit(args.server == "old" ? RunOldServer(pipe_fds[1]) : RunNewServer(pipe_fds[1]));
  }
  close(pipe_fds[1]);
  int port = -1;
  if (read(pipe_fds[0], &port, sizeof(port)) != sizeof(port) || port <= 0) {
    std::fprintf(stderr, "the server did not start\n");
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return 1;
  }
  close(pipe_fds[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  if (phase == "slow") SlowPhase(args, port);
  if (phase == "flood") FloodPhase(args, port, child);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, nullptr, _IOLBF, 0);
  const Args args = ParseArgs(argc, argv);
  if (args.server != "new" && args.server != "old") {
    std::fprintf(stderr, "--server must be new or old\n");
    return 2;
  }
  int rc = 0;
  if (args.phase == "slow" || args.phase == "both") rc |= RunPhase(args, "slow");
  if (args.phase == "flood" || args.phase == "both") rc |= RunPhase(args, "flood");
  return rc;
}
