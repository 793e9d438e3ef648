// The StateStore contract: one typed suite that every store passes — SqliteStateStore in a temporary
// folder and S3StateStore against the fake S3 on loopback (every request's SigV4 signature and payload hash
// verified by the fake). Claims go through bot/due_requests.h's rule, as the pipeline's do; the ledger
// (state/ledger.h) is recorded, decided, superseded, listed and exported through the same calls on both. What
// only one store does is tested in its own file (sqlite_state_store_test.cc, s3_state_store_test.cc).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "bot/due_requests.h"
#include "state/s3_state_store.h"
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
  // A parent's own chart sums from its 2nd entry on (1,000 in production), so the tests cover both the
  // parents summed from their entries and those with kept sums.
  static constexpr int kParentChartSumsFrom = 2;

 public:
  static constexpr const char* kName = "Sqlite";
  // Closes the store opened last, as a process that exits would, then opens the same file again.
  StateStore* Open() {
    store_.reset();
    absl::StatusOr<std::unique_ptr<SqliteStateStore>> store =
        SqliteStateStore::Open(dir_.File("state.db"), kParentChartSumsFrom);
    EXPECT_TRUE(store.ok()) << store.status();
    if (store.ok()) store_ = *std::move(store);
    return store_.get();
  }
  // Another process on the same file, open beside the first (for races).
  StateStore* OpenAnother() {
    absl::StatusOr<std::unique_ptr<SqliteStateStore>> store =
        SqliteStateStore::Open(dir_.File("state.db"), kParentChartSumsFrom);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return nullptr;
    others_.push_back(*std::move(store));
    return others_.back().get();
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<SqliteStateStore> store_;
  std::vector<std::unique_ptr<SqliteStateStore>> others_;
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
  // Another runner with its own sleeper, so it may run in its own thread (for races).
  StateStore* OpenAnother() {
    racing_sleepers_.push_back(std::make_unique<SystemSleeper>());
    runners_.push_back(std::make_unique<S3Runner>(server_, credentials_, *racing_sleepers_.back()));
    return &runners_.back()->store;
  }

 private:
  FakeAwsServer server_;
  FakeClock fake_clock_{kNow};
  FakeSleeper sleeper_{fake_clock_};
  StaticAwsCredentialsProvider credentials_{testing::FakeLongTermCredentials()};
  std::vector<std::unique_ptr<SystemSleeper>> racing_sleepers_;
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

// --- The ledger ---

// An awaiting entry of request C1:<n>.0 for parent AC1, recorded at kNow + `minutes`.
LedgerEntry Entry(const std::string& execution_id, int minutes) {
  LedgerEntry entry;
  entry.execution_id = execution_id;
  entry.request_key = "C1:" + std::to_string(minutes) + ".0";
  entry.channel = "C1";
  entry.ts = std::to_string(minutes) + ".0";
  entry.reply_ts = "9.9";
  entry.requester = "U0REQ";
  entry.parent_account_sid = "AC1";
  entry.product = "verify";
  entry.fraud_start = absl::CivilDay(2026, 1, 1);
  entry.fraud_end = absl::CivilDay(2026, 1, 7);
  entry.cells.push_back(LedgerCell{absl::CivilDay(2026, 1, 2), "AC1a", "VA1", "310", "260", "12.50"});
  entry.cells.push_back(LedgerCell{absl::CivilDay(2026, 1, 3), "AC1a", "", "311", "", "0.75"});
  entry.recommended_amount = "13.25";
  entry.policy_name = "verify";
  entry.policy_version = "3";
  entry.policy_sha256 = "abc123";
  entry.created_at = kNow + absl::Minutes(minutes);
  return entry;
}

Decision Approve(const std::string& by) { return Decision{DecisionKind::kApprove, by, kNow, "", ""}; }

std::vector<std::string> Ids(const absl::StatusOr<std::vector<LedgerEntry>>& entries) {
  std::vector<std::string> ids;
  if (!entries.ok()) {
    ADD_FAILURE() << entries.status();
    return ids;
  }
  for (const LedgerEntry& entry : *entries) ids.push_back(entry.execution_id);
  return ids;
}

TYPED_TEST(StateStoreContract, ALedgerEntryIsRecordedOnceWithEveryField) {
  EXPECT_EQ(*this->store_->GetLedgerEntry("e1"), std::nullopt);
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("e1", 0)));
  LedgerEntry again = Entry("e1", 5);
  again.recommended_amount = "99.00";
  EXPECT_FALSE(*this->store_->RecordLedgerEntry(again));  // a pass that records again keeps the first
  EXPECT_EQ(this->store_->RecordLedgerEntry(LedgerEntry{}).status().code(),
            absl::StatusCode::kInvalidArgument);

  StateStore* reopened = this->harness_.Open();
  absl::StatusOr<std::optional<LedgerEntry>> got = reopened->GetLedgerEntry("e1");
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status();
  const LedgerEntry& entry = **got;
  EXPECT_EQ(entry.request_key, "C1:0.0");
  EXPECT_EQ(entry.channel, "C1");
  EXPECT_EQ(entry.ts, "0.0");
  EXPECT_EQ(entry.reply_ts, "9.9");
  EXPECT_EQ(entry.requester, "U0REQ");
  EXPECT_EQ(entry.parent_account_sid, "AC1");
  EXPECT_EQ(entry.product, "verify");
  EXPECT_EQ(entry.fraud_start, absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(entry.fraud_end, absl::CivilDay(2026, 1, 7));
  ASSERT_EQ(entry.cells.size(), 2u);
  EXPECT_TRUE(
      entry.cells[0].SameCell(LedgerCell{absl::CivilDay(2026, 1, 2), "AC1a", "VA1", "310", "260", ""}));
  EXPECT_EQ(entry.cells[0].credited, "12.50");
  EXPECT_TRUE(entry.cells[1].SameCell(LedgerCell{absl::CivilDay(2026, 1, 3), "AC1a", "", "311", "", ""}));
  EXPECT_EQ(entry.cells[1].credited, "0.75");
  EXPECT_EQ(entry.recommended_amount, "13.25");
  EXPECT_EQ(entry.currency, "USD");
  EXPECT_EQ(entry.policy_name, "verify");
  EXPECT_EQ(entry.policy_version, "3");
  EXPECT_EQ(entry.policy_sha256, "abc123");
  EXPECT_FALSE(entry.dry_run);
  EXPECT_EQ(entry.created_at, kNow);
  EXPECT_EQ(entry.status, LedgerStatus::kAwaiting);
  EXPECT_EQ(entry.final_amount, "");
  EXPECT_EQ(entry.decided_by, "");
  EXPECT_EQ(entry.decided_at, std::nullopt);
  EXPECT_FALSE(entry.reply_updated);
}

TYPED_TEST(StateStoreContract, AnEntryIsDecidedOnceAndTheSecondDeciderLearnsWhoDecided) {
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("e1", 0)));
  Decision first = Approve("U0FIRST");
  first.at = kNow + absl::Minutes(3);
  absl::StatusOr<DecideResult> decided = this->store_->Decide("e1", first);
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_TRUE(decided->applied);
  EXPECT_EQ(decided->entry.status, LedgerStatus::kApproved);
  EXPECT_EQ(decided->entry.final_amount, "13.25");

  Decision second{DecisionKind::kReject, "U0SECOND", kNow + absl::Minutes(4), "", "duplicate"};
  absl::StatusOr<DecideResult> late = this->store_->Decide("e1", second);
  ASSERT_TRUE(late.ok()) << late.status();
  EXPECT_FALSE(late->applied);
  EXPECT_EQ(late->entry.status, LedgerStatus::kApproved);
  EXPECT_EQ(late->entry.decided_by, "U0FIRST");
  EXPECT_EQ(late->entry.decided_at, kNow + absl::Minutes(3));

  absl::StatusOr<std::optional<LedgerEntry>> stored = this->harness_.Open()->GetLedgerEntry("e1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->status, LedgerStatus::kApproved);
  EXPECT_EQ((*stored)->final_amount, "13.25");
  EXPECT_EQ((*stored)->decided_by, "U0FIRST");
  EXPECT_EQ((*stored)->decided_at, kNow + absl::Minutes(3));
  EXPECT_EQ((*stored)->reason, "");
}

TYPED_TEST(StateStoreContract, RejectAndAdjustNeedAReasonAndAdjustAnAmount) {
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("e1", 0)));
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("e2", 1)));
  auto code = [this](const Decision& decision) {
    return this->store_->Decide("e1", decision).status().code();
  };
  EXPECT_EQ(code({DecisionKind::kReject, "U1", kNow, "", ""}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({DecisionKind::kReject, "U1", kNow, "", "  "}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({DecisionKind::kAdjust, "U1", kNow, "", "partial"}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({DecisionKind::kAdjust, "U1", kNow, "12.5", "partial"}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({DecisionKind::kAdjust, "U1", kNow, "10.00", ""}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({DecisionKind::kApprove, "", kNow, "", ""}), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->Decide("missing", Approve("U1")).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ((*this->store_->GetLedgerEntry("e1"))->status, LedgerStatus::kAwaiting);  // nothing recorded

  absl::StatusOr<DecideResult> rejected =
      this->store_->Decide("e1", {DecisionKind::kReject, "U1", kNow, "", "not fraud, a launch"});
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_TRUE(rejected->applied);
  EXPECT_EQ(rejected->entry.status, LedgerStatus::kRejected);
  EXPECT_EQ(rejected->entry.final_amount, "0.00");
  EXPECT_EQ(rejected->entry.reason, "not fraud, a launch");

  absl::StatusOr<DecideResult> adjusted =
      this->store_->Decide("e2", {DecisionKind::kAdjust, "U2", kNow, "10.00", "half was a test"});
  ASSERT_TRUE(adjusted.ok()) << adjusted.status();
  EXPECT_TRUE(adjusted->applied);
  absl::StatusOr<std::optional<LedgerEntry>> stored = this->store_->GetLedgerEntry("e2");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->status, LedgerStatus::kAdjusted);
  EXPECT_EQ((*stored)->final_amount, "10.00");
  EXPECT_EQ((*stored)->recommended_amount, "13.25");
  EXPECT_EQ((*stored)->reason, "half was a test");
  EXPECT_EQ((*stored)->decided_by, "U2");
}

TYPED_TEST(StateStoreContract, TwoConcurrentDecidersOnTwoInstancesRecordExactlyOneDecision) {
  constexpr int kEntries = 8;
  for (int i = 0; i < kEntries; ++i) {
    ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("race" + std::to_string(i), i)));
  }
  StateStore* a = this->harness_.OpenAnother();
  StateStore* b = this->harness_.OpenAnother();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  std::atomic<int> applied_a{0}, applied_b{0}, errors{0};
  auto decide_all = [&](StateStore* store, const std::string& by, std::atomic<int>& applied) {
    for (int i = 0; i < kEntries; ++i) {
      absl::StatusOr<DecideResult> result = store->Decide("race" + std::to_string(i), Approve(by));
      if (!result.ok()) {
        ++errors;
      } else if (result->applied) {
        ++applied;
      } else if (result->entry.decided_by == by) {
        ++errors;  // not applied, yet names this decider: a decision was lost or doubled
      }
    }
  };
  std::thread thread_a([&] { decide_all(a, "U0A", applied_a); });
  std::thread thread_b([&] { decide_all(b, "U0B", applied_b); });
  thread_a.join();
  thread_b.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(applied_a.load() + applied_b.load(), kEntries);
  for (int i = 0; i < kEntries; ++i) {
    absl::StatusOr<std::optional<LedgerEntry>> entry =
        this->store_->GetLedgerEntry("race" + std::to_string(i));
    ASSERT_TRUE(entry.ok() && entry->has_value());
    EXPECT_EQ((*entry)->status, LedgerStatus::kApproved);
    EXPECT_TRUE((*entry)->decided_by == "U0A" || (*entry)->decided_by == "U0B") << (*entry)->decided_by;
  }
}

TYPED_TEST(StateStoreContract, SupersedeReplacesAnyEntryOnceAndStopsItsDecision) {
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("old", 0)));
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("decided", 1)));
  ASSERT_TRUE(this->store_->Decide("decided", Approve("U1"))->applied);

  absl::StatusOr<DecideResult> superseded = this->store_->Supersede("old", "new", kNow + absl::Hours(1));
  ASSERT_TRUE(superseded.ok()) << superseded.status();
  EXPECT_TRUE(superseded->applied);
  EXPECT_EQ(superseded->entry.status, LedgerStatus::kSuperseded);
  EXPECT_EQ(superseded->entry.superseded_by, "new");
  absl::StatusOr<DecideResult> twice = this->store_->Supersede("old", "newer", kNow + absl::Hours(2));
  ASSERT_TRUE(twice.ok()) << twice.status();
  EXPECT_FALSE(twice->applied);
  EXPECT_EQ(twice->entry.superseded_by, "new");
  EXPECT_FALSE(this->store_->Decide("old", Approve("U1"))->applied);  // no longer awaiting

  absl::StatusOr<DecideResult> after_decision = this->store_->Supersede("decided", "fix", kNow);
  ASSERT_TRUE(after_decision.ok()) << after_decision.status();
  EXPECT_TRUE(after_decision->applied);
  absl::StatusOr<std::optional<LedgerEntry>> stored = this->harness_.Open()->GetLedgerEntry("decided");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->status, LedgerStatus::kSuperseded);
  EXPECT_EQ((*stored)->superseded_by, "fix");
  EXPECT_EQ((*stored)->superseded_at, kNow);
  EXPECT_EQ((*stored)->decided_by, "U1");  // the decision it had stays on record
  EXPECT_EQ(this->harness_.Open()->Supersede("missing", "x", kNow).status().code(),
            absl::StatusCode::kNotFound);
}

TYPED_TEST(StateStoreContract, ReplyUpdatedIsClearedByADecisionAndSetByMarkReplyUpdated) {
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("e1", 0)));
  ASSERT_TRUE(this->store_->Decide("e1", Approve("U1"))->applied);
  EXPECT_FALSE((*this->store_->GetLedgerEntry("e1"))->reply_updated);
  ASSERT_TRUE(this->store_->MarkReplyUpdated("e1").ok());
  this->store_ = this->harness_.Open();  // SQLite: closes the store first
  EXPECT_TRUE((*this->store_->GetLedgerEntry("e1"))->reply_updated);
  ASSERT_TRUE(this->store_->MarkReplyUpdated("e1").ok());  // again: still OK
  EXPECT_EQ(this->store_->MarkReplyUpdated("missing").code(), absl::StatusCode::kNotFound);
}

// What FinishPendingUpdates reads each pass: decided entries whose reply does not show the decision yet,
// never an awaiting or auto-approved one, and no longer one marked reply_updated.
TYPED_TEST(StateStoreContract, ReplyPendingListsOnlyDecisionsNotYetShown) {
  for (const char* id : {"approved", "rejected", "awaiting", "auto", "shown"}) {
    LedgerEntry entry = Entry(id, 0);
    if (std::string_view(id) == "auto") entry.status = LedgerStatus::kAutoApproved;
    ASSERT_TRUE(*this->store_->RecordLedgerEntry(entry));
  }
  ASSERT_TRUE(this->store_->Decide("approved", Approve("U1"))->applied);
  Decision reject = Approve("U1");
  reject.kind = DecisionKind::kReject;
  reject.reason = "not fraud";
  ASSERT_TRUE(this->store_->Decide("rejected", reject)->applied);
  ASSERT_TRUE(this->store_->Decide("shown", Approve("U1"))->applied);
  ASSERT_TRUE(this->store_->MarkReplyUpdated("shown").ok());
  LedgerFilter pending;
  pending.reply_pending = true;
  absl::StatusOr<std::vector<LedgerEntry>> listed = this->harness_.Open()->ListLedger(pending);
  ASSERT_TRUE(listed.ok()) << listed.status();
  std::set<std::string> ids;
  for (const LedgerEntry& entry : *listed) ids.insert(entry.execution_id);
  EXPECT_EQ(ids, (std::set<std::string>{"approved", "rejected"}));
}

TYPED_TEST(StateStoreContract, EntriesRecordedWithinOneSecondListInTheOrderTheyWereMade) {
  // A recalculation recorded 250 ms after the entry it supersedes: the store keeps the fraction, so the
  // newer lists first although its id ("a…") sorts before the older one's ("z…").
  LedgerEntry older = Entry("z-first", 0);
  older.created_at = kNow + absl::Milliseconds(100);
  LedgerEntry newer = Entry("a-second", 0);
  newer.created_at = kNow + absl::Milliseconds(350);
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(older));
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(newer));
  StateStore* reopened = this->harness_.Open();
  EXPECT_EQ(Ids(reopened->ListLedger({})), (std::vector<std::string>{"a-second", "z-first"}));
  EXPECT_EQ((*reopened->GetLedgerEntry("a-second"))->created_at, kNow + absl::Milliseconds(350));
  LedgerFilter since;
  since.since = kNow + absl::Milliseconds(200);  // the bound keeps its fraction too
  EXPECT_EQ(Ids(reopened->ListLedger(since)), (std::vector<std::string>{"a-second"}));
}

TYPED_TEST(StateStoreContract, ListLedgerFiltersPagesNewestFirstAndCountIgnoresPaging) {
  // e0..e5 at minutes 0..5; e6 at minute 5 too (same second: the larger id first).
  for (int i = 0; i <= 5; ++i) {
    LedgerEntry entry = Entry("e" + std::to_string(i), i);
    if (i % 2 == 1) entry.parent_account_sid = "AC2";
    if (i == 4) entry.product = "sms";
    ASSERT_TRUE(*this->store_->RecordLedgerEntry(entry));
  }
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("e6", 5)));
  ASSERT_TRUE(this->store_->Decide("e2", Approve("U1"))->applied);
  ASSERT_TRUE(this->store_->Decide("e3", Approve("U1"))->applied);
  StateStore* store = this->store_;
  using V = std::vector<std::string>;

  EXPECT_EQ(Ids(store->ListLedger({})), (V{"e6", "e5", "e4", "e3", "e2", "e1", "e0"}));
  LedgerFilter window;
  window.since = kNow + absl::Minutes(1);
  window.until = kNow + absl::Minutes(4);  // exclusive
  EXPECT_EQ(Ids(store->ListLedger(window)), (V{"e3", "e2", "e1"}));
  EXPECT_EQ(*store->CountLedger(window), 3);
  LedgerFilter approved;
  approved.status = LedgerStatus::kApproved;
  EXPECT_EQ(Ids(store->ListLedger(approved)), (V{"e3", "e2"}));
  LedgerFilter parent;
  parent.parent_account_sid = "AC2";
  EXPECT_EQ(Ids(store->ListLedger(parent)), (V{"e5", "e3", "e1"}));
  parent.status = LedgerStatus::kAwaiting;
  EXPECT_EQ(Ids(store->ListLedger(parent)), (V{"e5", "e1"}));
  LedgerFilter product;
  product.product = "sms";
  EXPECT_EQ(Ids(store->ListLedger(product)), (V{"e4"}));
  LedgerFilter request;
  request.request_key = "C1:2.0";
  EXPECT_EQ(Ids(store->ListLedger(request)), (V{"e2"}));

  LedgerFilter page;
  page.limit = 3;
  EXPECT_EQ(Ids(store->ListLedger(page)), (V{"e6", "e5", "e4"}));
  page.offset = 3;
  EXPECT_EQ(Ids(store->ListLedger(page)), (V{"e3", "e2", "e1"}));
  page.offset = 6;
  EXPECT_EQ(Ids(store->ListLedger(page)), (V{"e0"}));
  EXPECT_EQ(*store->CountLedger(page), 7);
  page.status = LedgerStatus::kAwaiting;
  page.offset = 0;
  page.limit = 1;
  EXPECT_EQ(Ids(store->ListLedger(page)), (V{"e6"}));
  EXPECT_EQ(*store->CountLedger(page), 5);
  // Listed entries carry their cells.
  absl::StatusOr<std::vector<LedgerEntry>> listed = store->ListLedger(page);
  ASSERT_TRUE(listed.ok() && listed->size() == 1u);
  EXPECT_EQ((*listed)[0].cells.size(), 2u);
}

TYPED_TEST(StateStoreContract, TheLedgerTravelsThroughExportAndImport) {
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("e1", 0)));
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("e2", 1)));
  ASSERT_TRUE(
      this->store_->Decide("e2", {DecisionKind::kReject, "U1", kNow, "", "a, \"quoted\"\nreason"})->applied);
  absl::StatusOr<StateSnapshot> exported = this->store_->Export();
  ASSERT_TRUE(exported.ok()) << exported.status();
  ASSERT_EQ(exported->ledger.size(), 2u);
  EXPECT_EQ(exported->ledger[0].execution_id, "e1");

  // Through the export file's text (`state export` writes it for either store), into a new store.
  const std::string text = SerializeStateDocument(StateDocument::FromSnapshot(*exported));
  absl::StatusOr<StateDocument> parsed = ParseStateDocument(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  TypeParam other_harness;
  StateStore* other = other_harness.Open();
  ASSERT_TRUE(*other->RecordLedgerEntry(Entry("e1", 9)));  // already there: left as it is
  absl::StatusOr<ImportCounts> counts = other->Import(parsed->ToSnapshot());
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->ledger_imported, 1);
  EXPECT_EQ(counts->ledger_already_present, 1);
  EXPECT_EQ((*other->GetLedgerEntry("e1"))->created_at, kNow + absl::Minutes(9));
  absl::StatusOr<std::optional<LedgerEntry>> e2 = other->GetLedgerEntry("e2");
  ASSERT_TRUE(e2.ok() && e2->has_value());
  EXPECT_EQ((*e2)->status, LedgerStatus::kRejected);
  EXPECT_EQ((*e2)->reason, "a, \"quoted\"\nreason");
  EXPECT_EQ((*e2)->final_amount, "0.00");
  EXPECT_EQ((*e2)->cells.size(), 2u);
  EXPECT_EQ((*e2)->fraud_end, absl::CivilDay(2026, 1, 7));
}

// --- The pause switch (state/pause.h) ---

PauseState Pause(bool paused, const std::string& by, absl::Time since, const std::string& reason) {
  return PauseState{paused, by, since, reason};
}

TYPED_TEST(StateStoreContract, ThePauseIsOffUntilSetAndEachSwitchIsAppliedOnceWithWhoWhenAndWhy) {
  absl::StatusOr<PauseState> fresh = this->store_->GetPause();
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(*fresh, PauseState{});  // not paused, nobody, never

  absl::StatusOr<PauseChange> paused = this->store_->SetPause(Pause(true, "U1", kNow, "warehouse migration"));
  ASSERT_TRUE(paused.ok()) << paused.status();
  EXPECT_TRUE(paused->applied);
  EXPECT_EQ(paused->before, PauseState{});
  StateStore* reopened = this->harness_.Open();  // another process sees it
  EXPECT_EQ(*reopened->GetPause(), Pause(true, "U1", kNow, "warehouse migration"));

  // A second pause changes nothing and is told who paused first.
  absl::StatusOr<PauseChange> again = reopened->SetPause(Pause(true, "U2", kNow + absl::Minutes(1), "other"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->applied);
  EXPECT_EQ(again->before, Pause(true, "U1", kNow, "warehouse migration"));
  EXPECT_EQ(*reopened->GetPause(), Pause(true, "U1", kNow, "warehouse migration"));

  absl::StatusOr<PauseChange> resumed = reopened->SetPause(Pause(false, "U2", kNow + absl::Minutes(2), ""));
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_TRUE(resumed->applied);
  EXPECT_EQ(resumed->before.by, "U1");
  StateStore* last = this->harness_.Open();  // (the SQLite harness closes the ones before)
  EXPECT_EQ(*last->GetPause(), Pause(false, "U2", kNow + absl::Minutes(2), ""));
  EXPECT_FALSE(last->SetPause(Pause(false, "U3", kNow + absl::Minutes(3), ""))->applied);
}

TYPED_TEST(StateStoreContract, APauseNeedsAReasonAndATime) {
  absl::StatusOr<PauseChange> no_reason = this->store_->SetPause(Pause(true, "U1", kNow, ""));
  EXPECT_EQ(no_reason.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_reason.status().message(), "a pause needs a reason");
  PauseState no_time{true, "U1", std::nullopt, "why"};
  EXPECT_EQ(this->store_->SetPause(no_time).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*this->store_->GetPause(), PauseState{});
}

// The S3 store rewrites its whole object on every claim: the pause must survive claims, finishes, cursors,
// leases and cleanups made while paused (by a runner that does not look at it), on both stores.
TYPED_TEST(StateStoreContract, ThePauseSurvivesEveryOtherWrite) {
  ASSERT_TRUE(this->store_->SetPause(Pause(true, "U1", kNow, "incident 42"))->applied);
  ClaimResult claim = this->Claim("1.1", kNow);
  ASSERT_TRUE(claim.claimed);
  RequestRecord record = claim.record;
  record.status = RequestStatus::kReplied;
  ASSERT_TRUE(this->store_->Finish(record).ok());
  ASSERT_TRUE(this->store_->SetCursor("slack_history:C1", "1.1").ok());
  ASSERT_TRUE(*this->store_->AcquireLease("pass", "me", kNow, absl::Minutes(1)));
  ASSERT_TRUE(this->store_->ReleaseLease("pass", "me").ok());
  ASSERT_TRUE(this->store_->Forget("C1:1.1").ok());
  EXPECT_EQ(*this->harness_.Open()->GetPause(), Pause(true, "U1", kNow, "incident 42"));
}

TYPED_TEST(StateStoreContract, ThePauseTravelsThroughExportAndImportIntoAStoreNeverSwitched) {
  ASSERT_TRUE(this->store_->SetPause(Pause(true, "U1", kNow, "moving to S3"))->applied);
  absl::StatusOr<StateSnapshot> exported = this->store_->Export();
  ASSERT_TRUE(exported.ok()) << exported.status();
  ASSERT_TRUE(exported->pause.has_value());
  const std::string text = SerializeStateDocument(StateDocument::FromSnapshot(*exported));
  absl::StatusOr<StateDocument> parsed = ParseStateDocument(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status();

  TypeParam never_switched;
  StateStore* fresh = never_switched.Open();
  absl::StatusOr<ImportCounts> counts = fresh->Import(parsed->ToSnapshot());
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_TRUE(counts->pause_imported);
  EXPECT_EQ(*fresh->GetPause(), Pause(true, "U1", kNow, "moving to S3"));

  // A store whose switch was set here keeps its own: a resume is never undone by an import.
  TypeParam resumed_here;
  StateStore* resumed = resumed_here.Open();
  ASSERT_TRUE(resumed->SetPause(Pause(true, "U2", kNow, "x"))->applied);
  ASSERT_TRUE(resumed->SetPause(Pause(false, "U2", kNow + absl::Minutes(1), ""))->applied);
  counts = resumed->Import(parsed->ToSnapshot());
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_FALSE(counts->pause_imported);
  EXPECT_EQ(*resumed->GetPause(), Pause(false, "U2", kNow + absl::Minutes(1), ""));
}

// The chart sums without the rows that summed to 0 (the SQLite store drops them, S3 may keep them).
std::map<std::tuple<absl::CivilDay, std::string, std::string>, int64_t> NonZero(
    const absl::StatusOr<LedgerChartSums>& sums) {
  std::map<std::tuple<absl::CivilDay, std::string, std::string>, int64_t> kept;
  if (!sums.ok()) {
    ADD_FAILURE() << sums.status();
    return kept;
  }
  for (const auto& [key, value] : *sums) {
    if (value != 0) kept[key] = value;
  }
  return kept;
}

TYPED_TEST(StateStoreContract, ChartSumsFollowEveryRecordDecisionAndSupersession) {
  const absl::CivilDay day(2025, 7, 15);  // kNow's UTC day: the weekly series' key
  const absl::CivilDay kAll;              // every other series is summed over the filter's days
  LedgerEntry first = Entry("e1", 0);
  first.ts = "100.0";  // asked at 1970-01-01T00:01:40Z (Entry's "0.0" would be no request time)
  first.credited_by_country = {{"PK", "10.00"}, {"BD", "3.25"}};
  first.credited_by_mode = {{"basic", "13.25"}, {"max", "0.00"}, {"off", "0.00"}, {"standard", "0.00"}};
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(first));
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(Entry("e2", 5)));  // recorded before breakdowns were kept
  absl::StatusOr<std::optional<LedgerEntry>> read = this->store_->GetLedgerEntry("e1");
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->credited_by_country, first.credited_by_country);
  EXPECT_EQ((*read)->credited_by_mode, first.credited_by_mode);

  // Both awaiting: 13.25 recommended each; asked (ts 100.0 and 5.0) decades before kNow: "> 3 days".
  using Sums = std::map<std::tuple<absl::CivilDay, std::string, std::string>, int64_t>;
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(LedgerFilter{})),
            (Sums{{{kAll, "rows", ""}, 2},
                  {{kAll, "entries", ""}, 2},
                  {{day, "recommended", ""}, 2650},
                  {{kAll, "reply_hours", "> 3 days"}, 2}}));

  ASSERT_TRUE(this->store_->Decide("e1", Approve("U1"))->applied);
  ASSERT_TRUE(this->store_->Supersede("e2", "e3", kNow + absl::Minutes(9))->applied);
  const Sums decided{{{kAll, "rows", ""}, 2},
                     {{kAll, "entries", ""}, 1},
                     {{day, "recommended", ""}, 1325},
                     {{day, "approved", ""}, 1325},
                     {{kAll, "mcc", "310"}, 1250},
                     {{kAll, "mcc", "311"}, 75},
                     {{kAll, "country", "PK"}, 1000},
                     {{kAll, "country", "BD"}, 325},
                     {{kAll, "mode", "basic"}, 1325},
                     {{kAll, "reply_hours", "> 3 days"}, 1},
                     {{kAll, "decide_hours", "> 3 days"}, 1}};
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(LedgerFilter{})), decided);
  // The same through a filter the per-day sums cannot answer (the entries are read instead)…
  LedgerFilter parent;
  parent.parent_account_sid = "AC1";
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(parent)), decided);
  // …and through whole days: the day of the entries, then the day after (nothing).
  LedgerFilter days;
  days.since = absl::FromCivil(day, absl::UTCTimeZone());
  days.until = absl::FromCivil(day + 1, absl::UTCTimeZone());
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(days)), decided);
  // …and through whole months (July), and the month after (nothing).
  days.since = absl::FromCivil(absl::CivilDay(2025, 7, 1), absl::UTCTimeZone());
  days.until = absl::FromCivil(absl::CivilDay(2025, 8, 1), absl::UTCTimeZone());
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(days)), decided);
  days.since = absl::FromCivil(absl::CivilDay(2025, 6, 10), absl::UTCTimeZone());  // June 10 to Aug 5
  days.until = absl::FromCivil(absl::CivilDay(2025, 8, 5), absl::UTCTimeZone());
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(days)), decided);
  days.since = days.until;
  days.until = absl::FromCivil(absl::CivilDay(2025, 10, 1), absl::UTCTimeZone());
  EXPECT_TRUE(NonZero(this->store_->SumLedgerCharts(days)).empty());
}

// Every filter the dashboard's /api/charts accepts (product, status, parent, with whole days, together),
// hand-summed. The SQLite harness keeps a parent's own sums from its 2nd entry: AC1 gets them when m2 is
// recorded (after m1's decision), AC2 (one entry) is summed from its entries.
TYPED_TEST(StateStoreContract, ChartSumsOfEachFilterTheDashboardAccepts) {
  const absl::CivilDay july15(2025, 7, 15);  // kNow's UTC day
  const absl::CivilDay aug2(2025, 8, 2);     // kNow + 18 days
  const absl::CivilDay kAll;
  const int later = 18 * 24 * 60;  // minutes
  auto entry = [](const std::string& id, int minutes, const std::string& parent, const std::string& product) {
    LedgerEntry made = Entry(id, minutes);  // 13.25 recommended: 12.50 on MCC 310, 0.75 on 311
    made.ts =
        std::to_string(minutes + 100) + ".0";  // asked decades before: "> 3 days" (Entry's "0.0": never)
    made.parent_account_sid = parent;
    made.product = product;
    return made;
  };
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(entry("m1", 0, "AC1", "messaging")));
  ASSERT_TRUE(this->store_->Decide("m1", Approve("U1"))->applied);
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(entry("m2", later, "AC1", "messaging")));  // stays awaiting
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(entry("v1", 1, "AC2", "verify")));
  ASSERT_TRUE(*this->store_->RecordLedgerEntry(entry("v2", later + 1, "AC1", "verify")));
  ASSERT_TRUE(this->store_->Decide("v1", Approve("U1"))->applied);
  ASSERT_TRUE(this->store_->Decide("v2", Approve("U1"))->applied);

  using Sums = std::map<std::tuple<absl::CivilDay, std::string, std::string>, int64_t>;
  auto days = [](LedgerFilter filter, absl::CivilDay since, absl::CivilDay until) {
    filter.since = absl::FromCivil(since, absl::UTCTimeZone());
    filter.until = absl::FromCivil(until, absl::UTCTimeZone());
    return filter;
  };
  LedgerFilter messaging;
  messaging.product = "messaging";  // m1 approved, m2 awaiting
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(messaging)),
            (Sums{{{kAll, "rows", ""}, 2},
                  {{kAll, "entries", ""}, 2},
                  {{july15, "recommended", ""}, 1325},
                  {{aug2, "recommended", ""}, 1325},
                  {{july15, "approved", ""}, 1325},
                  {{kAll, "mcc", "310"}, 1250},
                  {{kAll, "mcc", "311"}, 75},
                  {{kAll, "no_breakdown", ""}, 1},
                  {{kAll, "reply_hours", "> 3 days"}, 2},
                  {{kAll, "decide_hours", "> 3 days"}, 1}}));
  LedgerFilter approved;
  approved.status = LedgerStatus::kApproved;  // m1, v1 (July 15), v2 (August 2)
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(approved)),
            (Sums{{{kAll, "rows", ""}, 3},
                  {{kAll, "entries", ""}, 3},
                  {{july15, "recommended", ""}, 2650},
                  {{aug2, "recommended", ""}, 1325},
                  {{july15, "approved", ""}, 2650},
                  {{aug2, "approved", ""}, 1325},
                  {{kAll, "mcc", "310"}, 3750},
                  {{kAll, "mcc", "311"}, 225},
                  {{kAll, "no_breakdown", ""}, 3},
                  {{kAll, "reply_hours", "> 3 days"}, 3},
                  {{kAll, "decide_hours", "> 3 days"}, 3}}));
  // One approved entry of 13.25 on `day`: what each of the narrower filters below finds.
  auto one_approved = [&kAll](absl::CivilDay day) {
    return Sums{{{kAll, "rows", ""}, 1},
                {{kAll, "entries", ""}, 1},
                {{day, "recommended", ""}, 1325},
                {{day, "approved", ""}, 1325},
                {{kAll, "mcc", "310"}, 1250},
                {{kAll, "mcc", "311"}, 75},
                {{kAll, "no_breakdown", ""}, 1},
                {{kAll, "reply_hours", "> 3 days"}, 1},
                {{kAll, "decide_hours", "> 3 days"}, 1}};
  };
  LedgerFilter verify_approved = approved;
  verify_approved.product = "verify";  // v2 only in August; v1 only in July
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(
                days(verify_approved, absl::CivilDay(2025, 8, 1), absl::CivilDay(2025, 9, 1)))),
            one_approved(aug2));
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(
                days(verify_approved, absl::CivilDay(2025, 7, 15), absl::CivilDay(2025, 7, 16)))),
            one_approved(july15));
  LedgerFilter ac1;
  ac1.parent_account_sid = "AC1";  // m1 approved, m2 awaiting, v2 approved
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(ac1)), (Sums{{{kAll, "rows", ""}, 3},
                                                               {{kAll, "entries", ""}, 3},
                                                               {{july15, "recommended", ""}, 1325},
                                                               {{aug2, "recommended", ""}, 2650},
                                                               {{july15, "approved", ""}, 1325},
                                                               {{aug2, "approved", ""}, 1325},
                                                               {{kAll, "mcc", "310"}, 2500},
                                                               {{kAll, "mcc", "311"}, 150},
                                                               {{kAll, "no_breakdown", ""}, 2},
                                                               {{kAll, "reply_hours", "> 3 days"}, 3},
                                                               {{kAll, "decide_hours", "> 3 days"}, 2}}));
  LedgerFilter ac1_messaging = ac1;
  ac1_messaging.product = "messaging";  // until August 2 (exclusive): m1 only
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(
                days(ac1_messaging, absl::CivilDay(2025, 7, 10), absl::CivilDay(2025, 8, 2)))),
            one_approved(july15));
  LedgerFilter ac1_awaiting = ac1;
  ac1_awaiting.status = LedgerStatus::kAwaiting;  // m2
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(ac1_awaiting)),
            (Sums{{{kAll, "rows", ""}, 1},
                  {{kAll, "entries", ""}, 1},
                  {{aug2, "recommended", ""}, 1325},
                  {{kAll, "reply_hours", "> 3 days"}, 1}}));
  LedgerFilter ac2;
  ac2.parent_account_sid = "AC2";  // v1
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(ac2)), one_approved(july15));
  ac2.product = "messaging";
  EXPECT_TRUE(NonZero(this->store_->SumLedgerCharts(ac2)).empty());
  // A supersession moves a kept parent's sums too: m2 counts for nothing but its row.
  ASSERT_TRUE(this->store_->Supersede("m2", "m3", kNow + absl::Hours(20 * 24))->applied);
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(ac1_awaiting)), Sums{});
  LedgerFilter superseded = ac1;
  superseded.status = LedgerStatus::kSuperseded;
  EXPECT_EQ(NonZero(this->store_->SumLedgerCharts(superseded)), (Sums{{{kAll, "rows", ""}, 1}}));
}

}  // namespace
}  // namespace creditbot
