// Tests of SigV4 signing on the HTTP layer (HttpRequest::aws_sigv4 → libcurl's CURLOPT_AWS_SIGV4), checked
// by the fake server's independent verifier, and of that verifier against AWS's published example.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "common/sha256.h"
#include "net/http_transport.h"
#include "tests/fake_aws_server.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeAwsServer;
using ::creditbot::testing::FakeAwsService;
using ::creditbot::testing::SigV4Request;
using ::creditbot::testing::SigV4Result;
using ::creditbot::testing::VerifySigV4;
using ::testing::HasSubstr;
using ::testing::Not;

// AWS's example "GET Object" from the S3 SigV4 header-based auth page (known answer).
SigV4Request AwsExampleRequest() {
  SigV4Request request;
  request.method = "GET";
  request.target = "/test.txt";
  request.headers = {
      {"Host", "examplebucket.s3.amazonaws.com"},
      {"Range", "bytes=0-9"},
      {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"x-amz-date", "20130524T000000Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
       "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
       "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"}};
  return request;
}

std::optional<std::string> ExampleSecret(const std::string& key) {
  if (key == "AKIAIOSFODNN7EXAMPLE") return std::string("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  return std::nullopt;
}

TEST(AwsSigV4Verifier, PassesAwsKnownAnswerExample) {
  SigV4Result result = VerifySigV4(AwsExampleRequest(), &ExampleSecret, /*s3=*/true, std::nullopt);
  EXPECT_TRUE(result.ok) << result.error_code << ": " << result.error_message << "\n"
                         << result.canonical_request;
  EXPECT_EQ(result.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(AwsSigV4Verifier, RejectsAnyChangeToTheSignedRequest) {
  SigV4Request changed = AwsExampleRequest();
  changed.headers[1].second = "bytes=0-10";
  EXPECT_EQ(VerifySigV4(changed, &ExampleSecret, true, std::nullopt).error_code, "SignatureDoesNotMatch");
  changed = AwsExampleRequest();
  changed.target = "/test.txt?a=1";
  EXPECT_EQ(VerifySigV4(changed, &ExampleSecret, true, std::nullopt).error_code, "SignatureDoesNotMatch");
  changed = AwsExampleRequest();
  changed.body = "x";  // the declared payload hash no longer fits
  EXPECT_EQ(VerifySigV4(changed, &ExampleSecret, true, std::nullopt).error_code, "XAmzContentSHA256Mismatch");
  changed = AwsExampleRequest();
  changed.headers.emplace_back("x-amz-meta-unsigned", "1");
  EXPECT_EQ(VerifySigV4(changed, &ExampleSecret, true, std::nullopt).error_code, "AccessDenied");
  EXPECT_EQ(VerifySigV4(
                AwsExampleRequest(), [](const std::string&) { return std::optional<std::string>(); }, true,
                std::nullopt)
                .error_code,
            "InvalidAccessKeyId");
  EXPECT_EQ(VerifySigV4(AwsExampleRequest(), &ExampleSecret, true, absl::Now()).error_code,
            "RequestTimeTooSkewed");
}

class AwsSigV4Test : public ::testing::Test {
 protected:
  AwsSigV4Test() { server_.CreateBucket("creditbot-test"); }

  HttpRequest SignedGet(const std::string& path_and_query) {
    HttpRequest request;
    request.url = server_.base_url() + path_and_query;
    request.headers = {{"x-amz-content-sha256", Sha256Hex("")}};
    request.aws_sigv4 = AwsSigning{FakeAwsServer::kAccessKeyId, FakeAwsServer::kSecretAccessKey, "",
                                   FakeAwsServer::kRegion, "s3"};
    return request;
  }

  FakeAwsServer server_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
};

TEST_F(AwsSigV4Test, LibcurlSignaturesVerifyIndependently) {
  absl::StatusOr<HttpResponse> response = transport_->Send(SignedGet("/creditbot-test/missing.json"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 404) << response->body;  // past the signature check: the key is missing
  EXPECT_THAT(response->body, HasSubstr("NoSuchKey"));
  EXPECT_EQ(server_.requests().back().signature_error, "");
  EXPECT_THAT(server_.requests().back().Header("Authorization"),
              HasSubstr("/eu-west-1/s3/aws4_request"));  // the scope spelled out, not guessed from the host
}

TEST_F(AwsSigV4Test, SortedEncodedQueriesVerifyAndUnsortedOnesDoNot) {
  // libcurl 7.88 signs the query as given: the caller must send it canonical.
  absl::StatusOr<HttpResponse> sorted = transport_->Send(SignedGet("/creditbot-test/k?a=1&b=x%2Fy"));
  ASSERT_TRUE(sorted.ok());
  EXPECT_EQ(sorted->status, 404) << sorted->body;
  absl::StatusOr<HttpResponse> unsorted = transport_->Send(SignedGet("/creditbot-test/k?b=x%2Fy&a=1"));
  ASSERT_TRUE(unsorted.ok());
  EXPECT_EQ(unsorted->status, 403);
  EXPECT_THAT(unsorted->body, HasSubstr("SignatureDoesNotMatch"));
}

TEST_F(AwsSigV4Test, SessionTokenIsSentAsASignedHeader) {
  HttpRequest request = SignedGet("/creditbot-test/missing.json");
  request.aws_sigv4->access_key_id = FakeAwsServer::kSessionAccessKeyId;
  request.aws_sigv4->secret_access_key = FakeAwsServer::kSessionSecretAccessKey;
  request.aws_sigv4->session_token = FakeAwsServer::kSessionToken;
  absl::StatusOr<HttpResponse> response = transport_->Send(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404) << response->body;
  const auto recorded = server_.requests().back();
  EXPECT_EQ(recorded.Header("x-amz-security-token"), FakeAwsServer::kSessionToken);
  EXPECT_THAT(recorded.Header("Authorization"), HasSubstr("x-amz-security-token"));
}

TEST_F(AwsSigV4Test, WrongSecretIsRefusedBySignatureCheck) {
  HttpRequest request = SignedGet("/creditbot-test/missing.json");
  request.aws_sigv4->secret_access_key = "not-the-secret";
  absl::StatusOr<HttpResponse> response = transport_->Send(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 403);
  EXPECT_THAT(response->body, HasSubstr("SignatureDoesNotMatch"));
}

TEST_F(AwsSigV4Test, RefusesHeadersLibcurlWouldSignWrongly) {
  for (const auto& header :
       std::vector<std::pair<std::string, std::string>>{{"X-Empty", ""},
                                                        {"Authorization", "x"},
                                                        {"X-Amz-Date", "20240101T000000Z"},
                                                        {"x-amz-security-token", "t"}}) {
    HttpRequest request = SignedGet("/creditbot-test/k");
    request.headers.push_back(header);
    absl::StatusOr<HttpResponse> response = transport_->Send(request);
    EXPECT_EQ(response.status().code(), absl::StatusCode::kInvalidArgument) << header.first;
  }
  HttpRequest request = SignedGet("/creditbot-test/k");
  request.aws_sigv4->region = "";
  EXPECT_EQ(transport_->Send(request).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server_.requests().size(), 0u);
}

TEST_F(AwsSigV4Test, ConnectionErrorsNeverShowCredentials) {
  HttpRequest request = SignedGet("/x");
  request.url = "http://127.0.0.1:1/creditbot-test/k";
  request.aws_sigv4->access_key_id = FakeAwsServer::kSessionAccessKeyId;
  request.aws_sigv4->secret_access_key = FakeAwsServer::kSessionSecretAccessKey;
  request.aws_sigv4->session_token = FakeAwsServer::kSessionToken;
  absl::StatusOr<HttpResponse> response = transport_->Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), Not(HasSubstr(FakeAwsServer::kSessionSecretAccessKey)));
  EXPECT_THAT(response.status().message(), Not(HasSubstr(FakeAwsServer::kSessionToken)));
  EXPECT_THAT(response.status().message(), Not(HasSubstr(FakeAwsServer::kSessionAccessKeyId)));
}

TEST_F(AwsSigV4Test, UnsignedRequestsAreUnchanged) {
  HttpRequest request;
  request.url = server_.base_url() + "/creditbot-test/k";
  absl::StatusOr<HttpResponse> response = transport_->Send(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 403);  // S3 refuses anonymous requests
  EXPECT_EQ(server_.requests().back().Header("Authorization"), "");
}

}  // namespace
}  // namespace creditbot
