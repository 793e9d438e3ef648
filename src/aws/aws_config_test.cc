// Tests of AwsConfig: region and endpoint resolution from the environment map.
#include "aws/aws_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace creditbot {
namespace {

using ::testing::HasSubstr;

TEST(AwsConfig, RegionFromAwsRegionThenAwsDefaultRegion) {
  absl::StatusOr<AwsConfig> config =
      AwsConfig::FromEnvironment({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "us-east-1"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(*config->Region(), "eu-west-1");
  config = AwsConfig::FromEnvironment({{"AWS_DEFAULT_REGION", "us-east-1"}});
  EXPECT_EQ(*config->Region(), "us-east-1");
}

TEST(AwsConfig, NoRegionIsReportedWhenAnEndpointIsNeeded) {
  absl::StatusOr<AwsConfig> config = AwsConfig::FromEnvironment({});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->Region().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(config->Region().status().message(), HasSubstr("AWS_REGION"));
  EXPECT_EQ(config->Endpoint(AwsService::kS3).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(AwsConfig, RegionalDefaultEndpoints) {
  absl::StatusOr<AwsConfig> config = AwsConfig::FromEnvironment({{"AWS_REGION", "eu-west-1"}});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->Endpoint(AwsService::kS3)->url, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_FALSE(config->Endpoint(AwsService::kS3)->overridden);
  EXPECT_EQ(config->Endpoint(AwsService::kSts)->url, "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(config->Endpoint(AwsService::kSecretsManager)->url,
            "https://secretsmanager.eu-west-1.amazonaws.com");
  EXPECT_EQ(config->Endpoint(AwsService::kSageMaker)->url, "https://api.sagemaker.eu-west-1.amazonaws.com");
  EXPECT_EQ(config->Endpoint(AwsService::kAthena)->url, "https://athena.eu-west-1.amazonaws.com");
  EXPECT_EQ(AwsSigningName(AwsService::kAthena), "athena");
  config = AwsConfig::FromEnvironment({{"AWS_REGION", "cn-north-1"}});
  EXPECT_EQ(config->Endpoint(AwsService::kS3)->url, "https://s3.cn-north-1.amazonaws.com.cn");
}

TEST(AwsConfig, ServiceEndpointWinsOverTheGlobalOne) {
  absl::StatusOr<AwsConfig> config =
      AwsConfig::FromEnvironment({{"AWS_REGION", "eu-west-1"},
                                  {"AWS_ENDPOINT_URL", "http://127.0.0.1:9000/"},
                                  {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9001"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->Endpoint(AwsService::kS3)->url, "http://127.0.0.1:9001");
  EXPECT_EQ(config->Endpoint(AwsService::kS3)->source, "AWS_ENDPOINT_URL_S3");
  EXPECT_TRUE(config->Endpoint(AwsService::kS3)->overridden);
  EXPECT_EQ(config->Endpoint(AwsService::kSecretsManager)->url, "http://127.0.0.1:9000");  // '/' stripped
  EXPECT_EQ(config->Endpoint(AwsService::kSecretsManager)->source, "AWS_ENDPOINT_URL");
  config = AwsConfig::FromEnvironment({{"AWS_ENDPOINT_URL_SECRETS_MANAGER", "https://sm.internal"},
                                       {"AWS_ENDPOINT_URL_SAGEMAKER", "https://sagemaker.internal"},
                                       {"AWS_ENDPOINT_URL_STS", "https://sts.internal"},
                                       {"AWS_ENDPOINT_URL_ATHENA", "https://athena.internal/"}});
  EXPECT_EQ(config->Endpoint(AwsService::kAthena)->url, "https://athena.internal");
  EXPECT_EQ(config->Endpoint(AwsService::kSecretsManager)->url, "https://sm.internal");
  EXPECT_EQ(config->Endpoint(AwsService::kSageMaker)->url, "https://sagemaker.internal");
  EXPECT_EQ(config->Endpoint(AwsService::kSts)->url, "https://sts.internal");
}

TEST(AwsConfig, IgnoreConfiguredEndpointUrlsDropsTheOverrides) {
  absl::StatusOr<AwsConfig> config =
      AwsConfig::FromEnvironment({{"AWS_REGION", "eu-west-1"},
                                  {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9001"},
                                  {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}});
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->Endpoint(AwsService::kS3)->url, "https://s3.eu-west-1.amazonaws.com");
}

TEST(AwsConfig, RefusesUnusableEndpointsNamingTheVariable) {
  for (const char* url :
       {"s3.local:9000", "ftp://x", "http://user:pw@host", "http://host/?q=1", "https://"}) {
    absl::StatusOr<AwsConfig> config = AwsConfig::FromEnvironment({{"AWS_ENDPOINT_URL_S3", url}});
    ASSERT_FALSE(config.ok()) << url;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(config.status().message(), HasSubstr("AWS_ENDPOINT_URL_S3"));
    EXPECT_THAT(config.status().message(), ::testing::Not(HasSubstr("pw")));
  }
  EXPECT_EQ(AwsConfig::FromEnvironment({{"AWS_REGION", "EU West"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace creditbot
