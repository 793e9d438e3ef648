// ReplayedRequest: one recorded calculation as a replay (replay/replayer.h) saw it: the old and new credit,
// delta, relative change, approval before and after, the lines whose treatment or credit changed, whether
// the new result is byte-identical, which inputs were used, or why it could not be replayed. The report
// (replay/replay_report.h) is made of these. Kept apart from the replayer so that code which only shows a
// report (the dashboard) need not include the audit reader and the executors. Plain data; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"

namespace creditbot {

// How a request's inputs were had.
enum class ReplayInputs {
  kFrozen,             // evidence.json.gz
  kRequery,            // today's warehouse, as asked (--requery, or another executor)
  kRequeryNoEvidence,  // today's warehouse: the record has no frozen evidence (written before issue 19)
};
std::string_view ReplayInputsName(ReplayInputs inputs);

// A line whose treatment or credit differs (a line only one side has: the other side's treatment is "").
struct LineChange {
  std::string cell;  // RecordedLine::Cell()
  std::string old_treatment, new_treatment;
  Decimal old_credited, new_credited;
};

struct ReplayedRequest {
  std::string execution_id;
  std::string request_key;  // "channel:ts"; "" for a `creditbot calc` result
  std::string product;
  std::string old_policy, new_policy;  // "name/version"
  ReplayInputs inputs = ReplayInputs::kFrozen;
  std::string executor;  // "native", "notebook", "sagemaker"
  Decimal old_credit, new_credit, delta;
  std::optional<Decimal> relative_change;  // delta ÷ old credit; nullopt when the old credit is 0
  bool old_needs_approval = false, new_needs_approval = false;
  bool identical = false;  // the new result JSON is byte-for-byte the recorded one
  std::vector<LineChange> changed_lines;
  // Not empty when one side has lines and the other none (an executor that gives only the credit amount,
  // as the analysts' notebook does): the lines were not compared, and this says why. changed_lines is then
  // empty, rather than every line listed as gone or new.
  std::string lines_not_compared;
  std::string error;            // not empty: not replayed (only the old side is filled)
  std::string new_result_json;  // the new result, as `creditbot calc` would print it

  bool ok() const { return error.empty(); }
  // The credit or the approval differs, or a line's treatment or credit does.
  bool changed() const;
  // |relative change| > 1%, or a credit from or to zero.
  bool differs_over_one_percent() const;
};

}  // namespace creditbot
