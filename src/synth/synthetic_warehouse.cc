// The synthetic warehouse generator (see synthetic_warehouse.h): reference data, the named scenarios of the
// sample looks, then a random fleet whose size follows the scale.
#include "synth/synthetic_warehouse.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/embedded_files.h"
#include "common/sqlite_db.h"
#include "common/status_macros.h"
#include "core/mode.h"

namespace creditbot {
namespace {

// ---------------------------------------------------------------------------------------------------------
// Randomness: xoshiro256** seeded by splitmix64, with our own uniform / normal / Poisson helpers so the
// output does not depend on the standard library's distributions.

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A well-mixed hash of a few integers (for per-window block decisions that must not consume the stream).
uint64_t Hash(uint64_t a, uint64_t b, uint64_t c = 0) {
  uint64_t state = a;
  uint64_t h = SplitMix64(state);
  state = h ^ b;
  h = SplitMix64(state);
  state = h ^ c;
  return SplitMix64(state);
}

double ToUnit(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t state = seed;
    for (uint64_t& word : s_) word = SplitMix64(state);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // [0, 1)
  double Uniform() { return ToUnit(Next()); }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  bool Chance(double p) { return Uniform() < p; }

  // [lo, hi], unbiased.
  int64_t Int(int64_t lo, int64_t hi) {
    const uint64_t range = static_cast<uint64_t>(hi - lo) + 1;
    if (range == 0) return static_cast<int64_t>(Next());
    const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    uint64_t draw = Next();
    while (draw >= limit) draw = Next();
    return lo + static_cast<int64_t>(draw % range);
  }
  std::size_t Index(std::size_t size) {
    return static_cast<std::size_t>(Int(0, static_cast<int64_t>(size) - 1));
  }

  double Normal() {                     // Box–Muller
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }

  int64_t Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda < 30) {  // Knuth: multiply uniforms until the product drops below e^-λ
      const double limit = std::exp(-lambda);
      int64_t k = 0;
      double product = Uniform();
      while (product > limit) {
        ++k;
        product *= Uniform();
      }
      return k;
    }
    const double draw = std::round(lambda + std::sqrt(lambda) * Normal());
    return draw < 0 ? 0 : static_cast<int64_t>(draw);
  }

  // Writes `digits` random lower-case hex digits to `out`.
  void HexInto(char* out, std::size_t digits) {
    static constexpr char kDigits[] = "0123456789abcdef";
    uint64_t bits = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      if (i % 16 == 0) bits = Next();
      out[i] = kDigits[bits & 0xf];
      bits >>= 4;
    }
  }
  // A Twilio-style SID: two letters and 32 hex digits.
  std::string Sid(std::string_view prefix) {
    std::string sid(34, '0');
    sid[0] = prefix[0];
    sid[1] = prefix[1];
    HexInto(sid.data() + 2, 32);
    return sid;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_{};
};

// ---------------------------------------------------------------------------------------------------------
// Time: seconds since the Unix epoch, UTC.

using Seconds = int64_t;
constexpr Seconds kDay = 86400;
const absl::CivilDay kEpoch(1970, 1, 1);
const absl::CivilDay kPeriodStart(2025, 1, 1);  // the random fleet's traffic: 2025-01-01 …
const absl::CivilDay kPeriodEnd(2025, 11, 1);   // … up to 2025-10-31

Seconds StartOf(absl::CivilDay day) { return (day - kEpoch) * kDay; }
Seconds At(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return StartOf(absl::CivilDay(y, m, d)) + hh * 3600 + mm * 60 + ss;
}

// Writes 'YYYY-MM-DD HH:MM:SS' (19 characters) to `out`.
void FormatTimestampInto(Seconds t, char* out) {
  const Seconds days = t >= 0 ? t / kDay : (t - kDay + 1) / kDay;
  const Seconds rest = t - days * kDay;
  const absl::CivilDay day = kEpoch + days;
  auto put = [&out](int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      out[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    out += width;
  };
  put(day.year(), 4);
  *out++ = '-';
  put(day.month(), 2);
  *out++ = '-';
  put(day.day(), 2);
  *out++ = ' ';
  put(rest / 3600, 2);
  *out++ = ':';
  put(rest % 3600 / 60, 2);
  *out++ = ':';
  put(rest % 60, 2);
}

std::string FormatTimestamp(Seconds t) {
  std::string text(19, ' ');
  FormatTimestampInto(t, text.data());
  return text;
}
std::string FormatDay(absl::CivilDay day) { return absl::FormatCivilTime(day); }

double RoundTo(double value, int places) {
  const double factor = std::pow(10.0, places);
  return std::round(value * factor) / factor;
}

// ---------------------------------------------------------------------------------------------------------
// Reference data: destinations with list price, provider cost, networks and block rates [synthetic, A].

struct Country {
  std::string iso;
  std::string mcc;
  double price;  // list price per SMS, USD
  double cost;   // provider cost per SMS, USD
  std::vector<std::string> mncs;
  bool pumping_prone;
  std::array<double, 3> block_rate;  // basic, standard, max
  double weight;                     // share as a home country of legitimate traffic (0 for pumping-prone)
};

std::vector<Country> BuiltinCountries() {
  // Pumping-prone ("tier 4") destinations from domain.md §5.2; AZ and TJ carry test case 1's numbers.
  return {
      {"US", "310", 0.0083, 0.0050, {"120", "260", "410"}, false, {0.30, 0.55, 0.75}, 30},
      {"CA", "302", 0.0083, 0.0052, {"220", "610", "720"}, false, {0.32, 0.56, 0.76}, 6},
      {"GB", "234", 0.0420, 0.0290, {"10", "15", "20", "30"}, false, {0.34, 0.58, 0.78}, 10},
      {"DE", "262", 0.0950, 0.0700, {"01", "02", "03"}, false, {0.30, 0.57, 0.77}, 8},
      {"FR", "208", 0.0780, 0.0560, {"01", "10", "20"}, false, {0.31, 0.55, 0.76}, 6},
      {"ES", "214", 0.0800, 0.0580, {"01", "03", "07"}, false, {0.33, 0.56, 0.75}, 5},
      {"AU", "505", 0.0550, 0.0400, {"01", "02", "03"}, false, {0.30, 0.55, 0.75}, 6},
      {"BR", "724", 0.0300, 0.0210, {"05", "06", "10", "31"}, false, {0.35, 0.60, 0.80}, 8},
      {"MX", "334", 0.0280, 0.0190, {"020", "050", "090"}, false, {0.34, 0.59, 0.79}, 6},
      {"IN", "404", 0.0060, 0.0040, {"10", "20", "45"}, false, {0.36, 0.60, 0.80}, 6},
      {"ID", "510", 0.0450, 0.0320, {"01", "10", "11"}, false, {0.35, 0.58, 0.78}, 4},
      {"CO", "732", 0.0050, 0.0035, {"101", "103", "123"}, false, {0.33, 0.57, 0.77}, 5},
      {"AZ", "400", 0.3000, 0.2400, {"01", "02", "04"}, true, {0.50, 0.70, 0.90}, 0},
      {"TJ", "436", 0.2000, 0.1500, {"01", "03", "04", "05"}, true, {0.40, 0.60, 0.80}, 0},
      {"UZ", "434", 0.2500, 0.2000, {"04", "05", "07"}, true, {0.45, 0.65, 0.85}, 0},
      {"KG", "437", 0.1800, 0.1400, {"01", "05", "09"}, true, {0.40, 0.62, 0.82}, 0},
      {"LK", "413", 0.1600, 0.1250, {"01", "02", "03", "08"}, true, {0.38, 0.58, 0.84}, 0},
      {"PK", "410", 0.1200, 0.0950, {"01", "03", "04", "06", "07"}, true, {0.42, 0.66, 0.88}, 0},
      {"BD", "470", 0.1400, 0.1100, {"01", "02", "03", "04", "07"}, true, {0.35, 0.60, 0.80}, 0},
      {"NG", "621", 0.1800, 0.1450, {"20", "30", "50", "60"}, true, {0.48, 0.72, 0.92}, 0},
      {"OM", "422", 0.1300, 0.1050, {"02", "03"}, true, {0.33, 0.57, 0.78}, 0},
      {"TN", "605", 0.2200, 0.1800, {"01", "02", "03"}, true, {0.44, 0.68, 0.89}, 0},
      {"DZ", "603", 0.1900, 0.1500, {"01", "02", "03"}, true, {0.41, 0.63, 0.86}, 0},
      {"LV", "247", 0.0900, 0.0700, {"01", "02", "05"}, true, {0.36, 0.59, 0.79}, 0},
      {"LT", "246", 0.0850, 0.0650, {"01", "02", "03"}, true, {0.34, 0.56, 0.77}, 0},
      {"MV", "472", 0.2400, 0.1900, {"01", "02"}, true, {0.46, 0.70, 0.90}, 0},
      {"SO", "637", 0.3200, 0.2600, {"01", "04", "82"}, true, {0.52, 0.75, 0.93}, 0},
      {"SL", "619", 0.2700, 0.2200, {"01", "02", "05"}, true, {0.50, 0.73, 0.91}, 0},
  };
}

// Network-specific provider costs (mcc+mnc beats mcc alone) and earlier cost intervals.
struct CostOverride {
  const char* mcc;
  const char* mnc;  // nullptr: the whole MCC
  double cost;
  absl::CivilDay from;
  std::optional<absl::CivilDay> to;
};

std::vector<CostOverride> ExtraCosts() {
  return {
      {"400", nullptr, 0.2600, absl::CivilDay(2024, 1, 1), absl::CivilDay(2025, 1, 1)},
      {"434", nullptr, 0.2100, absl::CivilDay(2024, 1, 1), absl::CivilDay(2025, 1, 1)},
      {"434", "05", 0.2150, absl::CivilDay(2025, 1, 1), std::nullopt},
      {"410", "06", 0.1050, absl::CivilDay(2025, 1, 1), std::nullopt},
      {"621", "20", 0.1550, absl::CivilDay(2025, 1, 1), std::nullopt},
      {"310", "260", 0.0046, absl::CivilDay(2025, 1, 1), std::nullopt},
      {"234", nullptr, 0.0310, absl::CivilDay(2024, 1, 1), absl::CivilDay(2025, 1, 1)},
  };
}

// Splits one CSV line (RFC 4180 quoting, no embedded newlines in this table).
std::vector<std::string> SplitCsvLine(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

// Replaces each built-in country's networks by the table's operational, purely numeric MNCs for the same
// MCC and ISO code (duplicates dropped, sorted), when the table lists any.
absl::Status ApplyMccTable(const std::string& path, std::vector<Country>& countries) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string content, ReadFileToString(path));
  std::istringstream in(content);
  std::string line;
  if (!std::getline(in, line))
    return absl::InvalidArgumentError(absl::StrCat("MCC table ", path, " is empty"));
  const std::vector<std::string> header = SplitCsvLine(line);
  auto column = [&](std::string_view name) -> int {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (absl::StripAsciiWhitespace(header[i]) == absl::string_view(name.data(), name.size())) {
        return static_cast<int>(i);
      }
    }
    return -1;
  };
  const int mcc_col = column("mcc"), mnc_col = column("mnc"), iso_col = column("iso_code"),
            status_col = column("status");
  if (mcc_col < 0 || mnc_col < 0 || iso_col < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("MCC table ", path, " lacks a column mcc, mnc or iso_code"));
  }
  std::map<std::pair<std::string, std::string>, std::set<std::string>> networks;  // (mcc, iso) → MNCs
  int line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const std::vector<std::string> fields = SplitCsvLine(line);
    const std::size_t needed =
        static_cast<std::size_t>(std::max({mcc_col, mnc_col, iso_col, status_col})) + 1;
    if (fields.size() < needed) {
      return absl::InvalidArgumentError(absl::StrCat("MCC table ", path, " line ", line_number, " has ",
                                                     fields.size(), " fields, expected at least ", needed));
    }
    const std::string mcc(absl::StripAsciiWhitespace(fields[static_cast<std::size_t>(mcc_col)]));
    const std::string mnc(absl::StripAsciiWhitespace(fields[static_cast<std::size_t>(mnc_col)]));
    const std::string iso(absl::StripAsciiWhitespace(fields[static_cast<std::size_t>(iso_col)]));
    if (status_col >= 0 && fields[static_cast<std::size_t>(status_col)] != "Operational") continue;
    if (mnc.empty() || mnc.size() > 3 || !std::all_of(mnc.begin(), mnc.end(), absl::ascii_isdigit)) continue;
    networks[{mcc, iso}].insert(mnc);
  }
  for (Country& country : countries) {
    auto found = networks.find({country.mcc, country.iso});
    if (found != networks.end() && !found->second.empty()) {
      country.mncs.assign(found->second.begin(), found->second.end());
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------------------
// The world being generated.

struct ServiceRec {
  std::string sid;
  std::string account_sid;
  std::string friendly_name;
  bool custom_code = false;
  bool authy_v1 = false;
  std::vector<std::pair<Seconds, Mode>> changes;  // sorted; the first is the creation
  double conversion = 0.75;                       // legitimate conversion rate
  double daily_volume = 0;                        // legitimate attempts per day (background)
};

struct GeoRec {
  std::string account_sid;
  std::string iso;
  std::string channel;
  std::string permission;
  Seconds from = 0;
  std::optional<Seconds> to;
};

struct AccountRec {
  std::string sid;
  std::string parent;
  std::string friendly_name;
  std::string status;
  std::size_t home = 0;  // index into countries
  double home_share = 0.85;
};

struct CreditRec {
  std::string parent;
  std::string product;
  Seconds created = 0;
  double amount = 0;
  std::string status;
};

struct AttackPlan {
  std::size_t service = 0;  // index into World::services
  std::size_t country = 0;
  std::string mnc;
  absl::CivilDay start;
  std::vector<int64_t> daily;  // attempts (sent + blocked) per day
  int prefixes = 1;
  double conversion = 0;
  uint64_t id = 0;
};

struct World {
  std::vector<Country> countries;
  std::vector<AccountRec> accounts;
  std::vector<ServiceRec> services;
  std::vector<GeoRec> geo;
  std::map<std::pair<std::string, std::string>, double> mrr;  // (parent, 'YYYY-MM-01') → USD
  std::vector<CreditRec> credits;
  std::map<std::string, std::size_t> account_index;
  std::map<std::string, std::vector<std::size_t>> geo_index;  // account → its rows of `geo`

  void AddGeo(GeoRec rec) {
    geo_index[rec.account_sid].push_back(geo.size());
    geo.push_back(std::move(rec));
  }

  std::size_t CountryIndex(std::string_view iso) const {
    for (std::size_t i = 0; i < countries.size(); ++i) {
      if (countries[i].iso == iso) return i;
    }
    return 0;  // unreachable for the built-in ISO codes used below
  }
  void AddAccount(AccountRec account) {
    account_index[account.sid] = accounts.size();
    accounts.push_back(std::move(account));
  }
  const AccountRec& Account(const std::string& sid) const { return accounts[account_index.at(sid)]; }
};

Mode ModeAt(const ServiceRec& service, Seconds t) {
  Mode mode = service.changes.empty() ? Mode::kStandard : service.changes.front().second;
  for (const auto& [when, next] : service.changes) {
    if (when > t) break;
    mode = next;
  }
  return mode;
}

void AddChange(ServiceRec& service, Seconds when, Mode mode) {
  service.changes.emplace_back(when, mode);
  std::stable_sort(service.changes.begin(), service.changes.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

// The Geo Permission rows of one account (looked up once per day or attack, not per attempt).
const std::vector<std::size_t>* GeoOf(const World& world, const std::string& account) {
  const auto found = world.geo_index.find(account);
  return found == world.geo_index.end() ? nullptr : &found->second;
}

// The permission in force for the account of `rows` and `iso` on SMS at `t`, or "" when none.
std::string_view GeoAt(const World& world, const std::vector<std::size_t>* rows, const std::string& iso,
                       Seconds t) {
  if (rows == nullptr) return "";
  for (std::size_t index : *rows) {
    const GeoRec& rec = world.geo[index];
    if (rec.iso == iso && rec.channel == "sms" && rec.from <= t && (!rec.to || t < *rec.to))
      return rec.permission;
  }
  return "";
}

double FalsePositiveRate(Mode mode) {
  switch (mode) {
    case Mode::kBasic:
      return 0.0005;
    case Mode::kStandard:
      return 0.005;
    case Mode::kMax:
      return 0.015;
    case Mode::kOff:
      break;
  }
  return 0;
}

double BlockRate(const Country& country, Mode mode) {
  return mode == Mode::kOff ? 0 : country.block_rate[ModeIndex(mode) - 1];
}

// ---------------------------------------------------------------------------------------------------------
// Writing attempts.

struct Attempt {
  const std::string* account;
  const std::string* service;
  Seconds created;
  const char* channel;
  const Country* country;
  const std::string* mnc;
  const char* status;
  std::optional<int64_t> error_code;
  const char* block_reason;  // nullptr = NULL
  bool converted;
  double price;
};

class AttemptWriter {
 public:
  explicit AttemptWriter(Statement insert) : insert_(std::move(insert)) {}

  absl::Status Add(const Attempt& a, Rng& sid_rng) {
    char sid[34] = {'V', 'L'};
    sid_rng.HexInto(sid + 2, 32);
    char created[19];
    FormatTimestampInto(a.created, created);
    insert_.Reset();
    insert_.Bind(1, std::string_view(sid, sizeof sid))
        .Bind(2, std::string_view(*a.account))
        .Bind(3, std::string_view(*a.service))
        .Bind(4, std::string_view(created, sizeof created))
        .Bind(5, std::string_view(a.channel))
        .Bind(6, std::string_view(a.country->iso))
        .Bind(7, std::string_view(a.country->mcc))
        .Bind(8, std::string_view(*a.mnc))
        .Bind(9, std::string_view(a.status))
        .BindOptional(10, a.error_code);
    if (a.block_reason != nullptr) {
      insert_.Bind(11, std::string_view(a.block_reason));
    } else {
      insert_.BindNull(11);
    }
    insert_.Bind(12, std::string_view(a.converted ? "converted" : "unconverted"))
        .Bind(13, RoundTo(a.price, 5));
    ++count_;
    return insert_.Run();
  }
  int64_t count() const { return count_; }

 private:
  Statement insert_;
  int64_t count_ = 0;
};

// Exactly `sent` delivered and `blocked` Fraud Guard-blocked attempts on one day (test case 1's cells).
absl::Status EmitExactCell(const World& world, const ServiceRec& service, absl::CivilDay day,
                           std::string_view iso, const std::string& mnc, int64_t sent, int64_t blocked,
                           Rng& rng, Rng& sid_rng, AttemptWriter& out) {
  const Country& country = world.countries[world.CountryIndex(iso)];
  for (int64_t i = 0; i < sent + blocked; ++i) {
    const bool is_blocked = i >= sent;
    Attempt a{&service.account_sid,
              &service.sid,
              StartOf(day) + rng.Int(0, kDay - 1),
              "sms",
              &country,
              &mnc,
              is_blocked ? "blocked" : "delivered",
              is_blocked ? std::optional<int64_t>(60410) : std::nullopt,
              is_blocked ? "fraud_guard" : nullptr,
              false,
              is_blocked ? 0.0 : country.price};
    CREDITBOT_RETURN_IF_ERROR(out.Add(a, sid_rng));
  }
  return absl::OkStatus();
}

// One pumping attack: numbers from a few prefixes; per 12-hour window and prefix Fraud Guard blocks all or
// nothing, with the block rate of the mode in force (domain.md §5.3 step 4).
absl::Status EmitAttack(const World& world, const AttackPlan& plan, Rng& rng, Rng& sid_rng,
                        AttemptWriter& out) {
  const ServiceRec& service = world.services[plan.service];
  const Country& country = world.countries[plan.country];
  const std::vector<std::size_t>* geo_rows = GeoOf(world, service.account_sid);
  for (std::size_t d = 0; d < plan.daily.size(); ++d) {
    const absl::CivilDay day = plan.start + static_cast<int64_t>(d);
    for (int64_t i = 0; i < plan.daily[d]; ++i) {
      const Seconds t = StartOf(day) + rng.Int(0, kDay - 1);
      const uint64_t prefix = static_cast<uint64_t>(rng.Int(0, plan.prefixes - 1));
      const Mode mode = ModeAt(service, t);
      const std::string_view geo = GeoAt(world, geo_rows, country.iso, t);
      const bool unprotected = geo == "allow" || (mode == Mode::kBasic && service.custom_code);
      const double window_draw = ToUnit(Hash(plan.id, static_cast<uint64_t>(t / (kDay / 2)), prefix));
      Attempt a{&service.account_sid, &service.sid, t,       "sms", &country,     &plan.mnc,
                "delivered",          std::nullopt, nullptr, false, country.price};
      if (geo == "disable") {
        a.status = "blocked";
        a.error_code = 60605;
        a.block_reason = "geo_permissions";
        a.price = 0;
      } else if (!unprotected && window_draw < BlockRate(country, mode)) {
        a.status = "blocked";
        a.error_code = 60410;
        a.block_reason = "fraud_guard";
        a.price = 0;
      } else {
        if (rng.Chance(0.08)) a.status = "undelivered";
        a.converted = rng.Chance(plan.conversion);
      }
      CREDITBOT_RETURN_IF_ERROR(out.Add(a, sid_rng));
    }
  }
  return absl::OkStatus();
}

// One day of legitimate OTP traffic of a service.
absl::Status EmitLegitDay(const World& world, const ServiceRec& service, absl::CivilDay day, int64_t count,
                          bool may_reach_pumping_countries, Rng& rng, Rng& sid_rng, AttemptWriter& out) {
  const AccountRec& account = world.Account(service.account_sid);
  const std::vector<std::size_t>* geo_rows = GeoOf(world, service.account_sid);
  for (int64_t i = 0; i < count; ++i) {
    std::size_t index = account.home;
    if (!rng.Chance(account.home_share)) {
      do {
        index = rng.Index(world.countries.size());
      } while (world.countries[index].pumping_prone && !(may_reach_pumping_countries && rng.Chance(0.05)));
    }
    const Country& country = world.countries[index];
    const std::string& mnc = country.mncs[rng.Index(country.mncs.size())];
    const Seconds t = StartOf(day) + rng.Int(0, kDay - 1);
    const Mode mode = ModeAt(service, t);
    const std::string_view geo = GeoAt(world, geo_rows, country.iso, t);
    const bool unprotected = geo == "allow" || (mode == Mode::kBasic && service.custom_code);
    const bool call = rng.Chance(0.04);
    Attempt a{&service.account_sid,
              &service.sid,
              t,
              call ? "call" : "sms",
              &country,
              &mnc,
              "delivered",
              std::nullopt,
              nullptr,
              false,
              call ? country.price * 1.5 : country.price};
    if (geo == "disable" && !call) {
      a.status = "blocked";
      a.error_code = 60605;
      a.block_reason = "geo_permissions";
      a.price = 0;
    } else if (!call && !unprotected && rng.Chance(FalsePositiveRate(mode))) {
      a.status = "blocked";
      a.error_code = 60410;
      a.block_reason = "fraud_guard";
      a.price = 0;
    } else if (rng.Chance(0.01)) {
      a.status = "failed";
      a.error_code = 30008;
      a.price = 0;
    } else {
      if (rng.Chance(0.03)) a.status = "undelivered";
      a.converted = a.status[0] == 'd' && rng.Chance(service.conversion);
    }
    CREDITBOT_RETURN_IF_ERROR(out.Add(a, sid_rng));
  }
  return absl::OkStatus();
}

absl::Status EmitLegitRange(const World& world, const ServiceRec& service, absl::CivilDay from,
                            absl::CivilDay to, double daily, bool may_reach_pumping_countries, Rng& rng,
                            Rng& sid_rng, AttemptWriter& out) {
  for (absl::CivilDay day = from; day < to; ++day) {
    CREDITBOT_RETURN_IF_ERROR(EmitLegitDay(world, service, day, rng.Poisson(daily),
                                           may_reach_pumping_countries, rng, sid_rng, out));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------------------
// The named scenarios (seed-independent).

constexpr uint64_t kNamedSeed = 0x6372656469746274ULL;  // "creditbt"

ServiceRec NamedService(std::string_view sid, std::string_view account, std::string_view name,
                        bool custom_code, std::vector<std::pair<Seconds, Mode>> changes) {
  ServiceRec service;
  service.sid = std::string(sid);
  service.account_sid = std::string(account);
  service.friendly_name = std::string(name);
  service.custom_code = custom_code;
  service.changes = std::move(changes);
  service.conversion = 0.8;
  return service;
}

void AddMonthlyMrr(World& world, std::string_view parent, int first_month,
                   const std::vector<double>& amounts) {
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    world.mrr[{std::string(parent), FormatDay(absl::CivilDay(2025, first_month + static_cast<int>(i), 1))}] =
        amounts[i];
  }
}

AttackPlan NamedAttack(const World& world, std::string_view service_sid, std::string_view iso,
                       std::string mnc, absl::CivilDay start, int days, int64_t low, int64_t high,
                       int prefixes, double conversion, uint64_t id, Rng& rng) {
  AttackPlan plan;
  for (std::size_t i = 0; i < world.services.size(); ++i) {
    if (world.services[i].sid == service_sid) plan.service = i;
  }
  plan.country = world.CountryIndex(iso);
  plan.mnc = std::move(mnc);
  plan.start = start;
  for (int d = 0; d < days; ++d) plan.daily.push_back(rng.Int(low, high));
  plan.prefixes = prefixes;
  plan.conversion = conversion;
  plan.id = id;
  return plan;
}

absl::Status AddNamedScenarios(World& world, AttemptWriter& out) {
  Rng rng(kNamedSeed);
  Rng sid_rng(kNamedSeed ^ 0x5349445349445349ULL);
  const std::size_t first_service = world.services.size();
  auto account = [&](std::string_view sid, std::string_view parent, std::string_view name,
                     std::string_view home) {
    world.AddAccount(AccountRec{std::string(sid), std::string(parent), std::string(name), "active",
                                world.CountryIndex(home), 0.9});
  };

  // Test case 1 (CREDIT_POLICY.md), verbatim.
  account(kTestCase1Parent, kTestCase1Parent, "Acme Health", "US");
  account(kTestCase1Sub1, kTestCase1Parent, "Acme Health - US", "US");
  account(kTestCase1Sub2, kTestCase1Parent, "Acme Health - EU", "GB");
  world.services.push_back(NamedService(kTestCase1Service1, kTestCase1Sub1, "Acme login", false,
                                        {{At(2025, 1, 1), Mode::kStandard}, {At(2025, 7, 3), Mode::kMax}}));
  world.services.push_back(NamedService(kTestCase1Service2, kTestCase1Sub2, "Acme signup", false,
                                        {{At(2025, 1, 1), Mode::kStandard}, {At(2025, 5, 1), Mode::kOff}}));
  world.AddGeo({std::string(kTestCase1Sub2), "SO", "sms", "disable", At(2025, 2, 1, 9, 15), std::nullopt});
  world.AddGeo({std::string(kTestCase1Sub1), "NG", "sms", "monitor", At(2025, 3, 4, 16, 40), std::nullopt});
  AddMonthlyMrr(world, kTestCase1Parent, 1,
                {235.00, 238.00, 240.00, 242.00, 245.00, 248.00, 250.00, 252.00, 255.00, 255.00});

  // Look 102: a parent with three subaccounts; a three-week attack on UZ; service A1 moves standard → max
  // mid-attack (09:30 UTC, so 2025-09-04 is a mixed day, mostly max).
  account(kScenario102Parent, kScenario102Parent, "Bluefin Payments", "US");
  account(kScenario102SubA, kScenario102Parent, "Bluefin Payments - prod", "US");
  account(kScenario102SubB, kScenario102Parent, "Bluefin Payments - staging", "US");
  account(kScenario102SubC, kScenario102Parent, "Bluefin Payments - EU", "DE");
  world.services.push_back(
      NamedService(kScenario102ServiceA1, kScenario102SubA, "Bluefin login", false,
                   {{At(2024, 11, 5, 8, 12, 44), Mode::kStandard}, {At(2025, 9, 4, 9, 30), Mode::kMax}}));
  world.services.push_back(NamedService(kScenario102ServiceA2, kScenario102SubA, "Bluefin payouts", false,
                                        {{At(2024, 11, 5, 8, 20, 2), Mode::kStandard}}));
  world.services.push_back(NamedService(kScenario102ServiceB1, kScenario102SubB, "Bluefin staging", false,
                                        {{At(2025, 2, 14, 13, 3, 9), Mode::kStandard}}));
  world.services.push_back(NamedService(kScenario102ServiceC1, kScenario102SubC, "Bluefin EU login", false,
                                        {{At(2025, 3, 1, 10, 0), Mode::kBasic}}));
  world.AddGeo({std::string(kScenario102SubA), "NG", "sms", "disable", At(2025, 1, 10, 12), std::nullopt});
  AddMonthlyMrr(world, kScenario102Parent, 1,
                {1720.00, 1735.50, 1750.00, 1768.25, 1790.00, 1805.00, 1820.00, 1836.40, 1850.00, 1862.00});
  world.credits.push_back(
      {std::string(kScenario102Parent), "verify", At(2025, 2, 11, 15, 2, 11), 640.00, "rejected"});
  world.credits.push_back(
      {std::string(kScenario102Parent), "psms", At(2025, 4, 3, 9, 48, 30), 120.00, "issued"});

  // Look 103: Fraud Guard off since 2025-03-10; MRR known up to July only (the claim month is missing).
  account(kScenario103Parent, kScenario103Parent, "Quokka Rides", "AU");
  world.services.push_back(
      NamedService(kScenario103Service, kScenario103Parent, "Quokka rider OTP", false,
                   {{At(2024, 9, 1, 12), Mode::kStandard}, {At(2025, 3, 10, 14), Mode::kOff}}));
  AddMonthlyMrr(world, kScenario103Parent, 1, {80.00, 82.00, 85.00, 88.00, 90.00, 92.00, 95.00});

  // Explore look: a parent on basic since 2025-06-01 with Geo Permission 'allow' for LK (bypasses Fraud
  // Guard) and 'monitor' for PK; an issued Verify credit on 2025-01-20 (inside the repeat window).
  account(kScenarioExploreParent, kScenarioExploreParent, "Larkspur Health", "GB");
  world.services.push_back(
      NamedService(kScenarioExploreService, kScenarioExploreParent, "Larkspur patient OTP", false,
                   {{At(2024, 12, 1, 9), Mode::kStandard}, {At(2025, 6, 1), Mode::kBasic}}));
  world.services.push_back(NamedService(kScenarioExploreService2, kScenarioExploreParent,
                                        "Larkspur staff MFA", true,
                                        {{At(2024, 12, 1, 9, 5), Mode::kStandard}}));
  world.AddGeo(
      {std::string(kScenarioExploreParent), "LK", "sms", "allow", At(2025, 5, 20, 10), std::nullopt});
  world.AddGeo(
      {std::string(kScenarioExploreParent), "PK", "sms", "monitor", At(2025, 5, 20, 10), std::nullopt});
  AddMonthlyMrr(world, kScenarioExploreParent, 1,
                {3900.00, 3920.00, 3950.00, 3980.00, 4010.00, 4050.00, 4100.00, 4150.00, 4180.00, 4200.00});
  world.credits.push_back(
      {std::string(kScenarioExploreParent), "verify", At(2025, 1, 20, 14, 5), 310.00, "issued"});

  auto service = [&](std::string_view sid) -> const ServiceRec& {
    for (std::size_t i = first_service; i < world.services.size(); ++i) {
      if (world.services[i].sid == sid) return world.services[i];
    }
    return world.services[first_service];
  };

  // Test case 1's five cells, exactly: A sent at the list price, B blocked at price 0.
  struct Cell {
    int day;
    std::string_view service, iso;
    const char* mnc;
    int64_t sent, blocked;
  };
  static constexpr Cell kCells[] = {
      {1, kTestCase1Service1, "AZ", "04", 1000, 500}, {2, kTestCase1Service1, "AZ", "04", 800, 1200},
      {3, kTestCase1Service1, "AZ", "04", 300, 1700}, {2, kTestCase1Service2, "TJ", "03", 2000, 0},
      {3, kTestCase1Service2, "TJ", "03", 500, 0},
  };
  for (const Cell& cell : kCells) {
    CREDITBOT_RETURN_IF_ERROR(EmitExactCell(world, service(cell.service), absl::CivilDay(2025, 7, cell.day),
                                            cell.iso, std::string(cell.mnc), cell.sent, cell.blocked, rng,
                                            sid_rng, out));
  }
  std::vector<AttackPlan> attacks;
  attacks.push_back(NamedAttack(world, kScenario102ServiceA1, "UZ", "05", absl::CivilDay(2025, 8, 25), 21,
                                250, 600, 12, 0.01, 0x102a, rng));
  // The same attackers also tried Nigeria, which the prod subaccount's Geo Permissions disable (error 60605).
  attacks.push_back(NamedAttack(world, kScenario102ServiceA1, "NG", "20", absl::CivilDay(2025, 8, 26), 3, 30,
                                60, 4, 0.0, 0x102c, rng));
  attacks.push_back(NamedAttack(world, kScenario102ServiceB1, "KG", "09", absl::CivilDay(2025, 9, 2), 5, 150,
                                300, 8, 0.0, 0x102b, rng));
  attacks.push_back(NamedAttack(world, kScenario103Service, "BD", "03", absl::CivilDay(2025, 8, 1), 7, 300,
                                500, 10, 0.005, 0x103, rng));
  attacks.push_back(NamedAttack(world, kScenarioExploreService, "LK", "02", absl::CivilDay(2025, 9, 8), 12,
                                150, 300, 10, 0.01, 0xe1, rng));
  attacks.push_back(NamedAttack(world, kScenarioExploreService, "PK", "06", absl::CivilDay(2025, 9, 8), 12,
                                200, 400, 12, 0.01, 0xe2, rng));
  for (const AttackPlan& plan : attacks)
    CREDITBOT_RETURN_IF_ERROR(EmitAttack(world, plan, rng, sid_rng, out));

  // Legitimate traffic around each scenario, only to the accounts' usual (never pumping-prone) countries.
  struct Legit {
    std::string_view service;
    absl::CivilDay from, to;
    double daily;
  };
  const Legit legit[] = {
      {kTestCase1Service1, absl::CivilDay(2025, 6, 15), absl::CivilDay(2025, 8, 1), 6},
      {kTestCase1Service2, absl::CivilDay(2025, 6, 15), absl::CivilDay(2025, 8, 1), 6},
      {kScenario102ServiceA1, absl::CivilDay(2025, 8, 1), absl::CivilDay(2025, 10, 1), 10},
      {kScenario102ServiceA2, absl::CivilDay(2025, 8, 1), absl::CivilDay(2025, 10, 1), 10},
      {kScenario102ServiceB1, absl::CivilDay(2025, 8, 1), absl::CivilDay(2025, 10, 1), 10},
      {kScenario102ServiceC1, absl::CivilDay(2025, 8, 1), absl::CivilDay(2025, 10, 1), 10},
      {kScenario103Service, absl::CivilDay(2025, 7, 15), absl::CivilDay(2025, 8, 21), 5},
      {kScenarioExploreService, absl::CivilDay(2025, 8, 15), absl::CivilDay(2025, 10, 6), 8},
      {kScenarioExploreService2, absl::CivilDay(2025, 8, 15), absl::CivilDay(2025, 10, 6), 8},
  };
  for (const Legit& range : legit) {
    CREDITBOT_RETURN_IF_ERROR(EmitLegitRange(world, service(range.service), range.from, range.to, range.daily,
                                             false, rng, sid_rng, out));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------------------
// The random fleet.

constexpr const char* kNameFirst[] = {"Apex",   "Birch",   "Cobalt",  "Delta",   "Ember",  "Fjord", "Granite",
                                      "Harbor", "Indigo",  "Juniper", "Kestrel", "Lumen",  "Maple", "Nimbus",
                                      "Orchid", "Pioneer", "Quartz",  "Riverly", "Summit", "Tandem"};
constexpr const char* kNameSecond[] = {"Bank",   "Health", "Games",  "Rides",   "Market",
                                       "Travel", "Labs",   "Dating", "Finance", "Foods",
                                       "Energy", "Mobile", "Cloud",  "Learning"};

Mode DrawInitialMode(Rng& rng) {
  const double u = rng.Uniform();
  if (u < 0.70) return Mode::kStandard;
  if (u < 0.80) return Mode::kBasic;
  if (u < 0.90) return Mode::kMax;
  return Mode::kOff;
}

absl::Status AddRandomFleet(World& world, const SynthOptions& options, AttemptWriter& out) {
  Rng rng(Hash(options.seed, 0x666c656574ULL));  // "fleet"
  Rng sid_rng(Hash(options.seed, 0x736964ULL));  // "sid"
  const std::size_t first_service = world.services.size();
  const int64_t period_days = kPeriodEnd - kPeriodStart;
  // About scale × 50,000 attempts in all (0.5 % more, so Poisson noise never takes --scale 200 under ten
  // million), the named scenarios included, but always some fleet traffic.
  const double budget = std::max(10000.0, 50250.0 * options.scale - static_cast<double>(out.count()));

  std::vector<std::size_t> homes;
  std::vector<double> home_weights;
  double total_home_weight = 0;
  for (std::size_t i = 0; i < world.countries.size(); ++i) {
    if (world.countries[i].weight > 0) {
      homes.push_back(i);
      home_weights.push_back(world.countries[i].weight);
      total_home_weight += world.countries[i].weight;
    }
  }
  auto draw_home = [&] {
    double u = rng.Uniform() * total_home_weight;
    for (std::size_t i = 0; i < homes.size(); ++i) {
      if (u < home_weights[i]) return homes[i];
      u -= home_weights[i];
    }
    return homes.back();
  };
  std::vector<std::size_t> pumping;
  for (std::size_t i = 0; i < world.countries.size(); ++i) {
    if (world.countries[i].pumping_prone) pumping.push_back(i);
  }

  // Parents, subaccounts, services.
  const int parents = 12 * options.scale;
  std::vector<double> service_weights;
  for (int p = 0; p < parents; ++p) {
    const std::string parent_sid = rng.Sid("AC");
    const std::string name = absl::StrCat(kNameFirst[rng.Index(std::size(kNameFirst))], " ",
                                          kNameSecond[rng.Index(std::size(kNameSecond))]);
    const double u = rng.Uniform();
    const int segment = u < 0.70 ? 0 : u < 0.92 ? 1 : 2;  // self-serve, mid-market, enterprise
    const double v = rng.Uniform();
    const std::string status = v < 0.95 ? "active" : v < 0.98 ? "suspended" : "closed";
    const std::size_t home = draw_home();
    const int64_t subaccounts = rng.Chance(0.8) ? 0 : rng.Int(1, 5);
    for (int64_t a = 0; a <= subaccounts; ++a) {
      const std::string sid = a == 0 ? parent_sid : rng.Sid("AC");
      world.AddAccount(AccountRec{sid, parent_sid, a == 0 ? name : absl::StrCat(name, " - sub ", a),
                                  a == 0 ? status : (rng.Chance(0.95) ? "active" : "suspended"),
                                  rng.Chance(0.8) ? home : draw_home(), rng.Uniform(0.70, 0.95)});
      const double w = rng.Uniform();
      const int64_t services = w < 0.6 ? 1 : w < 0.9 ? 2 : 3;
      for (int64_t s = 0; s < services; ++s) {
        ServiceRec service;
        service.sid = rng.Sid("VA");
        service.account_sid = sid;
        service.friendly_name = absl::StrCat(name, s == 0 ? " login" : s == 1 ? " signup" : " payments");
        service.authy_v1 = rng.Chance(0.10);
        service.custom_code = rng.Chance(0.10);
        const Seconds created = StartOf(kPeriodStart) - rng.Int(30, 700) * kDay + rng.Int(0, kDay - 1);
        const std::size_t ordinal = world.services.size() - first_service;
        Mode mode = service.authy_v1 ? Mode::kStandard : DrawInitialMode(rng);
        // Make sure every fleet has the less common set-ups at least once.
        if (ordinal == 0) {
          mode = Mode::kBasic;
          service.custom_code = true;
          service.authy_v1 = false;
        } else if (ordinal == 1) {
          mode = Mode::kOff;
          service.authy_v1 = false;
        } else if (ordinal == 2) {
          mode = Mode::kMax;
          service.authy_v1 = false;
        }
        service.changes.emplace_back(created, mode);
        if (!service.authy_v1 && rng.Chance(0.15)) {
          Mode next = DrawInitialMode(rng);
          if (next == mode) next = mode == Mode::kStandard ? Mode::kMax : Mode::kStandard;
          AddChange(service, StartOf(kPeriodStart) + rng.Int(0, period_days * kDay - 1), next);
        }
        service.conversion = rng.Uniform(0.6, 0.9);
        world.services.push_back(std::move(service));
        service_weights.push_back(rng.LogNormal(1.0, 1.0) * (segment == 0 ? 1.0 : segment == 1 ? 4.0 : 15.0));
      }
      // Geo Permissions: some accounts restrict (or open) pumping-prone countries.
      if (rng.Chance(0.3)) {
        const int64_t rows = rng.Int(1, 3);
        std::set<std::size_t> used;
        for (int64_t g = 0; g < rows; ++g) {
          const std::size_t country = pumping[rng.Index(pumping.size())];
          if (!used.insert(country).second) continue;
          const double x = rng.Uniform();
          GeoRec rec{sid,
                     world.countries[country].iso,
                     rng.Chance(0.85) ? "sms" : "call",
                     x < 0.60   ? "disable"
                     : x < 0.85 ? "monitor"
                                : "allow",
                     StartOf(kPeriodStart) - rng.Int(0, 400) * kDay + rng.Int(0, kDay - 1),
                     std::nullopt};
          if (rec.channel == "call" && rec.permission == "monitor") rec.permission = "disable";  // SMS only
          if (rng.Chance(0.2)) rec.to = rec.from + rng.Int(30, 200) * kDay;
          world.AddGeo(std::move(rec));
        }
      }
    }
    // MRR per month (some parents start during the year); earlier credits for some.
    double base = segment == 0   ? std::max(1.0, rng.LogNormal(50, 0.8))
                  : segment == 1 ? rng.Uniform(2000, 20000)
                                 : rng.Uniform(20000, 120000);
    const int first_month = rng.Chance(0.8) ? 1 : static_cast<int>(rng.Int(2, 9));
    for (int m = first_month; m <= 10; ++m) {
      base *= 1.0 + 0.03 * rng.Normal();
      world.mrr[{parent_sid, FormatDay(absl::CivilDay(2025, m, 1))}] = RoundTo(std::max(1.0, base), 2);
    }
    if (rng.Chance(0.15)) {
      const int64_t credits = rng.Int(1, 2);
      for (int64_t c = 0; c < credits; ++c) {
        const double x = rng.Uniform();
        world.credits.push_back(
            CreditRec{parent_sid, rng.Chance(0.8) ? "verify" : "psms",
                      StartOf(absl::CivilDay(2024, 6, 1)) + rng.Int(0, 500) * kDay + rng.Int(0, kDay - 1),
                      RoundTo(rng.Uniform(20, 3000), 2),
                      x < 0.5    ? "issued"
                      : x < 0.65 ? "approved"
                      : x < 0.85 ? "rejected"
                                 : "proposed"});
      }
    }
  }

  // Attacks, planned first so some services can move to max after theirs.
  const double attack_budget = 0.25 * budget;
  double planned = 0;
  std::vector<AttackPlan> attacks;
  const std::size_t fleet_services = world.services.size() - first_service;
  while (planned < attack_budget) {
    AttackPlan plan;
    plan.service = first_service + rng.Index(fleet_services);
    plan.country = pumping[rng.Index(pumping.size())];
    const Country& country = world.countries[plan.country];
    plan.mnc = country.mncs[rng.Index(country.mncs.size())];
    const double d = rng.Uniform();
    int64_t days = d < 0.5 ? rng.Int(1, 3) : d < 0.85 ? rng.Int(4, 10) : rng.Int(11, 30);
    plan.start = kPeriodStart + rng.Int(0, period_days - 1);
    days = std::min<int64_t>(days, kPeriodEnd - plan.start);
    const double level = 300.0 * std::pow(10.0, rng.Uniform());      // log-uniform 300..3000 a day
    for (int64_t i = 0; i < days && planned < attack_budget; ++i) {  // the last attack may end early
      plan.daily.push_back(static_cast<int64_t>(std::llround(level * rng.Uniform(0.6, 1.4))));
      planned += static_cast<double>(plan.daily.back());
    }
    days = static_cast<int64_t>(plan.daily.size());
    plan.prefixes = static_cast<int>(rng.Int(1, 20));
    plan.conversion = rng.Uniform(0, 0.02);
    plan.id = rng.Next();
    ServiceRec& service = world.services[plan.service];
    const Seconds end = StartOf(plan.start + days);
    if (!service.authy_v1 && ModeAt(service, end) != Mode::kMax && rng.Chance(0.5)) {
      const Seconds when = end + rng.Int(1, 3) * kDay + rng.Int(0, kDay - 1);
      if (when < StartOf(kPeriodEnd)) AddChange(service, when, Mode::kMax);
    }
    attacks.push_back(std::move(plan));
  }

  // Legitimate traffic: the rest of the budget, shared by weight.
  double total_weight = 0;
  for (double w : service_weights) total_weight += w;
  const double legit_budget = std::max(0.0, budget - planned);
  for (std::size_t s = 0; s < fleet_services; ++s) {
    world.services[first_service + s].daily_volume =
        service_weights[s] / total_weight * legit_budget / static_cast<double>(period_days);
  }
  for (std::size_t s = first_service; s < world.services.size(); ++s) {
    CREDITBOT_RETURN_IF_ERROR(EmitLegitRange(world, world.services[s], kPeriodStart, kPeriodEnd,
                                             world.services[s].daily_volume, true, rng, sid_rng, out));
  }
  for (const AttackPlan& plan : attacks)
    CREDITBOT_RETURN_IF_ERROR(EmitAttack(world, plan, rng, sid_rng, out));
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------------------
// Writing the reference tables.

absl::Status WriteTables(SqliteDb& db, const World& world) {
  {
    CREDITBOT_ASSIGN_OR_RETURN(Statement insert, db.Prepare("INSERT INTO accounts VALUES (?1, ?2, ?3, ?4)"));
    for (const AccountRec& a : world.accounts) {
      insert.Reset();
      insert.Bind(1, std::string_view(a.sid))
          .Bind(2, std::string_view(a.parent))
          .Bind(3, std::string_view(a.friendly_name))
          .Bind(4, std::string_view(a.status));
      CREDITBOT_RETURN_IF_ERROR(insert.Run());
    }
  }
  {
    CREDITBOT_ASSIGN_OR_RETURN(Statement service_insert,
                               db.Prepare("INSERT INTO verify_services VALUES (?1, ?2, ?3, ?4, ?5)"));
    CREDITBOT_ASSIGN_OR_RETURN(
        Statement history_insert,
        db.Prepare("INSERT INTO fraud_guard_settings_history VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const ServiceRec& s : world.services) {
      service_insert.Reset();
      service_insert.Bind(1, std::string_view(s.sid))
          .Bind(2, std::string_view(s.account_sid))
          .Bind(3, std::string_view(s.friendly_name))
          .Bind(4, int64_t{s.custom_code ? 1 : 0})
          .Bind(5, std::string_view(s.authy_v1 ? "authy_v1" : "verify_v2"));
      CREDITBOT_RETURN_IF_ERROR(service_insert.Run());
      // Collapse repeated modes into one interval.
      std::vector<std::pair<Seconds, Mode>> intervals;
      for (const auto& change : s.changes) {
        if (intervals.empty() || intervals.back().second != change.second) intervals.push_back(change);
      }
      for (std::size_t i = 0; i < intervals.size(); ++i) {
        history_insert.Reset();
        history_insert.Bind(1, std::string_view(s.sid))
            .Bind(2, std::string_view(s.account_sid))
            .Bind(3, ModeName(intervals[i].second))
            .Bind(4, std::string_view(FormatTimestamp(intervals[i].first)));
        if (i + 1 < intervals.size()) {
          history_insert.Bind(5, std::string_view(FormatTimestamp(intervals[i + 1].first)));
        } else {
          history_insert.BindNull(5);
        }
        CREDITBOT_RETURN_IF_ERROR(history_insert.Run());
      }
    }
  }
  {
    CREDITBOT_ASSIGN_OR_RETURN(
        Statement insert,
        db.Prepare("INSERT OR IGNORE INTO geo_permissions_history VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    for (const GeoRec& g : world.geo) {
      insert.Reset();
      insert.Bind(1, std::string_view(g.account_sid))
          .Bind(2, std::string_view(g.iso))
          .Bind(3, std::string_view(g.channel))
          .Bind(4, std::string_view(g.permission))
          .Bind(5, std::string_view(FormatTimestamp(g.from)));
      if (g.to) {
        insert.Bind(6, std::string_view(FormatTimestamp(*g.to)));
      } else {
        insert.BindNull(6);
      }
      CREDITBOT_RETURN_IF_ERROR(insert.Run());
    }
  }
  {
    CREDITBOT_ASSIGN_OR_RETURN(Statement insert,
                               db.Prepare("INSERT INTO provider_costs VALUES (?1, ?2, ?3, ?4, ?5)"));
    auto add = [&](std::string_view mcc, const char* mnc, double cost, absl::CivilDay from,
                   std::optional<absl::CivilDay> to) {
      insert.Reset();
      insert.Bind(1, mcc);
      if (mnc != nullptr) {
        insert.Bind(2, std::string_view(mnc));
      } else {
        insert.BindNull(2);
      }
      insert.Bind(3, RoundTo(cost, 5)).Bind(4, std::string_view(FormatDay(from)));
      if (to) {
        insert.Bind(5, std::string_view(FormatDay(*to)));
      } else {
        insert.BindNull(5);
      }
      return insert.Run();
    };
    for (const Country& c : world.countries) {
      CREDITBOT_RETURN_IF_ERROR(add(c.mcc, nullptr, c.cost, absl::CivilDay(2025, 1, 1), std::nullopt));
    }
    for (const CostOverride& o : ExtraCosts())
      CREDITBOT_RETURN_IF_ERROR(add(o.mcc, o.mnc, o.cost, o.from, o.to));
  }
  {
    CREDITBOT_ASSIGN_OR_RETURN(Statement insert, db.Prepare("INSERT INTO block_rates VALUES (?1, ?2, ?3)"));
    for (const Country& c : world.countries) {
      for (Mode mode : {Mode::kBasic, Mode::kStandard, Mode::kMax}) {
        insert.Reset();
        insert.Bind(1, ModeName(mode)).Bind(2, std::string_view(c.mcc)).Bind(3, BlockRate(c, mode));
        CREDITBOT_RETURN_IF_ERROR(insert.Run());
      }
    }
  }
  {
    CREDITBOT_ASSIGN_OR_RETURN(Statement insert, db.Prepare("INSERT INTO mrr_monthly VALUES (?1, ?2, ?3)"));
    for (const auto& [key, amount] : world.mrr) {
      insert.Reset();
      insert.Bind(1, std::string_view(key.first)).Bind(2, std::string_view(key.second)).Bind(3, amount);
      CREDITBOT_RETURN_IF_ERROR(insert.Run());
    }
  }
  {
    CREDITBOT_ASSIGN_OR_RETURN(Statement insert,
                               db.Prepare("INSERT INTO credits_issued VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const CreditRec& c : world.credits) {
      insert.Reset();
      insert.Bind(1, std::string_view(c.parent))
          .Bind(2, std::string_view(c.product))
          .Bind(3, std::string_view(FormatTimestamp(c.created)))
          .Bind(4, c.amount)
          .Bind(5, std::string_view(c.status));
      CREDITBOT_RETURN_IF_ERROR(insert.Run());
    }
  }
  return absl::OkStatus();
}

// Splits a schema script into statements (sqlite3_complete decides where one ends) and tells the index
// statements apart, so they can run after the data is loaded.
struct SchemaScript {
  std::vector<std::string> tables;
  std::vector<std::string> indexes;
};

SchemaScript SplitSchema(std::string_view script) {
  SchemaScript result;
  std::string current;
  for (char c : script) {
    current += c;
    if (c != ';' || !sqlite3_complete(current.c_str())) continue;
    // The first keyword after leading blanks and comments says what the statement is.
    std::string_view rest = current;
    while (true) {
      const absl::string_view stripped =
          absl::StripLeadingAsciiWhitespace(absl::string_view(rest.data(), rest.size()));
      rest = std::string_view(stripped.data(), stripped.size());
      if (rest.starts_with("--")) {
        const std::size_t end = rest.find('\n');
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      } else {
        break;
      }
    }
    const std::string head =
        absl::AsciiStrToUpper(absl::string_view(rest.data(), std::min<std::size_t>(rest.size(), 20)));
    if (absl::StartsWith(head, "CREATE INDEX") || absl::StartsWith(head, "CREATE UNIQUE INDEX")) {
      result.indexes.push_back(std::move(current));
    } else if (!rest.empty()) {
      result.tables.push_back(std::move(current));
    }
    current.clear();
  }
  return result;
}

absl::Status Generate(const std::string& path, const SynthOptions& options) {
  World world;
  world.countries = BuiltinCountries();
  // Read the table up front so a bad one fails before anything is written; apply it after the named
  // scenarios, which always use the built-in networks.
  std::vector<Country> refined = world.countries;
  if (!options.mcc_table_path.empty())
    CREDITBOT_RETURN_IF_ERROR(ApplyMccTable(options.mcc_table_path, refined));
  CREDITBOT_ASSIGN_OR_RETURN(std::string schema_text, ReadDataFile("sql/schema/warehouse.sql"));
  const SchemaScript schema = SplitSchema(schema_text);

  CREDITBOT_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path, SqliteDb::OpenMode::kReadWriteCreate));
  // The file is private until it is linked into place, so durability can wait for the end.
  CREDITBOT_RETURN_IF_ERROR(
      db.Exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536"));
  for (const std::string& statement : schema.tables) CREDITBOT_RETURN_IF_ERROR(db.Exec(statement));
  {
    CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db));
    CREDITBOT_ASSIGN_OR_RETURN(Statement insert,
                               db.Prepare("INSERT INTO verification_attempts VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                                          "?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
    AttemptWriter attempts(std::move(insert));
    CREDITBOT_RETURN_IF_ERROR(AddNamedScenarios(world, attempts));
    world.countries = std::move(refined);
    CREDITBOT_RETURN_IF_ERROR(AddRandomFleet(world, options, attempts));
    CREDITBOT_RETURN_IF_ERROR(WriteTables(db, world));
    CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  }
  for (const std::string& statement : schema.indexes) CREDITBOT_RETURN_IF_ERROR(db.Exec(statement));
  CREDITBOT_RETURN_IF_ERROR(db.Exec("ANALYZE"));
  return absl::OkStatus();
}

}  // namespace

absl::Status GenerateSyntheticWarehouse(const std::string& db_path, const SynthOptions& options) {
  if (options.scale < 1 || options.scale > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("synthetic warehouse scale must be 1..10000, got ", options.scale));
  }
  std::error_code ec;
  if (std::filesystem::exists(db_path, ec)) {
    return absl::AlreadyExistsError(absl::StrCat("refusing to overwrite the existing file ", db_path));
  }
  const std::string temp = absl::StrCat(db_path, ".partial-", static_cast<int64_t>(::getpid()));
  std::filesystem::remove(temp, ec);
  absl::Status status = Generate(temp, options);
  if (status.ok() && ::link(temp.c_str(), db_path.c_str()) != 0) {
    // link() never replaces an existing file, unlike rename().
    status = errno == EEXIST
                 ? absl::AlreadyExistsError(absl::StrCat("refusing to overwrite the existing file ", db_path))
                 : absl::InternalError(absl::StrCat("cannot create ", db_path, ": ", std::strerror(errno)));
  }
  std::filesystem::remove(temp, ec);
  return status;
}

}  // namespace creditbot
