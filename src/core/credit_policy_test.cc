// Tests of the policy file loader: the shipped policy/verify.toml equals the built-in defaults, values may be
// written in every accepted form, and every kind of mistake is refused with a message naming the key.
#include "core/credit_policy.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

namespace creditbot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(CREDITBOT_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Every tunable field of two policies (not sha256/source_name, which describe the file).
void ExpectSameParameters(const CreditPolicy& a, const CreditPolicy& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.enabled, b.enabled);
  EXPECT_EQ(a.k, b.k);
  EXPECT_EQ(a.cap_goodwill_at_cost, b.cap_goodwill_at_cost);
  EXPECT_EQ(a.promise_claim_days, b.promise_claim_days);
  EXPECT_EQ(a.late_max_policy, b.late_max_policy);
  EXPECT_EQ(a.min_credit_usd, b.min_credit_usd);
  EXPECT_EQ(a.auto_approve_limit_usd, b.auto_approve_limit_usd);
  EXPECT_EQ(a.approval_mrr_multiple, b.approval_mrr_multiple);
  EXPECT_EQ(a.repeat_window_days, b.repeat_window_days);
  EXPECT_EQ(a.repeat_factor, b.repeat_factor);
  EXPECT_EQ(a.repeat_products, b.repeat_products);
  EXPECT_EQ(a.default_block_rate, b.default_block_rate);
  EXPECT_EQ(a.default_cost_usd, b.default_cost_usd);
  ASSERT_EQ(a.columns.size(), b.columns.size());
  for (size_t i = 0; i < a.columns.size(); ++i) {
    EXPECT_EQ(a.columns[i].role, b.columns[i].role);
    EXPECT_EQ(a.columns[i].patterns, b.columns[i].patterns) << a.columns[i].role;
    EXPECT_EQ(a.columns[i].required, b.columns[i].required) << a.columns[i].role;
  }
  EXPECT_EQ(a.product_match, b.product_match);
}

// The error message of a refused policy (empty if it was accepted).
std::string Refusal(const std::string& toml) {
  absl::StatusOr<CreditPolicy> policy = ParseCreditPolicy(toml, "policy/verify.toml");
  if (policy.ok()) return "";
  EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(policy.status().message());
}

TEST(CreditPolicy, BuiltInDefaultsMatchCreditPolicyMd) {
  CreditPolicy policy;
  EXPECT_EQ(policy.name, "verify");
  EXPECT_EQ(policy.version, "1");
  EXPECT_EQ(policy.k[ModeIndex(Mode::kBasic)], D("1"));
  EXPECT_EQ(policy.k[ModeIndex(Mode::kStandard)], D("1"));
  EXPECT_EQ(policy.k[ModeIndex(Mode::kMax)], D("1"));
  EXPECT_TRUE(policy.cap_goodwill_at_cost);
  EXPECT_EQ(policy.promise_claim_days, 30);
  EXPECT_EQ(policy.late_max_policy, LateMaxPolicy::kGoodwill);
  EXPECT_EQ(policy.min_credit_usd, D("5.00"));
  EXPECT_EQ(policy.auto_approve_limit_usd, D("1000.00"));
  EXPECT_EQ(policy.approval_mrr_multiple, D("1.0"));
  EXPECT_EQ(policy.repeat_window_days, 365);
  EXPECT_EQ(policy.repeat_factor, D("0.5"));
  EXPECT_TRUE(policy.repeat_products.empty());
  for (const auto& rate : policy.default_block_rate) EXPECT_FALSE(rate.has_value());
  EXPECT_FALSE(policy.default_cost_usd.has_value());
  EXPECT_THAT(policy.product_match, ElementsAre("(?i)authy"));
}

TEST(CreditPolicy, ShippedVerifyPolicyParsesAndEqualsBuiltInDefaults) {
  std::string text = ReadSourceFile("policy/verify.toml");
  ASSERT_FALSE(text.empty()) << "policy/verify.toml not found";
  absl::StatusOr<CreditPolicy> policy = ParseCreditPolicy(text, "policy/verify.toml");
  ASSERT_TRUE(policy.ok()) << policy.status();
  ExpectSameParameters(*policy, CreditPolicy());
  EXPECT_EQ(policy->source_name, "policy/verify.toml");
  EXPECT_TRUE(RE2::FullMatch(policy->sha256, "[0-9a-f]{64}")) << policy->sha256;
}

TEST(CreditPolicy, EmptyFileKeepsDefaultsAndHashesTheBytes) {
  absl::StatusOr<CreditPolicy> policy = ParseCreditPolicy("", "empty.toml");
  ASSERT_TRUE(policy.ok()) << policy.status();
  ExpectSameParameters(*policy, CreditPolicy());
  // SHA-256 of no bytes (FIPS 180-2 test vector), and of `name = "x"\n` (sha256sum).
  EXPECT_EQ(policy->sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  absl::StatusOr<CreditPolicy> named = ParseCreditPolicy("name = \"x\"\n", "x.toml");
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->name, "x");
  EXPECT_EQ(named->sha256, "3eb10e9d710d38dc9fe5566f14f7d2cb97ca68a5c6c6b00150b73c69064410cc");
}

TEST(CreditPolicy, AcceptsIntegersFloatsAndDecimalStrings) {
  absl::StatusOr<CreditPolicy> policy = ParseCreditPolicy(R"(
version = 2
enabled = false
cap_goodwill_at_cost = false
promise_claim_days = 45
late_max_policy = "zero"
min_credit_usd = 10
auto_approve_limit_usd = "2500.50"
approval_mrr_multiple = 2.5
repeat_window_days = 0
repeat_factor = 0.7
default_cost_usd = "0.0125"
k.basic = 0
k.standard = "0.25"
k.max = 1
[default_block_rate]
standard = 0.7
max = "0.9"
[product]
match = ['(?i)verify', 'authy']
)",
                                                          "custom.toml");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_EQ(policy->version, "2");
  EXPECT_FALSE(policy->enabled);
  EXPECT_FALSE(policy->cap_goodwill_at_cost);
  EXPECT_EQ(policy->promise_claim_days, 45);
  EXPECT_EQ(policy->late_max_policy, LateMaxPolicy::kZero);
  EXPECT_EQ(policy->min_credit_usd, D("10"));
  EXPECT_EQ(policy->auto_approve_limit_usd, D("2500.5"));
  EXPECT_EQ(policy->approval_mrr_multiple, D("2.5"));
  EXPECT_EQ(policy->repeat_window_days, 0);
  EXPECT_EQ(policy->repeat_factor, D("0.7"));  // a TOML float, read exactly as 0.7
  EXPECT_EQ(policy->default_cost_usd, D("0.0125"));
  EXPECT_EQ(policy->k[ModeIndex(Mode::kBasic)], D("0"));
  EXPECT_EQ(policy->k[ModeIndex(Mode::kStandard)], D("0.25"));
  EXPECT_EQ(policy->k[ModeIndex(Mode::kMax)], D("1"));
  EXPECT_FALSE(policy->default_block_rate[ModeIndex(Mode::kBasic)].has_value());
  EXPECT_EQ(policy->default_block_rate[ModeIndex(Mode::kStandard)], D("0.7"));
  EXPECT_EQ(policy->default_block_rate[ModeIndex(Mode::kMax)], D("0.9"));
  EXPECT_THAT(policy->product_match, ElementsAre("(?i)verify", "authy"));
}

TEST(CreditPolicy, ColumnsTableReplacesOnlyTheRolesItNames) {
  absl::StatusOr<CreditPolicy> policy = ParseCreditPolicy(R"(
[columns]
day = ['(?i)^event_date$', '(?i)^date$']
)",
                                                          "cols.toml");
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::vector<ColumnRole> defaults = CreditPolicy::DefaultColumns();
  ASSERT_EQ(policy->columns.size(), defaults.size());
  EXPECT_EQ(policy->columns[0].role, "day");
  EXPECT_THAT(policy->columns[0].patterns, ElementsAre("(?i)^event_date$", "(?i)^date$"));
  EXPECT_TRUE(policy->columns[0].required);
  for (size_t i = 1; i < defaults.size(); ++i) EXPECT_EQ(policy->columns[i].patterns, defaults[i].patterns);
}

TEST(CreditPolicy, DefaultColumnsFindLookerNamesCaseInsensitively) {
  std::vector<ColumnRole> columns = CreditPolicy::DefaultColumns();
  auto role = [&](const std::string& name) -> const ColumnRole& {
    for (const ColumnRole& column : columns) {
      if (column.role == name) return column;
    }
    ADD_FAILURE() << "no role " << name;
    return columns.front();
  };
  auto matches = [&](const std::string& name, const std::string& column) {
    for (const std::string& pattern : role(name).patterns) {
      if (RE2::PartialMatch(column, pattern)) return true;
    }
    return false;
  };
  EXPECT_TRUE(matches("day", "day"));
  EXPECT_TRUE(matches("day", "DAY"));
  EXPECT_TRUE(matches("day", "fraud_report.day"));
  EXPECT_FALSE(matches("day", "weekday"));
  EXPECT_FALSE(matches("day", "day_of_week"));
  EXPECT_TRUE(matches("country", "to_country"));
  EXPECT_TRUE(matches("country", "verify.To_Country"));
  EXPECT_FALSE(matches("country", "country"));
  EXPECT_TRUE(matches("fraud_charges", "fraud_charges_usd"));
  EXPECT_TRUE(matches("attempts_blocked", "x.attempts_blocked"));
  // Required flags of CREDIT_POLICY.md's table.
  for (const char* required : {"day", "account_sid", "mcc", "attempts_sent", "fraud_charges"}) {
    EXPECT_TRUE(role(required).required) << required;
  }
  for (const char* optional : {"service_sid", "mnc", "country", "attempts_blocked"}) {
    EXPECT_FALSE(role(optional).required) << optional;
  }
}

TEST(CreditPolicy, RefusesUnknownKeysNamingTheDottedKey) {
  EXPECT_THAT(Refusal("[k]\nstandrd = 1.0\n"), HasSubstr("policy/verify.toml: unknown key 'k.standrd'"));
  EXPECT_THAT(Refusal("min_credit = 5\n"), HasSubstr("unknown key 'min_credit'"));
  EXPECT_THAT(Refusal("k.off = 0\n"), HasSubstr("unknown key 'k.off'"));
  EXPECT_THAT(Refusal("[default_block_rate]\nmaximum = 0.9\n"),
              HasSubstr("unknown key 'default_block_rate.maximum'"));
  EXPECT_THAT(Refusal("[columns]\ndate = ['x']\n"), HasSubstr("unknown key 'columns.date'"));
  EXPECT_THAT(Refusal("[product]\nmatches = ['x']\n"), HasSubstr("unknown key 'product.matches'"));
  EXPECT_THAT(Refusal("[extra]\n"), HasSubstr("unknown key 'extra'"));
  // The line of the offending key is given too.
  EXPECT_THAT(Refusal("name = \"verify\"\n[k]\nstandrd = 1.0\n"), HasSubstr("(line 3)"));
}

TEST(CreditPolicy, RefusesRatesOutsideZeroToOne) {
  EXPECT_THAT(Refusal("[k]\nstandard = 1.5\n"), HasSubstr("key 'k.standard' must be a rate between 0 and 1"));
  EXPECT_THAT(Refusal("k.basic = -0.1\n"), HasSubstr("key 'k.basic'"));
  EXPECT_THAT(Refusal("repeat_factor = 2\n"), HasSubstr("key 'repeat_factor'"));
  EXPECT_THAT(Refusal("default_block_rate.max = \"1.01\"\n"), HasSubstr("key 'default_block_rate.max'"));
  EXPECT_EQ(Refusal("k.basic = 0\nk.max = 1\nrepeat_factor = 1.0\n"), "");  // bounds are inclusive
}

TEST(CreditPolicy, RefusesNegativeAmountsAndDays) {
  EXPECT_THAT(Refusal("min_credit_usd = -5\n"), HasSubstr("key 'min_credit_usd' must not be negative"));
  EXPECT_THAT(Refusal("auto_approve_limit_usd = \"-0.01\"\n"), HasSubstr("key 'auto_approve_limit_usd'"));
  EXPECT_THAT(Refusal("approval_mrr_multiple = -1.0\n"), HasSubstr("key 'approval_mrr_multiple'"));
  EXPECT_THAT(Refusal("default_cost_usd = -0.05\n"), HasSubstr("key 'default_cost_usd'"));
  EXPECT_THAT(Refusal("promise_claim_days = -1\n"),
              HasSubstr("key 'promise_claim_days' must not be negative"));
  EXPECT_THAT(Refusal("repeat_window_days = -30\n"), HasSubstr("key 'repeat_window_days'"));
  EXPECT_THAT(Refusal("repeat_window_days = 99999999\n"),
              HasSubstr("key 'repeat_window_days' is out of range"));
}

TEST(CreditPolicy, RefusesWrongTypesNamingTheKey) {
  EXPECT_THAT(Refusal("min_credit_usd = true\n"), HasSubstr("key 'min_credit_usd' must be a number"));
  EXPECT_THAT(Refusal("min_credit_usd = \"5,00\"\n"), HasSubstr("key 'min_credit_usd'"));
  EXPECT_THAT(Refusal("cap_goodwill_at_cost = \"yes\"\n"),
              HasSubstr("key 'cap_goodwill_at_cost' must be true or false"));
  EXPECT_THAT(Refusal("promise_claim_days = 30.5\n"),
              HasSubstr("key 'promise_claim_days' must be an integer"));
  EXPECT_THAT(Refusal("k = 1\n"), HasSubstr("key 'k' must be a table"));
  EXPECT_THAT(Refusal("name = 1\n"), HasSubstr("key 'name' must be a string"));
  EXPECT_THAT(Refusal("[columns]\nday = 'day'\n"), HasSubstr("key 'columns.day' must be a list"));
  EXPECT_THAT(Refusal("[columns]\nday = [1]\n"), HasSubstr("key 'columns.day'"));
  EXPECT_THAT(Refusal("[columns]\nday = []\n"), HasSubstr("key 'columns.day' must not be an empty list"));
  EXPECT_THAT(Refusal("late_max_policy = \"deny\"\n"),
              HasSubstr("key 'late_max_policy' must be \"goodwill\" or \"zero\""));
  EXPECT_THAT(Refusal("min_credit_usd = 1e300\n"), HasSubstr("key 'min_credit_usd'"));
  EXPECT_THAT(Refusal("min_credit_usd = nan\n"), HasSubstr("key 'min_credit_usd'"));
}

TEST(CreditPolicy, ReadsRepeatProducts) {
  absl::StatusOr<CreditPolicy> policy =
      ParseCreditPolicy("repeat_products = [\"Authy\", \"verify-legacy\"]\n", "p.toml");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_THAT(policy->repeat_products, ElementsAre("Authy", "verify-legacy"));
  policy = ParseCreditPolicy("repeat_products = []\n", "p.toml");
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_TRUE(policy->repeat_products.empty());
}

TEST(CreditPolicy, RefusesRepeatProductsThatAreNotAListOfNames) {
  EXPECT_THAT(Refusal("repeat_products = \"Authy\"\n"),
              HasSubstr("key 'repeat_products' must be a list of product names, not string"));
  EXPECT_THAT(Refusal("repeat_products = [1]\n"),
              HasSubstr("key 'repeat_products' must be a list of product"));
  EXPECT_THAT(Refusal("repeat_products = [\"a\", \" \"]\n"),
              HasSubstr("key 'repeat_products' must not hold an empty name"));
}

TEST(CreditPolicy, RefusesInvalidRegularExpressionsNamingTheKey) {
  EXPECT_THAT(Refusal("[columns]\nmcc = ['(?i)^mcc$', '(unclosed']\n"),
              HasSubstr("key 'columns.mcc': invalid regular expression '(unclosed'"));
  EXPECT_THAT(Refusal("[product]\nmatch = ['[a-']\n"),
              HasSubstr("key 'product.match': invalid regular expression"));
}

TEST(CreditPolicy, RefusesTomlSyntaxErrorsWithLineAndColumn) {
  std::string message = Refusal("name = \"verify\"\nmin_credit_usd = = 5\n");
  EXPECT_THAT(message, HasSubstr("policy/verify.toml:2:"));
  EXPECT_THAT(Refusal("name = \"a\"\nname = \"b\"\n"), HasSubstr("policy/verify.toml:2:"));  // duplicate key
}

TEST(CreditPolicy, RefusesNonAsciiBytesNamingLineAndColumn) {
  // Fuzzer finding: toml++ 3.3 reaches __builtin_unreachable on some non-ASCII whitespace checks (U+0494).
  EXPECT_THAT(Refusal("k.stdand\xD2\x94"
                      "da.ard = 1.1?\n"),
              HasSubstr("policy/verify.toml:1:9: the file must be ASCII"));
  EXPECT_THAT(Refusal("name = \"v\"\n# 5 \xC3\x97 MRR\n"), HasSubstr("policy/verify.toml:2:5:"));
  EXPECT_THAT(Refusal("\xff\xfe = 1\n"), HasSubstr("policy/verify.toml:1:1:"));
}

TEST(CreditPolicy, RefusesTableHeadersThatTomlPlusPlusWouldAssertOn) {
  // Fuzzer finding: toml++ 3.3 aborts (assert) or has undefined behaviour on these; we refuse them first.
  EXPECT_THAT(Refusal("[<]musd\nstanlrd = 1.0\n"),
              HasSubstr("policy/verify.toml:1:2: a table header must start"));
  EXPECT_THAT(Refusal("[&"), HasSubstr("policy/verify.toml:1:2:"));
  EXPECT_THAT(Refusal("name = \"v\"\n  [[[a]]]\n"), HasSubstr("policy/verify.toml:2:5:"));
  EXPECT_THAT(Refusal("[[ =\n"), HasSubstr("policy/verify.toml:1:4:"));
  EXPECT_THAT(Refusal("[\nday = 1\n"), HasSubstr("policy/verify.toml:1:2: a table header must start"));
  EXPECT_THAT(Refusal("[[ \n"), HasSubstr("policy/verify.toml:1:4: a table header must start"));
  EXPECT_THAT(Refusal("name = 'v'\n["), HasSubstr("policy/verify.toml:2:"));  // toml++: end of input
  EXPECT_THAT(Refusal("[\"a\"]\nb = 1\n[[[a]]]\n"), HasSubstr("policy/verify.toml:3:3:"));
  // Valid headers (bare, quoted, with blanks) still parse.
  EXPECT_EQ(Refusal("[ k ]\nbasic = 1\n[\"product\"]\nmatch = ['a']\n[\t'columns' ]\n"), "");
  EXPECT_THAT(Refusal("[]\n"), HasSubstr("policy/verify.toml:1:"));  // toml++'s own error
}

TEST(CreditPolicy, RefusesInputThatBreaksTomlPlusPlusPreconditions) {
  // Fuzzer findings: toml++ 3.3 asserts inside parse_value on these; the loader reports invalid TOML.
  for (const char* text : {"y=[}'", "a = [\v]\n", "a = [ }\n", "a = [1, }\n", "a = [\f1]\n"}) {
    EXPECT_THAT(Refusal(text), HasSubstr("policy/verify.toml:")) << text;
  }
}

}  // namespace
}  // namespace creditbot
