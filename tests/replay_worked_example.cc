// The worked example under k.standard = 0.5; see replay_worked_example.h.
#include "tests/replay_worked_example.h"

#include <gtest/gtest.h>

#include "tests/test_support.h"

namespace creditbot::testing {

std::string HalfStandardPolicy() {
  std::string policy = ReadFile(std::string(CREDITBOT_SOURCE_DIR) + "/policy/verify.toml");
  const std::string standard = "standard = \"1.0\"";
  const std::size_t at = policy.find(standard);
  if (at == std::string::npos) {
    ADD_FAILURE() << "policy/verify.toml has no line " << standard;
    return "";
  }
  return policy.replace(at, standard.size(), "standard = \"0.5\"");
}

void ExpectHalfStandardWorkedExample(const nlohmann::json& row) {
  // By hand (CREDIT_POLICY.md, test case 1): r1 and r2 are standard goodwill k·rf·E(standard): 0.5 × 165.00 =
  // 82.50 and 0.5 × 60.00 = 30.00, so goodwill 112.50 (the cap 432.00 does not bind); r3's Promise 30.00 and
  // the off rows are untouched. Credit 112.50 + 30.00 = 142.50; delta 142.50 − 255.00 = −112.50; relative
  // −112.50 ÷ 255.00 = −44.1176…% → −44.12%; 142.50 ≤ the 250.00 threshold: no approval needed any more.
  EXPECT_EQ(row["inputs"], "frozen");
  EXPECT_EQ(row["old_credit"], "255.00");
  EXPECT_EQ(row["new_credit"], "142.50");
  EXPECT_EQ(row["delta"], "-112.50");
  EXPECT_EQ(row["relative_change"], "-44.12%");
  EXPECT_EQ(row["old_needs_approval"], true);
  EXPECT_EQ(row["new_needs_approval"], false);
  EXPECT_EQ(row["identical"], false);
  ASSERT_EQ(row["changed_lines"].size(), 2u) << row.dump(2);
  EXPECT_EQ(row["changed_lines"][0]["old_credited"], "165.00");
  EXPECT_EQ(row["changed_lines"][0]["new_credited"], "82.50");
  EXPECT_EQ(row["changed_lines"][0]["new_treatment"], "goodwill");
  EXPECT_EQ(row["changed_lines"][1]["old_credited"], "60.00");
  EXPECT_EQ(row["changed_lines"][1]["new_credited"], "30.00");
}

}  // namespace creditbot::testing
