// SHA-256 by libmd (small inputs) or OpenSSL's libcrypto (from 1 MiB).
//
// A calculation hashes only its SQL and policy (a few KB), and loading libcrypto for that would cost ~1.5 MB
// of resident memory, 13% of a 5-row `creditbot calc` (issue 20's lean start): libmd, the BSD digest
// library dpkg itself uses, costs ~40 KB and hashes at ~180 MB/s. OpenSSL's SHA-256 uses the CPU's SHA
// instructions (~1.7 GB/s): an S3 body of hundreds of MB (a large audit record) would take seconds longer
// with libmd, so from kSha256OpensslFrom bytes OpenSSL hashes, loaded on first use (common/lazy_openssl.h);
// the command that sends such a body has loaded it with libcurl anyway. Both give the same digest (tested on
// either side of the threshold).
//
// OpenSSL's low-level SHA256_Init/Update/Final, not EVP_Digest: in OpenSSL 3 every EVP digest fetches its
// algorithm from a provider, and the first fetch loads openssl.cnf, the default provider and its algorithm
// tables (~2 MB). The low-level functions hash with the same code and touch no global state. OpenSSL 3.0
// marks them deprecated (not removed), hence the API level asked for below.
#define OPENSSL_API_COMPAT 10101

#include "common/sha256.h"

#include <openssl/sha.h>
#include <sha2.h>

#include <array>
#include <cstdint>

#include "absl/strings/escaping.h"
#include "common/lazy_openssl.h"

namespace creditbot {
namespace {

using Digest = std::array<unsigned char, 32>;

Digest ByLibmd(std::string_view data) {
  Digest digest{};
  SHA2_CTX context;
  SHA256Init(&context);
  SHA256Update(&context, reinterpret_cast<const uint8_t*>(data.data()), data.size());
  SHA256Final(digest.data(), &context);
  return digest;
}

// False when OpenSSL is not there to hash (it logged why when loading failed).
bool ByOpenssl(std::string_view data, Digest& digest) {
  if (!LoadOpenssl().ok()) return false;
  SHA256_CTX context;
  return SHA256_Init(&context) == 1 && SHA256_Update(&context, data.data(), data.size()) == 1 &&
         SHA256_Final(digest.data(), &context) == 1;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  Digest digest{};
  if (data.size() < kSha256OpensslFrom || !ByOpenssl(data, digest)) digest = ByLibmd(data);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace creditbot
