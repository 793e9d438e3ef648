// ReportDay: a civil day (UTC) in 4 bytes, for the fields a report holds once per row (FraudRow::day), where
// absl::CivilDay's 16 bytes would be a fifth of the row (issue 20: a report's rows and lines cost at most
// 300 bytes a row). It converts to and from absl::CivilDay implicitly, so it is read and written like one;
// days from year -5,877,641 to 5,881,580 fit. Value type; thread-compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>

#include "absl/time/civil_time.h"

namespace creditbot {

class ReportDay {
 public:
  constexpr ReportDay() = default;  // 1970-01-01, like absl::CivilDay's default
  ReportDay(absl::CivilDay day)     // NOLINT(google-explicit-constructor)
      : days_(static_cast<int32_t>(day - absl::CivilDay(1970, 1, 1))) {}

  absl::CivilDay civil() const { return absl::CivilDay(1970, 1, 1) + days_; }
  operator absl::CivilDay() const { return civil(); }  // NOLINT(google-explicit-constructor)

  friend bool operator==(ReportDay a, ReportDay b) = default;
  friend std::strong_ordering operator<=>(ReportDay a, ReportDay b) = default;
  friend std::ostream& operator<<(std::ostream& out, ReportDay day) { return out << day.civil(); }

 private:
  int32_t days_ = 0;  // days since 1970-01-01
};

}  // namespace creditbot
