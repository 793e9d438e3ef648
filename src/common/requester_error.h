// Errors the requester can fix (a dashboard with several candidate tiles, a link kind that cannot be
// followed…). A stage marks such a status with AskRequester; the pipeline then answers in the request's
// thread with the message, as a question, and records the request as `asked` (an edit that brings a usable
// link reopens it) instead of failing it and alerting the owner.
#pragma once

#include "absl/status/status.h"

namespace creditbot {

inline constexpr char kAskRequesterPayload[] = "type.creditbot/ask-requester";

// `status` with the mark added (an OK status is returned unchanged).
inline absl::Status AskRequester(absl::Status status) {
  if (!status.ok()) status.SetPayload(kAskRequesterPayload, absl::Cord("1"));
  return status;
}

inline bool ShouldAskRequester(const absl::Status& status) {
  return !status.ok() && status.GetPayload(kAskRequesterPayload).has_value();
}

}  // namespace creditbot
