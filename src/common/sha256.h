// SHA-256 (OpenSSL's libcrypto), as lower-case hex: policy files and SQL are stamped with it in audit
// records.
#pragma once

#include <string>
#include <string_view>

namespace creditbot {

std::string Sha256Hex(std::string_view data);

}  // namespace creditbot
