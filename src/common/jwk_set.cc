// A JWKS document's RSA keys as OpenSSL 3 EVP_PKEYs (OSSL_PARAM_BLD + EVP_PKEY_fromdata).
#include "common/jwk_set.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json_fields.h"
#include "common/jwt.h"

namespace creditbot {

namespace {

// The least modulus accepted (NIST SP 800-131A; Slack's keys are 2048-bit).
constexpr int kMinRsaBits = 2048;

using BigNum = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

BigNum ToBigNum(std::string_view bytes) {
  return BigNum(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()), nullptr),
                &BN_free);
}

// Whether `key` is one creditbot checks RS256 signatures with (see the header).
bool IsRs256SigningKey(const nlohmann::json& key) {
  if (JsonStringMember(key, "kty") != "RSA") return false;
  const nlohmann::json* use = JsonMember(key, "use");
  if (use != nullptr && JsonStringMember(key, "use") != "sig") return false;
  const nlohmann::json* alg = JsonMember(key, "alg");
  if (alg != nullptr && JsonStringMember(key, "alg") != "RS256") return false;
  return true;
}

}  // namespace

absl::StatusOr<RsaPublicKey> RsaPublicKey::FromModulusAndExponent(std::string_view n, std::string_view e) {
  if (n.empty() || e.empty()) return absl::InvalidArgumentError("RSA key: empty modulus or exponent");
  const BigNum modulus = ToBigNum(n);
  const BigNum exponent = ToBigNum(e);
  if (!modulus || !exponent) return absl::InternalError("RSA key: OpenSSL could not read the numbers");
  const int bits = BN_num_bits(modulus.get());
  if (bits < kMinRsaBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("RSA key: the modulus has ", bits, " bits, fewer than ", kMinRsaBits));
  }
  if (BN_is_odd(exponent.get()) == 0 || BN_is_one(exponent.get()) != 0) {
    return absl::InvalidArgumentError("RSA key: the public exponent is not an odd number above 1");
  }
  const std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> builder(OSSL_PARAM_BLD_new(),
                                                                                &OSSL_PARAM_BLD_free);
  if (!builder || OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return absl::InternalError("RSA key: OpenSSL could not build the parameters");
  }
  const std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(builder.get()),
                                                                       &OSSL_PARAM_free);
  const std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> context(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1 || key == nullptr) {
    return absl::InvalidArgumentError("RSA key: OpenSSL refused the modulus and exponent");
  }
  return RsaPublicKey(std::shared_ptr<EVP_PKEY>(key, &EVP_PKEY_free), bits);
}

absl::StatusOr<JwkSet> JwkSet::Parse(std::string_view json) {
  const nlohmann::json document = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    return absl::InvalidArgumentError("JWKS is not a JSON object");
  }
  const nlohmann::json* keys = JsonMember(document, "keys");
  if (keys == nullptr || !keys->is_array()) return absl::InvalidArgumentError("JWKS has no \"keys\" array");
  JwkSet set;
  for (const nlohmann::json& key : *keys) {
    if (!IsRs256SigningKey(key)) continue;
    const std::string kid = JsonStringMember(key, "kid");
    if (kid.empty()) continue;  // a key no token can name
    const std::optional<std::string> n = Base64UrlDecode(JsonStringMember(key, "n"));
    const std::optional<std::string> e = Base64UrlDecode(JsonStringMember(key, "e"));
    if (!n || !e) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWKS key \"", kid.substr(0, 64), "\": \"n\" or \"e\" is not base64url"));
    }
    absl::StatusOr<RsaPublicKey> public_key = RsaPublicKey::FromModulusAndExponent(*n, *e);
    if (!public_key.ok()) {
      return absl::Status(public_key.status().code(), absl::StrCat("JWKS key \"", kid.substr(0, 64),
                                                                   "\": ", public_key.status().message()));
    }
    if (!set.keys_.emplace(kid, *std::move(public_key)).second) {
      return absl::InvalidArgumentError(absl::StrCat("JWKS has two keys named \"", kid.substr(0, 64), "\""));
    }
  }
  if (set.keys_.empty()) return absl::InvalidArgumentError("JWKS has no RSA signing key with a kid");
  return set;
}

const RsaPublicKey* JwkSet::Find(std::string_view kid) const {
  const auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : &it->second;
}

}  // namespace creditbot
