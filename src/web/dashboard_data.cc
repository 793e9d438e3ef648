// The dashboard's reads of the ledger and the audit; see dashboard_data.h.
#include "web/dashboard_data.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/strings.h"
#include "state/ledger_charts.h"

namespace creditbot {
namespace {

absl::StatusOr<absl::CivilDay> ParseDay(const std::string& name, const std::string& text) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
    return absl::InvalidArgumentError(absl::StrCat(name, "='", text, "': expected a date YYYY-MM-DD"));
  }
  return day;
}

// The hours buckets of `kind` in order, counted.
ChartSeries Buckets(const std::map<std::string, double>& counts, const std::string& name) {
  ChartSeries series;
  for (const std::string& bucket : LedgerChartHourBuckets()) {
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

absl::StatusOr<LedgerPage> DashboardData::Queue(int page, int page_size) {
  LedgerFilter filter;
  filter.status = LedgerStatus::kAwaiting;
  std::lock_guard<std::mutex> lock(mutex_);
  LedgerPage result;
  absl::StatusOr<int> count = state_.CountLedger(filter);
  if (!count.ok()) return count.status();
  result.total = *count;
  // The list is newest first: oldest-first page p is the slice ending page_size * (p - 1) before its end.
  const int end = *count - page_size * (std::max(page, 1) - 1);
  if (end <= 0) return result;
  filter.limit = std::min(page_size, end);
  filter.offset = end - filter.limit;
  absl::StatusOr<std::vector<LedgerEntry>> entries = state_.ListLedger(filter);
  if (!entries.ok()) return entries.status();
  result.entries = *std::move(entries);
  std::reverse(result.entries.begin(), result.entries.end());
  return result;
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

absl::StatusOr<ChartData> DashboardData::Charts(LedgerFilter filter) {
  absl::StatusOr<LedgerChartSums> sums;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sums = state_.SumLedgerCharts(filter);
  }
  if (!sums.ok()) return sums.status();
  ChartData data;
  std::map<std::string, std::pair<double, double>> weekly;  // Monday → (recommended, approved)
  std::map<std::string, std::map<std::string, double>> by;  // kind → label → cents or entries
  for (const auto& [key, value] : *sums) {
    const auto& [day, kind, label] = key;
    if (kind == LedgerChartKind::kRecommended || kind == LedgerChartKind::kApproved) {
      absl::CivilDay monday = day;
      while (absl::GetWeekday(monday) != absl::Weekday::monday) --monday;
      auto& week = weekly[absl::FormatCivilTime(monday)];
      (kind == LedgerChartKind::kRecommended ? week.first : week.second) += static_cast<double>(value) / 100;
    } else if (kind == LedgerChartKind::kEntries) {
      data.entries += static_cast<int>(value);
    } else if (kind == LedgerChartKind::kNoBreakdown) {
      data.no_breakdown += static_cast<int>(value);
    } else if (kind == LedgerChartKind::kReplyHours || kind == LedgerChartKind::kDecideHours) {
      by[kind][label] += static_cast<double>(value);
    } else if (kind != LedgerChartKind::kRows) {
      by[kind][label] += static_cast<double>(value) / 100;
    }
  }
  for (const auto& [monday, totals] : weekly) {
    data.weekly.labels.push_back(monday);
    data.weekly.values["recommended"].push_back(totals.first);
    data.weekly.values["approved"].push_back(totals.second);
  }
  data.by_mcc = Ranked(by[LedgerChartKind::kMcc], "credited", 20);
  data.by_country = Ranked(by[LedgerChartKind::kCountry], "credited", 20);
  data.by_mode = Ranked(by[LedgerChartKind::kMode], "credited", 10);
  data.reply_hours = Buckets(by[LedgerChartKind::kReplyHours], "entries");
  data.decide_hours = Buckets(by[LedgerChartKind::kDecideHours], "entries");
  return data;
}

absl::StatusOr<PauseState> DashboardData::Pause() {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_.GetPause();
}

absl::StatusOr<PauseChange> DashboardData::SetPause(const PauseState& next) {
  std::lock_guard<std::mutex> lock(mutex_);
  return state_.SetPause(next);
}

}  // namespace creditbot
