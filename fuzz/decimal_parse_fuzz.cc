// Fuzz target for Decimal::Parse and FromDouble: any bytes must either be refused with a status or give a
// value that renders and re-parses to itself. Arithmetic on parsed values may only throw the documented
// std::overflow_error.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/decimal.h"

namespace {

const creditbot::Decimal kLimit =
    creditbot::Decimal::FromInt(999'999'999'999'999) + creditbot::Decimal::FromInt(1);

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void RoundTrip(creditbot::Decimal value) {
  absl::StatusOr<creditbot::Decimal> again = creditbot::Decimal::Parse(value.ToString());
  Check(again.ok() && *again == value);
  for (int places = 0; places <= creditbot::Decimal::kScale; ++places) {
    creditbot::Decimal expected = value.Round(places);
    absl::StatusOr<creditbot::Decimal> rounded = creditbot::Decimal::Parse(value.ToFixed(places));
    if (rounded.ok()) {
      Check(*rounded == expected);
    } else {  // only rounding up to 10^15 itself leaves Parse's range
      Check(expected == kLimit || expected == -kLimit);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<creditbot::Decimal> value = creditbot::Decimal::Parse(text);
  if (value.ok()) {
    RoundTrip(*value);
    // a·a/a is exact in the 256-bit intermediate, so it must give a back.
    if (!value->IsZero()) Check(creditbot::Decimal::MulDiv(*value, *value, *value) == *value);
    try {
      (void)creditbot::Decimal::Mul(*value, *value);
    } catch (const std::overflow_error&) {
      // Documented: results beyond the int128 range throw.
    }
  }
  if (size >= sizeof(double)) {
    double number;
    std::memcpy(&number, data, sizeof(double));
    absl::StatusOr<creditbot::Decimal> converted = creditbot::Decimal::FromDouble(number);
    if (converted.ok()) RoundTrip(*converted);
  }
  return 0;
}
