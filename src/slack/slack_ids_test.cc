// Tests for LooksLikeChannelId.
#include "slack/slack_ids.h"

#include <gtest/gtest.h>

namespace creditbot {
namespace {

TEST(LooksLikeChannelId, TakesChannelGroupAndDmIds) {
  EXPECT_TRUE(LooksLikeChannelId("C0123ABCD"));  // 9 characters, the shortest
  EXPECT_TRUE(LooksLikeChannelId("G01ABCDEFGH"));
  EXPECT_TRUE(LooksLikeChannelId("D0123456789"));
}

TEST(LooksLikeChannelId, RefusesNamesShortIdsAndOtherKinds) {
  EXPECT_FALSE(LooksLikeChannelId("C0123ABC"));   // 8 characters
  EXPECT_FALSE(LooksLikeChannelId("U0123ABCD"));  // a user id
  EXPECT_FALSE(LooksLikeChannelId("#fraud-credits"));
  EXPECT_FALSE(LooksLikeChannelId("c0123abcd"));  // lower case: a name
  EXPECT_FALSE(LooksLikeChannelId("C0123-ABCD"));
  EXPECT_FALSE(LooksLikeChannelId(""));
}

}  // namespace
}  // namespace creditbot
