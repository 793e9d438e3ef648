// The SQLite state store's kept chart sums; see sqlite_ledger_charts.h.
#include "state/sqlite_ledger_charts.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace creditbot {
namespace {

// The series read per day (the weekly chart); the others are summed over the range (ledger_charts.h).
constexpr char kWeeklyKinds[] = "('recommended', 'approved')";
constexpr char kOtherKinds[] =
    "('rows', 'entries', 'mcc', 'country', 'mode', 'no_breakdown', 'reply_hours', 'decide_hours')";

bool IsWeeklyKind(std::string_view kind) {
  return kind == LedgerChartKind::kRecommended || kind == LedgerChartKind::kApproved;
}

// The UTC day starting at `time`, when it is exactly a UTC midnight.
std::optional<absl::CivilDay> MidnightDay(absl::Time time) {
  const absl::CivilSecond second = absl::ToCivilSecond(time, absl::UTCTimeZone());
  if (absl::FromCivil(second, absl::UTCTimeZone()) != time || absl::CivilDay(second) != second) {
    return std::nullopt;
  }
  return absl::CivilDay(second);
}

// The conditions a kept-sums read adds for the filter's product and status, and their values in order.
struct KeptWhere {
  std::string sql;
  std::vector<std::string> values;

  // Binds the values from `index` on.
  void Bind(Statement& stmt, int index) const {
    for (const std::string& value : values) stmt.Bind(index++, value);
  }
};

KeptWhere KeptWhereOf(const LedgerFilter& filter) {
  KeptWhere where;
  if (!filter.product.empty()) {
    where.sql += " AND product = ?";
    where.values.push_back(filter.product);
  }
  if (filter.status) {
    where.sql += " AND status = ?";
    where.values.emplace_back(LedgerStatusName(*filter.status));
  }
  return where;
}

// Adds the rows of `stmt` (kind, label, sum) into `sums`, under the key of the series summed over the range.
absl::Status ReadSums(Statement& stmt, LedgerChartSums& sums) {
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return absl::OkStatus();
    sums[{absl::CivilDay(), stmt.ColumnText(0), stmt.ColumnText(1)}] += stmt.ColumnInt(2);
  }
}

}  // namespace

void SqliteLedgerCharts::AddEntry(const LedgerEntry& entry, int sign, const std::string& scope, Sums& sums) {
  const std::string status(LedgerStatusName(entry.status));
  for (LedgerChartRow& row : LedgerChartRowsOf(entry)) {
    sums[{scope, std::move(row.kind), row.day, entry.product, status, std::move(row.label)}] +=
        sign * row.value;
  }
}

absl::Status SqliteLedgerCharts::Write(const Sums& sums) {
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement day,
      db_.Prepare("INSERT INTO ledger_chart_day_sums (scope, kind, day, product, status, label, value) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, kind, day, product, status, label) "
                  "DO UPDATE SET value = value + excluded.value"));
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement month,
      db_.Prepare("INSERT INTO ledger_chart_month_sums (scope, month, kind, product, status, label, value) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, month, kind, product, status, label) "
                  "DO UPDATE SET value = value + excluded.value"));
  for (const auto& [key, value] : sums) {
    if (value == 0) continue;
    const auto& [scope, kind, civil_day, product, status, label] = key;
    day.Reset();
    day.Bind(1, scope).Bind(2, kind).Bind(3, absl::FormatCivilTime(civil_day)).Bind(4, product);
    day.Bind(5, status).Bind(6, label).Bind(7, value);
    CREDITBOT_RETURN_IF_ERROR(day.Run());
    if (IsWeeklyKind(kind)) continue;  // read per day only
    month.Reset();
    month.Bind(1, scope).Bind(2, absl::FormatCivilTime(absl::CivilMonth(civil_day))).Bind(3, kind);
    month.Bind(4, product).Bind(5, status).Bind(6, label).Bind(7, value);
    CREDITBOT_RETURN_IF_ERROR(month.Run());
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> SqliteLedgerCharts::ParentKept(const std::string& parent) {
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement stmt, db_.Prepare("SELECT kept FROM ledger_chart_parents WHERE parent_account_sid = ?"));
  stmt.Bind(1, parent);
  CREDITBOT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row && stmt.ColumnInt(0) != 0;
}

absl::Status SqliteLedgerCharts::AddRecorded(const LedgerEntry& entry) {
  const std::string& parent = entry.parent_account_sid;
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement count,
      db_.Prepare("INSERT INTO ledger_chart_parents (parent_account_sid, entries, kept) VALUES (?, 1, 0) "
                  "ON CONFLICT (parent_account_sid) DO UPDATE SET entries = entries + 1"));
  count.Bind(1, parent);
  CREDITBOT_RETURN_IF_ERROR(count.Run());
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement read,
      db_.Prepare("SELECT entries, kept FROM ledger_chart_parents WHERE parent_account_sid = ?"));
  read.Bind(1, parent);
  CREDITBOT_ASSIGN_OR_RETURN(bool found, read.Step());
  const bool kept = found && read.ColumnInt(1) != 0;
  const bool reaches = found && !kept && !parent.empty() && read.ColumnInt(0) >= parent_sums_from_;
  read.Reset();
  Sums sums;
  AddEntry(entry, +1, "", sums);
  if (kept) AddEntry(entry, +1, parent, sums);
  if (reaches) {
    // The parent's own sums start now, from all its entries (this one included: already written).
    CREDITBOT_ASSIGN_OR_RETURN(
        Statement keep, db_.Prepare("UPDATE ledger_chart_parents SET kept = 1 WHERE parent_account_sid = ?"));
    keep.Bind(1, parent);
    CREDITBOT_RETURN_IF_ERROR(keep.Run());
    LedgerFilter mine;
    mine.parent_account_sid = parent;
    CREDITBOT_RETURN_IF_ERROR(for_each_entry_(mine, [&](const LedgerEntry& each) {
      AddEntry(each, +1, parent, sums);
      return absl::OkStatus();
    }));
  }
  return Write(sums);
}

absl::Status SqliteLedgerCharts::Move(const LedgerEntry& before, const LedgerEntry& after) {
  Sums sums;
  AddEntry(before, -1, "", sums);
  AddEntry(after, +1, "", sums);
  if (!after.parent_account_sid.empty()) {
    CREDITBOT_ASSIGN_OR_RETURN(bool kept, ParentKept(after.parent_account_sid));
    if (kept) {
      AddEntry(before, -1, after.parent_account_sid, sums);
      AddEntry(after, +1, after.parent_account_sid, sums);
    }
  }
  return Write(sums);
}

absl::Status SqliteLedgerCharts::RebuildIfStale() {
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement check,
      db_.Prepare("SELECT (SELECT count(*) FROM ledger), "
                  "(SELECT coalesce(sum(value), 0) FROM ledger_chart_day_sums WHERE scope = '' AND kind = "
                  "'rows'), (SELECT coalesce(sum(entries), 0) FROM ledger_chart_parents), "
                  "(SELECT count(*) FROM sqlite_master WHERE name IN ('ledger_chart_days', "
                  "'ledger_chart_months'))"));
  auto stale = [&check]() -> absl::StatusOr<bool> {
    check.Reset();
    CREDITBOT_ASSIGN_OR_RETURN(bool row, check.Step());
    const bool result = row && (check.ColumnInt(0) != check.ColumnInt(1) ||
                                check.ColumnInt(0) != check.ColumnInt(2) || check.ColumnInt(3) != 0);
    check.Reset();
    return result;
  };
  CREDITBOT_ASSIGN_OR_RETURN(bool rebuild, stale());
  if (!rebuild) return absl::OkStatus();
  CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  // Again inside the write transaction: another process (serve opens the store twice) may have rebuilt them
  // while this one waited for the lock.
  CREDITBOT_ASSIGN_OR_RETURN(rebuild, stale());
  if (!rebuild) return absl::OkStatus();
  CREDITBOT_RETURN_IF_ERROR(
      db_.Exec("DROP TABLE IF EXISTS ledger_chart_days; DROP TABLE IF EXISTS ledger_chart_months; "
               "DELETE FROM ledger_chart_day_sums; DELETE FROM ledger_chart_month_sums; "
               "DELETE FROM ledger_chart_parents"));
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement parents,
      db_.Prepare("INSERT INTO ledger_chart_parents (parent_account_sid, entries, kept) "
                  "SELECT parent_account_sid, count(*), parent_account_sid != '' AND count(*) >= ? "
                  "FROM ledger GROUP BY parent_account_sid"));
  parents.Bind(1, int64_t{parent_sums_from_});
  CREDITBOT_RETURN_IF_ERROR(parents.Run());
  std::set<std::string, std::less<>> kept;
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement read, db_.Prepare("SELECT parent_account_sid FROM ledger_chart_parents WHERE kept = 1"));
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool row, read.Step());
    if (!row) break;
    kept.insert(read.ColumnText(0));
  }
  Sums sums;
  CREDITBOT_RETURN_IF_ERROR(for_each_entry_(LedgerFilter{}, [&](const LedgerEntry& entry) {
    AddEntry(entry, +1, "", sums);
    if (kept.contains(entry.parent_account_sid)) AddEntry(entry, +1, entry.parent_account_sid, sums);
    return absl::OkStatus();
  }));
  CREDITBOT_RETURN_IF_ERROR(Write(sums));
  return transaction.Commit();
}

absl::StatusOr<LedgerChartSums> SqliteLedgerCharts::SumEntries(const LedgerFilter& filter) {
  LedgerFilter all = filter;
  all.limit = 0;
  all.offset = 0;
  LedgerChartSums sums;
  CREDITBOT_RETURN_IF_ERROR(for_each_entry_(all, [&sums](const LedgerEntry& entry) {
    AddLedgerChartRows(LedgerChartRowsOf(entry), +1, sums);
    return absl::OkStatus();
  }));
  return sums;
}

absl::StatusOr<LedgerChartSums> SqliteLedgerCharts::Sum(const LedgerFilter& filter) {
  std::optional<absl::CivilDay> since, until;
  if (filter.since) since = MidnightDay(*filter.since);
  if (filter.until) until = MidnightDay(*filter.until);
  const bool whole_days =
      filter.since.has_value() == since.has_value() && filter.until.has_value() == until.has_value();
  if (!whole_days || !filter.request_key.empty() || filter.reply_pending) return SumEntries(filter);
  if (filter.parent_account_sid.empty()) return SumKept("", since, until, filter);
  CREDITBOT_ASSIGN_OR_RETURN(bool kept, ParentKept(filter.parent_account_sid));
  // A parent without its own sums has fewer than parent_sums_from_ entries: reading them is bounded.
  if (!kept) return SumEntries(filter);
  return SumKept(filter.parent_account_sid, since, until, filter);
}

absl::StatusOr<LedgerChartSums> SqliteLedgerCharts::SumKept(const std::string& scope,
                                                            std::optional<absl::CivilDay> since,
                                                            std::optional<absl::CivilDay> until,
                                                            const LedgerFilter& filter) {
  const KeptWhere where = KeptWhereOf(filter);
  LedgerChartSums sums;
  // The weekly series per day; the others from whole months, plus the days before the first and after the
  // last whole month of the range.
  const std::string first_day = since ? absl::FormatCivilTime(*since) : "";
  const std::string end_day = until ? absl::FormatCivilTime(*until) : "~";
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement weekly,
      db_.Prepare(absl::StrCat("SELECT day, kind, sum(value) FROM ledger_chart_day_sums WHERE scope = ? "
                               "AND kind IN ",
                               kWeeklyKinds, " AND day >= ? AND day < ?", where.sql, " GROUP BY day, kind")));
  weekly.Bind(1, scope).Bind(2, first_day).Bind(3, end_day);
  where.Bind(weekly, 4);
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool row, weekly.Step());
    if (!row) break;
    absl::CivilDay day;
    if (absl::ParseCivilTime(weekly.ColumnText(0), &day)) {
      sums[{day, weekly.ColumnText(1), ""}] += weekly.ColumnInt(2);
    }
  }
  // Whole months: [month_from, month_to).
  std::optional<absl::CivilMonth> month_from, month_to;
  if (since) month_from = absl::CivilMonth(*since) + (since->day() == 1 ? 0 : 1);
  if (until) month_to = absl::CivilMonth(*until);
  std::vector<std::pair<std::string, std::string>> day_ranges;  // [from, to) read from the days
  if (month_from && month_to && *month_from >= *month_to) {
    day_ranges.emplace_back(first_day, end_day);  // no whole month
  } else {
    if (month_from) day_ranges.emplace_back(first_day, absl::FormatCivilTime(absl::CivilDay(*month_from)));
    if (month_to) day_ranges.emplace_back(absl::FormatCivilTime(absl::CivilDay(*month_to)), end_day);
    CREDITBOT_ASSIGN_OR_RETURN(
        Statement months, db_.Prepare(absl::StrCat(
                              "SELECT kind, label, sum(value) FROM ledger_chart_month_sums WHERE scope = ? "
                              "AND month >= ? AND month < ?",
                              where.sql, " GROUP BY kind, label")));
    months.Bind(1, scope);
    months.Bind(2, month_from ? absl::FormatCivilTime(*month_from) : std::string());
    months.Bind(3, month_to ? absl::FormatCivilTime(*month_to) : std::string("~"));
    where.Bind(months, 4);
    CREDITBOT_RETURN_IF_ERROR(ReadSums(months, sums));
  }
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement days, db_.Prepare(absl::StrCat(
                          "SELECT kind, label, sum(value) FROM ledger_chart_day_sums WHERE scope = ? "
                          "AND kind IN ",
                          kOtherKinds, " AND day >= ? AND day < ?", where.sql, " GROUP BY kind, label")));
  for (const auto& [from, to] : day_ranges) {
    days.Reset();
    days.Bind(1, scope).Bind(2, from).Bind(3, to);
    where.Bind(days, 4);
    CREDITBOT_RETURN_IF_ERROR(ReadSums(days, sums));
  }
  return sums;
}

}  // namespace creditbot
