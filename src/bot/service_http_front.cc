// The poll() loop and handler pool behind ServiceHttp; see service_http_front.h.
#include "bot/service_http_front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <system_error>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

SteadyTime SteadyNow() { return std::chrono::steady_clock::now(); }

std::chrono::steady_clock::duration ToSteady(absl::Duration duration) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(absl::ToChronoNanoseconds(duration));
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

std::string Serialize(const HttpFrontResponse& response, bool close) {
  std::string out =
      absl::StrCat("HTTP/1.1 ", response.status, " ", ToAbsl(ReasonPhrase(response.status)), "\r\n");
  if (!response.content_type.empty()) absl::StrAppend(&out, "Content-Type: ", response.content_type, "\r\n");
  for (const auto& [name, value] : response.headers) absl::StrAppend(&out, name, ": ", value, "\r\n");
  absl::StrAppend(&out, "Content-Length: ", response.body.size(), "\r\n");
  if (close) absl::StrAppend(&out, "Connection: close\r\n");
  absl::StrAppend(&out, "\r\n", response.body);
  return out;
}

std::string PeerAddress(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text, sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text, sizeof(text));
  }
  return text;
}

std::string HostPort(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

// Raises the soft RLIMIT_NOFILE towards the hard limit (at most `wanted`); returns the soft limit after.
rlim_t RaiseOpenFileLimit(rlim_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < wanted && limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = std::min(wanted, limit.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return raised.rlim_cur;
  }
  return limit.rlim_cur;
}

enum class Phase { kHeaders, kBody, kHandling, kWriting, kLingering };

struct Connection {
  std::uint64_t id = 0;
  int fd = -1;
  std::string peer;
  Phase phase = Phase::kHeaders;
  SteadyTime deadline;
  std::string in;                          // bytes read and not yet consumed
  HttpRequestHead head{HttpHeadLimits{}};  // kHeaders: the head being read (limits set on accept)
  std::size_t header_end = 0;              // kBody: where the body starts in `in`
  std::size_t content_length = 0;
  std::size_t reserved_body = 0;  // counted in Loop::buffered_body_bytes
  bool keep_alive = true;
  HttpFrontRequest request;
  std::string out;  // kWriting: the answer
  std::size_t out_sent = 0;
  bool close_after = false;
};

struct Job {
  std::uint64_t id;
  HttpFrontRequest request;
  bool keep_alive;
};

struct Done {
  std::uint64_t id;
  std::string bytes;
  bool close;
};

}  // namespace

struct HttpFront::Loop {
  HttpFront* owner = nullptr;
  int listen_fd = -1;
  int wake_read = -1;
  int wake_write = -1;
  std::size_t max_connections = 0;
  std::thread poll_thread;
  std::vector<std::thread> handlers;
  std::atomic<bool> stopping{false};

  std::map<std::uint64_t, std::unique_ptr<Connection>> connections;  // poll thread only
  std::uint64_t next_id = 1;
  std::size_t buffered_body_bytes = 0;  // poll thread only

  std::mutex mutex;  // guards jobs, done, handlers_stop
  std::condition_variable jobs_ready;
  std::deque<Job> jobs;
  std::deque<Done> done;
  bool handlers_stop = false;

  const HttpFrontLimits& limits() const { return owner->limits_; }

  void Wake() const {
    const char byte = 1;
    [[maybe_unused]] const ssize_t ignored = write(wake_write, &byte, 1);
  }

  void RunHandlers() {
    while (true) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        jobs_ready.wait(lock, [this] { return handlers_stop || !jobs.empty(); });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      HttpFrontResponse response;
      try {
        response = owner->handler_(job.request);
      } catch (...) {
        response = HttpFrontResponse{500, "text/plain; charset=utf-8", {}, "internal error\n"};
      }
      Done answer{job.id, Serialize(response, !job.keep_alive), !job.keep_alive};
      {
        std::lock_guard<std::mutex> lock(mutex);
        done.push_back(std::move(answer));
      }
      Wake();
    }
  }

  void Close(std::uint64_t id) {
    auto it = connections.find(id);
    if (it == connections.end()) return;
    buffered_body_bytes -= it->second->reserved_body;
    close(it->second->fd);
    connections.erase(it);
    owner->open_connections_.store(connections.size());
  }

  // Answers `status` with a one-line `reason` and closes the connection afterwards.
  void Refuse(Connection& connection, int status, const std::string& reason,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
    // A head still being read holds the path (once its request line was read) in the parser.
    const std::string& path =
        connection.request.path.empty() ? connection.head.request().path : connection.request.path;
    if (owner->on_refused_) owner->on_refused_(status, reason, path, connection.peer);
    HttpFrontResponse response{status, "text/plain; charset=utf-8", std::move(headers), reason};
    StartWriting(connection, Serialize(response, true), true);
  }

  void StartWriting(Connection& connection, std::string bytes, bool close) {
    buffered_body_bytes -= connection.reserved_body;
    connection.reserved_body = 0;
    connection.phase = Phase::kWriting;
    connection.out = std::move(bytes);
    connection.out_sent = 0;
    connection.close_after = close;
    connection.deadline = SteadyNow() + ToSteady(limits().write_deadline);
    Write(connection);
  }

  // Writes what the socket takes; on the last byte, lingers (closing) or reads the next request.
  void Write(Connection& connection) {
    while (connection.out_sent < connection.out.size()) {
      const ssize_t sent = send(connection.fd, connection.out.data() + connection.out_sent,
                                connection.out.size() - connection.out_sent, MSG_NOSIGNAL);
      if (sent > 0) {
        connection.out_sent += static_cast<std::size_t>(sent);
        continue;
      }
      if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (sent < 0 && errno == EINTR) continue;
      Close(connection.id);
      return;
    }
    connection.out.clear();
    connection.out.shrink_to_fit();
    if (connection.close_after) {
      shutdown(connection.fd, SHUT_WR);
      connection.phase = Phase::kLingering;
      connection.in.clear();
      connection.in.shrink_to_fit();
      connection.deadline = SteadyNow() + ToSteady(limits().linger);
      return;
    }
    StartNextRequest(connection);
  }

  void StartNextRequest(Connection& connection) {
    connection.phase = Phase::kHeaders;
    connection.request = HttpFrontRequest{};
    connection.request.peer = connection.peer;
    connection.head = HttpRequestHead(HeadLimits());
    connection.header_end = 0;
    connection.content_length = 0;
    connection.deadline = SteadyNow() + ToSteady(limits().header_deadline);
    if (!connection.in.empty()) Parse(connection);  // a pipelined request
  }

  // Reads what is available (at most a fair share per wake-up) and parses it.
  void Read(Connection& connection) {
    char buffer[16 * 1024];
    std::size_t budget = std::size_t{64} * 1024;
    while (budget > 0) {
      std::size_t want = std::min(sizeof(buffer), budget);
      if (connection.phase == Phase::kHeaders) {
        // Never hold more than the header limit (+1 to see it exceeded) while headers are read.
        const std::size_t room = limits().max_header_bytes + 1;
        if (connection.in.size() >= room) break;
        want = std::min(want, room - connection.in.size());
      }
      const ssize_t got = recv(connection.fd, buffer, want, 0);
      if (got == 0) {  // the client closed (or half-closed) its side
        Close(connection.id);
        return;
      }
      if (got < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        Close(connection.id);
        return;
      }
      budget -= static_cast<std::size_t>(got);
      if (connection.phase == Phase::kLingering) continue;  // dropped
      connection.in.append(buffer, static_cast<std::size_t>(got));
      if (connection.phase == Phase::kHeaders || connection.phase == Phase::kBody) {
        const std::uint64_t id = connection.id;
        Parse(connection);
        if (connections.count(id) == 0) return;
        if (connection.phase != Phase::kHeaders && connection.phase != Phase::kBody) return;
      }
    }
  }

  // Advances the parse of connection.in: headers, then the body, then hands the request on.
  void Parse(Connection& connection) {
    if (connection.phase == Phase::kHeaders && !ParseHeaders(connection)) return;
    if (connection.phase != Phase::kBody) return;
    if (connection.in.size() - connection.header_end < connection.content_length) return;
    connection.request.body = connection.in.substr(connection.header_end, connection.content_length);
    connection.in.erase(0, connection.header_end + connection.content_length);
    connection.phase = Phase::kHandling;
    {
      std::lock_guard<std::mutex> lock(mutex);
      jobs.push_back(Job{connection.id, connection.request, connection.keep_alive});
    }
    jobs_ready.notify_one();
  }

  HttpHeadLimits HeadLimits() const {
    return HttpHeadLimits{limits().max_header_count, limits().max_header_bytes, limits().max_body_bytes};
  }

  // Reads the head; true once it is complete and the request is in kBody. A refused head is answered.
  bool ParseHeaders(Connection& connection) {
    const HttpRequestHead::State state = connection.head.Parse(connection.in);
    if (state == HttpRequestHead::State::kNeedMore) return false;
    connection.request = connection.head.TakeRequest();
    connection.request.peer = connection.peer;
    if (state == HttpRequestHead::State::kRefused) {
      Refuse(connection, connection.head.refusal_status(), connection.head.refusal_reason());
      return false;
    }
    connection.keep_alive = connection.head.keep_alive();
    connection.header_end = connection.head.body_start();
    connection.content_length = connection.head.content_length();
    if (buffered_body_bytes + connection.content_length > limits().max_buffered_body_bytes) {
      Refuse(connection, 503, "too many request bodies in flight; retry shortly", {{"Retry-After", "1"}});
      return false;
    }
    connection.reserved_body = connection.content_length;
    buffered_body_bytes += connection.reserved_body;
    connection.phase = Phase::kBody;
    connection.deadline = SteadyNow() + ToSteady(limits().body_deadline);
    if (connection.content_length > connection.in.size() - connection.header_end &&
        connection.head.expects_continue()) {
      static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      [[maybe_unused]] const ssize_t ignored =
          send(connection.fd, kContinue, sizeof(kContinue) - 1, MSG_NOSIGNAL);
    }
    return true;
  }

  void Accept() {
    for (int i = 0; i < 64 && connections.size() < max_connections; ++i) {
      sockaddr_storage address{};
      socklen_t length = sizeof(address);
      const int fd =
          accept4(listen_fd, reinterpret_cast<sockaddr*>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or a transient error (EMFILE, ECONNABORTED): retried on the next poll
      auto connection = std::make_unique<Connection>();
      connection->id = next_id++;
      connection->fd = fd;
      connection->peer = PeerAddress(address);
      connection->request.peer = connection->peer;
      connection->head = HttpRequestHead(HeadLimits());
      connection->deadline = SteadyNow() + ToSteady(limits().header_deadline);
      connections.emplace(connection->id, std::move(connection));
    }
    owner->open_connections_.store(connections.size());
  }

  void CollectAnswers() {
    char drain[256];
    while (read(wake_read, drain, sizeof(drain)) > 0) {
    }
    std::deque<Done> answers;
    {
      std::lock_guard<std::mutex> lock(mutex);
      answers.swap(done);
    }
    for (Done& answer : answers) {
      auto it = connections.find(answer.id);
      if (it == connections.end()) continue;
      StartWriting(*it->second, std::move(answer.bytes), answer.close);
    }
  }

  void Expire(SteadyTime now) {
    std::vector<std::uint64_t> expired;
    for (const auto& [id, connection] : connections) {
      if (connection->phase != Phase::kHandling && connection->deadline <= now) expired.push_back(id);
    }
    for (const std::uint64_t id : expired) {
      auto it = connections.find(id);
      if (it == connections.end()) continue;
      Connection& connection = *it->second;
      const bool idle = connection.phase == Phase::kHeaders && connection.in.empty();
      if (idle || (connection.phase != Phase::kHeaders && connection.phase != Phase::kBody)) {
        Close(id);  // idle (nothing to answer), or an answer or linger that ran out of time
        continue;
      }
      const bool headers = connection.phase == Phase::kHeaders;
      Refuse(connection, 408,
             absl::StrCat("the request ", headers ? "headers" : "body", " did not arrive within ",
                          absl::FormatDuration(headers ? limits().header_deadline : limits().body_deadline)));
    }
  }

  bool Busy() const {
    for (const auto& [id, connection] : connections) {
      if (connection->phase == Phase::kHandling || connection->phase == Phase::kWriting) return true;
    }
    return false;
  }

  void Run() {
    SteadyTime next_tick = SteadyNow() + std::chrono::seconds(1);
    SteadyTime stop_by{};
    std::vector<pollfd> fds;
    std::vector<std::uint64_t> ids;
    while (true) {
      if (stopping.load()) {
        if (stop_by == SteadyTime{}) {
          stop_by = SteadyNow() + ToSteady(limits().write_deadline);
          close(listen_fd);
          listen_fd = -1;
        }
        std::vector<std::uint64_t> idle;
        for (const auto& [id, connection] : connections) {
          if (connection->phase != Phase::kHandling && connection->phase != Phase::kWriting)
            idle.push_back(id);
        }
        for (const std::uint64_t id : idle) Close(id);
        if (!Busy() || SteadyNow() >= stop_by) break;
      }
      fds.clear();
      ids.clear();
      fds.push_back({wake_read, POLLIN, 0});
      ids.push_back(0);
      if (listen_fd >= 0 && connections.size() < max_connections) {
        fds.push_back({listen_fd, POLLIN, 0});
        ids.push_back(0);
      }
      SteadyTime wake_at = next_tick;
      for (const auto& [id, connection] : connections) {
        if (connection->phase == Phase::kHandling) continue;  // nothing to read or write until answered
        fds.push_back(
            {connection->fd, connection->phase == Phase::kWriting ? short{POLLOUT} : short{POLLIN}, 0});
        ids.push_back(id);
        wake_at = std::min(wake_at, connection->deadline);
      }
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake_at - SteadyNow()).count();
      const int ready =
          poll(fds.data(), fds.size(), static_cast<int>(std::clamp<std::int64_t>(wait + 1, 0, 1000)));
      if (ready < 0 && errno != EINTR) break;
      for (std::size_t i = 0; ready > 0 && i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        if (fds[i].fd == wake_read) {
          CollectAnswers();
        } else if (fds[i].fd == listen_fd && ids[i] == 0) {
          Accept();
        } else {
          auto it = connections.find(ids[i]);
          if (it == connections.end() || it->second->fd != fds[i].fd) continue;
          Connection& connection = *it->second;
          if (connection.phase == Phase::kWriting) {
            if ((fds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 && (fds[i].revents & POLLOUT) == 0) {
              Close(connection.id);
            } else {
              Write(connection);
            }
          } else if (connection.phase != Phase::kHandling) {
            Read(connection);
          }
        }
      }
      const SteadyTime now = SteadyNow();
      Expire(now);
      if (now >= next_tick) {
        next_tick = now + std::chrono::seconds(1);
        if (owner->on_tick_) owner->on_tick_();
      }
    }
    std::vector<std::uint64_t> all;
    for (const auto& [id, connection] : connections) all.push_back(id);
    for (const std::uint64_t id : all) Close(id);
  }
};

HttpFront::HttpFront(HttpFrontLimits limits, Handler handler, RefusalObserver on_refused,
                     std::function<void()> on_tick)
    : limits_(limits),
      handler_(std::move(handler)),
      on_refused_(std::move(on_refused)),
      on_tick_(std::move(on_tick)) {}

HttpFront::~HttpFront() { Stop(); }

absl::StatusOr<int> HttpFront::Start(const std::string& host, int port) {
  if (loop_ != nullptr) return absl::FailedPreconditionError("already started");
  if (port < 0 || port > 65535)
    return absl::InvalidArgumentError(absl::StrCat("port ", port, " is not in 0..65535"));
  if (limits_.handler_threads < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("threads must be at least 1, not ", limits_.handler_threads));
  }
  sockaddr_storage address{};
  socklen_t address_length = 0;
  if (host.find(':') != std::string::npos) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) != 1)
      return absl::InvalidArgumentError(absl::StrCat("'", host, "' is not a numeric IP address"));
    address_length = sizeof(sockaddr_in6);
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) != 1)
      return absl::InvalidArgumentError(absl::StrCat("'", host, "' is not a numeric IP address"));
    address_length = sizeof(sockaddr_in);
  }
  const auto fail = [&](int fd, int error) {
    if (fd >= 0) close(fd);
    std::string message = absl::StrCat("cannot listen on ", HostPort(host, port));
    if (error != 0)
      absl::StrAppend(&message, ": ", std::error_code(error, std::generic_category()).message());
    return absl::UnavailableError(message);
  };
  const int fd = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(-1, errno);
  // SO_REUSEADDR alone: a quick restart past TIME_WAIT works, a port in use is refused (no SO_REUSEPORT,
  // which would let a second process share Slack's deliveries).
  int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), address_length) != 0) return fail(fd, errno);
  if (listen(fd, limits_.backlog) != 0) return fail(fd, errno);
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof(bound);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length) != 0) return fail(fd, errno);
  const int bound_port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  int wake[2];
  if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0) return fail(fd, errno);

  auto loop = std::make_unique<Loop>();
  loop->owner = this;
  loop->listen_fd = fd;
  loop->wake_read = wake[0];
  loop->wake_write = wake[1];
  const rlim_t files = RaiseOpenFileLimit(8192);
  loop->max_connections =
      std::max<std::size_t>(1, std::min<std::size_t>(limits_.max_connections, files > 128 ? files - 64 : 64));
  Loop* raw = loop.get();
  for (int i = 0; i < limits_.handler_threads; ++i) raw->handlers.emplace_back([raw] { raw->RunHandlers(); });
  raw->poll_thread = std::thread([raw] { raw->Run(); });
  loop_ = std::move(loop);
  return bound_port;
}

void HttpFront::Stop() {
  if (loop_ == nullptr) return;
  loop_->stopping.store(true);
  loop_->Wake();
  loop_->poll_thread.join();
  {
    std::lock_guard<std::mutex> lock(loop_->mutex);
    loop_->handlers_stop = true;
    loop_->jobs.clear();  // their connections are closed
  }
  loop_->jobs_ready.notify_all();
  for (std::thread& thread : loop_->handlers) thread.join();
  if (loop_->listen_fd >= 0) close(loop_->listen_fd);
  close(loop_->wake_read);
  close(loop_->wake_write);
  loop_.reset();
  open_connections_.store(0);
}

}  // namespace creditbot
