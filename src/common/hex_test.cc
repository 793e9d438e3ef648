// Tests for HexDigitValue and HexDecode.
#include "common/hex.h"

#include <gtest/gtest.h>

#include <array>

namespace creditbot {
namespace {

TEST(HexDigitValue, ReadsDigitsOfEitherCase) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('%'), -1);
  EXPECT_EQ(HexDigitValue('\0'), -1);
}

TEST(HexDecode, DecodesExactlyTwoDigitsPerByte) {
  std::array<unsigned char, 3> out{};
  ASSERT_TRUE(HexDecode("00fFa5", out));
  EXPECT_EQ(out, (std::array<unsigned char, 3>{0x00, 0xff, 0xa5}));
  EXPECT_FALSE(HexDecode("00ff", out));     // too short
  EXPECT_FALSE(HexDecode("00ffa5b", out));  // too long
  EXPECT_FALSE(HexDecode("00fga5", out));   // not a digit
  std::array<unsigned char, 0> none{};
  EXPECT_TRUE(HexDecode("", none));
}

}  // namespace
}  // namespace creditbot
