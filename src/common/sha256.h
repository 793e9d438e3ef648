// SHA-256 as lower-case hex: policy files, SQL and Slack messages are stamped with it in audit records and
// state, and S3 requests carry it (x-amz-content-sha256).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace creditbot {

// Inputs of at least this many bytes are hashed by OpenSSL (loading it if no one has yet), smaller ones by
// libmd: see sha256.cc.
inline constexpr size_t kSha256OpensslFrom = size_t{1} << 20;

// The digest of `data` (every byte, NULs included). Never fails: when OpenSSL cannot be loaded, libmd hashes
// large inputs too.
std::string Sha256Hex(std::string_view data);

}  // namespace creditbot
