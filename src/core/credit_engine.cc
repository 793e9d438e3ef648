// The credit engine: CREDIT_POLICY.md turned into code. Every quantity is a Decimal kept at 12 fractional
// digits (E = S·F/A is one exact MulDiv); the only rounding to cents is of the final credit amount.
//
// Structure: resolve the parent account and each row's service, then per row the mode in force (majority
// of the day), overrides, provider cost and block rates, X/S/E for every mode and the row's treatment;
// then the parent-level totals (goodwill cap, minimum, approval) and the outputs (lines, output_df,
// warnings).
//
// Speed (issue 7: at least 5M rows/s on one core): the per-row path formats no text and allocates
// nothing. A row's strings are looked up once per distinct (account, service, MCC, MNC, country), its
// "cell", whose lines share one copy of them (LineText); each reference-data answer is worked out once for
// what it depends on (the mode in force per (service, day), Geo Permission per (account, country, day), block
// rates per (MCC, mode)), and provider costs are chosen among the few candidates of the row's (MCC, MNC).
// Every answer is worked out at the first row that needs it, in the order a plain row-by-row loop would ask
// for it, so errors and warnings, and their order, are exactly those of the row-by-row definition. Sums are
// added during the row pass, still in row order (the same values); an overflow in a sum that was once a later
// pass is held back to where that pass ran (HeldOverflow), so even absurd inputs fail as before. Lines are
// written once, as if the credit were paid and the cap did not bind (the usual outcome), and rewritten only
// when not. Arithmetic skips only divisions whose result is known exactly (E with S = 0 or S = A, a factor of
// exactly 1), and Decimal's 64-bit fast path gives the bits of its 128-bit one; no value changes. Text is
// made only for errors and warnings; a line's `why` is worded when read (WhyOf). The cell key is hashed and
// compared a word at a time (TextHash, SameText), day numbers are worked out once per row in closed form
// (DayNumber), and the ~20 MB of lines of a 100,000-row report are asked to live on huge pages
// (AdviseHugePages).
#include "core/credit_engine.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/status_macros.h"
#include "core/huge_pages.h"

namespace creditbot {
namespace {

// Attempts per row must stay below this so that T = A + B is a valid Decimal::FromInt argument.
constexpr int64_t kMaxAttempts = 100'000'000'000'000;  // 10^14

// The policy's modes that block something: every declared mode but off (Fraud Guard: basic, standard, max;
// SMS Pumping Protection: on), in the policy's order.
absl::Span<const Mode> ProtectingModes(const CreditPolicy& policy) {
  return absl::MakeConstSpan(policy.modes).subspan(1);
}

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

absl::Time StartOfDay(absl::CivilDay day) { return absl::FromCivil(day, absl::UTCTimeZone()); }

// Days and months as numbers, for hash keys.
//
// DayNumber is day − 1970-01-01, what `day - absl::CivilDay()` gives, by the proleptic Gregorian day count
// in closed form (shift the year to start in March so that the leap day is the last day of a year; count
// whole 400-year eras of 146,097 days, then years of 365 days plus their leap days, then days since 1
// March through the (153·m + 2) / 5 rule for month lengths). Exact integer arithmetic, a few dozen
// instructions where absl's civil-time difference costs several times that; it runs once per row.
int64_t DayNumber(absl::CivilDay day) {
  const int64_t month = day.month();                       // 1..12
  const int64_t year = day.year() - (month <= 2 ? 1 : 0);  // the year, starting in March
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;                                  // 0..399
  const int64_t month_from_march = month > 2 ? month - 3 : month + 9;            // 0..11
  const int64_t day_of_year = (153 * month_from_march + 2) / 5 + day.day() - 1;  // 0..365
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;  // 719468: days from 0000-03-01 to 1970-01-01
}
int64_t MonthNumber(absl::CivilMonth month) { return month - absl::CivilMonth(); }

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

// Geo Permission labels.
constexpr int kGeoOther = 0;
constexpr int kGeoAllow = 1;
constexpr int kGeoDisable = 2;
constexpr int kGeoMonitor = 3;
constexpr int kGeoLabels = 4;

// Labels of any span: a mode (by ModeIndex) or a Geo Permission label.
constexpr int kLabels = static_cast<int>(kModeCount);
static_assert(static_cast<int>(kKnownModes.size()) == kLabels && kGeoLabels <= kLabels);
static_assert(Decimal::kScale == 12);

// The label in force for most of the UTC day, over the parts of the day the spans cover. Ties go to the
// label in force later in the day (the latest setting). nullopt when no span overlaps the day.
std::optional<Majority> MajorityOnDay(const std::vector<Span>& spans, absl::CivilDay day) {
  const absl::Time start = StartOfDay(day);
  const absl::Time end = StartOfDay(day + 1);
  std::array<absl::Duration, kLabels> covered{};  // zero
  std::array<absl::Time, kLabels> last;
  last.fill(absl::InfinitePast());
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
  for (int label = 0; label < kLabels; ++label) {
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

int GeoLabel(const std::string& permission) {
  std::string lower = absl::AsciiStrToLower(permission);
  if (lower == "allow") return kGeoAllow;
  if (lower == "disable") return kGeoDisable;
  if (lower == "monitor") return kGeoMonitor;
  return kGeoOther;
}

constexpr Decimal kOne = Decimal::FromRaw(1'000'000'000'000);  // 1, at Decimal::kScale = 12

// Decimal::Mul(factor, value), without its division where the product is known exactly: a factor of 1
// (the default k and repeat factor) or a zero value.
Decimal Scale(Decimal factor, Decimal value) {
  if (factor == kOne) return value;
  if (value.IsZero()) return Decimal();
  return Decimal::Mul(factor, value);
}

// E = S·F/A for A > 0: one exact MulDiv, skipped where its result is known exactly (S = 0 gives 0,
// S = A gives F).
Decimal Eligible(Decimal shortfall, Decimal charges, Decimal sent) {
  if (shortfall.IsZero()) return Decimal();
  if (shortfall == sent) return charges;
  return Decimal::MulDiv(shortfall, charges, sent);
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

// The first min(size, 8) bytes of `text` (size < 8: all of them) as a number that, for a given size,
// differs whenever the bytes do: every byte lands in it. Fixed-size loads only, so no call to memcpy.
uint64_t LoadUpTo8(const char* data, size_t size) {
  if (size >= 8) {
    uint64_t word;
    std::memcpy(&word, data, 8);
    return word;
  }
  if (size >= 4) {  // two overlapping 4-byte loads cover bytes 0..size-1
    uint32_t low, high;
    std::memcpy(&low, data, 4);
    std::memcpy(&high, data + size - 4, 4);
    return (uint64_t{high} << 32) | low;
  }
  if (size == 0) return 0;
  // 1..3 bytes: the first, middle and last byte cover them all.
  const auto byte = [&](size_t i) { return uint64_t{static_cast<unsigned char>(data[i])}; };
  return (byte(0) << 16) | (byte(size / 2) << 8) | byte(size - 1);
}

// Equality of short strings without a call to memcmp: equal sizes, then 8 bytes at a time (the last
// word is the overlapping tail, so every byte is compared).
bool SameText(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  size_t size = a.size();
  if (size <= 8) return LoadUpTo8(a.data(), size) == LoadUpTo8(b.data(), size);
  for (size_t at = 0; at + 8 < size; at += 8) {
    if (LoadUpTo8(a.data() + at, 8) != LoadUpTo8(b.data() + at, 8)) return false;
  }
  return LoadUpTo8(a.data() + size - 8, 8) == LoadUpTo8(b.data() + size - 8, 8);
}

// A fast hash of a few strings for the cell map, 8 bytes at a time: each word (and each size, so that
// "ab"+"c" and "a"+"bc" differ) is multiplied into the state. Collisions cost only a comparison, never a
// wrong answer: the map compares keys with SameText.
class TextHash {
 public:
  void Add(absl::string_view text) {
    const size_t size = text.size();
    size_t at = 0;
    for (; at + 8 < size; at += 8) Mix(LoadUpTo8(text.data() + at, 8));
    Mix(LoadUpTo8(text.data() + at, size - at) ^ (uint64_t{size} << 56));
  }
  // Spreads the state over all 64 bits (absl::flat_hash_map uses both the low and the high bits).
  size_t Finish() const {
    uint64_t x = state_;
    x ^= x >> 32;
    x *= 0xd6e8feb86659fd93ULL;
    x ^= x >> 32;
    return static_cast<size_t>(x);
  }

 private:
  void Mix(uint64_t word) {
    __extension__ using U128 = unsigned __int128;
    const U128 product = static_cast<U128>(state_ ^ word) * 0x9e3779b97f4a7c15ULL;
    state_ = static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
  }
  uint64_t state_ = 0x243f6a8885a308d3ULL;
};

// Everything the engine works out for one fraud-report row (scratch, reused row after row).
struct RowCalc {
  int service = 0;                                // index of its service in the RowCalculator
  const std::shared_ptr<const LineText>* text{};  // the text of its cell (never null after Calculate)
  Mode mode = Mode::kOff;                         // M*
  bool mixed = false;
  std::optional<Treatment> override_treatment;
  int64_t total = 0;                          // T
  Decimal unit;                               // u
  Decimal cost;                               // c
  std::array<Decimal, kModeCount> shortfall;  // S(M), by ModeIndex
  std::array<Decimal, kModeCount> eligible;   // E(M), by ModeIndex
  Treatment treatment = Treatment::kOff;
  absl::CivilDay deadline;  // promise deadline of the row's month (max rows only)
  Decimal earned;           // promise or goodwill before the cap
};

// Runs additions whose overflow (absurd inputs only) must surface later than it happens. The engine adds
// some sums during the row pass that were once separate passes after every row had been worked out; an
// overflow in them then came after any row's own error, and after the sums of earlier passes. Run holds
// the first overflow back (and skips later additions, whose sums are then unused); Rethrow raises it where
// the separate pass used to run, so errors and their order are unchanged.
class HeldOverflow {
 public:
  template <typename Add>
  void Run(Add add) {
    if (held_) return;
    try {
      add();
    } catch (const std::overflow_error&) {
      held_ = std::current_exception();
    }
  }
  void Rethrow() const {
    if (held_) std::rethrow_exception(held_);
  }

 private:
  std::exception_ptr held_;
};

// The sums over rows behind the goodwill cap and the counterfactual cap: PROMISE, the goodwill before the
// cap, Σ A·c over goodwill rows and Σ A·c over the rows Fraud Guard applies to.
struct CapSums {
  Decimal promise, goodwill_raw, goodwill_cap, cost_all;

  void Add(const RowCalc& calc, int64_t sent) {
    if (calc.treatment == Treatment::kPromise) promise += calc.earned;
    if (calc.treatment == Treatment::kGoodwill) {
      goodwill_raw += calc.earned;
      goodwill_cap += calc.cost * sent;
    }
    if (!calc.override_treatment) cost_all += calc.cost * sent;
  }
};

// What a line receives when the credit is paid and the provider-cost cap does not bind (the usual case):
// what it earned if it is a promise or goodwill row, else nothing.
Decimal CreditedIfPaidUncapped(const RowCalc& calc) {
  const bool earns = calc.treatment == Treatment::kPromise || calc.treatment == Treatment::kGoodwill;
  return earns ? calc.earned : Decimal();
}

// Appends the line of a worked-out row. What it receives (credited) depends on the parent-level totals;
// the line is written as if the credit were paid and the cap did not bind, and the engine rewrites it when
// that turns out false.
void AddLine(const FraudRow& row, const RowCalc& calc, const CreditPolicy& policy,
             std::vector<CreditLine>& lines) {
  CreditLine& line = lines.emplace_back();
  line.day = row.day;
  line.text = *calc.text;
  line.attempts_sent = row.attempts_sent;
  line.attempts_blocked = row.attempts_blocked;
  line.total_attempts = calc.total;
  line.mode = calc.mode;
  line.mode_mixed_day = calc.mixed;
  line.treatment = calc.treatment;
  line.promise_deadline = calc.deadline;
  line.charges = row.fraud_charges;
  line.unit_charge = calc.unit;
  line.provider_cost = calc.cost;
  line.shortfall = calc.shortfall[ModeIndex(calc.mode)];
  line.eligible = calc.eligible[ModeIndex(calc.mode)];
  line.earned = calc.earned;
  line.k = policy.k[ModeIndex(calc.mode)];
  line.credited = CreditedIfPaidUncapped(calc);
}

absl::Status ValidateRows(const FraudReport& report) {
  if (report.rows.empty()) return absl::InvalidArgumentError("the fraud report has no rows");
  for (size_t i = 0; i < report.rows.size(); ++i) {
    const FraudRow& row = report.rows[i];
    auto where = [&] {
      return absl::StrCat("fraud report row ", i + 1, " (", Day(row.day), ", ", row.account_sid, ", MCC ",
                          row.mcc, ")");
    };
    if (row.attempts_sent < 0 || row.attempts_blocked < 0) {
      return absl::InvalidArgumentError(absl::StrCat(where(), " has negative attempts"));
    }
    if (row.attempts_sent >= kMaxAttempts || row.attempts_blocked >= kMaxAttempts) {
      return absl::InvalidArgumentError(absl::StrCat(where(), " has an implausible number of attempts"));
    }
    if (row.fraud_charges.IsNegative()) {
      return absl::InvalidArgumentError(absl::StrCat(where(), " has negative fraud charges"));
    }
  }
  return absl::OkStatus();
}

// The one parent account of the report's accounts, or the error naming unknown accounts / the parents.
absl::StatusOr<std::string> ResolveParent(const Evidence& evidence,
                                          const std::vector<std::string>& accounts) {
  absl::flat_hash_map<absl::string_view, const AccountInfo*> known;  // the last entry of an account wins
  for (const AccountInfo& candidate : evidence.accounts)
    known.insert_or_assign(candidate.account_sid, &candidate);
  std::vector<std::string> unknown;
  std::vector<std::pair<std::string, std::vector<std::string>>> parents;  // parent → its report accounts
  for (const std::string& account : accounts) {
    auto found = known.find(account);
    if (found == known.end()) {
      unknown.push_back(account);
      continue;
    }
    const AccountInfo* info = found->second;
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
// The result views a string of `evidence`.
absl::StatusOr<absl::string_view> ResolveService(const Evidence& evidence, const FraudRow& row) {
  if (!row.service_sid.empty()) return absl::string_view(row.service_sid);
  std::vector<absl::string_view> found;
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

absl::StatusOr<Decimal> LookUpBlockRate(const CreditPolicy& policy, const Evidence& evidence, Mode mode,
                                        absl::string_view mcc, Warnings& warnings) {
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

// Whether an earlier credit of `product` counts for this policy: its name, or one of repeat_products,
// compared case-insensitively (CREDIT_POLICY.md, settled rules), surrounding blanks ignored.
bool IsRepeatProduct(const CreditPolicy& policy, absl::string_view product) {
  product = absl::StripAsciiWhitespace(product);
  if (absl::EqualsIgnoreCase(product, absl::StripAsciiWhitespace(policy.name))) return true;
  for (const std::string& other : policy.repeat_products) {
    if (absl::EqualsIgnoreCase(product, absl::StripAsciiWhitespace(other))) return true;
  }
  return false;
}

bool HadRecentCredit(const CreditPolicy& policy, const Evidence& evidence) {
  // Credits created in [claim − window, claim): strictly before the claim date, so a credit recorded for
  // this very request (e.g. on a recomputation) never halves it.
  const absl::CivilDay window_start = evidence.claim_date - policy.repeat_window_days;
  for (const PriorCredit& credit : evidence.prior_credits) {
    if (!IsRepeatProduct(policy, credit.product)) continue;
    std::string status = absl::AsciiStrToLower(absl::StripAsciiWhitespace(credit.status));
    if (status != "approved" && status != "issued") continue;
    if (credit.created >= window_start && credit.created < evidence.claim_date) return true;
  }
  return false;
}

// Works out the rows of one request with its lookups (see the top comment). The constructor files every
// row under its cell; Calculate then works out rows one by one, in order. Holds views of the Evidence's
// strings, so it lives inside one Compute call.
class RowCalculator {
 public:
  RowCalculator(const CreditPolicy& policy, const Evidence& evidence, Decimal repeat_factor,
                Warnings& warnings);

  // The report's distinct accounts, in the order its rows first name them.
  const std::vector<absl::string_view>& accounts() const { return accounts_; }

  // For each row, the index of the first row of its cell and day (the same day, account, service, MCC,
  // MNC and country); empty when no two rows share one (the usual case, found without building the list).
  std::vector<size_t> FirstRowOfCellDays() const;

  // Works out the mode, overrides, cost, block rates, X/S/E and treatment (not yet the cap) of report row
  // `index` into `calc`.
  absl::Status Calculate(size_t index, RowCalc& calc);

 private:
  // The strings of a row that decide its lookups: everything but the day and the numbers.
  struct CellKey {
    absl::string_view account_sid, service_sid, mcc, mnc, country;
    friend bool operator==(const CellKey& a, const CellKey& b) {
      return SameText(a.account_sid, b.account_sid) && SameText(a.service_sid, b.service_sid) &&
             SameText(a.mcc, b.mcc) && SameText(a.mnc, b.mnc) && SameText(a.country, b.country);
    }
  };
  // Hashes the five strings in one pass, a word at a time (TextHash): every row is looked up, so this is
  // on the per-row path, and absl::Hash's per-string combining cost more than the rest of the lookup.
  struct CellKeyHash {
    size_t operator()(const CellKey& key) const {
      TextHash hash;
      for (absl::string_view text : {key.account_sid, key.service_sid, key.mcc, key.mnc, key.country}) {
        hash.Add(text);
      }
      return hash.Finish();
    }
  };
  struct Cell {
    int cost_key = 0;             // index into cost_keys_
    int account = 0;              // index into accounts_
    std::optional<int> service;   // index into services_, once resolved
    std::optional<int> geo;       // index into span_sets_ of the (account, country), once needed
    bool country_warned = false;  // the rows have no country and the account's Geo Permissions were checked
    std::shared_ptr<const LineText> text;  // what its lines say, once its service is resolved
  };
  // The answer of MajorityOnDay for one day, once worked out.
  struct DayMajority {
    bool known = false;
    std::optional<Majority> majority;
  };
  struct SpanSet {
    std::vector<Span> spans;
    bool allows = false;              // some span is a Geo Permission "allow"
    std::vector<DayMajority> by_day;  // by day − first_day_, when the report spans few days
  };
  struct Service {
    absl::string_view sid;
    int modes = 0;             // index into span_sets_: its Fraud Guard history
    bool custom_code = false;  // some ServiceInfo of it has custom code enabled
  };
  struct Mcc {
    absl::string_view mcc;
    std::array<std::optional<Decimal>, kModeCount> block_rate;  // by ModeIndex, once looked up
  };
  // A provider cost that may apply to a (MCC, MNC): for every network of the MCC, or for that MNC.
  struct CostCandidate {
    int64_t from = 0;  // day numbers; `to` is exclusive (INT64_MAX: still in force)
    int64_t to = 0;
    int rank = 1;  // 2 for an MCC+MNC cost, 1 for the MCC's every-network cost
    const ProviderCost* cost = nullptr;
  };
  struct CostKey {                          // one (MCC, MNC) of the report
    int mcc = 0;                            // index into mccs_
    std::vector<CostCandidate> candidates;  // in the Evidence's order
  };

  // Reports rarely span more days than this; beyond it, day answers are kept in a hash map instead.
  static constexpr int64_t kDenseDays = 4096;

  int CellOf(const FraudRow& row);
  int ServiceIndex(absl::string_view sid);
  int GeoSetOf(int account, const std::string& country);
  // The majority label of span set `set` on `day`, worked out once; `first` tells whether this call did.
  std::optional<Majority> MajorityOf(int set, absl::CivilDay day, int64_t day_number, bool& first);
  bool GeoAllows(Cell& cell, const FraudRow& row, int64_t day_number);
  absl::StatusOr<Decimal> CostOf(const CostKey& key, const FraudRow& row, int64_t day_number);
  absl::StatusOr<Decimal> BlockRateOf(Mcc& mcc, Mode mode);
  Decimal GoodwillShare(Mode mode);
  absl::CivilDay DeadlineOf(absl::CivilDay day);
  // The steps of Calculate, in the order of CREDIT_POLICY.md "The rule" (each error and warning in the order
  // a row raises them):
  // the row's service and the text of its line, resolved once per cell;
  absl::Status ResolveCell(const FraudRow& row, Cell& cell, RowCalc& calc);
  // M*, the mode in force for most of the row's day (warns once per mixed day of a service);
  absl::Status FindModeInForce(const FraudRow& row, const Service& service, int64_t day_number,
                               RowCalc& calc);
  // the overrides under which Fraud Guard did not apply, so no mode is expected to block anything: Geo
  // Permission "allow" for the row's country, a custom-code service in Basic;
  void ApplyOverrides(const FraudRow& row, Cell& cell, const Service& service, int64_t day_number,
                      RowCalc& calc);
  // T, u, and S(M) and E(M) for every protecting mode (left 0 under an override);
  absl::Status CalculateShortfalls(const FraudRow& row, const CostKey& cost_key, RowCalc& calc);
  // the treatment by the mode in force and what the row earned before the cap (warns once per late month).
  void ChooseTreatment(const FraudRow& row, RowCalc& calc);

  const CreditPolicy& policy_;
  const Evidence& evidence_;
  const Decimal repeat_factor_;
  Warnings& warnings_;

  std::vector<int> row_cells_;            // by report row
  std::vector<int64_t> row_day_numbers_;  // by report row: DayNumber(row.day), worked out once
  int64_t first_day_ = 0;                 // the report's first and last day numbers
  int64_t last_day_ = 0;
  absl::flat_hash_map<CellKey, int, CellKeyHash> cell_index_;
  std::vector<Cell> cells_;
  absl::flat_hash_map<absl::string_view, int> account_index_;
  std::vector<absl::string_view> accounts_;
  absl::flat_hash_map<absl::string_view, int> service_index_;
  std::vector<Service> services_;
  absl::flat_hash_map<std::pair<int, std::string>, int> geo_index_;  // (account, lower-case country)
  std::vector<SpanSet> span_sets_;
  absl::flat_hash_map<std::pair<int, int64_t>, std::optional<Majority>> majorities_;  // (set, day number)
  absl::flat_hash_map<absl::string_view, int> mcc_index_;
  std::vector<Mcc> mccs_;
  absl::flat_hash_map<std::pair<absl::string_view, absl::string_view>, int> cost_key_index_;
  std::vector<CostKey> cost_keys_;
  absl::flat_hash_set<std::pair<int, int64_t>> default_cost_warned_;  // (MCC, day number)
  absl::flat_hash_set<int64_t> late_months_warned_;
  std::array<std::optional<Decimal>, kModeCount> goodwill_share_;  // k(M)·rf by ModeIndex, once worked out
  std::optional<absl::CivilMonth> deadline_month_;                 // the month of deadline_
  absl::CivilDay deadline_;
};

RowCalculator::RowCalculator(const CreditPolicy& policy, const Evidence& evidence, Decimal repeat_factor,
                             Warnings& warnings)
    : policy_(policy), evidence_(evidence), repeat_factor_(repeat_factor), warnings_(warnings) {
  const std::vector<FraudRow>& rows = evidence.report.rows;
  row_cells_.reserve(rows.size());
  row_day_numbers_.reserve(rows.size());
  for (const FraudRow& row : rows) {
    row_cells_.push_back(CellOf(row));
    row_day_numbers_.push_back(DayNumber(row.day));
  }
  if (!rows.empty()) {
    const auto [first, last] = std::minmax_element(row_day_numbers_.begin(), row_day_numbers_.end());
    first_day_ = *first;
    last_day_ = *last;
  }
}

std::vector<size_t> RowCalculator::FirstRowOfCellDays() const {
  absl::flat_hash_map<std::pair<int, int64_t>, size_t> first;  // (cell, day number) → its first row
  first.reserve(row_cells_.size());
  std::vector<size_t> result;
  for (size_t i = 0; i < row_cells_.size(); ++i) {
    const auto [it, inserted] = first.try_emplace(std::pair(row_cells_[i], row_day_numbers_[i]), i);
    if (!inserted && result.empty()) {  // the first duplicate: every earlier row was its own first
      result.resize(row_cells_.size());
      for (size_t j = 0; j < i; ++j) result[j] = j;
    }
    if (!result.empty()) result[i] = it->second;
  }
  return result;
}

// Sums rows of the same cell and day into the first of them (`first_row` from FirstRowOfCellDays), in
// the order of those first rows. Attempt sums stop at kMaxAttempts, which ValidateRows then refuses.
std::vector<FraudRow> MergeRows(const std::vector<FraudRow>& rows, const std::vector<size_t>& first_row) {
  std::vector<FraudRow> merged;
  std::vector<size_t> merged_index(rows.size());
  auto add = [](int64_t a, int64_t b) { return std::min(a + b, kMaxAttempts); };  // each < 10^14: no overflow
  for (size_t i = 0; i < rows.size(); ++i) {
    if (first_row[i] == i) {
      merged_index[i] = merged.size();
      merged.push_back(rows[i]);
      continue;
    }
    FraudRow& into = merged[merged_index[first_row[i]]];
    into.attempts_sent = add(into.attempts_sent, rows[i].attempts_sent);
    into.attempts_blocked = add(into.attempts_blocked, rows[i].attempts_blocked);
    into.fraud_charges += rows[i].fraud_charges;
  }
  return merged;
}

// The cell of `row`, added on first sight (no errors, no warnings).
int RowCalculator::CellOf(const FraudRow& row) {
  const CellKey key{row.account_sid, row.service_sid, row.mcc, row.mnc, row.country};
  auto [it, inserted] = cell_index_.try_emplace(key, static_cast<int>(cells_.size()));
  if (!inserted) return it->second;

  Cell& cell = cells_.emplace_back();
  auto [account, new_account] =
      account_index_.try_emplace(key.account_sid, static_cast<int>(accounts_.size()));
  if (new_account) accounts_.push_back(key.account_sid);
  cell.account = account->second;

  auto [mcc, new_mcc] = mcc_index_.try_emplace(key.mcc, static_cast<int>(mccs_.size()));
  if (new_mcc) mccs_.push_back(Mcc{key.mcc, {}});
  auto [cost_key, new_cost_key] =
      cost_key_index_.try_emplace(std::pair(key.mcc, key.mnc), static_cast<int>(cost_keys_.size()));
  if (new_cost_key) {
    CostKey& added = cost_keys_.emplace_back();
    added.mcc = mcc->second;
    for (const ProviderCost& cost : evidence_.costs) {
      if (cost.mcc != row.mcc) continue;
      if (!cost.mnc.empty() && cost.mnc != row.mnc) continue;
      added.candidates.push_back(CostCandidate{
          DayNumber(cost.from), cost.to ? DayNumber(*cost.to) : INT64_MAX, cost.mnc.empty() ? 1 : 2, &cost});
    }
  }
  cell.cost_key = cost_key->second;
  return it->second;
}

int RowCalculator::ServiceIndex(absl::string_view sid) {
  auto [it, inserted] = service_index_.try_emplace(sid, static_cast<int>(services_.size()));
  if (!inserted) return it->second;
  Service& service = services_.emplace_back();
  service.sid = sid;
  service.modes = static_cast<int>(span_sets_.size());
  SpanSet& modes = span_sets_.emplace_back();
  // An account-level switch (SMS Pumping Protection) is keyed by the account, a service-level one by the
  // service.
  const bool by_account = policy_.scope == ProtectionScope::kAccount;
  for (const ModeInterval& interval : evidence_.modes) {
    if ((by_account ? interval.account_sid : interval.service_sid) == sid) {
      modes.spans.push_back(Span{static_cast<int>(ModeIndex(interval.mode)), interval.from, interval.to});
    }
  }
  for (const ServiceInfo& info : evidence_.services) {
    if (info.service_sid == sid && info.custom_code_enabled) service.custom_code = true;
  }
  return it->second;
}

int RowCalculator::GeoSetOf(int account, const std::string& country) {
  auto [it, inserted] = geo_index_.try_emplace(std::pair(account, absl::AsciiStrToLower(country)),
                                               static_cast<int>(span_sets_.size()));
  if (!inserted) return it->second;
  const absl::string_view account_sid = accounts_[static_cast<size_t>(account)];
  SpanSet& geos = span_sets_.emplace_back();
  for (const GeoPermissionInterval& geo : evidence_.geo_permissions) {
    if (geo.account_sid == account_sid && absl::EqualsIgnoreCase(geo.iso_country, country)) {
      geos.spans.push_back(Span{GeoLabel(geo.permission), geo.from, geo.to});
      if (geos.spans.back().label == kGeoAllow) geos.allows = true;
    }
  }
  return it->second;
}

std::optional<Majority> RowCalculator::MajorityOf(int set, absl::CivilDay day, int64_t day_number,
                                                  bool& first) {
  SpanSet& spans = span_sets_[static_cast<size_t>(set)];
  if (last_day_ - first_day_ < kDenseDays) {
    if (spans.by_day.empty()) spans.by_day.resize(static_cast<size_t>(last_day_ - first_day_ + 1));
    DayMajority& memo = spans.by_day[static_cast<size_t>(day_number - first_day_)];
    first = !memo.known;
    if (first) memo = DayMajority{true, MajorityOnDay(spans.spans, day)};
    return memo.majority;
  }
  auto [it, inserted] = majorities_.try_emplace(std::pair(set, day_number));
  if (inserted) it->second = MajorityOnDay(spans.spans, day);
  first = inserted;
  return it->second;
}

// Whether Geo Permission "allow" for the row's account and country is in force for most of its day.
bool RowCalculator::GeoAllows(Cell& cell, const FraudRow& row, int64_t day_number) {
  if (!cell.geo) cell.geo = GeoSetOf(cell.account, row.country);
  if (!span_sets_[static_cast<size_t>(*cell.geo)].allows) return false;  // "allow" is never in force
  bool first = false;
  std::optional<Majority> geo = MajorityOf(*cell.geo, row.day, day_number, first);
  return geo && geo->label == kGeoAllow;
}

// Provider cost: mcc+mnc before mcc alone, in force on the day (the latest start wins among overlaps);
// else the policy's default (with a warning); else an error naming the MCC.
absl::StatusOr<Decimal> RowCalculator::CostOf(const CostKey& key, const FraudRow& row, int64_t day_number) {
  const CostCandidate* best = nullptr;
  for (const CostCandidate& candidate : key.candidates) {
    if (day_number < candidate.from || day_number >= candidate.to) continue;
    if (best == nullptr || candidate.rank > best->rank ||
        (candidate.rank == best->rank && candidate.from > best->from)) {
      best = &candidate;
    }
  }
  if (best != nullptr) {
    const Decimal cost = best->cost->cost_usd_per_sms;
    if (cost.IsNegative()) {
      return absl::FailedPreconditionError(absl::StrCat("the provider cost of MCC ", row.mcc, " on ",
                                                        Day(row.day), " is negative (", cost.ToString(),
                                                        ")"));
    }
    return cost;
  }
  if (policy_.default_cost_usd) {
    if (default_cost_warned_.insert(std::pair(key.mcc, day_number)).second) {
      warnings_.Add(absl::StrCat("no provider cost for MCC ", row.mcc, " on ", Day(row.day),
                                 ": used the policy's default_cost_usd ",
                                 policy_.default_cost_usd->ToString()));
    }
    return *policy_.default_cost_usd;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "no provider cost for MCC ", row.mcc, row.mnc.empty() ? "" : absl::StrCat(" (MNC ", row.mnc, ")"),
      " on ", Day(row.day), " and the policy sets no default_cost_usd"));
}

absl::StatusOr<Decimal> RowCalculator::BlockRateOf(Mcc& mcc, Mode mode) {
  std::optional<Decimal>& rate = mcc.block_rate[ModeIndex(mode)];
  if (!rate) {
    CREDITBOT_ASSIGN_OR_RETURN(rate, LookUpBlockRate(policy_, evidence_, mode, mcc.mcc, warnings_));
  }
  return *rate;
}

Decimal RowCalculator::GoodwillShare(Mode mode) {
  std::optional<Decimal>& share = goodwill_share_[ModeIndex(mode)];
  if (!share) share = Decimal::Mul(policy_.k[ModeIndex(mode)], repeat_factor_);
  return *share;
}

absl::CivilDay RowCalculator::DeadlineOf(absl::CivilDay day) {
  const absl::CivilMonth month(day);
  if (month != deadline_month_) {
    deadline_month_ = month;
    deadline_ = LastDayOfMonth(day) + policy_.promise_claim_days;
  }
  return deadline_;
}

absl::Status RowCalculator::Calculate(size_t index, RowCalc& calc) {
  const FraudRow& row = evidence_.report.rows[index];
  Cell& cell = cells_[static_cast<size_t>(row_cells_[index])];
  const int64_t day_number = row_day_numbers_[index];
  // What a row may leave unset starts at its default; every other field is set below. (Cheaper than
  // assigning a fresh RowCalc, which builds and copies the whole struct for every row.)
  calc.override_treatment.reset();
  calc.unit = Decimal();
  calc.shortfall = {};
  calc.eligible = {};
  calc.deadline = absl::CivilDay();
  calc.earned = Decimal();
  CREDITBOT_RETURN_IF_ERROR(ResolveCell(row, cell, calc));
  const Service& service = services_[static_cast<size_t>(calc.service)];
  CREDITBOT_RETURN_IF_ERROR(FindModeInForce(row, service, day_number, calc));
  ApplyOverrides(row, cell, service, day_number, calc);
  const CostKey& cost_key = cost_keys_[static_cast<size_t>(cell.cost_key)];
  CREDITBOT_ASSIGN_OR_RETURN(calc.cost, CostOf(cost_key, row, day_number));
  CREDITBOT_RETURN_IF_ERROR(CalculateShortfalls(row, cost_key, calc));
  ChooseTreatment(row, calc);
  return absl::OkStatus();
}

absl::Status RowCalculator::ResolveCell(const FraudRow& row, Cell& cell, RowCalc& calc) {
  const bool by_account = policy_.scope == ProtectionScope::kAccount;
  if (!cell.service) {
    absl::string_view sid = row.account_sid;  // an account-level switch: the account's history
    if (!by_account) {
      CREDITBOT_ASSIGN_OR_RETURN(sid, ResolveService(evidence_, row));
    }
    cell.service = ServiceIndex(sid);
  }
  calc.service = *cell.service;
  const Service& service = services_[static_cast<size_t>(calc.service)];
  if (!cell.text) {  // a row without a service column names the account's one service (service scope)
    cell.text = std::make_shared<const LineText>(
        LineText{row.account_sid,
                 row.service_sid.empty() && !by_account ? std::string(service.sid) : row.service_sid.str(),
                 row.mcc, row.mnc, row.country});
  }
  calc.text = &cell.text;
  return absl::OkStatus();
}

absl::Status RowCalculator::FindModeInForce(const FraudRow& row, const Service& service, int64_t day_number,
                                            RowCalc& calc) {
  bool first = false;
  std::optional<Majority> mode = MajorityOf(service.modes, row.day, day_number, first);
  const char* unit = policy_.scope == ProtectionScope::kAccount ? "account " : "service ";
  if (!mode) {
    return absl::FailedPreconditionError(absl::StrCat("no ", policy_.protection_name, " setting for ", unit,
                                                      service.sid, " on ", Day(row.day)));
  }
  calc.mode = kKnownModes[static_cast<size_t>(mode->label)];
  calc.mixed = mode->mixed;
  if (std::find(policy_.modes.begin(), policy_.modes.end(), calc.mode) == policy_.modes.end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the ", policy_.protection_name, " history of ", unit, service.sid, " names the mode '",
        std::string(ModeName(calc.mode)), "', which policy ", policy_.name, " does not declare"));
  }
  if (calc.mixed && first) {
    warnings_.Add(absl::StrCat("the ", policy_.protection_name, " mode of ", unit, service.sid,
                               " changed during ", Day(row.day),
                               ": its rows use the mode in force for most of the day (",
                               std::string(ModeName(calc.mode)), ") and are flagged mode_mixed_day"));
  }
  return absl::OkStatus();
}

void RowCalculator::ApplyOverrides(const FraudRow& row, Cell& cell, const Service& service,
                                   int64_t day_number, RowCalc& calc) {
  if (!policy_.geo_allow_bypasses) {
    // Geo Permissions do not bypass this protection: no Geo override.
  } else if (!row.country.empty()) {
    if (GeoAllows(cell, row, day_number)) calc.override_treatment = Treatment::kOverrideGeoAllow;
  } else if (!cell.country_warned) {
    cell.country_warned = true;
    for (const GeoPermissionInterval& geo : evidence_.geo_permissions) {
      if (geo.account_sid == row.account_sid && GeoLabel(geo.permission) == kGeoAllow) {
        warnings_.Add(
            absl::StrCat("the report has no destination country, so Geo Permission 'allow' settings of ",
                         row.account_sid, " (which bypass Fraud Guard) could not be applied"));
      }
    }
  }
  if (!calc.override_treatment && calc.mode == Mode::kBasic && service.custom_code) {
    calc.override_treatment = Treatment::kOverrideCustomCodeBasic;
  }
}

absl::Status RowCalculator::CalculateShortfalls(const FraudRow& row, const CostKey& cost_key, RowCalc& calc) {
  const int64_t sent = row.attempts_sent;
  const int64_t blocked = row.attempts_blocked;
  calc.total = sent + blocked;
  const Decimal sent_d = Decimal::FromInt(sent);
  const Decimal blocked_d = Decimal::FromInt(blocked);
  if (sent > 0) calc.unit = Decimal::MulDiv(row.fraud_charges, kOne, sent_d);
  if (!calc.override_treatment) {
    Mcc& mcc = mccs_[static_cast<size_t>(cost_key.mcc)];
    for (Mode m : ProtectingModes(policy_)) {
      CREDITBOT_ASSIGN_OR_RETURN(const Decimal rate, BlockRateOf(mcc, m));
      const Decimal expected = rate * calc.total;  // X(M) = b·T, exact as T is whole (= Decimal::Mul)
      const Decimal shortfall = std::clamp(expected - blocked_d, Decimal(), sent_d);
      calc.shortfall[ModeIndex(m)] = shortfall;
      if (sent > 0) calc.eligible[ModeIndex(m)] = Eligible(shortfall, row.fraud_charges, sent_d);
    }
  }
  return absl::OkStatus();
}

void RowCalculator::ChooseTreatment(const FraudRow& row, RowCalc& calc) {
  // The promise mode (Fraud Guard's Max): E in full when claimed on time. A policy without one (no public
  // guarantee) credits every protecting mode as goodwill.
  const bool is_max = policy_.promise_mode && calc.mode == *policy_.promise_mode;
  if (is_max) calc.deadline = DeadlineOf(row.day);
  const Decimal goodwill_share = GoodwillShare(calc.mode);
  if (calc.override_treatment) {
    calc.treatment = *calc.override_treatment;
  } else if (calc.mode == Mode::kOff) {
    calc.treatment = Treatment::kOff;
  } else if (is_max && evidence_.claim_date <= calc.deadline) {
    calc.treatment = Treatment::kPromise;
    calc.earned = calc.eligible[ModeIndex(calc.mode)];
  } else if (is_max && policy_.late_max_policy == LateMaxPolicy::kZero) {
    calc.treatment = Treatment::kLateMaxZero;
  } else {
    calc.treatment = Treatment::kGoodwill;
    calc.earned = Scale(goodwill_share, calc.eligible[ModeIndex(calc.mode)]);
  }
  if (is_max && evidence_.claim_date > calc.deadline && !calc.override_treatment &&
      late_months_warned_.insert(MonthNumber(absl::CivilMonth(row.day.civil()))).second) {
    warnings_.Add(absl::StrCat("Max rows of ", absl::FormatCivilTime(absl::CivilMonth(row.day.civil())),
                               " were claimed on ", Day(evidence_.claim_date),
                               ", after the Promise deadline ", Day(calc.deadline), ": ",
                               policy_.late_max_policy == LateMaxPolicy::kGoodwill
                                   ? "credited as goodwill (late_max_policy = goodwill)"
                                   : "not credited (late_max_policy = zero)"));
  }
}

// Shares GOODWILL (`total`) among the modes in proportion to their goodwill before the cap (`weights`,
// Σ weights = `weight_sum` > 0), exactly: each share is (weight × total ÷ weight_sum) at 10^-12, rounded
// down or up by the largest remainder so that the shares add up to `total` to the last digit (a share
// whose exact value has at most 12 fractional digits is that value).
std::array<Decimal, kModeCount> ShareGoodwill(const std::array<Decimal, kModeCount>& weights, Decimal total,
                                              Decimal weight_sum) {
  std::array<Decimal, kModeCount> shares;
  std::array<Decimal::Raw, kModeCount> remainders{};
  Decimal::Raw missing = total.raw();
  for (size_t m = 0; m < weights.size(); ++m) {
    if (weights[m].IsZero()) continue;
    absl::StatusOr<Decimal> share = Decimal::MulDivFloor(weights[m], total, weight_sum, &remainders[m]);
    if (!share.ok()) throw std::domain_error(std::string(share.status().message()));  // negative: a bug
    shares[m] = *share;
    missing -= share->raw();
  }
  // Σ exact shares = total, so 0 ≤ missing < kModeCount units of 10^-12: one each to the largest
  // remainders.
  std::array<size_t, kModeCount> order;
  for (size_t m = 0; m < order.size(); ++m) order[m] = m;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (size_t m : order) {
    if (missing <= 0) break;
    if (remainders[m] == 0) continue;
    shares[m] = shares[m] + Decimal::FromRaw(1);
    --missing;
  }
  return shares;
}

// Duplicate cells (CREDIT_POLICY.md, settled rules): rows of the same day, account, service, MCC, MNC and
// country are summed into the first of them, and the result says how many were merged. When there are
// duplicates, `merged` receives a copy of the Evidence with the merged rows and `calculator` is rebuilt on
// it; returns how many rows were merged (0: `original` is used as it is).
absl::StatusOr<int> MergeDuplicateCells(const CreditPolicy& policy, const Evidence& original,
                                        Decimal repeat_factor, Warnings& warnings,
                                        std::optional<Evidence>& merged,
                                        std::optional<RowCalculator>& calculator) {
  std::vector<size_t> first_row = calculator->FirstRowOfCellDays();
  if (first_row.empty()) return 0;
  merged.emplace(original);
  merged->report.rows = MergeRows(original.report.rows, first_row);
  const int duplicates = static_cast<int>(original.report.rows.size() - merged->report.rows.size());
  CREDITBOT_RETURN_IF_ERROR(ValidateRows(merged->report));
  calculator.reset();
  calculator.emplace(policy, *merged, repeat_factor, warnings);
  warnings.Add(absl::StrCat(
      duplicates, duplicates == 1 ? " row" : " rows",
      " of the fraud report repeated the day, account, service, MCC, MNC and country of an earlier row ",
      "and ", duplicates == 1 ? "was" : "were",
      " merged into it (attempts and charges summed); a Look that repeats rows is usually mis-built"));
  return duplicates;
}

// What the row pass adds up besides the lines, for the parent-level totals and output_df.
struct RowTotals {
  std::vector<size_t> charges_without_attempts;  // rows whose warning follows every row's own warnings
  bool any_sent = false;                         // some row has attempts sent (A > 0)
  bool all_sent_off = true;                      // every such row was in Off (overrides or not)
  std::array<Decimal, kModeCount> if_mode;       // Σ k(M)·E(M) over the rows the protection applies to
  CapSums cap_sums;
  HeldOverflow cap_sums_overflow;
  std::array<Decimal, kModeCount> credited_if_uncapped;  // Σ credited by mode, as if paid and uncapped
  std::array<Decimal, kModeCount> goodwill_by_mode;      // Σ goodwill before the cap, by mode
  HeldOverflow credited_overflow;
};

// Per row r (CREDIT_POLICY.md, "The rule"): M*, X/S/E and the treatment, written as the row's line (all but
// what it receives), and the sums that need no parent-level total, each added in row order: fraud_total,
// fraud_start/fraud_end, output_df's fraud_charges_in_mode and expected_blocked_if_mode, and the RowTotals.
absl::StatusOr<RowTotals> CalculateRows(const CreditPolicy& policy, const FraudReport& report,
                                        RowCalculator& calculator, CreditReport& out) {
  RowTotals totals;
  const size_t rows = report.rows.size();
  out.lines.reserve(rows);
  // ~200 bytes a line: at 100,000 rows, 4 KiB page faults on fresh lines would cost a sixth of the time.
  AdviseHugePages(out.lines.data(), out.lines.capacity() * sizeof(CreditLine));
  RowCalc calc;
  for (size_t i = 0; i < rows; ++i) {
    const FraudRow& row = report.rows[i];
    CREDITBOT_RETURN_IF_ERROR(calculator.Calculate(i, calc));
    AddLine(row, calc, policy, out.lines);
    totals.cap_sums_overflow.Run([&] { totals.cap_sums.Add(calc, row.attempts_sent); });
    totals.credited_overflow.Run([&] {
      totals.credited_if_uncapped[ModeIndex(calc.mode)] += out.lines.back().credited;
      if (calc.treatment == Treatment::kGoodwill)
        totals.goodwill_by_mode[ModeIndex(calc.mode)] += calc.earned;
    });

    out.fraud_total += row.fraud_charges;
    if (row.attempts_sent > 0) {
      if (!out.fraud_start || row.day < *out.fraud_start) out.fraud_start = row.day;
      if (!out.fraud_end || row.day > *out.fraud_end) out.fraud_end = row.day;
    }
    if (row.attempts_sent == 0 && !row.fraud_charges.IsZero()) totals.charges_without_attempts.push_back(i);
    if (row.attempts_sent > 0) {
      totals.any_sent = true;
      totals.all_sent_off = totals.all_sent_off && calc.mode == Mode::kOff;
    }
    out.output_df[ModeIndex(calc.mode)].fraud_charges_in_mode += row.fraud_charges;
    for (Mode m : ProtectingModes(policy)) {
      out.output_df[ModeIndex(m)].expected_blocked_if_mode += calc.shortfall[ModeIndex(m)];
    }
    if (calc.override_treatment) continue;
    for (Mode m : ProtectingModes(policy)) {
      totals.if_mode[ModeIndex(m)] += Scale(policy.k[ModeIndex(m)], calc.eligible[ModeIndex(m)]);
    }
  }
  return totals;
}

// Per parent account: PROMISE, GOODWILL (capped at Σ A·c over goodwill rows when cap_goodwill_at_cost) and
// RAW = PROMISE + GOODWILL, with the parameters that produced them.
void SumParent(const CreditPolicy& policy, const RowTotals& totals, CreditSummary& summary) {
  totals.cap_sums_overflow.Rethrow();
  summary.promise = totals.cap_sums.promise;
  summary.goodwill_raw = totals.cap_sums.goodwill_raw;
  summary.goodwill_cap = totals.cap_sums.goodwill_cap;
  summary.cap_binds = policy.cap_goodwill_at_cost && summary.goodwill_raw > summary.goodwill_cap;
  summary.goodwill = summary.cap_binds ? summary.goodwill_cap : summary.goodwill_raw;
  summary.raw = summary.promise + summary.goodwill;
  summary.min_credit = policy.min_credit_usd;
  summary.auto_approve_limit = policy.auto_approve_limit_usd;
  summary.approval_mrr_multiple = policy.approval_mrr_multiple;
  summary.repeat_window_days = policy.repeat_window_days;
}

// What each line receives: the lines were written as if the credit were paid and the cap did not bind.
// Otherwise every line is rewritten: nothing when nothing is paid, goodwill scaled pro rata when the cap
// binds (each line's share rounded at 10^-12).
//
// credit_in_mode is exact (CREDIT_POLICY.md, settled rules), never a sum of the lines' rounded shares:
// a mode's promise plus, when the cap binds, (Σ goodwill of its rows) × GOODWILL ÷ (Σ goodwill), shared
// so that the modes add up to PROMISE + GOODWILL exactly (ShareGoodwill); 0 everywhere when nothing is
// paid.
void DistributeCredit(bool pays, const RowTotals& totals, CreditReport& out) {
  const CreditSummary& summary = out.summary;
  if (pays) {
    totals.credited_overflow.Rethrow();
    for (Mode m : kKnownModes) {
      out.output_df[ModeIndex(m)].credit_in_mode = totals.credited_if_uncapped[ModeIndex(m)];
    }
    if (summary.cap_binds) {
      const std::array<Decimal, kModeCount> shares =
          ShareGoodwill(totals.goodwill_by_mode, summary.goodwill, summary.goodwill_raw);
      for (Mode m : kKnownModes) {
        const size_t index = ModeIndex(m);
        out.output_df[index].credit_in_mode =
            totals.credited_if_uncapped[index] - totals.goodwill_by_mode[index] + shares[index];
      }
    }
  }
  if (!pays || summary.cap_binds) {
    for (CreditLine& line : out.lines) {
      Decimal credited;
      if (pays && line.treatment == Treatment::kPromise) {
        credited = line.earned;
      } else if (pays && line.treatment == Treatment::kGoodwill) {
        credited = Decimal::MulDiv(line.earned, summary.goodwill, summary.goodwill_raw);  // the cap binds
      }
      line.credited = credited;
    }
  }
}

// needs_approval = credit_amount > min(auto_approve_limit_usd, approval_mrr_multiple · MRR); without an
// MRR every non-zero credit needs approval.
void DecideApproval(const CreditPolicy& policy, const Evidence& evidence, bool pays, CreditReport& out,
                    Warnings& warnings) {
  CreditSummary& summary = out.summary;
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
}

// Reasons for a zero credit (CREDIT_POLICY.md, settled rules): below_minimum when something was earned;
// else fraud_guard_off when every row with attempts sent had Off in force (an Off row under a Geo
// Permission "allow" included: Off is its mode), else no_shortfall (also a report with no attempts).
std::string ZeroCreditReason(const CreditSummary& summary, const RowTotals& totals) {
  if (!summary.raw.IsZero()) return "below_minimum";
  return totals.any_sent && totals.all_sent_off ? "fraud_guard_off" : "no_shortfall";
}

// output_df: the actual split by mode in force, and the counterfactual "as if every service (account) were
// in M" (a goodwill mode — basic, standard, on — capped at Σ A·c over the rows the protection applies to when
// cap_goodwill_at_cost; the promise mode, max, uncapped; off 0); fraud_guard_mode is the mode with the most
// fraud charges. output_df is by ModeIndex until here; it leaves with the policy's modes in its order.
void FillModeBreakdown(const CreditPolicy& policy, const RowTotals& totals, CreditReport& out) {
  const Decimal cost_all = totals.cap_sums.cost_all;
  for (Mode m : kKnownModes) out.output_df[ModeIndex(m)].mode = m;
  for (Mode m : ProtectingModes(policy)) {
    Decimal value = totals.if_mode[ModeIndex(m)];
    const bool promise = policy.promise_mode && m == *policy.promise_mode;
    if (!promise && policy.cap_goodwill_at_cost) value = std::min(value, cost_all);
    out.output_df[ModeIndex(m)].credit_if_mode = value;
  }

  Mode dominant = Mode::kOff;
  for (Mode m : policy.modes) {
    if (out.output_df[ModeIndex(m)].fraud_charges_in_mode >
        out.output_df[ModeIndex(dominant)].fraud_charges_in_mode) {
      dominant = m;
    }
  }
  out.fraud_guard_mode = dominant;

  std::vector<ModeBreakdown> declared;
  declared.reserve(policy.modes.size());
  for (Mode m : policy.modes) declared.push_back(out.output_df[ModeIndex(m)]);
  out.output_df = std::move(declared);
}

// A report of `policy` for `evidence`'s claim, before anything is calculated.
CreditReport NewReport(const CreditPolicy& policy, const Evidence& evidence) {
  CreditReport out;
  out.product = policy.name;
  out.policy_name = policy.name;
  out.policy_version = policy.version;
  out.policy_sha256 = policy.sha256;
  out.claim_date = evidence.claim_date;
  DescribeProtection(policy, out);
  // By ModeIndex while the engine adds up; FillModeBreakdown leaves the policy's modes in its order.
  out.output_df.assign(kModeCount, ModeBreakdown{});
  return out;
}

absl::StatusOr<CreditReport> Compute(const CreditPolicy& policy, const Evidence& original) {
  CREDITBOT_RETURN_IF_ERROR(ValidateRows(original.report));
  Warnings warnings;
  if (!original.report.has_blocked_column) {
    warnings.Add(
        "the fraud report has no attempts_blocked column, so blocked counts were missing and taken as 0: the "
        "model cannot tell Fraud Guard under-performance from the residual fraud a mode is expected to let "
        "through, and the credit may be too high; add blocked counts to the Look");
  }

  const Decimal one = Decimal::FromInt(1);
  const Decimal repeat_factor = HadRecentCredit(policy, original) ? policy.repeat_factor : one;
  std::optional<RowCalculator> calculator;
  calculator.emplace(policy, original, repeat_factor, warnings);
  std::optional<Evidence> merged;
  CREDITBOT_ASSIGN_OR_RETURN(const int duplicates, MergeDuplicateCells(policy, original, repeat_factor,
                                                                       warnings, merged, calculator));
  const Evidence& evidence = merged ? *merged : original;
  const FraudReport& report = evidence.report;

  CreditReport out = NewReport(policy, evidence);

  // The one parent account of every row.
  std::vector<std::string> accounts;
  for (absl::string_view account : calculator->accounts()) accounts.emplace_back(account);
  CREDITBOT_ASSIGN_OR_RETURN(out.parent_account_sid, ResolveParent(evidence, accounts));
  if (accounts.size() == 1) out.account_sid = accounts.front();
  if (repeat_factor != one) {
    warnings.Add(absl::StrCat("repeat incident: parent account ", out.parent_account_sid,
                              " had a credit approved or issued within ", policy.repeat_window_days,
                              " days before the claim, so goodwill rows are multiplied by ",
                              repeat_factor.ToString(), " (Promise rows are not)"));
  }

  CREDITBOT_ASSIGN_OR_RETURN(const RowTotals totals, CalculateRows(policy, report, *calculator, out));
  for (size_t i : totals.charges_without_attempts) {
    const FraudRow& row = report.rows[i];
    warnings.Add(absl::StrCat("a row of ", Day(row.day), " for MCC ", row.mcc,
                              " has charges but no attempts sent; it earns nothing"));
  }

  CreditSummary& summary = out.summary;
  SumParent(policy, totals, summary);
  summary.repeat_factor = repeat_factor;
  summary.rows = static_cast<int>(report.rows.size());
  summary.accounts = accounts;
  summary.duplicates_merged = duplicates;

  // credit_amount = 0 if RAW < min_credit_usd, else RAW rounded half-up to cents.
  const bool below_minimum = summary.raw < policy.min_credit_usd;
  out.credit_amount = below_minimum ? Decimal() : summary.raw.Round(2);
  const bool pays = !out.credit_amount.IsZero();
  DistributeCredit(pays, totals, out);
  DecideApproval(policy, evidence, pays, out, warnings);
  if (!pays) out.reason = ZeroCreditReason(summary, totals);
  FillModeBreakdown(policy, totals, out);

  out.warnings = warnings.Take();
  return out;
}

// Every row of the report was left out (earlier requests of `parent` hold their cells): a zero credit,
// reason already_credited, no lines, the policy's parameters as for any report.
CreditReport AllAlreadyCredited(const CreditPolicy& policy, const Evidence& evidence,
                                const std::string& parent, AlreadyCredited already) {
  CreditReport out = NewReport(policy, evidence);
  out.parent_account_sid = parent;
  std::vector<std::string>& accounts = out.summary.accounts;
  for (const LeftOutEntry& entry : already.entries) {
    for (const CellKey& cell : entry.cells) {
      if (std::find(accounts.begin(), accounts.end(), cell.account_sid) == accounts.end())
        accounts.push_back(cell.account_sid);
    }
  }
  if (accounts.size() == 1) out.account_sid = accounts.front();
  Warnings warnings;
  const RowTotals totals{};
  SumParent(policy, totals, out.summary);
  out.summary.repeat_factor = Decimal::FromInt(1);
  DecideApproval(policy, evidence, /*pays=*/false, out, warnings);
  out.reason = "already_credited";
  FillModeBreakdown(policy, totals, out);
  out.warnings = warnings.Take();
  out.already_credited = std::move(already);
  return out;
}

// `compute()`, with Decimal's overflow as an error.
template <typename Fn>
absl::StatusOr<CreditReport> WithoutOverflow(Fn compute) {
  try {
    return compute();
  } catch (const std::overflow_error& error) {
    // Only reachable with absurd inputs (Decimal's limits are far beyond any real report).
    return absl::InvalidArgumentError(absl::StrCat("numbers in the report are too large: ", error.what()));
  }
}

}  // namespace

void DescribeProtection(const CreditPolicy& policy, CreditReport& report) {
  report.protection_name = policy.protection_name;
  report.protected_unit = policy.scope == ProtectionScope::kAccount ? "account" : "service";
  report.promise_mode = policy.promise_mode;
  report.output_df.assign(policy.modes.size(), ModeBreakdown{});
  for (std::size_t i = 0; i < policy.modes.size(); ++i) report.output_df[i].mode = policy.modes[i];
}

absl::StatusOr<CreditReport> ComputeCredit(const CreditPolicy& policy, const Evidence& evidence) {
  return WithoutOverflow([&] { return Compute(policy, evidence); });
}

bool HadRepeatIncident(const CreditPolicy& policy, const Evidence& evidence) {
  return HadRecentCredit(policy, evidence);
}

absl::StatusOr<CreditReport> ComputeCreditWithLedger(const CreditPolicy& policy, Evidence evidence,
                                                     const EarlierCredits& earlier) {
  return WithoutOverflow([&]() -> absl::StatusOr<CreditReport> {
    CREDITBOT_RETURN_IF_ERROR(ValidateRows(evidence.report));
    const std::optional<std::string> parent = ReportParent(evidence);
    AlreadyCredited already = ApplyEarlierCredits(earlier, evidence);
    if (!already.empty() && evidence.report.rows.empty()) {
      return AllAlreadyCredited(policy, evidence, *parent, std::move(already));
    }
    CREDITBOT_ASSIGN_OR_RETURN(CreditReport report, Compute(policy, evidence));
    report.already_credited = std::move(already);
    return report;
  });
}

}  // namespace creditbot
