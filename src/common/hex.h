// Hexadecimal digits to bytes: a Slack request signature ("v0=" + 64 hex digits) is decoded here, and a
// percent-escape's two digits are checked here. (Bytes to hex is absl::BytesToHexString.) Stateless and
// thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace creditbot {

// The value of one hex digit (0-9, a-f, A-F), or -1 for any other character.
int HexDigitValue(char c);

// Decodes `hex` (either case) into `out`; false, with `out` unspecified, unless `hex` is exactly
// 2 × out.size() hex digits.
bool HexDecode(std::string_view hex, std::span<unsigned char> out);

}  // namespace creditbot
