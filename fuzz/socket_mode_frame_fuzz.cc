// Fuzz target: one Socket Mode text frame through ParseSocketModeFrame, as SocketModeClient reads every
// frame from the websocket. Must never crash or throw, whatever the bytes; a refused frame is always
// kInvalidArgument, and an accepted one has what the client relies on (a type; an envelope id for the
// envelope types; a sane connection lifetime).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "slack/socket_mode_client.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<creditbot::SocketModeFrame> frame = creditbot::ParseSocketModeFrame(text);
  if (!frame.ok()) {
    if (frame.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  if (frame->type.empty()) std::abort();
  if (frame->IsEnvelope() && frame->envelope_id.empty()) std::abort();
  if (frame->retry_attempt < 0 || frame->num_connections < 0) std::abort();
  if (frame->approximate_connection_time && (*frame->approximate_connection_time < absl::Seconds(1) ||
                                             *frame->approximate_connection_time > absl::Hours(7 * 24))) {
    std::abort();
  }
  // What the client does with an accepted envelope: build the ack.
  (void)frame->payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
