#include "common/jwt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/jwk_set.h"
#include "tests/test_rsa_key.h"

namespace creditbot {
namespace {

using ::creditbot::testing::TestRsaKey;
using ::testing::HasSubstr;

const TestRsaKey& SigningKey() {
  static const TestRsaKey* const key = new TestRsaKey("key-1");
  return *key;
}

JwkSet KeysOf(const std::vector<const TestRsaKey*>& keys) {
  nlohmann::json document = {{"keys", nlohmann::json::array()}};
  for (const TestRsaKey* key : keys) document["keys"].push_back(key->Jwk());
  absl::StatusOr<JwkSet> set = JwkSet::Parse(document.dump());
  EXPECT_TRUE(set.ok()) << set.status();
  return *set;
}

const nlohmann::json kClaims = {{"iss", "https://slack.com"}, {"sub", "U0123ABCD"}, {"aud", "12.34"}};

TEST(Base64Url, EncodesWithTheUrlAlphabetAndNoPadding) {
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");  // standard base64: "+/8="
}

TEST(Base64Url, DecodesOnlyTheUrlAlphabetWithoutPadding) {
  EXPECT_EQ(Base64UrlDecode("Zm8"), "fo");
  EXPECT_EQ(Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_EQ(Base64UrlDecode(""), "");
  EXPECT_EQ(Base64UrlDecode("Zm8="), std::nullopt);  // padding
  EXPECT_EQ(Base64UrlDecode("+/8"), std::nullopt);   // standard alphabet
  EXPECT_EQ(Base64UrlDecode("Zm 8"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("Zm9vY"), std::nullopt);  // 4k+1 characters
}

TEST(Jwt, ReadsHeaderClaimsAndSigningInput) {
  const std::string token = SigningKey().Sign(kClaims);
  absl::StatusOr<Jwt> jwt = ParseJwt(token);
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->alg, "RS256");
  EXPECT_EQ(jwt->kid, "key-1");
  EXPECT_EQ(jwt->claims["sub"], "U0123ABCD");
  EXPECT_EQ(jwt->signing_input, token.substr(0, token.rfind('.')));
  EXPECT_EQ(jwt->signature.size(), 256u);  // a 2048-bit modulus
}

TEST(Jwt, AGoodRs256SignatureVerifies) {
  absl::StatusOr<Jwt> jwt = ParseJwt(SigningKey().Sign(kClaims));
  ASSERT_TRUE(jwt.ok());
  EXPECT_TRUE(VerifyJwtSignature(*jwt, KeysOf({&SigningKey()})).ok());
}

TEST(Jwt, ChangedClaimsDoNotVerify) {
  const std::string token = SigningKey().Sign(kClaims);
  nlohmann::json forged = kClaims;
  forged["sub"] = "U0ADMIN";
  const std::string forged_token = Base64UrlEncode(R"({"alg":"RS256","kid":"key-1","typ":"JWT"})") + "." +
                                   Base64UrlEncode(forged.dump()) + token.substr(token.rfind('.'));
  absl::StatusOr<Jwt> jwt = ParseJwt(forged_token);
  ASSERT_TRUE(jwt.ok());
  const absl::Status status = VerifyJwtSignature(*jwt, KeysOf({&SigningKey()}));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("signature does not match"));
}

TEST(Jwt, AnotherKeyUnderTheSameKidDoesNotVerify) {
  const TestRsaKey impostor("key-1");
  absl::StatusOr<Jwt> jwt = ParseJwt(impostor.Sign(kClaims));
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(VerifyJwtSignature(*jwt, KeysOf({&SigningKey()})).code(), absl::StatusCode::kUnauthenticated);
}

TEST(Jwt, AlgNoneIsRefused) {
  const std::string token =
      Base64UrlEncode(R"({"alg":"none","kid":"key-1"})") + "." + Base64UrlEncode(kClaims.dump()) + ".";
  absl::StatusOr<Jwt> jwt = ParseJwt(token);
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  const absl::Status status = VerifyJwtSignature(*jwt, KeysOf({&SigningKey()}));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("\"none\" is refused"));
}

TEST(Jwt, Hs256IsRefusedEvenWithAValidRsaSignature) {
  absl::StatusOr<Jwt> jwt =
      ParseJwt(SigningKey().SignWithHeader({{"alg", "HS256"}, {"kid", "key-1"}}, kClaims));
  ASSERT_TRUE(jwt.ok());
  const absl::Status status = VerifyJwtSignature(*jwt, KeysOf({&SigningKey()}));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(status.message(), HasSubstr("\"HS256\" is refused"));
  EXPECT_EQ(VerifyRs256(*jwt, *KeysOf({&SigningKey()}).Find("key-1")).code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(Jwt, AnUnknownKidIsNotFoundAndAMissingOneRefused) {
  const TestRsaKey other("key-2");
  absl::StatusOr<Jwt> jwt = ParseJwt(other.Sign(kClaims));
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(VerifyJwtSignature(*jwt, KeysOf({&SigningKey()})).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(VerifyJwtSignature(*jwt, KeysOf({&SigningKey(), &other})).ok());

  absl::StatusOr<Jwt> no_kid = ParseJwt(SigningKey().SignWithHeader({{"alg", "RS256"}}, kClaims));
  ASSERT_TRUE(no_kid.ok());
  EXPECT_EQ(VerifyJwtSignature(*no_kid, KeysOf({&SigningKey()})).code(), absl::StatusCode::kUnauthenticated);
}

TEST(Jwt, MalformedTokensAreRefusedWithoutRepeatingThem) {
  const std::string header = Base64UrlEncode(R"({"alg":"RS256","kid":"k"})");
  const std::string claims = Base64UrlEncode(R"({"sub":"secret-ish"})");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty"},
      {header + "." + claims, "2 dot-separated parts"},
      {header + "." + claims + ".c2ln.a.b", "5 dot-separated parts"},
      {header + "=." + claims + ".c2ln", "header is not base64url"},
      {Base64UrlEncode("[1]") + "." + claims + ".c2ln", "header is not a JSON object"},
      {header + "." + Base64UrlEncode("not json") + ".c2ln", "claims is not a JSON object"},
      {Base64UrlEncode(R"({"kid":"k"})") + "." + claims + ".c2ln", "no \"alg\""},
      {Base64UrlEncode(R"({"alg":"RS256","kid":7})") + "." + claims + ".c2ln", "\"kid\" is not a string"},
      {Base64UrlEncode(R"({"alg":"RS256","crit":["b64"]})") + "." + claims + ".c2ln", "\"crit\""},
      {std::string(kMaxJwtBytes + 1, 'a'), "longer than"},
  };
  for (const auto& [token, reason] : cases) {
    absl::StatusOr<Jwt> jwt = ParseJwt(token);
    ASSERT_FALSE(jwt.ok()) << reason;
    EXPECT_EQ(jwt.status().code(), absl::StatusCode::kInvalidArgument) << reason;
    EXPECT_THAT(jwt.status().message(), HasSubstr(reason));
    EXPECT_THAT(jwt.status().message(), ::testing::Not(HasSubstr(claims)));
  }
}

TEST(JwkSet, KeepsRsaSigningKeysAndSkipsOthers) {
  nlohmann::json document = {
      {"keys",
       {SigningKey().Jwk(),
        {{"kty", "EC"}, {"kid", "ec"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}},
        {{"kty", "RSA"}, {"kid", "enc"}, {"use", "enc"}, {"n", "AA"}, {"e", "AQAB"}},
        {{"kty", "RSA"}, {"kid", "ps"}, {"alg", "PS256"}, {"n", "AA"}, {"e", "AQAB"}}}}};
  absl::StatusOr<JwkSet> set = JwkSet::Parse(document.dump());
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size(), 1u);
  ASSERT_NE(set->Find("key-1"), nullptr);
  EXPECT_EQ(set->Find("key-1")->bits(), 2048);
  EXPECT_EQ(set->Find("ec"), nullptr);
}

TEST(JwkSet, RefusesWhatCannotBeUsed) {
  const TestRsaKey small("small", 1024);
  nlohmann::json duplicate = {{"keys", {SigningKey().Jwk(), SigningKey().Jwk()}}};
  nlohmann::json bad_n = SigningKey().Jwk();
  bad_n["n"] = "AQAB=";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not a JSON object"},
      {R"({"keys":{}})", "no \"keys\" array"},
      {R"({"keys":[]})", "no RSA signing key"},
      {nlohmann::json{{"keys", {small.Jwk()}}}.dump(), "1024 bits, fewer than 2048"},
      {duplicate.dump(), "two keys named \"key-1\""},
      {nlohmann::json{{"keys", {bad_n}}}.dump(), "is not base64url"},
  };
  for (const auto& [json, reason] : cases) {
    absl::StatusOr<JwkSet> set = JwkSet::Parse(json);
    ASSERT_FALSE(set.ok()) << reason;
    EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument) << reason;
    EXPECT_THAT(set.status().message(), HasSubstr(reason));
  }
}

}  // namespace
}  // namespace creditbot
