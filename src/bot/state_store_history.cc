// The Slack history source's watermarks and waiting threads, kept in the state store.
#include "bot/state_store_history.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "bot/due_requests.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
namespace {

std::string CursorName(std::string_view channel) { return absl::StrCat("slack_history:", ToAbsl(channel)); }

}  // namespace

absl::StatusOr<std::optional<std::string>> StateStoreHistory::Watermark(std::string_view channel) {
  return state_.GetCursor(CursorName(channel));
}

absl::Status StateStoreHistory::SaveWatermark(std::string_view channel, std::string_view ts) {
  return state_.SetCursor(CursorName(channel), ts);
}

absl::StatusOr<std::vector<WaitingThread>> StateStoreHistory::DueThreads(absl::Time now, int limit) {
  std::vector<WaitingThread> due;
  for (RequestStatus status : {RequestStatus::kFailed, RequestStatus::kClaimed, RequestStatus::kAsked}) {
    CREDITBOT_ASSIGN_OR_RETURN(std::vector<RequestRecord> records, state_.List(status, limit));
    for (RequestRecord& record : records) {
      if (!DueForReRead(record, now, options_.asked_window)) continue;
      due.push_back(WaitingThread{std::move(record.key), std::move(record.channel), std::move(record.ts),
                                  record.status == RequestStatus::kAsked, std::move(record.reply_ts)});
    }
  }
  return due;
}

}  // namespace creditbot
