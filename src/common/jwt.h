// Jwt: a JSON Web Token in JWS compact serialization (RFC 7515/7519: base64url(header) "." base64url(claims)
// "." base64url(signature)), as an OpenID Connect ID token arrives, and the RS256 check of its signature
// (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) against a provider's key through OpenSSL.
//
// Reading a token (ParseJwt) checks only its form; nothing in it is trusted until VerifyRs256 (or
// VerifyJwtSignature, which picks the key by the header's `kid`) has returned OK. The algorithm is never
// taken from the token: only "RS256" is accepted, so "none", the HMAC family (HS256 with the public key as
// the secret) and every other algorithm are refused before any key is used. Claim checks (iss, aud, exp,
// nonce…) belong to the caller (slack/openid_connect.h).
//
// Stateless and thread-safe. Errors never repeat the token (it is a credential).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/jwk_set.h"

namespace creditbot {

// The largest token read: far above an ID token (about 1 KB), so a hostile answer costs little.
inline constexpr std::size_t kMaxJwtBytes = 16 * 1024;

// base64url without padding (RFC 4648 §5, as JWS uses it): only A-Z a-z 0-9 - _; nullopt for any other
// character ('=' padding included) or an impossible length (4k+1 characters).
std::optional<std::string> Base64UrlDecode(std::string_view text);

// base64url of `bytes`, without padding.
std::string Base64UrlEncode(std::string_view bytes);

struct Jwt {
  nlohmann::json header;      // a JSON object
  nlohmann::json claims;      // a JSON object
  std::string alg;            // the header's "alg" (required)
  std::string kid;            // the header's "kid"; "" when absent
  std::string signing_input;  // the first two parts as sent, with the dot: what the signature covers
  std::string signature;      // decoded bytes
};

// Reads a compact JWS. kInvalidArgument, naming what is wrong and never the token, when: it is empty or
// longer than kMaxJwtBytes; it has not exactly three dot-separated parts (a JWE's five included); a part is
// not base64url (padding refused); the header or claims are not a JSON object; the header has no string
// "alg", a "kid" that is not a string, or a "crit" member (no extension is understood).
absl::StatusOr<Jwt> ParseJwt(std::string_view compact);

// Checks `jwt`'s signature with `key`. kUnauthenticated when the header's alg is not "RS256" (naming it:
// "none", "HS256", …) or the signature does not match (a signature of the wrong length included);
// kInternal when OpenSSL fails otherwise.
absl::Status VerifyRs256(const Jwt& jwt, const RsaPublicKey& key);

// VerifyRs256 with the key of `keys` named by the header's kid. kUnauthenticated as above, and when the
// header has no kid; kNotFound when the kid names no key of `keys`, so the caller can fetch the provider's
// keys again once, in case they rotated.
absl::Status VerifyJwtSignature(const Jwt& jwt, const JwkSet& keys);

}  // namespace creditbot
