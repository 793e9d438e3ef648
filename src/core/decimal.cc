// Decimal: exact fixed-point arithmetic (see decimal.h). Checked int128 arithmetic throughout; Mul and
// MulDiv fall back to an exact 256-bit intermediate (Boost.Multiprecision) only when the int128 product
// would overflow, so no result is ever approximated.
//
// Fast paths (issue 7), each exact and giving the very bits of the general path:
//   - operator*(int64) (decimal.h): a raw value that fits in int64 times an int64 cannot overflow 128 bits,
//     so one 64×64→128 multiplication replaces the checked 128×128 one (MultiplyChecked).
//   - +, −, FromInt and operator* are inline (decimal.h): the engine adds a dozen Decimals per row.
//   - Mul/MulDiv: when a, b and c are in [0, 2^63) and the quotient fits in 64 bits, a·b is one 64×64→128
//     multiplication and a·b ÷ c one 128÷64 division (a single `div` on x86-64) instead of the checked
//     128×128 multiplication and libgcc's signed 128-bit division; the remainder decides the one rounding
//     exactly as DivRound does. Negative operands (never per row in the credit engine) take the general path.
#include "core/decimal.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "boost/multiprecision/cpp_int.hpp"

namespace creditbot {
namespace {

using Raw = Decimal::Raw;
__extension__ typedef unsigned __int128 URaw;
using Wide = boost::multiprecision::int256_t;

constexpr Raw Pow10(int n) {
  Raw result = 1;
  for (int i = 0; i < n; ++i) result *= 10;
  return result;
}

constexpr Raw kOne = Pow10(Decimal::kScale);
constexpr int kMaxIntegerDigits = 15;  // |value| < 10^15
constexpr Raw kIntegerLimit = Pow10(kMaxIntegerDigits);
constexpr Raw kRawMax = static_cast<Raw>(~URaw{0} >> 1);
constexpr Raw kRawMin = -kRawMax - 1;

[[noreturn]] void Overflow(const char* what) {
  throw std::overflow_error(std::string("Decimal overflow in ") + what);
}

URaw Magnitude(Raw value) {
  // Well defined for kRawMin too: negate in the unsigned domain.
  return value < 0 ? URaw{0} - static_cast<URaw>(value) : static_cast<URaw>(value);
}

// n ÷ d rounded half away from zero. d != 0. Throws on the single overflowing case (kRawMin ÷ -1).
Raw DivRound(Raw n, Raw d) {
  if (n == kRawMin && d == -1) Overflow("division");
  Raw q = n / d;
  Raw r = n % d;
  if (r != 0) {
    URaw abs_r = Magnitude(r);
    URaw abs_d = Magnitude(d);
    if (abs_r >= abs_d - abs_r) q += ((n < 0) != (d < 0)) ? -1 : 1;  // |r| ≥ |d|/2, without overflow
  }
  return q;
}

Wide ToWide(Raw value) {
  URaw magnitude = Magnitude(value);
  Wide wide = Wide(static_cast<uint64_t>(magnitude >> 64));
  wide <<= 64;
  wide |= Wide(static_cast<uint64_t>(magnitude));
  return value < 0 ? Wide(-wide) : wide;
}

Raw FromWide(const Wide& value, const char* what) {
  Wide magnitude = boost::multiprecision::abs(value);
  if (magnitude > ToWide(kRawMax)) {
    if (value < 0 && magnitude == ToWide(kRawMax) + 1) return kRawMin;
    Overflow(what);
  }
  URaw hi = static_cast<URaw>((magnitude >> 64).convert_to<uint64_t>());
  URaw lo = static_cast<URaw>((magnitude & Wide(UINT64_MAX)).convert_to<uint64_t>());
  Raw result = static_cast<Raw>((hi << 64) | lo);
  return value < 0 ? -result : result;
}

// n ÷ d for a 128-bit n and a 64-bit d with n < d·2^64, so that the quotient fits in 64 bits. On x86-64
// this is the processor's own 128÷64 division (`div`): one instruction, where n / d on unsigned __int128
// would call libgcc's general 128÷128 routine.
uint64_t DivideWide(URaw n, uint64_t d, uint64_t& remainder) {
#if defined(__x86_64__)
  uint64_t quotient;
  const auto high = static_cast<uint64_t>(n >> 64);
  const auto low = static_cast<uint64_t>(n);
  __asm__("divq %[d]" : "=a"(quotient), "=d"(remainder) : [d] "rm"(d), "a"(low), "d"(high) : "cc");
  return quotient;
#else
  remainder = static_cast<uint64_t>(n % d);
  return static_cast<uint64_t>(n / d);
#endif
}

// a·b ÷ c rounded half away from zero, when a, b and c are in [0, 2^63) (all of the credit engine's:
// charges, attempts, shortfalls, rates) and c > 0; nullopt otherwise, and the caller takes the general
// path. Exact: a·b < 2^126 is computed exactly in unsigned 128 bits. The quotient is below 2^64 exactly
// when the high half of a·b is below c, which is checked; then the division gives the exact truncated
// quotient q and remainder r, and rounding up when r ≥ c − r is DivRound's rule for a non-negative result
// (half away from zero). q + 1 ≤ 2^64 fits in a Raw.
std::optional<Raw> MulDivFast(Raw a, Raw b, Raw c) {
  if (((a | b | c) >> 63) != 0 || c == 0) return std::nullopt;  // some operand negative or ≥ 2^63
  const auto divisor = static_cast<uint64_t>(c);
  const URaw product = static_cast<URaw>(static_cast<uint64_t>(a)) * static_cast<uint64_t>(b);
  if ((product >> 64) >= divisor) return std::nullopt;  // the quotient would not fit in 64 bits
  uint64_t remainder = 0;
  URaw quotient = DivideWide(product, divisor, remainder);
  if (remainder >= divisor - remainder) ++quotient;  // r ≥ c/2, without overflow
  return static_cast<Raw>(quotient);
}

// n ÷ d rounded half away from zero, in 256 bits.
Wide WideDivRound(const Wide& n, const Wide& d) {
  Wide q = n / d;  // truncates toward zero
  Wide r = n % d;  // sign of n
  if (r != 0) {
    Wide abs_r = boost::multiprecision::abs(r);
    Wide abs_d = boost::multiprecision::abs(d);
    if (abs_r * 2 >= abs_d) q += ((n < 0) != (d < 0)) ? -1 : 1;
  }
  return q;
}

// Parses [sign] digits [. digits]. With `round_extra`, fractional digits beyond kScale are rounded by the
// rule (FromDouble); without, they are an error unless they are zeros (Parse).
absl::StatusOr<Decimal> ParseText(std::string_view text, bool round_extra) {
  auto invalid = [&](const char* why) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a decimal number (", why, "): '", std::string(text), "'"));
  };
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '+' || rest.front() == '-')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  size_t dot = rest.find('.');
  std::string_view integer = rest.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  if (integer.empty() && fraction.empty()) return invalid("no digits");
  for (std::string_view part : {integer, fraction}) {
    for (char ch : part) {
      if (ch < '0' || ch > '9') return invalid("unexpected character");
    }
  }
  while (!integer.empty() && integer.front() == '0') integer.remove_prefix(1);
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  if (integer.size() > static_cast<size_t>(kMaxIntegerDigits)) return invalid("magnitude 10^15 or more");

  std::string_view kept = fraction.substr(0, std::min<size_t>(fraction.size(), Decimal::kScale));
  bool round_up = false;
  if (fraction.size() > static_cast<size_t>(Decimal::kScale)) {
    if (!round_extra) return invalid("more than 12 fractional digits");
    round_up = fraction[Decimal::kScale] >= '5';  // half away from zero: the next digit decides
  }
  Raw raw = 0;
  for (char ch : integer) raw = raw * 10 + (ch - '0');
  raw *= kOne;
  Raw frac = 0;
  for (char ch : kept) frac = frac * 10 + (ch - '0');
  frac *= Pow10(Decimal::kScale - static_cast<int>(kept.size()));
  raw += frac + (round_up ? 1 : 0);
  if (raw >= kIntegerLimit * kOne) return invalid("magnitude 10^15 or more");
  return Decimal::FromRaw(negative ? -raw : raw);
}

// Digits of a magnitude, most significant first ("0" for zero).
std::string Digits(URaw value) {
  std::array<char, 48> buffer;
  size_t pos = buffer.size();
  do {
    buffer[--pos] = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  } while (value != 0);
  return std::string(buffer.data() + pos, buffer.size() - pos);
}

// Renders raw with exactly `places` fractional digits, truncating (callers round first).
std::string Render(Raw raw, int places) {
  URaw magnitude = Magnitude(raw);
  URaw one = static_cast<URaw>(kOne);
  std::string out = raw < 0 ? "-" : "";
  out += Digits(magnitude / one);
  if (places > 0) {
    std::string fraction = Digits(magnitude % one);
    fraction.insert(0, static_cast<size_t>(Decimal::kScale) - fraction.size(), '0');
    out += '.';
    out.append(fraction, 0, static_cast<size_t>(places));
  }
  return out;
}

void CheckPlaces(int places) {
  if (places < 0 || places > Decimal::kScale) throw std::out_of_range("Decimal places must be 0..12");
}

}  // namespace

void Decimal::ThrowOverflow(const char* what) { Overflow(what); }

absl::StatusOr<Decimal> Decimal::Parse(std::string_view text) { return ParseText(text, false); }

absl::StatusOr<Decimal> Decimal::FromDouble(double value) {
  if (!std::isfinite(value)) return absl::InvalidArgumentError("not a finite number");
  if (std::fabs(value) >= 1e15) {
    return absl::InvalidArgumentError(absl::StrCat("magnitude 10^15 or more: ", value));
  }
  // Fixed notation, shortest round-trip digits: 0.7 → "0.7", 1e-20 → "0.00000000000000000001".
  std::array<char, 400> buffer;
  auto [end, ec] =
      std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
  if (ec != std::errc()) return absl::InvalidArgumentError("cannot render number");
  return ParseText(std::string_view(buffer.data(), static_cast<size_t>(end - buffer.data())), true);
}

Decimal Decimal::operator-() const {
  if (raw_ == kRawMin) Overflow("negation");
  return Decimal(-raw_);
}

Decimal Decimal::MultiplyChecked(int64_t n) const {
  Raw result;
  if (__builtin_mul_overflow(raw_, static_cast<Raw>(n), &result)) Overflow("multiplication");
  return Decimal(result);
}

Decimal Decimal::Mul(Decimal a, Decimal b) {
  if (std::optional<Raw> fast = MulDivFast(a.raw_, b.raw_, kOne)) return Decimal(*fast);
  return MulReference(a, b);
}

Decimal Decimal::MulReference(Decimal a, Decimal b) {
  Raw product;
  if (!__builtin_mul_overflow(a.raw_, b.raw_, &product)) return Decimal(DivRound(product, kOne));
  return Decimal(FromWide(WideDivRound(ToWide(a.raw_) * ToWide(b.raw_), ToWide(kOne)), "Mul"));
}

Decimal Decimal::MulDiv(Decimal a, Decimal b, Decimal c) {
  if (c.raw_ == 0) throw std::domain_error("Decimal::MulDiv by zero");
  if (std::optional<Raw> fast = MulDivFast(a.raw_, b.raw_, c.raw_)) return Decimal(*fast);
  return MulDivReference(a, b, c);
}

Decimal Decimal::MulDivReference(Decimal a, Decimal b, Decimal c) {
  if (c.raw_ == 0) throw std::domain_error("Decimal::MulDiv by zero");
  // (a·10^-12)(b·10^-12)/(c·10^-12) = (a·b/c)·10^-12: the raw result is a.raw·b.raw/c.raw.
  Raw product;
  if (!__builtin_mul_overflow(a.raw_, b.raw_, &product)) return Decimal(DivRound(product, c.raw_));
  return Decimal(FromWide(WideDivRound(ToWide(a.raw_) * ToWide(b.raw_), ToWide(c.raw_)), "MulDiv"));
}

absl::StatusOr<Decimal> Decimal::MulDivFloor(Decimal a, Decimal b, Decimal c, Raw* remainder) {
  if (a.raw_ < 0 || b.raw_ < 0 || c.raw_ <= 0) {
    return absl::InvalidArgumentError("MulDivFloor needs a, b >= 0 and c > 0");
  }
  const Wide product = ToWide(a.raw_) * ToWide(b.raw_);  // < 2^254: exact
  const Wide divisor = ToWide(c.raw_);
  *remainder = FromWide(product % divisor, "MulDivFloor");  // < c: fits
  return Decimal(FromWide(product / divisor, "MulDivFloor"));
}

Decimal Decimal::Round(int places) const {
  CheckPlaces(places);
  Raw factor = Pow10(kScale - places);
  Raw result;
  if (__builtin_mul_overflow(DivRound(raw_, factor), factor, &result)) Overflow("Round");
  return Decimal(result);
}

std::string Decimal::ToFixed(int places) const { return Render(Round(places).raw_, places); }

std::string Decimal::ToString(int min_places) const {
  CheckPlaces(min_places);
  std::string full = Render(raw_, kScale);
  size_t dot = full.find('.');
  size_t keep = full.size();
  while (keep > dot + 1 + static_cast<size_t>(min_places) && full[keep - 1] == '0') --keep;
  if (keep == dot + 1) --keep;  // no fractional digits left: drop the dot
  full.resize(keep);
  return full;
}

void PrintTo(Decimal value, std::ostream* os) { *os << value.ToString(); }

}  // namespace creditbot
