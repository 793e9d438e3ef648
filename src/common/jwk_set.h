// JwkSet: the RSA signing keys of an OpenID Connect provider, read from its JSON Web Key Set (RFC 7517;
// Slack's is at https://slack.com/openid/connect/keys), each as an OpenSSL public key built from the JWK's
// modulus `n` and exponent `e` (EVP_PKEY_fromdata, OpenSSL 3). Only keys creditbot can check an RS256
// signature with are kept: `kty` "RSA", `use` absent or "sig", `alg` absent or "RS256", a `kid`, and a
// modulus of 2048 bits or more; other keys (EC, encryption keys, …) are skipped, never an error.
//
// A JwkSet is immutable once parsed; copies share the keys. Thread-safe to read (OpenSSL's EVP_PKEY may be
// used by several threads for verification).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace creditbot {

// One RSA public key, shared by its copies.
class RsaPublicKey {
 public:
  // The key of modulus `n` and public exponent `e`, big-endian bytes (a JWK's decoded "n" and "e").
  // kInvalidArgument when either is empty, the modulus is shorter than 2048 bits, or OpenSSL refuses them.
  static absl::StatusOr<RsaPublicKey> FromModulusAndExponent(std::string_view n, std::string_view e);

  evp_pkey_st* get() const { return key_.get(); }
  int bits() const { return bits_; }

 private:
  explicit RsaPublicKey(std::shared_ptr<evp_pkey_st> key, int bits) : key_(std::move(key)), bits_(bits) {}
  std::shared_ptr<evp_pkey_st> key_;
  int bits_ = 0;
};

class JwkSet {
 public:
  // Reads `json`, a JWKS document {"keys":[{…}, …]}. kInvalidArgument when it is not JSON, has no "keys"
  // array, two usable keys share a kid, a usable-looking RSA key has a modulus or exponent that is not
  // base64url or is refused by RsaPublicKey, or no key at all is usable. The message never repeats the
  // document.
  static absl::StatusOr<JwkSet> Parse(std::string_view json);

  // The key named `kid`, or nullptr.
  const RsaPublicKey* Find(std::string_view kid) const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, RsaPublicKey, std::less<>> keys_;  // by kid
};

}  // namespace creditbot
