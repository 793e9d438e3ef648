// Tests of the Slack history source's bookkeeping in the state store: watermarks as cursors, and which
// waiting requests come back to be re-read (in order, with what the source needs to read their thread).
#include "bot/state_store_history.h"

#include <gtest/gtest.h>

#include <memory>

#include "bot/due_requests.h"
#include "state/sqlite_state_store.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1752588191);

class StateStoreHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir_.File("state.db"));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    history_ = std::make_unique<StateStoreHistory>(*store_, StateStoreHistoryOptions{absl::Hours(24 * 7)});
  }
  // A record of `ts` in C1 with `status`, last updated at `updated_at`.
  RequestRecord Record(const std::string& ts, RequestStatus status, absl::Time updated_at) {
    RequestRecord record;
    record.key = RequestKey("C1", ts);
    record.channel = "C1";
    record.ts = ts;
    record.status = status;
    record.first_seen_at = record.updated_at = updated_at;
    return record;
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteStateStore> store_;
  std::unique_ptr<StateStoreHistory> history_;
};

TEST_F(StateStoreHistoryTest, AWatermarkIsTheChannelsSlackHistoryCursor) {
  EXPECT_EQ(*history_->Watermark("C1"), std::nullopt);
  ASSERT_TRUE(history_->SaveWatermark("C1", "1700000000.000100").ok());
  EXPECT_EQ(*history_->Watermark("C1"), "1700000000.000100");
  EXPECT_EQ(*store_->GetCursor("slack_history:C1"), "1700000000.000100");
  EXPECT_EQ(*history_->Watermark("C2"), std::nullopt);
}

TEST_F(StateStoreHistoryTest, DueThreadsAreFailuresThenClaimsThenQuestionsThatAreDue) {
  RequestRecord asked = Record("1.1", RequestStatus::kAsked, kNow - absl::Hours(1));
  asked.reply_ts = "1.5";
  ASSERT_TRUE(store_->Finish(asked).ok());
  ASSERT_TRUE(store_->Finish(Record("1.2", RequestStatus::kAsked, kNow - absl::Hours(24 * 8))).ok());
  RequestRecord failed = Record("2.1", RequestStatus::kFailed, kNow - absl::Minutes(20));
  failed.next_retry_at = kNow - absl::Seconds(1);
  ASSERT_TRUE(store_->Finish(failed).ok());
  RequestRecord waiting = Record("2.2", RequestStatus::kFailed, kNow - absl::Minutes(20));
  waiting.next_retry_at = kNow + absl::Seconds(1);
  ASSERT_TRUE(store_->Finish(waiting).ok());
  ASSERT_TRUE(store_->Finish(Record("3.1", RequestStatus::kReplied, kNow)).ok());
  // A claim 11 minutes ago with a 10-minute lease: its process died.
  ASSERT_TRUE(
      ClaimIfDue(*store_, "C1", "4.1", {kNow - absl::Minutes(11), false, false}, absl::Minutes(10), "gone")
          .ok());
  ASSERT_TRUE(ClaimIfDue(*store_, "C1", "4.2", {kNow, false, false}, absl::Minutes(10), "alive").ok());

  absl::StatusOr<std::vector<WaitingThread>> due = history_->DueThreads(kNow, 500);
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->size(), 3u);
  EXPECT_EQ((*due)[0].key, "C1:2.1");
  EXPECT_FALSE((*due)[0].asked);
  EXPECT_EQ((*due)[1].key, "C1:4.1");
  EXPECT_EQ((*due)[1].channel, "C1");
  EXPECT_EQ((*due)[1].ts, "4.1");
  EXPECT_FALSE((*due)[1].asked);
  EXPECT_EQ((*due)[2].key, "C1:1.1");
  EXPECT_TRUE((*due)[2].asked);
  EXPECT_EQ((*due)[2].reply_ts, "1.5");
}

TEST_F(StateStoreHistoryTest, TheLimitIsOnTheNewestRecordsOfEachKind) {
  RequestRecord older = Record("1.1", RequestStatus::kFailed, kNow - absl::Minutes(30));
  older.next_retry_at = kNow - absl::Seconds(1);
  ASSERT_TRUE(store_->Finish(older).ok());
  RequestRecord newer = Record("1.2", RequestStatus::kFailed, kNow - absl::Minutes(20));
  newer.next_retry_at = kNow - absl::Seconds(1);
  ASSERT_TRUE(store_->Finish(newer).ok());
  ASSERT_TRUE(store_->Finish(Record("2.1", RequestStatus::kAsked, kNow - absl::Hours(2))).ok());
  absl::StatusOr<std::vector<WaitingThread>> due = history_->DueThreads(kNow, 1);
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].key, "C1:1.2");  // updated 20 minutes ago, the newer failure
  EXPECT_EQ((*due)[1].key, "C1:2.1");
}

TEST_F(StateStoreHistoryTest, CreditsAwaitingADecisionAreThreadsToReadForCommands) {
  auto entry = [](const std::string& id, const std::string& ts, LedgerStatus status, bool dry_run) {
    LedgerEntry e;
    e.execution_id = id;
    e.request_key = RequestKey("C1", ts);
    e.channel = "C1";
    e.ts = ts;
    e.reply_ts = ts + "9";
    e.status = status;
    e.dry_run = dry_run;
    e.created_at = kNow;
    e.recommended_amount = "255.00";
    return e;
  };
  ASSERT_TRUE(store_->RecordLedgerEntry(entry("E1", "3.1", LedgerStatus::kAwaiting, false)).ok());
  ASSERT_TRUE(store_->RecordLedgerEntry(entry("E2", "3.2", LedgerStatus::kAwaiting, true)).ok());  // dry run
  LedgerEntry approved = entry("E3", "3.3", LedgerStatus::kAutoApproved, false);
  approved.final_amount = "255.00";
  approved.decided_by = "policy";
  approved.decided_at = kNow;
  ASSERT_TRUE(store_->RecordLedgerEntry(approved).ok());
  // A request already due for another reason is listed once, as that.
  RequestRecord failed = Record("3.4", RequestStatus::kFailed, kNow - absl::Minutes(20));
  failed.next_retry_at = kNow - absl::Seconds(1);
  ASSERT_TRUE(store_->Finish(failed).ok());
  ASSERT_TRUE(store_->RecordLedgerEntry(entry("E4", "3.4", LedgerStatus::kAwaiting, false)).ok());

  absl::StatusOr<std::vector<WaitingThread>> due = history_->DueThreads(kNow, 10);
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].key, "C1:3.4");
  EXPECT_FALSE((*due)[0].decisions);
  EXPECT_EQ((*due)[1].key, "C1:3.1");
  EXPECT_EQ((*due)[1].channel, "C1");
  EXPECT_EQ((*due)[1].ts, "3.1");
  EXPECT_EQ((*due)[1].reply_ts, "3.19");  // replies after our credit reply are read
  EXPECT_FALSE((*due)[1].asked);
  EXPECT_TRUE((*due)[1].decisions);
}

}  // namespace
}  // namespace creditbot
