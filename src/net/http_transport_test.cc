// Tests of the HTTP layer: status mapping, Retry-After, header lookup, and the libcurl transport against a
// loopback server (FakeTrinoServer used as a plain scripted HTTP server).
#include "net/http_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "tests/fake_trino_server.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeReply;
using ::creditbot::testing::FakeTrinoServer;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(HttpStatusToError, MapsStatusesToTheCodesThatDecideRetries) {
  EXPECT_TRUE(HttpStatusToError(200, "x").ok());
  EXPECT_TRUE(HttpStatusToError(204, "x").ok());
  for (int status : {429, 502, 503, 504}) {
    EXPECT_EQ(HttpStatusToError(status, "x").code(), absl::StatusCode::kUnavailable) << status;
  }
  EXPECT_EQ(HttpStatusToError(408, "x").code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(HttpStatusToError(401, "x").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(HttpStatusToError(403, "x").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(HttpStatusToError(404, "x").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(HttpStatusToError(409, "x").code(), absl::StatusCode::kAborted);
  for (int status : {400, 405, 410, 422}) {
    EXPECT_EQ(HttpStatusToError(status, "x").code(), absl::StatusCode::kInvalidArgument) << status;
  }
  EXPECT_EQ(HttpStatusToError(500, "x").code(), absl::StatusCode::kInternal);
  EXPECT_EQ(HttpStatusToError(501, "x").code(), absl::StatusCode::kInternal);
  EXPECT_EQ(HttpStatusToError(302, "x").code(), absl::StatusCode::kInternal);
  absl::Status status = HttpStatusToError(503, "Trino GET nextUri");
  EXPECT_THAT(status.message(), HasSubstr("Trino GET nextUri"));
  EXPECT_THAT(status.message(), HasSubstr("503"));
}

TEST(RetryAfter, ReadsSecondsAndHttpDatesAndCapsThem) {
  const absl::Time now = absl::FromUnixSeconds(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  HttpResponse response;
  EXPECT_FALSE(RetryAfter(response, now).has_value());
  response.headers = {{"retry-after", "7"}};
  EXPECT_EQ(RetryAfter(response, now), absl::Seconds(7));
  response.headers = {{"retry-after", "Wed, 21 Oct 2015 07:28:30 GMT"}};
  EXPECT_EQ(RetryAfter(response, now), absl::Seconds(30));
  response.headers = {{"retry-after", "Wed, 21 Oct 2015 07:27:00 GMT"}};  // in the past
  EXPECT_EQ(RetryAfter(response, now), absl::ZeroDuration());
  response.headers = {{"retry-after", "86400"}};
  EXPECT_EQ(RetryAfter(response, now, absl::Minutes(5)), absl::Minutes(5));
  response.headers = {{"retry-after", "soon"}};
  EXPECT_FALSE(RetryAfter(response, now).has_value());
  response.headers = {{"retry-after", "-3"}};
  EXPECT_FALSE(RetryAfter(response, now).has_value());
}

TEST(HttpResponse, FindsTheFirstHeaderIgnoringCase) {
  HttpResponse response;
  response.headers = {{"content-type", "a"}, {"x-one", "1"}, {"x-one", "2"}};
  EXPECT_EQ(response.Header("Content-Type"), "a");
  EXPECT_EQ(response.Header("X-ONE"), "1");
  EXPECT_FALSE(response.Header("missing").has_value());
}

class CurlTransportTest : public ::testing::Test {
 protected:
  FakeTrinoServer server_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
};

TEST_F(CurlTransportTest, SendsMethodHeadersAndBodyAndReturnsTheResponse) {
  server_.Script({FakeReply{200, "hello", {{"X-Answer", "42"}}, {}}});
  HttpRequest request;
  request.method = "POST";
  request.url = server_.base_url() + "/v1/statement";
  request.headers = {{"Content-Type", "text/plain; charset=utf-8"}, {"X-Trino-User", "u"}};
  request.body = std::string(5000, 'x');  // over 1 kB: no Expect: 100-continue round trip
  absl::StatusOr<HttpResponse> response = transport_->Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
  EXPECT_EQ(response->Header("x-answer"), "42");
  for (const auto& [name, value] : response->headers) EXPECT_EQ(name, absl::AsciiStrToLower(name));
  ASSERT_EQ(server_.requests().size(), 1u);
  const auto recorded = server_.requests()[0];
  EXPECT_EQ(recorded.method, "POST");
  EXPECT_EQ(recorded.path, "/v1/statement");
  EXPECT_EQ(recorded.body, request.body);
  EXPECT_EQ(recorded.Header("X-Trino-User"), "u");
  EXPECT_EQ(recorded.Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_FALSE(recorded.HasHeader("Expect"));
}

TEST_F(CurlTransportTest, SendsDeleteAndReusesTheHandle) {
  server_.Script({FakeReply{200, "{}", {}, {}}, FakeReply{200, "{}", {}, {}}});
  HttpRequest request;
  request.url = server_.base_url() + "/a";
  ASSERT_TRUE(transport_->Send(request).ok());
  request.method = "DELETE";
  request.url = server_.base_url() + "/b";
  absl::StatusOr<HttpResponse> response = transport_->Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 204);
  request.method = "GET";
  request.url = server_.base_url() + "/c";
  ASSERT_TRUE(transport_->Send(request).ok());
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].method, "DELETE");
  EXPECT_EQ(requests[1].path, "/b");
  EXPECT_EQ(requests[2].method, "GET");  // the reset handle forgot DELETE
}

TEST_F(CurlTransportTest, AnAnswerLargerThanTheCapIsNotRead) {
  server_.Script(
      {FakeReply{200, std::string(1000, 'a'), {}, {}}, FakeReply{200, std::string(1001, 'a'), {}, {}}});
  HttpRequest request;
  request.url = server_.base_url() + "/page";
  request.max_response_bytes = 1000;
  absl::StatusOr<HttpResponse> at_cap = transport_->Send(request);
  ASSERT_TRUE(at_cap.ok()) << at_cap.status();
  EXPECT_EQ(at_cap->body.size(), 1000u);
  absl::StatusOr<HttpResponse> over = transport_->Send(request);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(
      over.status().message(),
      "GET " + server_.base_url() +
          "/page: the answer is larger than 1000 bytes, the most creditbot reads for this call; not read");
  EXPECT_EQ(HttpRequest{}.max_response_bytes, std::size_t{64} * 1024 * 1024);
}

TEST_F(CurlTransportTest, ReturnsErrorStatusesAsResponses) {
  server_.Script({FakeReply{503, "busy", {{"Retry-After", "3"}}, {}}});
  HttpRequest request;
  request.url = server_.base_url() + "/x";
  absl::StatusOr<HttpResponse> response = transport_->Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(RetryAfter(*response, absl::Now()), absl::Seconds(3));
}

TEST_F(CurlTransportTest, NeverFollowsRedirects) {
  FakeTrinoServer elsewhere;
  server_.Script({FakeReply{302, "", {{"Location", elsewhere.base_url() + "/steal"}}, {}}});
  HttpRequest request;
  request.url = server_.base_url() + "/x";
  request.headers = {{"Authorization", "Bearer secret-token"}};
  absl::StatusOr<HttpResponse> response = transport_->Send(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 302);
  EXPECT_TRUE(elsewhere.requests().empty());
}

TEST_F(CurlTransportTest, ATimeoutIsDeadlineExceeded) {
  server_.Script({FakeReply{200, "late", {}, std::chrono::milliseconds(1500)}});
  HttpRequest request;
  request.url = server_.base_url() + "/slow";
  request.timeout = absl::Milliseconds(200);
  absl::StatusOr<HttpResponse> response = transport_->Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kDeadlineExceeded) << response.status();
}

TEST(CurlTransport, ARefusedConnectionIsUnavailableAndTheMessageHidesTheQuery) {
  std::string base_url;
  {
    FakeTrinoServer gone;
    base_url = gone.base_url();
  }
  std::unique_ptr<HttpTransport> transport = MakeCurlTransport();
  HttpRequest request;
  request.url = base_url + "/v1/statement?token=s3cret";
  request.headers = {{"Authorization", "Basic c2VjcmV0LWhlYWRlcg=="}};
  absl::StatusOr<HttpResponse> response = transport->Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable) << response.status();
  EXPECT_THAT(response.status().message(), HasSubstr("GET " + base_url + "/v1/statement"));
  EXPECT_THAT(response.status().message(), Not(HasSubstr("s3cret")));
  EXPECT_THAT(response.status().message(), Not(HasSubstr("c2VjcmV0")));
}

TEST(CurlTransport, AMalformedUrlIsInvalidArgument) {
  std::unique_ptr<HttpTransport> transport = MakeCurlTransport();
  HttpRequest request;
  request.url = "http://";
  EXPECT_EQ(transport->Send(request).status().code(), absl::StatusCode::kInvalidArgument);
  request.url = "ftp://example.com/file";
  EXPECT_EQ(transport->Send(request).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CurlTransport, RefusesHeaderInjection) {
  std::unique_ptr<HttpTransport> transport = MakeCurlTransport();
  HttpRequest request;
  request.url = "http://127.0.0.1:1/";
  request.headers = {{"X-Trino-User", "u\r\nX-Evil: 1"}};
  absl::StatusOr<HttpResponse> response = transport->Send(request);
  EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(response.status().message(), Not(HasSubstr("X-Evil")));
}

}  // namespace
}  // namespace creditbot
