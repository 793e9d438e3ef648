// Tests of the decision record (decision.json in the audit), its values checked by hand.
#include "state/decision_record.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace creditbot {
namespace {

using Json = nlohmann::json;

TEST(DecisionRecord, SaysWhoDecidedWhatWhenAndWhyWithAmountsAsStrings) {
  LedgerEntry entry;
  entry.execution_id = "20260115T120000Z-ab12";
  entry.request_key = "C0123:1752588191.000100";
  entry.channel = "C0123";
  entry.ts = "1752588191.000100";
  entry.reply_ts = "1752588200.000200";
  entry.requester = "U0REQ";
  entry.parent_account_sid = "AC1";
  entry.product = "verify";
  entry.fraud_start = absl::CivilDay(2026, 1, 1);
  entry.cells.resize(3);
  entry.recommended_amount = "255.00";
  entry.status = LedgerStatus::kAdjusted;
  entry.final_amount = "200.00";
  entry.decided_by = "U0APPROVER";
  entry.decided_at = absl::FromCivil(absl::CivilSecond(2026, 1, 15, 14, 2, 0), absl::UTCTimeZone());
  entry.reason = "half was a test";
  entry.policy_name = "verify";
  entry.policy_version = "3";
  entry.policy_sha256 = "abc";
  entry.created_at = absl::FromCivil(absl::CivilSecond(2026, 1, 15, 12, 0, 0), absl::UTCTimeZone());

  const std::string text = RenderDecisionRecord(entry, "button");
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.substr(0, 51), "{\n  \"format\": \"creditbot-decision\",\n  \"version\": 1,");
  const Json record = Json::parse(text);
  EXPECT_EQ(record["execution_id"], "20260115T120000Z-ab12");
  EXPECT_EQ(record["request_key"], "C0123:1752588191.000100");
  EXPECT_EQ(record["reply_ts"], "1752588200.000200");
  EXPECT_EQ(record["requester"], "U0REQ");
  EXPECT_EQ(record["parent_account_sid"], "AC1");
  EXPECT_EQ(record["product"], "verify");
  EXPECT_EQ(record["fraud_start"], "2026-01-01");
  EXPECT_TRUE(record["fraud_end"].is_null());
  EXPECT_EQ(record["cells"], 3);
  EXPECT_EQ(record["status"], "adjusted");
  EXPECT_EQ(record["recommended_amount"], "255.00");
  EXPECT_EQ(record["final_amount"], "200.00");
  EXPECT_EQ(record["currency"], "USD");
  EXPECT_EQ(record["decided_by"], "U0APPROVER");
  EXPECT_EQ(record["decided_at"], "2026-01-15T14:02:00Z");
  EXPECT_EQ(record["reason"], "half was a test");
  EXPECT_EQ(record["via"], "button");
  EXPECT_EQ(record["policy"], (Json{{"name", "verify"}, {"version", "3"}, {"sha256", "abc"}}));
  EXPECT_EQ(record["dry_run"], false);
  EXPECT_EQ(record["created_at"], "2026-01-15T12:00:00Z");
}

TEST(DecisionRecord, AnUndecidedTimeIsNullAndBadUtf8IsReplaced) {
  LedgerEntry entry;
  entry.execution_id = "e1";
  entry.reason = std::string("bad \xff byte");
  const Json record = Json::parse(RenderDecisionRecord(entry));
  EXPECT_TRUE(record["decided_at"].is_null());
  EXPECT_EQ(record["via"], "");
  EXPECT_EQ(record["reason"], "bad \xEF\xBF\xBD byte");
}

}  // namespace
}  // namespace creditbot
