// Replaying recorded calculations on a pool of workers (replayer.h).
#include "replay/replayer.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "core/credit_engine.h"
#include "core/report_json.h"
#include "evidence/frozen_evidence.h"

namespace creditbot {
namespace {

std::string PolicyLabel(std::string_view name, std::string_view version) {
  return absl::StrCat(ToAbsl(name), "/", ToAbsl(version));
}

// The candidate policy for a record: the one of its product's name, else the one its SQL routes to.
absl::StatusOr<const CreditPolicy*> CandidateFor(const ProductRouter& policies, const RecordedResult& old,
                                                 const std::string& sql) {
  for (const CreditPolicy& policy : policies.policies()) {
    if (policy.name == old.policy_name) return &policy;
  }
  if (const CreditPolicy* routed = sql.empty() ? nullptr : policies.Route(sql); routed != nullptr)
    return routed;
  return absl::NotFoundError(
      absl::StrCat("no candidate policy named '", old.policy_name, "' (nor one its SQL matches)"));
}

// One worker's own reader and executor, opened on first use.
struct Worker {
  std::unique_ptr<AuditReader> reader;
  std::unique_ptr<Executor> executor;
  absl::Status executor_error = absl::OkStatus();
  bool executor_tried = false;

  absl::StatusOr<Executor*> ExecutorFrom(const ReplayDeps& deps) {
    if (!executor_tried) {
      executor_tried = true;
      if (!deps.open_executor) {
        executor_error = absl::FailedPreconditionError("no executor to query the warehouse again with");
      } else if (absl::StatusOr<std::unique_ptr<Executor>> opened = deps.open_executor(); opened.ok()) {
        executor = *std::move(opened);
      } else {
        executor_error = opened.status();
      }
    }
    if (!executor_error.ok()) return executor_error;
    return executor.get();
  }
};

// The new report of `old` (see the header comment); sets out.inputs.
absl::StatusOr<CreditReport> Recompute(const std::string& execution_id, const RecordedResult& old,
                                       std::optional<FrozenEvidence> frozen, Worker& worker,
                                       const ReplayDeps& deps, const ReplayOptions& options,
                                       ReplayedRequest& out) {
  const bool requery = options.requery || options.executor != "native" || !frozen.has_value();
  out.inputs = !requery ? ReplayInputs::kFrozen
                        : (frozen.has_value() ? ReplayInputs::kRequery : ReplayInputs::kRequeryNoEvidence);
  std::string sql;
  if (frozen.has_value()) {
    sql = frozen->sql;
  } else if (deps.sql_of) {
    CREDITBOT_ASSIGN_OR_RETURN(sql, deps.sql_of(old));
  } else {
    return absl::FailedPreconditionError("no frozen evidence, and no look source to get its SQL from");
  }
  CREDITBOT_ASSIGN_OR_RETURN(const CreditPolicy* policy, CandidateFor(*deps.policies, old, sql));
  out.new_policy = PolicyLabel(policy->name, policy->version);
  if (!requery) {
    if (frozen->earlier_credits) {
      return ComputeCreditWithLedger(*policy, std::move(frozen->evidence), *frozen->earlier_credits);
    }
    return ComputeCredit(*policy, frozen->evidence);
  }
  CREDITBOT_ASSIGN_OR_RETURN(Executor * executor, worker.ExecutorFrom(deps));
  CalcRequest calc{sql, policy, old.claim_date, execution_id};
  if (frozen.has_value() && frozen->earlier_credits) {
    // What the ledger said then: today's ledger also holds later requests, which must not count here.
    calc.earlier_credits = [&](const std::string&) -> absl::StatusOr<EarlierCredits> {
      return *frozen->earlier_credits;
    };
  }
  return executor->Execute(calc);
}

// Replays one record; nullopt when `select` leaves it out.
std::optional<ReplayedRequest> ReplayOne(const std::string& execution_id, Worker& worker,
                                         const ReplayDeps& deps, const ReplayOptions& options) {
  ReplayedRequest out;
  out.execution_id = execution_id;
  out.executor = options.executor;
  absl::StatusOr<std::string> old_json = worker.reader->Read(execution_id, AuditReader::kResult);
  if (!old_json.ok()) {
    out.error = std::string(old_json.status().message());
    return out;
  }
  absl::StatusOr<RecordedResult> old = ReadRecordedResult(*old_json);
  if (!old.ok()) {
    out.error =
        absl::StrCat(worker.reader->Where(execution_id, AuditReader::kResult), ": ", old.status().message());
    return out;
  }
  if (options.select && !options.select(*old)) return std::nullopt;
  out.request_key = old->RequestKey();
  out.product = old->product;
  out.old_policy = PolicyLabel(old->policy_name, old->policy_version);
  out.old_credit = old->credit_amount;
  out.old_needs_approval = old->needs_approval;

  std::optional<FrozenEvidence> frozen;
  absl::StatusOr<std::string> bytes = worker.reader->Read(execution_id, kEvidenceArtifact);
  if (bytes.ok()) {
    absl::StatusOr<FrozenEvidence> decoded = DecodeFrozenEvidence(*bytes);
    if (!decoded.ok()) {
      out.error = absl::StrCat(worker.reader->Where(execution_id, kEvidenceArtifact), ": ",
                               decoded.status().message());
      return out;
    }
    frozen = *std::move(decoded);
  } else if (!absl::IsNotFound(bytes.status())) {
    out.error = std::string(bytes.status().message());
    return out;
  }
  absl::StatusOr<CreditReport> report =
      Recompute(execution_id, *old, std::move(frozen), worker, deps, options, out);
  if (!report.ok()) {
    out.error = std::string(report.status().message());
    return out;
  }
  std::string new_json = RenderResultJson(*report, old->meta);
  absl::StatusOr<RecordedResult> now = ReadRecordedResult(new_json);
  if (!now.ok()) {
    out.error = std::string(now.status().message());
    return out;
  }
  CompareResults(*old, *old_json, *now, new_json, out);
  out.new_result_json = std::move(new_json);
  return out;
}

}  // namespace

void CompareResults(const RecordedResult& old_result, std::string_view old_json,
                    const RecordedResult& new_result, std::string_view new_json, ReplayedRequest& out) {
  out.old_credit = old_result.credit_amount;
  out.old_needs_approval = old_result.needs_approval;
  out.new_credit = new_result.credit_amount;
  out.delta = new_result.credit_amount - old_result.credit_amount;
  out.relative_change.reset();
  if (!old_result.credit_amount.IsZero()) {
    out.relative_change = Decimal::MulDiv(out.delta, Decimal::FromInt(1), old_result.credit_amount);
  }
  out.new_needs_approval = new_result.needs_approval;
  out.identical = old_json == new_json;
  out.changed_lines.clear();
  out.lines_not_compared.clear();
  if (old_result.lines.empty() != new_result.lines.empty()) {
    out.lines_not_compared = old_result.lines.empty() ? "lines not compared: the recorded result has none"
                                                      : "lines not compared: the new result has none";
    return;
  }
  // Lines are paired by cell (the n-th line of a cell with the n-th of the same cell on the other side).
  std::map<std::string, std::vector<std::size_t>> old_by_cell;
  for (std::size_t i = old_result.lines.size(); i-- > 0;)
    old_by_cell[old_result.lines[i].Cell()].push_back(i);
  std::vector<bool> paired(old_result.lines.size(), false);
  for (const RecordedLine& line : new_result.lines) {
    const std::string cell = line.Cell();
    auto found = old_by_cell.find(cell);
    if (found == old_by_cell.end() || found->second.empty()) {
      out.changed_lines.push_back({cell, "", line.treatment, Decimal(), line.credited});
      continue;
    }
    const RecordedLine& before = old_result.lines[found->second.back()];
    paired[found->second.back()] = true;
    found->second.pop_back();
    if (before.treatment != line.treatment || before.credited != line.credited) {
      out.changed_lines.push_back({cell, before.treatment, line.treatment, before.credited, line.credited});
    }
  }
  for (std::size_t i = 0; i < old_result.lines.size(); ++i) {
    if (paired[i]) continue;
    const RecordedLine& before = old_result.lines[i];
    out.changed_lines.push_back({before.Cell(), before.treatment, "", before.credited, Decimal()});
  }
}

absl::StatusOr<std::vector<ReplayedRequest>> Replay(const std::vector<std::string>& execution_ids,
                                                    const ReplayDeps& deps, const ReplayOptions& options) {
  if (!deps.open_reader || deps.policies == nullptr) {
    return absl::InvalidArgumentError("a replay needs an audit reader and candidate policies");
  }
  const std::size_t total = execution_ids.size();
  std::size_t threads = options.threads > 0 ? static_cast<std::size_t>(options.threads)
                                            : std::max(1U, std::thread::hardware_concurrency());
  threads = std::max<std::size_t>(1, std::min(threads, total));
  std::vector<Worker> workers(threads);
  for (Worker& worker : workers) {
    CREDITBOT_ASSIGN_OR_RETURN(worker.reader, deps.open_reader());
  }
  std::vector<std::optional<ReplayedRequest>> results(total);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  auto work = [&](Worker& worker) {
    for (std::size_t i = next++; i < total; i = next++) {
      results[i] = ReplayOne(execution_ids[i], worker, deps, options);
      const std::size_t finished = ++done;
      if (deps.on_progress) deps.on_progress(finished, total);
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(work, std::ref(workers[t]));
  work(workers[0]);
  for (std::thread& thread : pool) thread.join();
  std::vector<ReplayedRequest> replayed;
  replayed.reserve(total);
  for (std::optional<ReplayedRequest>& result : results) {
    if (result) replayed.push_back(*std::move(result));
  }
  return replayed;
}

}  // namespace creditbot
