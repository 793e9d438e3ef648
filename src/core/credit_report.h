// CreditReport: the result of one calculation, as the credit engine computes it. report_json renders it
// as the result JSON of ARCHITECTURE.md; reply_renderer turns it into the Slack thread reply.
//
// Value types; thread-compatible. A CreditReport owns all its data (it never points into the Evidence).
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/decimal.h"
#include "core/mode.h"

namespace creditbot {

struct ModeBreakdown {
  Mode mode = Mode::kOff;
  Decimal fraud_charges_in_mode;     // Σ F over rows whose mode in force is `mode`
  Decimal credit_in_mode;            // the credit those rows received (after caps, pro rata)
  Decimal expected_blocked_if_mode;  // Σ S(mode) over all rows (attempts; may be fractional)
  Decimal credit_if_mode;            // Σ k(mode)·E(mode) over all rows, with the mode's cap
};

// How one fraud-report row was treated.
enum class Treatment {
  kPromise,                  // max, claim on time: E(max), uncapped
  kGoodwill,                 // basic/standard, or late max with late_max_policy = goodwill
  kLateMaxZero,              // max, late claim, late_max_policy = zero
  kOff,                      // Fraud Guard off: b(off) = 0
  kOverrideGeoAllow,         // Geo Permission "allow" for the row's country bypasses Fraud Guard
  kOverrideCustomCodeBasic,  // custom-code service in Basic: Fraud Guard unsupported
};

// Why a line received what it did: one sentence for an auditor, e.g. "standard in force: goodwill
// k·rf·E(standard) = 1 × 1 × 60.00 = 60.00". The engine records the facts the sentence is made of, and the
// sentence is worded only when it is read: wording every line cost the engine more than computing it
// (issue 7), and most lines of a large report are only ever rendered once, into the result JSON.
//
// Reads like the std::string it replaced: Text() (or an explicit std::string conversion) gives the
// sentence, empty() is true only for a default-constructed LineWhy, nlohmann::json stores it as that string
// (`json = line.why`, through the to_json below) and GoogleTest prints it.
class LineWhy {
 public:
  // What the sentence says; each treatment uses some of these.
  struct Facts {
    Treatment treatment = Treatment::kOff;
    Mode mode = Mode::kOff;       // M*
    bool mode_mixed_day = false;  // adds "the mode changed during the day"
    bool cap_binds = false;       // goodwill rows were scaled pro rata by the provider-cost cap
    bool nothing_paid = false;    // the credit is 0: a row that earned something says so
    absl::CivilDay deadline;      // the Promise deadline of the row's month (max rows only)
    Decimal eligible;             // E(M*)
    Decimal shortfall;            // S(M*)
    Decimal k;                    // k(M*) (goodwill rows)
    Decimal repeat_factor;        // rf (goodwill rows)
    Decimal earned;               // promise or goodwill before the cap
    Decimal credited;             // what the row received
    std::string country;          // the row's country (override_geo_allow rows only)
  };

  LineWhy() = default;
  explicit LineWhy(Facts facts) : facts_(std::move(facts)), worded_(true) {}

  // The sentence; "" for a default-constructed LineWhy.
  std::string Text() const;
  bool empty() const { return !worded_; }
  const Facts& facts() const { return facts_; }
  // Records what the line finally received, which the engine knows only once every row is worked out:
  // the credited amount, whether the provider-cost cap scaled goodwill, whether nothing is paid.
  void SetOutcome(Decimal credited, bool cap_binds, bool nothing_paid) {
    facts_.credited = credited;
    facts_.cap_binds = cap_binds;
    facts_.nothing_paid = nothing_paid;
  }
  explicit operator std::string() const { return Text(); }

  // nlohmann::json's conversion hook (found by argument-dependent lookup): the sentence, as a string.
  template <typename Json>
  friend void to_json(Json& json, const LineWhy& why) {
    json = why.Text();
  }

 private:
  Facts facts_;
  bool worded_ = false;
};

// Prints Text() (for GoogleTest failure messages).
void PrintTo(const LineWhy& why, std::ostream* os);

struct CreditLine {
  absl::CivilDay day;
  std::string account_sid, service_sid, mcc, mnc, country;
  Mode mode = Mode::kOff;        // M*, the mode in force
  bool mode_mixed_day = false;   // the mode changed during the day; M* is the majority mode
  int64_t attempts_sent = 0;     // A
  int64_t attempts_blocked = 0;  // B
  int64_t total_attempts = 0;    // T = A + B
  Decimal charges;               // F
  Decimal unit_charge;           // u = F / A (0 when A = 0)
  Decimal provider_cost;         // c
  Decimal shortfall;             // S(M*)
  Decimal eligible;              // E(M*) (E(max) for promise rows)
  Decimal credited;              // what the row received, after caps and the minimum
  Treatment treatment = Treatment::kOff;
  LineWhy why;  // one sentence for an auditor, worded when read
};

struct CreditSummary {
  Decimal promise;       // PROMISE
  Decimal goodwill_raw;  // Σ goodwill rows (after k and rf)
  Decimal goodwill_cap;  // Σ A·c over goodwill rows
  Decimal goodwill;      // GOODWILL (capped when cap_goodwill_at_cost)
  Decimal raw;           // PROMISE + GOODWILL, unrounded
  Decimal approval_threshold;
  Decimal repeat_factor;  // rf applied to goodwill rows (1 when no repeat incident)
  bool cap_binds = false;
  int rows = 0;
  std::vector<std::string> accounts;  // distinct accounts of the report
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
  std::optional<std::string> reason;  // below_minimum, fraud_guard_off, no_shortfall
  std::vector<std::string> warnings;
  Mode fraud_guard_mode = Mode::kOff;      // the mode in force for the largest share of fraud charges
  std::array<ModeBreakdown, 4> output_df;  // by ModeIndex: off, basic, standard, max
  std::vector<CreditLine> lines;
  CreditSummary summary;
};

std::string_view TreatmentName(Treatment treatment);

}  // namespace creditbot
