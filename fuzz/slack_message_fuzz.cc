// Fuzz target: one inbox line through ParseSlackMessageLine and Triage, as the intake does. Must never
// crash or throw, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "absl/status/statusor.h"
#include "bot/triage.h"
#include "slack/message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<creditbot::SlackMessage> message = creditbot::ParseSlackMessageLine(line, "CFUZZ");
  if (!message.ok()) {
    if (message.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  static const creditbot::TriageConfig triage_config = [] {
    creditbot::TriageConfig config;
    config.looker = *creditbot::ParseLookerBase("https://looker.example.com");
    config.own_user_id = "UBOT";
    config.own_bot_id = "BBOT";
    config.allowed_bot_ids = {"BWORKFLOW"};
    return config;
  }();
  const creditbot::TriageDecision decision = creditbot::Triage(*message, triage_config);
  if (decision.action == creditbot::TriageDecision::kRequest && decision.looker_links.empty()) std::abort();
  for (const creditbot::LookerRef& ref : decision.looker_links) {
    if (!ref.IsLooker()) std::abort();
  }
  (void)creditbot::TriageActionName(decision.action);
  return 0;
}
