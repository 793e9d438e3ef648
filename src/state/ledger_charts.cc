// What each ledger entry adds to the dashboard's charts; see ledger_charts.h.
#include "state/ledger_charts.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "common/strings.h"

namespace creditbot {
namespace {

const char* HoursBucket(absl::Duration duration) {
  const double hours = absl::ToDoubleHours(duration);
  if (hours < 1) return "< 1 h";
  if (hours < 4) return "1-4 h";
  if (hours < 24) return "4-24 h";
  if (hours < 72) return "1-3 days";
  return "> 3 days";
}

}  // namespace

const std::vector<std::string>& LedgerChartHourBuckets() {
  static const std::vector<std::string>* const kBuckets =
      new std::vector<std::string>{"< 1 h", "1-4 h", "4-24 h", "1-3 days", "> 3 days"};
  return *kBuckets;
}

std::optional<int64_t> AmountCents(std::string_view text) {
  std::size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative || (!text.empty() && text[0] == '+')) ++i;
  int64_t whole = 0;
  int digits = 0;
  for (; i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
    if (whole > (INT64_MAX - 9) / 10 / 100) return std::nullopt;  // beyond any credit
    whole = whole * 10 + (text[i] - '0');
  }
  int64_t cents = 0;
  int places = 0;
  bool round_up = false;
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
      if (places < 2) {
        cents = cents * 10 + (text[i] - '0');
      } else if (places == 2) {
        round_up = text[i] >= '5';
      }
      ++places;
    }
  }
  if (i != text.size() || digits == 0) return std::nullopt;
  for (; places < 2; ++places) cents *= 10;
  const int64_t total = whole * 100 + cents + (round_up ? 1 : 0);
  return negative ? -total : total;
}

std::optional<absl::Time> LedgerRequestTime(const LedgerEntry& entry) {
  double seconds = 0;
  if (entry.ts.empty() || !absl::SimpleAtod(entry.ts, &seconds) || !(seconds > 0)) return std::nullopt;
  return absl::FromUnixMicros(static_cast<int64_t>(std::llround(seconds * 1e6)));
}

std::vector<LedgerChartRow> LedgerChartRowsOf(const LedgerEntry& entry) {
  const absl::CivilDay day = absl::ToCivilDay(entry.created_at, absl::UTCTimeZone());
  std::vector<LedgerChartRow> rows;
  auto add = [&](const char* kind, std::string label, int64_t value) {
    rows.push_back(LedgerChartRow{day, kind, std::move(label), value});
  };
  add(LedgerChartKind::kRows, "", 1);
  if (entry.status == LedgerStatus::kSuperseded) return rows;
  add(LedgerChartKind::kEntries, "", 1);
  add(LedgerChartKind::kRecommended, "", AmountCents(entry.recommended_amount).value_or(0));
  if (IsCredited(entry.status)) {
    add(LedgerChartKind::kApproved, "", AmountCents(entry.final_amount).value_or(0));
    std::map<std::string, int64_t> by_mcc;
    for (const LedgerCell& cell : entry.cells)
      by_mcc[cell.mcc.empty() ? "unknown" : cell.mcc] += AmountCents(cell.credited).value_or(0);
    for (const auto& [mcc, cents] : by_mcc) add(LedgerChartKind::kMcc, mcc, cents);
    for (const auto& [country, amount] : entry.credited_by_country)
      add(LedgerChartKind::kCountry, country.empty() ? "unknown" : country, AmountCents(amount).value_or(0));
    for (const auto& [mode, amount] : entry.credited_by_mode)
      add(LedgerChartKind::kMode, mode.empty() ? "unknown" : mode, AmountCents(amount).value_or(0));
    if (entry.credited_by_mode.empty()) add(LedgerChartKind::kNoBreakdown, "", 1);
  }
  if (std::optional<absl::Time> asked = LedgerRequestTime(entry); asked.has_value()) {
    add(LedgerChartKind::kReplyHours, HoursBucket(entry.created_at - *asked), 1);
    if (entry.decided_at.has_value() && IsDecided(entry.status))
      add(LedgerChartKind::kDecideHours, HoursBucket(*entry.decided_at - *asked), 1);
  }
  return rows;
}

void AddLedgerChartRows(const std::vector<LedgerChartRow>& rows, int sign, LedgerChartSums& sums) {
  for (const LedgerChartRow& row : rows) {
    const bool by_day = row.kind == LedgerChartKind::kRecommended || row.kind == LedgerChartKind::kApproved;
    sums[{by_day ? row.day : absl::CivilDay(), row.kind, row.label}] += sign * row.value;
  }
}

}  // namespace creditbot
