// RFC 3339 UTC timestamps (utc_time.h).
#include "common/utc_time.h"

namespace creditbot {

std::string Rfc3339Utc(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(absl::ToUnixSeconds(time)),
                          absl::UTCTimeZone());
}

std::string Rfc3339UtcMicros(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(absl::ToUnixMicros(time)),
                          absl::UTCTimeZone());
}

std::string Rfc3339UtcOrEmpty(const std::optional<absl::Time>& time) { return time ? Rfc3339Utc(*time) : ""; }

}  // namespace creditbot
