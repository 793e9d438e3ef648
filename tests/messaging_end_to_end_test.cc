// Programmable Messaging (issue 22) end to end, with the real binary on the embedded default (the sample
// inbox, the look catalog, the synthetic warehouse generated on first use): the sample's messaging request
// (look 201) is ignored silently while policy/messaging.toml is disabled (as shipped), and answered once,
// with its own off/on breakdown, when a policy folder enables it. The amounts are the worked example of
// CREDIT_POLICY.md's "Messaging" section, checked by hand there (and by MessagingPolicy.WorkedExampleByHand).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
constexpr char kMessagingKey[] = "C0CREDITREQ:1754930730.000600";
constexpr char kVerifyKey[] = "C0CREDITREQ:1752588191.000100";

class MessagingEndToEnd : public ::testing::Test {
 protected:
  RunResult Run(std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> env = {{"CREDITBOT_HOME", home_.File("home")},
                                              {"CREDITBOT_INBOX", kSource + "/data/sample/inbox.jsonl"},
                                              {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
                                              {"SLACK_USER_ID", "U0OWNER01"},
                                              {"CREDITBOT_LOG_FORMAT", "json"}};
    for (auto& [name, value] : extra) env[name] = value;
    return RunCreditbot({"run", "--once"}, env, home_.path());
  }
  // A policy folder holding the shipped policies, messaging.toml with enabled = true.
  std::string EnabledPolicyDir() const {
    const std::string dir = home_.File("policy");
    std::filesystem::create_directories(dir);
    WriteFile(dir + "/verify.toml", ReadFile(kSource + "/policy/verify.toml"));
    std::string messaging = ReadFile(kSource + "/policy/messaging.toml");
    const std::string off = "\nenabled = false\n";
    const std::size_t at = messaging.find(off);
    EXPECT_NE(at, std::string::npos);
    if (at != std::string::npos) messaging.replace(at, off.size(), "\nenabled = true\n");
    WriteFile(dir + "/messaging.toml", messaging);
    return dir;
  }
  // The outbox's chat.postMessage payloads for `key` (reaction lines left out).
  std::vector<Json> Posts(const std::string& key) const {
    std::vector<Json> posts;
    for (const std::string& line : ReadLines(home_.File("home/outbox.jsonl"))) {
      Json payload = Json::parse(line);
      if (!payload.contains("method") && payload["metadata"]["event_payload"]["request_key"] == key)
        posts.push_back(std::move(payload));
    }
    return posts;
  }
  Json Audit(const Json& post) const {
    const std::string id = post["metadata"]["event_payload"]["execution_id"];
    return Json::parse(ReadFile(home_.File("home/audit/" + id + "/result.json")));
  }
  Json Stats() const {
    RunResult stats =
        RunCreditbot({"state", "stats", "--json"}, {{"CREDITBOT_HOME", home_.File("home")}}, home_.path());
    EXPECT_EQ(stats.exit_code, 0) << stats.err;
    return Json::parse(stats.out);
  }

  TempDir home_;
};

TEST_F(MessagingEndToEnd, DisabledAsShippedTheRequestIsIgnoredSilentlyAndVerifyIsUnchanged) {
  RunResult run = Run();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(Posts(kMessagingKey).empty());  // no reply, no failure reply, no owner DM about it
  for (const std::string& line : ReadLines(home_.File("home/outbox.jsonl"))) {
    EXPECT_THAT(line, Not(HasSubstr("1754930730.000600"))) << "no reaction either";
  }
  EXPECT_THAT(run.err, Not(HasSubstr("SMS Pumping Protection")));
  EXPECT_EQ(Stats()["by_status"]["ignored"], 1);
  EXPECT_EQ(Stats()["by_status"]["failed"], 1);  // look 9999 only, as before

  const std::vector<Json> verify = Posts(kVerifyKey);
  ASSERT_EQ(verify.size(), 1u);
  EXPECT_EQ(Audit(verify[0])["credit_amount"], "255.00");
  EXPECT_EQ(Audit(verify[0])["output_df"].size(), 4u);
  EXPECT_THAT(run.out, HasSubstr("Recommended credit: $255.00 USD, needs approval"));
}

TEST_F(MessagingEndToEnd, EnabledTheRequestIsAnsweredOnceWithItsOffOnBreakdown) {
  const std::string policy_dir = EnabledPolicyDir();
  RunResult run = Run({{"CREDITBOT_POLICY_DIR", policy_dir}});
  ASSERT_EQ(run.exit_code, 0) << run.err;

  const std::vector<Json> posts = Posts(kMessagingKey);
  ASSERT_EQ(posts.size(), 1u) << run.out;
  const Json& reply = posts[0];
  EXPECT_EQ(reply["metadata"]["event_payload"]["kind"], "credit");
  EXPECT_EQ(reply["thread_ts"], "1754930730.000600");
  // The worked example: 279.68 of goodwill capped at the provider cost 272.00; MRR 300.00, no approval.
  EXPECT_THAT(run.out, HasSubstr("[dry run] would post to thread C0CREDITREQ 1754930730.000600"));
  const std::string blocks = reply["blocks"].dump();
  EXPECT_THAT(blocks, HasSubstr("Breakdown by SMS Pumping Protection mode"));
  EXPECT_THAT(blocks, HasSubstr("Off       $216.00      $0.00        $0.00"));
  EXPECT_THAT(blocks, HasSubstr("On        $336.00      $272.00      $446.00"));
  EXPECT_THAT(blocks, Not(HasSubstr("Standard")));
  EXPECT_THAT(reply["text"].get<std::string>(), HasSubstr("$272.00"));

  const Json audit = Audit(reply);
  EXPECT_EQ(audit["product"], "messaging");
  EXPECT_EQ(audit["policy"]["name"], "messaging");
  EXPECT_EQ(audit["credit_amount"], "272.00");
  EXPECT_EQ(audit["needs_approval"], false);
  EXPECT_EQ(audit["fraud_total"], "552.00");
  EXPECT_EQ(audit["mrr"], "300.00");
  EXPECT_EQ(audit["fraud_guard_mode"], "on");
  ASSERT_EQ(audit["output_df"].size(), 2u);
  EXPECT_EQ(audit["output_df"][0]["mode"], "off");
  EXPECT_EQ(audit["output_df"][0]["fraud_charges_in_mode"], "216.00");
  EXPECT_EQ(audit["output_df"][0]["credit_in_mode"], "0.00");
  EXPECT_EQ(audit["output_df"][1]["mode"], "on");
  EXPECT_EQ(audit["output_df"][1]["fraud_charges_in_mode"], "336.00");
  EXPECT_EQ(audit["output_df"][1]["credit_in_mode"], "272.00");
  EXPECT_EQ(audit["output_df"][1]["expected_blocked_if_mode"], "2300");
  EXPECT_EQ(audit["output_df"][1]["credit_if_mode"], "446.00");
  EXPECT_EQ(audit["lines"].size(), 4u);

  // Verify is answered as before, and nothing is ignored any more.
  const std::vector<Json> verify = Posts(kVerifyKey);
  ASSERT_EQ(verify.size(), 1u);
  EXPECT_EQ(Audit(verify[0])["credit_amount"], "255.00");
  Json stats = Stats();
  EXPECT_EQ(stats["by_status"].value("ignored", 0), 0);
  EXPECT_EQ(stats["by_status"]["replied"], 5);

  // Once: a second pass posts nothing.
  const std::size_t lines = ReadLines(home_.File("home/outbox.jsonl")).size();
  RunResult again = Run({{"CREDITBOT_POLICY_DIR", policy_dir}});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, Not(HasSubstr("would post")));
  EXPECT_EQ(ReadLines(home_.File("home/outbox.jsonl")).size(), lines);
}

}  // namespace
}  // namespace creditbot::testing
