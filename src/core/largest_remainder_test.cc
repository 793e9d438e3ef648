// Tests of LargestRemainderRound: hand-checked examples and a randomized property test (the rounded parts
// add up to the total, and each is its value rounded down or up, when the total is Σ values rounded).
#include "core/largest_remainder.h"

#include <cstdint>
#include <random>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creditbot {
namespace {

using ::testing::ElementsAre;

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

std::vector<Decimal> Round(std::vector<Decimal> values, const char* total, int places = 2) {
  absl::StatusOr<std::vector<Decimal>> rounded = LargestRemainderRound(values, D(total), places);
  EXPECT_TRUE(rounded.ok()) << rounded.status();
  return rounded.ok() ? *rounded : std::vector<Decimal>();
}

TEST(LargestRemainder, ExactCentsAreKept) {
  // The worked example's credit_in_mode: 0 + 0 + 225 + 30 = 255.
  EXPECT_THAT(Round({D("0"), D("0"), D("225"), D("30")}, "255.00"),
              ElementsAre(D("0"), D("0"), D("225"), D("30")));
}

TEST(LargestRemainder, TheIssueExampleAddsUpToTheCredit) {
  // Issue 15: a goodwill share of 10.015 beside a credit of 10.02 (promise 0). Truncated: 10.01; one cent
  // missing; it goes to the only value: 10.02.
  EXPECT_THAT(Round({D("0"), D("10.015")}, "10.02"), ElementsAre(D("0"), D("10.02")));
}

TEST(LargestRemainder, MissingCentsGoToTheLargestRemainders) {
  // 1.004 + 2.006 + 3.005 = 6.015 → credit 6.02. Truncated 1.00 + 2.00 + 3.00 = 6.00, two cents missing:
  // remainders 0.004, 0.006, 0.005 → the second (0.006) and the third (0.005) get one each.
  EXPECT_THAT(Round({D("1.004"), D("2.006"), D("3.005")}, "6.02"),
              ElementsAre(D("1.00"), D("2.01"), D("3.01")));
}

TEST(LargestRemainder, TiesGoToTheEarlierValue) {
  // Three values of 0.005 (Σ 0.015 → 0.02): truncated 0, two cents missing, equal remainders: the first two.
  EXPECT_THAT(Round({D("0.005"), D("0.005"), D("0.005")}, "0.02"), ElementsAre(D("0.01"), D("0.01"), D("0")));
}

TEST(LargestRemainder, ZeroStaysZero) {
  // 0.004 + 0 → total rounded 0.00: nothing to give; and 0.006 + 0 → 0.01 goes to the non-zero value even
  // though the zero value comes first.
  EXPECT_THAT(Round({D("0"), D("0.006")}, "0.01"), ElementsAre(D("0"), D("0.01")));
  EXPECT_THAT(Round({D("0.004"), D("0")}, "0.00"), ElementsAre(D("0"), D("0")));
}

TEST(LargestRemainder, ExcessUnitsAreTakenFromTheSmallestRemainders) {
  // 1.001 + 1.009 shown against a total of 1.99: truncated 1.00 + 1.00 = 2.00, one cent too many; the
  // smallest remainder (0.001, the first value) gives it back.
  EXPECT_THAT(Round({D("1.001"), D("1.009")}, "1.99"), ElementsAre(D("0.99"), D("1.00")));
}

TEST(LargestRemainder, FarOffTotalsStillAddUp) {
  // Whole rounds: 3 values, 1,000,000 cents missing → 333,333 each and one more to the largest remainder.
  std::vector<Decimal> up = Round({D("0.001"), D("0.003"), D("0.002")}, "10000.00");
  EXPECT_THAT(up, ElementsAre(D("3333.33"), D("3333.34"), D("3333.33")));
  // And down: 10^9 shown against 1: every cent but one taken back.
  EXPECT_THAT(Round({D("1000000000")}, "1.00"), ElementsAre(D("1.00")));
}

TEST(LargestRemainder, OtherPlaces) {
  // Whole dollars: 1.4 + 1.4 + 1.2 = 4 → truncated 3, one missing → the first 1.4 (tie, earlier).
  EXPECT_THAT(Round({D("1.4"), D("1.4"), D("1.2")}, "4", 0), ElementsAre(D("2"), D("1"), D("1")));
}

TEST(LargestRemainder, RefusesWhatItCannotRound) {
  EXPECT_EQ(LargestRemainderRound({D("1")}, D("1"), 13).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LargestRemainderRound({D("-1")}, D("0"), 2).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LargestRemainderRound({D("1")}, D("-1"), 2).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LargestRemainderRound({D("1")}, D("1.005"), 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LargestRemainderRound({D("0"), D("0")}, D("0.01"), 2).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(LargestRemainderRound({}, D("0"), 2).ok());
}

// Random breakdowns whose total is their sum rounded half-up to cents: the parts add up to it exactly, each
// is its value rounded down or up to a cent, and a value already in whole cents is kept.
TEST(LargestRemainder, RandomBreakdownsAddUpAndStayWithinACent) {
  std::mt19937_64 random(15);
  const Decimal cent = D("0.01");
  for (int trial = 0; trial < 20000; ++trial) {
    const int count = 1 + static_cast<int>(random() % 6);
    std::vector<Decimal> values;
    Decimal sum;
    for (int i = 0; i < count; ++i) {
      Decimal value;
      switch (random() % 4) {
        case 0:
          break;  // zero
        case 1:
          value = Decimal::FromRaw(static_cast<Decimal::Raw>(random() % 100000) * 10'000'000'000);  // cents
          break;
        default:
          value = Decimal::FromRaw(static_cast<Decimal::Raw>(random() % 1'000'000'000'000'000));  // ≤ 1000
      }
      values.push_back(value);
      sum += value;
    }
    const Decimal total = sum.Round(2);
    absl::StatusOr<std::vector<Decimal>> rounded = LargestRemainderRound(values, total, 2);
    ASSERT_TRUE(rounded.ok()) << rounded.status();
    Decimal rounded_sum;
    for (int i = 0; i < count; ++i) {
      const Decimal part = (*rounded)[static_cast<size_t>(i)];
      const Decimal value = values[static_cast<size_t>(i)];
      rounded_sum += part;
      EXPECT_EQ(part.Round(2), part);
      EXPECT_LT(value - part, cent) << "trial " << trial;
      EXPECT_LT(part - value, cent) << "trial " << trial;
      if (value.Round(2) == value) {
        EXPECT_EQ(part, value) << "trial " << trial;
      }
    }
    ASSERT_EQ(rounded_sum, total) << "trial " << trial;
  }
}

}  // namespace
}  // namespace creditbot
