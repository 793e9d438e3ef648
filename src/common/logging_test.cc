// Tests for the redactor (Redact, AddSecret): registered secrets, their base64 forms, HTTP Basic and Bearer
// credentials. Each test registers its own secrets (the registry is process-wide and only grows), so the
// values are unique to this file.
#include "common/logging.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace creditbot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Issue 21 point 3: a Trino error echoing the Authorization header. dTpQUkNBTkFSWTAwMDQ= is base64 of
// "u:PRCANARY0004" (checked with `echo dTpQUkNBTkFSWTAwMDQ= | base64 -d`); only the password is registered.
TEST(Redact, BasicCredentialsOfARegisteredPasswordAreRedacted) {
  AddSecret("PRCANARY0004");
  EXPECT_EQ(Redact("Trino said 401: request had Authorization: Basic dTpQUkNBTkFSWTAwMDQ="),
            "Trino said 401: request had Authorization: Basic [redacted]");
  // Without the "Basic" in front, and without padding.
  EXPECT_EQ(Redact(R"({"auth":"dTpQUkNBTkFSWTAwMDQ"})"), R"({"auth":"[redacted]"})");
}

// Basic credentials are user:password even when the password was never registered (a value from a
// secret manager under another name). `printf 'alice:hunter22' | base64` is YWxpY2U6aHVudGVyMjI=.
TEST(Redact, BasicCredentialsAreRedactedWithoutARegisteredSecret) {
  EXPECT_EQ(Redact("authorization: basic YWxpY2U6aHVudGVyMjI="), "authorization: basic [redacted]");
  // Prose is left alone: "information" and "auth-failed" do not decode to printable user:password text.
  EXPECT_EQ(Redact("basic information; Basic auth-failed"), "basic information; Basic auth-failed");
}

// Base64 of a registered secret, standard and URL-safe, at every alignment inside a longer value.
// The expected runs were made with `printf '%s' VALUE | base64` (and tr '+/' '-_' for URL-safe):
//   "Zz>Secret?Canary~55"        -> Wno+U2VjcmV0P0NhbmFyeX41NQ==   (has a '+')
//   "Zz>Secret?Canary~55"        -> Wno-U2VjcmV0P0NhbmFyeX41NQ     (URL-safe, unpadded)
//   "x:Zz>Secret?Canary~55"      -> eDpaej5TZWNyZXQ/Q2FuYXJ5fjU1   (has a '/': offset 2 in the text)
//   "xy:Zz>Secret?Canary~55"     -> eHk6Wno+U2VjcmV0P0NhbmFyeX41NQ==
TEST(Redact, Base64OfARegisteredSecretIsRedactedInBothAlphabetsAndAnyAlignment) {
  AddSecret("Zz>Secret?Canary~55");
  EXPECT_EQ(Redact("a Wno+U2VjcmV0P0NhbmFyeX41NQ== b"), "a [redacted] b");
  EXPECT_EQ(Redact("a Wno-U2VjcmV0P0NhbmFyeX41NQ b"), "a [redacted] b");
  EXPECT_EQ(Redact("a eDpaej5TZWNyZXQ/Q2FuYXJ5fjU1 b"), "a [redacted] b");
  EXPECT_EQ(Redact("a eHk6Wno+U2VjcmV0P0NhbmFyeX41NQ== b"), "a [redacted] b");
  // The secret itself, as before.
  EXPECT_EQ(Redact("password=Zz>Secret?Canary~55"), "password=[redacted]");
}

TEST(Redact, BearerTokensOfEightCharactersOrMoreAreRedacted) {
  EXPECT_EQ(Redact("Authorization: Bearer abc123XY"), "Authorization: [redacted]");
  EXPECT_EQ(Redact("Bearer abc"), "Bearer abc");  // too short to be a credential
}

TEST(Redact, OrdinaryTextIsUnchanged) {
  AddSecret("AnotherSecret77");
  const std::string text = "refused a Slack Events API request status=401 peer=127.0.0.1 dashboards_v2";
  EXPECT_EQ(Redact(text), text);
  EXPECT_THAT(Redact("see QW5vdGhlclNlY3JldDc3 here"), Not(HasSubstr("QW5vdGhlclNlY3JldDc3")));
}

}  // namespace
}  // namespace creditbot
