// Decimal: exact fixed-point arithmetic for money, rates and fractional attempt counts.
//
// A Decimal is a signed 128-bit integer counting units of 10^-12 (kScale = 12 fractional digits). Addition,
// subtraction, comparison and multiplication by an integer are exact. The only inexact operations are
// Mul and MulDiv, whose exact result is rounded once to 12 places; and Round/ToFixed. Every rounding in
// creditbot uses the one rule RoundingRule: half away from zero ("half-up" for the non-negative amounts of
// the credit policy).
//
// Limits: Parse and FromInt accept magnitudes below 10^15; within that range sums of up to 10^11 values
// and every Mul/MulDiv result used by the credit engine fit. Arithmetic that would still overflow throws
// std::overflow_error (a bug or absurd input, caught at the top of a request like any exception).
//
// Value type; thread-compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {

class Decimal {
 public:
  __extension__ using Raw = __int128;
  static constexpr int kScale = 12;

  constexpr Decimal() = default;

  // Exact conversions. FromInt: |value| < 10^15 (else throws std::overflow_error).
  static Decimal FromInt(int64_t value) {
    constexpr int64_t kLimit = 1'000'000'000'000'000;  // 10^15
    if (value <= -kLimit || value >= kLimit) ThrowOverflow("FromInt (|value| >= 10^15)");
    return Decimal(static_cast<Raw>(value) * kOneRaw);
  }
  static constexpr Decimal FromRaw(Raw raw) { return Decimal(raw); }

  // Parses "123", "-0.5", "0.2400", "+1.", ".5", with at most kScale fractional digits after trailing
  // zeros are dropped ("1.2300000000000000" is fine). No exponent, no spaces, no thousands separators.
  // kInvalidArgument naming the text on anything else, or when |value| >= 10^15.
  static absl::StatusOr<Decimal> Parse(std::string_view text);

  // Converts a double through its shortest round-trip decimal form, so 0.7 becomes exactly 0.7 (how values
  // typed as TOML floats or stored as SQLite REAL are read). Digits beyond kScale are rounded by
  // RoundingRule. kInvalidArgument for NaN, infinities and |value| >= 10^15.
  static absl::StatusOr<Decimal> FromDouble(double value);

  constexpr Raw raw() const { return raw_; }
  bool IsZero() const { return raw_ == 0; }
  bool IsNegative() const { return raw_ < 0; }

  // Exact; throw std::overflow_error beyond the 128-bit range. Inline: the credit engine adds a dozen
  // Decimals per fraud-report row.
  Decimal operator+(Decimal other) const {
    Raw result;
    if (__builtin_add_overflow(raw_, other.raw_, &result)) ThrowOverflow("addition");
    return Decimal(result);
  }
  Decimal operator-(Decimal other) const {
    Raw result;
    if (__builtin_sub_overflow(raw_, other.raw_, &result)) ThrowOverflow("subtraction");
    return Decimal(result);
  }
  Decimal operator-() const;
  Decimal& operator+=(Decimal other) { return *this = *this + other; }
  Decimal& operator-=(Decimal other) { return *this = *this - other; }
  // Exact: this × n. When the raw value fits in int64 the product is below 2^126 in magnitude and cannot
  // overflow, so one 64×64→128 multiplication does; otherwise the checked 128-bit one.
  Decimal operator*(int64_t n) const {
    const auto narrow = static_cast<int64_t>(raw_);
    if (narrow == raw_) return Decimal(static_cast<Raw>(narrow) * n);
    return MultiplyChecked(n);
  }

  // a × b, rounded to kScale places by RoundingRule.
  static Decimal Mul(Decimal a, Decimal b);
  // a × b ÷ c computed exactly, then rounded once to kScale places by RoundingRule. c must not be zero
  // (throws std::domain_error).
  static Decimal MulDiv(Decimal a, Decimal b, Decimal c);
  // a × b ÷ c for a, b ≥ 0 and c > 0, truncated to kScale places, and the exact remainder: the exact
  // quotient is (result.raw() + *remainder ÷ c.raw()) units of 10^-12, with 0 ≤ *remainder < c.raw(). For
  // apportioning an amount exactly (largest remainder at 10^-12). kInvalidArgument for a negative operand
  // or c ≤ 0; throws std::overflow_error beyond the 128-bit range like MulDiv.
  static absl::StatusOr<Decimal> MulDivFloor(Decimal a, Decimal b, Decimal c, Raw* remainder);
  // Mul and MulDiv without their 64-bit fast path (always the checked 128-bit, or 256-bit, arithmetic):
  // the same results, slower. For tests that hold the fast path to the general one.
  static Decimal MulReference(Decimal a, Decimal b);
  static Decimal MulDivReference(Decimal a, Decimal b, Decimal c);

  // Rounds to `places` (0..kScale) fractional digits by RoundingRule.
  Decimal Round(int places) const;

  // Renders with exactly `places` fractional digits (rounding by RoundingRule first): ToFixed(2) of 255 is
  // "255.00", of -0.005 is "-0.01". Never uses an exponent.
  std::string ToFixed(int places) const;
  // Renders with as many fractional digits as needed (at least `min_places`), no trailing zeros beyond that:
  // ToString() of 0.3 is "0.3", ToString(2) of 30 is "30.00", of 0.123 is "0.123".
  std::string ToString(int min_places = 0) const;

  friend constexpr auto operator<=>(Decimal a, Decimal b) = default;
  friend constexpr bool operator==(Decimal a, Decimal b) = default;

 private:
  static constexpr Raw kOneRaw = 1'000'000'000'000;  // 1 at kScale = 12
  static_assert(kScale == 12);

  constexpr explicit Decimal(Raw raw) : raw_(raw) {}
  // Throws std::overflow_error("Decimal overflow in <what>").
  [[noreturn]] static void ThrowOverflow(const char* what);
  Decimal MultiplyChecked(int64_t n) const;
  Raw raw_ = 0;
};

// Prints ToString() (for GoogleTest failure messages).
void PrintTo(Decimal value, std::ostream* os);

// The one rounding rule, stated once for documentation and reports.
inline constexpr std::string_view kRoundingRule = "half away from zero (half-up for non-negative amounts)";

}  // namespace creditbot
