// `creditbot calc`: one calculation from a SQL file, result JSON on stdout. Also the entry point the
// SageMaker processing container will run.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "app/commands.h"
#include "app/logging.h"
#include "app/policies.h"
#include "app/warehouse_factory.h"
#include "common/clock.h"
#include "common/embedded_files.h"
#include "common/strings.h"
#include "core/product_router.h"
#include "core/report_json.h"
#include "core/sql_guard.h"
#include "executor/executor.h"

namespace creditbot {
namespace {

int Fail(std::string_view what, const absl::Status& status, int code = 1) {
  std::fprintf(stderr, "creditbot calc: %s: %s\n", std::string(what).c_str(),
               Redact(ToStd(status.message())).c_str());
  return code;
}

}  // namespace

int CalcCommand(const GlobalOptions& global, const CalcOptions& options) {
  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok()) return Fail("configuration", config.status(), 2);
  SystemClock clock;
  absl::Time now = clock.Now();

  absl::CivilDay claim_date = absl::ToCivilDay(now, absl::UTCTimeZone());
  if (!options.claim_date.empty() && !absl::ParseCivilTime(options.claim_date, &claim_date)) {
    return Fail("--claim-date",
                absl::InvalidArgumentError(absl::StrCat("'", options.claim_date, "' is not YYYY-MM-DD")), 2);
  }
  absl::StatusOr<std::string> sql = ReadFileToString(options.sql_file);
  if (!sql.ok()) return Fail("--sql-file", sql.status(), 2);
  if (absl::Status guard = CheckReadOnlySql(*sql); !guard.ok()) return Fail("SQL refused, not run", guard);

  std::vector<CreditPolicy> loaded;
  if (!options.policy_file.empty()) {
    absl::StatusOr<CreditPolicy> policy = LoadPolicyFile(options.policy_file);
    if (!policy.ok()) return Fail("--policy", policy.status(), 2);
    loaded.push_back(*std::move(policy));
  } else {
    absl::StatusOr<std::vector<CreditPolicy>> policies = LoadPolicies(config->policy_dir);
    if (!policies.ok()) return Fail("credit policy", policies.status(), 2);
    loaded = *std::move(policies);
  }
  const bool explicit_policy = !options.policy_file.empty();
  absl::StatusOr<ProductRouter> router = ProductRouter::Create(std::move(loaded));
  if (!router.ok()) return Fail("credit policy", router.status(), 2);
  const CreditPolicy* policy = explicit_policy ? &router->policies().front() : router->Route(*sql);
  if (policy == nullptr) {
    return Fail(
        "product",
        absl::FailedPreconditionError(
            "the SQL matches no enabled credit policy ([product] match); pass --policy FILE to choose one"));
  }

  std::string warehouse_url = options.warehouse.empty() ? config->warehouse_url : options.warehouse;
  absl::StatusOr<std::unique_ptr<Warehouse>> warehouse = OpenWarehouse(
      warehouse_url, options.warehouse.empty() ? "CREDITBOT_WAREHOUSE" : "--warehouse", false, config->trino);
  if (!warehouse.ok()) return Fail("warehouse", warehouse.status(), 2);

  NativeExecutor executor(**warehouse, config->sql_dir);
  absl::StatusOr<CreditReport> report = executor.Execute({*sql, policy, claim_date});
  if (!report.ok()) return Fail("calculation", report.status());

  ExecutionMeta meta;
  meta.execution_id = MakeExecutionId(now, options.sql_file);
  meta.timestamp = now;
  meta.sql_file = options.sql_file;
  meta.sql_sha256 = Sha256Hex(*sql);
  meta.dry_run = config->dry_run;
  std::string json = RenderResultJson(*report, meta);
  if (!options.output.empty()) {
    if (absl::Status written = WriteFileAtomically(options.output, json); !written.ok())
      return Fail("--output", written);
  }
  std::fwrite(json.data(), 1, json.size(), stdout);
  return 0;
}

}  // namespace creditbot
