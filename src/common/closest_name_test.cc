// Tests for EditDistance and ClosestName.
#include "common/closest_name.h"

#include <gtest/gtest.h>

namespace creditbot {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(EditDistance("", ""), 0);
  EXPECT_EQ(EditDistance("run", "run"), 0);
  EXPECT_EQ(EditDistance("runn", "run"), 1);             // one deletion
  EXPECT_EQ(EditDistance("sate", "state"), 1);           // one insertion
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);       // k→s, e→i, +g
  EXPECT_EQ(EditDistance("Warehouse", "WAREHOUSE"), 0);  // case does not count
}

TEST(ClosestName, SuggestsTheNearestNameWithinATypo) {
  const std::vector<std::string> commands = {"run",   "serve", "calc",   "links",
                                             "state", "synth", "config", "doctor"};
  EXPECT_EQ(ClosestName("runn", commands), "run");
  EXPECT_EQ(ClosestName("docter", commands), "doctor");
  EXPECT_EQ(ClosestName("SERVE", commands), "serve");
  const std::vector<std::string> settings = {"CREDITBOT_WAREHOUSE", "CREDITBOT_STATE", "CREDITBOT_AUDIT_DIR"};
  EXPECT_EQ(ClosestName("CREDITBOT_WAREHOUS", settings), "CREDITBOT_WAREHOUSE");
  EXPECT_EQ(ClosestName("CREDITBOT_AUDITDIR", settings), "CREDITBOT_AUDIT_DIR");
}

TEST(ClosestName, SuggestsNothingForAnUnrelatedName) {
  const std::vector<std::string> commands = {"run", "serve", "calc"};
  EXPECT_EQ(ClosestName("xyzzy", commands), "");
  EXPECT_EQ(ClosestName("deploy", commands), "");
  EXPECT_EQ(ClosestName("anything", {}), "");
}

}  // namespace
}  // namespace creditbot
