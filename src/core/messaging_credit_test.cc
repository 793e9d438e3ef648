// Tests of the Programmable Messaging policy (policy/messaging.toml) through the general engine: the
// worked example of CREDIT_POLICY.md's "Messaging" section, figure by figure, as computed by hand there
// (SMS Pumping Protection off/on, every credited row goodwill, the provider-cost cap, the repeat haircut),
// the reply's own breakdown, and the [protection] rules a policy file must keep.
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/credit_engine.h"
#include "core/credit_policy.h"
#include "core/credit_report.h"
#include "core/evidence.h"
#include "core/reply_renderer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

absl::Time At(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second), absl::UTCTimeZone());
}

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(CREDITBOT_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

CreditPolicy MessagingPolicy() {
  absl::StatusOr<CreditPolicy> policy =
      ParseCreditPolicy(ReadSourceFile("policy/messaging.toml"), "policy/messaging.toml");
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.ok() ? *policy : CreditPolicy();
}

FraudRow Row(int day, const char* mcc, const char* mnc, const char* country, int64_t sent, int64_t blocked,
             const char* charges) {
  FraudRow row;
  row.day = absl::CivilDay(2025, 8, day);
  row.account_sid = "AC3e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b";
  row.service_sid = "MG5b2c8e1f4a7d0b3e6c9f2a5d8b1e4c7f";
  row.mcc = mcc;
  row.mnc = mnc;
  row.country = country;
  row.attempts_sent = sent;
  row.attempts_blocked = blocked;
  row.fraud_charges = D(charges);
  return row;
}

// The worked example (CREDIT_POLICY.md, "Messaging"; the synthetic warehouse's look 201): parent
// AC3e1f…a7b (MRR August 2025: 300.00), SMS Pumping Protection off until 2025-08-02T00:00Z, then on; claim
// 2025-08-11; NG 621/30 at 0.18 a message (cost 0.145, b(on) 0.92), SO 637/01 at 0.32 (cost 0.26, b(on)
// 0.93); no earlier credit.
Evidence WorkedExample() {
  const char* account = "AC3e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b";
  Evidence evidence;
  evidence.report.columns = {
      "day",           "account_sid",      "messaging_service_sid", "mcc", "mnc", "to_country",
      "messages_sent", "messages_blocked", "fraud_charges_usd"};
  evidence.report.rows = {
      Row(1, "621", "30", "NG", 1200, 0, "216.00"),
      Row(2, "621", "30", "NG", 800, 0, "144.00"),
      Row(2, "637", "01", "SO", 500, 500, "160.00"),
      Row(3, "637", "01", "SO", 100, 900, "32.00"),
  };
  evidence.claim_date = absl::CivilDay(2025, 8, 11);
  evidence.accounts = {{account, account, "active"}};
  // sms_pumping_protection_history.sql: service_sid is the account.
  evidence.modes = {ModeInterval{account, account, Mode::kOff, At(2024, 10, 14, 9, 21, 7), At(2025, 8, 2)},
                    ModeInterval{account, account, Mode::kOn, At(2025, 8, 2), std::nullopt}};
  evidence.costs = {{"621", "", D("0.145"), absl::CivilDay(2025, 1, 1), std::nullopt},
                    {"637", "", D("0.26"), absl::CivilDay(2025, 1, 1), std::nullopt}};
  evidence.block_rates = {{Mode::kOn, "621", D("0.92")}, {Mode::kOn, "637", D("0.93")}};
  evidence.mrr = D("300.00");
  evidence.mrr_month = absl::CivilMonth(2025, 8);
  return evidence;
}

CreditReport Compute(const Evidence& evidence) {
  absl::StatusOr<CreditReport> report = ComputeCredit(MessagingPolicy(), evidence);
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : CreditReport();
}

TEST(MessagingPolicy, TheShippedFileIsDisabledWithOffOnAndNoPromise) {
  const CreditPolicy policy = MessagingPolicy();
  EXPECT_EQ(policy.name, "messaging");
  EXPECT_FALSE(policy.enabled);
  EXPECT_EQ(policy.protection_name, "SMS Pumping Protection");
  EXPECT_EQ(policy.modes, (std::vector<Mode>{Mode::kOff, Mode::kOn}));
  EXPECT_FALSE(policy.promise_mode.has_value());
  EXPECT_EQ(policy.scope, ProtectionScope::kAccount);
  EXPECT_EQ(policy.history_sql, "sms_pumping_protection_history");
  EXPECT_FALSE(policy.geo_allow_bypasses);
  EXPECT_EQ(policy.k[ModeIndex(Mode::kOn)], D("1.0"));
  EXPECT_EQ(policy.repeat_products, std::vector<std::string>{"psms"});
}

TEST(MessagingPolicy, WorkedExampleByHand) {
  const CreditReport report = Compute(WorkedExample());
  // Goodwill k·rf·E(on): 132.48 + 137.60 + 9.60 = 279.68 over the cap Σ A·c = 116.00 + 130.00 + 26.00 =
  // 272.00: the cap binds, credit 272.00; threshold min(1000.00, 1.0 × 300.00) = 300.00: no approval.
  EXPECT_EQ(report.credit_amount, D("272.00"));
  EXPECT_FALSE(report.needs_approval);
  EXPECT_FALSE(report.reason.has_value());
  EXPECT_THAT(report.warnings, IsEmpty());
  EXPECT_EQ(report.product, "messaging");
  EXPECT_EQ(report.fraud_total, D("552.00"));  // 216.00 + 144.00 + 160.00 + 32.00
  EXPECT_EQ(report.fraud_start, absl::CivilDay(2025, 8, 1));
  EXPECT_EQ(report.fraud_end, absl::CivilDay(2025, 8, 3));
  EXPECT_EQ(report.fraud_guard_mode, Mode::kOn);  // 336.00 of the 552.00
  EXPECT_EQ(report.summary.promise, D("0"));
  EXPECT_EQ(report.summary.goodwill_raw, D("279.68"));
  EXPECT_EQ(report.summary.goodwill_cap, D("272.00"));
  EXPECT_TRUE(report.summary.cap_binds);
  EXPECT_EQ(report.summary.goodwill, D("272.00"));
  EXPECT_EQ(report.summary.approval_threshold, D("300.00"));

  // Its own breakdown: off and on only, in that order.
  ASSERT_EQ(report.output_df.size(), 2u);
  const ModeBreakdown& off = report.output_df[0];
  EXPECT_EQ(off.mode, Mode::kOff);
  EXPECT_EQ(off.fraud_charges_in_mode, D("216.00"));
  EXPECT_EQ(off.credit_in_mode, D("0"));
  EXPECT_EQ(off.expected_blocked_if_mode, D("0"));
  EXPECT_EQ(off.credit_if_mode, D("0"));
  const ModeBreakdown& on = report.output_df[1];
  EXPECT_EQ(on.mode, Mode::kOn);
  EXPECT_EQ(on.fraud_charges_in_mode, D("336.00"));  // 144.00 + 160.00 + 32.00
  EXPECT_EQ(on.credit_in_mode, D("272.00"));
  EXPECT_EQ(on.expected_blocked_if_mode, D("2300"));  // 1104 + 736 + 430 + 30
  // Σ E(on) = 198.72 + 132.48 + 137.60 + 9.60 = 478.40, capped at Σ A·c = 174.00 + 272.00 = 446.00.
  EXPECT_EQ(on.credit_if_mode, D("446.00"));

  ASSERT_EQ(report.lines.size(), 4u);
  // r1: off on 2025-08-01, earns nothing (S(on) would have been 0.92 × 1200 = 1104).
  EXPECT_EQ(report.lines[0].mode, Mode::kOff);
  EXPECT_EQ(report.lines[0].treatment, Treatment::kOff);
  EXPECT_EQ(report.lines[0].credited, D("0"));
  EXPECT_EQ(WhyOf(report.lines[0], report),
            "SMS Pumping Protection off: no mode was in force to block anything");
  // r2: S = 0.92 × 800 − 0 = 736, E = 736 × 0.18 = 132.48.
  EXPECT_EQ(report.lines[1].treatment, Treatment::kGoodwill);
  EXPECT_EQ(report.lines[1].shortfall, D("736"));
  EXPECT_EQ(report.lines[1].eligible, D("132.48"));
  EXPECT_EQ(report.lines[1].service_sid(), "MG5b2c8e1f4a7d0b3e6c9f2a5d8b1e4c7f");
  // r3: S = 0.93 × 1000 − 500 = 430, E = 430 × 0.32 = 137.60.
  EXPECT_EQ(report.lines[2].shortfall, D("430"));
  EXPECT_EQ(report.lines[2].eligible, D("137.60"));
  // r4: S = 0.93 × 1000 − 900 = 30, E = 30 × 0.32 = 9.60.
  EXPECT_EQ(report.lines[3].shortfall, D("30"));
  EXPECT_EQ(report.lines[3].eligible, D("9.60"));
  // Pro rata under the cap, × 272.00 / 279.68 = × 425/437: 56304/437 = 128.84…, 58480/437 = 133.82…,
  // 4080/437 = 9.33…
  EXPECT_EQ(report.lines[1].credited.Round(2), D("128.84"));
  EXPECT_EQ(report.lines[2].credited.Round(2), D("133.82"));
  EXPECT_EQ(report.lines[3].credited.Round(2), D("9.34"));
  EXPECT_THAT(WhyOf(report.lines[1], report),
              HasSubstr("on in force: goodwill k·rf·E(on) = 1 × 1 × 132.48 = 132.48, scaled pro rata"));
}

TEST(MessagingPolicy, RepeatHaircutHalvesEveryCreditedRow) {
  Evidence evidence = WorkedExample();
  // The warehouse names messaging credits "psms": issued 2025-03-14, inside [2024-08-11, 2025-08-11).
  evidence.prior_credits = {{absl::CivilDay(2025, 3, 14), "issued", D("80.00"), "psms"}};
  const CreditReport report = Compute(evidence);
  // 0.5 × 279.68 = 139.84 (66.24 + 68.80 + 4.80) under the cap 272.00: credit 139.84.
  EXPECT_EQ(report.credit_amount, D("139.84"));
  EXPECT_FALSE(report.summary.cap_binds);
  EXPECT_EQ(report.summary.repeat_factor, D("0.5"));
  EXPECT_EQ(report.lines[1].credited, D("66.24"));
  EXPECT_EQ(report.lines[2].credited, D("68.80"));
  EXPECT_EQ(report.lines[3].credited, D("4.80"));
  EXPECT_EQ(report.output_df[1].credit_in_mode, D("139.84"));
  EXPECT_EQ(report.output_df[1].credit_if_mode, D("446.00"));  // k only: what "on" would have covered
}

TEST(MessagingPolicy, AllOffIsNamedAfterTheProtection) {
  Evidence evidence = WorkedExample();
  evidence.modes = {ModeInterval{"AC3e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b", "AC3e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b",
                                 Mode::kOff, At(2024, 10, 14), std::nullopt}};
  const CreditReport report = Compute(evidence);
  EXPECT_EQ(report.credit_amount, D("0"));
  EXPECT_EQ(report.reason, "fraud_guard_off");
  const RenderedMessage reply = RenderCreditReply(report, "exec-1");
  EXPECT_THAT(reply.blocks_json,
              HasSubstr("SMS Pumping Protection was off for all of the fraudulent traffic"));
}

TEST(MessagingPolicy, TheReplyShowsItsOwnOffOnBreakdown) {
  const CreditReport report = Compute(WorkedExample());
  const RenderedMessage reply = RenderCreditReply(report, "exec-1");
  EXPECT_THAT(reply.blocks_json, HasSubstr("Breakdown by SMS Pumping Protection mode"));
  EXPECT_THAT(reply.blocks_json, HasSubstr("Off       $216.00      $0.00        $0.00"));
  EXPECT_THAT(reply.blocks_json, HasSubstr("On        $336.00      $272.00      $446.00"));
  EXPECT_THAT(reply.blocks_json, Not(HasSubstr("Standard")));
  EXPECT_THAT(reply.blocks_json, Not(HasSubstr("Promise")));
  EXPECT_THAT(reply.blocks_json, HasSubstr("had every account been in that mode"));
  EXPECT_THAT(reply.blocks_json, HasSubstr("*Goodwill*: $272.00 for On rows"));
}

TEST(MessagingPolicy, AModeThePolicyDoesNotDeclareFailsNamingIt) {
  Evidence evidence = WorkedExample();
  evidence.modes[1].mode = Mode::kStandard;
  absl::StatusOr<CreditReport> report = ComputeCredit(MessagingPolicy(), evidence);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(report.status().message(),
              HasSubstr("the SMS Pumping Protection history of account AC3e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b "
                        "names the mode 'standard', which policy messaging does not declare"));
}

TEST(MessagingPolicy, NoHistoryForTheAccountFailsNamingTheAccount) {
  Evidence evidence = WorkedExample();
  evidence.modes.clear();
  absl::StatusOr<CreditReport> report = ComputeCredit(MessagingPolicy(), evidence);
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(),
              HasSubstr("no SMS Pumping Protection setting for account AC3e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b on "
                        "2025-08-01"));
}

std::string Refusal(const std::string& toml) {
  absl::StatusOr<CreditPolicy> policy = ParseCreditPolicy(toml, "policy/x.toml");
  return policy.ok() ? "" : std::string(policy.status().message());
}

TEST(MessagingPolicy, ProtectionTableIsChecked) {
  EXPECT_EQ(Refusal("[protection]\nmodes = [\"off\", \"on\"]\npromise_mode = \"none\"\n"), "");
  EXPECT_THAT(Refusal("[protection]\nmodes = [\"off\", \"on\"]\n"),
              HasSubstr("promise_mode \"max\" is not one of the protection modes"));
  EXPECT_THAT(Refusal("[protection]\nmodes = [\"on\", \"off\"]\npromise_mode = \"none\"\n"),
              HasSubstr("must start with \"off\""));
  EXPECT_THAT(Refusal("[protection]\nmodes = [\"off\", \"on\", \"on\"]\npromise_mode = \"none\"\n"),
              HasSubstr("names \"on\" twice"));
  EXPECT_THAT(Refusal("[protection]\nmodes = [\"off\", \"turbo\"]\n"), HasSubstr("unknown mode \"turbo\""));
  EXPECT_THAT(Refusal("[k]\nbasic = 1\n[protection]\nmodes = [\"off\", \"on\"]\npromise_mode = \"none\"\n"),
              HasSubstr("key 'k.basic' names a mode that protection.modes does not declare"));
  EXPECT_THAT(Refusal("[k]\non = 1\n"), HasSubstr("key 'k.on' names a mode that protection.modes does not"));
  EXPECT_THAT(Refusal("[protection]\nhistory_sql = \"../../etc/x\"\n"), HasSubstr("plain file name"));
  EXPECT_THAT(Refusal("[protection]\nscope = \"team\"\n"), HasSubstr("\"service\" or \"account\""));
  EXPECT_THAT(Refusal("[protection]\ncolour = 1\n"), HasSubstr("unknown key 'protection.colour'"));
}

}  // namespace
}  // namespace creditbot
