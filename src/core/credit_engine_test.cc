// Tests of the credit engine against CREDIT_POLICY.md: the worked example (test case 1) cell by cell, edge
// cases A–G and the error contract. Every expected number is worked out by hand in the comments (or taken
// from CREDIT_POLICY.md's hand-checked tables), never copied from the engine's output.
#include "core/credit_engine.h"

#include <array>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/credit_policy.h"
#include "core/credit_report.h"
#include "core/evidence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creditbot {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

absl::Time At(int year, int month, int day, int hour = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, 0, 0), absl::UTCTimeZone());
}

FraudRow Row(absl::CivilDay day, const char* account, const char* service, const char* mcc,
             const char* country, int64_t sent, int64_t blocked, const char* charges) {
  FraudRow row;
  row.day = day;
  row.account_sid = account;
  row.service_sid = service;
  row.mcc = mcc;
  row.country = country;
  row.attempts_sent = sent;
  row.attempts_blocked = blocked;
  row.fraud_charges = D(charges);
  return row;
}

ModeInterval ModeFrom(const char* service, const char* account, Mode mode, absl::Time from,
                      std::optional<absl::Time> to = std::nullopt) {
  return ModeInterval{service, account, mode, from, to};
}

void AddBlockRates(Evidence& evidence, const char* mcc, const char* basic, const char* standard,
                   const char* max) {
  evidence.block_rates.push_back({Mode::kBasic, mcc, D(basic)});
  evidence.block_rates.push_back({Mode::kStandard, mcc, D(standard)});
  evidence.block_rates.push_back({Mode::kMax, mcc, D(max)});
}

// Test case 1 of CREDIT_POLICY.md: parent ACp (MRR 250.00), ACs1/VA1 standard until 2025-07-03T00:00Z then
// max, ACs2/VA2 off since 2025-05-01; claim 2025-07-15; no earlier credits.
Evidence WorkedExample() {
  Evidence evidence;
  evidence.report.columns = {"day",        "account_sid",   "service_sid",      "mcc",
                             "to_country", "attempts_sent", "attempts_blocked", "fraud_charges_usd"};
  evidence.report.rows = {
      Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "400", "AZ", 1000, 500, "300.00"),
      Row(absl::CivilDay(2025, 7, 2), "ACs1", "VA1", "400", "AZ", 800, 1200, "240.00"),
      Row(absl::CivilDay(2025, 7, 3), "ACs1", "VA1", "400", "AZ", 300, 1700, "90.00"),
      Row(absl::CivilDay(2025, 7, 2), "ACs2", "VA2", "436", "TJ", 2000, 0, "400.00"),
      Row(absl::CivilDay(2025, 7, 3), "ACs2", "VA2", "436", "TJ", 500, 0, "100.00"),
  };
  evidence.claim_date = absl::CivilDay(2025, 7, 15);
  evidence.accounts = {{"ACp", "ACp", "active"}, {"ACs1", "ACp", "active"}, {"ACs2", "ACp", "active"}};
  evidence.services = {{"VA1", "ACs1", false}, {"VA2", "ACs2", false}};
  evidence.modes = {ModeFrom("VA1", "ACs1", Mode::kStandard, At(2025, 1, 1), At(2025, 7, 3)),
                    ModeFrom("VA1", "ACs1", Mode::kMax, At(2025, 7, 3)),
                    ModeFrom("VA2", "ACs2", Mode::kOff, At(2025, 5, 1))};
  evidence.costs = {{"400", "", D("0.2400"), absl::CivilDay(2025, 1, 1), std::nullopt},
                    {"436", "", D("0.1500"), absl::CivilDay(2025, 1, 1), std::nullopt}};
  AddBlockRates(evidence, "400", "0.50", "0.70", "0.90");
  AddBlockRates(evidence, "436", "0.40", "0.60", "0.80");
  evidence.mrr = D("250.00");
  evidence.mrr_month = absl::CivilMonth(2025, 7);
  return evidence;
}

CreditReport Compute(const Evidence& evidence, const CreditPolicy& policy = CreditPolicy()) {
  absl::StatusOr<CreditReport> report = ComputeCredit(policy, evidence);
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : CreditReport();
}

const ModeBreakdown& Df(const CreditReport& report, Mode mode) { return report.output_df[ModeIndex(mode)]; }

TEST(CreditEngine, WorkedExampleCreditsGoodwillPlusPromise) {
  CreditReport report = Compute(WorkedExample());
  // Goodwill 165.00 + 60.00 = 225.00 (cap 432.00 does not bind) + promise 30.00 = 255.00.
  EXPECT_EQ(report.credit_amount, D("255.00"));
  EXPECT_EQ(report.credit_amount.ToFixed(2), "255.00");
  // Threshold min(1000.00, 1.0 × 250.00) = 250.00 < 255.00.
  EXPECT_TRUE(report.needs_approval);
  EXPECT_EQ(report.fraud_total, D("1130.00"));
  EXPECT_EQ(report.fraud_start, absl::CivilDay(2025, 7, 1));
  EXPECT_EQ(report.fraud_end, absl::CivilDay(2025, 7, 3));
  EXPECT_EQ(report.mrr, D("250.00"));
  EXPECT_EQ(report.parent_account_sid, "ACp");
  EXPECT_FALSE(report.account_sid.has_value());  // two accounts
  EXPECT_FALSE(report.reason.has_value());
  EXPECT_THAT(report.warnings, IsEmpty());
  EXPECT_EQ(report.fraud_guard_mode, Mode::kStandard);  // 540.00 of the 1130.00
  EXPECT_EQ(report.product, "verify");
  EXPECT_EQ(report.policy_name, "verify");
  EXPECT_EQ(report.policy_version, "1");
  EXPECT_EQ(report.claim_date, absl::CivilDay(2025, 7, 15));

  const CreditSummary& summary = report.summary;
  EXPECT_EQ(summary.promise, D("30"));
  EXPECT_EQ(summary.goodwill_raw, D("225"));
  EXPECT_EQ(summary.goodwill_cap, D("432"));  // 1000·0.24 + 800·0.24
  EXPECT_EQ(summary.goodwill, D("225"));
  EXPECT_EQ(summary.raw, D("255"));
  EXPECT_EQ(summary.approval_threshold, D("250"));
  EXPECT_EQ(summary.repeat_factor, D("1"));
  EXPECT_FALSE(summary.cap_binds);
  EXPECT_EQ(summary.rows, 5);
  EXPECT_THAT(summary.accounts, testing::ElementsAre("ACs1", "ACs2"));
}

TEST(CreditEngine, WorkedExampleOutputDfMatchesTheTable) {
  CreditReport report = Compute(WorkedExample());
  struct Expected {
    Mode mode;
    const char *charges, *credit, *blocked, *if_mode;
  };
  // CREDIT_POLICY.md, worked example, output_df table.
  const Expected table[] = {
      {Mode::kOff, "500.00", "0.00", "0", "0.00"},
      {Mode::kBasic, "0.00", "0.00", "1250", "275.00"},
      {Mode::kStandard, "540.00", "225.00", "2250", "525.00"},
      {Mode::kMax, "90.00", "30.00", "3550", "865.00"},
  };
  for (const Expected& row : table) {
    SCOPED_TRACE(std::string(ModeName(row.mode)));
    const ModeBreakdown& df = Df(report, row.mode);
    EXPECT_EQ(df.mode, row.mode);
    EXPECT_EQ(df.fraud_charges_in_mode, D(row.charges));
    EXPECT_EQ(df.credit_in_mode, D(row.credit));
    EXPECT_EQ(df.expected_blocked_if_mode, D(row.blocked));
    EXPECT_EQ(df.credit_if_mode, D(row.if_mode));
  }
}

TEST(CreditEngine, WorkedExampleLinesCarryModeShortfallAndTreatment) {
  CreditReport report = Compute(WorkedExample());
  struct Expected {
    Mode mode;
    int64_t total;
    const char *unit, *shortfall, *eligible, *credited;
    Treatment treatment;
    const char* why;
  };
  // M*, T, u, S(M*), E(M*) from the worked example's tables; off rows have S(off) = 0. The why: k(standard)
  // = 1 and rf = 1 (no earlier credit); the Promise deadline of July is 2025-07-31 + 30 days = 2025-08-30.
  const char* const kOff = "Fraud Guard off: no mode was in force to block anything";
  const Expected lines[] = {
      {Mode::kStandard, 1500, "0.30", "550", "165.00", "165.00", Treatment::kGoodwill,
       "standard in force: goodwill k·rf·E(standard) = 1 × 1 × 165.00 = 165.00"},
      {Mode::kStandard, 2000, "0.30", "200", "60.00", "60.00", Treatment::kGoodwill,
       "standard in force: goodwill k·rf·E(standard) = 1 × 1 × 60.00 = 60.00"},
      {Mode::kMax, 2000, "0.30", "100", "30.00", "30.00", Treatment::kPromise,
       "max in force and claimed by 2025-08-30: Promise pays E(max) = 30.00 for a shortfall of 100 attempts"},
      {Mode::kOff, 2000, "0.20", "0", "0", "0", Treatment::kOff, kOff},
      {Mode::kOff, 500, "0.20", "0", "0", "0", Treatment::kOff, kOff},
  };
  ASSERT_EQ(report.lines.size(), 5u);
  for (size_t i = 0; i < report.lines.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("row ", i + 1));
    const CreditLine& line = report.lines[i];
    EXPECT_EQ(line.mode, lines[i].mode);
    EXPECT_FALSE(line.mode_mixed_day);
    EXPECT_EQ(line.total_attempts, lines[i].total);
    EXPECT_EQ(line.unit_charge, D(lines[i].unit));
    EXPECT_EQ(line.shortfall, D(lines[i].shortfall));
    EXPECT_EQ(line.eligible, D(lines[i].eligible));
    EXPECT_EQ(line.credited, D(lines[i].credited));
    EXPECT_EQ(line.treatment, lines[i].treatment);
    EXPECT_EQ(WhyOf(line, report), lines[i].why);
  }
  EXPECT_EQ(report.lines[0].provider_cost, D("0.24"));
  EXPECT_EQ(report.lines[3].provider_cost, D("0.15"));
  EXPECT_EQ(report.lines[0].account_sid(), "ACs1");
  EXPECT_EQ(report.lines[0].service_sid(), "VA1");
  EXPECT_EQ(report.lines[0].mcc(), "400");
  EXPECT_EQ(report.lines[0].country(), "AZ");
  EXPECT_EQ(report.lines[3].account_sid(), "ACs2");
  EXPECT_EQ(report.lines[3].mcc(), "436");
}

// Every S(M) and E(M) cell of the worked example: each row alone, with its service in mode M all along.
TEST(CreditEngine, WorkedExampleShortfallAndEligibleForEveryMode) {
  struct Cells {
    const char *s_basic, *s_standard, *s_max, *e_basic, *e_standard, *e_max;
  };
  const Cells cells[] = {
      {"250", "550", "850", "75.00", "165.00", "255.00"},
      {"0", "200", "600", "0.00", "60.00", "180.00"},
      {"0", "0", "100", "0.00", "0.00", "30.00"},
      {"800", "1200", "1600", "160.00", "240.00", "320.00"},
      {"200", "300", "400", "40.00", "60.00", "80.00"},
  };
  const Evidence base = WorkedExample();
  for (size_t r = 0; r < base.report.rows.size(); ++r) {
    for (Mode mode : {Mode::kBasic, Mode::kStandard, Mode::kMax}) {
      SCOPED_TRACE(absl::StrCat("row ", r + 1, " ", std::string(ModeName(mode))));
      Evidence evidence = base;
      evidence.report.rows = {base.report.rows[r]};
      const FraudRow& row = evidence.report.rows[0];
      evidence.modes = {ModeFrom(row.service_sid.c_str(), row.account_sid.c_str(), mode, At(2025, 1, 1))};
      CreditReport report = Compute(evidence);
      ASSERT_EQ(report.lines.size(), 1u);
      const char* s = mode == Mode::kBasic      ? cells[r].s_basic
                      : mode == Mode::kStandard ? cells[r].s_standard
                                                : cells[r].s_max;
      const char* e = mode == Mode::kBasic      ? cells[r].e_basic
                      : mode == Mode::kStandard ? cells[r].e_standard
                                                : cells[r].e_max;
      EXPECT_EQ(report.lines[0].shortfall, D(s));
      EXPECT_EQ(report.lines[0].eligible, D(e));
      EXPECT_EQ(Df(report, mode).expected_blocked_if_mode, D(s));
    }
  }
}

TEST(CreditEngine, NaiveRuleGivesADifferentAnswer) {
  // "charges × block rate of the mode in force": 300·0.7 + 240·0.7 + 90·0.9 + 0 + 0 = 210 + 168 + 81 =
  // 459.00.
  const Decimal naive = D("459.00");
  CreditReport report = Compute(WorkedExample());
  EXPECT_NE(report.credit_amount, naive);
  EXPECT_EQ(report.credit_amount, D("255.00"));
}

TEST(CreditEngine, EdgeCaseACostCapBinds) {
  // One standard row: A = 1000, B = 0, F = 100.00 (u = 0.10), c = 0.05, b(standard) = 0.70.
  // X = 700, S = 700, E = 70.00; cap = 1000 × 0.05 = 50.00 → credit 50.00.
  Evidence evidence = WorkedExample();
  evidence.report.rows = {Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "999", "XX", 1000, 0, "100.00")};
  evidence.costs = {{"999", "", D("0.05"), absl::CivilDay(2025, 1, 1), std::nullopt}};
  AddBlockRates(evidence, "999", "0.50", "0.70", "0.90");
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.lines[0].shortfall, D("700"));
  EXPECT_EQ(report.lines[0].eligible, D("70.00"));
  EXPECT_TRUE(report.summary.cap_binds);
  EXPECT_EQ(report.summary.goodwill_raw, D("70.00"));
  EXPECT_EQ(report.summary.goodwill_cap, D("50.00"));
  EXPECT_EQ(report.credit_amount, D("50.00"));
  EXPECT_EQ(report.lines[0].credited, D("50.00"));  // 70.00 × 50.00 / 70.00
  EXPECT_EQ(Df(report, Mode::kStandard).credit_in_mode, D("50.00"));
  // credit_if_mode: basic 0.5·1000 = 500 → E 50.00 vs cap 50.00 → 50.00; standard min(70, 50) = 50.00;
  // max 0.9·1000 = 900 → E 90.00, uncapped.
  EXPECT_EQ(Df(report, Mode::kBasic).credit_if_mode, D("50.00"));
  EXPECT_EQ(Df(report, Mode::kStandard).credit_if_mode, D("50.00"));
  EXPECT_EQ(Df(report, Mode::kMax).credit_if_mode, D("90.00"));
  EXPECT_FALSE(report.needs_approval);  // 50.00 ≤ min(1000, 250)
  EXPECT_EQ(report.account_sid, "ACs1");
}

TEST(CreditEngine, CapScalesGoodwillRowsProRata) {
  // Two standard rows, cost cap 60.00 < goodwill 90.00: each row gets 2/3 of its goodwill.
  // r1: A 1000, B 0, F 100.00, b 0.70 → E 70.00; r2: A 200, B 0, F 40.00, b 0.50 (MCC 998) → S 100, E 20.00.
  // cap = 1000·0.05 + 200·0.05 = 60.00; r1 70·60/90 = 46.666666666667, r2 20·60/90 = 13.333333333333.
  Evidence evidence = WorkedExample();
  evidence.report.rows = {Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "999", "XX", 1000, 0, "100.00"),
                          Row(absl::CivilDay(2025, 7, 2), "ACs1", "VA1", "998", "XY", 200, 0, "40.00")};
  evidence.costs = {{"999", "", D("0.05"), absl::CivilDay(2025, 1, 1), std::nullopt},
                    {"998", "", D("0.05"), absl::CivilDay(2025, 1, 1), std::nullopt}};
  AddBlockRates(evidence, "999", "0.50", "0.70", "0.90");
  AddBlockRates(evidence, "998", "0.30", "0.50", "0.60");
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.summary.goodwill_raw, D("90"));
  EXPECT_EQ(report.summary.goodwill, D("60"));
  EXPECT_EQ(report.credit_amount, D("60.00"));
  EXPECT_EQ(report.lines[0].credited, D("46.666666666667"));
  EXPECT_EQ(report.lines[1].credited, D("13.333333333333"));
}

TEST(CreditEngine, EdgeCaseBBelowMinimumCreditsNothing) {
  // One standard row: A = 100, B = 0, F = 8.00 (u = 0.08), b(standard) = 0.40, c = 0.05.
  // X = 0.40 × 100 = 40, S = 40, E = 40 × 0.08 = 3.20; cap 100 × 0.05 = 5.00 does not bind.
  // RAW = 3.20 < min_credit_usd 5.00 → credit 0.00, reason below_minimum.
  Evidence evidence = WorkedExample();
  evidence.report.rows = {Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "999", "XX", 100, 0, "8.00")};
  evidence.costs = {{"999", "", D("0.05"), absl::CivilDay(2025, 1, 1), std::nullopt}};
  AddBlockRates(evidence, "999", "0.20", "0.40", "0.60");
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.summary.raw, D("3.20"));
  EXPECT_EQ(report.credit_amount, D("0.00"));
  EXPECT_EQ(report.reason, "below_minimum");
  EXPECT_FALSE(report.needs_approval);
  EXPECT_EQ(report.lines[0].eligible, D("3.20"));
  EXPECT_EQ(report.lines[0].credited, D("0"));
  EXPECT_EQ(Df(report, Mode::kStandard).credit_in_mode, D("0"));
  EXPECT_THAT(WhyOf(report.lines[0], report), HasSubstr("below the minimum"));
}

Evidence LateMaxClaim() {
  // A max row dated 2025-06-10, claim 2025-08-05; deadline 2025-06-30 + 30 days = 2025-07-30.
  // A = 1000, B = 500, F = 300.00, MCC 400 (b(max) 0.90, c 0.24): T = 1500, X = 1350, S = 850,
  // E(max) = 850 × 0.30 = 255.00.
  Evidence evidence = WorkedExample();
  evidence.report.rows = {Row(absl::CivilDay(2025, 6, 10), "ACs1", "VA1", "400", "AZ", 1000, 500, "300.00")};
  evidence.modes = {ModeFrom("VA1", "ACs1", Mode::kMax, At(2025, 1, 1))};
  evidence.claim_date = absl::CivilDay(2025, 8, 5);
  return evidence;
}

TEST(CreditEngine, EdgeCaseCLateMaxClaimBecomesGoodwillUnderTheCostCap) {
  // goodwill = k(max) · rf · E(max) = 1 × 1 × 255.00 = 255.00; cap = 1000 × 0.24 = 240.00 → credit 240.00.
  CreditReport report = Compute(LateMaxClaim());
  ASSERT_EQ(report.lines.size(), 1u);
  EXPECT_EQ(report.lines[0].treatment, Treatment::kGoodwill);
  EXPECT_EQ(report.lines[0].eligible, D("255.00"));
  EXPECT_EQ(report.summary.promise, D("0"));
  EXPECT_EQ(report.summary.goodwill_raw, D("255.00"));
  EXPECT_EQ(report.summary.goodwill_cap, D("240.00"));
  EXPECT_EQ(report.credit_amount, D("240.00"));
  EXPECT_EQ(Df(report, Mode::kMax).credit_in_mode, D("240.00"));
  EXPECT_THAT(report.warnings, Contains(AllOf(HasSubstr("2025-07-30"), HasSubstr("goodwill"))));
  // On time (claim 2025-07-30, the deadline itself) the same row is the Promise, uncapped: 255.00.
  Evidence on_time = LateMaxClaim();
  on_time.claim_date = absl::CivilDay(2025, 7, 30);
  CreditReport promise = Compute(on_time);
  EXPECT_EQ(promise.lines[0].treatment, Treatment::kPromise);
  EXPECT_EQ(promise.credit_amount, D("255.00"));
}

TEST(CreditEngine, EdgeCaseCLateMaxClaimWithZeroPolicyCreditsNothing) {
  CreditPolicy policy;
  policy.late_max_policy = LateMaxPolicy::kZero;
  CreditReport report = Compute(LateMaxClaim(), policy);
  EXPECT_EQ(report.lines[0].treatment, Treatment::kLateMaxZero);
  EXPECT_EQ(report.lines[0].eligible, D("255.00"));
  EXPECT_EQ(report.lines[0].credited, D("0"));
  EXPECT_EQ(report.credit_amount, D("0.00"));
  EXPECT_EQ(report.reason, "no_shortfall");
  EXPECT_THAT(report.warnings, Contains(AllOf(HasSubstr("2025-07-30"), HasSubstr("late_max_policy = zero"))));
}

TEST(CreditEngine, EdgeCaseDGeoPermissionAllowEarnsNothing) {
  // Geo Permission allow for ACs1/AZ from 2025-07-02T00:00Z: rows 2 and 3 bypass Fraud Guard.
  // r1 alone earns: goodwill 165.00 (cap 1000·0.24 = 240.00) → credit 165.00.
  // credit_if_mode over r1, r4, r5 (r2 and r3 contribute nothing):
  //   basic 75 + 160 + 40 = 275.00; standard 165 + 240 + 60 = 465.00 (cap 240 + 300 + 75 = 615.00);
  //   max 255 + 320 + 80 = 655.00. expected_blocked: basic 250 + 800 + 200 = 1250,
  //   standard 550 + 1200 + 300 = 2050, max 850 + 1600 + 400 = 2850.
  Evidence evidence = WorkedExample();
  evidence.geo_permissions = {{"ACs1", "AZ", "disable", At(2025, 1, 1), At(2025, 7, 2)},
                              {"ACs1", "az", "allow", At(2025, 7, 2), std::nullopt}};
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.lines[0].treatment, Treatment::kGoodwill);
  EXPECT_EQ(report.lines[1].treatment, Treatment::kOverrideGeoAllow);
  EXPECT_EQ(report.lines[2].treatment, Treatment::kOverrideGeoAllow);
  for (int i : {1, 2}) {
    EXPECT_EQ(report.lines[static_cast<size_t>(i)].shortfall, D("0"));
    EXPECT_EQ(report.lines[static_cast<size_t>(i)].eligible, D("0"));
    EXPECT_EQ(report.lines[static_cast<size_t>(i)].credited, D("0"));
  }
  EXPECT_EQ(report.credit_amount, D("165.00"));
  EXPECT_EQ(report.summary.goodwill_cap, D("240.00"));
  EXPECT_FALSE(report.needs_approval);
  EXPECT_EQ(Df(report, Mode::kStandard).fraud_charges_in_mode, D("540.00"));  // the actual mode is unchanged
  EXPECT_EQ(Df(report, Mode::kStandard).credit_in_mode, D("165.00"));
  EXPECT_EQ(Df(report, Mode::kMax).credit_in_mode, D("0"));
  EXPECT_EQ(Df(report, Mode::kBasic).credit_if_mode, D("275.00"));
  EXPECT_EQ(Df(report, Mode::kStandard).credit_if_mode, D("465.00"));
  EXPECT_EQ(Df(report, Mode::kMax).credit_if_mode, D("655.00"));
  EXPECT_EQ(Df(report, Mode::kBasic).expected_blocked_if_mode, D("1250"));
  EXPECT_EQ(Df(report, Mode::kStandard).expected_blocked_if_mode, D("2050"));
  EXPECT_EQ(Df(report, Mode::kMax).expected_blocked_if_mode, D("2850"));
}

TEST(CreditEngine, WarnsWhenGeoAllowCannotBeCheckedWithoutCountry) {
  Evidence evidence = WorkedExample();
  for (FraudRow& row : evidence.report.rows) row.country.clear();
  evidence.geo_permissions = {{"ACs1", "AZ", "allow", At(2025, 7, 2), std::nullopt}};
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.credit_amount, D("255.00"));  // not overridden: the country is unknown
  EXPECT_THAT(report.warnings, Contains(AllOf(HasSubstr("no destination country"), HasSubstr("ACs1"))));
}

Evidence BasicRowsOneAndTwo(bool custom_code, Mode mode) {
  Evidence evidence = WorkedExample();
  evidence.report.rows.resize(2);
  evidence.services = {{"VA1", "ACs1", custom_code}, {"VA2", "ACs2", false}};
  evidence.modes = {ModeFrom("VA1", "ACs1", mode, At(2025, 1, 1))};
  return evidence;
}

TEST(CreditEngine, EdgeCaseDCustomCodeOnBasicEarnsNothing) {
  CreditReport report = Compute(BasicRowsOneAndTwo(/*custom_code=*/true, Mode::kBasic));
  for (const CreditLine& line : report.lines) {
    EXPECT_EQ(line.mode, Mode::kBasic);
    EXPECT_EQ(line.treatment, Treatment::kOverrideCustomCodeBasic);
    EXPECT_EQ(line.eligible, D("0"));
  }
  EXPECT_EQ(report.credit_amount, D("0.00"));
  EXPECT_EQ(report.reason, "no_shortfall");
  for (Mode mode : kAllModes) {
    EXPECT_EQ(Df(report, mode).credit_if_mode, D("0"));
    EXPECT_EQ(Df(report, mode).expected_blocked_if_mode, D("0"));
  }
  EXPECT_EQ(Df(report, Mode::kBasic).fraud_charges_in_mode, D("540.00"));

  // Control: the same rows without custom code earn E(basic) = 75.00 + 0.00.
  CreditReport control = Compute(BasicRowsOneAndTwo(/*custom_code=*/false, Mode::kBasic));
  EXPECT_EQ(control.lines[0].treatment, Treatment::kGoodwill);
  EXPECT_EQ(control.credit_amount, D("75.00"));
  // Custom code on standard is supported: 165.00 + 60.00 = 225.00.
  CreditReport standard = Compute(BasicRowsOneAndTwo(/*custom_code=*/true, Mode::kStandard));
  EXPECT_EQ(standard.credit_amount, D("225.00"));
}

TEST(CreditEngine, EdgeCaseERepeatIncidentHalvesGoodwillNotPromise) {
  // Issued credit on 2025-03-01, within 365 days before 2025-07-15: goodwill 0.5 × 225.00 = 112.50,
  // promise 30.00 → 142.50. Rows: r1 0.5 × 165 = 82.50, r2 0.5 × 60 = 30.00, r3 promise 30.00.
  Evidence evidence = WorkedExample();
  evidence.prior_credits = {{absl::CivilDay(2025, 3, 1), "issued", D("100.00"), "verify"}};
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.summary.repeat_factor, D("0.5"));
  EXPECT_EQ(report.summary.goodwill, D("112.50"));
  EXPECT_EQ(report.summary.promise, D("30.00"));
  EXPECT_EQ(report.credit_amount, D("142.50"));
  EXPECT_FALSE(report.needs_approval);  // 142.50 ≤ 250.00
  EXPECT_EQ(report.lines[0].credited, D("82.50"));
  EXPECT_EQ(report.lines[1].credited, D("30.00"));
  EXPECT_EQ(report.lines[2].credited, D("30.00"));
  EXPECT_THAT(report.warnings, Contains(HasSubstr("repeat incident")));
}

TEST(CreditEngine, RepeatFactorCountsOnlyApprovedOrIssuedCreditsInsideTheWindow) {
  auto credit_with = [](std::vector<PriorCredit> prior) {
    Evidence evidence = WorkedExample();
    evidence.prior_credits = std::move(prior);
    return Compute(evidence).credit_amount;
  };
  EXPECT_EQ(credit_with({{absl::CivilDay(2025, 7, 1), "proposed", D("10"), "verify"},
                         {absl::CivilDay(2025, 7, 1), "rejected", D("10"), "verify"}}),
            D("255.00"));
  // 2025-07-15 − 365 days = 2024-07-15: inside on that day, outside the day before.
  EXPECT_EQ(credit_with({{absl::CivilDay(2024, 7, 15), "approved", D("10"), "verify"}}), D("142.50"));
  EXPECT_EQ(credit_with({{absl::CivilDay(2024, 7, 14), "approved", D("10"), "verify"}}), D("255.00"));
  // A credit created on the claim date itself is not "before" it.
  EXPECT_EQ(credit_with({{absl::CivilDay(2025, 7, 15), "issued", D("10"), "verify"}}), D("255.00"));
}

TEST(CreditEngine, EdgeCaseFNoBlockedColumnWarnsAndCreditsMore) {
  // Rows 1–3 with B = 0: r1 S(standard) = 0.7·1000 = 700, E = 210.00; r2 0.7·800 = 560, E = 168.00;
  // r3 S(max) = 0.9·300 = 270, E = 81.00. Credit = min(378.00, 432.00) + 81.00 = 459.00.
  Evidence evidence = WorkedExample();
  evidence.report.rows.resize(3);
  for (FraudRow& row : evidence.report.rows) row.attempts_blocked = 0;
  evidence.report.has_blocked_column = false;
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.lines[0].eligible, D("210.00"));
  EXPECT_EQ(report.lines[1].eligible, D("168.00"));
  EXPECT_EQ(report.lines[2].eligible, D("81.00"));
  EXPECT_EQ(report.summary.goodwill, D("378.00"));
  EXPECT_EQ(report.summary.goodwill_cap, D("432.00"));
  EXPECT_EQ(report.credit_amount, D("459.00"));
  EXPECT_THAT(report.warnings, Contains(AllOf(HasSubstr("blocked counts were missing"),
                                              HasSubstr("cannot tell Fraud Guard under-performance"))));
}

TEST(CreditEngine, EdgeCaseGModeChangeInsideADayUsesTheMajorityMode) {
  // VA1 standard until 2025-07-03T10:00Z, then max: on 07-03 max is in force 14 h of 24 → r3 max, mixed.
  Evidence evidence = WorkedExample();
  evidence.modes[0].to = At(2025, 7, 3, 10);
  evidence.modes[1].from = At(2025, 7, 3, 10);
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.lines[2].mode, Mode::kMax);
  EXPECT_TRUE(report.lines[2].mode_mixed_day);
  EXPECT_FALSE(report.lines[0].mode_mixed_day);
  EXPECT_FALSE(report.lines[1].mode_mixed_day);
  EXPECT_EQ(report.lines[2].treatment, Treatment::kPromise);
  EXPECT_EQ(report.credit_amount, D("255.00"));
  EXPECT_THAT(report.warnings,
              Contains(AllOf(HasSubstr("VA1"), HasSubstr("2025-07-03"), HasSubstr("mode_mixed_day"))));

  // Change at 14:00Z instead: standard 14 h → r3 standard, S(standard) = 0 → credit 165 + 60 + 0 = 225.00.
  evidence.modes[0].to = At(2025, 7, 3, 14);
  evidence.modes[1].from = At(2025, 7, 3, 14);
  CreditReport later = Compute(evidence);
  EXPECT_EQ(later.lines[2].mode, Mode::kStandard);
  EXPECT_TRUE(later.lines[2].mode_mixed_day);
  EXPECT_EQ(later.credit_amount, D("225.00"));
}

TEST(CreditEngine, RefusesRowsSpanningSeveralParentsNamingThem) {
  Evidence evidence = WorkedExample();
  evidence.accounts[2].parent_account_sid = "ACq";
  absl::StatusOr<CreditReport> report = ComputeCredit(CreditPolicy(), evidence);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(report.status().message()), AllOf(HasSubstr("ACp"), HasSubstr("ACq")));
}

TEST(CreditEngine, RefusesAnAccountTheWarehouseDoesNotKnow) {
  Evidence evidence = WorkedExample();
  evidence.accounts.pop_back();  // ACs2
  absl::StatusOr<CreditReport> report = ComputeCredit(CreditPolicy(), evidence);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(report.status().message()), HasSubstr("ACs2"));
}

TEST(CreditEngine, MissingBlockRateFailsNamingTheMccUnlessThePolicyHasADefault) {
  Evidence evidence = WorkedExample();
  std::erase_if(evidence.block_rates, [](const BlockRate& rate) { return rate.mcc == "436"; });
  absl::StatusOr<CreditReport> failed = ComputeCredit(CreditPolicy(), evidence);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(failed.status().message()), AllOf(HasSubstr("MCC 436"), HasSubstr("block rate")));

  // Defaults equal to the missing rates reproduce the worked example, with a warning.
  CreditPolicy policy;
  policy.default_block_rate[ModeIndex(Mode::kBasic)] = D("0.40");
  policy.default_block_rate[ModeIndex(Mode::kStandard)] = D("0.60");
  policy.default_block_rate[ModeIndex(Mode::kMax)] = D("0.80");
  CreditReport report = Compute(evidence, policy);
  EXPECT_EQ(report.credit_amount, D("255.00"));
  EXPECT_EQ(Df(report, Mode::kMax).credit_if_mode, D("865.00"));
  EXPECT_THAT(report.warnings, Contains(AllOf(HasSubstr("MCC 436"), HasSubstr("default_block_rate.max"))));
}

TEST(CreditEngine, RefusesReferenceDataOutOfRangeNamingTheMcc) {
  Evidence rate = WorkedExample();
  rate.block_rates[4].rate = D("1.2");  // MCC 436 standard (basic, standard, max of 400 come first)
  absl::StatusOr<CreditReport> failed = ComputeCredit(CreditPolicy(), rate);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(failed.status().message()), AllOf(HasSubstr("MCC 436"), HasSubstr("outside 0..1")));
  Evidence cost = WorkedExample();
  cost.costs[0].cost_usd_per_sms = D("-0.24");
  failed = ComputeCredit(CreditPolicy(), cost);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()), AllOf(HasSubstr("MCC 400"), HasSubstr("negative")));
}

TEST(CreditEngine, MissingProviderCostFailsNamingTheMccUnlessThePolicyHasADefault) {
  Evidence evidence = WorkedExample();
  evidence.costs.pop_back();  // 436
  absl::StatusOr<CreditReport> failed = ComputeCredit(CreditPolicy(), evidence);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(failed.status().message()),
              AllOf(HasSubstr("MCC 436"), HasSubstr("provider cost")));

  CreditPolicy policy;
  policy.default_cost_usd = D("0.15");
  CreditReport report = Compute(evidence, policy);
  EXPECT_EQ(report.credit_amount, D("255.00"));
  EXPECT_THAT(report.warnings, Contains(AllOf(HasSubstr("MCC 436"), HasSubstr("default_cost_usd"))));
}

TEST(CreditEngine, ProviderCostPrefersMccMncAndTheDayInForce) {
  // Edge case A's row with MNC 01: mcc+mnc cost 0.03 beats the MCC-wide 0.05 → cap 1000 × 0.03 = 30.00.
  Evidence evidence = WorkedExample();
  evidence.report.rows = {Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "999", "XX", 1000, 0, "100.00")};
  evidence.report.rows[0].mnc = "01";
  evidence.costs = {{"999", "", D("0.05"), absl::CivilDay(2025, 1, 1), std::nullopt},
                    {"999", "01", D("0.03"), absl::CivilDay(2025, 1, 1), std::nullopt},
                    {"999", "02", D("0.01"), absl::CivilDay(2025, 1, 1), std::nullopt}};
  AddBlockRates(evidence, "999", "0.50", "0.70", "0.90");
  EXPECT_EQ(Compute(evidence).credit_amount, D("30.00"));
  // The MNC cost ended on 2025-07-01 (exclusive end): the MCC-wide 0.05 applies → cap 50.00.
  evidence.costs[1].to = absl::CivilDay(2025, 7, 1);
  EXPECT_EQ(Compute(evidence).credit_amount, D("50.00"));
}

TEST(CreditEngine, MissingMrrRequiresApprovalForAnyCredit) {
  Evidence evidence = WorkedExample();
  evidence.mrr.reset();
  evidence.mrr_month.reset();
  evidence.report.rows.resize(1);  // r1 alone: 165.00, below the 1000.00 absolute limit
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.credit_amount, D("165.00"));
  EXPECT_FALSE(report.mrr.has_value());
  EXPECT_TRUE(report.needs_approval);
  EXPECT_THAT(report.warnings, Contains(HasSubstr("no MRR")));
}

TEST(CreditEngine, FraudGuardOffEverywhereGivesReasonFraudGuardOff) {
  Evidence evidence = WorkedExample();
  evidence.report.rows = {evidence.report.rows[3], evidence.report.rows[4]};
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.credit_amount, D("0.00"));
  EXPECT_EQ(report.reason, "fraud_guard_off");
  EXPECT_FALSE(report.needs_approval);
  EXPECT_EQ(report.fraud_guard_mode, Mode::kOff);
  EXPECT_EQ(report.fraud_total, D("500.00"));
  EXPECT_EQ(Df(report, Mode::kMax).credit_if_mode, D("400.00"));  // 320.00 + 80.00
  EXPECT_EQ(report.account_sid, "ACs2");
}

TEST(CreditEngine, WithoutServiceColumnFindsEachAccountsOneService) {
  Evidence evidence = WorkedExample();
  evidence.report.has_service_column = false;
  for (FraudRow& row : evidence.report.rows) row.service_sid.clear();
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.credit_amount, D("255.00"));
  EXPECT_EQ(report.lines[0].service_sid(), "VA1");
  EXPECT_EQ(report.lines[4].service_sid(), "VA2");

  // A second service of ACs1 (in the mode history only) makes the row ambiguous.
  evidence.modes.push_back(ModeFrom("VA9", "ACs1", Mode::kMax, At(2025, 1, 1)));
  absl::StatusOr<CreditReport> failed = ComputeCredit(CreditPolicy(), evidence);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(failed.status().message()),
              AllOf(HasSubstr("ACs1"), HasSubstr("VA1"), HasSubstr("VA9")));
}

TEST(CreditEngine, RefusesARowWithNoFraudGuardSettingForItsDay) {
  Evidence evidence = WorkedExample();
  evidence.modes[2].from = At(2025, 7, 4);  // VA2 history starts after its rows
  absl::StatusOr<CreditReport> failed = ComputeCredit(CreditPolicy(), evidence);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(failed.status().message()), AllOf(HasSubstr("VA2"), HasSubstr("2025-07-02")));
}

TEST(CreditEngine, RefusesEmptyReportsAndNegativeNumbers) {
  Evidence empty = WorkedExample();
  empty.report.rows.clear();
  EXPECT_EQ(ComputeCredit(CreditPolicy(), empty).status().code(), absl::StatusCode::kInvalidArgument);
  Evidence negative = WorkedExample();
  negative.report.rows[1].attempts_blocked = -1;
  EXPECT_EQ(ComputeCredit(CreditPolicy(), negative).status().code(), absl::StatusCode::kInvalidArgument);
  Evidence charges = WorkedExample();
  charges.report.rows[0].fraud_charges = D("-1");
  EXPECT_EQ(ComputeCredit(CreditPolicy(), charges).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CreditEngine, KScalesGoodwillAndCreditIfMode) {
  // k.standard = 0.5: goodwill 0.5 × 225.00 = 112.50 + promise 30.00 = 142.50; credit_if_mode standard
  // 0.5 × 525.00 = 262.50. The policy's stamp is carried through.
  CreditPolicy policy;
  policy.k[ModeIndex(Mode::kStandard)] = D("0.5");
  policy.sha256 = "abc";
  CreditReport report = Compute(WorkedExample(), policy);
  EXPECT_EQ(report.credit_amount, D("142.50"));
  EXPECT_EQ(Df(report, Mode::kStandard).credit_if_mode, D("262.50"));
  EXPECT_EQ(report.policy_sha256, "abc");
}

TEST(CreditEngine, RoundsTheTotalOnceHalfUpToCents) {
  // One standard row: A = 3, B = 0, F = 10.00 (u = 3.333…), b(standard) = 0.70 (MCC 999), c = 5.00.
  // S = 2.1, E = 2.1 × 10.00 / 3 = 7.00 exactly; with F = 10.01: E = 2.1 × 10.01 / 3 = 7.007 → 7.01.
  Evidence evidence = WorkedExample();
  evidence.report.rows = {Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "999", "XX", 3, 0, "10.01")};
  evidence.costs = {{"999", "", D("5.00"), absl::CivilDay(2025, 1, 1), std::nullopt}};
  AddBlockRates(evidence, "999", "0.50", "0.70", "0.90");
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.lines[0].shortfall, D("2.1"));
  EXPECT_EQ(report.summary.raw, D("7.007"));
  EXPECT_EQ(report.credit_amount, D("7.01"));
  // F = 10.05: E = 2.1 × 10.05 / 3 = 7.035 → half-up 7.04.
  evidence.report.rows[0].fraud_charges = D("10.05");
  EXPECT_EQ(Compute(evidence).credit_amount, D("7.04"));
}

// Issue 15, point 8: earlier credits are matched to the product case-insensitively, and the policy's
// repeat_products count too. Worked example: 255.00 without a repeat incident, 142.50 with one (edge case E).
TEST(CreditEngine, RepeatIncidentMatchesTheProductCaseInsensitivelyAndRepeatProducts) {
  auto credit_with = [](const char* product, std::vector<std::string> repeat_products = {}) {
    Evidence evidence = WorkedExample();
    evidence.prior_credits = {{absl::CivilDay(2025, 3, 1), "Issued", D("100.00"), product}};
    CreditPolicy policy;
    policy.repeat_products = std::move(repeat_products);
    return Compute(evidence, policy).credit_amount;
  };
  EXPECT_EQ(credit_with("verify"), D("142.50"));
  EXPECT_EQ(credit_with("Verify"), D("142.50"));  // was 255.00: "Verify" != "verify" disabled the rule
  EXPECT_EQ(credit_with("VERIFY "), D("142.50"));
  EXPECT_EQ(credit_with("messaging"), D("255.00"));  // another product's credit does not count
  EXPECT_EQ(credit_with("Authy"), D("255.00"));
  EXPECT_EQ(credit_with("Authy", {"authy"}), D("142.50"));
  EXPECT_EQ(credit_with("authy", {"Verify-Legacy", "AUTHY"}), D("142.50"));
  EXPECT_EQ(credit_with("messaging", {"authy"}), D("255.00"));
}

// Three standard rows on three days, each E(standard) = 0.5 × 20.00 = 10.00 (A sent, B = 0, b = 0.5,
// F = 20.00), goodwill 30.00; provider cost 0.001 × (3338 + 3338 + 3339 = 10015 attempts) = 10.015, so the
// cap binds: GOODWILL = 10.015, RAW = 10.015, credit 10.02.
Evidence CapBindsAtAHalfCent() {
  Evidence evidence = WorkedExample();
  evidence.report.rows = {Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "999", "XX", 3338, 0, "20.00"),
                          Row(absl::CivilDay(2025, 7, 2), "ACs1", "VA1", "999", "XX", 3338, 0, "20.00"),
                          Row(absl::CivilDay(2025, 7, 3), "ACs1", "VA1", "999", "XX", 3339, 0, "20.00")};
  evidence.modes = {ModeFrom("VA1", "ACs1", Mode::kStandard, At(2025, 1, 1))};
  evidence.costs = {{"999", "", D("0.001"), absl::CivilDay(2025, 1, 1), std::nullopt}};
  AddBlockRates(evidence, "999", "0.30", "0.50", "0.90");
  return evidence;
}

TEST(CreditEngine, CreditInModeIsExactWhenTheCapBinds) {
  CreditReport report = Compute(CapBindsAtAHalfCent());
  EXPECT_TRUE(report.summary.cap_binds);
  EXPECT_EQ(report.summary.goodwill_raw, D("30"));
  EXPECT_EQ(report.summary.goodwill, D("10.015"));
  EXPECT_EQ(report.credit_amount, D("10.02"));
  // Each line's share is 10 × 10.015 / 30 = 3.3383333… → 3.338333333333 at 12 places; their sum would be
  // 10.014999999999 (shown as $10.01 beside a $10.02 credit, the finding). The mode's credit is
  // (Σ goodwill of its rows) × GOODWILL ÷ Σ goodwill = 30 × 10.015 / 30 = 10.015 exactly.
  EXPECT_EQ(report.lines[0].credited, D("3.338333333333"));
  EXPECT_EQ(Df(report, Mode::kStandard).credit_in_mode, D("10.015"));
  EXPECT_EQ(Df(report, Mode::kStandard).credit_in_mode.ToFixed(2), "10.02");
}

TEST(CreditEngine, CreditInModeSharesACappedGoodwillExactlyAmongModes) {
  // Standard rows of CapBindsAtAHalfCent (goodwill 30.00) plus a late Max row (claim 2025-09-15, deadline
  // for July 2025-08-30): A 1000, B 0, F 20.00, b(max) 0.9 → S 900, E 18.00, goodwill 18.00 at cost
  // 1000 × 0.001 = 1.00. Σ goodwill 48.00, cap 10.015 + 1.00 = 11.015 binds.
  // Standard: 30 × 11.015 / 48 = 6.884375 exactly; max: 18 × 11.015 / 48 = 4.130625 exactly; Σ 11.015.
  Evidence evidence = CapBindsAtAHalfCent();
  evidence.claim_date = absl::CivilDay(2025, 9, 15);
  evidence.report.rows.push_back(
      Row(absl::CivilDay(2025, 7, 4), "ACs1", "VA3", "999", "XX", 1000, 0, "20.00"));
  evidence.services.push_back({"VA3", "ACs1", false});
  evidence.modes.push_back(ModeFrom("VA3", "ACs1", Mode::kMax, At(2025, 1, 1)));
  CreditReport report = Compute(evidence);
  ASSERT_TRUE(report.summary.cap_binds);
  EXPECT_EQ(report.summary.goodwill, D("11.015"));
  EXPECT_EQ(report.credit_amount, D("11.02"));
  EXPECT_EQ(Df(report, Mode::kStandard).credit_in_mode, D("6.884375"));
  EXPECT_EQ(Df(report, Mode::kMax).credit_in_mode, D("4.130625"));

  // Shares that 12 digits cannot hold: a standard row earning 10.00 (A 400, F 20.00, b 0.5 → S 200) and a
  // basic row earning 20.00 (VA3 in Basic, MCC 998: A 600, F 40.00, b 0.5 → S 300); cap (400 + 600) × 0.001
  // = 1.00 < 30.00. Shares 1/3 and 2/3: truncated 0.333333333333 and 0.666666666666, one unit of 10^-12
  // missing, given to the larger remainder (2/3): 0.666666666667. They add up to 1 exactly.
  Evidence thirds = CapBindsAtAHalfCent();
  thirds.report.rows = {Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "999", "XX", 400, 0, "20.00"),
                        Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA3", "998", "XX", 600, 0, "40.00")};
  thirds.services.push_back({"VA3", "ACs1", false});
  thirds.modes.push_back(ModeFrom("VA3", "ACs1", Mode::kBasic, At(2025, 1, 1)));
  thirds.costs.push_back({"998", "", D("0.001"), absl::CivilDay(2025, 1, 1), std::nullopt});
  AddBlockRates(thirds, "998", "0.50", "0.50", "0.90");
  CreditPolicy no_minimum;
  no_minimum.min_credit_usd = D("0");
  CreditReport split = Compute(thirds, no_minimum);
  ASSERT_TRUE(split.summary.cap_binds);
  EXPECT_EQ(split.summary.goodwill, D("1"));
  EXPECT_EQ(Df(split, Mode::kStandard).credit_in_mode, D("0.333333333333"));
  EXPECT_EQ(Df(split, Mode::kBasic).credit_in_mode, D("0.666666666667"));
}

TEST(CreditEngine, CreditInModeIsZeroWhenTheMinimumWithholdsTheCredit) {
  CreditPolicy high_minimum;
  high_minimum.min_credit_usd = D("11");
  CreditReport report = Compute(CapBindsAtAHalfCent(), high_minimum);
  EXPECT_EQ(report.credit_amount, D("0"));
  EXPECT_EQ(report.reason, "below_minimum");
  for (Mode mode : kAllModes) EXPECT_EQ(Df(report, mode).credit_in_mode, D("0"));
}

// Random reports: whenever a credit is paid, the modes' credits add up to PROMISE + GOODWILL exactly, and
// each is its promise plus its goodwill × GOODWILL ÷ Σ goodwill within 10^-12 (checked from the lines).
TEST(CreditEngine, RandomReportsCreditInModeAddsUpExactly) {
  std::mt19937_64 random(8);
  const char* mccs[] = {"400", "436", "999"};
  int paid = 0, capped = 0;
  for (int trial = 0; trial < 400; ++trial) {
    Evidence evidence = WorkedExample();
    evidence.costs.push_back({"999", "", D("0.0137"), absl::CivilDay(2025, 1, 1), std::nullopt});
    AddBlockRates(evidence, "999", "0.33", "0.61", "0.87");
    evidence.claim_date = absl::CivilDay(2025, 7 + static_cast<int>(random() % 3), 15);  // Max late or not
    evidence.report.rows.clear();
    const int rows = 1 + static_cast<int>(random() % 8);
    for (int r = 0; r < rows; ++r) {
      const bool first_service = random() % 2 == 0;
      FraudRow row =
          Row(absl::CivilDay(2025, 7, 1 + static_cast<int>(random() % 5)), first_service ? "ACs1" : "ACs2",
              first_service ? "VA1" : "VA2", mccs[random() % 3], "XX", static_cast<int64_t>(random() % 5000),
              static_cast<int64_t>(random() % 3000), "0");
      row.fraud_charges = Decimal::FromRaw(static_cast<Decimal::Raw>(random() % 2'000'000) * 10'000'000'000);
      evidence.report.rows.push_back(row);
    }
    evidence.modes = {ModeFrom("VA1", "ACs1", kAllModes[random() % 4], At(2025, 1, 1), At(2025, 7, 3)),
                      ModeFrom("VA1", "ACs1", kAllModes[random() % 4], At(2025, 7, 3)),
                      ModeFrom("VA2", "ACs2", kAllModes[random() % 4], At(2025, 1, 1))};
    CreditPolicy policy;
    policy.k[ModeIndex(Mode::kStandard)] = D("0.7");
    CreditReport report = Compute(evidence, policy);
    if (report.credit_amount.IsZero()) continue;
    ++paid;
    capped += report.summary.cap_binds ? 1 : 0;
    Decimal sum;
    std::array<Decimal, 4> promise, goodwill;
    for (const CreditLine& line : report.lines) {
      if (line.treatment == Treatment::kPromise) promise[ModeIndex(line.mode)] += line.earned;
      if (line.treatment == Treatment::kGoodwill) goodwill[ModeIndex(line.mode)] += line.earned;
    }
    for (Mode mode : kAllModes) {
      const Decimal credit = Df(report, mode).credit_in_mode;
      sum += credit;
      Decimal expected = promise[ModeIndex(mode)] + goodwill[ModeIndex(mode)];
      if (report.summary.cap_binds && !goodwill[ModeIndex(mode)].IsZero()) {
        expected =
            promise[ModeIndex(mode)] +
            Decimal::MulDiv(goodwill[ModeIndex(mode)], report.summary.goodwill, report.summary.goodwill_raw);
      }
      EXPECT_LE(credit - expected, Decimal::FromRaw(1)) << "trial " << trial;
      EXPECT_LE(expected - credit, Decimal::FromRaw(1)) << "trial " << trial;
    }
    ASSERT_EQ(sum, report.summary.raw) << "trial " << trial;
  }
  EXPECT_GT(paid, 50);
  EXPECT_GT(capped, 5);
}

// Issue 15, point 8: reasons for a zero credit follow the settled rule.
TEST(CreditEngine, ReportWithoutAttemptsIsNoShortfallNotFraudGuardOff) {
  // One standard row with no attempts and no charges: nothing was sent, so Fraud Guard being off cannot
  // be the reason (the old rule looked at rows with charges and found none).
  Evidence evidence = WorkedExample();
  evidence.report.rows = {Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "400", "AZ", 0, 0, "0")};
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.credit_amount, D("0"));
  EXPECT_EQ(report.reason, "no_shortfall");
}

TEST(CreditEngine, RowWithAttemptsButNoChargesOutsideOffIsNoShortfall) {
  // Rows 4 and 5 (VA2, off) plus a standard row with 100 attempts sent but no charges: not every row with
  // attempts was in Off → no_shortfall (the old rule ignored the row because it had no charges).
  Evidence evidence = WorkedExample();
  evidence.report.rows = {evidence.report.rows[3], evidence.report.rows[4],
                          Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "400", "AZ", 100, 0, "0")};
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.credit_amount, D("0"));
  EXPECT_EQ(report.reason, "no_shortfall");
}

TEST(CreditEngine, OffRowUnderGeoAllowStillCountsAsOff) {
  // Rows 4 and 5 (VA2, off, TJ) with Geo Permission allow for ACs2/TJ: the rows are overridden but their
  // mode in force is Off, so every row with attempts was in Off → fraud_guard_off (was no_shortfall).
  Evidence evidence = WorkedExample();
  evidence.report.rows = {evidence.report.rows[3], evidence.report.rows[4]};
  evidence.geo_permissions = {{"ACs2", "TJ", "allow", At(2025, 1, 1), std::nullopt}};
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.lines[0].treatment, Treatment::kOverrideGeoAllow);
  EXPECT_EQ(report.credit_amount, D("0"));
  EXPECT_EQ(report.reason, "fraud_guard_off");
}

TEST(CreditEngine, OffRowsWithAZeroRowOfAnotherModeAreFraudGuardOff) {
  // Rows 4 and 5 (off) plus a standard row with no attempts: only rows with A > 0 decide → fraud_guard_off.
  Evidence evidence = WorkedExample();
  evidence.report.rows = {evidence.report.rows[3], evidence.report.rows[4],
                          Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "400", "AZ", 0, 50, "0")};
  EXPECT_EQ(Compute(evidence).reason, "fraud_guard_off");
}

// Issue 15, point 8: duplicate cells are merged, not computed row by row.
TEST(CreditEngine, DuplicateCellsAreMergedAndCounted) {
  // Row 1 of the worked example (A 1000, B 500, F 300.00) split in two rows of the same cell and day:
  // (A 1000, B 0, F 300.00) and (A 0, B 500, F 0). Merged, it is row 1 again: credit 255.00. Row by row,
  // the first part alone would earn S = min(0.7 × 1000, 1000) = 700, E = 210.00 and the credit 300.00.
  Evidence evidence = WorkedExample();
  evidence.report.rows[0].attempts_blocked = 0;
  evidence.report.rows.push_back(Row(absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "400", "AZ", 0, 500, "0"));
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.credit_amount, D("255.00"));
  ASSERT_EQ(report.lines.size(), 5u);
  EXPECT_EQ(report.lines[0].attempts_blocked, 500);
  EXPECT_EQ(report.lines[0].eligible, D("165.00"));
  EXPECT_EQ(report.summary.rows, 5);
  EXPECT_EQ(report.summary.duplicates_merged, 1);
  EXPECT_THAT(report.warnings, Contains(AllOf(HasSubstr("1 row of the fraud report"), HasSubstr("merged"))));
}

TEST(CreditEngine, RowsDifferingInOneKeyColumnAreNotDuplicates) {
  // Same as row 1 but another MNC, another country, or another day: kept apart, nothing merged.
  for (int variant = 0; variant < 3; ++variant) {
    Evidence evidence = WorkedExample();
    FraudRow copy = evidence.report.rows[0];
    if (variant == 0) copy.mnc = "01";
    if (variant == 1) copy.country = "TJ";
    if (variant == 2) copy.day = absl::CivilDay(2025, 6, 30);
    evidence.report.rows.push_back(copy);
    CreditReport report = Compute(evidence);
    EXPECT_EQ(report.lines.size(), 6u) << variant;
    EXPECT_EQ(report.summary.duplicates_merged, 0) << variant;
  }
}

TEST(CreditEngine, ManyDuplicatesAreSummedIntoTheFirstRow) {
  // Row 4 (off, A 2000, F 400.00) repeated three more times: 3 merged; fraud_total counts every copy once
  // merged: 1130.00 + 3 × 400.00 = 2330.00; the off row still earns nothing, so the credit stays 255.00.
  Evidence evidence = WorkedExample();
  for (int i = 0; i < 3; ++i) evidence.report.rows.push_back(evidence.report.rows[3]);
  CreditReport report = Compute(evidence);
  EXPECT_EQ(report.summary.duplicates_merged, 3);
  EXPECT_EQ(report.lines.size(), 5u);
  EXPECT_EQ(report.lines[3].attempts_sent, 8000);
  EXPECT_EQ(report.fraud_total, D("2330.00"));
  EXPECT_EQ(report.credit_amount, D("255.00"));
  EXPECT_THAT(report.warnings, Contains(HasSubstr("3 rows of the fraud report")));
}

// --- Cells already credited (CREDIT_POLICY.md, settled rule "Cells already credited") ---

// An earlier request of ACp (another thread) holding the worked example's rows `rows` (1-based), each
// credited as in the worked example (r1 165.00, r2 60.00, r3 30.00, r4 and r5 0.00).
EarlierCredits EarlierHolding(std::vector<int> rows) {
  const std::array<const char*, 5> credited = {"165.00", "60.00", "30.00", "0.00", "0.00"};
  const Evidence example = WorkedExample();
  EarlierEntry entry;
  entry.execution_id = "20250710T090000Z-beef";
  entry.request_key = "C1:1752138000.000100";
  entry.parent_account_sid = "ACp";
  entry.product = "verify";
  entry.holds_cells = true;
  for (int r : rows) {
    const FraudRow& row = example.report.rows[static_cast<size_t>(r - 1)];
    entry.cells.push_back({{row.day, row.account_sid, row.service_sid, row.mcc, row.mnc},
                           D(credited[static_cast<size_t>(r - 1)])});
  }
  EarlierCredits earlier;
  earlier.request_key = "C1:1752537600.000200";  // this request: 2025-07-15
  earlier.product = "verify";
  earlier.entries.push_back(std::move(entry));
  return earlier;
}

CreditReport ComputeAfter(const EarlierCredits& earlier, Evidence evidence = WorkedExample()) {
  absl::StatusOr<CreditReport> report = ComputeCreditWithLedger(CreditPolicy(), std::move(evidence), earlier);
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : CreditReport();
}

TEST(CreditEngineWithLedger, RowsOneAndTwoAlreadyCreditedLeaveThePromiseRow) {
  // r1 and r2 (standard, goodwill 165.00 + 60.00) are held: r3 (promise 30.00), r4 and r5 (off, 0) remain.
  // Credit 30.00 ≤ 250.00: no approval. Fraud total 90.00 + 400.00 + 100.00 = 590.00, window 07-02..07-03.
  CreditReport report = ComputeAfter(EarlierHolding({1, 2}));
  EXPECT_EQ(report.credit_amount, D("30.00"));
  EXPECT_EQ(report.summary.goodwill, D("0.00"));
  EXPECT_EQ(report.summary.promise, D("30.00"));
  EXPECT_FALSE(report.needs_approval);
  EXPECT_EQ(report.reason, std::nullopt);
  EXPECT_EQ(report.fraud_total, D("590.00"));
  EXPECT_EQ(report.fraud_start, absl::CivilDay(2025, 7, 2));
  EXPECT_EQ(report.fraud_end, absl::CivilDay(2025, 7, 3));
  EXPECT_EQ(report.lines.size(), 3u);
  EXPECT_EQ(Df(report, Mode::kStandard).fraud_charges_in_mode, D("0.00"));
  EXPECT_EQ(Df(report, Mode::kMax).credit_in_mode, D("30.00"));
  const AlreadyCredited& already = report.already_credited;
  EXPECT_EQ(already.rows, 2);
  EXPECT_EQ(already.fraud_charges, D("540.00"));  // 300.00 + 240.00
  EXPECT_EQ(already.credited, D("225.00"));       // 165.00 + 60.00
  ASSERT_EQ(already.entries.size(), 1u);
  EXPECT_EQ(already.entries[0].request_key, "C1:1752138000.000100");
}

TEST(CreditEngineWithLedger, ACreditCreditbotApprovedMakesARepeatIncident) {
  // The earlier request held r3 and was approved on 2025-07-10 (within 365 days before 2025-07-15):
  // goodwill 0.5 × (165.00 + 60.00) = 112.50, no promise row left, r4 and r5 0: credit 112.50.
  EarlierCredits earlier = EarlierHolding({3});
  earlier.entries[0].credited_on = absl::CivilDay(2025, 7, 10);
  earlier.entries[0].final_amount = D("30.00");
  CreditReport report = ComputeAfter(earlier);
  EXPECT_EQ(report.summary.repeat_factor, D("0.5"));
  EXPECT_EQ(report.credit_amount, D("112.50"));
  EXPECT_EQ(report.fraud_total, D("1040.00"));  // 1130.00 − 90.00
  EXPECT_THAT(report.warnings, Contains(HasSubstr("repeat incident")));
}

TEST(CreditEngineWithLedger, ALedgerCreditAlsoInTheWarehouseHalvesGoodwillOnce) {
  // The haircut asks only whether there was a credit in the window: the warehouse's issued credit of
  // 2025-03-01 and the ledger's approval of 2025-07-10 (maybe the same credit) give 0.5, never 0.25.
  // Edge case E: 0.5 × 225.00 + 30.00 = 142.50.
  Evidence evidence = WorkedExample();
  evidence.prior_credits = {{absl::CivilDay(2025, 3, 1), "issued", D("100.00"), "verify"}};
  EarlierCredits earlier = EarlierHolding({});
  earlier.entries[0].credited_on = absl::CivilDay(2025, 7, 10);
  earlier.entries[0].final_amount = D("100.00");
  EXPECT_EQ(ComputeAfter(earlier, evidence).credit_amount, D("142.50"));
}

TEST(CreditEngineWithLedger, EveryRowAlreadyCreditedIsAZeroCreditWithItsReason) {
  CreditReport report = ComputeAfter(EarlierHolding({1, 2, 3, 4, 5}));
  EXPECT_EQ(report.credit_amount, D("0.00"));
  EXPECT_EQ(report.reason, "already_credited");
  EXPECT_FALSE(report.needs_approval);
  EXPECT_EQ(report.parent_account_sid, "ACp");
  EXPECT_THAT(report.lines, IsEmpty());
  EXPECT_EQ(report.fraud_total, D("0.00"));
  EXPECT_EQ(report.fraud_start, std::nullopt);
  EXPECT_EQ(report.summary.approval_threshold, D("250.00"));  // min(1000.00, 1.0 × 250.00)
  EXPECT_EQ(report.summary.accounts, (std::vector<std::string>{"ACs1", "ACs2"}));
  EXPECT_EQ(report.already_credited.rows, 5);
  EXPECT_EQ(report.already_credited.fraud_charges, D("1130.00"));
  EXPECT_EQ(report.already_credited.credited, D("255.00"));  // 165 + 60 + 30 + 0 + 0
}

TEST(CreditEngineWithLedger, NoEarlierEntryGivesTheWorkedExample) {
  CreditReport report = ComputeAfter(EarlierHolding({}));
  EXPECT_EQ(report.credit_amount, D("255.00"));
  EXPECT_TRUE(report.already_credited.empty());
}

TEST(CreditEngineWithLedger, RowsAreValidatedBeforeAnyIsLeftOut) {
  Evidence evidence = WorkedExample();
  evidence.report.rows[0].attempts_sent = -1;
  absl::StatusOr<CreditReport> report =
      ComputeCreditWithLedger(CreditPolicy(), evidence, EarlierHolding({1}));
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(report.status().message(), HasSubstr("negative attempts"));
}

TEST(CreditReport, TreatmentNames) {
  EXPECT_EQ(TreatmentName(Treatment::kPromise), "promise");
  EXPECT_EQ(TreatmentName(Treatment::kGoodwill), "goodwill");
  EXPECT_EQ(TreatmentName(Treatment::kLateMaxZero), "late_max_zero");
  EXPECT_EQ(TreatmentName(Treatment::kOff), "off");
  EXPECT_EQ(TreatmentName(Treatment::kOverrideGeoAllow), "override_geo_allow");
  EXPECT_EQ(TreatmentName(Treatment::kOverrideCustomCodeBasic), "override_custom_code_basic");
}

}  // namespace
}  // namespace creditbot
