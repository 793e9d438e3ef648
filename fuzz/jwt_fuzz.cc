// Fuzz target: the JWT reader (common/jwt.h) and the JWKS reader (common/jwk_set.h), which read what an
// OpenID Connect provider sends at sign-in. Must never crash, and must answer consistently:
//   - a token longer than kMaxJwtBytes or without exactly two dots is refused;
//   - a token read has a JSON object header and claims, an "alg", and a signing input that is the token
//     up to its last dot;
//   - a refusal is kInvalidArgument and never repeats the input;
//   - a token verifies only with alg RS256 and a kid the key set holds (the corpus keeps one genuinely signed
//     token with its key); an alg other than RS256 is refused as kUnauthenticated, an unknown kid is
//     kNotFound.
// Input: the bytes before the first newline are the token; the rest is a JWKS document.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/jwk_set.h"
#include "common/jwt.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t newline = input.find('\n');
  const std::string_view token = input.substr(0, newline);
  const std::string_view jwks = newline == std::string_view::npos ? "" : input.substr(newline + 1);

  const absl::StatusOr<creditbot::Jwt> jwt = creditbot::ParseJwt(token);
  std::size_t dots = 0;
  for (char c : token) dots += c == '.' ? 1 : 0;
  if (token.size() > creditbot::kMaxJwtBytes || dots != 2) Check(!jwt.ok());
  if (jwt.ok()) {
    Check(jwt->header.is_object() && jwt->claims.is_object() && jwt->header.contains("alg"));
    Check(jwt->signing_input == token.substr(0, token.rfind('.')));
  } else {
    Check(jwt.status().code() == absl::StatusCode::kInvalidArgument);
    // (every message is shorter than 80 characters, so a longer token would only appear in it if echoed)
    Check(token.size() < 80 || jwt.status().message().find(std::string(token)) == std::string::npos);
  }

  const absl::StatusOr<creditbot::JwkSet> keys = creditbot::JwkSet::Parse(jwks);
  if (!keys.ok()) {
    Check(keys.status().code() == absl::StatusCode::kInvalidArgument);
  } else if (jwt.ok()) {
    const absl::Status verified = creditbot::VerifyJwtSignature(*jwt, *keys);
    if (verified.ok()) Check(jwt->alg == "RS256" && keys->Find(jwt->kid) != nullptr);
    if (jwt->alg != "RS256") Check(verified.code() == absl::StatusCode::kUnauthenticated);
    if (jwt->alg == "RS256" && !jwt->kid.empty() && keys->Find(jwt->kid) == nullptr) {
      Check(verified.code() == absl::StatusCode::kNotFound);
    }
  }
  return 0;
}
