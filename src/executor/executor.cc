// The native executor: warehouse + credit engine in process; and the ledger check of the remote ones.
#include "executor/executor.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "core/credit_engine.h"
#include "evidence/evidence_loader.h"

namespace creditbot {
namespace {

// The report's lines as the Evidence ApplyEarlierCredits reads: their cells and charges, every account
// under the report's parent, the claim date.
Evidence CellsOf(const CreditReport& report) {
  Evidence evidence;
  evidence.claim_date = report.claim_date;
  for (const CreditLine& line : report.lines) {
    FraudRow row;
    row.day = line.day;
    row.account_sid = line.account_sid();
    row.service_sid = line.service_sid();
    row.mcc = line.mcc();
    row.mnc = line.mnc();
    row.attempts_sent = line.attempts_sent;
    row.fraud_charges = line.charges;
    evidence.accounts.push_back({row.account_sid, report.parent_account_sid, ""});
    evidence.report.rows.push_back(std::move(row));
  }
  return evidence;
}

}  // namespace

absl::StatusOr<CreditReport> NativeExecutor::Execute(const CalcRequest& request) {
  if (request.policy == nullptr) return absl::InvalidArgumentError("no credit policy for this request");
  EvidenceLoader loader(warehouse_, *request.policy);
  CREDITBOT_ASSIGN_OR_RETURN(Evidence evidence,
                             loader.Load({request.sql, request.claim_date, sql_dir_, max_report_rows_}));
  const std::optional<std::string> parent =
      request.earlier_credits ? ReportParent(evidence) : std::optional<std::string>();
  // Without one parent the engine refuses the report, naming the accounts: no ledger to ask.
  if (!parent) {
    if (request.on_evidence) request.on_evidence(evidence, nullptr);
    return ComputeCredit(*request.policy, evidence);
  }
  CREDITBOT_ASSIGN_OR_RETURN(const EarlierCredits earlier, request.earlier_credits(*parent));
  if (request.on_evidence) request.on_evidence(evidence, &earlier);
  return ComputeCreditWithLedger(*request.policy, std::move(evidence), earlier);
}

absl::Status CheckRemoteReportAgainstLedger(const CalcRequest& request, CreditReport& report,
                                            std::string_view executor) {
  if (!request.earlier_credits || request.policy == nullptr) return absl::OkStatus();
  if (report.parent_account_sid.empty() || report.lines.empty()) {
    if (!report.credit_amount.IsZero()) {
      report.warnings.push_back(absl::StrCat(
          "the ", ToAbsl(executor),
          " executor gave no cells, so creditbot could not check the ledger for fraud earlier requests "
          "already credited, nor count its own credits for the repeat-incident haircut: check both before "
          "approving"));
    }
    return absl::OkStatus();
  }
  CREDITBOT_ASSIGN_OR_RETURN(const EarlierCredits earlier,
                             request.earlier_credits(report.parent_account_sid));
  Evidence cells = CellsOf(report);
  const AlreadyCredited already = ApplyEarlierCredits(earlier, cells);
  if (!already.empty()) {
    std::vector<std::string> requests;
    for (const LeftOutEntry& entry : already.entries) {
      requests.push_back(absl::StrCat(entry.request_key, " (execution ", entry.execution_id, ")"));
    }
    return absl::FailedPreconditionError(absl::StrCat(
        already.rows, already.rows == 1 ? " row" : " rows", " of this report ",
        already.rows == 1 ? "is" : "are", " already credited by earlier requests of parent account ",
        report.parent_account_sid, ": ", absl::StrJoin(requests, ", "), "; the ", ToAbsl(executor),
        " executor cannot leave them out, so nothing is credited twice: run it with "
        "CREDITBOT_EXECUTOR=native, "
        "or narrow the Look to the cells not yet credited"));
  }
  const CreditPolicy& policy = *request.policy;
  if (report.summary.repeat_factor == Decimal::FromInt(1) && policy.repeat_factor != Decimal::FromInt(1) &&
      !report.summary.goodwill_raw.IsZero() && HadRepeatIncident(policy, cells)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "creditbot recorded a credit for parent account ", report.parent_account_sid, " within the last ",
        policy.repeat_window_days, " days that the warehouse's credits_issued does not show yet, so the ",
        ToAbsl(executor),
        " executor's credit lacks the repeat-incident haircut: run it with CREDITBOT_EXECUTOR=native"));
  }
  return absl::OkStatus();
}

}  // namespace creditbot
