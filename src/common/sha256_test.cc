// Tests for Sha256Hex against the FIPS 180-2 example digests (appendix B), written out by hand, and on either
// side of the size from which OpenSSL hashes instead of libmd (digests from Python's hashlib).
#include "common/sha256.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "common/lazy_openssl.h"

namespace creditbot {
namespace {

TEST(Sha256Hex, MatchesTheStandardsExamples) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Hex, HashesAMillionBytes) {
  EXPECT_EQ(Sha256Hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Byte i is (31i + 7) mod 251: no period of 64 bytes, so a block handled twice or skipped changes the digest.
std::string Pattern(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 31 + 7) % 251);
  return bytes;
}

TEST(Sha256Hex, BothEnginesAgreeAroundTheThreshold) {
  ASSERT_EQ(kSha256OpensslFrom, size_t{1048576});
  EXPECT_EQ(Sha256Hex(Pattern(1048575)),
            "14446dd49471dd263c478a8bd520ff2c4838ba97b15b4b53aaec61356f27b038");  // libmd
  EXPECT_EQ(Sha256Hex(Pattern(1048576)), "1c59b8670027384143781a8a8bff2f3b44bd8818d0f53b13b064c2375a1afe38");
  EXPECT_TRUE(OpensslLoaded());  // the 1 MiB input loaded it
  EXPECT_EQ(Sha256Hex(Pattern(3145735)), "397ed8f188dd124f4dc37c1228bb831b3cdcdfad610b637634fd5695a5e6493e");
}

TEST(Sha256Hex, HashesBytesAfterANul) {
  // The whole view is hashed, not a C string: "a\0b" differs from "a".
  EXPECT_NE(Sha256Hex(std::string_view("a\0b", 3)), Sha256Hex("a"));
  EXPECT_EQ(Sha256Hex(std::string_view("a\0b", 3)).size(), 64u);
}

}  // namespace
}  // namespace creditbot
