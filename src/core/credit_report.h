// CreditReport: the result of one calculation, as the credit engine computes it. report_json renders it
// as the result JSON of ARCHITECTURE.md; reply_renderer turns it into the Slack thread reply.
//
// Value types; thread-compatible. A CreditReport owns all its data (it never points into the Evidence).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/already_credited.h"
#include "core/decimal.h"
#include "core/mode.h"
#include "core/report_day.h"

namespace creditbot {

struct ModeBreakdown {
  Mode mode = Mode::kOff;
  Decimal fraud_charges_in_mode;     // Σ F over rows whose mode in force is `mode`
  Decimal credit_in_mode;            // the credit those rows received, exact: their promise plus their
                                     // goodwill × GOODWILL ÷ Σ goodwill when the cap binds (Σ over modes
                                     // = PROMISE + GOODWILL; all 0 when the credit is 0)
  Decimal expected_blocked_if_mode;  // Σ S(mode) over all rows (attempts; may be fractional)
  Decimal credit_if_mode;            // Σ k(mode)·E(mode) over all rows, with the mode's cap
};

// One empty breakdown for each of Fraud Guard's four modes, in report order.
std::vector<ModeBreakdown> FraudGuardBreakdown();

// How one fraud-report row was treated.
enum class Treatment : uint8_t {
  kPromise,                  // max, claim on time: E(max), uncapped
  kGoodwill,                 // basic/standard, or late max with late_max_policy = goodwill
  kLateMaxZero,              // max, late claim, late_max_policy = zero
  kOff,                      // Fraud Guard off: b(off) = 0
  kOverrideGeoAllow,         // Geo Permission "allow" for the row's country bypasses Fraud Guard
  kOverrideCustomCodeBasic,  // custom-code service in Basic: Fraud Guard unsupported
};

// The text columns of a line. Every line of the same (account, service, MCC, MNC, country) shares one:
// a large report has few distinct ones, and account and service SIDs (34 characters) are too long for
// std::string's inline buffer, so a copy per line would be two allocations a row (issue 7).
struct LineText {
  std::string account_sid, service_sid, mcc, mnc, country;
};

// One worked-out fraud-report row. 192 bytes: the money first, so that their 16-byte alignment pads once; its
// days in 4 bytes each (core/report_day.h).
//
// Its `why`, one sentence for an auditor (e.g. "standard in force: goodwill k·rf·E(standard) = 1 × 1 ×
// 60.00 = 60.00"), is worded by WhyOf from the line and its report only when it is read: wording every line
// cost the engine more than computing it, and most lines of a large report are only ever rendered once,
// into the result JSON. The line keeps the few facts the sentence needs that are not among its values
// (`earned`, `k`, `promise_deadline`); the rest come from the report (repeat factor, whether the cap binds,
// whether anything is paid).
struct CreditLine {
  Decimal charges;        // F
  Decimal unit_charge;    // u = F / A (0 when A = 0)
  Decimal provider_cost;  // c
  Decimal shortfall;      // S(M*)
  Decimal eligible;       // E(M*) (E(max) for promise rows)
  Decimal earned;         // E(M*) for promise rows, k·rf·E(M*) for goodwill rows, else 0
  Decimal k;              // k(M*), the policy's goodwill share of the mode in force
  Decimal credited;       // what the row received, after caps and the minimum
  ReportDay day;
  ReportDay promise_deadline;            // the Promise deadline of the row's month (rows with M* = max only)
  std::shared_ptr<const LineText> text;  // set by the engine and the result-JSON reader; null reads as ""
  int64_t attempts_sent = 0;             // A
  int64_t attempts_blocked = 0;          // B
  int64_t total_attempts = 0;            // T = A + B
  Mode mode = Mode::kOff;                // M*, the mode in force
  bool mode_mixed_day = false;           // the mode changed during the day; M* is the majority mode
  Treatment treatment = Treatment::kOff;

  const std::string& account_sid() const { return Text().account_sid; }
  const std::string& service_sid() const { return Text().service_sid; }
  const std::string& mcc() const { return Text().mcc; }
  const std::string& mnc() const { return Text().mnc; }
  const std::string& country() const { return Text().country; }

 private:
  const LineText& Text() const;
};
// Issue 20's budget (at most 300 bytes a report row, with the row and its index): a field added here counts.
static_assert(sizeof(CreditLine) <= 192, "a CreditLine is held once per report row");

struct CreditSummary {
  Decimal promise;       // PROMISE
  Decimal goodwill_raw;  // Σ goodwill rows (after k and rf)
  Decimal goodwill_cap;  // Σ A·c over goodwill rows
  Decimal goodwill;      // GOODWILL (capped when cap_goodwill_at_cost)
  Decimal raw;           // PROMISE + GOODWILL, unrounded
  Decimal approval_threshold;
  Decimal repeat_factor;  // rf applied to goodwill rows (1 when no repeat incident)
  bool cap_binds = false;
  int rows = 0;                       // lines, after duplicate cells were merged
  std::vector<std::string> accounts;  // distinct accounts of the report
  int duplicates_merged = 0;          // report rows summed into an earlier row of the same cell and day
  // The policy's parameters that explain the outcome in words (the reply): the minimum, the approval rule
  // (threshold = min(auto_approve_limit, approval_mrr_multiple × MRR)) and the repeat-incident window.
  Decimal min_credit;
  Decimal auto_approve_limit;
  Decimal approval_mrr_multiple;
  int repeat_window_days = 0;
};

struct CreditReport {
  std::string product;  // the policy's name
  std::string policy_name, policy_version, policy_sha256;
  std::optional<std::string> account_sid;  // set when the report names exactly one account
  std::string parent_account_sid;
  absl::CivilDay claim_date;
  std::optional<absl::CivilDay> fraud_start, fraud_end;  // first/last day with A > 0
  Decimal fraud_total;
  std::optional<Decimal> mrr;
  Decimal credit_amount;  // rounded half-up to cents, or 0
  std::string currency = "USD";
  bool needs_approval = false;
  // below_minimum, fraud_guard_off, no_shortfall; already_credited when every row of the report was left
  // out because earlier requests hold its cells (already_credited says which).
  std::optional<std::string> reason;
  std::vector<std::string> warnings;
  Mode fraud_guard_mode = Mode::kOff;  // the mode in force for the largest share of fraud charges
  // The policy's modes in its report order (Fraud Guard's off, basic, standard, max unless the policy
  // declares others, e.g. off, on): one entry each. DescribeProtection (credit_engine.h) sets them.
  std::vector<ModeBreakdown> output_df = FraudGuardBreakdown();
  // The protection switch, as the policy describes it (CreditPolicy [protection]), for the words of the reply
  // and the lines: its name, what one switch covers ("service" or "account"), and its promise mode (none:
  // no public guarantee).
  std::string protection_name = "Fraud Guard";
  std::string protected_unit = "service";
  std::optional<Mode> promise_mode = Mode::kMax;
  std::vector<CreditLine> lines;
  CreditSummary summary;
  // The report's rows left out before the calculation because earlier requests of the parent hold their
  // cells (already_credited.h); the rest of the report describes only the rows computed. Empty: none.
  AlreadyCredited already_credited;
};

std::string_view TreatmentName(Treatment treatment);

// The `why` of `line`, a line of `report`: which treatment it received and why, in one sentence.
std::string WhyOf(const CreditLine& line, const CreditReport& report);

}  // namespace creditbot
