// Tests of CheckRemoteReportAgainstLedger: a remote executor's result is refused when earlier requests hold
// its cells or a ledger credit makes a repeat incident it lacks, and an amount-only result is warned about.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "core/credit_policy.h"
#include "core/credit_report.h"
#include "executor/executor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

// A computed report of parent ACp with one goodwill line (2025-07-01, ACs1/VA1, MCC 400) and no haircut.
CreditReport Computed() {
  CreditReport report;
  report.parent_account_sid = "ACp";
  report.claim_date = absl::CivilDay(2025, 7, 15);
  report.credit_amount = D("165.00");
  report.summary.goodwill_raw = D("165.00");
  report.summary.repeat_factor = D("1");
  CreditLine line;
  line.day = absl::CivilDay(2025, 7, 1);
  line.text = std::make_shared<LineText>(LineText{"ACs1", "VA1", "400", "", "AZ"});
  line.attempts_sent = 1000;
  line.charges = D("300.00");
  report.lines.push_back(line);
  return report;
}

// An earlier request of ACp, approved on 2025-07-10, holding the cell `day`.
EarlierEntry Earlier(absl::CivilDay day) {
  EarlierEntry entry;
  entry.execution_id = "20250710T090000Z-beef";
  entry.request_key = "C1:1752138000.000100";
  entry.parent_account_sid = "ACp";
  entry.product = "verify";
  entry.holds_cells = true;
  entry.credited_on = absl::CivilDay(2025, 7, 10);
  entry.final_amount = D("50.00");
  entry.cells = {{{day, "ACs1", "VA1", "400", ""}, D("50.00")}};
  return entry;
}

class RemoteLedgerCheck : public ::testing::Test {
 protected:
  CalcRequest Request(std::vector<EarlierEntry> entries) {
    CalcRequest request{"SELECT 1", &policy_, absl::CivilDay(2025, 7, 15), ""};
    request.earlier_credits = [this, entries](const std::string& parent) -> absl::StatusOr<EarlierCredits> {
      asked_.push_back(parent);
      EarlierCredits earlier;
      earlier.request_key = "C1:1752537600.000200";
      earlier.product = "verify";
      earlier.entries = entries;
      return earlier;
    };
    return request;
  }

  CreditPolicy policy_;  // verify/1: repeat factor 0.5 over 365 days
  std::vector<std::string> asked_;
};

TEST_F(RemoteLedgerCheck, RefusesAResultWithCellsAnEarlierRequestHolds) {
  CreditReport report = Computed();
  absl::Status status =
      CheckRemoteReportAgainstLedger(Request({Earlier(absl::CivilDay(2025, 7, 1))}), report, "sagemaker");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("1 row of this report is already credited"));
  EXPECT_THAT(status.message(), HasSubstr("C1:1752138000.000100"));
  EXPECT_THAT(status.message(), HasSubstr("the sagemaker executor cannot leave them out"));
  EXPECT_EQ(asked_, std::vector<std::string>{"ACp"});
}

TEST_F(RemoteLedgerCheck, RefusesAResultThatLacksTheHaircutALedgerCreditMakes) {
  // The earlier request holds another day's cell: no overlap, but its approval of 2025-07-10 is within
  // 365 days before the claim, and the result's goodwill was not halved.
  CreditReport report = Computed();
  absl::Status status =
      CheckRemoteReportAgainstLedger(Request({Earlier(absl::CivilDay(2025, 6, 1))}), report, "notebook");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("lacks the repeat-incident haircut"));
  // Already halved (the warehouse had a credit too): accepted.
  report.summary.repeat_factor = D("0.5");
  EXPECT_TRUE(
      CheckRemoteReportAgainstLedger(Request({Earlier(absl::CivilDay(2025, 6, 1))}), report, "notebook")
          .ok());
}

TEST_F(RemoteLedgerCheck, AcceptsAResultTheLedgerDoesNotChange) {
  CreditReport report = Computed();
  EXPECT_TRUE(CheckRemoteReportAgainstLedger(Request({}), report, "sagemaker").ok());
  EXPECT_THAT(report.warnings, IsEmpty());
  CalcRequest without_ledger{"SELECT 1", &policy_, absl::CivilDay(2025, 7, 15), ""};
  EXPECT_TRUE(CheckRemoteReportAgainstLedger(without_ledger, report, "sagemaker").ok());
}

TEST_F(RemoteLedgerCheck, WarnsThatAnAmountOnlyResultCouldNotBeChecked) {
  CreditReport amount_only;
  amount_only.credit_amount = D("100.00");
  EXPECT_TRUE(CheckRemoteReportAgainstLedger(Request({}), amount_only, "notebook").ok());
  ASSERT_EQ(amount_only.warnings.size(), 1u);
  EXPECT_THAT(amount_only.warnings[0], HasSubstr("the notebook executor gave no cells"));
  EXPECT_THAT(asked_, IsEmpty());
}

}  // namespace
}  // namespace creditbot
