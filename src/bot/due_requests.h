// The one rule of which requests are due again: when a pass may claim a request (MayClaim, applied by
// the state store inside its atomic step through ClaimIfDue), which waiting requests the Slack history
// source re-reads from their thread (DueForReRead), and when a failed request is retried
// (RetryDelay, persisted as next_retry_at).
//
// Pure functions of a record and a time, except ClaimIfDue, which calls the store.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "state/request_record.h"
#include "state/state_store.h"

namespace creditbot {

// What a claim depends on besides the record.
struct ClaimContext {
  absl::Time now;
  bool dry_run = true;        // this pass only previews its answers
  bool reopen_asked = false;  // an edit added the Looker link we asked for
};

// True when a pass may claim a request whose current record is `existing` (nullptr: never seen):
// never seen; a claim whose lease expired (its pass died); a failure whose retry time has come; a
// reply or question that only a dry run produced, when this pass is live; an `asked` request that an
// edit completed.
bool MayClaim(const RequestRecord* existing, const ClaimContext& context);

// StateStore::Claim at context.now with MayClaim as the rule. Errors: the store's.
absl::StatusOr<ClaimResult> ClaimIfDue(StateStore& store, std::string_view channel, std::string_view ts,
                                       const ClaimContext& context, absl::Duration lease,
                                       std::string_view holder);

// True when a waiting request's thread is worth reading again at `now`: a failure whose retry time has
// come, a claim whose lease expired (its process died), or a question we asked (status asked) updated
// within `asked_window` (the requester may still answer it). False for every other record.
bool DueForReRead(const RequestRecord& record, absl::Time now, absl::Duration asked_window);

// How long a request that failed on its `attempts`-th execution waits before the next:
// first_delay * 2^(attempts - 1) (first_delay for 0 or 1 attempts), the doubling capped at 2^20: the
// common BackoffPolicy (common/backoff.h) without jitter, since the time is persisted and every pass after
// it picks the request up. Zero for a first_delay ≤ 0.
absl::Duration RetryDelay(absl::Duration first_delay, int attempts);

}  // namespace creditbot
