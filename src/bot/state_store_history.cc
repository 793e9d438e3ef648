// The Slack history source's watermarks and waiting threads, kept in the state store.
#include "bot/state_store_history.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "bot/due_requests.h"
#include "common/logging.h"
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
  LedgerFilter awaiting;
  awaiting.status = LedgerStatus::kAwaiting;
  awaiting.limit = limit;
  absl::StatusOr<std::vector<LedgerEntry>> entries = state_.ListLedger(awaiting);
  if (!entries.ok()) {
    LogWarn("could not list the credits awaiting a decision; their threads are not read this time",
            {{"error", std::string(entries.status().message())}});
    return due;
  }
  for (LedgerEntry& entry : *entries) {
    if (entry.dry_run || entry.reply_ts.empty()) continue;  // a dry run's reply is not in Slack
    const bool listed = std::any_of(due.begin(), due.end(), [&](const WaitingThread& waiting) {
      return waiting.key == entry.request_key;
    });
    if (listed) continue;
    WaitingThread waiting{std::move(entry.request_key), std::move(entry.channel), std::move(entry.ts), false,
                          std::move(entry.reply_ts)};
    waiting.decisions = true;
    due.push_back(std::move(waiting));
  }
  return due;
}

}  // namespace creditbot
