// FakeSocketModeServer: Boost.Beast websocket server on loopback, one io_context on one thread. Each
// accepted connection is a ServerConnection with a read loop and a one-at-a-time write queue; public
// calls post their work onto the server thread and read the recorded state under a mutex.
#include "tests/fake_socket_mode_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

std::string TicketOf(const std::string& target) {
  const std::size_t start = target.find("ticket=");
  if (start == std::string::npos) return "";
  const std::size_t value = start + 7;
  return target.substr(value, target.find('&', value) - value);
}

}  // namespace

class ServerConnection;

struct FakeSocketModeServer::State {
  // Declared first: destroyed last, after everything that uses it.
  net::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  int port = 0;

  // Server thread only.
  std::vector<std::shared_ptr<ServerConnection>> connections;

  // Shared with the test thread.
  mutable std::mutex mutex;
  int accepted = 0;
  int open = 0;
  bool silent = false;
  std::optional<int> approximate_connection_time;
  int next_ticket = 0;
  int next_envelope = 0;
  std::vector<std::string> acks;
  std::vector<std::string> received;
  std::vector<std::string> tickets;

  void Accept();
  void Broadcast(std::string text);
  std::string Hello() const;
};

class ServerConnection : public std::enable_shared_from_this<ServerConnection> {
 public:
  ServerConnection(tcp::socket socket, FakeSocketModeServer::State* state)
      : ws_(std::move(socket)), state_(state) {}

  void Start() {
    http::async_read(ws_.next_layer(), buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRequest(ec); });
  }

  // Accepted, not closed, not silenced: gets broadcasts.
  bool open() const { return open_ && !silenced_; }

  void Queue(std::string text) {
    if (!open_) return;
    outgoing_.push_back(std::move(text));
    if (!writing_) WriteNext();
  }

  // Stops reading for good, socket left open: no pong, no ack recorded.
  void Silence() {
    if (!open()) return;
    silenced_ = true;
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      --state_->open;
    }
    beast::get_lowest_layer(ws_).cancel();
  }

  void Drop() {
    beast::error_code ignored;
    tcp::socket& socket = beast::get_lowest_layer(ws_).socket();
    socket.set_option(net::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    MarkClosed();
  }

 private:
  void OnRequest(beast::error_code ec) {
    if (ec) return Drop();  // not HTTP (e.g. a TLS hello): hang up, as a real server does
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.async_accept(request_,
                     [self = shared_from_this()](beast::error_code accept_ec) { self->OnAccept(accept_ec); });
  }

  void OnAccept(beast::error_code ec) {
    if (ec) return Drop();
    {
      // One critical section, so OpenConnections() never counts a connection that goes silent.
      std::lock_guard<std::mutex> lock(state_->mutex);
      ++state_->accepted;
      state_->tickets.push_back(TicketOf(std::string(request_.target())));
      silenced_ = state_->silent;  // silent: reads never start; the hello still goes out
      if (!silenced_) ++state_->open;
    }
    open_ = true;
    Queue(state_->Hello());
    if (!silenced_) Read();
  }

  void Read() {
    ws_.async_read(buffer_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      MarkClosed();
      return;
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->received.push_back(text);
      nlohmann::json frame = nlohmann::json::parse(text, nullptr, false);
      if (frame.is_object() && frame.contains("envelope_id") && frame["envelope_id"].is_string()) {
        state_->acks.push_back(frame["envelope_id"].get<std::string>());
      }
    }
    if (open()) Read();
  }

  void WriteNext() {
    if (outgoing_.empty()) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(outgoing_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    writing_ = false;
    if (ec) {
      MarkClosed();
      return;
    }
    outgoing_.pop_front();
    if (open()) WriteNext();
  }

  void MarkClosed() {
    if (!open_) return;
    open_ = false;
    if (silenced_) return;  // already not counted as open
    std::lock_guard<std::mutex> lock(state_->mutex);
    --state_->open;
  }

  websocket::stream<beast::tcp_stream> ws_;
  FakeSocketModeServer::State* state_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::deque<std::string> outgoing_;
  bool writing_ = false;
  bool open_ = false;
  bool silenced_ = false;
};

void FakeSocketModeServer::State::Accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // the acceptor was closed
    auto connection = std::make_shared<ServerConnection>(std::move(socket), this);
    connections.push_back(connection);
    connection->Start();
    Accept();
  });
}

void FakeSocketModeServer::State::Broadcast(std::string text) {
  for (const auto& connection : connections) {
    if (connection->open()) connection->Queue(text);
  }
}

std::string FakeSocketModeServer::State::Hello() const {
  nlohmann::json hello = nlohmann::json::parse(Fixture("hello.python-sdk-mock.json"));
  std::lock_guard<std::mutex> lock(mutex);
  if (approximate_connection_time) {
    hello["debug_info"]["approximate_connection_time"] = *approximate_connection_time;
  }
  return hello.dump();
}

FakeSocketModeServer::FakeSocketModeServer() : state_(std::make_shared<State>()) {
  beast::error_code ec;
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state_->acceptor.bind(endpoint, ec);
  if (!ec) state_->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::fprintf(stderr, "FakeSocketModeServer: cannot listen on 127.0.0.1: %s\n", ec.message().c_str());
    std::abort();
  }
  state_->port = state_->acceptor.local_endpoint().port();
  state_->Accept();
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

FakeSocketModeServer::~FakeSocketModeServer() {
  State* state = state_.get();
  net::post(state->io, [state] {
    beast::error_code ignored;
    state->acceptor.close(ignored);
    for (const auto& connection : state->connections) connection->Drop();
    state->io.stop();
  });
  state->thread.join();
  state->connections.clear();
}

std::string FakeSocketModeServer::url() {
  int ticket = 0;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    ticket = ++state_->next_ticket;
  }
  return absl::StrCat("ws://127.0.0.1:", state_->port, "/link/?ticket=fake-ticket-", ticket, "&app_id=A111");
}

int FakeSocketModeServer::port() const { return state_->port; }

std::string FakeSocketModeServer::Fixture(const std::string& name) {
  return testing::ReadFixture("slack/socket_mode/" + name);
}

void FakeSocketModeServer::SetApproximateConnectionTime(int seconds) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->approximate_connection_time = seconds;
}

void FakeSocketModeServer::Send(const nlohmann::json& frame) { SendText(frame.dump()); }

void FakeSocketModeServer::SendText(const std::string& text) {
  State* state = state_.get();
  net::post(state->io, [state, text] { state->Broadcast(text); });
}

std::string FakeSocketModeServer::SendEvent(const nlohmann::json& event_callback) {
  nlohmann::json envelope =
      nlohmann::json::parse(Fixture("envelope.events_api.message.python-sdk-mock.json"));
  int number = 0;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    number = ++state_->next_envelope;
  }
  const std::string envelope_id = absl::StrCat("fake-envelope-", number);
  envelope["envelope_id"] = envelope_id;
  envelope["payload"] = event_callback;
  Send(envelope);
  return envelope_id;
}

void FakeSocketModeServer::Disconnect(const std::string& reason) {
  Send({{"type", "disconnect"}, {"reason", reason}, {"debug_info", {{"host", "applink-fake"}}}});
}

void FakeSocketModeServer::DropConnection() {
  State* state = state_.get();
  net::post(state->io, [state] {
    for (const auto& connection : state->connections) {
      if (connection->open()) connection->Drop();
    }
  });
}

void FakeSocketModeServer::StopAnsweringPings(bool stop) {
  State* state = state_.get();
  {
    std::lock_guard<std::mutex> lock(state->mutex);
    state->silent = stop;
  }
  if (!stop) return;
  net::post(state->io, [state] {
    for (const auto& connection : state->connections) connection->Silence();
  });
}

int FakeSocketModeServer::Connections() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->accepted;
}

int FakeSocketModeServer::OpenConnections() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->open;
}

std::vector<std::string> FakeSocketModeServer::Acks() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->acks;
}

std::vector<std::string> FakeSocketModeServer::Received() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->received;
}

std::vector<std::string> FakeSocketModeServer::Tickets() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->tickets;
}

bool FakeSocketModeServer::WaitFor(const std::function<bool()>& predicate, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
}

}  // namespace creditbot::testing
