// The pure parts of doctor's AWS checks: the probe key, the fetch log, and the secret key-name checks
// (tests/doctor_test.cc runs the real binary against the fake AWS).
#include "app/doctor_aws_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace creditbot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(DoctorS3ProbeKey, SitsUnderTheOutputPrefixWithACleanHostName) {
  EXPECT_EQ(S3ProbeKey("outputs", "ip-10-0-1-7.eu-west-1.compute.internal", 42),
            "outputs/doctor-probe-ip-10-0-1-7-eu-west-1-compute-internal-42");
  EXPECT_EQ(S3ProbeKey("/audit/prod/", "pod_a", 7), "audit/prod/doctor-probe-pod_a-7");
  EXPECT_EQ(S3ProbeKey("", "", 1), "doctor-probe-host-1");
}

TEST(DoctorSecretFetchLog, FetchesEachIdOnceAndRemembersFailures) {
  int calls = 0;
  SecretFetchLog log;
  SecretFetcher fetcher = log.Wrap([&calls](std::string_view id) -> absl::StatusOr<std::string> {
    ++calls;
    if (id == "denied") return absl::PermissionDeniedError("AccessDeniedException");
    return std::string(R"({"SLACK_USER_ID":"U1"})");
  });
  EXPECT_TRUE(fetcher("a").ok());
  EXPECT_TRUE(fetcher("a").ok());
  EXPECT_TRUE(absl::IsPermissionDenied(fetcher("denied").status()));
  EXPECT_TRUE(absl::IsPermissionDenied(fetcher("denied").status()));
  EXPECT_EQ(calls, 2);
  ASSERT_EQ(log.entries().size(), 2u);
  EXPECT_EQ(log.entries()[0].id, "a");
  EXPECT_EQ(log.entries()[1].id, "denied");
}

TEST(DoctorSecrets, NoSecretConfiguredIsOneSkip) {
  std::vector<DoctorLine> lines = CheckSecrets({}, {}, nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].mark, DoctorLine::Mark::kSkip);
}

TEST(DoctorSecrets, KeyNamesAreCheckedAndValuesNeverShown) {
  const std::string value = "value-canary-7f2e";
  std::vector<SecretFetchLog::Entry> fetched = {
      {"main", R"({"SLACK_BOT_TOKEN":")" + value + R"(","SLACK_BOT_TOKN":")" + value + R"("})"},
      {"presto", R"({"host":"h","port":8443,"username":"","dbname":")" + value + R"("})"},
      {"broken", "not json " + value},
  };
  ConfiguredSecrets configured{"main", "AWS_SECRET_NAME", "presto"};
  std::vector<DoctorLine> lines = CheckSecrets(fetched, configured, nullptr);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].mark, DoctorLine::Mark::kOk);
  EXPECT_EQ(lines[0].detail,
            "'main' (AWS_SECRET_NAME): 1 settings (SLACK_BOT_TOKEN); ignored, not creditbot settings: "
            "SLACK_BOT_TOKN");
  EXPECT_EQ(lines[1].mark, DoctorLine::Mark::kFail);
  EXPECT_EQ(lines[1].detail,
            "'presto' (PRESTO_SECRET_NAME): missing password; empty username; ignored: dbname");
  // An id the settings did not name outside the main secret is PRESTO_SECRET_NAME's (set inside it).
  EXPECT_EQ(lines[2].mark, DoctorLine::Mark::kFail);
  EXPECT_EQ(lines[2].detail, "'broken' (PRESTO_SECRET_NAME): the SecretString is not a JSON object");
  for (const DoctorLine& line : lines) {
    EXPECT_THAT(line.detail + line.fix, Not(HasSubstr(value)));
  }
}

TEST(DoctorSecrets, LookerKeyHalfInTheSecretIsMissingItsPartner) {
  Config config;
  config.looker_client_id = "id";  // from the secret
  std::vector<SecretFetchLog::Entry> fetched = {{"main", R"({"LOOKER_CLIENT_ID":"id"})"}};
  std::vector<DoctorLine> lines = CheckSecrets(fetched, {"main", "CREDITBOT_SECRET_ID", ""}, &config);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].mark, DoctorLine::Mark::kFail);
  EXPECT_THAT(lines[0].detail, HasSubstr("missing LOOKER_CLIENT_SECRET"));
  // Set elsewhere (e.g. the Kubernetes Secret): complete.
  config.looker_client_secret = "elsewhere";
  lines = CheckSecrets(fetched, {"main", "CREDITBOT_SECRET_ID", ""}, &config);
  EXPECT_EQ(lines[0].mark, DoctorLine::Mark::kOk);
}

TEST(DoctorSecrets, AFailedFetchNamesThePermissionAndAnUnreadSecretIsSkipped) {
  std::vector<SecretFetchLog::Entry> fetched = {
      {"main", absl::PermissionDeniedError("Secrets Manager GetSecretValue main: AccessDeniedException")}};
  std::vector<DoctorLine> lines = CheckSecrets(fetched, {"main", "CREDITBOT_SECRET_ID", "presto"}, nullptr);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].mark, DoctorLine::Mark::kFail);
  EXPECT_THAT(lines[0].fix, HasSubstr("secretsmanager:GetSecretValue"));
  EXPECT_EQ(lines[1].mark, DoctorLine::Mark::kSkip);
  EXPECT_EQ(lines[1].detail, "'presto' (PRESTO_SECRET_NAME) not read: the configuration stopped before it");
}

}  // namespace
}  // namespace creditbot
