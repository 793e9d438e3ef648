// LargestRemainderRound: rounds a breakdown of an amount for people to read, so that the rounded parts add
// up to the rounded total exactly (the largest remainder, or Hamilton, method). The result JSON keeps exact
// values; a table shown to people (the Slack reply's per-mode credits, the dashboard) must never show parts
// that disagree with their total by a cent, which rounding each part on its own can do (three parts of
// 0.005 each round to 0.01 + 0.01 + 0.01 beside a total of 0.02).
//
// Pure; thread-safe.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "core/decimal.h"

namespace creditbot {

// Rounds each of `values` to `places` fractional digits (0..Decimal::kScale) so that the results add up
// to `total` exactly:
//   1. every value is truncated to `places` digits;
//   2. the units of 10^-places still missing (total − Σ truncated) go one each to the values with the
//      largest remainders (ties: the earlier value), only to values above zero, again round the values
//      when more units are missing than there are such values; units in excess are taken back one each
//      from the values with the smallest remainders (ties: the later value) that are still above zero.
// So a value of exactly zero stays zero, and when Σ values is within half a unit per value of `total`
// (e.g. `total` is Σ values rounded to cents) every result is its value rounded down or up.
// Errors (kInvalidArgument): `places` outside 0..12, a negative value or total, a total with more than
// `places` fractional digits, or a non-zero total with every value zero (nothing to show it against).
absl::StatusOr<std::vector<Decimal>> LargestRemainderRound(const std::vector<Decimal>& values, Decimal total,
                                                           int places);

}  // namespace creditbot
