// The native executor: warehouse + credit engine in process.
#include "executor/executor.h"

#include "common/status_macros.h"
#include "core/credit_engine.h"
#include "evidence/evidence_loader.h"

namespace creditbot {

absl::StatusOr<CreditReport> NativeExecutor::Execute(const CalcRequest& request) {
  if (request.policy == nullptr) return absl::InvalidArgumentError("no credit policy for this request");
  EvidenceLoader loader(warehouse_, *request.policy);
  CREDITBOT_ASSIGN_OR_RETURN(Evidence evidence,
                             loader.Load({request.sql, request.claim_date, sql_dir_, max_report_rows_}));
  return ComputeCredit(*request.policy, evidence);
}

}  // namespace creditbot
