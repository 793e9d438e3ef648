// Tests of the SQLite state store and the claim rule.
#include "state/sqlite_state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/test_support.h"

namespace creditbot {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1752588191);

class SqliteStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir_.File("state.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(store).value();
  }
  ClaimResult Claim(const std::string& ts, absl::Time now, bool dry_run = false, bool reopen = false) {
    absl::StatusOr<ClaimResult> result =
        store_->Claim("C1", ts, {now, dry_run, reopen}, absl::Minutes(10), "me");
    EXPECT_TRUE(result.ok()) << result.status();
    return result.value_or(ClaimResult{});
  }
  testing::TempDir dir_;
  std::unique_ptr<SqliteStateStore> store_;
};

TEST_F(SqliteStateStoreTest, ClaimsANewRequestOnceWhileItsLeaseHolds) {
  EXPECT_TRUE(Claim("1.1", kNow).claimed);
  EXPECT_FALSE(Claim("1.1", kNow + absl::Minutes(5)).claimed);
  // The claiming pass died: after the lease, another pass takes it over.
  EXPECT_TRUE(Claim("1.1", kNow + absl::Minutes(11)).claimed);
}

TEST_F(SqliteStateStoreTest, FinishedRequestsAreNotClaimedAgain) {
  ClaimResult claim = Claim("1.2", kNow);
  claim.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  EXPECT_FALSE(Claim("1.2", kNow + absl::Hours(1)).claimed);
  absl::StatusOr<std::optional<RequestRecord>> record = store_->Get("C1:1.2");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->status, RequestStatus::kReplied);
  EXPECT_FALSE((*record)->lease_until.has_value());
}

TEST_F(SqliteStateStoreTest, FailedRequestsAreRetriedOnlyWhenTheirTimeComes) {
  ClaimResult claim = Claim("1.3", kNow);
  claim.record.status = RequestStatus::kFailed;
  claim.record.attempts = 1;
  claim.record.next_retry_at = kNow + absl::Minutes(15);
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  EXPECT_FALSE(Claim("1.3", kNow + absl::Minutes(14)).claimed);
  ClaimResult retry = Claim("1.3", kNow + absl::Minutes(15));
  EXPECT_TRUE(retry.claimed);
  EXPECT_EQ(retry.record.attempts, 1);
  retry.record.status = RequestStatus::kFailed;
  retry.record.next_retry_at.reset();  // final
  ASSERT_TRUE(store_->Finish(retry.record).ok());
  EXPECT_FALSE(Claim("1.3", kNow + absl::Hours(100)).claimed);
}

TEST_F(SqliteStateStoreTest, DryRunAnswersAreRedoneByALivePassOnly) {
  ClaimResult claim = Claim("1.4", kNow, /*dry_run=*/true);
  claim.record.status = RequestStatus::kReplied;
  claim.record.dry_run = true;
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  EXPECT_FALSE(Claim("1.4", kNow, /*dry_run=*/true).claimed);
  EXPECT_TRUE(Claim("1.4", kNow, /*dry_run=*/false).claimed);
}

TEST_F(SqliteStateStoreTest, AnAskedRequestIsReopenedByTheEditThatAddsTheLink) {
  ClaimResult claim = Claim("1.5", kNow);
  claim.record.status = RequestStatus::kAsked;
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  EXPECT_FALSE(Claim("1.5", kNow).claimed);
  EXPECT_TRUE(Claim("1.5", kNow, false, /*reopen=*/true).claimed);
}

TEST_F(SqliteStateStoreTest, RecordIfAbsentNeverOverwritesAnAnswer) {
  ClaimResult claim = Claim("1.6", kNow);
  claim.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  RequestRecord skip;
  skip.key = "C1:1.6";
  skip.status = RequestStatus::kSkipped;
  EXPECT_FALSE(*store_->RecordIfAbsent(skip));
  EXPECT_EQ((*store_->Get("C1:1.6"))->status, RequestStatus::kReplied);
}

TEST_F(SqliteStateStoreTest, PassLeaseKeepsPassesFromOverlapping) {
  EXPECT_TRUE(*store_->AcquireLease("pass", "a", kNow, absl::Minutes(10)));
  EXPECT_FALSE(*store_->AcquireLease("pass", "b", kNow + absl::Minutes(1), absl::Minutes(10)));
  EXPECT_TRUE(*store_->AcquireLease("pass", "b", kNow + absl::Minutes(11), absl::Minutes(10)));
  ASSERT_TRUE(store_->ReleaseLease("pass", "b").ok());
  EXPECT_TRUE(*store_->AcquireLease("pass", "c", kNow + absl::Minutes(12), absl::Minutes(10)));
}

TEST_F(SqliteStateStoreTest, CursorsKeepTheLastValueAcrossReopening) {
  EXPECT_EQ(*store_->GetCursor("slack_history:C1"), std::nullopt);
  ASSERT_TRUE(store_->SetCursor("slack_history:C1", "1700000000.000100").ok());
  ASSERT_TRUE(store_->SetCursor("slack_history:C1", "1700000001.000200").ok());
  ASSERT_TRUE(store_->SetCursor("slack_history:C2", "1").ok());
  store_.reset();
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> reopened = SqliteStateStore::Open(dir_.File("state.db"));
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(*(*reopened)->GetCursor("slack_history:C1"), "1700000001.000200");
  EXPECT_EQ(*(*reopened)->GetCursor("slack_history:C2"), "1");
}

TEST_F(SqliteStateStoreTest, CleanupRemovesOnlyOldFinalRecords) {
  ClaimResult old_done = Claim("2.1", kNow);
  old_done.record.status = RequestStatus::kReplied;
  old_done.record.updated_at = kNow;
  ASSERT_TRUE(store_->Finish(old_done.record).ok());
  ClaimResult old_retry = Claim("2.2", kNow);
  old_retry.record.status = RequestStatus::kFailed;
  old_retry.record.next_retry_at = kNow + absl::Hours(1);
  ASSERT_TRUE(store_->Finish(old_retry.record).ok());
  Claim("2.3", kNow);  // still claimed
  absl::StatusOr<int> removed = store_->Cleanup(kNow + absl::Hours(24));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(store_->Get("C1:2.1")->has_value());
  EXPECT_TRUE(store_->Get("C1:2.2")->has_value());
  EXPECT_TRUE(store_->Get("C1:2.3")->has_value());
}

TEST(SqliteStateStoreOpen, RefusesAFileThatIsNotAStateDatabaseAndLeavesIt) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("state.db"), std::string(2048, 'z'));
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir.File("state.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(store.status().message()).find(dir.File("state.db")), std::string::npos);
  EXPECT_EQ(testing::ReadFile(dir.File("state.db")), std::string(2048, 'z'));
}

}  // namespace
}  // namespace creditbot
