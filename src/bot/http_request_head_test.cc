// HttpRequestHead: a head read whole or byte by byte gives the same request; every refusal with its status
// and reason; keep-alive by version and Connection header; 100-continue.
#include "bot/http_request_head.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace creditbot {
namespace {

using State = HttpRequestHead::State;
using Headers = std::vector<std::pair<std::string, std::string>>;

TEST(HttpRequestHead, ReadsARequestLineAndHeadersUpToTheBlankLine) {
  const std::string head = "GET /readyz?verbose=1 HTTP/1.1\r\nHost: a\r\nX-Pad:  spaced value \t\r\n\r\n";
  HttpRequestHead parser{HttpHeadLimits{}};
  EXPECT_EQ(parser.Parse(head + "the body"), State::kComplete);
  EXPECT_EQ(parser.request().method, "GET");
  EXPECT_EQ(parser.request().target, "/readyz?verbose=1");
  EXPECT_EQ(parser.request().path, "/readyz");
  EXPECT_EQ(parser.request().headers, (Headers{{"Host", "a"}, {"X-Pad", "spaced value"}}));
  EXPECT_EQ(parser.body_start(), head.size());  // the body is left alone
  EXPECT_EQ(parser.content_length(), 0u);
  EXPECT_TRUE(parser.keep_alive());
  EXPECT_FALSE(parser.expects_continue());
}

TEST(HttpRequestHead, WaitsForTheBlankLineAndGivesTheSameRequestWhenFedByteByByte) {
  const std::string head = "\r\nPOST /slack/events HTTP/1.1\nContent-Length: 12\nExpect: 100-continue\n\n";
  HttpRequestHead parser{HttpHeadLimits{}};
  for (std::size_t size = 0; size < head.size(); ++size) {
    ASSERT_EQ(parser.Parse(std::string_view(head).substr(0, size)), State::kNeedMore) << size;
  }
  ASSERT_EQ(parser.Parse(head), State::kComplete);
  EXPECT_EQ(parser.request().method, "POST");
  EXPECT_EQ(parser.request().headers, (Headers{{"Content-Length", "12"}, {"Expect", "100-continue"}}));
  EXPECT_EQ(parser.body_start(), head.size());
  EXPECT_EQ(parser.content_length(), 12u);
  EXPECT_TRUE(parser.expects_continue());
  EXPECT_EQ(parser.Parse(head), State::kComplete);  // asked again, the same answer
}

TEST(HttpRequestHead, KeepAliveFollowsTheVersionAndTheConnectionHeader) {
  auto keep_alive = [](const std::string& head) {
    HttpRequestHead parser{HttpHeadLimits{}};
    EXPECT_EQ(parser.Parse(head), State::kComplete) << head;
    return parser.keep_alive();
  };
  EXPECT_TRUE(keep_alive("GET / HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n"));
  EXPECT_FALSE(keep_alive("GET / HTTP/1.0\r\n\r\n"));
  EXPECT_TRUE(keep_alive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

struct Refusal {
  std::string head;
  int status;
  std::string reason;
};

TEST(HttpRequestHead, RefusesWhatItCannotReadSafelyWithTheAnswerToGive) {
  HttpHeadLimits limits;
  limits.max_header_count = 2;
  limits.max_header_bytes = 64;
  limits.max_body_bytes = 100;
  const std::vector<Refusal> refusals = {
      {"GET /\r\n\r\n", 400, "malformed request line"},
      {"GET / HTTP/2\r\n\r\n", 400, "malformed request line"},
      {std::string("G\0T / HTTP/1.1\r\n\r\n", 18), 400, "malformed request line"},  // NUL is no token char
      {"GET / HTTP/1.1\r\nno colon\r\n\r\n", 400, "malformed header field"},
      {"GET / HTTP/1.1\r\n folded: x\r\n\r\n", 400, "malformed header field"},
      {"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400,
       "conflicting Content-Length headers"},
      {"POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n", 400, "malformed Content-Length"},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "malformed Content-Length"},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411,
       "send Content-Length: Transfer-Encoding is not supported"},
      {"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n", 413, "request body is 101 bytes; the limit is 100"},
      {"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431, "more than 2 header fields"},
      // 16 + 49 = 65 bytes before the blank line: over 64, refused even before it ends.
      {"GET / HTTP/1.1\r\nX: " + std::string(44, 'v') + "\r\n", 431,
       "the request line and headers exceed 64 bytes"},
  };
  for (const Refusal& refusal : refusals) {
    HttpRequestHead parser(limits);
    EXPECT_EQ(parser.Parse(refusal.head), State::kRefused) << refusal.head;
    EXPECT_EQ(parser.refusal_status(), refusal.status) << refusal.head;
    EXPECT_EQ(parser.refusal_reason(), refusal.reason) << refusal.head;
  }
}

TEST(HttpRequestHead, AHeadEndingExactlyAtTheLimitIsRead) {
  HttpHeadLimits limits;
  limits.max_header_bytes = 64;
  // 16 + 46 + 2 = 64 bytes with the blank line.
  const std::string head = "GET / HTTP/1.1\r\nX: " + std::string(41, 'v') + "\r\n\r\n";
  ASSERT_EQ(head.size(), 64u);
  HttpRequestHead parser(limits);
  EXPECT_EQ(parser.Parse(head), State::kComplete);
  HttpRequestHead one_more(limits);
  EXPECT_EQ(one_more.Parse("GET / HTTP/1.1\r\nX: " + std::string(42, 'v') + "\r\n\r\n"), State::kRefused);
}

}  // namespace
}  // namespace creditbot
