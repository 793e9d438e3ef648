// Fraud-report column roles and cell conversion (see fraud_report_columns.h).
#include "evidence/fraud_report_columns.h"

#include <cmath>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "re2/re2.h"

namespace creditbot {
namespace {

// The readers of the header, for a borrowed cell (a row as the warehouse hands it); the header's, for an
// owned cell, read a view of it.
std::string CellDebugString(const CellView& cell);
absl::StatusOr<std::string> CellToText(const CellView& cell);
absl::StatusOr<absl::CivilDay> CellToDay(const CellView& cell);
absl::StatusOr<int64_t> CellToCount(const CellView& cell);
absl::StatusOr<Decimal> CellToDecimal(const CellView& cell);

// A role's patterns compiled, by the pattern text. The same few policies' roles come back for every
// request, and compiling them each time was ~20% of a request's instructions in `serve` (issue 7,
// docs/BENCHMARKS.md). Thread-safe (RE2 matching is); at most kMaxCompiled texts are kept, so patterns
// from ever-changing policy files cannot grow it without bound.
std::shared_ptr<const RE2> CompiledRolePattern(const std::string& text) {
  constexpr std::size_t kMaxCompiled = 256;
  static std::mutex mutex;
  static auto* compiled = new std::map<std::string, std::shared_ptr<const RE2>, std::less<>>();
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = compiled->find(text); it != compiled->end()) return it->second;
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  auto regex = std::make_shared<const RE2>(text, options);
  if (compiled->size() >= kMaxCompiled) compiled->clear();
  compiled->emplace(text, regex);
  return regex;
}

constexpr std::string_view kAlwaysRequired[] = {kRoleDay, kRoleAccountSid, kRoleMcc, kRoleAttemptsSent,
                                                kRoleFraudCharges};
constexpr std::string_view kKnownRoles[] = {
    kRoleDay,     kRoleAccountSid,   kRoleServiceSid,      kRoleMcc,         kRoleMnc,
    kRoleCountry, kRoleAttemptsSent, kRoleAttemptsBlocked, kRoleFraudCharges};

bool Contains(const std::string_view* begin, const std::string_view* end, std::string_view value) {
  for (const std::string_view* it = begin; it != end; ++it) {
    if (*it == value) return true;
  }
  return false;
}

bool IsKnownRole(std::string_view role) {
  return Contains(std::begin(kKnownRoles), std::end(kKnownRoles), role);
}
bool IsAlwaysRequired(std::string_view role) {
  return Contains(std::begin(kAlwaysRequired), std::end(kAlwaysRequired), role);
}

// Largest integer a double holds exactly (2^53).
constexpr double kMaxExactDouble = 9007199254740992.0;
constexpr Decimal::Raw kDecimalOne = [] {  // 10^kScale: the raw value of 1
  Decimal::Raw one = 1;
  for (int i = 0; i < Decimal::kScale; ++i) one *= 10;
  return one;
}();

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string Quoted(std::string_view text) { return absl::StrCat("'", ToAbsl(text), "'"); }

}  // namespace

namespace {
std::string CellDebugString(const CellView& cell) {
  if (std::holds_alternative<Null>(cell)) return "NULL";
  if (const int64_t* i = std::get_if<int64_t>(&cell)) return absl::StrCat(*i);
  if (const double* d = std::get_if<double>(&cell)) return absl::StrFormat("%.17g", *d);
  const std::string_view text = std::get<std::string_view>(cell);
  constexpr std::size_t kMax = 60;
  if (text.size() > kMax) return absl::StrCat(Quoted(text.substr(0, kMax)), "…");
  return Quoted(text);
}
}  // namespace
std::string CellDebugString(const Value& cell) { return CellDebugString(ViewOf(cell)); }

namespace {

// The text of a text cell with surrounding ASCII whitespace removed, or nullopt for another kind.
std::optional<std::string_view> TrimmedText(const CellView& cell) {
  const std::string_view* text = std::get_if<std::string_view>(&cell);
  if (text == nullptr) return std::nullopt;
  const absl::string_view trimmed = absl::StripAsciiWhitespace(ToAbsl(*text));
  return std::string_view(trimmed.data(), trimmed.size());
}

// CellToText's reading, interned: a text cell is interned from the borrowed bytes, without a copy.
absl::StatusOr<InternedText> CellToInternedText(const CellView& cell, TextInterner& interner) {
  if (std::optional<std::string_view> text = TrimmedText(cell)) return interner.Intern(*text);
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, CellToText(cell));
  return interner.Intern(text);
}

}  // namespace

namespace {
absl::StatusOr<std::string> CellToText(const CellView& cell) {
  if (std::holds_alternative<Null>(cell)) return std::string();
  if (const int64_t* i = std::get_if<int64_t>(&cell)) return absl::StrCat(*i);
  if (std::optional<std::string_view> text = TrimmedText(cell)) return std::string(*text);
  return absl::InvalidArgumentError(absl::StrCat("expected text, got the number ", CellDebugString(cell)));
}
}  // namespace
absl::StatusOr<std::string> CellToText(const Value& cell) { return CellToText(ViewOf(cell)); }

namespace {

// Parses exactly `count` digits at `pos`.
bool ReadDigits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

// 'YYYY-MM-DD' at the start of `text` (a real date: 2025-02-30 is refused).
std::optional<absl::CivilDay> ReadDate(std::string_view text) {
  int year = 0, month = 0, day = 0;
  if (text.size() < 10 || !ReadDigits(text, 0, 4, year) || text[4] != '-' || !ReadDigits(text, 5, 2, month) ||
      text[7] != '-' || !ReadDigits(text, 8, 2, day)) {
    return std::nullopt;
  }
  const absl::CivilDay result(year, month, day);
  // CivilDay normalises out-of-range fields (2025-02-30 → 2025-03-02); a real date round-trips.
  if (result.year() != year || result.month() != month || result.day() != day) return std::nullopt;
  return result;
}

// The zone suffix of a timestamp as its offset from UTC: "" / "Z" / "UTC" (after an optional blank), or
// a numeric offset ±HH, ±HHMM, ±HH:MM (after an optional blank). nullopt for anything else.
std::optional<absl::Duration> ReadZone(std::string_view zone) {
  if (!zone.empty() && zone.front() == ' ') zone.remove_prefix(1);
  if (zone.empty() || zone == "Z" || zone == "UTC") return absl::ZeroDuration();
  if (zone.size() < 3 || (zone[0] != '+' && zone[0] != '-')) return std::nullopt;
  int hours = 0, minutes = 0;
  if (!ReadDigits(zone, 1, 2, hours)) return std::nullopt;
  if (zone.size() == 6 && zone[3] == ':') {
    if (!ReadDigits(zone, 4, 2, minutes)) return std::nullopt;
  } else if (zone.size() == 5) {
    if (!ReadDigits(zone, 3, 2, minutes)) return std::nullopt;
  } else if (zone.size() != 3) {
    return std::nullopt;
  }
  if (hours > 23 || minutes > 59) return std::nullopt;
  const absl::Duration offset = absl::Hours(hours) + absl::Minutes(minutes);
  return zone[0] == '-' ? -offset : offset;
}

constexpr std::string_view kTimestampForms =
    "'YYYY-MM-DD', or a timestamp 'YYYY-MM-DD HH:MM[:SS[.fff]]' ('T' also separates) in UTC or with 'Z', "
    "' UTC' or an offset such as '-05:00'";

}  // namespace

absl::StatusOr<absl::Time> ParseTimestampUtc(std::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(ToAbsl(text));
  const std::string_view value(trimmed.data(), trimmed.size());
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat("expected ", ToAbsl(kTimestampForms), ", got ",
                                                   CellDebugString(Value(std::string(value)))));
  };
  const std::optional<absl::CivilDay> date = ReadDate(value);
  if (!date) return bad();
  int hour = 0, minute = 0, second = 0;
  absl::Duration fraction = absl::ZeroDuration();
  std::size_t pos = 10;
  if (pos < value.size()) {
    if (value[pos] != ' ' && value[pos] != 'T') return bad();
    if (!ReadDigits(value, pos + 1, 2, hour) || pos + 3 >= value.size() || value[pos + 3] != ':' ||
        !ReadDigits(value, pos + 4, 2, minute)) {
      return bad();
    }
    pos += 6;
    if (pos < value.size() && value[pos] == ':') {
      if (!ReadDigits(value, pos + 1, 2, second)) return bad();
      pos += 3;
      if (pos < value.size() && value[pos] == '.') {
        ++pos;
        int64_t nanos = 0;
        int digits = 0;
        while (pos < value.size() && value[pos] >= '0' && value[pos] <= '9') {
          if (digits < 9) nanos = nanos * 10 + (value[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0) return bad();
        for (int d = std::min(digits, 9); d < 9; ++d) nanos *= 10;
        fraction = absl::Nanoseconds(nanos);
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return bad();
  }
  const std::optional<absl::Duration> offset = ReadZone(value.substr(pos));
  if (!offset) return bad();
  const absl::Time local = absl::FromCivil(
      absl::CivilSecond(date->year(), date->month(), date->day(), hour, minute, second), absl::UTCTimeZone());
  return local + fraction - *offset;
}

namespace {
absl::StatusOr<absl::CivilDay> CellToDay(const CellView& cell) {
  const std::string_view* text = std::get_if<std::string_view>(&cell);
  if (text == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a date ", ToAbsl(kTimestampForms), ", got ", CellDebugString(cell)));
  }
  const absl::string_view value = absl::StripAsciiWhitespace(ToAbsl(*text));
  if (value.size() == 10) {
    if (std::optional<absl::CivilDay> date = ReadDate(std::string_view(value.data(), value.size())))
      return *date;
  }
  absl::StatusOr<absl::Time> time = ParseTimestampUtc(*text);
  if (!time.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a date ", ToAbsl(kTimestampForms), ", got ", CellDebugString(cell)));
  }
  return absl::ToCivilDay(*time, absl::UTCTimeZone());
}
}  // namespace
absl::StatusOr<absl::CivilDay> CellToDay(const Value& cell) { return CellToDay(ViewOf(cell)); }

namespace {
absl::StatusOr<int64_t> CellToCount(const CellView& cell) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("expected a non-negative whole count, got ",
                                                   CellDebugString(cell), " (", ToAbsl(why), ")"));
  };
  if (const int64_t* i = std::get_if<int64_t>(&cell)) {
    if (*i < 0) return bad("negative");
    return *i;
  }
  if (const double* d = std::get_if<double>(&cell)) {
    if (!std::isfinite(*d)) return bad("not finite");
    if (*d < 0) return bad("negative");
    if (*d != std::floor(*d)) return bad("a fraction");
    if (*d >= kMaxExactDouble) return bad("too large");
    return static_cast<int64_t>(*d);
  }
  if (std::optional<std::string_view> text = TrimmedText(cell)) {
    absl::StatusOr<Decimal> value = Decimal::Parse(*text);
    if (!value.ok()) return bad("not a number");
    if (value->IsNegative()) return bad("negative");
    if (value->raw() % kDecimalOne != 0) return bad("a fraction");
    return static_cast<int64_t>(value->raw() / kDecimalOne);
  }
  return bad("NULL");
}
}  // namespace
absl::StatusOr<int64_t> CellToCount(const Value& cell) { return CellToCount(ViewOf(cell)); }

namespace {
absl::StatusOr<Decimal> CellToDecimal(const CellView& cell) {
  if (const int64_t* i = std::get_if<int64_t>(&cell)) {
    constexpr int64_t kLimit = 1000000000000000;  // Decimal::FromInt accepts |value| < 10^15
    if (*i <= -kLimit || *i >= kLimit) {
      return absl::InvalidArgumentError(absl::StrCat("amount out of range: ", *i));
    }
    return Decimal::FromInt(*i);
  }
  if (const double* d = std::get_if<double>(&cell)) return Decimal::FromDouble(*d);
  if (std::optional<std::string_view> text = TrimmedText(cell)) return Decimal::Parse(*text);
  return absl::InvalidArgumentError("expected an amount, got NULL");
}
}  // namespace
absl::StatusOr<Decimal> CellToDecimal(const Value& cell) { return CellToDecimal(ViewOf(cell)); }

absl::StatusOr<FraudReportColumns> FraudReportColumns::Map(const std::vector<ColumnRole>& roles,
                                                           const std::vector<std::string>& column_names) {
  FraudReportColumns result;
  result.column_names_ = column_names;
  std::vector<std::string> role_of_column(column_names.size());
  std::vector<std::string> missing;
  std::vector<std::string> conflicts;
  bool required_seen[std::size(kAlwaysRequired)] = {};

  for (const ColumnRole& role : roles) {
    if (!IsKnownRole(role.role)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown fraud-report column role '", role.role, "'"));
    }
    for (std::size_t i = 0; i < std::size(kAlwaysRequired); ++i) {
      if (kAlwaysRequired[i] == role.role) required_seen[i] = true;
    }
    std::vector<std::string> alternatives;
    for (const std::string& pattern : role.patterns)
      alternatives.push_back(absl::StrCat("(?:", pattern, ")"));
    // One optional Looker view prefix ("view.") before the pattern; the whole name must match.
    const std::shared_ptr<const RE2> compiled =
        CompiledRolePattern(absl::StrCat("(?:[^.]+\\.)?(?:", absl::StrJoin(alternatives, "|"), ")"));
    const RE2& regex = *compiled;
    if (!regex.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("fraud-report column role '", role.role, "' has an invalid pattern: ", regex.error()));
    }
    int found = -1;
    for (std::size_t c = 0; c < column_names.size(); ++c) {
      if (role.patterns.empty() || !RE2::FullMatch(column_names[c], regex)) continue;
      if (found >= 0) {
        conflicts.push_back(absl::StrCat("columns '", column_names[static_cast<std::size_t>(found)],
                                         "' and '", column_names[c], "' both match role ", role.role));
        continue;
      }
      if (!role_of_column[c].empty()) {
        conflicts.push_back(absl::StrCat("column '", column_names[c], "' matches both roles ",
                                         role_of_column[c], " and ", role.role));
        continue;
      }
      found = static_cast<int>(c);
      role_of_column[c] = role.role;
    }
    if (found < 0 && (role.required || IsAlwaysRequired(role.role))) missing.push_back(role.role);

    const std::string_view name = role.role;
    int* slot = name == kRoleDay               ? &result.day_
                : name == kRoleAccountSid      ? &result.account_
                : name == kRoleServiceSid      ? &result.service_
                : name == kRoleMcc             ? &result.mcc_
                : name == kRoleMnc             ? &result.mnc_
                : name == kRoleCountry         ? &result.country_
                : name == kRoleAttemptsSent    ? &result.sent_
                : name == kRoleAttemptsBlocked ? &result.blocked_
                                               : &result.charges_;
    if (*slot >= 0 && found >= 0) {
      conflicts.push_back(absl::StrCat("role ", role.role, " is listed twice in the policy"));
    }
    if (found >= 0) *slot = found;
  }
  for (std::size_t i = 0; i < std::size(kAlwaysRequired); ++i) {
    if (!required_seen[i]) missing.push_back(std::string(kAlwaysRequired[i]));
  }
  if (!conflicts.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("fraud report columns are ambiguous: ", absl::StrJoin(conflicts, "; ")));
  }
  if (!missing.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "fraud report lacks the required column", missing.size() > 1 ? "s" : "", " for role",
        missing.size() > 1 ? "s " : " ", absl::StrJoin(missing, ", "),
        "; columns seen: ", column_names.empty() ? "(none)" : absl::StrJoin(column_names, ", ")));
  }
  return result;
}

int FraudReportColumns::IndexOf(std::string_view role) const {
  if (role == kRoleDay) return day_;
  if (role == kRoleAccountSid) return account_;
  if (role == kRoleServiceSid) return service_;
  if (role == kRoleMcc) return mcc_;
  if (role == kRoleMnc) return mnc_;
  if (role == kRoleCountry) return country_;
  if (role == kRoleAttemptsSent) return sent_;
  if (role == kRoleAttemptsBlocked) return blocked_;
  if (role == kRoleFraudCharges) return charges_;
  return -1;
}

namespace {

// A text cell that must not be empty; `what` names the expected value in the error.
absl::StatusOr<InternedText> CellToRequiredText(const CellView& cell, std::string_view what,
                                                TextInterner& interner) {
  absl::StatusOr<InternedText> text = CellToInternedText(cell, interner);
  if (!text.ok()) return text.status();
  if (text->empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected ", ToAbsl(what), ", got ", CellDebugString(cell)));
  }
  return text;
}

// A 3-digit MCC from an integer (0..999, zero-padded), a whole double, or text.
absl::StatusOr<InternedText> CellToMcc(const CellView& value, TextInterner& interner) {
  std::string mcc;
  if (const int64_t* i = std::get_if<int64_t>(&value)) {
    if (*i >= 0 && *i <= 999) mcc = absl::StrFormat("%03d", *i);
  } else if (const double* d = std::get_if<double>(&value)) {
    if (*d >= 0 && *d <= 999 && *d == std::floor(*d)) mcc = absl::StrFormat("%03d", static_cast<int>(*d));
  } else if (std::optional<std::string_view> text = TrimmedText(value)) {
    mcc = std::string(*text);
  }
  if (mcc.size() != 3 || !AllDigits(mcc)) {
    return absl::InvalidArgumentError(absl::StrCat("expected a 3-digit MCC, got ", CellDebugString(value)));
  }
  return interner.Intern(mcc);
}

// An ISO country code, upper case; an integer cell is refused.
absl::StatusOr<InternedText> CellToCountry(const CellView& cell, TextInterner& interner) {
  absl::StatusOr<std::string> country = CellToText(cell);
  if (!country.ok()) return country.status();
  if (std::holds_alternative<int64_t>(cell)) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected an ISO country code, got ", CellDebugString(cell)));
  }
  absl::AsciiStrToUpper(&*country);
  return interner.Intern(*country);
}

// A non-negative amount.
absl::StatusOr<Decimal> CellToCharges(const CellView& cell) {
  absl::StatusOr<Decimal> charges = CellToDecimal(cell);
  if (!charges.ok()) return charges.status();
  if (charges->IsNegative()) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a non-negative amount, got ", CellDebugString(cell)));
  }
  return charges;
}

}  // namespace

absl::StatusOr<FraudRow> FraudReportColumns::ConvertRow(const std::vector<Value>& row,
                                                        int64_t row_number) const {
  std::vector<CellView> views;
  views.reserve(row.size());
  for (const Value& value : row) views.push_back(ViewOf(value));
  TextInterner interner;
  return ConvertRow(views, row_number, interner);
}

absl::StatusOr<FraudRow> FraudReportColumns::ConvertRow(RowView row, int64_t row_number,
                                                        TextInterner& interner) const {
  for (int index : {day_, account_, service_, mcc_, mnc_, country_, sent_, blocked_, charges_}) {
    if (index >= 0 && static_cast<std::size_t>(index) >= row.size()) {
      return absl::InvalidArgumentError(absl::StrCat("fraud report row ", row_number, " has ", row.size(),
                                                     " cells, fewer than its ", column_names_.size(),
                                                     " columns"));
    }
  }
  const auto cell = [&](int index) -> const CellView& { return row[static_cast<std::size_t>(index)]; };
  // Converts the cell in column `index`; an error names the row and the column.
  const auto read = [&](int index, const auto& convert) {
    auto converted = convert(cell(index));
    if (!converted.ok()) {
      converted = absl::FailedPreconditionError(absl::StrCat("fraud report row ", row_number, ", column '",
                                                             column_names_[static_cast<std::size_t>(index)],
                                                             "': ", converted.status().message()));
    }
    return converted;
  };
  const auto account_sid = [&](const CellView& value) {
    return CellToRequiredText(value, "an account SID", interner);
  };
  const auto text = [&](const CellView& value) { return CellToInternedText(value, interner); };
  const auto mcc = [&](const CellView& value) { return CellToMcc(value, interner); };
  const auto country = [&](const CellView& value) { return CellToCountry(value, interner); };
  const auto count = [](const CellView& value) { return CellToCount(value); };
  const auto day = [](const CellView& value) { return CellToDay(value); };

  FraudRow result;
  CREDITBOT_ASSIGN_OR_RETURN(result.day, read(day_, day));
  CREDITBOT_ASSIGN_OR_RETURN(result.account_sid, read(account_, account_sid));
  if (service_ >= 0) {
    CREDITBOT_ASSIGN_OR_RETURN(result.service_sid, read(service_, text));
  }
  CREDITBOT_ASSIGN_OR_RETURN(result.mcc, read(mcc_, mcc));
  if (mnc_ >= 0) {
    // A floating MNC cannot keep its leading zeros; CellToText refuses it rather than guess.
    CREDITBOT_ASSIGN_OR_RETURN(result.mnc, read(mnc_, text));
  }
  if (country_ >= 0) {
    CREDITBOT_ASSIGN_OR_RETURN(result.country, read(country_, country));
  }
  CREDITBOT_ASSIGN_OR_RETURN(result.attempts_sent, read(sent_, count));
  if (blocked_ >= 0 && !std::holds_alternative<Null>(cell(blocked_))) {
    CREDITBOT_ASSIGN_OR_RETURN(result.attempts_blocked, read(blocked_, count));
  }
  CREDITBOT_ASSIGN_OR_RETURN(result.fraud_charges, read(charges_, CellToCharges));
  return result;
}

}  // namespace creditbot
