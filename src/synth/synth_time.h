// Time for the synthetic warehouse: seconds since the Unix epoch (UTC), the random fleet's traffic period,
// and the warehouse's text forms of timestamps and days. Header-only: a timestamp is formatted per row.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/time/civil_time.h"

namespace creditbot::synth {

using Seconds = int64_t;
inline constexpr Seconds kDay = 86400;
inline constexpr absl::CivilDay kEpoch(1970, 1, 1);
inline constexpr absl::CivilDay kPeriodStart(2025, 1, 1);  // the random fleet's traffic: 2025-01-01 …
inline constexpr absl::CivilDay kPeriodEnd(2025, 11, 1);   // … up to 2025-10-31

inline Seconds StartOf(absl::CivilDay day) { return (day - kEpoch) * kDay; }
inline Seconds At(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return StartOf(absl::CivilDay(y, m, d)) + hh * 3600 + mm * 60 + ss;
}

// Writes 'YYYY-MM-DD HH:MM:SS' (19 characters) to `out`.
inline void FormatTimestampInto(Seconds t, char* out) {
  const Seconds days = t >= 0 ? t / kDay : (t - kDay + 1) / kDay;
  const Seconds rest = t - days * kDay;
  const absl::CivilDay day = kEpoch + days;
  auto put = [&out](int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    out += width;
  };
  put(day.year(), 4);
  *out++ = '-';
  put(day.month(), 2);
  *out++ = '-';
  put(day.day(), 2);
  *out++ = ' ';
  put(rest / 3600, 2);
  *out++ = ':';
  put(rest % 3600 / 60, 2);
  *out++ = ':';
  put(rest % 60, 2);
}

inline std::string FormatTimestamp(Seconds t) {
  std::string text(19, ' ');
  FormatTimestampInto(t, text.data());
  return text;
}
inline std::string FormatDay(absl::CivilDay day) { return absl::FormatCivilTime(day); }

inline double RoundTo(double value, int places) {
  const double factor = std::pow(10.0, places);
  return std::round(value * factor) / factor;
}

}  // namespace creditbot::synth
