// Tests for Rfc3339Utc (the form, UTC whatever the local zone, fractions dropped) and Rfc3339UtcMicros.
#include "common/utc_time.h"

#include <gtest/gtest.h>

namespace creditbot {
namespace {

TEST(Rfc3339Utc, WritesUtcToTheSecondWithZ) {
  // 1752588191 = 2025-07-15 14:03:11 UTC (date -u -d @1752588191).
  EXPECT_EQ(Rfc3339Utc(absl::FromUnixSeconds(1752588191)), "2025-07-15T14:03:11Z");
  EXPECT_EQ(Rfc3339Utc(absl::FromUnixSeconds(1752588191) + absl::Milliseconds(999)), "2025-07-15T14:03:11Z");
  EXPECT_EQ(Rfc3339Utc(absl::FromUnixSeconds(-1) + absl::Milliseconds(500)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(Rfc3339UtcOrEmpty(std::nullopt), "");
  EXPECT_EQ(Rfc3339UtcOrEmpty(absl::FromUnixSeconds(0)), "1970-01-01T00:00:00Z");
}

TEST(Rfc3339UtcMicros, KeepsSixDigitsAndDropsNanoseconds) {
  const absl::Time second = absl::FromUnixSeconds(1752588191);
  EXPECT_EQ(Rfc3339UtcMicros(second), "2025-07-15T14:03:11.000000Z");
  EXPECT_EQ(Rfc3339UtcMicros(second + absl::Microseconds(250001) + absl::Nanoseconds(999)),
            "2025-07-15T14:03:11.250001Z");
  // What the S3 state object's reader parses back (absl's RFC 3339 form takes the fraction and the Z).
  absl::Time parsed;
  std::string error;
  ASSERT_TRUE(
      absl::ParseTime(absl::RFC3339_full, Rfc3339UtcMicros(second + absl::Microseconds(7)), &parsed, &error))
      << error;
  EXPECT_EQ(parsed, second + absl::Microseconds(7));
}

}  // namespace
}  // namespace creditbot
