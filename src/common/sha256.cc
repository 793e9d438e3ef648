// SHA-256 through libcrypto's SHA256_Init/Update/Final.
//
// Not EVP_Digest: in OpenSSL 3 every EVP digest (and the one-shot SHA256()) fetches its algorithm from a
// provider, and the first fetch loads openssl.cnf, the default provider and its algorithm tables: ~2 MB of
// resident memory (a 5-row `creditbot calc` peaked at 17.7 MB, 2.0 MB of it this set-up, issue 20's lean
// start). The low-level functions hash with the same code (libcrypto's sha256_block_data_order) and touch
// no global state. OpenSSL 3.0 marks them deprecated (not removed), hence the API level asked for below.
#define OPENSSL_API_COMPAT 10101

#include "common/sha256.h"

#include <openssl/sha.h>

#include <array>

#include "absl/strings/escaping.h"

namespace creditbot {

std::string Sha256Hex(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256_CTX context;
  if (SHA256_Init(&context) != 1 || SHA256_Update(&context, data.data(), data.size()) != 1 ||
      SHA256_Final(digest.data(), &context) != 1) {
    return "";
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace creditbot
