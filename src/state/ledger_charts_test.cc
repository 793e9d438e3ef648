// Tests of what one ledger entry adds to the dashboard's charts (state/ledger_charts.h). Expected rows are
// worked out by hand from each entry.
#include "state/ledger_charts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace creditbot {
namespace {

using ::testing::UnorderedElementsAre;

const absl::Time kCreated = absl::FromUnixSeconds(1752588191);  // 2025-07-15T14:03:11Z
const absl::CivilDay kDay(2025, 7, 15);

LedgerChartRow Row(const char* kind, const char* label, int64_t value) {
  return LedgerChartRow{kDay, kind, label, value};
}

// Asked 90 minutes before its entry; two cells of MCC 410 and one of 434; credited by country and mode.
LedgerEntry Entry(LedgerStatus status) {
  LedgerEntry entry;
  entry.execution_id = "E1";
  entry.ts = "1752582791.000100";  // kCreated - 5400 s
  entry.created_at = kCreated;
  entry.recommended_amount = "100.00";
  entry.cells = {LedgerCell{absl::CivilDay(2025, 7, 1), "AC1", "", "410", "", "60.00"},
                 LedgerCell{absl::CivilDay(2025, 7, 2), "AC1", "", "410", "", "15.50"},
                 LedgerCell{absl::CivilDay(2025, 7, 2), "AC1", "", "434", "", "24.50"}};
  entry.credited_by_country = {{"PK", "75.50"}, {"UZ", "24.50"}};
  entry.credited_by_mode = {{"basic", "70.00"}, {"max", "30.00"}, {"off", "0.00"}, {"standard", "0.00"}};
  entry.status = status;
  return entry;
}

TEST(AmountCents, ReadsDecimalStringsAsWholeCents) {
  EXPECT_EQ(AmountCents("1234.50"), 123450);
  EXPECT_EQ(AmountCents("0.00"), 0);
  EXPECT_EQ(AmountCents("12"), 1200);
  EXPECT_EQ(AmountCents("7.5"), 750);
  EXPECT_EQ(AmountCents("-0.25"), -25);
  EXPECT_EQ(AmountCents("0.125"), 13);  // half away from zero past two places
  EXPECT_EQ(AmountCents("0.124"), 12);
  EXPECT_EQ(AmountCents(".5"), 50);
  EXPECT_EQ(AmountCents(""), std::nullopt);
  EXPECT_EQ(AmountCents("abc"), std::nullopt);
  EXPECT_EQ(AmountCents("1e5"), std::nullopt);
  EXPECT_EQ(AmountCents("1.2.3"), std::nullopt);
  EXPECT_EQ(AmountCents("-"), std::nullopt);
}

TEST(LedgerChartRows, AnAwaitingEntryCountsItsRecommendationAndReplyTimeOnly) {
  EXPECT_THAT(LedgerChartRowsOf(Entry(LedgerStatus::kAwaiting)),
              UnorderedElementsAre(Row("rows", "", 1), Row("entries", "", 1), Row("recommended", "", 10000),
                                   Row("reply_hours", "1-4 h", 1)));
}

TEST(LedgerChartRows, AnApprovedEntryCountsItsCreditByMccCountryAndModeAndItsDecisionTime) {
  LedgerEntry entry = Entry(LedgerStatus::kApproved);
  entry.final_amount = "100.00";
  entry.decided_at = kCreated + absl::Hours(30);  // 31.5 hours after the request
  EXPECT_THAT(
      LedgerChartRowsOf(entry),
      UnorderedElementsAre(Row("rows", "", 1), Row("entries", "", 1), Row("recommended", "", 10000),
                           Row("approved", "", 10000), Row("mcc", "410", 7550), Row("mcc", "434", 2450),
                           Row("country", "PK", 7550), Row("country", "UZ", 2450), Row("mode", "basic", 7000),
                           Row("mode", "max", 3000), Row("mode", "off", 0), Row("mode", "standard", 0),
                           Row("reply_hours", "1-4 h", 1), Row("decide_hours", "1-3 days", 1)));
}

TEST(LedgerChartRows, ARejectedEntryCreditsNothingButCountsItsDecision) {
  LedgerEntry entry = Entry(LedgerStatus::kRejected);
  entry.final_amount = "0.00";
  entry.decided_at = kCreated + absl::Minutes(10);  // 100 minutes after the request
  EXPECT_THAT(LedgerChartRowsOf(entry),
              UnorderedElementsAre(Row("rows", "", 1), Row("entries", "", 1), Row("recommended", "", 10000),
                                   Row("reply_hours", "1-4 h", 1), Row("decide_hours", "1-4 h", 1)));
}

TEST(LedgerChartRows, ASupersededEntryCountsOnlyAsARowAndOldEntriesAsWithoutBreakdown) {
  EXPECT_THAT(LedgerChartRowsOf(Entry(LedgerStatus::kSuperseded)), UnorderedElementsAre(Row("rows", "", 1)));
  LedgerEntry old = Entry(LedgerStatus::kAutoApproved);
  old.final_amount = "100.00";
  old.credited_by_country.clear();
  old.credited_by_mode.clear();
  old.ts = "";  // no request time: no timing rows
  EXPECT_THAT(LedgerChartRowsOf(old),
              UnorderedElementsAre(Row("rows", "", 1), Row("entries", "", 1), Row("recommended", "", 10000),
                                   Row("approved", "", 10000), Row("mcc", "410", 7550),
                                   Row("mcc", "434", 2450), Row("no_breakdown", "", 1)));
}

TEST(LedgerChartRows, SumsAddAndTakeAway) {
  LedgerChartSums sums;
  AddLedgerChartRows(LedgerChartRowsOf(Entry(LedgerStatus::kAwaiting)), +1, sums);
  AddLedgerChartRows(LedgerChartRowsOf(Entry(LedgerStatus::kAwaiting)), +1, sums);
  EXPECT_EQ((sums[{kDay, "recommended", ""}]), 20000);
  AddLedgerChartRows(LedgerChartRowsOf(Entry(LedgerStatus::kAwaiting)), -1, sums);
  EXPECT_EQ((sums[{kDay, "recommended", ""}]), 10000);
  EXPECT_EQ((sums[{absl::CivilDay(), "rows", ""}]), 1);  // summed over every day
  EXPECT_EQ(sums.count({kDay, "rows", ""}), 0u);
}

}  // namespace
}  // namespace creditbot
