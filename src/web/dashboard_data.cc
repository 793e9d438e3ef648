// The dashboard's reads of the ledger and the audit; see dashboard_data.h.
#include "web/dashboard_data.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/strings.h"

namespace creditbot {
namespace {

double Amount(std::string_view text) {
  double value = 0;
  return absl::SimpleAtod(ToAbsl(text), &value) ? value : 0;
}

absl::StatusOr<absl::CivilDay> ParseDay(const std::string& name, const std::string& text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
    return absl::InvalidArgumentError(absl::StrCat(name, "='", text, "': expected a date YYYY-MM-DD"));
  }
  return day;
}

// The bucket of a duration in hours for the timing charts.
const char* HoursBucket(absl::Duration duration) {
  const double hours = absl::ToDoubleHours(duration);
  if (hours < 1) return "< 1 h";
  if (hours < 4) return "1-4 h";
  if (hours < 24) return "4-24 h";
  if (hours < 72) return "1-3 days";
  return "> 3 days";
}

ChartSeries Buckets(const std::map<std::string, double>& counts, const std::string& name) {
  ChartSeries series;
  for (const char* bucket : {"< 1 h", "1-4 h", "4-24 h", "1-3 days", "> 3 days"}) {
    series.labels.push_back(bucket);
    auto found = counts.find(bucket);
    series.values[name].push_back(found == counts.end() ? 0 : found->second);
  }
  return series;
}

// Largest first, at most `top` labels.
ChartSeries Ranked(const std::map<std::string, double>& totals, const std::string& name, std::size_t top) {
  std::vector<std::pair<std::string, double>> sorted(totals.begin(), totals.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (sorted.size() > top) sorted.resize(top);
  ChartSeries series;
  for (const auto& [label, value] : sorted) {
    series.labels.push_back(label);
    series.values[name].push_back(value);
  }
  return series;
}

}  // namespace

absl::StatusOr<HistoryQuery> ParseHistoryQuery(const std::map<std::string, std::string>& params,
                                               int page_size) {
  HistoryQuery query;
  query.page_size = page_size;
  auto param = [&params](const char* name) {
    auto found = params.find(name);
    return found == params.end() ? std::string() : found->second;
  };
  if (const std::string since = param("since"); !since.empty()) {
    absl::StatusOr<absl::CivilDay> day = ParseDay("since", since);
    if (!day.ok()) return day.status();
    query.filter.since = absl::FromCivil(*day, absl::UTCTimeZone());
    query.params["since"] = since;
  }
  if (const std::string until = param("until"); !until.empty()) {
    absl::StatusOr<absl::CivilDay> day = ParseDay("until", until);
    if (!day.ok()) return day.status();
    query.filter.until = absl::FromCivil(*day + 1, absl::UTCTimeZone());  // the whole day
    query.params["until"] = until;
  }
  if (const std::string status = param("status"); !status.empty()) {
    query.filter.status = ParseLedgerStatus(status);
    if (!query.filter.status) {
      return absl::InvalidArgumentError(
          absl::StrCat("status='", status, "': expected one of ", LedgerStatusNameList()));
    }
    query.params["status"] = status;
  }
  if (const std::string parent = param("parent"); !parent.empty()) {
    query.filter.parent_account_sid = parent;
    query.params["parent"] = parent;
  }
  if (const std::string product = param("product"); !product.empty()) {
    query.filter.product = product;
    query.params["product"] = product;
  }
  if (const std::string page = param("page"); !page.empty()) {
    if (!absl::SimpleAtoi(page, &query.page) || query.page < 1 || query.page > 1000000) {
      return absl::InvalidArgumentError(absl::StrCat("page='", page, "': expected a page number from 1"));
    }
  }
  query.filter.limit = query.page_size;
  query.filter.offset = (query.page - 1) * query.page_size;
  return query;
}

std::optional<absl::Time> RequestTime(const LedgerEntry& entry) {
  double seconds = 0;
  if (entry.ts.empty() || !absl::SimpleAtod(entry.ts, &seconds) || seconds <= 0) return std::nullopt;
  return absl::FromUnixMicros(static_cast<int64_t>(seconds * 1e6));
}

absl::StatusOr<std::vector<LedgerEntry>> DashboardData::Queue(int limit) {
  LedgerFilter filter;
  filter.status = LedgerStatus::kAwaiting;
  std::lock_guard<std::mutex> lock(mutex_);
  absl::StatusOr<int> count = state_.CountLedger(filter);
  if (!count.ok()) return count.status();
  filter.limit = limit;
  filter.offset = std::max(0, *count - limit);  // the oldest `limit` (the list is newest first)
  absl::StatusOr<std::vector<LedgerEntry>> entries = state_.ListLedger(filter);
  if (!entries.ok()) return entries.status();
  std::reverse(entries->begin(), entries->end());
  return entries;
}

absl::StatusOr<LedgerPage> DashboardData::History(const LedgerFilter& filter) {
  std::lock_guard<std::mutex> lock(mutex_);
  LedgerPage page;
  absl::StatusOr<int> total = state_.CountLedger(filter);
  if (!total.ok()) return total.status();
  page.total = *total;
  absl::StatusOr<std::vector<LedgerEntry>> entries = state_.ListLedger(filter);
  if (!entries.ok()) return entries.status();
  page.entries = *std::move(entries);
  return page;
}

absl::StatusOr<std::vector<LedgerEntry>> DashboardData::All(LedgerFilter filter) {
  filter.limit = 0;
  filter.offset = 0;
  std::lock_guard<std::mutex> lock(mutex_);
  return state_.ListLedger(filter);
}

absl::StatusOr<RequestDetail> DashboardData::Request(std::string_view execution_id) {
  RequestDetail detail;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    absl::StatusOr<std::optional<LedgerEntry>> entry = state_.GetLedgerEntry(execution_id);
    if (!entry.ok()) return entry.status();
    if (!entry->has_value()) {
      return absl::NotFoundError(
          absl::StrCat("no credit is recorded with execution id ", ToAbsl(execution_id)));
    }
    detail.entry = **std::move(entry);
    LedgerFilter same;
    same.request_key = detail.entry.request_key;
    absl::StatusOr<std::vector<LedgerEntry>> entries = state_.ListLedger(same);
    if (entries.ok()) detail.same_request = *std::move(entries);
  }
  if (read_audit_) {
    absl::StatusOr<std::string> result = read_audit_(execution_id, "result.json");
    if (result.ok()) {
      detail.result_json = *std::move(result);
    } else {
      detail.result_error = std::string(result.status().message());
    }
    absl::StatusOr<std::string> decision = read_audit_(execution_id, "decision.json");
    if (decision.ok()) detail.decision_json = *std::move(decision);
  }
  return detail;
}

DashboardData::AuditSummary DashboardData::SummaryOf(const std::string& execution_id) {
  auto cached = summaries_.find(execution_id);
  if (cached != summaries_.end()) return cached->second;
  AuditSummary summary;
  absl::StatusOr<std::string> text =
      read_audit_ ? read_audit_(execution_id, "result.json") : absl::NotFoundError("no audit reader");
  if (text.ok()) {
    nlohmann::json result = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (result.is_object()) {
      summary.read = true;
      if (result.contains("lines") && result["lines"].is_array()) {
        for (const nlohmann::json& line : result["lines"]) {
          if (!line.is_object()) continue;
          const std::string country = line.value("country", "");
          const std::string credited = line.value("credited", "0");
          summary.by_country[country.empty() ? "unknown" : country] += Amount(credited);
        }
      }
      if (result.contains("output_df") && result["output_df"].is_array()) {
        for (const nlohmann::json& mode : result["output_df"]) {
          if (!mode.is_object()) continue;
          summary.by_mode[mode.value("mode", "unknown")] += Amount(mode.value("credit", "0"));
        }
      }
    }
  }
  // Unreadable records are not cached: the audit may be written a moment later.
  if (summary.read) summaries_[execution_id] = summary;
  return summary;
}

absl::StatusOr<ChartData> DashboardData::Charts(LedgerFilter filter) {
  filter.limit = 0;
  filter.offset = 0;
  std::lock_guard<std::mutex> lock(mutex_);
  absl::StatusOr<std::vector<LedgerEntry>> entries = state_.ListLedger(filter);
  if (!entries.ok()) return entries.status();
  ChartData data;
  std::map<std::string, std::pair<double, double>> weekly;  // Monday → (recommended, approved)
  std::map<std::string, double> by_mcc, by_country, by_mode, reply_hours, decide_hours;
  for (const LedgerEntry& entry : *entries) {
    if (entry.status == LedgerStatus::kSuperseded) continue;
    ++data.entries;
    absl::CivilDay day = absl::ToCivilDay(entry.created_at, absl::UTCTimeZone());
    while (absl::GetWeekday(day) != absl::Weekday::monday) --day;
    auto& week = weekly[absl::FormatCivilTime(day)];
    week.first += Amount(entry.recommended_amount);
    if (IsCredited(entry.status)) week.second += Amount(entry.final_amount);
    if (IsCredited(entry.status)) {
      for (const LedgerCell& cell : entry.cells)
        by_mcc[cell.mcc.empty() ? "unknown" : cell.mcc] += Amount(cell.credited);
      AuditSummary summary = SummaryOf(entry.execution_id);
      if (!summary.read) ++data.audit_unread;
      for (const auto& [country, amount] : summary.by_country) by_country[country] += amount;
      for (const auto& [mode, amount] : summary.by_mode) by_mode[mode] += amount;
    }
    if (std::optional<absl::Time> asked = RequestTime(entry); asked.has_value()) {
      reply_hours[HoursBucket(entry.created_at - *asked)] += 1;
      if (entry.decided_at.has_value() && IsDecided(entry.status)) {
        decide_hours[HoursBucket(*entry.decided_at - *asked)] += 1;
      }
    }
  }
  for (const auto& [monday, sums] : weekly) {
    data.weekly.labels.push_back(monday);
    data.weekly.values["recommended"].push_back(sums.first);
    data.weekly.values["approved"].push_back(sums.second);
  }
  data.by_mcc = Ranked(by_mcc, "credited", 20);
  data.by_country = Ranked(by_country, "credited", 20);
  data.by_mode = Ranked(by_mode, "credited", 10);
  data.reply_hours = Buckets(reply_hours, "entries");
  data.decide_hours = Buckets(decide_hours, "entries");
  return data;
}

}  // namespace creditbot
