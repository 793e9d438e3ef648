// Tests of the Sign in with Slack settings (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, CREDITBOT_PUBLIC_URL,
// CREDITBOT_SLACK_TEAM_ID): all or none, the public URL's form, the secret kept for the redactor.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/config.h"

namespace creditbot {
namespace {

absl::StatusOr<Config> ConfigFrom(std::vector<std::string> overrides) {
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.overrides = std::move(overrides);
  absl::StatusOr<RawSettings> raw = LoadRawSettings(inputs);
  if (!raw.ok()) return raw.status();
  return BuildConfig(*raw);
}

TEST(SlackSignInConfig, UnsetIsNotConfigured) {
  absl::StatusOr<Config> config = ConfigFrom({});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->slack_client_id, "");
  EXPECT_EQ(config->slack_redirect_uri, "");
}

TEST(SlackSignInConfig, AllThreeGiveTheRedirectUriAndTheSecretIsRedacted) {
  absl::StatusOr<Config> config = ConfigFrom(
      {"SLACK_CLIENT_ID=1234.5678", "SLACK_CLIENT_SECRET=test-client-secret-not-real",
       "CREDITBOT_PUBLIC_URL=https://creditbot.example.com/", "CREDITBOT_SLACK_TEAM_ID=T0123ABCD"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->slack_client_id, "1234.5678");
  EXPECT_EQ(config->public_url, "https://creditbot.example.com");
  EXPECT_EQ(config->slack_redirect_uri, "https://creditbot.example.com/auth/slack/callback");
  EXPECT_EQ(config->slack_team_id, "T0123ABCD");
  EXPECT_NE(
      std::find(config->secret_values.begin(), config->secret_values.end(), "test-client-secret-not-real"),
      config->secret_values.end());
  EXPECT_TRUE(Info(Setting::kSlackClientSecret).secret);
  EXPECT_FALSE(Info(Setting::kSlackClientId).secret);
}

TEST(SlackSignInConfig, HalfConfiguredIsRefusedNamingWhatIsMissing) {
  absl::StatusOr<Config> config = ConfigFrom({"SLACK_CLIENT_ID=1234.5678"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "Sign in with Slack is half configured: SLACK_CLIENT_ID set but not SLACK_CLIENT_SECRET and "
            "CREDITBOT_PUBLIC_URL");

  config = ConfigFrom({"SLACK_CLIENT_ID=1234.5678", "SLACK_CLIENT_SECRET=test-client-secret-not-real"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "Sign in with Slack is half configured: SLACK_CLIENT_ID and SLACK_CLIENT_SECRET set but not "
            "CREDITBOT_PUBLIC_URL");
  EXPECT_EQ(std::string(config.status().message()).find("test-client-secret-not-real"), std::string::npos);

  config = ConfigFrom({"CREDITBOT_SLACK_TEAM_ID=T0123ABCD"});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message(),
            "CREDITBOT_SLACK_TEAM_ID is set but Sign in with Slack is not: set SLACK_CLIENT_ID, "
            "SLACK_CLIENT_SECRET and CREDITBOT_PUBLIC_URL");
}

TEST(SlackSignInConfig, ThePublicUrlIsHttpsOrLoopbackHttp) {
  const std::vector<std::string> both = {"SLACK_CLIENT_ID=1234.5678",
                                         "SLACK_CLIENT_SECRET=test-client-secret-not-real"};
  for (const std::string good :
       {"http://127.0.0.1:8080", "http://localhost:8080", "https://dash.example.com"}) {
    std::vector<std::string> overrides = both;
    overrides.push_back("CREDITBOT_PUBLIC_URL=" + good);
    absl::StatusOr<Config> config = ConfigFrom(overrides);
    EXPECT_TRUE(config.ok()) << good << ": " << config.status();
  }
  for (const std::string bad : {"http://dash.example.com", "https://dash.example.com/?x=1"}) {
    std::vector<std::string> overrides = both;
    overrides.push_back("CREDITBOT_PUBLIC_URL=" + bad);
    absl::StatusOr<Config> config = ConfigFrom(overrides);
    ASSERT_FALSE(config.ok()) << bad;
    EXPECT_EQ(
        config.status().message(),
        "CREDITBOT_PUBLIC_URL='" + bad +
            "' (from command line): expected the dashboard's https:// address without query (http:// only "
            "on loopback), as browsers reach it");
  }
}

}  // namespace
}  // namespace creditbot
