// The claim step every StateStore applies inside its own atomic step (a SQLite transaction, an S3
// conditional write): ClaimRule is the caller's decision whether a request may be claimed (the rule is
// written once, in bot/due_requests.h), ApplyClaim turns the record a store has just read into the claim.
// Both are pure, so each store runs them on the freshly read record and two passes never both claim one
// request.
#pragma once

#include <functional>
#include <string_view>

#include "absl/time/time.h"
#include "state/request_record.h"

namespace creditbot {

// Whether a request whose current record is `existing` (nullptr: never seen) may be claimed. Called by the
// store, possibly more than once per Claim (an S3 store re-reads after losing a race); must not block.
using ClaimRule = std::function<bool(const RequestRecord* existing)>;

struct ClaimResult {
  bool claimed = false;
  RequestRecord record;  // the record after the claim, or the current one when not claimed
  bool existed = false;  // there was a record before
};

// When `may_claim` allows it, the claim of the request (channel, ts) whose current record is `existing`
// (nullptr: never seen) by `holder` at `now`: status claimed, lease_until = now + lease, next_retry_at
// cleared, attempts unchanged (a new record gets its key, channel, ts and first_seen_at = now). Otherwise
// `claimed` is false and `record` is the current one (empty when there is none). The store writes `record`
// when `claimed`.
ClaimResult ApplyClaim(const RequestRecord* existing, std::string_view channel, std::string_view ts,
                       absl::Time now, const ClaimRule& may_claim, absl::Duration lease,
                       std::string_view holder);

}  // namespace creditbot
