// The largest remainder method (see largest_remainder.h).
#include "core/largest_remainder.h"

#include <algorithm>
#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace creditbot {

absl::StatusOr<std::vector<Decimal>> LargestRemainderRound(const std::vector<Decimal>& values, Decimal total,
                                                           int places) {
  if (places < 0 || places > Decimal::kScale) {
    return absl::InvalidArgumentError(absl::StrCat("places must be 0..12, not ", places));
  }
  Decimal::Raw unit = 1;
  for (int i = places; i < Decimal::kScale; ++i) unit *= 10;
  if (total.IsNegative()) {
    return absl::InvalidArgumentError(absl::StrCat("the total is negative: ", total.ToString()));
  }
  if (total.raw() % unit != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("the total ", total.ToString(), " has more than ", places, " fractional digits"));
  }
  std::vector<Decimal::Raw> truncated(values.size());
  std::vector<Decimal::Raw> remainder(values.size());
  std::vector<size_t> positive;  // indexes of the values above zero
  Decimal::Raw units_missing = total.raw() / unit;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].IsNegative()) {
      return absl::InvalidArgumentError(
          absl::StrCat("value ", i + 1, " is negative: ", values[i].ToString()));
    }
    truncated[i] = values[i].raw() / unit;
    remainder[i] = values[i].raw() % unit;
    units_missing -= truncated[i];
    if (!values[i].IsZero()) positive.push_back(i);
  }
  if (positive.empty() && units_missing != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("every value is zero but the total is ", total.ToString()));
  }
  // Largest remainder first; ties go to the earlier value (stable_sort keeps index order).
  std::stable_sort(positive.begin(), positive.end(),
                   [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  if (units_missing > 0) {
    const auto count = static_cast<Decimal::Raw>(positive.size());
    for (size_t rank = 0; rank < positive.size(); ++rank) {  // whole rounds, then one more to the first few
      truncated[positive[rank]] +=
          units_missing / count + (static_cast<Decimal::Raw>(rank) < units_missing % count ? 1 : 0);
    }
  } else if (units_missing < 0) {
    // Smallest remainder first, ties to the later value: the reverse of the order above.
    std::reverse(positive.begin(), positive.end());
    Decimal::Raw excess = -units_missing;
    while (excess > 0) {
      // Whole rounds at once (each non-zero value gives the same number of units, at most what the
      // smallest of them has), then one unit each in order: O(values²) at worst, whatever the excess.
      Decimal::Raw nonzero = 0, smallest = 0;
      for (size_t i : positive) {
        if (truncated[i] == 0) continue;
        smallest = nonzero == 0 ? truncated[i] : std::min(smallest, truncated[i]);
        ++nonzero;
      }
      if (nonzero == 0) break;  // unreachable: total ≥ 0 bounds the excess by Σ truncated
      const Decimal::Raw rounds = std::min(excess / nonzero, smallest);
      for (size_t i : positive) {
        if (excess == 0) break;
        if (truncated[i] == 0) continue;
        const Decimal::Raw take = rounds > 0 ? rounds : 1;
        truncated[i] -= take;
        excess -= take;
      }
    }
  }
  std::vector<Decimal> result;
  result.reserve(values.size());
  for (Decimal::Raw units : truncated) result.push_back(Decimal::FromRaw(units * unit));
  return result;
}

}  // namespace creditbot
