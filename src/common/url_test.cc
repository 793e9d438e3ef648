// Tests for ParseUrl, RedactedUrl and percent-coding: the URL forms the Socket Mode client, the Trino client,
// the S3 client and the transport accept and refuse.
#include "common/url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace creditbot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(PercentEncode, KeepsUnreservedBytesAndEncodesTheRestInUpperCaseHex) {
  EXPECT_EQ(PercentEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(PercentEncode("a b/c?d=e&f+g"), "a%20b%2Fc%3Fd%3De%26f%2Bg");
  EXPECT_EQ(PercentEncode(std::string_view("\0\xff", 2)), "%00%FF");
  EXPECT_EQ(PercentEncode(""), "");
  EXPECT_EQ(PercentEncode("state/a b.json", "/"), "state/a%20b.json");
  EXPECT_EQ(PercentEncode("model::name x", ":"), "model::name%20x");
  EXPECT_EQ(PercentEncode("//", "/"), "//");
}

TEST(PercentEncode, EncodesTextLongerThanOneLibcurlCall) {
  const std::string long_text(9 * 1024 * 1024, ' ');  // libcurl escapes at most 8 MB per call
  const std::string encoded = PercentEncode(long_text);
  EXPECT_EQ(encoded.size(), 3 * long_text.size());
  EXPECT_EQ(encoded.substr(encoded.size() - 6), "%20%20");
}

TEST(PercentDecode, DecodesEscapesAndKeepsMalformedOnes) {
  EXPECT_EQ(PercentDecode("bob%40corp"), "bob@corp");
  EXPECT_EQ(PercentDecode("%2f%2F"), "//");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
  EXPECT_EQ(PercentDecode("%00"), std::string(1, '\0'));
  EXPECT_EQ(PercentDecode(""), "");
}

TEST(PercentDecodeStrict, RefusesMalformedEscapesAndNul) {
  EXPECT_EQ(PercentDecodeStrict("al%0Aice"), "al\nice");
  EXPECT_EQ(PercentDecodeStrict("plain"), "plain");
  EXPECT_EQ(PercentDecodeStrict("%41"), "A");
  EXPECT_EQ(PercentDecodeStrict("100%"), std::nullopt);
  EXPECT_EQ(PercentDecodeStrict("%4"), std::nullopt);
  EXPECT_EQ(PercentDecodeStrict("%g1"), std::nullopt);
  EXPECT_EQ(PercentDecodeStrict("a%00b"), std::nullopt);
}

TEST(FormDecode, ReadsPlusAsSpace) {
  EXPECT_EQ(FormDecode("a+b%2Bc%20d"), "a b+c d");
  EXPECT_EQ(FormDecode("%zz"), "%zz");
}

TEST(ParseUrl, SplitsTheSocketModeUrl) {
  absl::StatusOr<ParsedUrl> url = ParseUrl("wss://wss-primary.slack.com/link/?ticket=XXX&app_id=XXX");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->scheme, "wss");
  EXPECT_EQ(url->host, "wss-primary.slack.com");
  EXPECT_EQ(url->port, std::nullopt);
  EXPECT_EQ(url->path, "/link/");
  EXPECT_EQ(url->query, "ticket=XXX&app_id=XXX");
  EXPECT_EQ(url->user, std::nullopt);
  EXPECT_EQ(url->HostPort(443), "wss-primary.slack.com:443");
}

TEST(ParseUrl, LowerCasesSchemeAndHostAndReadsPortsQueriesAndFragments) {
  absl::StatusOr<ParsedUrl> url = ParseUrl("WSS://WSS-Primary.Slack.com:8443?ticket=1#frag");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->scheme, "wss");
  EXPECT_EQ(url->host, "wss-primary.slack.com");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/");
  EXPECT_EQ(url->query, "ticket=1");
  EXPECT_EQ(url->fragment, "frag");
  EXPECT_EQ(url->Authority(), "wss-primary.slack.com:8443");

  absl::StatusOr<ParsedUrl> bare = ParseUrl("https://h/?");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->query, "");  // a bare '?' is an empty query, not none
  absl::StatusOr<ParsedUrl> none = ParseUrl("http://h");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->query, std::nullopt);
  EXPECT_EQ(none->path, "/");
  EXPECT_EQ(none->Authority(), "h");
}

TEST(ParseUrl, KeepsIpv6InBracketsAndPathsAsWritten) {
  absl::StatusOr<ParsedUrl> url = ParseUrl("ws://[::1]:9000/a/../b");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "[::1]");
  EXPECT_EQ(url->port, 9000);
  EXPECT_EQ(url->path, "/a/../b");
  EXPECT_EQ(url->HostPort(80), "[::1]:9000");
}

TEST(ParseUrl, ReadsUserInfoWithoutKeepingThePassword) {
  absl::StatusOr<ParsedUrl> url = ParseUrl("trino://bob%40corp@presto.internal?ssl=false");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->scheme, "trino");
  EXPECT_EQ(url->user, "bob%40corp");
  EXPECT_FALSE(url->has_password);
  absl::StatusOr<ParsedUrl> with_password = ParseUrl("trino://alice:hunter2@host:443/c/s");
  ASSERT_TRUE(with_password.ok()) << with_password.status();
  EXPECT_EQ(with_password->user, "alice");
  EXPECT_TRUE(with_password->has_password);
}

TEST(ParseUrl, RefusesWhatNoCallerTakesWithoutRepeatingTheUrl) {
  for (const char* bad :
       {"wss://slack.com:0/?t=SECRET", "wss://slack.com:65536/?t=SECRET", "wss://slack.com:8o/?t=SECRET",
        "wss://slack.com:/?t=SECRET", "wss://sla ck.com/?t=SECRET", "wss:///link/?t=SECRET",
        "wss://slack.com/link/?t=SECRET X", "wss://[::1/?t=SECRET", "wss://[zz::1]/?t=SECRET",
        "wss://[fe80::1%25eth0]/?t=SECRET", "wss://h~st/?t=SECRET", "slack.com/link/?t=SECRET", "http://",
        "trino://alice@", ""}) {
    absl::StatusOr<ParsedUrl> url = ParseUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(url.status().message()), Not(HasSubstr("SECRET"))) << bad;
  }
}

TEST(RedactedUrl, DropsUserInfoQueryAndFragment) {
  EXPECT_EQ(RedactedUrl("https://user:pw@host/path?token=x#f"), "https://host/path");
  EXPECT_EQ(RedactedUrl("http://127.0.0.1:8080/v1/statement?token=s3cret"),
            "http://127.0.0.1:8080/v1/statement");
  EXPECT_EQ(RedactedUrl("http://"), "(malformed URL)");
  EXPECT_EQ(RedactedUrl("https://user:pw@ho st/?token=x"), "(malformed URL)");
}

TEST(IsLoopbackHost, ThisMachineOnly) {
  for (const char* host : {"localhost", "127.0.0.1", "::1", "[::1]"})
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  // Names and addresses that merely look local, and hosts ParseUrl would never give.
  for (const char* host : {"", "127.0.0.1.evil.test", "127.example.com", "localhost.evil.test", "10.0.0.1",
                           "127.0.0.2", "128.0.0.1", "[::2]", "0.0.0.0", "127.0.0", "LOCALHOST-x"})
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  // What libcurl makes of a loopback URL is loopback.
  EXPECT_TRUE(IsLoopbackHost(ParseUrl("http://127.1:8080/x")->host));
  EXPECT_TRUE(IsLoopbackHost(ParseUrl("http://[0::1]:8080/x")->host));
}

}  // namespace
}  // namespace creditbot
