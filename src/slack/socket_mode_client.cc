// SocketModeClient over Boost.Beast websockets (TLS through OpenSSL for wss). Each link runs on its own
// io_context on Run's thread; one Link object owns the websocket, a read loop, a one-at-a-time write queue
// (acks), the ping timer, the idle watchdog and the refresh timer. Stop() posts a close into the running
// link. See socket_mode_client.h for the contract.
#include "slack/socket_mode_client.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/backoff.h"
#include "common/json_fields.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/url.h"

namespace creditbot {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kMaxFrameBytes = std::size_t{8} * 1024 * 1024;  // Slack payloads are a few KiB
constexpr int kMaxQuickDisconnects = 3;  // reconnect at once this many times in a row
constexpr absl::Duration kMaxCloseWait = absl::Seconds(5);

// An integer member clamped to 0..1,000,000; 0 when missing or not an integer.
int JsonInt(const nlohmann::json& object, const char* key) {
  return static_cast<int>(std::clamp<std::int64_t>(JsonIntegerMember(object, key).value_or(0), 0, 1'000'000));
}

std::chrono::steady_clock::duration ToSteady(absl::Duration duration) {
  return std::chrono::duration_cast<SteadyClock::duration>(absl::ToChronoNanoseconds(duration));
}

// A TLS 1.2+ client context that verifies peers against `ca_bundle`, or the system store when it is empty.
// kFailedPrecondition when the certificates cannot be loaded.
absl::StatusOr<std::unique_ptr<net::ssl::context>> MakeTlsContext(const std::string& ca_bundle) {
  auto context = std::make_unique<net::ssl::context>(net::ssl::context::tls_client);
  context->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                       net::ssl::context::no_tlsv1_1);
  beast::error_code ec;
  if (ca_bundle.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(ca_bundle, ec);
  }
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat("socket mode: cannot load CA certificates from ",
                                                      ca_bundle.empty() ? "the system store" : ca_bundle,
                                                      ": ", ec.message()));
  }
  return context;
}

// How a link ended.
enum class Ending { kStopped, kDisconnect, kLinkDisabled, kRefresh, kFailed };

struct LinkOutcome {
  Ending ending = Ending::kFailed;
  std::string detail;  // never contains the URL's query
  bool got_hello = false;
  absl::Duration lifetime;  // from the websocket handshake to the end; zero when it never opened
};

// What a link reports back to the client while it runs (all on Run's thread).
struct LinkSink {
  std::function<void()> on_hello;
  SocketModeClient::OnEvent on_event;
  SocketModeClient::OnInteractive on_interactive;
};

using PlainWebsocket = websocket::stream<beast::tcp_stream>;
using TlsWebsocket = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

// One websocket link. Every member is touched only from the io_context's single thread; RequestStop is
// posted there.
template <class Websocket>
class Link {
 public:
  static constexpr bool kTls = std::is_same_v<Websocket, TlsWebsocket>;

  template <class... StreamArgs>
  Link(net::io_context& io, SocketModeUrl url, SocketModeOptions options, LinkSink sink,
       StreamArgs&&... stream_args)
      : url_(std::move(url)),
        options_(std::move(options)),
        sink_(std::move(sink)),
        resolver_(io),
        ws_(std::forward<StreamArgs>(stream_args)...),
        ping_timer_(io),
        watchdog_(io),
        refresh_timer_(io) {}

  void Start() {
    last_activity_ = SteadyClock::now();
    ArmWatchdog();
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        [this](beast::error_code ec, const tcp::resolver::results_type& results) { OnResolve(ec, results); });
  }

  void RequestStop() { End(Ending::kStopped, "stopped", /*graceful=*/true); }

  LinkOutcome outcome() const { return outcome_; }

 private:
  void OnResolve(beast::error_code ec, const tcp::resolver::results_type& results) {
    if (ending_) return;
    if (ec) return Fail(absl::StrCat("cannot resolve ", url_.host, ": ", ec.message()));
    beast::get_lowest_layer(ws_).async_connect(
        results, [this](beast::error_code connect_ec, const tcp::endpoint&) { OnConnect(connect_ec); });
  }

  void OnConnect(beast::error_code ec) {
    if (ending_) return;
    if (ec) return Fail(absl::StrCat("cannot connect to ", url_.HostPort(), ": ", ec.message()));
    if constexpr (kTls) {
      auto& tls = ws_.next_layer();
      beast::error_code address_ec;
      net::ip::make_address(url_.host, address_ec);
      // SNI carries host names only, never address literals.
      if (address_ec && SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str()) != 1) {
        return Fail(absl::StrCat("cannot set TLS server name for ", url_.host));
      }
      tls.set_verify_mode(net::ssl::verify_peer);
      tls.set_verify_callback(net::ssl::host_name_verification(url_.host));
      tls.async_handshake(net::ssl::stream_base::client,
                          [this](beast::error_code tls_ec) { OnTlsHandshake(tls_ec); });
    } else {
      StartWebsocketHandshake();
    }
  }

  void OnTlsHandshake(beast::error_code ec) {
    if (ending_) return;
    if (ec) return Fail(absl::StrCat("TLS handshake with ", url_.HostPort(), " failed: ", ec.message()));
    StartWebsocketHandshake();
  }

  void StartWebsocketHandshake() {
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = ToSteady(options_.idle_timeout);  // also bounds the closing handshake
    timeouts.idle_timeout = websocket::stream_base::none();        // our watchdog decides
    timeouts.keep_alive_pings = false;                             // our ping timer pings
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::user_agent, "creditbot/" CREDITBOT_VERSION);
    }));
    ws_.read_message_max(kMaxFrameBytes);
    ws_.control_callback([this](websocket::frame_type, beast::string_view) {
      last_activity_ = SteadyClock::now();  // pings and pongs show the link is alive
    });
    ws_.async_handshake(url_.HostPort(), url_.target,
                        [this](beast::error_code ec) { OnWebsocketHandshake(ec); });
  }

  void OnWebsocketHandshake(beast::error_code ec) {
    if (ending_) return;
    if (ec) {
      return Fail(absl::StrCat("websocket handshake with ", url_.HostPort(), " failed: ", ec.message()));
    }
    opened_ = true;
    opened_at_ = SteadyClock::now();
    last_activity_ = opened_at_;
    hello_deadline_ = opened_at_ + ToSteady(options_.idle_timeout);
    LogInfo("socket mode: websocket open, waiting for hello", {{"host", url_.HostPort()}});
    Read();
    ArmPing();
    ArmWatchdog();
  }

  void Read() {
    ws_.async_read(read_buffer_, [this](beast::error_code ec, std::size_t) { OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ending_) return;
    if (ec == websocket::error::closed) {
      const websocket::close_reason& reason = ws_.reason();
      return Fail(absl::StrCat("server closed the websocket (code ", static_cast<int>(reason.code),
                               reason.reason.empty() ? "" : ", ",
                               std::string(reason.reason.data(), reason.reason.size()), ")"));
    }
    if (ec) return Fail(absl::StrCat("websocket read failed: ", ec.message()));
    last_activity_ = SteadyClock::now();
    std::string text = beast::buffers_to_string(read_buffer_.data());
    read_buffer_.consume(read_buffer_.size());
    HandleFrame(text);
    if (!ending_) Read();
  }

  void HandleFrame(const std::string& text) {
    absl::StatusOr<SocketModeFrame> parsed = ParseSocketModeFrame(text);
    if (!parsed.ok()) {
      LogWarn("socket mode: skipping unreadable frame",
              {{"host", url_.HostPort()},
               {"error", std::string(ToStd(parsed.status().message()))},
               {"bytes", std::to_string(text.size())}});
      return;
    }
    SocketModeFrame& frame = *parsed;
    if (frame.type == "hello") return OnHello(frame);
    if (frame.type == "disconnect") {
      LogInfo("socket mode: disconnect requested by Slack",
              {{"host", url_.HostPort()}, {"reason", frame.reason}, {"slack_host", frame.debug_host}});
      if (frame.reason == "link_disabled") {
        return End(Ending::kLinkDisabled, "link_disabled", /*graceful=*/true);
      }
      return End(Ending::kDisconnect, absl::StrCat("disconnect: ", frame.reason), /*graceful=*/true);
    }
    if (frame.envelope_id.empty()) {
      LogInfo("socket mode: ignoring frame", {{"host", url_.HostPort()}, {"type", frame.type}});
      return;
    }
    // Ack first, always: Slack retries an envelope that is not acked within 3 s.
    Outgoing ack;
    ack.text = nlohmann::json{{"envelope_id", frame.envelope_id}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (frame.type == "events_api") {
      auto event = std::make_shared<SocketModeEvent>();
      event->envelope_id = frame.envelope_id;
      event->payload = std::move(frame.payload);
      event->retry_attempt = frame.retry_attempt;
      event->retry_reason = frame.retry_reason;
      ack.after_sent = [this, event] { Deliver(std::move(*event)); };
    } else if (frame.type == "interactive" && sink_.on_interactive) {
      nlohmann::json response = Interact(frame.payload);
      if (!response.is_null() && frame.accepts_response_payload) {
        ack.text = nlohmann::json{{"envelope_id", frame.envelope_id}, {"payload", std::move(response)}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace);
      } else if (!response.is_null()) {
        LogWarn("socket mode: an answer for an interactive envelope that accepts none was left out",
                {{"envelope_id", frame.envelope_id}});
      }
    } else {
      LogInfo("socket mode: acknowledged and ignored envelope",
              {{"type", frame.type}, {"envelope_id", frame.envelope_id}});
    }
    Enqueue(std::move(ack));
  }

  void OnHello(const SocketModeFrame& frame) {
    if (got_hello_) {
      LogWarn("socket mode: second hello on one link ignored", {{"host", url_.HostPort()}});
      return;
    }
    got_hello_ = true;
    LogFields fields = {{"host", url_.HostPort()},
                        {"slack_host", frame.debug_host},
                        {"num_connections", std::to_string(frame.num_connections)}};
    if (frame.approximate_connection_time) {
      const absl::Duration lifetime = *frame.approximate_connection_time;
      absl::Duration refresh_in = lifetime - options_.refresh_margin;
      if (refresh_in < lifetime / 2) refresh_in = lifetime / 2;
      fields.emplace_back("approximate_connection_time", absl::FormatDuration(lifetime));
      fields.emplace_back("refresh_in", absl::FormatDuration(refresh_in));
      refresh_timer_.expires_after(ToSteady(refresh_in));
      refresh_timer_.async_wait([this](beast::error_code ec) {
        if (ec || ending_) return;
        LogInfo("socket mode: refreshing the link before its announced lifetime ends",
                {{"host", url_.HostPort()}});
        End(Ending::kRefresh, "refresh before expiry", /*graceful=*/true);
      });
    }
    LogInfo("socket mode: connected", fields);
    if (sink_.on_hello) sink_.on_hello();
  }

  // The interactive handler's answer for the ack; null when it has none or threw.
  nlohmann::json Interact(const nlohmann::json& payload) {
    try {
      return sink_.on_interactive(payload);
    } catch (const std::exception& e) {
      LogError("socket mode: interactive handler threw", {{"error", e.what()}});
    } catch (...) {
      LogError("socket mode: interactive handler threw", {{"error", "unknown exception"}});
    }
    return nullptr;
  }

  void Deliver(SocketModeEvent event) {
    try {
      sink_.on_event(std::move(event));
    } catch (const std::exception& e) {
      LogError("socket mode: event handler threw", {{"error", e.what()}});
    } catch (...) {
      LogError("socket mode: event handler threw", {{"error", "unknown exception"}});
    }
  }

  struct Outgoing {
    std::string text;
    std::function<void()> after_sent;  // runs once the frame is written
  };

  void Enqueue(Outgoing outgoing) {
    outgoing_.push_back(std::move(outgoing));
    if (!writing_) WriteNext();
  }

  void WriteNext() {
    if (outgoing_.empty()) {
      if (close_pending_) StartClose();
      return;
    }
    if (ending_ && !close_pending_) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(outgoing_.front().text),
                    [this](beast::error_code ec, std::size_t) { OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    writing_ = false;
    if (ec) {
      if (!ending_) return Fail(absl::StrCat("websocket write failed: ", ec.message()));
      close_pending_ = false;
      watchdog_.cancel();
      return CloseSocket();
    }
    Outgoing sent = std::move(outgoing_.front());
    outgoing_.pop_front();
    if (sent.after_sent) sent.after_sent();  // acked: deliver even while the link is closing
    WriteNext();
  }

  void ArmPing() {
    ping_timer_.expires_after(ToSteady(options_.ping_interval));
    ping_timer_.async_wait([this](beast::error_code ec) {
      if (ec || ending_) return;
      if (!pinging_) {
        pinging_ = true;
        ws_.async_ping({}, [this](beast::error_code ping_ec) {
          pinging_ = false;
          if (ping_ec && !ending_) Fail(absl::StrCat("websocket ping failed: ", ping_ec.message()));
        });
      }
      ArmPing();
    });
  }

  void ArmWatchdog() {
    SteadyClock::time_point deadline = last_activity_ + ToSteady(options_.idle_timeout);
    if (opened_ && !got_hello_) deadline = std::min(deadline, hello_deadline_);
    watchdog_.expires_at(deadline);
    watchdog_.async_wait([this](beast::error_code ec) { OnWatchdog(ec); });
  }

  void OnWatchdog(beast::error_code ec) {
    if (ec || ending_) return;
    const SteadyClock::time_point now = SteadyClock::now();
    const std::string idle = absl::FormatDuration(options_.idle_timeout);
    if (!opened_ && now - last_activity_ >= ToSteady(options_.idle_timeout)) {
      return Fail(absl::StrCat("connecting to ", url_.HostPort(), " took longer than ", idle));
    }
    if (opened_ && !got_hello_ && now >= hello_deadline_) {
      return Fail(absl::StrCat("no hello within ", idle));
    }
    if (opened_ && now - last_activity_ >= ToSteady(options_.idle_timeout)) {
      return Fail(absl::StrCat("idle timeout: no frame, ping or pong for ", idle));
    }
    ArmWatchdog();
  }

  void Fail(const std::string& detail) { End(Ending::kFailed, detail, /*graceful=*/false); }

  // Ends the link once. Graceful: a close frame first (when the websocket is open), bounded by a timer;
  // otherwise the socket is closed at once (half-open links never answer a close).
  void End(Ending ending, const std::string& detail, bool graceful) {
    if (ending_) return;
    ending_ = true;
    outcome_.ending = ending;
    outcome_.detail = detail;
    outcome_.got_hello = got_hello_;
    if (opened_) {
      outcome_.lifetime = absl::FromChrono(SteadyClock::now() - opened_at_);
    }
    ping_timer_.cancel();
    refresh_timer_.cancel();
    resolver_.cancel();
    if (graceful && opened_) {
      watchdog_.expires_after(ToSteady(std::min(options_.idle_timeout, kMaxCloseWait)));
      watchdog_.async_wait([this](beast::error_code ec) {
        if (!ec) CloseSocket();
      });
      // Acks already queued go out first: an envelope read before the close is not left unacked.
      close_pending_ = true;
      if (!writing_) WriteNext();
    } else {
      watchdog_.cancel();
      CloseSocket();
    }
  }

  void StartClose() {
    close_pending_ = false;
    ws_.async_close(websocket::close_code::normal, [this](beast::error_code) {
      watchdog_.cancel();
      CloseSocket();
    });
  }

  void CloseSocket() {
    beast::tcp_stream& stream = beast::get_lowest_layer(ws_);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
  }

  const SocketModeUrl url_;
  const SocketModeOptions options_;
  LinkSink sink_;
  tcp::resolver resolver_;
  Websocket ws_;
  net::steady_timer ping_timer_;
  net::steady_timer watchdog_;  // idle/connect/hello deadline, then the close deadline
  net::steady_timer refresh_timer_;
  beast::flat_buffer read_buffer_;
  std::deque<Outgoing> outgoing_;
  bool writing_ = false;
  bool pinging_ = false;
  bool opened_ = false;
  bool got_hello_ = false;
  bool ending_ = false;
  bool close_pending_ = false;  // a graceful end waits for the write queue to drain
  SteadyClock::time_point last_activity_;
  SteadyClock::time_point opened_at_;
  SteadyClock::time_point hello_deadline_;
  LinkOutcome outcome_;
};

bool IsTerminalOpenUrlError(absl::StatusCode code) {
  return code == absl::StatusCode::kUnauthenticated || code == absl::StatusCode::kPermissionDenied ||
         code == absl::StatusCode::kInvalidArgument;
}

// Hands Stop() a way to end the running link (false, and nothing handed over, once Stop() was called);
// called with nullptr when the link has ended.
using StopLinkSetter = std::function<bool(std::function<void()>)>;

// Runs one link to `url` until it ends. `tls_context` is used for wss and may be null for ws. A link that
// Stop() came before is not started and ends kStopped.
LinkOutcome RunOneLink(const SocketModeUrl& url, net::ssl::context* tls_context,
                       const SocketModeOptions& options, const LinkSink& sink,
                       const StopLinkSetter& set_stop_link) {
  LinkOutcome outcome;
  net::io_context io(1);
  auto run_link = [&](auto& link) {
    if (!set_stop_link([&io, &link] { net::post(io, [&link] { link.RequestStop(); }); })) {
      outcome.ending = Ending::kStopped;
      return;
    }
    link.Start();
    io.run();
    set_stop_link(nullptr);
    outcome = link.outcome();
  };
  if (url.tls) {
    Link<TlsWebsocket> link(io, url, options, sink, io, *tls_context);
    run_link(link);
  } else {
    Link<PlainWebsocket> link(io, url, options, sink, io);
    run_link(link);
  }
  return outcome;
}

// Consecutive failures across links, for the reconnect delays.
struct ReconnectCounters {
  int failures = 0;           // consecutive failures, for the backoff
  int quick_disconnects = 0;  // consecutive `disconnect`s that ended short links
};

// What Run does once a link has ended.
struct AfterLink {
  enum Step { kReturn, kReconnectNow, kBackOff } step = kReturn;
  absl::Status status;   // kReturn: what Run returns
  const char* why = "";  // kBackOff: for the log line
};

// Decides (and logs) what the end of the link to `host` means, updating `counters`: return (stopped,
// link_disabled), reconnect at once (refresh, a disconnect after a long enough link) or after a delay.
AfterLink DecideAfterLink(const LinkOutcome& outcome, const std::string& host, absl::Duration reconnect_max,
                          ReconnectCounters& counters) {
  switch (outcome.ending) {
    case Ending::kStopped:
      LogInfo("socket mode: stopped", {{"host", host}});
      return {AfterLink::kReturn, absl::OkStatus(), ""};
    case Ending::kLinkDisabled:
      LogError("socket mode: Slack disabled the link (link_disabled); Socket Mode is off for the app",
               {{"host", host}});
      return {
          AfterLink::kReturn,
          absl::FailedPreconditionError(
              "socket mode: Slack sent disconnect with reason link_disabled (Socket Mode is turned off in "
              "the app's settings)"),
          ""};
    case Ending::kRefresh:
      counters = ReconnectCounters{};
      return {AfterLink::kReconnectNow, absl::OkStatus(), ""};
    case Ending::kDisconnect:
      // A disconnect that ends a short link again and again (too_many_websockets at connect) must not
      // become a busy loop: after a few in a row, back off.
      counters.quick_disconnects = outcome.lifetime >= reconnect_max ? 0 : counters.quick_disconnects + 1;
      if (counters.quick_disconnects > kMaxQuickDisconnects) {
        return {AfterLink::kBackOff, absl::OkStatus(), "repeated disconnect"};
      }
      counters.failures = 0;
      return {AfterLink::kReconnectNow, absl::OkStatus(), ""};
    case Ending::kFailed:
      LogWarn("socket mode: link ended", {{"host", host}, {"error", outcome.detail}});
      if (outcome.got_hello) counters.failures = 0;
      counters.quick_disconnects = 0;
      return {AfterLink::kBackOff, absl::OkStatus(), "link failed"};
  }
  return {AfterLink::kBackOff, absl::OkStatus(), "link failed"};
}

}  // namespace

bool SocketModeFrame::IsEnvelope() const {
  return type == "events_api" || type == "slash_commands" || type == "interactive";
}

absl::StatusOr<SocketModeFrame> ParseSocketModeFrame(std::string_view text) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return absl::InvalidArgumentError("socket mode frame is not JSON");
  if (!json.is_object()) return absl::InvalidArgumentError("socket mode frame is not a JSON object");
  auto type = json.find("type");
  if (type == json.end() || !type->is_string()) {
    return absl::InvalidArgumentError("socket mode frame has no string \"type\"");
  }
  SocketModeFrame frame;
  frame.type = type->get<std::string>();
  if (frame.type.empty()) return absl::InvalidArgumentError("socket mode frame has an empty \"type\"");
  frame.envelope_id = JsonStringMember(json, "envelope_id");
  if (frame.IsEnvelope() && frame.envelope_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("socket mode ", frame.type, " envelope has no string \"envelope_id\""));
  }
  if (auto payload = json.find("payload"); payload != json.end()) frame.payload = std::move(*payload);
  if (auto accepts = json.find("accepts_response_payload"); accepts != json.end() && accepts->is_boolean()) {
    frame.accepts_response_payload = accepts->get<bool>();
  }
  frame.retry_attempt = JsonInt(json, "retry_attempt");
  frame.retry_reason = JsonStringMember(json, "retry_reason");
  frame.reason = JsonStringMember(json, "reason");
  frame.num_connections = JsonInt(json, "num_connections");
  if (auto debug = json.find("debug_info"); debug != json.end() && debug->is_object()) {
    frame.debug_host = JsonStringMember(*debug, "host");
    auto lifetime = debug->find("approximate_connection_time");
    if (lifetime != debug->end() && lifetime->is_number()) {
      const double seconds = lifetime->get<double>();
      if (std::isfinite(seconds) && seconds >= 1 && seconds <= 7 * 24 * 3600) {
        frame.approximate_connection_time = absl::Seconds(seconds);
      }
    }
  }
  return frame;
}

std::string SocketModeUrl::HostPort() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return absl::StrCat(ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":", port);
}

absl::StatusOr<SocketModeUrl> ParseSocketModeUrl(std::string_view text) {
  absl::StatusOr<ParsedUrl> url = ParseUrl(text);
  if (!url.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("socket mode: refusing the URL from apps.connections.open: ", url.status().message()));
  }
  SocketModeUrl parsed;
  if (url->scheme == "wss") {
    parsed.tls = true;
    parsed.port = 443;
  } else if (url->scheme == "ws") {
    parsed.tls = false;
    parsed.port = 80;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("socket mode: refusing a URL with scheme \"", url->scheme,
                                                   "\": only wss:// (or ws:// to a loopback host)"));
  }
  if (url->user) return absl::InvalidArgumentError("socket mode: refusing a URL with user info");
  parsed.host = url->host.front() == '[' ? url->host.substr(1, url->host.size() - 2) : url->host;
  if (url->port) parsed.port = static_cast<std::uint16_t>(*url->port);
  parsed.target = url->query ? absl::StrCat(url->path, "?", *url->query) : url->path;
  for (char c : parsed.target) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat("socket mode: URL to host ", parsed.host, " has characters not allowed in a request"));
    }
  }
  if (!parsed.tls && !IsLoopbackHost(parsed.host)) {
    return absl::InvalidArgumentError(
        absl::StrCat("socket mode: refusing unencrypted ws:// to host ", parsed.host,
                     ": only wss://, or ws:// to 127.0.0.1, localhost or [::1]"));
  }
  return parsed;
}

absl::Duration SocketModeReconnectDelay(int failures, const SocketModeOptions& options, double jitter) {
  return BackoffPolicy(options.reconnect_initial, options.reconnect_max, BackoffJitter::kEqual)
      .Delay(failures, jitter);
}

SocketModeClient::SocketModeClient(OpenUrl open_url, OnEvent on_event, SocketModeOptions options)
    : open_url_(std::move(open_url)), on_event_(std::move(on_event)), options_(std::move(options)) {}

SocketModeClient::~SocketModeClient() = default;

bool SocketModeClient::StopRequested() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_requested_;
}

bool SocketModeClient::WaitUnlessStopped(absl::Duration delay) {
  std::unique_lock<std::mutex> lock(mu_);
  stop_cv_.wait_for(lock, absl::ToChronoNanoseconds(delay), [this] { return stop_requested_; });
  return !stop_requested_;
}

void SocketModeClient::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_requested_ = true;
  if (stop_link_) stop_link_();
  stop_cv_.notify_all();
}

bool SocketModeClient::SetStopLink(std::function<void()> stop_link) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_link != nullptr && stop_requested_) return false;
  stop_link_ = std::move(stop_link);
  return true;
}

absl::StatusOr<std::optional<SocketModeUrl>> SocketModeClient::OpenLinkUrl(
    const std::function<bool(const char*)>& back_off) {
  absl::StatusOr<std::string> url_text = open_url_();
  if (StopRequested()) return std::nullopt;
  if (!url_text.ok()) {
    if (IsTerminalOpenUrlError(url_text.status().code())) {
      LogError("socket mode: apps.connections.open failed; not retrying",
               {{"error", std::string(ToStd(url_text.status().message()))}});
      return url_text.status();
    }
    LogWarn("socket mode: apps.connections.open failed",
            {{"error", std::string(ToStd(url_text.status().message()))}});
    back_off("apps.connections.open failed");  // a Stop() during the wait ends Run's loop
    return std::nullopt;
  }
  absl::StatusOr<SocketModeUrl> url = ParseSocketModeUrl(*url_text);
  if (!url.ok()) {
    LogError("socket mode: refusing the URL from apps.connections.open",
             {{"error", std::string(ToStd(url.status().message()))}});
    return url.status();
  }
  return *std::move(url);
}

absl::Status SocketModeClient::Run() {
  std::unique_ptr<net::ssl::context> tls_context;  // made on the first wss URL
  absl::BitGen random;
  ReconnectCounters counters;
  LinkSink sink;
  sink.on_hello = [this] {
    connected_.store(true);
    connections_.fetch_add(1);
  };
  sink.on_event = on_event_;
  sink.on_interactive = on_interactive_;
  const StopLinkSetter set_stop_link = [this](std::function<void()> stop_link) {
    return SetStopLink(std::move(stop_link));
  };

  // Waits the next reconnect delay; false when Stop() ended the wait.
  auto back_off = [&](const char* why) {
    const absl::Duration delay =
        SocketModeReconnectDelay(counters.failures, options_, absl::Uniform(random, 0.0, 1.0));
    ++counters.failures;
    LogInfo("socket mode: reconnecting after a delay", {{"why", why},
                                                        {"delay", absl::FormatDuration(delay)},
                                                        {"attempt", std::to_string(counters.failures)}});
    return WaitUnlessStopped(delay);
  };

  while (!StopRequested()) {
    absl::StatusOr<std::optional<SocketModeUrl>> url = OpenLinkUrl(back_off);
    if (!url.ok()) return url.status();
    if (!url->has_value()) continue;  // stopped, or retry after the delay
    if ((*url)->tls && tls_context == nullptr) {
      absl::StatusOr<std::unique_ptr<net::ssl::context>> made = MakeTlsContext(options_.ca_bundle);
      if (!made.ok()) return made.status();
      tls_context = *std::move(made);
    }

    const LinkOutcome outcome = RunOneLink(**url, tls_context.get(), options_, sink, set_stop_link);
    connected_.store(false);

    const AfterLink next = DecideAfterLink(outcome, (*url)->HostPort(), options_.reconnect_max, counters);
    switch (next.step) {
      case AfterLink::kReturn:
        return next.status;
      case AfterLink::kReconnectNow:
        continue;
      case AfterLink::kBackOff:
        if (!back_off(next.why)) return absl::OkStatus();
        continue;
    }
  }
  LogInfo("socket mode: stopped");
  return absl::OkStatus();
}

}  // namespace creditbot
