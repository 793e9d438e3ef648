// `creditbot calc`: one calculation from a SQL file, result JSON on stdout. Also the entry point of the
// SageMaker processing container (executor/sagemaker_executor.h): --sql-file and --output then take
// s3://BUCKET/KEY (read and written with the AWS chain of the environment; the result is written with
// server-side encryption), and the job's Environment may pin CREDITBOT_POLICY_NAME (the policy the bot
// routed, chosen by name instead of by the SQL) and CREDITBOT_EXECUTION_ID (the id stamped on the result).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "app/commands.h"
#include "app/executor_factory.h"
#include "app/policies.h"
#include "app/s3_connection.h"
#include "app/warehouse_factory.h"
#include "common/embedded_files.h"
#include "common/logging.h"
#include "common/status_macros.h"
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

// S3 for s3:// paths, connected on first use on the process's AWS chain.
class S3Access {
 public:
  explicit S3Access(const Environment& env) : env_(env) {}

  absl::StatusOr<std::string> Read(std::string_view uri) {
    CREDITBOT_ASSIGN_OR_RETURN(auto location, Locate(uri));
    CREDITBOT_RETURN_IF_ERROR(Open());
    CREDITBOT_ASSIGN_OR_RETURN(S3Object object, s3_->client.GetObject(location.first, location.second));
    return std::move(object.body);
  }
  absl::Status Write(std::string_view uri, std::string_view body) {
    CREDITBOT_ASSIGN_OR_RETURN(auto location, Locate(uri));
    CREDITBOT_RETURN_IF_ERROR(Open());
    S3PutOptions put;
    put.content_type = "application/json";
    put.server_side_encryption = S3ServerSideEncryption::kAes256;
    return s3_->client.PutObject(location.first, location.second, body, put).status();
  }

 private:
  static absl::StatusOr<std::pair<std::string, std::string>> Locate(std::string_view uri) {
    std::optional<std::pair<std::string, std::string>> location = ParseS3Uri(uri);
    if (!location) {
      return absl::InvalidArgumentError(absl::StrCat("'", ToAbsl(uri), "' is not s3://BUCKET/KEY"));
    }
    return *std::move(location);
  }
  absl::Status Open() {
    if (s3_ != nullptr) return absl::OkStatus();
    CREDITBOT_ASSIGN_OR_RETURN(s3_, ConnectS3(env_));
    return absl::OkStatus();
  }

  const Environment& env_;
  std::unique_ptr<S3Connection> s3_;
};

bool IsS3(std::string_view path) { return absl::StartsWith(ToAbsl(path), "s3://"); }

// --claim-date (YYYY-MM-DD), or today (UTC) when it is empty.
absl::StatusOr<absl::CivilDay> ParseClaimDate(const std::string& text, absl::Time now) {
  absl::CivilDay claim_date = absl::ToCivilDay(now, absl::UTCTimeZone());
  if (text.empty()) return claim_date;
  // ParseCivilTime alone would take 2025-13-01 as 2026-01-01: a date is valid only when it prints back.
  if (!absl::ParseCivilTime(text, &claim_date) || absl::FormatCivilTime(claim_date) != text) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a valid date; expected YYYY-MM-DD, e.g. 2025-07-15"));
  }
  return claim_date;
}

// The --policy file alone, else every policy of the policy folder.
absl::StatusOr<std::vector<CreditPolicy>> LoadCalcPolicies(const CalcOptions& options, const Config& config) {
  if (options.policy_file.empty()) return LoadPolicies(config.policy_dir);
  CREDITBOT_ASSIGN_OR_RETURN(CreditPolicy policy, LoadPolicyFile(options.policy_file));
  std::vector<CreditPolicy> loaded;
  loaded.push_back(std::move(policy));
  return loaded;
}

// The policy called `name`; null when none is.
const CreditPolicy* PolicyNamed(const std::vector<CreditPolicy>& policies, const std::string& name) {
  const CreditPolicy* found = nullptr;
  for (const CreditPolicy& candidate : policies) {
    if (candidate.name == name) found = &candidate;
  }
  return found;
}

// --warehouse, else the configured one (never a silent synthetic stand-in when Slack is configured; a
// fresh folder generates the embedded default's warehouse, as `run` does).
absl::StatusOr<std::unique_ptr<Warehouse>> OpenCalcWarehouse(const Environment& env, const Config& config,
                                                             const CalcOptions& options) {
  if (options.warehouse.empty()) {
    CREDITBOT_RETURN_IF_ERROR(RequireNoStandIns(config, {StandIn::kWarehouse}));
  }
  std::string warehouse_url = options.warehouse.empty() ? config.warehouse_url : options.warehouse;
  const bool generate = options.warehouse.empty() && IsEmbeddedDefaultWarehouse(config);
  return OpenWarehouse(warehouse_url, options.warehouse.empty() ? "CREDITBOT_WAREHOUSE" : "--warehouse",
                       generate, config.trino, env);
}

// A claim cannot precede the traffic it claims: an explicit --claim-date before the report's first day with
// attempts is refused.
absl::Status CheckClaimAfterFraud(const CalcOptions& options, absl::CivilDay claim_date,
                                  const CreditReport& report) {
  if (options.claim_date.empty() || !report.fraud_start || claim_date >= *report.fraud_start) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat(options.claim_date, " is before the fraud: the report's first day with attempts is ",
                   absl::FormatCivilTime(*report.fraud_start),
                   ", and a claim cannot precede the traffic it "
                   "claims (give the date of the request)"));
}

// The result's execution facts: CREDITBOT_EXECUTION_ID or a new id, the SQL file and its hash.
ExecutionMeta CalcMeta(const Environment& env, const CalcOptions& options, const std::string& sql,
                       absl::Time now, bool dry_run) {
  ExecutionMeta meta;
  meta.execution_id = env.Variable("CREDITBOT_EXECUTION_ID");
  if (meta.execution_id.empty()) meta.execution_id = MakeExecutionId(now, options.sql_file);
  meta.timestamp = now;
  meta.sql_file = options.sql_file;
  meta.sql_sha256 = Sha256Hex(sql);
  meta.dry_run = dry_run;
  return meta;
}

// --output FILE: the result streamed into FILE.tmp, then renamed over FILE, so a reader never sees half.
absl::Status WriteResultFile(const std::string& path, const CreditReport& report, const ExecutionMeta& meta) {
  std::error_code ec;
  const std::filesystem::path target(path);
  if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create folder for ", path, ": ", ec.message()));
  const std::string temp = path + ".tmp";
  std::FILE* file = std::fopen(temp.c_str(), "wb");
  if (file == nullptr)
    return absl::InternalError(absl::StrCat("cannot write ", temp, ": ", std::strerror(errno)));
  absl::Status written = WriteResultJson(report, meta, file);
  if (std::fclose(file) != 0 && written.ok()) {
    written = absl::InternalError(absl::StrCat("cannot write ", temp, ": ", std::strerror(errno)));
  }
  if (written.ok()) std::filesystem::rename(temp, target, ec);
  if (!written.ok() || ec) {
    std::filesystem::remove(temp, ec);
    return written.ok() ? absl::InternalError(absl::StrCat("cannot rename ", temp, " to ", path)) : written;
  }
  return absl::OkStatus();
}

}  // namespace

int CalcCommand(const Environment& env, const GlobalOptions& global, const CalcOptions& options) {
  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok()) return Fail("configuration", config.status(), 2);
  absl::Time now = env.clock().Now();
  S3Access s3(env);

  absl::StatusOr<absl::CivilDay> claim_date = ParseClaimDate(options.claim_date, now);
  if (!claim_date.ok()) return Fail("--claim-date", claim_date.status(), 2);
  absl::StatusOr<std::string> sql =
      IsS3(options.sql_file) ? s3.Read(options.sql_file) : ReadFileToString(options.sql_file);
  if (!sql.ok()) return Fail("--sql-file", sql.status(), 2);
  if (absl::Status guard = CheckReadOnlySql(*sql); !guard.ok()) return Fail("SQL refused, not run", guard);

  const bool explicit_policy = !options.policy_file.empty();
  absl::StatusOr<std::vector<CreditPolicy>> loaded = LoadCalcPolicies(options, *config);
  if (!loaded.ok()) return Fail(explicit_policy ? "--policy" : "credit policy", loaded.status(), 2);
  absl::StatusOr<ProductRouter> router = ProductRouter::Create(*std::move(loaded));
  if (!router.ok()) return Fail("credit policy", router.status(), 2);
  const CreditPolicy* policy = explicit_policy ? &router->policies().front() : router->Route(*sql);
  if (const std::string pinned = env.Variable("CREDITBOT_POLICY_NAME"); !explicit_policy && !pinned.empty()) {
    policy = PolicyNamed(router->policies(), pinned);
    if (policy == nullptr) {
      return Fail("CREDITBOT_POLICY_NAME",
                  absl::FailedPreconditionError(absl::StrCat("no credit policy named '", pinned, "'")), 2);
    }
  }
  if (policy == nullptr) {
    return Fail(
        "product",
        absl::FailedPreconditionError(
            "the SQL matches no enabled credit policy ([product] match); pass --policy FILE to choose one"));
  }

  absl::StatusOr<std::unique_ptr<Warehouse>> warehouse = OpenCalcWarehouse(env, *config, options);
  if (!warehouse.ok()) return Fail("warehouse", warehouse.status(), 2);
  NativeExecutor executor(**warehouse, config->sql_dir, config->max_report_rows);
  absl::StatusOr<CreditReport> report =
      executor.Execute({*sql, policy, *claim_date, env.Variable("CREDITBOT_EXECUTION_ID")});
  if (!report.ok()) return Fail("calculation", report.status());
  if (absl::Status after = CheckClaimAfterFraud(options, *claim_date, *report); !after.ok()) {
    return Fail("--claim-date", after, 2);
  }

  // The result is streamed, never held whole (issue 20), except for an S3 --output, whose PUT needs it.
  const ExecutionMeta meta = CalcMeta(env, options, *sql, now, config->dry_run);
  if (!options.output.empty()) {
    absl::Status written = IsS3(options.output) ? s3.Write(options.output, RenderResultJson(*report, meta))
                                                : WriteResultFile(options.output, *report, meta);
    if (!written.ok()) return Fail("--output", written);
  }
  if (absl::Status printed = WriteResultJson(*report, meta, stdout); !printed.ok()) {
    return Fail("stdout", printed);
  }
  return 0;
}

}  // namespace creditbot
