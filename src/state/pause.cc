// The pause line; see pause.h.
#include "state/pause.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/utc_time.h"

namespace creditbot {

absl::Status ValidatePauseState(const PauseState& next) {
  if (!next.since) return absl::InvalidArgumentError("a pause or resume needs the time it is set");
  if (next.paused && next.reason.empty()) return absl::InvalidArgumentError("a pause needs a reason");
  return absl::OkStatus();
}

std::string PauseLine(const PauseState& state) {
  if (!state.paused) return "not paused";
  std::vector<std::string> parts;
  if (!state.by.empty()) parts.push_back(absl::StrCat("by ", state.by));
  if (state.since) parts.push_back(absl::StrCat("since ", Rfc3339Utc(*state.since)));
  std::string line = absl::StrCat("paused: ", state.reason.empty() ? "(no reason given)" : state.reason);
  if (!parts.empty()) absl::StrAppend(&line, " (", absl::StrJoin(parts, ", "), ")");
  return line;
}

}  // namespace creditbot
