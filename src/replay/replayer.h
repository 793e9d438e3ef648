// Replayer: recomputes recorded calculations under a candidate policy, or on another executor, and says
// what would have changed (issue 19: "what would a policy change, or another executor, have paid?").
//
// For each execution id: its audit record (result.json) is read; then
//   - from frozen inputs (the default): its evidence.json.gz (evidence/frozen_evidence.h) is read and the
//     credit engine runs on exactly what the calculation knew (the report rows, every follow-up result, the
//     ledger's earlier credits), under the candidate policy of the record's product;
//   - by querying again (`requery`, a record without evidence, or an executor other than native): the SQL
//     (the evidence's, or the Looker link's resolved by `sql_of`) runs on today's warehouse through the
//     executor `open_executor` gives, with the frozen earlier credits when there are any;
// and the new result JSON is rendered with the record's own meta (id, time, source, SQL hash, dry run), so a
// replay under the record's own policy is byte-identical to the record. ReplayedRequest says which inputs
// were used. Never posts, never writes state or audit: the caller writes the report.
//
// Work runs on `threads` workers (default: every core), each with its own reader and executor. A record
// that cannot be replayed is reported with its error; the rest go on.
//
// Thread-safety: Replay is called from one thread; the deps' callbacks are called from the workers
// (open_* once per worker; sql_of and on_progress must be thread-safe).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "audit/audit_reader.h"
#include "core/decimal.h"
#include "core/product_router.h"
#include "executor/executor.h"
#include "replay/recorded_result.h"
#include "replay/replayed_request.h"

namespace creditbot {

struct ReplayOptions {
  bool requery = false;             // today's warehouse instead of the frozen inputs
  std::string executor = "native";  // the name reported; a non-native executor always queries again
  int threads = 0;                  // 0: std::thread::hardware_concurrency()
  // Which records to replay, once their result.json is read (e.g. --request); null: all.
  std::function<bool(const RecordedResult&)> select = nullptr;
};

struct ReplayDeps {
  std::function<absl::StatusOr<std::unique_ptr<AuditReader>>()> open_reader;
  // The executor that queries again (native on a warehouse of its own, notebook, SageMaker); null: records
  // that need a query fail with a message saying so.
  std::function<absl::StatusOr<std::unique_ptr<Executor>>()> open_executor = nullptr;
  // The SQL behind a record's Looker link, for a record without frozen evidence; null: such records fail.
  std::function<absl::StatusOr<std::string>(const RecordedResult&)> sql_of = nullptr;
  const ProductRouter* policies = nullptr;  // the candidate policies
  std::function<void(std::size_t done, std::size_t total)> on_progress = nullptr;
};

// Replays `execution_ids` (see the header comment); the results in the same order, those `select` left out
// removed. Errors: kInvalidArgument without a reader or policies; an error opening a worker's reader.
absl::StatusOr<std::vector<ReplayedRequest>> Replay(const std::vector<std::string>& execution_ids,
                                                    const ReplayDeps& deps, const ReplayOptions& options);

// Old against new: credit, delta, relative change, approval, changed lines, byte identity. Exposed for tests.
void CompareResults(const RecordedResult& old_result, std::string_view old_json,
                    const RecordedResult& new_result, std::string_view new_json, ReplayedRequest& out);

}  // namespace creditbot
