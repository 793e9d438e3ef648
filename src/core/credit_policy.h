// CreditPolicy: the tunable parameters of CREDIT_POLICY.md, loaded from a TOML file (policy/*.toml).
//
// Loading validates everything up front: an unknown key, a wrong type, a rate outside 0..1, a negative
// amount or an invalid regular expression is refused with kInvalidArgument naming the file and the key,
// so a typo can never silently fall back to a default.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/decimal.h"
#include "core/mode.h"

namespace creditbot {

enum class LateMaxPolicy { kGoodwill, kZero };

// What one protection switch covers: a Verify service (Fraud Guard) or a whole account (SMS Pumping
// Protection). The mode history is then keyed by service_sid or by account_sid.
enum class ProtectionScope { kService, kAccount };

// A fraud-report column role and the regular expressions (RE2, matched case-insensitively against the
// whole column name, with an optional Looker "view." prefix) that find it.
struct ColumnRole {
  std::string role;  // "day", "account_sid", "service_sid", "mcc", "mnc", "country", "attempts_sent",
                     // "attempts_blocked", "fraud_charges"
  std::vector<std::string> patterns;
  bool required = false;
};

struct CreditPolicy {
  std::string name = "verify";  // also the product name stamped on results
  std::string version = "1";
  bool enabled = true;
  std::string sha256;       // of the file's bytes; empty for the built-in defaults
  std::string source_name;  // file name it was loaded from

  std::array<Decimal, kModeCount> k = {Decimal::FromInt(0), Decimal::FromInt(1), Decimal::FromInt(1),
                                       Decimal::FromInt(1),
                                       Decimal::FromInt(1)};  // by ModeIndex; k[off] unused
  bool cap_goodwill_at_cost = true;
  int promise_claim_days = 30;
  LateMaxPolicy late_max_policy = LateMaxPolicy::kGoodwill;
  Decimal min_credit_usd = Decimal::FromInt(5);
  Decimal auto_approve_limit_usd = Decimal::FromInt(1000);
  Decimal approval_mrr_multiple = Decimal::FromInt(1);
  int repeat_window_days = 365;
  // Products (besides `name`) whose earlier credits make a repeat incident, compared case-insensitively.
  std::vector<std::string> repeat_products;
  Decimal repeat_factor = Decimal::FromRaw(Decimal::FromInt(1).raw() / 2);  // 0.5
  std::array<std::optional<Decimal>, kModeCount> default_block_rate;        // by ModeIndex; unset = fail
  std::optional<Decimal> default_cost_usd;                                  // unset = fail

  // [protection]: the switch the modes belong to. The defaults are Verify's Fraud Guard.
  std::string protection_name = "Fraud Guard";  // how replies and errors name it
  // The modes the switch has, in report order; the first is always off (blocks nothing). Every other mode
  // is a protecting mode: its rows earn goodwill, except the promise mode's claimed on time.
  std::vector<Mode> modes = {kAllModes.begin(), kAllModes.end()};
  std::optional<Mode> promise_mode = Mode::kMax;  // nullopt: no public guarantee, every credit is goodwill
  ProtectionScope scope = ProtectionScope::kService;
  std::string history_sql = "fraud_guard_history";  // the sql/<dialect>/<name>.sql of the mode history
  bool geo_allow_bypasses = true;  // Geo Permission "allow" for a row's country bypasses the protection

  std::vector<ColumnRole> columns = DefaultColumns();
  std::vector<std::string> product_match = {"(?i)authy"};

  static std::vector<ColumnRole> DefaultColumns();
};

// Parses and validates a policy. `source_name` (e.g. "policy/verify.toml") prefixes every error message.
// Keys: name, version, enabled, k.{basic,standard,max}, cap_goodwill_at_cost, promise_claim_days,
// late_max_policy, min_credit_usd, auto_approve_limit_usd, approval_mrr_multiple, repeat_window_days,
// repeat_factor, repeat_products, default_block_rate.<mode>, default_cost_usd, [columns] role = [regex…],
// [product] match = [regex…], [protection] name, modes, promise_mode, scope, history_sql,
// geo_allow_bypasses. Amounts and rates may be written as TOML numbers or decimal strings.
// [protection] is checked as a whole: modes must be distinct known modes starting with "off"; promise_mode
// one of them (not off) or "none"; k and default_block_rate may only name declared modes other than off;
// history_sql a plain file name (letters, digits, underscores).
absl::StatusOr<CreditPolicy> ParseCreditPolicy(std::string_view toml_text, std::string_view source_name);

}  // namespace creditbot
