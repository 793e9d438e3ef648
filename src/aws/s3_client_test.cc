// Tests of S3Client against the fake S3 on loopback: every request's SigV4 signature and payload hash are
// verified by the fake, independently of libcurl.
#include "aws/s3_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/sha256.h"
#include "tests/fake_aws_server.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeAwsServer;
using ::creditbot::testing::FakeAwsService;
using ::creditbot::testing::TempDir;
using ::creditbot::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kBucket = "creditbot-state";
constexpr const char* kKey = "state/processed_messages.json";

AwsCredentials LongTermCredentials() {
  return AwsCredentials{FakeAwsServer::kAccessKeyId, FakeAwsServer::kSecretAccessKey, "", std::nullopt,
                        "test"};
}

class S3ClientTest : public ::testing::Test {
 protected:
  S3ClientTest() { server_.CreateBucket(kBucket); }

  S3ClientOptions Options() const {
    S3ClientOptions options;
    options.endpoint = AwsEndpoint{server_.base_url(), true, "AWS_ENDPOINT_URL_S3"};
    options.region = FakeAwsServer::kRegion;
    return options;
  }
  S3Client Client(AwsCredentialsProvider& credentials) {
    return {*transport_, credentials, clock_, sleeper_, Options()};
  }
  void ExpectNoSecrets(const absl::Status& status) {
    EXPECT_THAT(status.message(), Not(HasSubstr(FakeAwsServer::kSecretAccessKey)));
    EXPECT_THAT(status.message(), Not(HasSubstr(FakeAwsServer::kSessionSecretAccessKey)));
    EXPECT_THAT(status.message(), Not(HasSubstr(FakeAwsServer::kSessionToken)));
  }

  FakeClock clock_{absl::FromUnixSeconds(1767225600)};
  FakeSleeper sleeper_{clock_};
  FakeAwsServer server_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  StaticAwsCredentialsProvider credentials_{LongTermCredentials()};
  S3Client s3_ = Client(credentials_);
};

TEST_F(S3ClientTest, PutThenGetRoundTripsBodyAndEtag) {
  const std::string body = std::string("{\"a\":1}\n\0binary\xff", 16);
  S3PutOptions options;
  options.content_type = "application/json";
  absl::StatusOr<S3PutResult> put = s3_.PutObject(kBucket, kKey, body, options);
  ASSERT_TRUE(put.ok()) << put.status();
  EXPECT_THAT(put->etag, ::testing::StartsWith("\""));
  absl::StatusOr<S3Object> object = s3_.GetObject(kBucket, kKey);
  ASSERT_TRUE(object.ok()) << object.status();
  EXPECT_EQ(object->body, body);
  EXPECT_EQ(object->etag, put->etag);
  EXPECT_EQ(object->content_type, "application/json");
  const auto requests = server_.requests();
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, std::string("/") + kBucket + "/" + kKey);  // path style on an override
  EXPECT_EQ(requests[0].Header("x-amz-content-sha256"), Sha256Hex(body));
  EXPECT_EQ(requests[1].Header("x-amz-content-sha256"), Sha256Hex(""));
  for (const auto& request : requests) EXPECT_EQ(request.signature_error, "");
}

TEST_F(S3ClientTest, LargeBodiesAreHashedAndSignedToo) {
  std::string body(3 << 20, 'x');  // big enough for libcurl's own (unsigned) Expect: 100-continue
  body[12345] = '\0';
  ASSERT_TRUE(s3_.PutObject(kBucket, kKey, body).ok());
  absl::StatusOr<S3Object> object = s3_.GetObject(kBucket, kKey);
  ASSERT_TRUE(object.ok()) << object.status();
  EXPECT_EQ(object->body, body);
}

TEST_F(S3ClientTest, MissingKeyIsNotFound) {
  absl::StatusOr<S3Object> object = s3_.GetObject(kBucket, "state/absent.json");
  EXPECT_EQ(object.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(object.status().message(), HasSubstr("NoSuchKey"));
  EXPECT_THAT(object.status().message(), HasSubstr("s3://creditbot-state/state/absent.json"));
  EXPECT_EQ(s3_.HeadObject(kBucket, "state/absent.json").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(S3ClientTest, MissingBucketIsAConfigurationError) {
  EXPECT_EQ(s3_.GetObject("no-such-bucket", kKey).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(S3ClientTest, IfNoneMatchCreatesOnlyOnce) {
  S3PutOptions create;
  create.if_none_match_any = true;
  ASSERT_TRUE(s3_.PutObject(kBucket, kKey, "first", create).ok());
  absl::StatusOr<S3PutResult> second = s3_.PutObject(kBucket, kKey, "second", create);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("PreconditionFailed"));
  EXPECT_EQ(server_.Object(kBucket, kKey)->body, "first");
  EXPECT_EQ(server_.requests().back().Header("If-None-Match"), "*");
}

TEST_F(S3ClientTest, IfMatchIsCompareAndSwapOnTheEtag) {
  absl::StatusOr<S3PutResult> first = s3_.PutObject(kBucket, kKey, "v1");
  ASSERT_TRUE(first.ok());
  S3PutOptions update;
  update.if_match = first->etag;
  absl::StatusOr<S3PutResult> second = s3_.PutObject(kBucket, kKey, "v2", update);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->etag, first->etag);
  // A runner still holding the first ETag loses the race.
  absl::StatusOr<S3PutResult> stale = s3_.PutObject(kBucket, kKey, "v2-from-a-stale-reader", update);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(server_.Object(kBucket, kKey)->body, "v2");
}

TEST_F(S3ClientTest, IfMatchOnADeletedObjectIsAFailedPrecondition) {
  S3PutOptions update;
  update.if_match = "\"0123456789abcdef0123456789abcdef\"";
  EXPECT_EQ(s3_.PutObject(kBucket, kKey, "v", update).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(S3ClientTest, ConditionalRequestConflictIsAborted) {
  server_.FailNext(FakeAwsService::kS3, 1, 409, "ConditionalRequestConflict");
  S3PutOptions create;
  create.if_none_match_any = true;
  absl::StatusOr<S3PutResult> put = s3_.PutObject(kBucket, kKey, "v", create);
  EXPECT_EQ(put.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(put.status().message(), HasSubstr("ConditionalRequestConflict"));
}

TEST_F(S3ClientTest, BothConditionsAtOnceAreRefused) {
  S3PutOptions both;
  both.if_match = "\"x\"";
  both.if_none_match_any = true;
  EXPECT_EQ(s3_.PutObject(kBucket, kKey, "v", both).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server_.requests().size(), 0u);
}

TEST_F(S3ClientTest, ServerSideEncryptionHeaderIsSentSignedAndRecorded) {
  S3PutOptions options;
  options.server_side_encryption = S3ServerSideEncryption::kAes256;
  ASSERT_TRUE(s3_.PutObject(kBucket, "outputs/e1/result.json", "{}", options).ok());
  EXPECT_EQ(server_.Object(kBucket, "outputs/e1/result.json")->server_side_encryption, "AES256");
  EXPECT_THAT(server_.requests().back().Header("Authorization"), HasSubstr("x-amz-server-side-encryption"));
  options.server_side_encryption = S3ServerSideEncryption::kAwsKms;
  ASSERT_TRUE(s3_.PutObject(kBucket, "outputs/e2/result.json", "{}", options).ok());
  EXPECT_EQ(server_.Object(kBucket, "outputs/e2/result.json")->server_side_encryption, "aws:kms");
  absl::StatusOr<S3Object> object = s3_.GetObject(kBucket, "outputs/e2/result.json");
  ASSERT_TRUE(object.ok());
  EXPECT_EQ(object->server_side_encryption, "aws:kms");
}

TEST_F(S3ClientTest, WrongSecretIsPermissionDeniedBySignatureCheck) {
  StaticAwsCredentialsProvider wrong(
      AwsCredentials{FakeAwsServer::kAccessKeyId, "wrong/secret+key", "", std::nullopt, "test"});
  S3Client s3 = Client(wrong);
  absl::StatusOr<S3Object> object = s3.GetObject(kBucket, kKey);
  EXPECT_EQ(object.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(object.status().message(), HasSubstr("SignatureDoesNotMatch"));
  EXPECT_THAT(object.status().message(), Not(HasSubstr("wrong/secret+key")));
  EXPECT_EQ(server_.requests().back().signature_error, "SignatureDoesNotMatch");
  EXPECT_EQ(sleeper_.sleeps().size(), 0u);  // never retried
}

TEST_F(S3ClientTest, UnknownAccessKeyIsPermissionDenied) {
  StaticAwsCredentialsProvider unknown(AwsCredentials{"AKIAUNKNOWN000000000", "x", "", std::nullopt, "test"});
  S3Client s3 = Client(unknown);
  absl::StatusOr<S3PutResult> put = s3.PutObject(kBucket, kKey, "v");
  EXPECT_EQ(put.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(put.status().message(), HasSubstr("InvalidAccessKeyId"));
}

TEST_F(S3ClientTest, SessionTokenHeaderIsSentAndVerified) {
  StaticAwsCredentialsProvider session(AwsCredentials{FakeAwsServer::kSessionAccessKeyId,
                                                      FakeAwsServer::kSessionSecretAccessKey,
                                                      FakeAwsServer::kSessionToken, std::nullopt, "test"});
  S3Client s3 = Client(session);
  ASSERT_TRUE(s3.PutObject(kBucket, kKey, "v").ok());
  EXPECT_EQ(server_.requests().back().Header("x-amz-security-token"), FakeAwsServer::kSessionToken);
  StaticAwsCredentialsProvider bad_token(AwsCredentials{FakeAwsServer::kSessionAccessKeyId,
                                                        FakeAwsServer::kSessionSecretAccessKey,
                                                        "forged-token", std::nullopt, "test"});
  S3Client forged = Client(bad_token);
  absl::StatusOr<S3Object> object = forged.GetObject(kBucket, kKey);
  EXPECT_EQ(object.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(object.status().message(), HasSubstr("InvalidToken"));
  EXPECT_THAT(object.status().message(), Not(HasSubstr("forged-token")));
  ExpectNoSecrets(object.status());
}

TEST_F(S3ClientTest, ThrottlingAndServerErrorsAreRetriedWithBackoff) {
  ASSERT_TRUE(s3_.PutObject(kBucket, kKey, "v").ok());
  server_.FailNext(FakeAwsService::kS3, 2, 503, "SlowDown");
  ASSERT_TRUE(s3_.GetObject(kBucket, kKey).ok());
  EXPECT_EQ(sleeper_.sleeps().size(), 2u);
  EXPECT_LT(sleeper_.sleeps()[0], sleeper_.sleeps()[1] + absl::Milliseconds(101));
  server_.FailNext(FakeAwsService::kS3, 1, 500, "InternalError");
  ASSERT_TRUE(s3_.PutObject(kBucket, kKey, "v2").ok());
  EXPECT_EQ(sleeper_.sleeps().size(), 3u);
}

TEST_F(S3ClientTest, RetryAfterIsHonoured) {
  server_.FailNext(FakeAwsService::kS3, 1, 503, "SlowDown", "3");
  ASSERT_TRUE(s3_.PutObject(kBucket, kKey, "v").ok());
  ASSERT_EQ(sleeper_.sleeps().size(), 1u);
  EXPECT_EQ(sleeper_.sleeps()[0], absl::Seconds(3));
}

TEST_F(S3ClientTest, PersistentThrottlingIsUnavailableAfterTheLastAttempt) {
  server_.FailNext(FakeAwsService::kS3, 100, 503, "SlowDown");
  absl::StatusOr<S3Object> object = s3_.GetObject(kBucket, kKey);
  EXPECT_EQ(object.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(object.status().message(), HasSubstr("SlowDown"));
  EXPECT_EQ(server_.Count(FakeAwsService::kS3), 5);
  EXPECT_EQ(sleeper_.sleeps().size(), 4u);
}

TEST_F(S3ClientTest, KeysWithReservedCharactersAreSignedCorrectly) {
  for (const std::string key : {"dir/a b.json", "2024-01-01T00:00:00Z.json", "a=b*c+d~e.json",
                                "caf\xc3\xa9/\xe2\x82\xac.json", "x//y;z,(1)!'@$&.json"}) {
    ASSERT_TRUE(s3_.PutObject(kBucket, key, key).ok()) << key;
    absl::StatusOr<S3Object> object = s3_.GetObject(kBucket, key);
    ASSERT_TRUE(object.ok()) << key << ": " << object.status();
    EXPECT_EQ(object->body, key);
    EXPECT_TRUE(server_.Object(kBucket, key).has_value()) << key;
  }
}

TEST_F(S3ClientTest, RefusesKeysAndBucketsUrlsCannotCarry) {
  EXPECT_EQ(s3_.GetObject(kBucket, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s3_.GetObject(kBucket, "a/../b").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s3_.GetObject(kBucket, "./b").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s3_.GetObject("Bad_Bucket", "k").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(server_.requests().size(), 0u);
}

TEST_F(S3ClientTest, HeadAndDelete) {
  ASSERT_TRUE(s3_.PutObject(kBucket, kKey, "12345").ok());
  absl::StatusOr<S3ObjectInfo> info = s3_.HeadObject(kBucket, kKey);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->size, 5);
  EXPECT_EQ(info->etag, server_.Object(kBucket, kKey)->etag);
  ASSERT_TRUE(s3_.DeleteObject(kBucket, kKey).ok());
  EXPECT_FALSE(server_.Object(kBucket, kKey).has_value());
  EXPECT_TRUE(s3_.DeleteObject(kBucket, kKey).ok());  // deleting a missing key succeeds
}

TEST_F(S3ClientTest, VirtualHostedUrlsForAwsAndPathStyleForOverrides) {
  S3ClientOptions aws;
  aws.endpoint = AwsEndpoint{"https://s3.eu-west-1.amazonaws.com", false, "default"};
  aws.region = "eu-west-1";
  S3Client real(*transport_, credentials_, clock_, sleeper_, aws);
  EXPECT_EQ(*real.ObjectUrl("creditbot-state", "state/a b.json"),
            "https://creditbot-state.s3.eu-west-1.amazonaws.com/state/a%20b.json");
  EXPECT_EQ(*real.ObjectUrl("dotted.bucket", "k"), "https://s3.eu-west-1.amazonaws.com/dotted.bucket/k");
  EXPECT_EQ(*s3_.ObjectUrl("creditbot-state", "k=1"), server_.base_url() + "/creditbot-state/k%3D1");
}

TEST_F(S3ClientTest, ExpiredCredentialsMidPassAreRefreshedOnce) {
  TempDir dir;
  WriteFile(dir.File("token"), FakeAwsServer::kWebIdentityToken);
  absl::StatusOr<std::unique_ptr<AwsCredentialsProvider>> chain =
      MakeAwsCredentialsChain({{"AWS_REGION", FakeAwsServer::kRegion},
                               {"AWS_ENDPOINT_URL", server_.base_url()},
                               {"AWS_WEB_IDENTITY_TOKEN_FILE", dir.File("token")},
                               {"AWS_ROLE_ARN", FakeAwsServer::kRoleArn}},
                              MakeCurlTransport(), clock_, sleeper_);
  ASSERT_TRUE(chain.ok()) << chain.status();
  S3Client s3 = Client(**chain);
  ASSERT_TRUE(s3.PutObject(kBucket, kKey, "v1").ok());
  server_.ExpireAllIssuedCredentials();  // STS's session ended early (revoked, clock skew…)
  absl::StatusOr<S3Object> object = s3.GetObject(kBucket, kKey);
  ASSERT_TRUE(object.ok()) << object.status();
  EXPECT_EQ(object->body, "v1");
  EXPECT_EQ(server_.issued_access_key_ids().size(), 2u);
  EXPECT_EQ(sleeper_.sleeps().size(), 0u);
}

TEST_F(S3ClientTest, CredentialsThatStayExpiredAreUnauthenticated) {
  server_.ExpireCredentials(FakeAwsServer::kAccessKeyId);
  absl::StatusOr<S3Object> object = s3_.GetObject(kBucket, kKey);
  EXPECT_EQ(object.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(object.status().message(), HasSubstr("ExpiredToken"));
  EXPECT_EQ(server_.Count(FakeAwsService::kS3), 2);  // one refresh, then give up
}

TEST_F(S3ClientTest, OptionsFromConfigNeedARegion) {
  absl::StatusOr<AwsConfig> config =
      AwsConfig::FromEnvironment({{"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9"}});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(S3Client::OptionsFromConfig(*config).status().code(), absl::StatusCode::kFailedPrecondition);
  config = AwsConfig::FromEnvironment(
      {{"AWS_REGION", "eu-west-1"}, {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9"}});
  absl::StatusOr<S3ClientOptions> options = S3Client::OptionsFromConfig(*config);
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->endpoint.overridden);
  EXPECT_EQ(options->region, "eu-west-1");
}

TEST_F(S3ClientTest, ListObjectsV2CountsKeysUnderAPrefix) {
  server_.PutObjectDirect(kBucket, "athena/results/a.csv", "1");
  server_.PutObjectDirect(kBucket, "athena/results/b.csv", "2");
  server_.PutObjectDirect(kBucket, "athena/other.csv", "3");
  absl::StatusOr<int> listed = s3_.ListObjectsV2(kBucket, "athena/results/", 1);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(*listed, 1);  // max-keys 1
  listed = s3_.ListObjectsV2(kBucket, "athena/results/", 1000);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(*listed, 2);
  EXPECT_EQ(*s3_.ListObjectsV2(kBucket, "nothing/here/", 1), 0);
  absl::StatusOr<int> missing = s3_.ListObjectsV2("no-such-bucket", "", 1);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.status().message(), HasSubstr("NoSuchBucket"));
  EXPECT_EQ(s3_.ListObjectsV2(kBucket, "", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(*s3_.BucketUrl(kBucket), server_.base_url() + "/creditbot-state/");  // path style: overridden
}

}  // namespace
}  // namespace creditbot
