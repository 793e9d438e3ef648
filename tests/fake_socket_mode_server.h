// FakeSocketModeServer: a Slack Socket Mode stand-in on loopback (ws://127.0.0.1:PORT, Boost.Beast) for
// the SocketModeClient tests, so the real client code runs over real websockets. Frames come from the
// fixtures (tests/fixtures/slack/socket_mode, see its README): every new connection first gets
// hello.python-sdk-mock.json (optionally with a test-set approximate_connection_time); SendEvent wraps an
// event_callback the way envelope.events_api.message.python-sdk-mock.json does; Disconnect sends the
// shape of disconnect.refresh_requested.bolt-js-issue1061.json.
//
// Every text frame the client sends is recorded; those carrying a string "envelope_id" are the acks.
//
// Thread-safe: the server runs on its own thread; every public function may be called from any thread.
// Beast stays in the .cc (compile time).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace creditbot::testing {

class FakeSocketModeServer {
 public:
  FakeSocketModeServer();  // listening on 127.0.0.1 on a free port; aborts the test binary if it cannot
  ~FakeSocketModeServer();
  FakeSocketModeServer(const FakeSocketModeServer&) = delete;
  FakeSocketModeServer& operator=(const FakeSocketModeServer&) = delete;

  // "ws://127.0.0.1:PORT/link/?ticket=<fresh ticket>&app_id=A111", a new ticket on each call.
  std::string url();
  int port() const;

  // The text of `name` in the shared socket_mode fixtures folder.
  static std::string Fixture(const std::string& name);

  // hello's debug_info.approximate_connection_time for connections accepted from now on (seconds).
  void SetApproximateConnectionTime(int seconds);

  // Sends `frame` to every open connection.
  void Send(const nlohmann::json& frame);
  // Sends `text` as is (e.g. malformed frames) to every open connection.
  void SendText(const std::string& text);
  // Wraps `event_callback` in an events_api envelope with a fresh envelope_id, sends it, returns the id.
  std::string SendEvent(const nlohmann::json& event_callback);
  // Sends {"type":"disconnect","reason":reason,"debug_info":{"host":…}}.
  void Disconnect(const std::string& reason);
  // Closes every open connection's TCP socket at once (RST, no close frame).
  void DropConnection();
  // true: every connection goes silent as a half-open link does — no more reads, so pings get no pong
  // and acks are not recorded — while its socket stays open; connections accepted meanwhile get their
  // hello, then go silent too. false: connections accepted afterwards behave normally (the silenced ones
  // stay silent).
  void StopAnsweringPings(bool stop);

  int Connections() const;                    // websocket connections accepted so far
  int OpenConnections() const;                // accepted and not yet closed or silenced
  std::vector<std::string> Acks() const;      // envelope ids acked by the client, in order
  std::vector<std::string> Received() const;  // every text frame received, in order
  std::vector<std::string> Tickets() const;   // the ticket of each accepted connection, in order

  // Polls `predicate` every few milliseconds until it holds (true) or `timeout` passes (false).
  static bool WaitFor(const std::function<bool()>& predicate, absl::Duration timeout = absl::Seconds(10));

  struct State;  // shared with the server thread's handlers

 private:
  std::shared_ptr<State> state_;
};

}  // namespace creditbot::testing
