// Tests of ApplyEarlierCredits (CREDIT_POLICY.md, settled rule "Cells already credited"): which report rows
// are left out, what the result says about them, and which earlier credits join the haircut's
// prior_credits. Every expected number is added up by hand in the comments.
#include "core/already_credited.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creditbot {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

constexpr absl::CivilDay kJul1(2025, 7, 1);
constexpr absl::CivilDay kJul2(2025, 7, 2);
constexpr absl::CivilDay kJul3(2025, 7, 3);

FraudRow Row(absl::CivilDay day, const char* account, const char* service, const char* mcc, const char* mnc,
             const char* charges) {
  FraudRow row;
  row.day = day;
  row.account_sid = account;
  row.service_sid = service;
  row.mcc = mcc;
  row.mnc = mnc;
  row.attempts_sent = 100;
  row.fraud_charges = D(charges);
  return row;
}

// Three rows of parent ACp: 10.00 + 20.00 + 30.00 = 60.00 of fraud charges.
Evidence ThreeRows() {
  Evidence evidence;
  evidence.report.rows = {Row(kJul1, "ACs1", "VA1", "400", "", "10.00"),
                          Row(kJul2, "ACs1", "VA1", "400", "", "20.00"),
                          Row(kJul2, "ACs2", "VA2", "436", "", "30.00")};
  evidence.accounts = {{"ACs1", "ACp", "active"}, {"ACs2", "ACp", "active"}};
  evidence.claim_date = absl::CivilDay(2025, 7, 15);
  return evidence;
}

CreditedCell Cell(absl::CivilDay day, const char* account, const char* service, const char* mcc,
                  const char* mnc, const char* credited) {
  return {{day, account, service, mcc, mnc}, D(credited)};
}

// An entry of request C1:1752000000.000100 of parent ACp that holds its cells.
EarlierEntry Held(std::vector<CreditedCell> cells) {
  EarlierEntry entry;
  entry.execution_id = "20250710T000000Z-aaaa";
  entry.request_key = "C1:1752000000.000100";
  entry.channel = "C1";
  entry.ts = "1752000000.000100";
  entry.link = "https://slack.com/archives/C1/p1752000000000100";
  entry.parent_account_sid = "ACp";
  entry.product = "verify";
  entry.holds_cells = true;
  entry.cells = std::move(cells);
  return entry;
}

EarlierCredits For(std::vector<EarlierEntry> entries) {
  EarlierCredits earlier;
  earlier.request_key = "C1:1752500000.000200";
  earlier.product = "verify";
  earlier.entries = std::move(entries);
  return earlier;
}

std::vector<Decimal> ChargesOf(const Evidence& evidence) {
  std::vector<Decimal> charges;
  for (const FraudRow& row : evidence.report.rows) charges.push_back(row.fraud_charges);
  return charges;
}

TEST(ApplyEarlierCredits, PartialOverlapLeavesOutOnlyTheHeldCells) {
  Evidence evidence = ThreeRows();
  // The earlier request held the 07-01 cell (credited 4.00), the 07-02 ACs1 cell (credited 6.00) and a
  // 06-30 cell this report does not have (credited 9.00: not part of this overlap).
  const AlreadyCredited already = ApplyEarlierCredits(
      For({Held({Cell(kJul1, "ACs1", "VA1", "400", "", "4.00"), Cell(kJul2, "ACs1", "VA1", "400", "", "6.00"),
                 Cell(absl::CivilDay(2025, 6, 30), "ACs1", "VA1", "400", "", "9.00")})}),
      evidence);
  EXPECT_THAT(ChargesOf(evidence), ElementsAre(D("30.00")));  // only the ACs2 row is left to compute
  EXPECT_EQ(already.rows, 2);
  EXPECT_EQ(already.fraud_charges, D("30.00"));  // 10.00 + 20.00
  EXPECT_EQ(already.credited, D("10.00"));       // 4.00 + 6.00
  ASSERT_EQ(already.entries.size(), 1u);
  const LeftOutEntry& entry = already.entries[0];
  EXPECT_EQ(entry.request_key, "C1:1752000000.000100");
  EXPECT_EQ(entry.execution_id, "20250710T000000Z-aaaa");
  EXPECT_EQ(entry.link, "https://slack.com/archives/C1/p1752000000000100");
  EXPECT_EQ(entry.cells.size(), 2u);
  EXPECT_EQ(entry.cells[0].day, kJul1);
  EXPECT_EQ(entry.cells[1].day, kJul2);
  EXPECT_EQ(entry.fraud_charges, D("30.00"));
  EXPECT_EQ(entry.credited, D("10.00"));
}

TEST(ApplyEarlierCredits, FullOverlapLeavesNoRows) {
  Evidence evidence = ThreeRows();
  const AlreadyCredited already = ApplyEarlierCredits(
      For({Held({Cell(kJul1, "ACs1", "VA1", "400", "", "1.00"), Cell(kJul2, "ACs1", "VA1", "400", "", "2.00"),
                 Cell(kJul2, "ACs2", "VA2", "436", "", "3.00")})}),
      evidence);
  EXPECT_THAT(evidence.report.rows, IsEmpty());
  EXPECT_EQ(already.rows, 3);
  EXPECT_EQ(already.fraud_charges, D("60.00"));  // 10 + 20 + 30
  EXPECT_EQ(already.credited, D("6.00"));        // 1 + 2 + 3
}

TEST(ApplyEarlierCredits, AnotherParentsEntryIsNotTouched) {
  Evidence evidence = ThreeRows();
  EarlierEntry other = Held({Cell(kJul1, "ACs1", "VA1", "400", "", "4.00")});
  other.parent_account_sid = "ACq";
  other.credited_on = absl::CivilDay(2025, 7, 1);
  other.final_amount = D("4.00");
  const AlreadyCredited already = ApplyEarlierCredits(For({other}), evidence);
  EXPECT_TRUE(already.empty());
  EXPECT_EQ(evidence.report.rows.size(), 3u);
  EXPECT_THAT(evidence.prior_credits, IsEmpty());
}

TEST(ApplyEarlierCredits, EntriesThatHoldNoCellsLeaveNothingOut) {
  // A rejected or superseded entry arrives with holds_cells false (bot/earlier_credits.cc).
  Evidence evidence = ThreeRows();
  EarlierEntry rejected = Held({Cell(kJul1, "ACs1", "VA1", "400", "", "4.00")});
  rejected.holds_cells = false;
  EXPECT_TRUE(ApplyEarlierCredits(For({rejected}), evidence).empty());
  EXPECT_EQ(evidence.report.rows.size(), 3u);
}

TEST(ApplyEarlierCredits, TheRequestsOwnEarlierExecutionsNeverCount) {
  // A recalculation of the same request: its earlier entry (approved) neither holds its cells nor makes a
  // repeat incident.
  Evidence evidence = ThreeRows();
  EarlierEntry own = Held({Cell(kJul1, "ACs1", "VA1", "400", "", "4.00")});
  own.request_key = "C1:1752500000.000200";
  own.credited_on = absl::CivilDay(2025, 7, 10);
  own.final_amount = D("4.00");
  EXPECT_TRUE(ApplyEarlierCredits(For({own}), evidence).empty());
  EXPECT_EQ(evidence.report.rows.size(), 3u);
  EXPECT_THAT(evidence.prior_credits, IsEmpty());
}

TEST(ApplyEarlierCredits, AnEmptyMncOrServiceCoversEveryNetworkOrService) {
  // Report row MNC "" (every network) against an earlier cell of MNC "01": overlaps. The earlier cell of
  // MNC "02" against a report row of MNC "01": does not. An earlier cell without a service covers VA1.
  Evidence evidence = ThreeRows();
  evidence.report.rows.push_back(Row(kJul3, "ACs1", "VA1", "400", "01", "40.00"));
  evidence.report.rows.push_back(Row(kJul3, "ACs1", "VA1", "401", "01", "50.00"));
  const AlreadyCredited already =
      ApplyEarlierCredits(For({Held({Cell(kJul1, "ACs1", "VA1", "400", "01", "1.00"),  // row 1 ("")
                                     Cell(kJul3, "ACs1", "VA1", "400", "02", "2.00"),  // not row 4 ("01")
                                     Cell(kJul3, "ACs1", "", "401", "", "3.00")})}),   // row 5
                          evidence);
  EXPECT_THAT(ChargesOf(evidence), ElementsAre(D("20.00"), D("30.00"), D("40.00")));
  EXPECT_EQ(already.rows, 2);
  EXPECT_EQ(already.fraud_charges, D("60.00"));  // 10.00 + 50.00
  EXPECT_EQ(already.credited, D("4.00"));        // 1.00 + 3.00
}

TEST(ApplyEarlierCredits, CellOverlapRule) {
  const CellKey with_mnc{kJul1, "ACs1", "VA1", "400", "01"};
  EXPECT_TRUE(with_mnc.Overlaps({kJul1, "ACs1", "VA1", "400", ""}));
  EXPECT_TRUE(with_mnc.Overlaps({kJul1, "ACs1", "", "400", "01"}));
  EXPECT_FALSE(with_mnc.Overlaps({kJul1, "ACs1", "VA1", "400", "02"}));
  EXPECT_FALSE(with_mnc.Overlaps({kJul1, "ACs1", "VA9", "400", "01"}));
  EXPECT_FALSE(with_mnc.Overlaps({kJul2, "ACs1", "VA1", "400", "01"}));
  EXPECT_FALSE(with_mnc.Overlaps({kJul1, "ACs2", "VA1", "400", "01"}));
  EXPECT_FALSE(with_mnc.Overlaps({kJul1, "ACs1", "VA1", "401", "01"}));
}

TEST(ApplyEarlierCredits, ARowHeldByTwoRequestsIsListedUnderBothAndCountedOnce) {
  Evidence evidence = ThreeRows();
  EarlierEntry second = Held({Cell(kJul1, "ACs1", "VA1", "400", "05", "2.50")});
  second.request_key = "C1:1752100000.000300";
  const AlreadyCredited already =
      ApplyEarlierCredits(For({Held({Cell(kJul1, "ACs1", "VA1", "400", "", "4.00")}), second}), evidence);
  EXPECT_EQ(evidence.report.rows.size(), 2u);
  EXPECT_EQ(already.rows, 1);
  EXPECT_EQ(already.fraud_charges, D("10.00"));
  ASSERT_EQ(already.entries.size(), 2u);
  EXPECT_EQ(already.entries[0].fraud_charges, D("10.00"));
  EXPECT_EQ(already.entries[1].fraud_charges, D("10.00"));
  EXPECT_EQ(already.entries[1].request_key, "C1:1752100000.000300");
  EXPECT_EQ(already.credited, D("6.50"));  // 4.00 + 2.50: each request's own credit for the cell
}

TEST(ApplyEarlierCredits, AnotherProductsCellsAreOtherTraffic) {
  Evidence evidence = ThreeRows();
  EarlierEntry messaging = Held({Cell(kJul1, "ACs1", "VA1", "400", "", "4.00")});
  messaging.product = "messaging";
  EXPECT_TRUE(ApplyEarlierCredits(For({messaging}), evidence).empty());
  EarlierEntry verify = Held({Cell(kJul1, "ACs1", "VA1", "400", "", "4.00")});
  verify.product = "Verify";  // compared ignoring case
  EXPECT_EQ(ApplyEarlierCredits(For({verify}), evidence).rows, 1);
}

TEST(ApplyEarlierCredits, ADryRunsEntryCountsOnlyForADryRun) {
  EarlierEntry previewed = Held({Cell(kJul1, "ACs1", "VA1", "400", "", "4.00")});
  previewed.dry_run = true;
  Evidence live = ThreeRows();
  EXPECT_TRUE(ApplyEarlierCredits(For({previewed}), live).empty());
  Evidence dry = ThreeRows();
  EarlierCredits dry_request = For({previewed});
  dry_request.dry_run = true;
  EXPECT_EQ(ApplyEarlierCredits(dry_request, dry).rows, 1);
}

TEST(ApplyEarlierCredits, CreditedEntriesJoinThePriorCreditsWithNonZeroAmounts) {
  Evidence evidence = ThreeRows();
  EarlierEntry approved = Held({});
  approved.credited_on = absl::CivilDay(2025, 7, 10);
  approved.final_amount = D("12.34");
  EarlierEntry adjusted_to_zero = Held({});
  adjusted_to_zero.request_key = "C1:1752100000.000300";
  adjusted_to_zero.credited_on = absl::CivilDay(2025, 7, 11);
  adjusted_to_zero.final_amount = D("0.00");
  EarlierEntry awaiting = Held({});
  awaiting.request_key = "C1:1752200000.000400";
  EXPECT_TRUE(ApplyEarlierCredits(For({approved, adjusted_to_zero, awaiting}), evidence).empty());
  ASSERT_EQ(evidence.prior_credits.size(), 1u);
  EXPECT_EQ(evidence.prior_credits[0].created, absl::CivilDay(2025, 7, 10));
  EXPECT_EQ(evidence.prior_credits[0].status, "approved");
  EXPECT_EQ(evidence.prior_credits[0].amount, D("12.34"));
  EXPECT_EQ(evidence.prior_credits[0].product, "verify");
}

TEST(ApplyEarlierCredits, NothingIsLeftOutWithoutOneKnownParent) {
  Evidence unknown = ThreeRows();
  unknown.accounts.pop_back();  // ACs2 unknown: the engine refuses the report, naming it
  EXPECT_EQ(ReportParent(unknown), std::nullopt);
  EXPECT_TRUE(
      ApplyEarlierCredits(For({Held({Cell(kJul1, "ACs1", "VA1", "400", "", "4.00")})}), unknown).empty());
  Evidence two_parents = ThreeRows();
  two_parents.accounts[1].parent_account_sid = "ACq";
  EXPECT_EQ(ReportParent(two_parents), std::nullopt);
  EXPECT_EQ(ReportParent(ThreeRows()), "ACp");
}

}  // namespace
}  // namespace creditbot
