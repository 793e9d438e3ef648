// What a replay saw of one request; see replayed_request.h.
#include "replay/replayed_request.h"

namespace creditbot {

std::string_view ReplayInputsName(ReplayInputs inputs) {
  switch (inputs) {
    case ReplayInputs::kFrozen:
      return "frozen";
    case ReplayInputs::kRequery:
      return "requery";
    case ReplayInputs::kRequeryNoEvidence:
      return "requery (no frozen evidence)";
  }
  return "frozen";
}

bool ReplayedRequest::changed() const {
  return ok() && (!delta.IsZero() || old_needs_approval != new_needs_approval || !changed_lines.empty());
}

bool ReplayedRequest::differs_over_one_percent() const {
  if (!ok() || delta.IsZero()) return false;
  if (!relative_change) return true;  // from zero
  const Decimal one_percent = *Decimal::Parse("0.01");
  return *relative_change > one_percent || *relative_change < -one_percent;
}

}  // namespace creditbot
