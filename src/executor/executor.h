// Executor: runs one calculation — the fraud report SQL plus the follow-up queries, then the credit
// engine — wherever the configuration says (CREDITBOT_EXECUTOR, app/executor_factory.h). NativeExecutor
// (the default) does it in process on a Warehouse; SageMakerExecutor (sagemaker_executor.h) as a SageMaker
// Processing Job whose container runs `creditbot calc`; NotebookExecutor (notebook_executor.h) through the
// analyst's notebook under papermill. The remote ones read the result JSON back (result_json_reader.h), so
// every executor returns the same CreditReport.
//
// Execute is called from one thread at a time. Cancel() may be called from any thread (a shutdown
// handler): it asks a running Execute to give up soon — SageMaker stops its job, the notebook executor
// kills papermill — and that Execute returns kAborted (transient: the pipeline keeps the request for a later
// pass instead of failing it). Executors with nothing to interrupt ignore it.
//
// Errors are those of the warehouse (kUnavailable / kDeadlineExceeded: retry later), of the evidence
// (kFailedPrecondition: the report or reference data cannot support a credit; final) and of the engine.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "core/already_credited.h"
#include "core/credit_policy.h"
#include "core/credit_report.h"
#include "core/evidence.h"
#include "warehouse/warehouse.h"

namespace creditbot {

struct CalcRequest {
  std::string sql;                       // the fraud report, already accepted by the SQL guard
  const CreditPolicy* policy = nullptr;  // the routed policy
  absl::CivilDay claim_date;
  // The pipeline's id for this calculation (also the audit record's). Remote executors name their job and
  // output after it so a job can be traced to its audit record; empty: the executor makes its own.
  std::string execution_id;
  // What the ledger knows about a parent account (core/already_credited.h), asked once the report's parent
  // is known; the pipeline reads it from the state store. The native executor leaves out the cells earlier
  // requests hold and counts creditbot's own credits for the haircut (ComputeCreditWithLedger); the remote
  // executors cannot, and check their result against it (CheckRemoteReportAgainstLedger). An error fails the
  // calculation with it (kUnavailable: retried later). Null (creditbot calc): no ledger, nothing left out.
  std::function<absl::StatusOr<EarlierCredits>(const std::string& parent_account_sid)> earlier_credits =
      nullptr;
  // The calculation's inputs, for its frozen evidence (evidence/frozen_evidence.h): the native executor
  // calls it once, before the engine runs, with the Evidence it loaded (before the ledger left any cell out)
  // and what earlier_credits answered (null when it was not asked). The remote executors load nothing here
  // and never call it. Null: not wanted.
  std::function<void(const Evidence& evidence, const EarlierCredits* earlier)> on_evidence = nullptr;
};

// For the executors that calculate elsewhere (SageMaker, the notebook) and so cannot leave cells out before
// the engine runs: checks their `report` against request.earlier_credits (none: OK). kFailedPrecondition,
// naming the earlier requests, when earlier requests of the parent hold cells of the report's lines, or when
// a credit creditbot recorded for the parent makes a repeat incident that the report's haircut lacks: either
// way the credit would be too high, and is never returned. A report without lines or parent (a notebook that
// gave the amount only) cannot be checked: a non-zero credit gets a warning saying so, for the approver.
// `executor` names the executor in the messages ("sagemaker", "notebook"). Errors of the lookup are returned.
absl::Status CheckRemoteReportAgainstLedger(const CalcRequest& request, CreditReport& report,
                                            std::string_view executor);

class Executor {
 public:
  virtual ~Executor() = default;
  virtual absl::StatusOr<CreditReport> Execute(const CalcRequest& request) = 0;
  // Thread-safe; see the header comment. Default: nothing to interrupt.
  virtual void Cancel() {}
};

class NativeExecutor final : public Executor {
 public:
  // `max_report_rows`: CREDITBOT_MAX_REPORT_ROWS, the most fraud-report rows a calculation reads (0: no
  // limit); a larger report fails with kFailedPrecondition (EvidenceLoader, TooManyRows).
  NativeExecutor(Warehouse& warehouse, std::string sql_dir, int64_t max_report_rows = 0)
      : warehouse_(warehouse), sql_dir_(std::move(sql_dir)), max_report_rows_(max_report_rows) {}
  absl::StatusOr<CreditReport> Execute(const CalcRequest& request) override;

 private:
  Warehouse& warehouse_;
  std::string sql_dir_;
  int64_t max_report_rows_ = 0;
};

}  // namespace creditbot
