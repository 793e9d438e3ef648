// An RSA key pair made in the test, signing JWTs with EVP_DigestSign (RS256).
#include "tests/test_rsa_key.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <stdexcept>
#include <vector>

#include "common/jwt.h"

namespace creditbot::testing {

namespace {

// The big-endian bytes of the RSA parameter `name` ("n", "e") of `key`.
std::string RsaParameter(EVP_PKEY* key, const char* name) {
  BIGNUM* number = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &number) != 1) throw std::runtime_error("EVP_PKEY_get_bn_param");
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
  BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
  BN_free(number);
  return bytes;
}

}  // namespace

TestRsaKey::TestRsaKey(std::string kid, int bits) : kid_(std::move(kid)) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned int>(bits));
  if (key == nullptr) throw std::runtime_error("EVP_RSA_gen failed");
  key_.reset(key, &EVP_PKEY_free);
}

nlohmann::json TestRsaKey::Jwk() const {
  return {{"kty", "RSA"},
          {"kid", kid_},
          {"use", "sig"},
          {"alg", "RS256"},
          {"n", Base64UrlEncode(RsaParameter(key_.get(), OSSL_PKEY_PARAM_RSA_N))},
          {"e", Base64UrlEncode(RsaParameter(key_.get(), OSSL_PKEY_PARAM_RSA_E))}};
}

std::string TestRsaKey::Sign(const nlohmann::json& claims) const {
  return SignWithHeader({{"alg", "RS256"}, {"kid", kid_}, {"typ", "JWT"}}, claims);
}

std::string TestRsaKey::SignWithHeader(const nlohmann::json& header, const nlohmann::json& claims) const {
  const std::string input = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::size_t length = 0;
  if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
      EVP_DigestSign(context.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign (size) failed");
  }
  std::vector<unsigned char> signature(length);
  if (EVP_DigestSign(context.get(), signature.data(), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign failed");
  }
  return input + "." +
         Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(signature.data()), length));
}

}  // namespace creditbot::testing
