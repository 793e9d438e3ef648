// Tests of the AWS credential chain: source selection order, each source against the fake server, caching
// and refresh before expiry (FakeClock), thread safety, and secrets kept out of messages.
#include "aws/aws_credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
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

TEST(AwsCredentialChain, PicksSourcesInTheSdkOrder) {
  const EnvironmentMap everything = {{"AWS_ACCESS_KEY_ID", "A"},
                                     {"AWS_SECRET_ACCESS_KEY", "S"},
                                     {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"},
                                     {"AWS_ROLE_ARN", "arn"},
                                     {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/c"}};
  EXPECT_EQ(SelectAwsCredentialSource(everything), AwsCredentialSource::kEnvironment);
  EnvironmentMap env = everything;
  env.erase("AWS_ACCESS_KEY_ID");
  env.erase("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(SelectAwsCredentialSource(env), AwsCredentialSource::kWebIdentity);
  env.erase("AWS_ROLE_ARN");  // a token file alone is not IRSA
  EXPECT_EQ(SelectAwsCredentialSource(env), AwsCredentialSource::kContainer);
  env.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/x";
  EXPECT_EQ(SelectAwsCredentialSource(env), AwsCredentialSource::kContainer);
  env.erase("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  EXPECT_EQ(SelectAwsCredentialSource(env), AwsCredentialSource::kImds);
  env["AWS_EC2_METADATA_DISABLED"] = "true";
  EXPECT_EQ(SelectAwsCredentialSource(env), AwsCredentialSource::kNone);
  EXPECT_EQ(SelectAwsCredentialSource({{"AWS_SECRET_ACCESS_KEY", "S"}}), AwsCredentialSource::kEnvironment);
}

class AwsCredentialsTest : public ::testing::Test {
 protected:
  AwsCredentialsTest() { WriteFile(token_file_, FakeAwsServer::kWebIdentityToken); }

  std::unique_ptr<AwsCredentialsProvider> Chain(const EnvironmentMap& env,
                                                AwsCredentialsOptions options = {}) {
    absl::StatusOr<std::unique_ptr<AwsCredentialsProvider>> chain =
        MakeAwsCredentialsChain(env, MakeCurlTransport(), clock_, sleeper_, std::move(options));
    EXPECT_TRUE(chain.ok()) << chain.status();
    return chain.ok() ? *std::move(chain) : nullptr;
  }

  EnvironmentMap WebIdentityEnv() const {
    return {{"AWS_REGION", FakeAwsServer::kRegion},
            {"AWS_ENDPOINT_URL_STS", server_.base_url()},
            {"AWS_WEB_IDENTITY_TOKEN_FILE", token_file_},
            {"AWS_ROLE_ARN", FakeAwsServer::kRoleArn},
            {"AWS_ROLE_SESSION_NAME", "creditbot-test"}};
  }

  const absl::Time start_ = absl::FromCivil(absl::CivilSecond(2026, 1, 15, 12, 0, 0), absl::UTCTimeZone());
  FakeClock clock_{start_};
  FakeSleeper sleeper_{clock_};
  FakeAwsServer server_;
  TempDir dir_;
  std::string token_file_ = dir_.File("web-identity-token");
};

TEST_F(AwsCredentialsTest, EnvironmentCredentials) {
  auto chain = Chain({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                      {"AWS_SECRET_ACCESS_KEY", "env-secret"},
                      {"AWS_SESSION_TOKEN", "env-token"}});
  absl::StatusOr<AwsCredentials> credentials = chain->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->access_key_id, "AKIDENV");
  EXPECT_EQ(credentials->secret_access_key, "env-secret");
  EXPECT_EQ(credentials->session_token, "env-token");
  EXPECT_EQ(credentials->source, "environment");
  EXPECT_FALSE(credentials->expiration.has_value());
}

TEST_F(AwsCredentialsTest, HalfConfiguredEnvironmentNamesTheMissingVariable) {
  absl::StatusOr<AwsCredentials> credentials = Chain({{"AWS_ACCESS_KEY_ID", "AKIDENV"}})->Get();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(credentials.status().message(), HasSubstr("AWS_SECRET_ACCESS_KEY"));
  credentials = Chain({{"AWS_SECRET_ACCESS_KEY", "only-the-secret"}})->Get();
  EXPECT_THAT(credentials.status().message(), HasSubstr("AWS_ACCESS_KEY_ID"));
  EXPECT_THAT(credentials.status().message(), Not(HasSubstr("only-the-secret")));
}

TEST_F(AwsCredentialsTest, NothingConfiguredSaysWhatToSet) {
  absl::StatusOr<AwsCredentials> credentials = Chain({{"AWS_EC2_METADATA_DISABLED", "true"}})->Get();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(credentials.status().message(), HasSubstr("AWS_ACCESS_KEY_ID"));
  EXPECT_THAT(credentials.status().message(), HasSubstr("AWS_WEB_IDENTITY_TOKEN_FILE"));
}

TEST_F(AwsCredentialsTest, WebIdentityExchangesTheTokenWithSts) {
  auto chain = Chain(WebIdentityEnv());
  absl::StatusOr<AwsCredentials> credentials = chain->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->source, "web identity");
  EXPECT_EQ(credentials->access_key_id, server_.issued_access_key_ids().at(0));
  EXPECT_FALSE(credentials->session_token.empty());
  ASSERT_TRUE(credentials->expiration.has_value());
  EXPECT_THAT(server_.sts_session_names(), ::testing::ElementsAre("creditbot-test"));
  const auto sts = server_.requests().back();
  EXPECT_EQ(sts.service, FakeAwsService::kSts);
  EXPECT_EQ(sts.Header("Authorization"), "");  // AssumeRoleWithWebIdentity is unsigned
}

TEST_F(AwsCredentialsTest, WebIdentityWithoutSessionNameMakesOne) {
  EnvironmentMap env = WebIdentityEnv();
  env.erase("AWS_ROLE_SESSION_NAME");
  ASSERT_TRUE(Chain(env)->Get().ok());
  EXPECT_THAT(server_.sts_session_names().at(0), ::testing::StartsWith("creditbot-"));
}

TEST_F(AwsCredentialsTest, WebIdentityTokenFileIsReadAgainOnRefreshAndNeverShown) {
  auto chain = Chain(WebIdentityEnv());
  ASSERT_TRUE(chain->Get().ok());
  WriteFile(token_file_, "eyJ.rotated-but-refused-token.SIG");
  chain->Invalidate();
  absl::StatusOr<AwsCredentials> credentials = chain->Get();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(credentials.status().message(), HasSubstr("InvalidIdentityToken"));
  EXPECT_THAT(credentials.status().message(), Not(HasSubstr("rotated-but-refused")));
  EXPECT_EQ(server_.Count(FakeAwsService::kSts), 2);
}

TEST_F(AwsCredentialsTest, WebIdentityMissingTokenFileIsAConfigurationError) {
  EnvironmentMap env = WebIdentityEnv();
  env["AWS_WEB_IDENTITY_TOKEN_FILE"] = dir_.File("absent");
  absl::StatusOr<AwsCredentials> credentials = Chain(env)->Get();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(credentials.status().message(), HasSubstr("AWS_WEB_IDENTITY_TOKEN_FILE"));
}

TEST_F(AwsCredentialsTest, StsThrottlingIsRetried) {
  server_.FailNext(FakeAwsService::kSts, 2, 400, "Throttling");
  absl::StatusOr<AwsCredentials> credentials = Chain(WebIdentityEnv())->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(server_.Count(FakeAwsService::kSts), 3);
  EXPECT_EQ(sleeper_.sleeps().size(), 2u);
}

TEST_F(AwsCredentialsTest, CachedUntilFiveMinutesBeforeExpiry) {
  server_.SetIssuedExpiration(start_ + absl::Hours(1));
  auto chain = Chain(WebIdentityEnv());
  absl::StatusOr<AwsCredentials> first = chain->Get();
  ASSERT_TRUE(first.ok()) << first.status();
  clock_.Advance(absl::Minutes(54));
  EXPECT_EQ(chain->Get()->access_key_id, first->access_key_id);
  EXPECT_EQ(server_.Count(FakeAwsService::kSts), 1);
  server_.SetIssuedExpiration(start_ + absl::Hours(2));
  clock_.Advance(absl::Minutes(2));  // 56 min: inside the 5-minute margin
  absl::StatusOr<AwsCredentials> second = chain->Get();
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->access_key_id, first->access_key_id);
  EXPECT_EQ(server_.Count(FakeAwsService::kSts), 2);
}

TEST_F(AwsCredentialsTest, FailedRefreshKeepsCredentialsThatAreStillValid) {
  server_.SetIssuedExpiration(start_ + absl::Hours(1));
  auto chain = Chain(WebIdentityEnv());
  absl::StatusOr<AwsCredentials> first = chain->Get();
  ASSERT_TRUE(first.ok());
  clock_.Advance(absl::Minutes(57));
  server_.FailNext(FakeAwsService::kSts, 100, 503, "ServiceUnavailable");
  absl::StatusOr<AwsCredentials> kept = chain->Get();
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(kept->access_key_id, first->access_key_id);
  clock_.Advance(absl::Minutes(4));  // now past the expiration: nothing valid is left
  absl::StatusOr<AwsCredentials> expired = chain->Get();
  EXPECT_EQ(expired.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(AwsCredentialsTest, ContainerFullUriWithTokenFile) {
  server_.SetContainerAuthorization("Bearer pod-identity-token");
  WriteFile(dir_.File("container-token"), "Bearer pod-identity-token\n");
  auto chain = Chain({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.base_url() + "/v1/credentials"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir_.File("container-token")}});
  absl::StatusOr<AwsCredentials> credentials = chain->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->source, "container endpoint");
  EXPECT_EQ(server_.requests().back().Header("Authorization"), "Bearer pod-identity-token");
}

TEST_F(AwsCredentialsTest, ContainerRefusedTokenIsUnauthenticatedAndNotShown) {
  server_.SetContainerAuthorization("Bearer right");
  auto chain = Chain({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.base_url() + "/v1/credentials"},
                      {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer wrong-token-value"}});
  absl::StatusOr<AwsCredentials> credentials = chain->Get();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(credentials.status().message(), Not(HasSubstr("wrong-token-value")));
}

TEST_F(AwsCredentialsTest, ContainerRelativeUriUsesTheEcsHost) {
  AwsCredentialsOptions options;
  options.ecs_endpoint = server_.base_url();
  auto chain = Chain({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc-123"}}, options);
  absl::StatusOr<AwsCredentials> credentials = chain->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(server_.requests().back().target, "/v2/credentials/abc-123");
}

TEST_F(AwsCredentialsTest, ContainerPlainHttpOnlyToAllowedHosts) {
  absl::StatusOr<AwsCredentials> credentials =
      Chain({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://metadata.example.com/creds"}})->Get();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(server_.requests().size(), 0u);
}

TEST_F(AwsCredentialsTest, ImdsV2TokenThenRoleThenCredentials) {
  auto chain = Chain({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server_.base_url()}});
  absl::StatusOr<AwsCredentials> credentials = chain->Get();
  ASSERT_TRUE(credentials.ok()) << credentials.status();
  EXPECT_EQ(credentials->source, "IMDS");
  const auto requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].target, "/latest/api/token");
  EXPECT_EQ(requests[0].Header("X-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(requests[1].target, "/latest/meta-data/iam/security-credentials/");
  EXPECT_EQ(requests[2].target,
            std::string("/latest/meta-data/iam/security-credentials/") + FakeAwsServer::kImdsRole);
  EXPECT_FALSE(requests[2].Header("X-aws-ec2-metadata-token").empty());
}

TEST_F(AwsCredentialsTest, ImdsUnreachableIsUnavailable) {
  AwsCredentialsOptions options;
  options.metadata_timeout = absl::Milliseconds(500);
  absl::StatusOr<AwsCredentials> credentials =
      Chain({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1"}}, options)->Get();
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(sleeper_.sleeps().size(), 2u);  // three tries
}

TEST(AwsCredentialsThreads, ConcurrentGetsShareOneFetch) {
  FakeAwsServer server;
  TempDir dir;
  WriteFile(dir.File("token"), FakeAwsServer::kWebIdentityToken);
  SystemClock clock;
  SystemSleeper sleeper;
  absl::StatusOr<std::unique_ptr<AwsCredentialsProvider>> chain =
      MakeAwsCredentialsChain({{"AWS_REGION", FakeAwsServer::kRegion},
                               {"AWS_ENDPOINT_URL_STS", server.base_url()},
                               {"AWS_WEB_IDENTITY_TOKEN_FILE", dir.File("token")},
                               {"AWS_ROLE_ARN", FakeAwsServer::kRoleArn}},
                              MakeCurlTransport(), clock, sleeper);
  ASSERT_TRUE(chain.ok());
  std::vector<std::thread> threads;
  threads.reserve(4);
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        if (!(*chain)->Get().ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.Count(FakeAwsService::kSts), 1);
}

}  // namespace
}  // namespace creditbot
