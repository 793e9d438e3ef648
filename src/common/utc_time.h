// The one way creditbot writes a moment for people and files: RFC 3339 in UTC, to the second, with "Z"
// ("2026-01-15T14:02:00Z"). Used by the ledger's list, CSV and decision record, and the S3 state object.
#pragma once

#include <optional>
#include <string>

#include "absl/time/time.h"

namespace creditbot {

// `time` as "YYYY-MM-DDTHH:MM:SSZ", fractions of a second dropped (rounded down).
std::string Rfc3339Utc(absl::Time time);

// `time` as "YYYY-MM-DDTHH:MM:SS.ffffffZ", to the microsecond (rounded down): for a stored moment whose order
// within a second matters (a ledger entry and the recalculation that supersedes it), never for people.
std::string Rfc3339UtcMicros(absl::Time time);

// Rfc3339Utc, or "" when `time` is absent.
std::string Rfc3339UtcOrEmpty(const std::optional<absl::Time>& time);

}  // namespace creditbot
