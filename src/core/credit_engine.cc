// The credit engine: CREDIT_POLICY.md turned into code. Every quantity is a Decimal kept at 12 fractional
// digits (E = S·F/A is one exact MulDiv); the only rounding to cents is of the final credit amount.
//
// Structure: resolve the parent account and each row's service, then per row the mode in force (majority
// of the day), overrides, provider cost and block rates, X/S/E for every mode and the row's treatment;
// then the parent-level totals (goodwill cap, minimum, approval) and the outputs (lines, output_df,
// warnings).
#include "core/credit_engine.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/status_macros.h"

namespace creditbot {
namespace {

// Attempts per row must stay below this so that T = A + B is a valid Decimal::FromInt argument.
constexpr int64_t kMaxAttempts = 100'000'000'000'000;  // 10^14

constexpr std::array<Mode, 3> kProtectingModes = {Mode::kBasic, Mode::kStandard, Mode::kMax};

std::string Money(Decimal value) { return value.ToString(2); }
std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::Time StartOfDay(absl::CivilDay day) { return absl::FromCivil(day, absl::UTCTimeZone()); }

// One labelled half-open time interval, e.g. a Fraud Guard mode or a Geo Permission.
struct Span {
  int label = 0;
  absl::Time from;
  std::optional<absl::Time> to;
};

struct Majority {
  int label = 0;
  bool mixed = false;  // more than one label was in force during the day
};

// The label in force for most of the UTC day, over the parts of the day the spans cover. Ties go to the
// label in force later in the day (the latest setting). nullopt when no span overlaps the day.
std::optional<Majority> MajorityOnDay(const std::vector<Span>& spans, absl::CivilDay day, int labels) {
  const absl::Time start = StartOfDay(day);
  const absl::Time end = StartOfDay(day + 1);
  std::vector<absl::Duration> covered(static_cast<size_t>(labels), absl::ZeroDuration());
  std::vector<absl::Time> last(static_cast<size_t>(labels), absl::InfinitePast());
  for (const Span& span : spans) {
    absl::Time lo = std::max(span.from, start);
    absl::Time hi = std::min(span.to.value_or(absl::InfiniteFuture()), end);
    if (hi <= lo) continue;
    auto index = static_cast<size_t>(span.label);
    covered[index] += hi - lo;
    last[index] = std::max(last[index], hi);
  }
  std::optional<Majority> best;
  int in_force = 0;
  for (int label = 0; label < labels; ++label) {
    auto index = static_cast<size_t>(label);
    if (covered[index] <= absl::ZeroDuration()) continue;
    ++in_force;
    if (!best || covered[index] > covered[static_cast<size_t>(best->label)] ||
        (covered[index] == covered[static_cast<size_t>(best->label)] &&
         last[index] > last[static_cast<size_t>(best->label)])) {
      best = Majority{label, false};
    }
  }
  if (best) best->mixed = in_force > 1;
  return best;
}

// Geo Permission labels.
constexpr int kGeoOther = 0;
constexpr int kGeoAllow = 1;
constexpr int kGeoDisable = 2;
constexpr int kGeoMonitor = 3;
constexpr int kGeoLabels = 4;

int GeoLabel(const std::string& permission) {
  std::string lower = absl::AsciiStrToLower(permission);
  if (lower == "allow") return kGeoAllow;
  if (lower == "disable") return kGeoDisable;
  if (lower == "monitor") return kGeoMonitor;
  return kGeoOther;
}

// Keeps warnings unique and in the order first raised.
class Warnings {
 public:
  void Add(std::string warning) {
    if (std::find(list_.begin(), list_.end(), warning) == list_.end()) list_.push_back(std::move(warning));
  }
  std::vector<std::string> Take() { return std::move(list_); }

 private:
  std::vector<std::string> list_;
};

// Everything the engine works out for one fraud-report row.
struct RowCalc {
  const FraudRow* row = nullptr;
  std::string service_sid;
  Mode mode = Mode::kOff;  // M*
  bool mixed = false;
  std::optional<Treatment> override_treatment;
  int64_t total = 0;                 // T
  Decimal unit;                      // u
  Decimal cost;                      // c
  std::array<Decimal, 4> shortfall;  // S(M), by ModeIndex
  std::array<Decimal, 4> eligible;   // E(M), by ModeIndex
  Treatment treatment = Treatment::kOff;
  absl::CivilDay deadline;  // promise deadline of the row's month
  Decimal earned;           // promise or goodwill before the cap
  Decimal credited;
};

bool IsGoodwill(const RowCalc& calc) { return calc.treatment == Treatment::kGoodwill; }

absl::Status ValidateRows(const FraudReport& report) {
  if (report.rows.empty()) return absl::InvalidArgumentError("the fraud report has no rows");
  for (size_t i = 0; i < report.rows.size(); ++i) {
    const FraudRow& row = report.rows[i];
    std::string where = absl::StrCat("fraud report row ", i + 1, " (", Day(row.day), ", ", row.account_sid,
                                     ", MCC ", row.mcc, ")");
    if (row.attempts_sent < 0 || row.attempts_blocked < 0) {
      return absl::InvalidArgumentError(absl::StrCat(where, " has negative attempts"));
    }
    if (row.attempts_sent >= kMaxAttempts || row.attempts_blocked >= kMaxAttempts) {
      return absl::InvalidArgumentError(absl::StrCat(where, " has an implausible number of attempts"));
    }
    if (row.fraud_charges.IsNegative()) {
      return absl::InvalidArgumentError(absl::StrCat(where, " has negative fraud charges"));
    }
  }
  return absl::OkStatus();
}

// The one parent account of the report's accounts, or the error naming unknown accounts / the parents.
absl::StatusOr<std::string> ResolveParent(const Evidence& evidence,
                                          const std::vector<std::string>& accounts) {
  std::vector<std::string> unknown;
  std::vector<std::pair<std::string, std::vector<std::string>>> parents;  // parent → its report accounts
  for (const std::string& account : accounts) {
    const AccountInfo* info = nullptr;
    for (const AccountInfo& candidate : evidence.accounts) {
      if (candidate.account_sid == account) info = &candidate;
    }
    if (info == nullptr) {
      unknown.push_back(account);
      continue;
    }
    std::string parent = info->parent_account_sid.empty() ? account : info->parent_account_sid;
    auto it = std::find_if(parents.begin(), parents.end(), [&](const auto& p) { return p.first == parent; });
    if (it == parents.end()) {
      parents.push_back({parent, {account}});
    } else {
      it->second.push_back(account);
    }
  }
  if (!unknown.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the warehouse does not know the account", unknown.size() > 1 ? "s " : " ",
                     absl::StrJoin(unknown, ", "), "; check the Look's account filter"));
  }
  if (parents.size() > 1) {
    std::vector<std::string> described;
    for (const auto& [parent, children] : parents) {
      described.push_back(absl::StrCat(parent, " (", absl::StrJoin(children, ", "), ")"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat("the report spans several parent accounts: ", absl::StrJoin(described, "; "),
                     "; narrow the Look to one customer"));
  }
  return parents.front().first;
}

// The service of a row: its own service_sid, or (no service column) the one service of its account.
absl::StatusOr<std::string> ResolveService(const Evidence& evidence, const FraudRow& row) {
  if (!row.service_sid.empty()) return row.service_sid;
  std::vector<std::string> found;
  auto add = [&](const std::string& service_sid, const std::string& account_sid) {
    if (account_sid == row.account_sid && std::find(found.begin(), found.end(), service_sid) == found.end()) {
      found.push_back(service_sid);
    }
  };
  for (const ServiceInfo& service : evidence.services) add(service.service_sid, service.account_sid);
  for (const ModeInterval& interval : evidence.modes) add(interval.service_sid, interval.account_sid);
  if (found.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("no Verify service found for account ", row.account_sid,
                     " (the report has no service column, so the account's only service is used)"));
  }
  if (found.size() > 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "account ", row.account_sid, " has several Verify services (", absl::StrJoin(found, ", "),
        ") and the report has no service column; add service_sid to the Look"));
  }
  return found.front();
}

// Provider cost: mcc+mnc before mcc alone, in force on the day (the latest start wins among overlaps);
// else the policy's default (with a warning); else an error naming the MCC.
absl::StatusOr<Decimal> LookUpCost(const CreditPolicy& policy, const Evidence& evidence, const FraudRow& row,
                                   Warnings& warnings) {
  const ProviderCost* best = nullptr;
  auto rank = [&](const ProviderCost& cost) { return cost.mnc.empty() ? 1 : 2; };
  for (const ProviderCost& cost : evidence.costs) {
    if (cost.mcc != row.mcc) continue;
    if (!cost.mnc.empty() && cost.mnc != row.mnc) continue;
    if (row.day < cost.from || (cost.to && row.day >= *cost.to)) continue;
    if (best == nullptr || rank(cost) > rank(*best) ||
        (rank(cost) == rank(*best) && cost.from > best->from)) {
      best = &cost;
    }
  }
  if (best != nullptr) {
    if (best->cost_usd_per_sms.IsNegative()) {
      return absl::FailedPreconditionError(absl::StrCat("the provider cost of MCC ", row.mcc, " on ",
                                                        Day(row.day), " is negative (",
                                                        best->cost_usd_per_sms.ToString(), ")"));
    }
    return best->cost_usd_per_sms;
  }
  if (policy.default_cost_usd) {
    warnings.Add(absl::StrCat("no provider cost for MCC ", row.mcc, " on ", Day(row.day),
                              ": used the policy's default_cost_usd ", policy.default_cost_usd->ToString()));
    return *policy.default_cost_usd;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "no provider cost for MCC ", row.mcc, row.mnc.empty() ? "" : absl::StrCat(" (MNC ", row.mnc, ")"),
      " on ", Day(row.day), " and the policy sets no default_cost_usd"));
}

absl::StatusOr<Decimal> LookUpBlockRate(const CreditPolicy& policy, const Evidence& evidence, Mode mode,
                                        const std::string& mcc, Warnings& warnings) {
  for (const BlockRate& rate : evidence.block_rates) {
    if (rate.mode != mode || rate.mcc != mcc) continue;
    if (rate.rate.IsNegative() || rate.rate > Decimal::FromInt(1)) {
      return absl::FailedPreconditionError(absl::StrCat("the ", std::string(ModeName(mode)),
                                                        " block rate of MCC ", mcc, " is outside 0..1 (",
                                                        rate.rate.ToString(), ")"));
    }
    return rate.rate;
  }
  const std::optional<Decimal>& fallback = policy.default_block_rate[ModeIndex(mode)];
  if (fallback) {
    warnings.Add(absl::StrCat("no ", std::string(ModeName(mode)), " block rate for MCC ", mcc,
                              ": used the policy's default_block_rate.", std::string(ModeName(mode)), " ",
                              fallback->ToString()));
    return *fallback;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("no ", std::string(ModeName(mode)), " block rate for MCC ", mcc,
                   " and the policy sets no default_block_rate.", std::string(ModeName(mode))));
}

absl::CivilDay LastDayOfMonth(absl::CivilDay day) { return absl::CivilDay(absl::CivilMonth(day) + 1) - 1; }

bool HadRecentCredit(const CreditPolicy& policy, const Evidence& evidence) {
  // Credits created in [claim − window, claim): strictly before the claim date, so a credit recorded for
  // this very request (e.g. on a recomputation) never halves it.
  const absl::CivilDay window_start = evidence.claim_date - policy.repeat_window_days;
  for (const PriorCredit& credit : evidence.prior_credits) {
    std::string status = absl::AsciiStrToLower(credit.status);
    if (status != "approved" && status != "issued") continue;
    if (credit.created >= window_start && credit.created < evidence.claim_date) return true;
  }
  return false;
}

// Works out a row's mode, overrides, cost, block rates, X/S/E and treatment (not yet the cap).
absl::StatusOr<RowCalc> CalculateRow(const CreditPolicy& policy, const Evidence& evidence,
                                     const FraudRow& row, Decimal repeat_factor, Warnings& warnings) {
  RowCalc calc;
  calc.row = &row;
  CREDITBOT_ASSIGN_OR_RETURN(calc.service_sid, ResolveService(evidence, row));

  std::vector<Span> mode_spans;
  for (const ModeInterval& interval : evidence.modes) {
    if (interval.service_sid == calc.service_sid) {
      mode_spans.push_back(Span{static_cast<int>(ModeIndex(interval.mode)), interval.from, interval.to});
    }
  }
  std::optional<Majority> mode = MajorityOnDay(mode_spans, row.day, static_cast<int>(kAllModes.size()));
  if (!mode) {
    return absl::FailedPreconditionError(
        absl::StrCat("no Fraud Guard setting for service ", calc.service_sid, " on ", Day(row.day)));
  }
  calc.mode = kAllModes[static_cast<size_t>(mode->label)];
  calc.mixed = mode->mixed;
  if (calc.mixed) {
    warnings.Add(absl::StrCat("the Fraud Guard mode of service ", calc.service_sid, " changed during ",
                              Day(row.day), ": its rows use the mode in force for most of the day (",
                              std::string(ModeName(calc.mode)), ") and are flagged mode_mixed_day"));
  }

  // Overrides: Fraud Guard did not apply, so no mode is expected to block anything.
  if (!row.country.empty()) {
    std::vector<Span> geo_spans;
    for (const GeoPermissionInterval& geo : evidence.geo_permissions) {
      if (geo.account_sid == row.account_sid && absl::EqualsIgnoreCase(geo.iso_country, row.country)) {
        geo_spans.push_back(Span{GeoLabel(geo.permission), geo.from, geo.to});
      }
    }
    std::optional<Majority> geo = MajorityOnDay(geo_spans, row.day, kGeoLabels);
    if (geo && geo->label == kGeoAllow) calc.override_treatment = Treatment::kOverrideGeoAllow;
  }
  if (row.country.empty()) {
    for (const GeoPermissionInterval& geo : evidence.geo_permissions) {
      if (geo.account_sid == row.account_sid && GeoLabel(geo.permission) == kGeoAllow) {
        warnings.Add(
            absl::StrCat("the report has no destination country, so Geo Permission 'allow' settings of ",
                         row.account_sid, " (which bypass Fraud Guard) could not be applied"));
      }
    }
  }
  if (!calc.override_treatment && calc.mode == Mode::kBasic) {
    for (const ServiceInfo& service : evidence.services) {
      if (service.service_sid == calc.service_sid && service.custom_code_enabled) {
        calc.override_treatment = Treatment::kOverrideCustomCodeBasic;
      }
    }
  }

  CREDITBOT_ASSIGN_OR_RETURN(calc.cost, LookUpCost(policy, evidence, row, warnings));

  const int64_t sent = row.attempts_sent;
  const int64_t blocked = row.attempts_blocked;
  calc.total = sent + blocked;
  const Decimal sent_d = Decimal::FromInt(sent);
  const Decimal blocked_d = Decimal::FromInt(blocked);
  const Decimal total_d = Decimal::FromInt(calc.total);
  if (sent > 0) calc.unit = Decimal::MulDiv(row.fraud_charges, Decimal::FromInt(1), sent_d);
  if (!calc.override_treatment) {
    for (Mode m : kProtectingModes) {
      CREDITBOT_ASSIGN_OR_RETURN(Decimal rate, LookUpBlockRate(policy, evidence, m, row.mcc, warnings));
      Decimal expected = Decimal::Mul(rate, total_d);  // X(M), exact: rate has ≤ 12 digits, T is whole
      Decimal shortfall = std::clamp(expected - blocked_d, Decimal(), sent_d);
      calc.shortfall[ModeIndex(m)] = shortfall;
      if (sent > 0) calc.eligible[ModeIndex(m)] = Decimal::MulDiv(shortfall, row.fraud_charges, sent_d);
    }
  }

  calc.deadline = LastDayOfMonth(row.day) + policy.promise_claim_days;
  const Decimal goodwill_share = Decimal::Mul(policy.k[ModeIndex(calc.mode)], repeat_factor);
  if (calc.override_treatment) {
    calc.treatment = *calc.override_treatment;
  } else if (calc.mode == Mode::kOff) {
    calc.treatment = Treatment::kOff;
  } else if (calc.mode == Mode::kMax && evidence.claim_date <= calc.deadline) {
    calc.treatment = Treatment::kPromise;
    calc.earned = calc.eligible[ModeIndex(Mode::kMax)];
  } else if (calc.mode == Mode::kMax && policy.late_max_policy == LateMaxPolicy::kZero) {
    calc.treatment = Treatment::kLateMaxZero;
  } else {
    calc.treatment = Treatment::kGoodwill;
    calc.earned = Decimal::Mul(goodwill_share, calc.eligible[ModeIndex(calc.mode)]);
  }
  if (calc.mode == Mode::kMax && evidence.claim_date > calc.deadline && !calc.override_treatment) {
    warnings.Add(absl::StrCat("Max rows of ", absl::FormatCivilTime(absl::CivilMonth(row.day)),
                              " were claimed on ", Day(evidence.claim_date), ", after the Promise deadline ",
                              Day(calc.deadline), ": ",
                              policy.late_max_policy == LateMaxPolicy::kGoodwill
                                  ? "credited as goodwill (late_max_policy = goodwill)"
                                  : "not credited (late_max_policy = zero)"));
  }
  return calc;
}

std::string Why(const RowCalc& calc, const CreditPolicy& policy, Decimal repeat_factor, bool cap_binds,
                bool below_minimum) {
  const std::string mode(ModeName(calc.mode));
  const Decimal e = calc.eligible[ModeIndex(calc.mode)];
  std::string why;
  switch (calc.treatment) {
    case Treatment::kPromise:
      why = absl::StrCat("max in force and claimed by ", Day(calc.deadline),
                         ": Promise pays E(max) = ", Money(e), " for a shortfall of ",
                         calc.shortfall[ModeIndex(Mode::kMax)].ToString(), " attempts");
      break;
    case Treatment::kGoodwill:
      why = absl::StrCat(mode, " in force",
                         calc.mode == Mode::kMax ? ", claimed after the Promise deadline " : "",
                         calc.mode == Mode::kMax ? Day(calc.deadline) : "", ": goodwill k·rf·E(", mode,
                         ") = ", policy.k[ModeIndex(calc.mode)].ToString(), " × ", repeat_factor.ToString(),
                         " × ", Money(e), " = ", Money(calc.earned));
      if (cap_binds)
        why += absl::StrCat(", scaled pro rata by the provider-cost cap to ", Money(calc.credited));
      break;
    case Treatment::kLateMaxZero:
      why = absl::StrCat("max in force but claimed after the Promise deadline ", Day(calc.deadline),
                         ": late_max_policy = zero");
      break;
    case Treatment::kOff:
      why = "Fraud Guard off: no mode was in force to block anything";
      break;
    case Treatment::kOverrideGeoAllow:
      why = absl::StrCat("Geo Permission 'allow' for ", calc.row->country,
                         " bypasses Fraud Guard: nothing was expected to be blocked in any mode");
      break;
    case Treatment::kOverrideCustomCodeBasic:
      why =
          "custom-code service in basic, which Fraud Guard does not support: nothing was expected to be "
          "blocked";
      break;
  }
  if (below_minimum && !calc.earned.IsZero())
    why += "; the total is below the minimum credit, so nothing is paid";
  if (calc.mixed)
    why += absl::StrCat("; the mode changed during the day, ", mode, " was in force for most of it");
  return why;
}

absl::StatusOr<CreditReport> Compute(const CreditPolicy& policy, const Evidence& evidence) {
  const FraudReport& report = evidence.report;
  CREDITBOT_RETURN_IF_ERROR(ValidateRows(report));
  Warnings warnings;
  if (!report.has_blocked_column) {
    warnings.Add(
        "the fraud report has no attempts_blocked column, so blocked counts were missing and taken as 0: the "
        "model cannot tell Fraud Guard under-performance from the residual fraud a mode is expected to let "
        "through, and the credit may be too high; add blocked counts to the Look");
  }

  CreditReport out;
  out.product = policy.name;
  out.policy_name = policy.name;
  out.policy_version = policy.version;
  out.policy_sha256 = policy.sha256;
  out.claim_date = evidence.claim_date;

  std::vector<std::string> accounts;
  for (const FraudRow& row : report.rows) {
    if (std::find(accounts.begin(), accounts.end(), row.account_sid) == accounts.end()) {
      accounts.push_back(row.account_sid);
    }
  }
  CREDITBOT_ASSIGN_OR_RETURN(out.parent_account_sid, ResolveParent(evidence, accounts));
  if (accounts.size() == 1) out.account_sid = accounts.front();

  const Decimal one = Decimal::FromInt(1);
  const Decimal repeat_factor = HadRecentCredit(policy, evidence) ? policy.repeat_factor : one;
  if (repeat_factor != one) {
    warnings.Add(absl::StrCat("repeat incident: parent account ", out.parent_account_sid,
                              " had a credit approved or issued within ", policy.repeat_window_days,
                              " days before the claim, so goodwill rows are multiplied by ",
                              repeat_factor.ToString(), " (Promise rows are not)"));
  }

  std::vector<RowCalc> calcs;
  calcs.reserve(report.rows.size());
  for (const FraudRow& row : report.rows) {
    CREDITBOT_ASSIGN_OR_RETURN(RowCalc calc, CalculateRow(policy, evidence, row, repeat_factor, warnings));
    calcs.push_back(std::move(calc));
  }

  // Parent-level totals.
  CreditSummary& summary = out.summary;
  for (const RowCalc& calc : calcs) {
    if (calc.treatment == Treatment::kPromise) summary.promise += calc.earned;
    if (IsGoodwill(calc)) {
      summary.goodwill_raw += calc.earned;
      summary.goodwill_cap += calc.cost * calc.row->attempts_sent;
    }
  }
  summary.cap_binds = policy.cap_goodwill_at_cost && summary.goodwill_raw > summary.goodwill_cap;
  summary.goodwill = summary.cap_binds ? summary.goodwill_cap : summary.goodwill_raw;
  summary.raw = summary.promise + summary.goodwill;
  summary.repeat_factor = repeat_factor;
  summary.rows = static_cast<int>(calcs.size());
  summary.accounts = accounts;

  const bool below_minimum = summary.raw < policy.min_credit_usd;
  out.credit_amount = below_minimum ? Decimal() : summary.raw.Round(2);
  const bool pays = !out.credit_amount.IsZero();

  for (RowCalc& calc : calcs) {
    if (!pays) continue;
    if (calc.treatment == Treatment::kPromise) {
      calc.credited = calc.earned;
    } else if (IsGoodwill(calc)) {
      calc.credited = summary.cap_binds ? Decimal::MulDiv(calc.earned, summary.goodwill, summary.goodwill_raw)
                                        : calc.earned;
    }
  }

  // Headline outputs.
  for (const RowCalc& calc : calcs) {
    const FraudRow& row = *calc.row;
    out.fraud_total += row.fraud_charges;
    if (row.attempts_sent > 0) {
      if (!out.fraud_start || row.day < *out.fraud_start) out.fraud_start = row.day;
      if (!out.fraud_end || row.day > *out.fraud_end) out.fraud_end = row.day;
    }
    if (row.attempts_sent == 0 && !row.fraud_charges.IsZero()) {
      warnings.Add(absl::StrCat("a row of ", Day(row.day), " for MCC ", row.mcc,
                                " has charges but no attempts sent; it earns nothing"));
    }
  }

  out.mrr = evidence.mrr;
  if (evidence.mrr) {
    summary.approval_threshold =
        std::min(policy.auto_approve_limit_usd, Decimal::Mul(policy.approval_mrr_multiple, *evidence.mrr));
    out.needs_approval = out.credit_amount > summary.approval_threshold;
  } else {
    summary.approval_threshold = Decimal();
    out.needs_approval = pays;
    warnings.Add(absl::StrCat("no MRR found for parent account ", out.parent_account_sid,
                              ": every non-zero credit needs approval"));
  }

  if (!pays) {
    bool all_off = std::all_of(calcs.begin(), calcs.end(), [](const RowCalc& calc) {
      return calc.treatment == Treatment::kOff || calc.row->fraud_charges.IsZero();
    });
    if (summary.raw.IsZero()) {
      out.reason = all_off ? "fraud_guard_off" : "no_shortfall";
    } else {
      out.reason = "below_minimum";
    }
  }

  // output_df: the actual split by mode in force, and the counterfactual "as if every service were in M".
  for (Mode m : kAllModes) out.output_df[ModeIndex(m)].mode = m;
  Decimal cost_all;  // Σ A·c over the rows Fraud Guard applies to (override rows contribute nothing)
  std::array<Decimal, 4> if_mode;
  for (const RowCalc& calc : calcs) {
    ModeBreakdown& actual = out.output_df[ModeIndex(calc.mode)];
    actual.fraud_charges_in_mode += calc.row->fraud_charges;
    actual.credit_in_mode += calc.credited;
    for (Mode m : kProtectingModes) {
      out.output_df[ModeIndex(m)].expected_blocked_if_mode += calc.shortfall[ModeIndex(m)];
    }
    if (calc.override_treatment) continue;
    cost_all += calc.cost * calc.row->attempts_sent;
    for (Mode m : kProtectingModes) {
      if_mode[ModeIndex(m)] += Decimal::Mul(policy.k[ModeIndex(m)], calc.eligible[ModeIndex(m)]);
    }
  }
  for (Mode m : {Mode::kBasic, Mode::kStandard}) {
    Decimal value = if_mode[ModeIndex(m)];
    if (policy.cap_goodwill_at_cost) value = std::min(value, cost_all);
    out.output_df[ModeIndex(m)].credit_if_mode = value;
  }
  out.output_df[ModeIndex(Mode::kMax)].credit_if_mode = if_mode[ModeIndex(Mode::kMax)];

  Mode dominant = Mode::kOff;
  for (Mode m : kAllModes) {
    if (out.output_df[ModeIndex(m)].fraud_charges_in_mode >
        out.output_df[ModeIndex(dominant)].fraud_charges_in_mode) {
      dominant = m;
    }
  }
  out.fraud_guard_mode = dominant;

  for (const RowCalc& calc : calcs) {
    const FraudRow& row = *calc.row;
    CreditLine line;
    line.day = row.day;
    line.account_sid = row.account_sid;
    line.service_sid = calc.service_sid;
    line.mcc = row.mcc;
    line.mnc = row.mnc;
    line.country = row.country;
    line.mode = calc.mode;
    line.mode_mixed_day = calc.mixed;
    line.attempts_sent = row.attempts_sent;
    line.attempts_blocked = row.attempts_blocked;
    line.total_attempts = calc.total;
    line.charges = row.fraud_charges;
    line.unit_charge = calc.unit;
    line.provider_cost = calc.cost;
    line.shortfall = calc.shortfall[ModeIndex(calc.mode)];
    line.eligible = calc.eligible[ModeIndex(calc.mode)];
    line.credited = calc.credited;
    line.treatment = calc.treatment;
    line.why = Why(calc, policy, repeat_factor, summary.cap_binds, !pays);
    out.lines.push_back(std::move(line));
  }
  out.warnings = warnings.Take();
  return out;
}

}  // namespace

absl::StatusOr<CreditReport> ComputeCredit(const CreditPolicy& policy, const Evidence& evidence) {
  try {
    return Compute(policy, evidence);
  } catch (const std::overflow_error& error) {
    // Only reachable with absurd inputs (Decimal's limits are far beyond any real report).
    return absl::InvalidArgumentError(absl::StrCat("numbers in the report are too large: ", error.what()));
  }
}

}  // namespace creditbot
