// Tests of the ledger's entries as core's EarlierCredits: which statuses hold cells, which count as credited
// and on which day, the amounts, and LoadEarlierCredits on a real SQLite state store.
#include "bot/earlier_credits.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "state/sqlite_state_store.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;

absl::Time At(int year, int month, int day, int hour) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, 0, 0), absl::UTCTimeZone());
}

LedgerEntry Entry(LedgerStatus status) {
  LedgerEntry entry;
  entry.execution_id = "20250709T230000Z-abcd";
  entry.request_key = "C1:1752102000.000100";
  entry.channel = "C1";
  entry.ts = "1752102000.000100";
  entry.parent_account_sid = "ACp";
  entry.product = "verify";
  entry.recommended_amount = "225.00";
  entry.created_at = At(2025, 7, 9, 23);
  entry.status = status;
  entry.cells = {{absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "400", "", "165.00"}};
  return entry;
}

TEST(EarlierEntryOf, RejectedAndSupersededHoldNoCells) {
  for (LedgerStatus status : {LedgerStatus::kRejected, LedgerStatus::kSuperseded}) {
    absl::StatusOr<EarlierEntry> entry = EarlierEntryOf(Entry(status), "");
    ASSERT_TRUE(entry.ok()) << entry.status();
    EXPECT_FALSE(entry->holds_cells) << LedgerStatusName(status);
    EXPECT_EQ(entry->credited_on, std::nullopt);
  }
}

TEST(EarlierEntryOf, AwaitingHoldsItsCellsButIsNotCredited) {
  absl::StatusOr<EarlierEntry> entry = EarlierEntryOf(Entry(LedgerStatus::kAwaiting), "https://x/p1");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_TRUE(entry->holds_cells);
  EXPECT_EQ(entry->credited_on, std::nullopt);
  EXPECT_EQ(entry->link, "https://x/p1");
  ASSERT_EQ(entry->cells.size(), 1u);
  EXPECT_EQ(entry->cells[0].credited, Decimal::Parse("165.00").value());
  EXPECT_EQ(entry->cells[0].cell.day, absl::CivilDay(2025, 7, 1));
}

TEST(EarlierEntryOf, ApprovedIsCreditedOnTheDayOfTheDecision) {
  LedgerEntry approved = Entry(LedgerStatus::kApproved);
  approved.final_amount = "225.00";
  approved.decided_at = At(2025, 7, 12, 1);  // three days after the calculation
  absl::StatusOr<EarlierEntry> entry = EarlierEntryOf(approved, "");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_TRUE(entry->holds_cells);
  EXPECT_EQ(entry->credited_on, absl::CivilDay(2025, 7, 12));
  EXPECT_EQ(entry->final_amount, Decimal::Parse("225.00").value());
}

TEST(EarlierEntryOf, AutoApprovedIsCreditedOnTheDayOfTheCalculation) {
  LedgerEntry auto_approved = Entry(LedgerStatus::kAutoApproved);
  auto_approved.final_amount = "225.00";
  auto_approved.decided_at = At(2025, 7, 10, 5);
  absl::StatusOr<EarlierEntry> entry = EarlierEntryOf(auto_approved, "");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->credited_on, absl::CivilDay(2025, 7, 9));  // created_at 2025-07-09T23:00Z
}

TEST(EarlierEntryOf, ACreditOfZeroIsNoCredit) {
  LedgerEntry adjusted = Entry(LedgerStatus::kAdjusted);
  adjusted.final_amount = "0.00";
  adjusted.decided_at = At(2025, 7, 12, 1);
  absl::StatusOr<EarlierEntry> entry = EarlierEntryOf(adjusted, "");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_TRUE(entry->holds_cells);
  EXPECT_EQ(entry->credited_on, std::nullopt);
}

TEST(EarlierEntryOf, ADamagedAmountIsAnErrorNamingTheEntry) {
  LedgerEntry damaged = Entry(LedgerStatus::kAwaiting);
  damaged.cells[0].credited = "12,50";
  absl::StatusOr<EarlierEntry> entry = EarlierEntryOf(damaged, "");
  EXPECT_EQ(entry.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(entry.status().message(), HasSubstr("20250709T230000Z-abcd"));
  EXPECT_THAT(entry.status().message(), HasSubstr("'12,50'"));
}

TEST(LoadEarlierCredits, ReadsTheParentsEntriesWithTheirThreadLinks) {
  creditbot::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status();
  LedgerEntry other_parent = Entry(LedgerStatus::kAwaiting);
  other_parent.execution_id = "20250709T230000Z-0000";
  other_parent.parent_account_sid = "ACq";
  ASSERT_TRUE((*store)->RecordLedgerEntry(Entry(LedgerStatus::kAwaiting)).ok());
  ASSERT_TRUE((*store)->RecordLedgerEntry(other_parent).ok());
  LocalOutbox outbox(dir.File("outbox.jsonl"));
  absl::StatusOr<EarlierCredits> earlier =
      LoadEarlierCredits(**store, outbox, "ACp", "C1:1752537600.000200", "verify", /*dry_run=*/false);
  ASSERT_TRUE(earlier.ok()) << earlier.status();
  EXPECT_EQ(earlier->request_key, "C1:1752537600.000200");
  EXPECT_EQ(earlier->product, "verify");
  ASSERT_EQ(earlier->entries.size(), 1u);
  EXPECT_EQ(earlier->entries[0].execution_id, "20250709T230000Z-abcd");
  EXPECT_EQ(earlier->entries[0].link, "https://slack.com/archives/C1/p1752102000000100");
}

}  // namespace
}  // namespace creditbot
