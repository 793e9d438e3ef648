// Tests of reading the configuration again (app/config_reload.h): the setting names a rotation changed, the
// refresh period setting, and the redaction of the values read.
#include "app/config_reload.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "common/logging.h"

namespace creditbot {
namespace {

TEST(ConfigReload, ChangedSettingNamesListsDifferentAddedAndRemovedNamesInOrder) {
  const SettingValues before = {{"A", "1"}, {"B", "2"}, {"C", "3"}, {"E", "5"}};
  const SettingValues after = {{"A", "1"}, {"B", "two"}, {"D", "4"}, {"E", "5"}};
  EXPECT_EQ(ChangedSettingNames(before, after), (std::vector<std::string>{"B", "C", "D"}));
  EXPECT_TRUE(ChangedSettingNames(before, before).empty());
  EXPECT_EQ(ChangedSettingNames({}, {{"X", ""}}), (std::vector<std::string>{"X"}));
}

TEST(ConfigReload, ARotatedSecretIsSeenAsItsSettingNamesAndItsValuesAreRedacted) {
  const char* environ[] = {"CREDITBOT_SECRET_ID=credit-bot/credentials", "CREDITBOT_HOME=/tmp/reload-home",
                           nullptr};
  std::map<std::string, std::string> secrets = {
      {"credit-bot/credentials",
       R"({"LOOKER_CLIENT_SECRET":"first-looker-secret-1111","LOOKER_CLIENT_ID":"id1"})"}};
  GlobalOptions global;
  global.config.env_file.clear();
  global.config.environ = environ;
  global.config.secret_fetcher = [&secrets](std::string_view id) -> absl::StatusOr<std::string> {
    auto it = secrets.find(std::string(id));
    if (it == secrets.end()) return absl::PermissionDeniedError("AccessDeniedException");
    return it->second;
  };
  absl::StatusOr<LoadedConfig> first = LoadConfigWithValues(global);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->config.looker_client_secret, "first-looker-secret-1111");
  EXPECT_EQ(first->config.secret_refresh_interval, absl::Seconds(300));  // the default
  EXPECT_EQ(Redact("x first-looker-secret-1111 y"), "x [redacted] y");

  secrets["credit-bot/credentials"] =
      R"({"LOOKER_CLIENT_SECRET":"second-looker-secret-2222","LOOKER_CLIENT_ID":"id1"})";
  absl::StatusOr<LoadedConfig> second = LoadConfigWithValues(global);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(ChangedSettingNames(first->values, second->values),
            (std::vector<std::string>{"LOOKER_CLIENT_SECRET"}));
  EXPECT_EQ(Redact("second-looker-secret-2222"), "[redacted]");

  // The secret can no longer be read: an error naming the secret, never a value.
  secrets.clear();
  absl::StatusOr<LoadedConfig> third = LoadConfigWithValues(global);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(third.status().message().find("credit-bot/credentials"), std::string::npos) << third.status();
}

TEST(ConfigReload, RefreshSecondsZeroMeansOnlyOnSighupAndNegativeIsRefused) {
  GlobalOptions global;
  global.config.env_file.clear();
  global.config.overrides = {"CREDITBOT_SECRET_REFRESH_SECONDS=0"};
  absl::StatusOr<LoadedConfig> zero = LoadConfigWithValues(global);
  ASSERT_TRUE(zero.ok()) << zero.status();
  EXPECT_EQ(zero->config.secret_refresh_interval, absl::ZeroDuration());
  global.config.overrides = {"CREDITBOT_SECRET_REFRESH_SECONDS=-5"};
  absl::StatusOr<LoadedConfig> negative = LoadConfigWithValues(global);
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("CREDITBOT_SECRET_REFRESH_SECONDS"), std::string::npos)
      << negative.status();
}

}  // namespace
}  // namespace creditbot
