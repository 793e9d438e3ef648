// Reading a compact JWS and checking its RS256 signature with OpenSSL's EVP_DigestVerify.
#include "common/jwt.h"

#include <openssl/evp.h>

#include <memory>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace creditbot {

namespace {

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// The JSON object in base64url `part` (named `what` in errors).
absl::StatusOr<nlohmann::json> DecodeJsonPart(std::string_view part, std::string_view what) {
  const std::optional<std::string> text = Base64UrlDecode(part);
  if (!text) return absl::InvalidArgumentError(absl::StrCat("JWT ", ToAbsl(what), " is not base64url"));
  nlohmann::json value = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat("JWT ", ToAbsl(what), " is not a JSON object"));
  }
  return value;
}

absl::Status RefuseAlgorithm(std::string_view alg) {
  return absl::UnauthenticatedError(
      absl::StrCat("JWT algorithm \"", ToAbsl(alg.substr(0, 16)), "\" is refused: only RS256 is accepted"));
}

}  // namespace

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  for (char c : text) {
    if (!IsBase64UrlChar(c)) return std::nullopt;
  }
  if (text.size() % 4 == 1) return std::nullopt;
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(ToAbsl(text), &decoded)) return std::nullopt;
  return decoded;
}

std::string Base64UrlEncode(std::string_view bytes) { return absl::WebSafeBase64Escape(ToAbsl(bytes)); }

absl::StatusOr<Jwt> ParseJwt(std::string_view compact) {
  if (compact.empty()) return absl::InvalidArgumentError("JWT is empty");
  if (compact.size() > kMaxJwtBytes) {
    return absl::InvalidArgumentError(absl::StrCat("JWT is longer than ", kMaxJwtBytes, " bytes"));
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(ToAbsl(compact), '.');
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("JWT has ", parts.size(), " dot-separated parts, expected 3 (a compact JWS)"));
  }
  Jwt jwt;
  absl::StatusOr<nlohmann::json> header = DecodeJsonPart(ToStd(parts[0]), "header");
  if (!header.ok()) return header.status();
  jwt.header = *std::move(header);
  absl::StatusOr<nlohmann::json> claims = DecodeJsonPart(ToStd(parts[1]), "claims");
  if (!claims.ok()) return claims.status();
  jwt.claims = *std::move(claims);
  const std::optional<std::string> signature = Base64UrlDecode(ToStd(parts[2]));
  if (!signature) return absl::InvalidArgumentError("JWT signature is not base64url");
  jwt.signature = *signature;

  const auto alg = jwt.header.find("alg");
  if (alg == jwt.header.end() || !alg->is_string()) {
    return absl::InvalidArgumentError("JWT header has no \"alg\"");
  }
  jwt.alg = alg->get<std::string>();
  if (const auto kid = jwt.header.find("kid"); kid != jwt.header.end()) {
    if (!kid->is_string()) return absl::InvalidArgumentError("JWT header's \"kid\" is not a string");
    jwt.kid = kid->get<std::string>();
  }
  if (jwt.header.contains("crit")) {
    return absl::InvalidArgumentError("JWT header has \"crit\" extensions, which are not supported");
  }
  jwt.signing_input = absl::StrCat(parts[0], ".", parts[1]);
  return jwt;
}

absl::Status VerifyRs256(const Jwt& jwt, const RsaPublicKey& key) {
  if (jwt.alg != "RS256") return RefuseAlgorithm(jwt.alg);
  if (key.get() == nullptr) return absl::InternalError("RS256: no key");
  // PKCS #1 v1.5: the signature is exactly as long as the modulus.
  if (static_cast<int>(jwt.signature.size()) != (key.bits() + 7) / 8) {
    return absl::UnauthenticatedError("JWT signature does not match the provider's key (wrong length)");
  }
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    return absl::InternalError("RS256: OpenSSL could not start a verification");
  }
  const int verified = EVP_DigestVerify(
      context.get(), reinterpret_cast<const unsigned char*>(jwt.signature.data()), jwt.signature.size(),
      reinterpret_cast<const unsigned char*>(jwt.signing_input.data()), jwt.signing_input.size());
  if (verified != 1) return absl::UnauthenticatedError("JWT signature does not match the provider's key");
  return absl::OkStatus();
}

absl::Status VerifyJwtSignature(const Jwt& jwt, const JwkSet& keys) {
  if (jwt.alg != "RS256") return RefuseAlgorithm(jwt.alg);  // before any key is looked at
  if (jwt.kid.empty()) {
    return absl::UnauthenticatedError("JWT header names no key (\"kid\")");
  }
  const RsaPublicKey* key = keys.Find(jwt.kid);
  if (key == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("JWT key \"", jwt.kid.substr(0, 64), "\" is not among the provider's keys"));
  }
  return VerifyRs256(jwt, *key);
}

}  // namespace creditbot
