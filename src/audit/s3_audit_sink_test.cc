// Tests of the S3 audit sink against the fake S3 on loopback (signatures and payload hashes verified).
#include "audit/s3_audit_sink.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/fake_aws_server.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeAwsServer;
using ::testing::HasSubstr;

constexpr const char* kBucket = "creditbot-outputs";

class S3AuditSinkTest : public ::testing::Test {
 protected:
  S3AuditSinkTest() { server_.CreateBucket(kBucket); }
  S3AuditSinkOptions Options(const std::string& prefix) const {
    S3AuditSinkOptions options;
    options.bucket = kBucket;
    options.prefix = prefix;
    return options;
  }

  FakeAwsServer server_;
  FakeClock clock_{absl::FromUnixSeconds(1767225600)};
  FakeSleeper sleeper_{clock_};
  StaticAwsCredentialsProvider credentials_{
      AwsCredentials{FakeAwsServer::kAccessKeyId, FakeAwsServer::kSecretAccessKey, "", std::nullopt, "test"}};
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  S3Client s3_{*transport_, credentials_, clock_, sleeper_,
               S3ClientOptions{AwsEndpoint{server_.base_url(), true, "AWS_ENDPOINT_URL_S3"},
                               FakeAwsServer::kRegion, AwsRetryOptions{}, absl::Seconds(30)}};
};

TEST_F(S3AuditSinkTest, WritesResultJsonUnderThePrefixEncryptedAndReturnsItsUri) {
  S3AuditSink sink(s3_, Options("outputs"));
  absl::StatusOr<std::string> where = sink.Write("20260115T123456Z-3f9c", "{\"credit_amount\":\"255.00\"}");
  ASSERT_TRUE(where.ok()) << where.status();
  EXPECT_EQ(*where, "s3://creditbot-outputs/outputs/20260115T123456Z-3f9c/result.json");
  std::optional<testing::FakeS3Object> object =
      server_.Object(kBucket, "outputs/20260115T123456Z-3f9c/result.json");
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ(object->body, "{\"credit_amount\":\"255.00\"}");
  EXPECT_EQ(object->content_type, "application/json");
  EXPECT_EQ(object->server_side_encryption, "AES256");
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].Header("If-None-Match"), "*");
  EXPECT_EQ(requests[0].signature_error, "");
}

TEST_F(S3AuditSinkTest, NeverOverwritesAnExecutionId) {
  S3AuditSink sink(s3_, Options("outputs"));
  ASSERT_TRUE(sink.Write("exec-1", "{\"first\":true}").ok());
  absl::StatusOr<std::string> again = sink.Write("exec-1", "{\"second\":true}");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("s3://creditbot-outputs/outputs/exec-1/result.json"));
  EXPECT_EQ(server_.Object(kBucket, "outputs/exec-1/result.json")->body, "{\"first\":true}");
  // The same bytes again (a PUT retried after its answer was lost) are the record already there.
  EXPECT_TRUE(sink.Write("exec-1", "{\"first\":true}").ok());
}

// Issue 20: the record is written as it is produced (here in 1,000 pieces of 100 bytes, 100,000 in all),
// spooled to a temporary file and PUT from it, signed over the whole body.
TEST_F(S3AuditSinkTest, AStreamedRecordArrivesWholeAndSigned) {
  S3AuditSink sink(s3_, Options("outputs"));
  std::string expected;
  absl::StatusOr<std::string> where = sink.WriteStreamed("exec-9", [&](std::FILE* out) {
    for (int piece = 0; piece < 1000; ++piece) {
      const std::string text(100, static_cast<char>('a' + piece % 26));
      expected += text;
      if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) return absl::InternalError("fwrite");
    }
    return absl::OkStatus();
  });
  ASSERT_TRUE(where.ok()) << where.status();
  ASSERT_EQ(expected.size(), 100000u);
  std::optional<testing::FakeS3Object> object = server_.Object(kBucket, "outputs/exec-9/result.json");
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ(object->body, expected);
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].signature_error, "");
}

TEST_F(S3AuditSinkTest, AWriterErrorStoresNothingAndIsReturned) {
  S3AuditSink sink(s3_, Options("outputs"));
  absl::StatusOr<std::string> where = sink.WriteStreamed("exec-8", [](std::FILE* out) {
    std::fputs("{\"half\":", out);
    return absl::UnavailableError("the disk is full");
  });
  EXPECT_EQ(where.status(), absl::UnavailableError("the disk is full"));
  EXPECT_FALSE(server_.Object(kBucket, "outputs/exec-8/result.json").has_value());
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(S3AuditSinkTest, RefusesExecutionIdsThatAreNotOneKeySegment) {
  S3AuditSink sink(s3_, Options("outputs"));
  for (const char* id : {"", "a/b", "..", "a.b", "a\\b"}) {
    EXPECT_EQ(sink.Write(id, "{}").status().code(), absl::StatusCode::kInvalidArgument) << id;
  }
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(S3AuditSinkTest, PrefixSlashesAreTrimmedAndAnEmptyPrefixIsTheBucketRoot) {
  EXPECT_EQ(S3AuditSink(s3_, Options("/audit/2026/")).KeyFor("x"), "audit/2026/x/result.json");
  EXPECT_EQ(S3AuditSink(s3_, Options("")).KeyFor("x"), "x/result.json");
}

TEST_F(S3AuditSinkTest, AMissingBucketIsAnErrorNamingTheRecord) {
  S3AuditSinkOptions options = Options("outputs");
  options.bucket = "no-such-bucket";
  absl::StatusOr<std::string> where = S3AuditSink(s3_, options).Write("exec-2", "{}");
  EXPECT_EQ(where.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(where.status().message(), HasSubstr("s3://no-such-bucket/outputs/exec-2/result.json"));
}

TEST_F(S3AuditSinkTest, WritesANamedFileBesideTheResultWithItsContentType) {
  S3AuditSink sink(s3_, Options("outputs"));
  absl::StatusOr<std::string> where = sink.WriteDecision("exec-3", "{\"status\":\"approved\"}");
  ASSERT_TRUE(where.ok()) << where.status();
  EXPECT_EQ(*where, "s3://creditbot-outputs/outputs/exec-3/decision.json");
  std::optional<testing::FakeS3Object> decision = server_.Object(kBucket, "outputs/exec-3/decision.json");
  ASSERT_TRUE(decision.has_value());
  EXPECT_EQ(decision->body, "{\"status\":\"approved\"}");
  EXPECT_EQ(decision->content_type, "application/json");
  EXPECT_EQ(decision->server_side_encryption, "AES256");
  ASSERT_TRUE(sink.WriteArtifact("exec-3", "evidence.json.gz", std::string("\x1f\x8b", 2)).ok());
  EXPECT_EQ(server_.Object(kBucket, "outputs/exec-3/evidence.json.gz")->content_type, "application/gzip");
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Header("If-None-Match"), "*");
  EXPECT_EQ(requests[1].Header("If-None-Match"), "*");
}

TEST_F(S3AuditSinkTest, NeverOverwritesANamedFileButAcceptsTheSameBytes) {
  S3AuditSink sink(s3_, Options("outputs"));
  ASSERT_TRUE(sink.WriteDecision("exec-4", "{\"first\":true}").ok());
  absl::StatusOr<std::string> again = sink.WriteDecision("exec-4", "{\"second\":true}");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(again.status().message(), HasSubstr("s3://creditbot-outputs/outputs/exec-4/decision.json"));
  EXPECT_EQ(server_.Object(kBucket, "outputs/exec-4/decision.json")->body, "{\"first\":true}");
  EXPECT_TRUE(sink.WriteDecision("exec-4", "{\"first\":true}").ok());
}

TEST_F(S3AuditSinkTest, RefusesArtifactNamesThatAreNotOneKeySegment) {
  S3AuditSink sink(s3_, Options("outputs"));
  for (const char* name : {"", "..", ".x", "a/b", "a\\b"}) {
    EXPECT_EQ(sink.WriteArtifact("exec-5", name, "{}").status().code(), absl::StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_TRUE(server_.requests().empty());
}

}  // namespace
}  // namespace creditbot
