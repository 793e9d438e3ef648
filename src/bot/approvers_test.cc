// Tests of who may decide: CREDITBOT_APPROVERS parsed and checked at start, listed users, user-group members
// read through the reader and cached with a refresh interval, a failed refresh keeping the last list, and
// the words of a refusal.
#include "bot/approvers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/config.h"
#include "common/clock.h"

namespace creditbot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Approvers, ParsesUsersAndGroupsAndNamesABadId) {
  absl::StatusOr<ApproverIds> ids = ParseApproverIds({"U0ALICE", "W0BOB", "S0FINANCE"});
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(ids->users, ElementsAre("U0ALICE", "W0BOB"));
  EXPECT_THAT(ids->groups, ElementsAre("S0FINANCE"));
  for (const char* bad : {"alice", "@alice", "u0alice", "U", "C0CHANNEL", "<@U0ALICE>", "S0 FIN"}) {
    absl::StatusOr<ApproverIds> refused = ParseApproverIds({"U0ALICE", bad});
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.status().message(),
              std::string("'") + bad + "' is not a Slack user id (U…, W…) or user-group id (S…)");
  }
}

TEST(Approvers, ConfigRefusesABadIdAtStartNamingIt) {
  const char* environ[] = {"CREDITBOT_APPROVERS=U0ALICE, alice", nullptr};
  ConfigInputs inputs;
  inputs.env_file.clear();
  inputs.environ = environ;
  absl::StatusOr<Config> config = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(
      config.status().message(),
      "CREDITBOT_APPROVERS='U0ALICE, alice' (from environment): 'alice' is not a Slack user id (U…, W…) "
      "or user-group id (S…)");

  const char* good[] = {"CREDITBOT_APPROVERS=U0ALICE, S0FINANCE", nullptr};
  inputs.environ = good;
  config = BuildConfig(*LoadRawSettings(inputs));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->approvers, ElementsAre("U0ALICE", "S0FINANCE"));
}

TEST(Approvers, ListedUsersDecideWithoutSlack) {
  FakeClock clock(absl::FromUnixSeconds(1752000000));
  Approvers approvers(ParseApproverIds({"U0ALICE", "S0FINANCE"}).value(), clock);
  EXPECT_TRUE(approvers.IsApprover("U0ALICE"));
  EXPECT_FALSE(approvers.IsApprover("U0BOB"));  // a group member cannot be known without Slack
  EXPECT_FALSE(approvers.IsApprover(""));
  EXPECT_EQ(approvers.WhoCanDecide(), "<@U0ALICE> or members of <!subteam^S0FINANCE>");
}

TEST(Approvers, NobodyDecidesWhenNoneAreListed) {
  FakeClock clock(absl::FromUnixSeconds(1752000000));
  Approvers approvers(ApproverIds{}, clock);
  EXPECT_TRUE(approvers.empty());
  EXPECT_FALSE(approvers.IsApprover("U0ALICE"));
  EXPECT_EQ(approvers.WhoCanDecide(), "nobody can decide: CREDITBOT_APPROVERS is empty");
}

TEST(Approvers, GroupMembersAreCachedRefreshedAndKeptWhenARefreshFails) {
  FakeClock clock(absl::FromUnixSeconds(1752000000));
  std::vector<std::string> asked;
  absl::StatusOr<std::vector<std::string>> answer = std::vector<std::string>{"U0BOB", "U0CAROL"};
  GroupMembersReader reader = [&](std::string_view group) {
    asked.emplace_back(group);
    return answer;
  };
  Approvers approvers(ParseApproverIds({"U0ALICE", "S0FINANCE", "S0RISK"}).value(), clock, reader,
                      absl::Minutes(10));
  EXPECT_TRUE(approvers.IsApprover("U0ALICE"));
  EXPECT_TRUE(asked.empty());  // a listed user needs no group read
  EXPECT_TRUE(approvers.IsApprover("U0BOB"));
  EXPECT_THAT(asked, ElementsAre("S0FINANCE"));  // found in the first group: the second is not read yet
  EXPECT_FALSE(approvers.IsApprover("U0DAVE"));
  EXPECT_THAT(asked, ElementsAre("S0FINANCE", "S0RISK"));

  clock.Advance(absl::Minutes(9));
  EXPECT_TRUE(approvers.IsApprover("U0CAROL"));  // within 10 minutes: cached
  EXPECT_EQ(asked.size(), 2u);

  clock.Advance(absl::Minutes(2));  // 11 minutes: due; Slack fails, the last list stays
  answer = absl::UnavailableError("Slack usergroups.users.list: service_unavailable");
  EXPECT_TRUE(approvers.IsApprover("U0CAROL"));
  EXPECT_EQ(asked.size(), 3u);

  clock.Advance(absl::Minutes(11));  // due again: Carol left the group
  answer = std::vector<std::string>{"U0BOB"};
  EXPECT_FALSE(approvers.IsApprover("U0CAROL"));
  EXPECT_TRUE(approvers.IsApprover("U0BOB"));
}

TEST(Approvers, AGroupNeverReadCountsNobodyButTheListedUsersStillDecide) {
  FakeClock clock(absl::FromUnixSeconds(1752000000));
  int reads = 0;
  GroupMembersReader failing = [&](std::string_view) -> absl::StatusOr<std::vector<std::string>> {
    ++reads;
    return absl::PermissionDeniedError("Slack usergroups.users.list: missing_scope");
  };
  Approvers approvers(ParseApproverIds({"U0ALICE", "S0FINANCE"}).value(), clock, failing);
  EXPECT_FALSE(approvers.IsApprover("U0BOB"));
  EXPECT_FALSE(approvers.IsApprover("U0BOB"));
  EXPECT_EQ(reads, 1);  // not asked again before the refresh interval
  EXPECT_TRUE(approvers.IsApprover("U0ALICE"));
  EXPECT_THAT(approvers.WhoCanDecide(), HasSubstr("<@U0ALICE>"));
}

TEST(Approvers, WhoCanDecideListsEveryone) {
  FakeClock clock(absl::FromUnixSeconds(1752000000));
  Approvers approvers(ParseApproverIds({"U1AA", "U2BB", "S1CC"}).value(), clock);
  EXPECT_EQ(approvers.WhoCanDecide(), "<@U1AA>, <@U2BB> or members of <!subteam^S1CC>");
  Approvers one(ParseApproverIds({"U1AA"}).value(), clock);
  EXPECT_EQ(one.WhoCanDecide(), "<@U1AA>");
}

}  // namespace
}  // namespace creditbot
