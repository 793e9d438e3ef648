// SocketModeClient: receives Slack events over Socket Mode (research/slack.md §8). It asks for a websocket
// URL through `OpenUrl` (apps.connections.open), connects, waits for `hello`, acknowledges every envelope
// at once by sending {"envelope_id":"<id>"}, and hands `events_api` envelopes to `OnEvent` only after the
// ack has been written to the socket. `interactive` envelopes (clicks, modal submissions) go to
// `OnInteractive` (when set) just before their ack, because its answer may ride in the ack: a
// view_submission's {"response_action":"errors",…} is sent as the ack's `payload`. It reconnects on a fresh
// URL whenever the link ends for a reason that is not terminal (see Run), pings the server and treats a
// silent link as dead (half-open sockets), and refreshes the link shortly before the lifetime announced in
// `hello` runs out.
//
// Usage:
//   SocketModeClient client(
//       [&] { return web_api.OpenConnection(); },            // -> absl::StatusOr<std::string> wss URL
//       [&](SocketModeEvent event) { queue.Push(std::move(event)); });
//   std::thread thread([&] { status = client.Run(); });   // blocks until Stop() or a terminal failure
//   ...
//   client.Stop();
//   thread.join();
//
// The websocket (Boost.Beast, OpenSSL for wss) lives entirely in the .cc. The URL's query (it carries the
// connection ticket) never reaches a log line or a status message: only the host is shown.
//
// Thread-safety: Run must be called from one thread at a time; OnEvent runs on that thread. Stop,
// connected and connections may be called from any thread. A stopped client stays stopped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace creditbot {

struct SocketModeOptions {
  // A websocket ping is sent this often. Default: 10 s.
  absl::Duration ping_interval = absl::Seconds(10);
  // No frame, ping or pong received for this long (or no `hello` this long after the websocket opened,
  // or connecting takes this long) → the link is considered dead and replaced. Also bounds the TCP,
  // TLS and websocket handshakes. Default: 30 s.
  absl::Duration idle_timeout = absl::Seconds(30);
  // Reconnect delay after a failure: doubles per consecutive failure from `reconnect_initial` up to
  // `reconnect_max`, each delay drawn uniformly from [d/2, d]. Default: 1 s and 60 s.
  absl::Duration reconnect_initial = absl::Seconds(1);
  absl::Duration reconnect_max = absl::Seconds(60);
  // The link is replaced this long before hello's debug_info.approximate_connection_time runs out (half
  // the announced lifetime when the margin is longer than that). Default: 60 s.
  absl::Duration refresh_margin = absl::Seconds(60);
  // PEM file of trusted CAs for wss. Default: empty, the system CAs. Peer and host name verification are
  // always on for wss.
  std::string ca_bundle;
};

// An `events_api` envelope, already acknowledged. `payload` is the `event_callback` JSON that the Events
// API would POST over HTTP. Slack redelivers after a slow ack, sometimes with the same envelope_id: dedupe
// on payload["event_id"].
struct SocketModeEvent {
  std::string envelope_id;
  nlohmann::json payload;
  int retry_attempt = 0;
  std::string retry_reason;
};

// One frame received from Slack, as far as creditbot reads it.
struct SocketModeFrame {
  std::string type;         // "hello", "disconnect", "events_api", "slash_commands", "interactive", …
  std::string envelope_id;  // "" when absent; never empty for the three envelope types
  nlohmann::json payload;   // the envelope's payload; null when absent
  bool accepts_response_payload = false;
  int retry_attempt = 0;     // 0 when absent or not an integer
  std::string retry_reason;  // "" when absent or not a string
  std::string reason;       // `disconnect`: warning, refresh_requested, too_many_websockets, link_disabled…
  std::string debug_host;   // debug_info.host, for logs
  int num_connections = 0;  // `hello`: 0 when absent
  // `hello`: debug_info.approximate_connection_time (seconds in the frame); absent when missing, not a
  // number, below 1 s or above 7 days.
  std::optional<absl::Duration> approximate_connection_time;

  // events_api, slash_commands or interactive.
  bool IsEnvelope() const;
};

// Parses one text frame. Never throws. kInvalidArgument when the text is not a JSON object, has no string
// `type`, or is an envelope (events_api, slash_commands, interactive) without a non-empty string
// `envelope_id`. Optional fields of the wrong JSON type are ignored rather than refused.
absl::StatusOr<SocketModeFrame> ParseSocketModeFrame(std::string_view text);

// Where a Socket Mode URL points. `target` is the path and query and carries the connection ticket: never
// log it.
struct SocketModeUrl {
  bool tls = true;   // wss
  std::string host;  // lower case, IPv6 without brackets
  std::uint16_t port = 443;
  std::string target;            // "/link/?ticket=…&app_id=…"; at least "/"
  std::string HostPort() const;  // "host:port", "[::1]:port": for logs and the Host header
};

// Accepts wss://HOST[:PORT][/PATH][?QUERY], and ws:// only to 127.0.0.1, localhost or [::1] (tests).
// kInvalidArgument for anything else (other schemes, ws:// to any other host, user info, a bad port,
// characters that do not belong in a host or request target); the message names the scheme and host but
// never the query.
absl::StatusOr<SocketModeUrl> ParseSocketModeUrl(std::string_view url);

// The delay before reconnect attempt number `failures` + 1 (0-based count of consecutive failures):
// min(reconnect_max, reconnect_initial × 2^failures) × (0.5 + 0.5 × jitter), jitter in [0, 1]: the
// BackoffPolicy of common/backoff.h with equal jitter.
absl::Duration SocketModeReconnectDelay(int failures, const SocketModeOptions& options, double jitter);

class SocketModeClient {
 public:
  // Returns the wss URL from apps.connections.open. Its status code decides what Run does next.
  using OpenUrl = std::function<absl::StatusOr<std::string>()>;
  // Called on Run's thread after the envelope's ack was written to the socket; must be quick (enqueue).
  // An exception escaping it is caught and logged.
  using OnEvent = std::function<void(SocketModeEvent)>;
  // Called on Run's thread with an `interactive` envelope's payload, before its ack is written; must be
  // quick (no I/O: queue the work, Slack wants the ack within 3 s). Returns the ack's `payload`, or null for
  // a plain ack; a payload is sent only when the envelope says accepts_response_payload (else logged and
  // left out). An exception escaping it is caught and logged, and the envelope acked plainly.
  using OnInteractive = std::function<nlohmann::json(const nlohmann::json& payload)>;

  SocketModeClient(OpenUrl open_url, OnEvent on_event, SocketModeOptions options = {});
  ~SocketModeClient();
  SocketModeClient(const SocketModeClient&) = delete;
  SocketModeClient& operator=(const SocketModeClient&) = delete;

  // Before Run: where `interactive` envelopes go. Unset: they are acknowledged and ignored.
  void SetOnInteractive(OnInteractive on_interactive) { on_interactive_ = std::move(on_interactive); }

  // Connects and runs until Stop() (returns OkStatus) or a terminal failure:
  //   - OpenUrl fails with kUnauthenticated, kPermissionDenied or kInvalidArgument (invalid_auth,
  //     not_authed, account_inactive…): that status, unchanged, without retrying;
  //   - OpenUrl returns a URL that ParseSocketModeUrl refuses: its kInvalidArgument (nothing is sent);
  //   - a `disconnect` frame with reason `link_disabled` (Socket Mode turned off): kFailedPrecondition
  //     naming link_disabled;
  //   - the CA bundle cannot be loaded: kFailedPrecondition.
  // Everything else reconnects on a fresh URL from OpenUrl:
  //   - at once after a `disconnect` frame (warning, refresh_requested, too_many_websockets…) — but with
  //     backoff once more than three links in a row lasted less than reconnect_max and ended so — and
  //     after the refresh before hello's announced lifetime ends;
  //   - with backoff (SocketModeReconnectDelay) after OpenUrl failing with any other code (kUnavailable…),
  //     a connect/TLS/websocket handshake failure, the socket closing, or the idle timeout. The failure
  //     count restarts once a link receives `hello`.
  // Queued acks are written before a link is closed on purpose (disconnect, refresh, Stop).
  absl::Status Run();

  // Thread-safe. Run returns OkStatus promptly: the websocket is closed with a close frame (bounded by
  // min(idle_timeout, 5 s)), a pending backoff wait ends at once. An OpenUrl call in flight is not
  // interrupted; Run returns once it does.
  void Stop();

  // `hello` received on the current link. Thread-safe; for /readyz.
  bool connected() const { return connected_.load(); }
  // How many links have received `hello` so far. Thread-safe; for tests and metrics.
  int connections() const { return connections_.load(); }

 private:
  bool StopRequested() const;
  // Waits `delay` or until Stop(); false when stopped.
  bool WaitUnlessStopped(absl::Duration delay);
  // Sets what Stop() calls to end the running link; false, and nothing set, once Stop() was called.
  // nullptr clears it (always true).
  bool SetStopLink(std::function<void()> stop_link);
  // Asks OpenUrl for the next link's URL and parses it. nullopt when Stop() came meanwhile, or when
  // OpenUrl failed with a code worth retrying (after `back_off`'s wait). An error is terminal for Run: a
  // terminal OpenUrl failure (unchanged) or the URL's kInvalidArgument.
  absl::StatusOr<std::optional<SocketModeUrl>> OpenLinkUrl(const std::function<bool(const char*)>& back_off);

  OpenUrl open_url_;
  OnEvent on_event_;
  OnInteractive on_interactive_;
  SocketModeOptions options_;
  // std::mutex rather than absl::Mutex: ThreadSanitizer sees it without an instrumented abseil.
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;  // guarded by mu_
  // Set while a link runs: asks it (from any thread) to close and end.
  std::function<void()> stop_link_;  // guarded by mu_
  std::atomic<bool> connected_{false};
  std::atomic<int> connections_{0};
};

}  // namespace creditbot
