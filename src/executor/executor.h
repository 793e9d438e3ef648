// Executor: runs one calculation — the fraud report SQL plus the follow-up queries, then the credit
// engine — wherever the configuration says. NativeExecutor (the default) does it in process on a
// Warehouse; the notebook (papermill) and SageMaker Processing executors come with the AWS work.
//
// Errors are those of the warehouse (kUnavailable / kDeadlineExceeded: retry later), of the evidence
// (kFailedPrecondition: the report or reference data cannot support a credit; final) and of the engine.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "core/credit_policy.h"
#include "core/credit_report.h"
#include "warehouse/warehouse.h"

namespace creditbot {

struct CalcRequest {
  std::string sql;                       // the fraud report, already accepted by the SQL guard
  const CreditPolicy* policy = nullptr;  // the routed policy
  absl::CivilDay claim_date;
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual absl::StatusOr<CreditReport> Execute(const CalcRequest& request) = 0;
};

class NativeExecutor final : public Executor {
 public:
  NativeExecutor(Warehouse& warehouse, std::string sql_dir)
      : warehouse_(warehouse), sql_dir_(std::move(sql_dir)) {}
  absl::StatusOr<CreditReport> Execute(const CalcRequest& request) override;

 private:
  Warehouse& warehouse_;
  std::string sql_dir_;
};

}  // namespace creditbot
