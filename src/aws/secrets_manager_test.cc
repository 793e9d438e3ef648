// Tests of SecretsManagerClient against the fake Secrets Manager on loopback (signatures verified by the
// fake), and of the GetSecretValue answer parser on the shared fixtures.
#include "aws/secrets_manager.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/fake_aws_server.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeAwsServer;
using ::creditbot::testing::FakeAwsService;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kSecretName = "credit-bot/credentials";
constexpr const char* kSecretValue =
    R"({"SLACK_BOT_TOKEN":"xoxb-fake-secret-value","LOOKER_CLIENT_SECRET":"lk-secret"})";

class SecretsManagerTest : public ::testing::Test {
 protected:
  SecretsManagerTest() { server_.PutSecret(kSecretName, kSecretValue); }

  SecretsManagerClient Client(AwsCredentialsProvider& credentials) {
    SecretsManagerOptions options;
    options.endpoint = AwsEndpoint{server_.base_url(), true, "AWS_ENDPOINT_URL_SECRETS_MANAGER"};
    options.region = FakeAwsServer::kRegion;
    return {*transport_, credentials, clock_, sleeper_, options};
  }

  FakeClock clock_{absl::FromUnixSeconds(1767225600)};
  FakeSleeper sleeper_{clock_};
  FakeAwsServer server_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  StaticAwsCredentialsProvider credentials_{
      AwsCredentials{FakeAwsServer::kSessionAccessKeyId, FakeAwsServer::kSessionSecretAccessKey,
                     FakeAwsServer::kSessionToken, std::nullopt, "test"}};
  SecretsManagerClient secrets_ = Client(credentials_);
};

TEST_F(SecretsManagerTest, GetSecretValueReturnsTheSecretString) {
  absl::StatusOr<std::string> value = secrets_.GetSecretString(kSecretName);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(*value, kSecretValue);
  const auto request = server_.requests().back();
  EXPECT_EQ(request.signature_error, "");
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/");
  EXPECT_EQ(request.Header("X-Amz-Target"), "secretsmanager.GetSecretValue");
  EXPECT_EQ(request.Header("Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(nlohmann::json::parse(request.body), nlohmann::json({{"SecretId", kSecretName}}));
  EXPECT_THAT(request.Header("Authorization"), HasSubstr("/eu-west-1/secretsmanager/aws4_request"));
  EXPECT_EQ(request.Header("x-amz-security-token"), FakeAwsServer::kSessionToken);
}

TEST_F(SecretsManagerTest, GetSecretValueByArnWithVersionStage) {
  absl::StatusOr<SecretValue> value = secrets_.GetSecretValue(
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:credit-bot/credentials-a1b2c3", "AWSCURRENT");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->name, kSecretName);
  EXPECT_EQ(value->secret_string, kSecretValue);
  EXPECT_THAT(value->version_stages, ::testing::ElementsAre("AWSCURRENT"));
  EXPECT_EQ(nlohmann::json::parse(server_.requests().back().body)["VersionStage"], "AWSCURRENT");
}

TEST_F(SecretsManagerTest, UnknownSecretIsNotFound) {
  absl::StatusOr<std::string> value = secrets_.GetSecretString("credit-bot/absent");
  EXPECT_EQ(value.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(value.status().message(), HasSubstr("ResourceNotFoundException"));
  EXPECT_THAT(value.status().message(), HasSubstr("credit-bot/absent"));
}

TEST_F(SecretsManagerTest, AccessDeniedIsPermissionDenied) {
  server_.DenySecret(kSecretName);
  absl::StatusOr<std::string> value = secrets_.GetSecretString(kSecretName);
  EXPECT_EQ(value.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(value.status().message(), HasSubstr("AccessDeniedException"));
  EXPECT_THAT(value.status().message(), Not(HasSubstr("xoxb-fake-secret-value")));
}

TEST_F(SecretsManagerTest, ThrottlingIsRetried) {
  server_.FailNext(FakeAwsService::kSecretsManager, 2, 400, "ThrottlingException");
  absl::StatusOr<std::string> value = secrets_.GetSecretString(kSecretName);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(sleeper_.sleeps().size(), 2u);
  EXPECT_EQ(server_.Count(FakeAwsService::kSecretsManager), 3);
}

TEST_F(SecretsManagerTest, InternalServiceErrorIsRetriedThenUnavailable) {
  server_.FailNext(FakeAwsService::kSecretsManager, 100, 500, "InternalServiceError");
  absl::StatusOr<std::string> value = secrets_.GetSecretString(kSecretName);
  EXPECT_EQ(value.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(value.status().message(), HasSubstr("InternalServiceError"));
}

TEST_F(SecretsManagerTest, WrongSecretKeyIsPermissionDeniedWithoutShowingIt) {
  StaticAwsCredentialsProvider wrong(AwsCredentials{FakeAwsServer::kSessionAccessKeyId, "wrong/secret+key",
                                                    FakeAwsServer::kSessionToken, std::nullopt, "test"});
  SecretsManagerClient secrets = Client(wrong);
  absl::StatusOr<std::string> value = secrets.GetSecretString(kSecretName);
  EXPECT_EQ(value.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(value.status().message(), HasSubstr("InvalidSignatureException"));
  EXPECT_THAT(value.status().message(), Not(HasSubstr("wrong/secret+key")));
  EXPECT_THAT(value.status().message(), Not(HasSubstr(FakeAwsServer::kSessionToken)));
}

TEST_F(SecretsManagerTest, ExpiredSessionIsUnauthenticated) {
  server_.ExpireCredentials(FakeAwsServer::kSessionAccessKeyId);
  absl::StatusOr<std::string> value = secrets_.GetSecretString(kSecretName);
  EXPECT_EQ(value.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(value.status().message(), HasSubstr("ExpiredTokenException"));
}

TEST(SecretsManagerResponse, ReadsTheFixturesIncludingBotocoresExample) {
  absl::StatusOr<SecretValue> value = ParseGetSecretValueResponse(
      FakeAwsServer::Fixture("secretsmanager-getsecretvalue-response-botocore-example.json"));
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(value->name, "MyTestDatabaseSecret");
  EXPECT_THAT(*value->secret_string, HasSubstr("\"username\":\"david\""));
  EXPECT_THAT(value->version_stages, ::testing::ElementsAre("AWSPREVIOUS"));
  value = ParseGetSecretValueResponse(R"({"Name":"b","SecretBinary":"aGVsbG8="})");
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->secret_binary, "hello");
  EXPECT_FALSE(value->secret_string.has_value());
}

TEST(SecretsManagerResponse, UnreadableAnswersNeverEchoTheSecret) {
  for (const char* body : {R"({"SecretString": "top-secret-value")", R"(["top-secret-value"])",
                           R"({"Name":"x","Other":"top-secret-value"})"}) {
    absl::StatusOr<SecretValue> value = ParseGetSecretValueResponse(body);
    EXPECT_EQ(value.status().code(), absl::StatusCode::kInvalidArgument) << body;
    EXPECT_THAT(value.status().message(), Not(HasSubstr("top-secret-value")));
  }
}

}  // namespace
}  // namespace creditbot
