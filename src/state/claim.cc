// The claim step the state stores share.
#include "state/claim.h"

#include <string>
#include <utility>

namespace creditbot {

ClaimResult ApplyClaim(const RequestRecord* existing, std::string_view channel, std::string_view ts,
                       absl::Time now, const ClaimRule& may_claim, absl::Duration lease,
                       std::string_view holder) {
  ClaimResult result;
  result.existed = existing != nullptr;
  if (!may_claim(existing)) {
    if (existing != nullptr) result.record = *existing;
    return result;
  }
  RequestRecord record = existing != nullptr ? *existing : RequestRecord{};
  if (existing == nullptr) {
    record.key = RequestKey(channel, ts);
    record.channel = std::string(channel);
    record.ts = std::string(ts);
    record.first_seen_at = now;
  }
  record.status = RequestStatus::kClaimed;
  record.updated_at = now;
  record.lease_until = now + lease;
  record.lease_holder = std::string(holder);
  record.next_retry_at.reset();
  result.claimed = true;
  result.record = std::move(record);
  return result;
}

}  // namespace creditbot
