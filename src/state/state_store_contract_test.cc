// The StateStore contract: one typed suite that every store passes — SqliteStateStore in a temporary
// folder and S3StateStore against the fake S3 on loopback (every request's SigV4 signature and payload hash
// verified by the fake). Claims go through bot/due_requests.h's rule, as the pipeline's do. What only one
// store does is tested in its own file (sqlite_state_store_test.cc, s3_state_store_test.cc).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "bot/due_requests.h"
#include "state/s3_state_store_test_runner.h"
#include "state/sqlite_state_store.h"
#include "state/state_store.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeAwsServer;
using ::creditbot::testing::S3Runner;

const absl::Time kNow = absl::FromUnixSeconds(1752588191);

// Each harness opens its kind of store; Open again reopens the same state (a new process).
class SqliteHarness {
 public:
  static constexpr const char* kName = "Sqlite";
  // Closes the store opened last, as a process that exits would, then opens the same file again.
  StateStore* Open() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir_.File("state.db"));
    EXPECT_TRUE(store.ok()) << store.status();
    if (store.ok()) store_ = *std::move(store);
    return store_.get();
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<SqliteStateStore> store_;
};

class S3Harness {
 public:
  static constexpr const char* kName = "S3";
  S3Harness() { server_.CreateBucket(testing::kStateBucket); }
  // A new runner on the same object; the earlier ones stay open.
  StateStore* Open() {
    runners_.push_back(std::make_unique<S3Runner>(server_, credentials_, sleeper_));
    return &runners_.back()->store;
  }

 private:
  FakeAwsServer server_;
  FakeClock fake_clock_{kNow};
  FakeSleeper sleeper_{fake_clock_};
  StaticAwsCredentialsProvider credentials_{testing::FakeLongTermCredentials()};
  std::vector<std::unique_ptr<S3Runner>> runners_;
};

template <typename Harness>
class StateStoreContract : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = harness_.Open();
    ASSERT_NE(store_, nullptr);
  }
  ClaimResult Claim(const std::string& ts, absl::Time now, bool dry_run = false, bool reopen = false) {
    absl::StatusOr<ClaimResult> result =
        ClaimIfDue(*store_, "C1", ts, {now, dry_run, reopen}, absl::Minutes(10), "me");
    EXPECT_TRUE(result.ok()) << result.status();
    return result.value_or(ClaimResult{});
  }

  Harness harness_;
  StateStore* store_ = nullptr;  // owned by harness_
};

struct HarnessName {
  template <typename Harness>
  static std::string GetName(int) {
    return Harness::kName;
  }
};

using Stores = ::testing::Types<SqliteHarness, S3Harness>;
TYPED_TEST_SUITE(StateStoreContract, Stores, HarnessName);

TYPED_TEST(StateStoreContract, ClaimsANewRequestOnceWhileItsLeaseHolds) {
  ClaimResult first = this->Claim("1.1", kNow);
  EXPECT_TRUE(first.claimed);
  EXPECT_FALSE(first.existed);
  EXPECT_EQ(first.record.lease_holder, "me");
  ClaimResult second = this->Claim("1.1", kNow + absl::Minutes(5));
  EXPECT_FALSE(second.claimed);
  EXPECT_TRUE(second.existed);
  EXPECT_EQ(second.record.status, RequestStatus::kClaimed);
  EXPECT_TRUE(this->Claim("1.1", kNow + absl::Minutes(11)).claimed);
}

TYPED_TEST(StateStoreContract, FinishedRequestsAreNotClaimedAgain) {
  ClaimResult claim = this->Claim("1.2", kNow);
  claim.record.status = RequestStatus::kReplied;
  claim.record.execution_id = "20260101T000000Z-abcd";
  claim.record.credit_amount = "255.00";
  ASSERT_TRUE(this->store_->Finish(claim.record).ok());
  EXPECT_FALSE(this->Claim("1.2", kNow + absl::Hours(1)).claimed);
  absl::StatusOr<std::optional<RequestRecord>> record = this->store_->Get("C1:1.2");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->status, RequestStatus::kReplied);
  EXPECT_EQ((*record)->channel, "C1");
  EXPECT_EQ((*record)->ts, "1.2");
  EXPECT_EQ((*record)->execution_id, "20260101T000000Z-abcd");
  EXPECT_EQ((*record)->credit_amount, "255.00");
  EXPECT_EQ((*record)->first_seen_at, kNow);
  EXPECT_FALSE((*record)->lease_until.has_value());
  EXPECT_EQ((*record)->lease_holder, "");
}

TYPED_TEST(StateStoreContract, FailedRequestsAreRetriedOnlyWhenTheirTimeComes) {
  ClaimResult claim = this->Claim("1.3", kNow);
  claim.record.status = RequestStatus::kFailed;
  claim.record.attempts = 1;
  claim.record.next_retry_at = kNow + absl::Minutes(15);
  ASSERT_TRUE(this->store_->Finish(claim.record).ok());
  EXPECT_FALSE(this->Claim("1.3", kNow + absl::Minutes(14)).claimed);
  ClaimResult retry = this->Claim("1.3", kNow + absl::Minutes(15));
  EXPECT_TRUE(retry.claimed);
  EXPECT_EQ(retry.record.attempts, 1);
  retry.record.status = RequestStatus::kFailed;
  retry.record.next_retry_at.reset();
  ASSERT_TRUE(this->store_->Finish(retry.record).ok());
  EXPECT_FALSE(this->Claim("1.3", kNow + absl::Hours(100)).claimed);
}

TYPED_TEST(StateStoreContract, DryRunAnswersAreRedoneByALivePassOnly) {
  ClaimResult claim = this->Claim("1.4", kNow, /*dry_run=*/true);
  claim.record.status = RequestStatus::kReplied;
  claim.record.dry_run = true;
  ASSERT_TRUE(this->store_->Finish(claim.record).ok());
  EXPECT_FALSE(this->Claim("1.4", kNow, /*dry_run=*/true).claimed);
  EXPECT_TRUE(this->Claim("1.4", kNow, /*dry_run=*/false).claimed);
}

TYPED_TEST(StateStoreContract, AnAskedRequestIsReopenedByTheEditThatAddsTheLink) {
  ClaimResult claim = this->Claim("1.5", kNow);
  claim.record.status = RequestStatus::kAsked;
  ASSERT_TRUE(this->store_->Finish(claim.record).ok());
  EXPECT_FALSE(this->Claim("1.5", kNow).claimed);
  EXPECT_TRUE(this->Claim("1.5", kNow, false, /*reopen=*/true).claimed);
}

TYPED_TEST(StateStoreContract, RecordIfAbsentNeverOverwritesAnAnswer) {
  ClaimResult claim = this->Claim("1.6", kNow);
  claim.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(this->store_->Finish(claim.record).ok());
  RequestRecord skip;
  skip.key = "C1:1.6";
  skip.status = RequestStatus::kSkipped;
  EXPECT_FALSE(*this->store_->RecordIfAbsent(skip));
  EXPECT_EQ((*this->store_->Get("C1:1.6"))->status, RequestStatus::kReplied);
  skip.key = "C1:1.7";
  EXPECT_TRUE(*this->store_->RecordIfAbsent(skip));
  EXPECT_EQ((*this->store_->Get("C1:1.7"))->status, RequestStatus::kSkipped);
}

TYPED_TEST(StateStoreContract, PassLeaseKeepsPassesFromOverlapping) {
  EXPECT_TRUE(*this->store_->AcquireLease("pass", "a", kNow, absl::Minutes(10)));
  EXPECT_FALSE(*this->store_->AcquireLease("pass", "b", kNow + absl::Minutes(1), absl::Minutes(10)));
  ASSERT_TRUE(this->store_->ReleaseLease("pass", "b").ok());  // not b's: nothing happens
  EXPECT_FALSE(*this->store_->AcquireLease("pass", "b", kNow + absl::Minutes(2), absl::Minutes(10)));
  EXPECT_TRUE(*this->store_->AcquireLease("pass", "b", kNow + absl::Minutes(11), absl::Minutes(10)));
  ASSERT_TRUE(this->store_->ReleaseLease("pass", "b").ok());
  EXPECT_TRUE(*this->store_->AcquireLease("pass", "c", kNow + absl::Minutes(12), absl::Minutes(10)));
}

TYPED_TEST(StateStoreContract, CursorsKeepTheLastValueAcrossReopening) {
  EXPECT_EQ(*this->store_->GetCursor("slack_history:C1"), std::nullopt);
  ASSERT_TRUE(this->store_->SetCursor("slack_history:C1", "1700000000.000100").ok());
  ASSERT_TRUE(this->store_->SetCursor("slack_history:C1", "1700000001.000200").ok());
  ASSERT_TRUE(this->store_->SetCursor("slack_history:C2", "1").ok());
  StateStore* reopened = this->harness_.Open();  // SQLite: closes the store first
  EXPECT_EQ(*reopened->GetCursor("slack_history:C1"), "1700000001.000200");
  EXPECT_EQ(*reopened->GetCursor("slack_history:C2"), "1");
}

TYPED_TEST(StateStoreContract, CleanupRemovesOnlyOldFinalRecords) {
  ClaimResult old_done = this->Claim("2.1", kNow);
  old_done.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(this->store_->Finish(old_done.record).ok());
  ClaimResult old_retry = this->Claim("2.2", kNow);
  old_retry.record.status = RequestStatus::kFailed;
  old_retry.record.next_retry_at = kNow + absl::Hours(1);
  ASSERT_TRUE(this->store_->Finish(old_retry.record).ok());
  this->Claim("2.3", kNow);  // still claimed
  ClaimResult recent = this->Claim("2.4", kNow + absl::Hours(30));
  recent.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(this->store_->Finish(recent.record).ok());
  absl::StatusOr<int> removed = this->store_->Cleanup(kNow + absl::Hours(24));
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(this->store_->Get("C1:2.1")->has_value());
  EXPECT_TRUE(this->store_->Get("C1:2.2")->has_value());
  EXPECT_TRUE(this->store_->Get("C1:2.3")->has_value());
  EXPECT_TRUE(this->store_->Get("C1:2.4")->has_value());
  EXPECT_EQ(*this->store_->Cleanup(kNow + absl::Hours(24)), 0);
}

TYPED_TEST(StateStoreContract, StatsAndListCountWhatIsThere) {
  ClaimResult a = this->Claim("3.1", kNow);
  a.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(this->store_->Finish(a.record).ok());
  ClaimResult b = this->Claim("3.2", kNow + absl::Minutes(1));
  b.record.status = RequestStatus::kFailed;
  b.record.updated_at = kNow + absl::Minutes(1);
  b.record.next_retry_at = kNow + absl::Hours(1);
  ASSERT_TRUE(this->store_->Finish(b.record).ok());
  absl::StatusOr<StateStats> stats = this->store_->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->total, 2);
  EXPECT_EQ(stats->by_status["replied"], 1);
  EXPECT_EQ(stats->by_status["failed"], 1);
  EXPECT_EQ(stats->pending_retries, 1);
  absl::StatusOr<std::vector<RequestRecord>> all = this->store_->List(std::nullopt, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].key, "C1:3.2");  // newest first
  absl::StatusOr<std::vector<RequestRecord>> failed = this->store_->List(RequestStatus::kFailed, 10);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ(this->store_->List(std::nullopt, 1)->size(), 1u);
}

TYPED_TEST(StateStoreContract, ListShowsTheNewestRequestsFirstWhenUpdatedInTheSameSecond) {
  // One pass finishes several requests within a second; `state list --limit 1` must show the latest message.
  for (const char* ts : {"4.1", "4.3", "4.2"}) {
    ClaimResult claimed = this->Claim(ts, kNow);
    claimed.record.status = RequestStatus::kReplied;
    claimed.record.updated_at = kNow;
    ASSERT_TRUE(this->store_->Finish(claimed.record).ok());
  }
  absl::StatusOr<std::vector<RequestRecord>> newest = this->store_->List(std::nullopt, 2);
  ASSERT_TRUE(newest.ok()) << newest.status();
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_EQ((*newest)[0].key, "C1:4.3");
  EXPECT_EQ((*newest)[1].key, "C1:4.2");
}

TYPED_TEST(StateStoreContract, ForgetRemovesOneRecordSoItIsClaimedAgain) {
  ClaimResult claim = this->Claim("4.1", kNow);
  claim.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(this->store_->Finish(claim.record).ok());
  ASSERT_TRUE(this->store_->Forget("C1:4.1").ok());
  EXPECT_FALSE(this->store_->Get("C1:4.1")->has_value());
  EXPECT_EQ(this->store_->Forget("C1:4.1").code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(this->Claim("4.1", kNow).claimed);
}

TYPED_TEST(StateStoreContract, ImportNeverOverwritesAndExportReturnsEverything) {
  ClaimResult claim = this->Claim("5.1", kNow);
  claim.record.status = RequestStatus::kReplied;
  claim.record.outcome = "credit";
  ASSERT_TRUE(this->store_->Finish(claim.record).ok());
  ASSERT_TRUE(this->store_->SetCursor("slack_history:C1", "5.0").ok());
  ASSERT_TRUE(*this->store_->AcquireLease("pass", "me", kNow, absl::Minutes(10)));

  StateSnapshot incoming;
  RequestRecord other = claim.record;
  other.outcome = "imported";  // same key: must not replace the answer
  incoming.records.push_back(other);
  RequestRecord fresh = other;
  fresh.key = "C1:5.2";
  fresh.ts = "5.2";
  incoming.records.push_back(fresh);
  incoming.cursors["slack_history:C1"] = "9.9";  // the store has one: kept
  incoming.cursors["slack_history:C2"] = "7.7";
  absl::StatusOr<ImportCounts> counts = this->store_->Import(incoming);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->imported, 1);
  EXPECT_EQ(counts->already_present, 1);
  EXPECT_EQ(counts->cursors_imported, 1);
  EXPECT_EQ((*this->store_->Get("C1:5.1"))->outcome, "credit");
  EXPECT_EQ((*this->store_->Get("C1:5.2"))->outcome, "imported");

  absl::StatusOr<StateSnapshot> exported = this->store_->Export();
  ASSERT_TRUE(exported.ok()) << exported.status();
  ASSERT_EQ(exported->records.size(), 2u);
  EXPECT_EQ(exported->records[0].key, "C1:5.1");
  EXPECT_EQ(exported->cursors.at("slack_history:C1"), "5.0");
  EXPECT_EQ(exported->cursors.at("slack_history:C2"), "7.7");
  ASSERT_EQ(exported->leases.count("pass"), 1u);
  EXPECT_EQ(exported->leases.at("pass").holder, "me");
  EXPECT_EQ(exported->leases.at("pass").expires_at, kNow + absl::Minutes(10));
}

}  // namespace
}  // namespace creditbot
