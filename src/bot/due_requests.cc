// Which requests are due again.
#include "bot/due_requests.h"

#include <cstdint>

#include "common/backoff.h"

namespace creditbot {

bool MayClaim(const RequestRecord* existing, const ClaimContext& context) {
  if (existing == nullptr) return true;
  switch (existing->status) {
    case RequestStatus::kClaimed:
      return !existing->lease_until.has_value() || *existing->lease_until <= context.now;
    case RequestStatus::kFailed:
      return existing->next_retry_at.has_value() && *existing->next_retry_at <= context.now;
    case RequestStatus::kReplied:
      return existing->dry_run && !context.dry_run;
    case RequestStatus::kAsked:
      return context.reopen_asked || (existing->dry_run && !context.dry_run);
    case RequestStatus::kIgnored:
    case RequestStatus::kSkipped:
    case RequestStatus::kRefused:
    case RequestStatus::kRejected:
    case RequestStatus::kDeleted:
      return false;
  }
  return false;
}

absl::StatusOr<ClaimResult> ClaimIfDue(StateStore& store, std::string_view channel, std::string_view ts,
                                       const ClaimContext& context, absl::Duration lease,
                                       std::string_view holder) {
  return store.Claim(
      channel, ts, context.now,
      [&context](const RequestRecord* existing) { return MayClaim(existing, context); }, lease, holder);
}

bool DueForReRead(const RequestRecord& record, absl::Time now, absl::Duration asked_window) {
  switch (record.status) {
    case RequestStatus::kFailed:
      return record.next_retry_at.has_value() && *record.next_retry_at <= now;
    case RequestStatus::kClaimed:
      return record.lease_until.has_value() && *record.lease_until <= now;
    case RequestStatus::kAsked:
      return record.updated_at >= now - asked_window;
    default:
      return false;
  }
}

absl::Duration RetryDelay(absl::Duration first_delay, int attempts) {
  // The persisted schedule: no jitter (every pass after the time picks the request up anyway).
  const BackoffPolicy schedule(first_delay, first_delay * (int64_t{1} << 20), BackoffJitter::kNone);
  return schedule.Delay(attempts - 1);
}

}  // namespace creditbot
