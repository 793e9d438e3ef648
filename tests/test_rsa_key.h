// TestRsaKey: an RSA key pair generated in the test (OpenSSL 3's EVP_RSA_gen), never a committed private
// key, that signs JSON Web Tokens the way an OpenID Connect provider does (RS256), and names itself as a
// JWK for the provider's key set. It can also sign with a header of the test's choosing (alg "none",
// "HS256"…), so tests show such tokens refused.
//
// Thread-safe once built (signing uses a fresh context each time). Generating a 2048-bit key takes tens of
// milliseconds: share one per test suite where possible.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

struct evp_pkey_st;

namespace creditbot::testing {

class TestRsaKey {
 public:
  // A new key pair of `bits` (Default: 2048) named `kid`. Throws std::runtime_error if OpenSSL fails.
  explicit TestRsaKey(std::string kid, int bits = 2048);

  const std::string& kid() const { return kid_; }

  // The public key as a JWK: {"kty":"RSA","kid":…,"use":"sig","alg":"RS256","n":…,"e":…}.
  nlohmann::json Jwk() const;

  // A compact JWS of `claims` with header {"alg":"RS256","kid":kid(),"typ":"JWT"}, signed with this key.
  std::string Sign(const nlohmann::json& claims) const;
  // The same with `header` exactly as given (its "alg" is not looked at: the RS256 signature is made
  // whatever it says, so a token claiming "none" or "HS256" still carries bytes in its third part).
  std::string SignWithHeader(const nlohmann::json& header, const nlohmann::json& claims) const;

 private:
  std::string kid_;
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace creditbot::testing
