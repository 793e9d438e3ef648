// Tests of the .env parser.
#include "app/env_file.h"

#include <gtest/gtest.h>

namespace creditbot {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(EnvFile, ReadsTheShapesTheSeedUsed) {
  absl::StatusOr<Pairs> pairs = ParseEnvFile(
      "# Slack\nSLACK_BOT_TOKEN=xoxb-test-token\nexport DRY_RUN=false\n\nPRESTO_HOST = presto.internal # "
      "prod\n"
      "LOOKER_CLIENT_SECRET=\"a b\\\"c\"\nPRESTO_PASSWORD='lit$eral # not a comment'\nEMPTY=\n");
  ASSERT_TRUE(pairs.ok()) << pairs.status();
  EXPECT_EQ(*pairs, (Pairs{{"SLACK_BOT_TOKEN", "xoxb-test-token"},
                           {"DRY_RUN", "false"},
                           {"PRESTO_HOST", "presto.internal"},
                           {"LOOKER_CLIENT_SECRET", "a b\"c"},
                           {"PRESTO_PASSWORD", "lit$eral # not a comment"},
                           {"EMPTY", ""}}));
}

TEST(EnvFile, DoubleQuotedValuesMaySpanLines) {
  absl::StatusOr<Pairs> pairs = ParseEnvFile("KEY=\"line one\nline two\"\nNEXT=1\n");
  ASSERT_TRUE(pairs.ok()) << pairs.status();
  EXPECT_EQ(*pairs, (Pairs{{"KEY", "line one\nline two"}, {"NEXT", "1"}}));
}

TEST(EnvFile, RejectsABadLineNamingItsNumberButNotItsValue) {
  absl::StatusOr<Pairs> pairs = ParseEnvFile("A=1\nthis line has no equals sign secretvalue\n");
  ASSERT_FALSE(pairs.ok());
  EXPECT_EQ(pairs.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(pairs.status().message()).find("line 2"), std::string::npos);
  EXPECT_EQ(std::string(pairs.status().message()).find("secretvalue"), std::string::npos);
}

TEST(EnvFile, RejectsAnUnterminatedQuote) {
  absl::StatusOr<Pairs> pairs = ParseEnvFile("A='open\n");
  ASSERT_FALSE(pairs.ok());
  EXPECT_NE(std::string(pairs.status().message()).find("unterminated"), std::string::npos);
}

}  // namespace
}  // namespace creditbot
