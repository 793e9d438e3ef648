// CapText: short text untouched, long text cut at a character boundary with the note, within the limit.
#include "common/cap_text.h"

#include <gtest/gtest.h>

#include <string>

namespace creditbot {
namespace {

TEST(CapTextTest, TextWithinTheLimitIsUntouched) {
  EXPECT_EQ(CapText("hello", 5), "hello");
  EXPECT_EQ(CapText("", 0), "");
}

TEST(CapTextTest, LongTextKeepsItsBeginningAndSaysHowMuchWasCut) {
  // The widest note for 100 bytes, " …[cut 100 of 100 bytes]", is 26 bytes ("…" is 3), so 64 − 26 = 38 are
  // kept and 62 cut; the actual note is one digit shorter (25), so the result is 63 bytes.
  const std::string capped = CapText(std::string(100, 'a'), 64);
  EXPECT_EQ(capped, std::string(38, 'a') + " …[cut 62 of 100 bytes]");
  EXPECT_EQ(capped.size(), 63u);
}

TEST(CapTextTest, NeverSplitsAMultiByteCharacter) {
  // "é" is C3 A9 at bytes 37–38; keeping 38 would end inside it, so 37 are kept and 64 of 101 cut.
  const std::string text = std::string(37, 'a') + "é" + std::string(62, 'a');
  ASSERT_EQ(text.size(), 101u);
  EXPECT_EQ(CapText(text, 64), std::string(37, 'a') + " …[cut 64 of 101 bytes]");
}

TEST(CapTextTest, AnEllipsisMarkIsThreeBytesAndAlsoKeepsCharactersWhole) {
  // "…" is 3 bytes: 10 − 3 = 7 kept. With "é" at bytes 6–7, keeping 7 would split it: 6 kept.
  EXPECT_EQ(CapText(std::string(20, 'a'), 10, CutMark::kEllipsis), "aaaaaaa…");
  EXPECT_EQ(CapText("abcdefé" + std::string(10, 'a'), 10, CutMark::kEllipsis), "abcdef…");
  EXPECT_EQ(CapText("short", 10, CutMark::kEllipsis), "short");
}

TEST(CapTextTest, ATinyLimitKeepsOnlyTheNote) {
  EXPECT_EQ(CapText(std::string(100, 'a'), 10), " …[cut 100 of 100 bytes]");
}

TEST(CapTextTest, FiveMegabytesBecomeAtMostTheLimit) {
  const std::string capped = CapText(std::string(5'000'222, 'x'), kMaxSlackTextBytes);
  EXPECT_LE(capped.size(), kMaxSlackTextBytes);
  EXPECT_NE(capped.find("of 5000222 bytes]"), std::string::npos);
}

}  // namespace
}  // namespace creditbot
