// Tests of Decimal: parsing, the one rounding rule (half away from zero), exact Mul/MulDiv including the
// 256-bit path, rendering, FromDouble and the limits.
#include "core/decimal.h"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;

Decimal D(std::string_view text) {
  absl::StatusOr<Decimal> value = Decimal::Parse(text);
  EXPECT_TRUE(value.ok()) << text << ": " << value.status();
  return value.value_or(Decimal());
}

constexpr Decimal::Raw kOneRaw = 1'000'000'000'000;  // 10^12

TEST(Decimal, ParsesAcceptedForms) {
  EXPECT_EQ(D("123").raw(), 123 * kOneRaw);
  EXPECT_EQ(D("-0.5").raw(), -kOneRaw / 2);
  EXPECT_EQ(D("0.2400").raw(), 24 * kOneRaw / 100);
  EXPECT_EQ(D("+1.").raw(), kOneRaw);
  EXPECT_EQ(D(".5").raw(), kOneRaw / 2);
  EXPECT_EQ(D("007.10").raw(), 71 * kOneRaw / 10);
  EXPECT_EQ(D("0.000000000001").raw(), 1);
  EXPECT_EQ(D("1.2300000000000000").raw(), 123 * kOneRaw / 100);  // trailing zeros beyond 12 places
  EXPECT_EQ(D("-0").raw(), 0);
  EXPECT_EQ(D("999999999999999.999999999999").raw(), 1'000'000'000'000'000 * kOneRaw - 1);
}

TEST(Decimal, ParseRejectsMalformedTextNamingIt) {
  for (std::string_view bad : {"", "+", "-", ".", "-.", "1e5", " 1", "1 ", "1,000", "1.2.3", "0x10", "abc",
                               "1.-2", "--1", "1.0000000000001", "nan", "inf"}) {
    absl::StatusOr<Decimal> value = Decimal::Parse(bad);
    ASSERT_FALSE(value.ok()) << "'" << bad << "'";
    EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(value.status().message()), HasSubstr(absl::StrCat("'", std::string(bad), "'")));
  }
}

TEST(Decimal, ParseRejectsMagnitudeOfTenToTheFifteen) {
  EXPECT_FALSE(Decimal::Parse("1000000000000000").ok());
  EXPECT_FALSE(Decimal::Parse("-1000000000000000").ok());
  EXPECT_FALSE(Decimal::Parse("1000000000000000.0").ok());
  EXPECT_TRUE(Decimal::Parse("-999999999999999").ok());
  EXPECT_TRUE(Decimal::Parse("0000000000000000001").ok());  // leading zeros do not count
}

TEST(Decimal, RoundsHalfAwayFromZero) {
  EXPECT_EQ(D("2.345").Round(2), D("2.35"));
  EXPECT_EQ(D("2.344999999999").Round(2), D("2.34"));
  EXPECT_EQ(D("-2.345").Round(2), D("-2.35"));
  EXPECT_EQ(D("-2.344").Round(2), D("-2.34"));
  EXPECT_EQ(D("0.5").Round(0), D("1"));
  EXPECT_EQ(D("-0.5").Round(0), D("-1"));
  EXPECT_EQ(D("1.5").Round(0), D("2"));
  EXPECT_EQ(D("2.5").Round(0), D("3"));  // not banker's rounding
  EXPECT_EQ(D("0.004999999999").Round(2), D("0"));
  EXPECT_EQ(D("7.77").Round(12), D("7.77"));
}

TEST(Decimal, AddsSubtractsAndScalesExactly) {
  EXPECT_EQ(D("0.1") + D("0.2"), D("0.3"));
  EXPECT_EQ(D("0.1") - D("0.3"), D("-0.2"));
  EXPECT_EQ(-D("1.5"), D("-1.5"));
  EXPECT_EQ(D("0.24") * 1000, D("240"));
  EXPECT_EQ(D("-0.000000000001") * 3, D("-0.000000000003"));
  Decimal sum;
  for (int i = 0; i < 10; ++i) sum += D("0.1");
  EXPECT_EQ(sum, D("1"));
  EXPECT_LT(D("-1"), D("0.000000000001"));
  EXPECT_TRUE(D("0").IsZero());
  EXPECT_TRUE(D("-0.1").IsNegative());
}

TEST(Decimal, MulRoundsOnceToTwelvePlaces) {
  EXPECT_EQ(Decimal::Mul(D("0.7"), D("2000")), D("1400"));
  EXPECT_EQ(Decimal::Mul(D("0.5"), D("225")), D("112.5"));
  // 0.000001 × 0.0000005 = 5e-13 → rounds half away from zero to 1e-12.
  EXPECT_EQ(Decimal::Mul(D("0.000001"), D("0.0000005")), D("0.000000000001"));
  EXPECT_EQ(Decimal::Mul(D("-0.000001"), D("0.0000005")), D("-0.000000000001"));
  EXPECT_EQ(Decimal::Mul(D("0.000001"), D("0.0000004")), D("0"));
}

TEST(Decimal, MulDivIsExactBeforeTheOneRounding) {
  // 1 × 3 ÷ 3 computed as one operation is exactly 1, never 0.999999999999.
  EXPECT_EQ(Decimal::MulDiv(D("1"), D("3"), D("3")), D("1"));
  // (1/3)·3: 1/3 rounds once to 0.333333333333.
  EXPECT_EQ(Decimal::MulDiv(D("1"), D("1"), D("3")), D("0.333333333333"));
  EXPECT_EQ(Decimal::MulDiv(D("2"), D("1"), D("3")), D("0.666666666667"));
  EXPECT_EQ(Decimal::MulDiv(D("-2"), D("1"), D("3")), D("-0.666666666667"));
  EXPECT_EQ(Decimal::MulDiv(D("2"), D("-1"), D("-3")), D("0.666666666667"));
  // E = S·F/A from the worked example: 550 × 300.00 / 1000 = 165.
  EXPECT_EQ(Decimal::MulDiv(D("550"), D("300.00"), D("1000")), D("165"));
  EXPECT_THROW(Decimal::MulDiv(D("1"), D("1"), D("0")), std::domain_error);
}

TEST(Decimal, LargeProductsTakeTheExactWidePath) {
  // 10^14 × 10^14 has a raw product of 10^52, far beyond int128 (~1.7·10^38); ÷ 10^14 it is exact.
  Decimal big = D("100000000000000");
  EXPECT_EQ(Decimal::MulDiv(big, big, big), big);
  // 999999999999999.999999999999 × 0.5 via the wide path (raw product ~5·10^38 > int128).
  Decimal near_limit = D("999999999999999.999999999999");
  EXPECT_EQ(Decimal::Mul(near_limit, D("0.5")), D("500000000000000"));  // …999.9999999999995 → up
  EXPECT_EQ(Decimal::Mul(-near_limit, D("0.5")), D("-500000000000000"));
  // Rounding in the wide path: (10^14 + 1e-12) × 10^14 ÷ 3·10^14.
  Decimal a = D("100000000000000.000000000001");
  EXPECT_EQ(Decimal::MulDiv(a, big, D("300000000000000")), D("33333333333333.333333333334"));
  // A result that does not fit throws rather than wrapping.
  EXPECT_THROW(Decimal::MulDiv(big, big, D("0.000000000001")), std::overflow_error);
}

TEST(Decimal, RendersFixedAndShortest) {
  EXPECT_EQ(D("255").ToFixed(2), "255.00");
  EXPECT_EQ(D("-0.005").ToFixed(2), "-0.01");
  EXPECT_EQ(D("0.004").ToFixed(2), "0.00");
  EXPECT_EQ(D("-0.004").ToFixed(2), "0.00");  // rounds to zero: no "-0.00"
  EXPECT_EQ(D("1234.5678").ToFixed(0), "1235");
  EXPECT_EQ(D("0.000000000001").ToFixed(12), "0.000000000001");
  EXPECT_EQ(D("0.3").ToString(), "0.3");
  EXPECT_EQ(D("30").ToString(2), "30.00");
  EXPECT_EQ(D("0.123").ToString(2), "0.123");
  EXPECT_EQ(D("30").ToString(), "30");
  EXPECT_EQ(D("-12.50").ToString(), "-12.5");
  EXPECT_EQ(D("0").ToString(), "0");
  EXPECT_EQ(D("-999999999999999.999999999999").ToString(), "-999999999999999.999999999999");
}

TEST(Decimal, FromDoubleUsesShortestDecimalForm) {
  EXPECT_EQ(Decimal::FromDouble(0.7).value(), D("0.7"));
  EXPECT_EQ(Decimal::FromDouble(0.1).value(), D("0.1"));
  EXPECT_EQ(Decimal::FromDouble(-1.25).value(), D("-1.25"));
  EXPECT_EQ(Decimal::FromDouble(1000.0).value(), D("1000"));
  EXPECT_EQ(Decimal::FromDouble(0.0).value(), D("0"));
  EXPECT_EQ(Decimal::FromDouble(1e-20).value(), D("0"));
  // More than 12 digits: rounded half away from zero.
  EXPECT_EQ(Decimal::FromDouble(5e-13).value(), D("0.000000000001"));
  EXPECT_EQ(Decimal::FromDouble(-5e-13).value(), D("-0.000000000001"));
  EXPECT_EQ(Decimal::FromDouble(0.1234567890123).value(), D("0.123456789012"));
  EXPECT_EQ(Decimal::FromDouble(999999999999999.9).value(),
            D("999999999999999.9"));  // shortest form of …999.875
}

TEST(Decimal, FromDoubleRejectsNonFiniteAndHuge) {
  EXPECT_EQ(Decimal::FromDouble(std::numeric_limits<double>::quiet_NaN()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(Decimal::FromDouble(std::numeric_limits<double>::infinity()).ok());
  EXPECT_FALSE(Decimal::FromDouble(-std::numeric_limits<double>::infinity()).ok());
  EXPECT_FALSE(Decimal::FromDouble(1e15).ok());
  EXPECT_FALSE(Decimal::FromDouble(-1e300).ok());
  EXPECT_TRUE(Decimal::FromDouble(std::numeric_limits<double>::denorm_min()).ok());
}

TEST(Decimal, FromIntIsExactWithinLimits) {
  EXPECT_EQ(Decimal::FromInt(0), D("0"));
  EXPECT_EQ(Decimal::FromInt(-42), D("-42"));
  EXPECT_EQ(Decimal::FromInt(999'999'999'999'999), D("999999999999999"));
  EXPECT_THROW(Decimal::FromInt(1'000'000'000'000'000), std::overflow_error);
  EXPECT_THROW(Decimal::FromInt(std::numeric_limits<int64_t>::min()), std::overflow_error);
}

// The 64-bit fast path of Mul/MulDiv (a, b, c in [0, 2^63), the quotient within 64 bits) must give the bits
// of the general 128-bit path, and values just outside it (negative, 2^63 and beyond) the same rounding
// through the general path. Expected raw values worked out by hand.
TEST(Decimal, FastMulDivMatchesTheGeneralPathOnHandWorkedEdges) {
  auto R = [](Decimal::Raw raw) { return Decimal::FromRaw(raw); };
  constexpr Decimal::Raw kTwo63 = Decimal::Raw{1} << 63;
  constexpr Decimal::Raw kTwo64 = Decimal::Raw{1} << 64;
  struct Case {
    Decimal::Raw a, b, c, expected;
  };
  const Case cases[] = {
      // Ties (a remainder of exactly half) go away from zero, whatever the signs (fast path for the first).
      {1, 1, 2, 1},
      {-1, 1, 2, -1},
      {1, -1, 2, -1},
      {1, 1, -2, -1},
      {-1, -1, -2, -1},
      {-1, -1, 2, 1},
      // Just below and above half: 1/3 → 0, 2/3 → 1.
      {1, 1, 3, 0},
      {2, 1, 3, 1},
      {-2, 1, 3, -1},
      // (2^63 − 1)² ÷ 2^63 = 2^63 − 2 + 2^-63: remainder 1, truncated.
      {kTwo63 - 1, kTwo63 - 1, kTwo63, kTwo63 - 2},
      // With x = 2^63 − 2: (x + 1)² ÷ x = x + 2 + 1/x, so 2^63 remainder 1, truncated: the largest
      // operands of the fast path, with a quotient beyond int64 (but within 64 bits).
      {kTwo63 - 1, kTwo63 - 1, kTwo63 - 2, kTwo63},
      // (2^63 − 1) ÷ 2 = 2^62 − 0.5: a tie at the fast path's limit, rounded away from zero either way.
      {kTwo63 - 1, 1, 2, kTwo63 >> 1},
      {-(kTwo63 - 1), 1, 2, -(kTwo63 >> 1)},
      // Fast-path operands whose quotient (here (2^63 − 1)²) is beyond 64 bits: the general path.
      {kTwo63 - 1, kTwo63 - 1, 1, (kTwo63 - 1) * (kTwo63 - 1)},
      // (2^63 + 1) ÷ 2 = 2^62 + 0.5: a tie just above 2^63, rounded away from zero.
      {kTwo63 + 1, 1, 2, (kTwo63 >> 1) + 1},
      {-(kTwo63 + 1), 1, 2, -((kTwo63 >> 1) + 1)},
      // (−2^63)² ÷ (2^63 − 1): 2^126 = (2^63 − 1)(2^63 + 1) + 1, so 2^63 + 1 remainder 1.
      {-kTwo63, -kTwo63, kTwo63 - 1, kTwo63 + 1},
      // (2^64 − 1)² ÷ (2^64 − 1): operands beyond 2^63 take the general path.
      {kTwo64 - 1, kTwo64 - 1, kTwo64 - 1, kTwo64 - 1},
      // u = F/A: 170.00 ÷ 3 = 56.666666666666|67 → 56.666666666667.
      {170 * kOneRaw, kOneRaw, 3 * kOneRaw, 56'666'666'666'667},
      // E = S·F/A: 2.5 × 1.00 ÷ 3 = 0.833333333333|33 → 0.833333333333.
      {5 * kOneRaw / 2, kOneRaw, 3 * kOneRaw, 833'333'333'333},
  };
  for (const Case& t : cases) {
    SCOPED_TRACE(absl::StrCat(static_cast<double>(t.a), " × ", static_cast<double>(t.b), " ÷ ",
                              static_cast<double>(t.c)));
    EXPECT_EQ(Decimal::MulDiv(R(t.a), R(t.b), R(t.c)).raw(), t.expected);
    EXPECT_EQ(Decimal::MulDivReference(R(t.a), R(t.b), R(t.c)).raw(), t.expected);
  }
  // Mul is MulDiv by 1: 1e-12 × 0.5 = 5e-13, a tie, → ±1e-12.
  EXPECT_EQ(Decimal::Mul(R(1), R(kOneRaw / 2)).raw(), 1);
  EXPECT_EQ(Decimal::Mul(R(-1), R(kOneRaw / 2)).raw(), -1);
  // operator*(int64): within 64 bits the product is exact, at any sign.
  EXPECT_EQ((R(kTwo63 - 1) * INT64_MAX).raw(), (kTwo63 - 1) * (kTwo63 - 1));
  EXPECT_EQ((R(-kTwo63) * -1).raw(), kTwo63);
  EXPECT_EQ((R(kTwo64) * -3).raw(), -3 * kTwo64);  // beyond 64 bits: the general path
}

// Every combination of edge values around the 64-bit limits: the fast and the general path agree, or
// both throw the same exception.
TEST(Decimal, FastMulDivAgreesWithTheGeneralPathOnEveryEdgeCombination) {
  constexpr Decimal::Raw kTwo63 = Decimal::Raw{1} << 63;
  constexpr Decimal::Raw kTwo64 = Decimal::Raw{1} << 64;
  std::vector<Decimal::Raw> edges;
  for (Decimal::Raw magnitude :
       {Decimal::Raw{1}, Decimal::Raw{2}, Decimal::Raw{3}, kOneRaw / 2, kOneRaw, 3 * kOneRaw, kTwo63 - 1,
        kTwo63, kTwo63 + 1, kTwo64 - 1, kTwo64, kTwo64 + 1, 100 * kOneRaw * kOneRaw * kOneRaw}) {
    edges.push_back(magnitude);
    edges.push_back(-magnitude);
  }
  edges.push_back(0);
  auto outcome = [](auto operation) -> std::string {
    try {
      return operation().ToString();  // exact: every digit of the raw value
    } catch (const std::exception& error) {
      return error.what();
    }
  };
  for (Decimal::Raw a : edges) {
    for (Decimal::Raw b : edges) {
      const Decimal da = Decimal::FromRaw(a), db = Decimal::FromRaw(b);
      EXPECT_EQ(outcome([&] { return Decimal::Mul(da, db); }),
                outcome([&] { return Decimal::MulReference(da, db); }));
      for (Decimal::Raw c : edges) {
        const Decimal dc = Decimal::FromRaw(c);
        EXPECT_EQ(outcome([&] { return Decimal::MulDiv(da, db, dc); }),
                  outcome([&] { return Decimal::MulDivReference(da, db, dc); }))
            << da.ToString() << " × " << db.ToString() << " ÷ " << dc.ToString();
      }
    }
  }
}

TEST(Decimal, OverflowThrowsInsteadOfWrapping) {
  __extension__ using Unsigned = unsigned __int128;
  Decimal max = Decimal::FromRaw(static_cast<Decimal::Raw>(~Unsigned{0} >> 1));
  Decimal min = -max - Decimal::FromRaw(1);
  EXPECT_THROW(max + Decimal::FromRaw(1), std::overflow_error);
  EXPECT_THROW(min - Decimal::FromRaw(1), std::overflow_error);
  EXPECT_THROW(-min, std::overflow_error);
  EXPECT_THROW(max * 2, std::overflow_error);
  EXPECT_THROW(max.Round(0), std::overflow_error);
  EXPECT_THROW(Decimal::Mul(max, D("2")), std::overflow_error);
  // Rendering the extremes works.
  EXPECT_EQ(min.ToString(), "-170141183460469231731687303.715884105728");
}

}  // namespace
}  // namespace creditbot
