// Tests of the due-request rule: when a pass may claim a request, which waiting threads are re-read, and
// the persisted retry schedule. Times are hand-picked around the edges (1 s either side).
#include "bot/due_requests.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <utility>

#include "state/sqlite_state_store.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1752588191);
const absl::Duration kWeek = absl::Hours(24 * 7);

RequestRecord Record(RequestStatus status) {
  RequestRecord record;
  record.key = "C1:1.1";
  record.channel = "C1";
  record.ts = "1.1";
  record.status = status;
  record.first_seen_at = record.updated_at = kNow - absl::Hours(1);
  return record;
}

ClaimContext Live(absl::Time now = kNow) { return ClaimContext{now, /*dry_run=*/false, false}; }

TEST(DueRequestsMayClaim, ANeverSeenRequestIsClaimed) {
  EXPECT_TRUE(MayClaim(nullptr, Live()));
  EXPECT_TRUE(MayClaim(nullptr, ClaimContext{kNow, /*dry_run=*/true, false}));
}

TEST(DueRequestsMayClaim, AClaimIsTakenOverOnlyOnceItsLeaseHasRunOut) {
  RequestRecord record = Record(RequestStatus::kClaimed);
  record.lease_until = kNow - absl::Seconds(1);
  EXPECT_TRUE(MayClaim(&record, Live()));
  record.lease_until = kNow;
  EXPECT_TRUE(MayClaim(&record, Live()));
  record.lease_until = kNow + absl::Seconds(1);
  EXPECT_FALSE(MayClaim(&record, Live()));
  record.lease_until.reset();  // a claim without a lease holds nothing
  EXPECT_TRUE(MayClaim(&record, Live()));
}

TEST(DueRequestsMayClaim, AFailureIsRetriedOnlyOnceItsRetryTimeHasCome) {
  RequestRecord record = Record(RequestStatus::kFailed);
  record.next_retry_at = kNow - absl::Seconds(1);
  EXPECT_TRUE(MayClaim(&record, Live()));
  record.next_retry_at = kNow + absl::Seconds(1);
  EXPECT_FALSE(MayClaim(&record, Live()));
  record.next_retry_at.reset();  // failed for good
  EXPECT_FALSE(MayClaim(&record, Live(kNow + absl::Hours(1000))));
}

TEST(DueRequestsMayClaim, ADryRunAnswerIsRedoneByALivePassOnly) {
  RequestRecord record = Record(RequestStatus::kReplied);
  record.dry_run = true;
  EXPECT_TRUE(MayClaim(&record, Live()));
  EXPECT_FALSE(MayClaim(&record, ClaimContext{kNow, /*dry_run=*/true, false}));
  record.dry_run = false;
  EXPECT_FALSE(MayClaim(&record, Live()));
}

TEST(DueRequestsMayClaim, AQuestionIsReopenedByTheEditThatAnswersItOrByALivePassAfterADryRun) {
  RequestRecord record = Record(RequestStatus::kAsked);
  EXPECT_FALSE(MayClaim(&record, Live()));
  EXPECT_TRUE(MayClaim(&record, ClaimContext{kNow, false, /*reopen_asked=*/true}));
  record.dry_run = true;
  EXPECT_TRUE(MayClaim(&record, Live()));
  EXPECT_FALSE(MayClaim(&record, ClaimContext{kNow, /*dry_run=*/true, false}));
}

TEST(DueRequestsMayClaim, OtherOutcomesAreNeverClaimedAgain) {
  for (RequestStatus status : {RequestStatus::kIgnored, RequestStatus::kSkipped, RequestStatus::kRefused,
                               RequestStatus::kRejected, RequestStatus::kDeleted}) {
    RequestRecord record = Record(status);
    record.dry_run = true;
    EXPECT_FALSE(MayClaim(&record, ClaimContext{kNow, false, /*reopen_asked=*/true}))
        << RequestStatusName(status);
  }
}

TEST(DueRequestsClaimIfDue, ClaimsThroughTheStoreAtTheContextsTime) {
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<ClaimResult> first = ClaimIfDue(**store, "C1", "1.1", Live(), absl::Minutes(10), "me");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->claimed);
  EXPECT_EQ(first->record.first_seen_at, kNow);
  EXPECT_EQ(first->record.lease_until, kNow + absl::Minutes(10));
  // 10 min - 1 s later the lease holds; 10 min later it has run out.
  absl::StatusOr<ClaimResult> early =
      ClaimIfDue(**store, "C1", "1.1", Live(kNow + absl::Seconds(599)), absl::Minutes(10), "other");
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_FALSE(early->claimed);
  EXPECT_EQ(early->record.lease_holder, "me");
  absl::StatusOr<ClaimResult> late =
      ClaimIfDue(**store, "C1", "1.1", Live(kNow + absl::Seconds(600)), absl::Minutes(10), "other");
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_TRUE(late->claimed);
  EXPECT_EQ(late->record.lease_holder, "other");
}

TEST(DueRequestsReRead, AFailureOrAClaimIsReReadOnceItsTimeHasCome) {
  // The time that makes each due: a failure's retry time, a claim's lease (its process died). A claim
  // without a lease is not re-read (unlike MayClaim): nothing says its process died.
  const std::pair<RequestStatus, std::optional<absl::Time> RequestRecord::*> cases[] = {
      {RequestStatus::kFailed, &RequestRecord::next_retry_at},
      {RequestStatus::kClaimed, &RequestRecord::lease_until}};
  for (const auto& [status, time] : cases) {
    RequestRecord record = Record(status);
    record.*time = kNow - absl::Seconds(1);
    EXPECT_TRUE(DueForReRead(record, kNow, kWeek)) << RequestStatusName(status);
    record.*time = kNow + absl::Seconds(1);
    EXPECT_FALSE(DueForReRead(record, kNow, kWeek)) << RequestStatusName(status);
    (record.*time).reset();
    EXPECT_FALSE(DueForReRead(record, kNow, kWeek)) << RequestStatusName(status);
  }
}

TEST(DueRequestsReRead, AQuestionIsReReadForTheAskedWindowOnly) {
  RequestRecord record = Record(RequestStatus::kAsked);
  record.updated_at = kNow - absl::Hours(24 * 7) - absl::Seconds(1);
  EXPECT_FALSE(DueForReRead(record, kNow, kWeek));
  record.updated_at = kNow - absl::Hours(24 * 7);
  EXPECT_TRUE(DueForReRead(record, kNow, kWeek));
  record.updated_at = kNow - absl::Hours(24 * 7) + absl::Seconds(1);
  EXPECT_TRUE(DueForReRead(record, kNow, kWeek));
  EXPECT_FALSE(DueForReRead(record, kNow, absl::Hours(24)));  // a one-day window
}

TEST(DueRequestsReRead, AnswersAndOtherOutcomesAreNotReRead) {
  for (RequestStatus status : {RequestStatus::kReplied, RequestStatus::kIgnored, RequestStatus::kSkipped,
                               RequestStatus::kRefused, RequestStatus::kRejected, RequestStatus::kDeleted}) {
    RequestRecord record = Record(status);
    record.updated_at = kNow;
    record.next_retry_at = kNow - absl::Seconds(1);
    record.lease_until = kNow - absl::Seconds(1);
    EXPECT_FALSE(DueForReRead(record, kNow, kWeek)) << RequestStatusName(status);
  }
}

TEST(DueRequestsRetryDelay, DoublesFromTheFirstDelayPerAttempt) {
  const absl::Duration first = absl::Minutes(15);
  EXPECT_EQ(RetryDelay(first, 0), absl::Minutes(15));
  EXPECT_EQ(RetryDelay(first, 1), absl::Minutes(15));
  EXPECT_EQ(RetryDelay(first, 2), absl::Minutes(30));
  EXPECT_EQ(RetryDelay(first, 3), absl::Hours(1));
  EXPECT_EQ(RetryDelay(first, 5), absl::Hours(4));
  // The doubling stops at 2^20 (1,048,576 × 15 min = 15,728,640 min).
  EXPECT_EQ(RetryDelay(first, 21), absl::Minutes(15728640));
  EXPECT_EQ(RetryDelay(first, 40), absl::Minutes(15728640));
}

}  // namespace
}  // namespace creditbot
