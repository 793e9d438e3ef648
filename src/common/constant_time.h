// ConstantTimeEquals: comparing secrets (signatures, tokens, CSRF values, OpenID Connect claims) in time that
// does not depend on where they differ, so a caller cannot learn a secret byte by byte from response times.
#pragma once

#include <string_view>

namespace creditbot {

// True when `a` and `b` are equal. The time depends only on their lengths (OpenSSL's CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace creditbot
