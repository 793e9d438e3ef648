// Gathers the Evidence of one request: the fraud report, streamed through the column mapper, then one
// follow-up query per question from sql/<dialect>/ (see evidence_loader.h).
#include "evidence/evidence_loader.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/embedded_files.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "core/mode.h"
#include "evidence/fraud_report_columns.h"

namespace creditbot {
namespace {

bool IsIdentifierStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentifierChar(char c) { return IsIdentifierStart(c) || (c >= '0' && c <= '9'); }

std::string SqlLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

// Streams the fraud report into a FraudReport, converting each borrowed row as it arrives (its texts
// interned, so rows share them) and refusing the report at its (max_rows + 1)-th row, before reading on.
class FraudReportSink final : public RowViewSink {
 public:
  FraudReportSink(const std::vector<ColumnRole>& roles, int64_t max_rows, FraudReport& report)
      : roles_(roles), max_rows_(max_rows), report_(report) {}

  absl::Status OnColumns(const std::vector<Column>& columns) override {
    report_.columns.clear();
    for (const Column& column : columns) report_.columns.push_back(column.name);
    CREDITBOT_ASSIGN_OR_RETURN(FraudReportColumns mapped, FraudReportColumns::Map(roles_, report_.columns));
    report_.has_service_column = mapped.has_service_column();
    report_.has_blocked_column = mapped.has_blocked_column();
    mapper_.emplace(std::move(mapped));
    return absl::OkStatus();
  }

  absl::Status OnRowView(RowView row) override {
    if (!mapper_) return absl::InternalError("fraud report row before its columns");
    if (max_rows_ > 0 && row_number_ >= max_rows_) return TooManyRows(max_rows_);
    CREDITBOT_ASSIGN_OR_RETURN(FraudRow converted, mapper_->ConvertRow(row, ++row_number_, interner_));
    report_.rows.push_back(std::move(converted));
    return absl::OkStatus();
  }

 private:
  const std::vector<ColumnRole>& roles_;
  const int64_t max_rows_;
  FraudReport& report_;
  std::optional<FraudReportColumns> mapper_;
  TextInterner interner_;
  int64_t row_number_ = 0;
};

// A follow-up result with its columns looked up by name; every error names the SQL file.
class FollowUp {
 public:
  FollowUp(std::string file, Table table) : file_(std::move(file)), table_(std::move(table)) {}

  // The index of each named column; kFailedPrecondition naming the missing ones.
  absl::Status Require(std::initializer_list<std::string_view> names) {
    std::vector<std::string> missing;
    for (std::string_view name : names) {
      const int index = table_.ColumnIndex(name);
      if (index < 0) missing.push_back(std::string(name));
      indexes_[std::string(name)] = index;
    }
    if (missing.empty()) return absl::OkStatus();
    std::vector<std::string> seen;
    for (const Column& column : table_.columns) seen.push_back(column.name);
    return absl::FailedPreconditionError(absl::StrCat(file_, " returned no column ",
                                                      absl::StrJoin(missing, ", "),
                                                      "; columns seen: ", absl::StrJoin(seen, ", ")));
  }

  std::size_t size() const { return table_.rows.size(); }
  const Value& Cell(std::size_t row, std::string_view name) const {
    return table_.rows[row][static_cast<std::size_t>(indexes_.find(name)->second)];
  }

  absl::Status Bad(std::size_t row, std::string_view name, const absl::Status& why) const {
    return absl::FailedPreconditionError(
        absl::StrCat(file_, " row ", row + 1, ", column '", ToAbsl(name), "': ", why.message()));
  }

  absl::StatusOr<std::string> Text(std::size_t row, std::string_view name) const {
    absl::StatusOr<std::string> text = CellToText(Cell(row, name));
    if (!text.ok()) return Bad(row, name, text.status());
    return text;
  }
  absl::StatusOr<std::string> RequiredText(std::size_t row, std::string_view name) const {
    CREDITBOT_ASSIGN_OR_RETURN(std::string text, Text(row, name));
    if (text.empty()) return Bad(row, name, absl::InvalidArgumentError("empty or NULL"));
    return text;
  }
  absl::StatusOr<Decimal> Amount(std::size_t row, std::string_view name) const {
    absl::StatusOr<Decimal> value = CellToDecimal(Cell(row, name));
    if (!value.ok()) return Bad(row, name, value.status());
    return value;
  }
  absl::StatusOr<absl::CivilDay> Day(std::size_t row, std::string_view name) const {
    absl::StatusOr<absl::CivilDay> day = CellToDay(Cell(row, name));
    if (!day.ok()) return Bad(row, name, day.status());
    return day;
  }
  absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(std::size_t row, std::string_view name) const {
    if (std::holds_alternative<Null>(Cell(row, name))) return std::optional<absl::CivilDay>();
    CREDITBOT_ASSIGN_OR_RETURN(absl::CivilDay day, Day(row, name));
    return std::optional<absl::CivilDay>(day);
  }
  absl::StatusOr<absl::Time> Time(std::size_t row, std::string_view name) const {
    const std::string* text = std::get_if<std::string>(&Cell(row, name));
    if (text == nullptr) {
      return Bad(row, name,
                 absl::InvalidArgumentError(
                     absl::StrCat("expected a timestamp, got ", CellDebugString(Cell(row, name)))));
    }
    absl::StatusOr<absl::Time> time = ParseWarehouseTimestamp(*text);
    if (!time.ok()) return Bad(row, name, time.status());
    return time;
  }
  absl::StatusOr<std::optional<absl::Time>> OptionalTime(std::size_t row, std::string_view name) const {
    if (std::holds_alternative<Null>(Cell(row, name))) return std::optional<absl::Time>();
    CREDITBOT_ASSIGN_OR_RETURN(absl::Time time, Time(row, name));
    return std::optional<absl::Time>(time);
  }
  absl::StatusOr<Mode> ProtectionMode(std::size_t row, std::string_view name) const {
    CREDITBOT_ASSIGN_OR_RETURN(std::string text, Text(row, name));
    std::optional<Mode> mode = ParseMode(text);
    if (!mode) {
      return Bad(row, name, absl::InvalidArgumentError(absl::StrCat("unknown protection mode '", text, "'")));
    }
    return *mode;
  }
  absl::StatusOr<bool> Flag(std::size_t row, std::string_view name) const {
    const Value& cell = Cell(row, name);
    if (std::holds_alternative<Null>(cell)) return false;
    if (const int64_t* i = std::get_if<int64_t>(&cell)) return *i != 0;
    if (const double* d = std::get_if<double>(&cell)) return *d != 0;
    const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(std::get<std::string>(cell)));
    if (lower == "true" || lower == "t" || lower == "1" || lower == "yes") return true;
    if (lower == "false" || lower == "f" || lower == "0" || lower == "no" || lower.empty()) return false;
    return Bad(row, name,
               absl::InvalidArgumentError(absl::StrCat("expected a boolean, got ", CellDebugString(cell))));
  }

 private:
  std::string file_;
  Table table_;
  std::map<std::string, int, std::less<>> indexes_;
};

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// The keys of the report's rows that the follow-up questions ask about.
struct ReportKeys {
  std::set<std::string> accounts, services, mccs;
  std::set<std::string> accounts_without_service;  // accounts of rows that name no service
  absl::CivilDay first, last;                      // the report's first and last day
};

ReportKeys CollectKeys(const std::vector<FraudRow>& rows) {
  ReportKeys keys;
  keys.first = rows.front().day;
  keys.last = rows.front().day;
  const FraudRow* previous = nullptr;
  for (const FraudRow& row : rows) {
    keys.first = std::min<absl::CivilDay>(keys.first, row.day);
    keys.last = std::max<absl::CivilDay>(keys.last, row.day);
    // Rows share their interned texts: a row naming what the one before named adds nothing.
    if (previous != nullptr && row.account_sid == previous->account_sid &&
        row.service_sid == previous->service_sid && row.mcc == previous->mcc) {
      continue;
    }
    previous = &row;
    keys.accounts.insert(row.account_sid);
    if (row.service_sid.empty()) {
      keys.accounts_without_service.insert(row.account_sid);
    } else {
      keys.services.insert(row.service_sid);
    }
    keys.mccs.insert(row.mcc);
  }
  return keys;
}

// Runs the follow-up questions of one request: sql/<dialect>/<question>.sql with its placeholders expanded
// from values(); every error names the file.
class FollowUpRunner {
 public:
  FollowUpRunner(Warehouse& warehouse, const std::string& sql_dir, SqlPlaceholders values)
      : warehouse_(warehouse), dialect_(warehouse.dialect()), sql_dir_(sql_dir), values_(std::move(values)) {}

  SqlPlaceholders& values() { return values_; }

  absl::StatusOr<FollowUp> Run(std::string_view question) {
    const std::string file = absl::StrCat("sql/", dialect_, "/", ToAbsl(question), ".sql");
    CREDITBOT_ASSIGN_OR_RETURN(std::string sql, ReadDataFile(file, sql_dir_));
    absl::StatusOr<std::string> expanded = ExpandSqlPlaceholders(sql, values_);
    if (!expanded.ok())
      return absl::Status(expanded.status().code(), absl::StrCat(file, ": ", expanded.status().message()));
    absl::StatusOr<Table> table = QueryTable(warehouse_, *expanded);
    if (!table.ok())
      return absl::Status(table.status().code(), absl::StrCat(file, ": ", table.status().message()));
    return FollowUp(file, *std::move(table));
  }

  // Runs `question`, requires `columns`, and appends one Record per result row to `out`, each filled by
  // `read_row(result, row, record)`; stops at the first row it cannot read.
  template <typename Record, typename ReadRow>
  absl::Status ReadEach(std::string_view question, std::initializer_list<std::string_view> columns,
                        std::vector<Record>& out, ReadRow read_row) {
    CREDITBOT_ASSIGN_OR_RETURN(FollowUp result, Run(question));
    CREDITBOT_RETURN_IF_ERROR(result.Require(columns));
    for (std::size_t r = 0; r < result.size(); ++r) {
      Record record;
      CREDITBOT_RETURN_IF_ERROR(read_row(result, r, record));
      out.push_back(std::move(record));
    }
    return absl::OkStatus();
  }

 private:
  Warehouse& warehouse_;
  const std::string dialect_;
  const std::string& sql_dir_;
  SqlPlaceholders values_;
};

// Accounts; returns their parents (an account without one is its own parent).
absl::StatusOr<std::set<std::string>> ReadAccounts(FollowUpRunner& runner, Evidence& evidence) {
  std::set<std::string> parents;
  CREDITBOT_RETURN_IF_ERROR(runner.ReadEach(
      "accounts", {"account_sid", "parent_account_sid", "status"}, evidence.accounts,
      [&](const FollowUp& result, std::size_t r, AccountInfo& account) -> absl::Status {
        CREDITBOT_ASSIGN_OR_RETURN(account.account_sid, result.RequiredText(r, "account_sid"));
        CREDITBOT_ASSIGN_OR_RETURN(account.parent_account_sid, result.Text(r, "parent_account_sid"));
        if (account.parent_account_sid.empty()) account.parent_account_sid = account.account_sid;
        CREDITBOT_ASSIGN_OR_RETURN(account.status, result.Text(r, "status"));
        parents.insert(account.parent_account_sid);
        return absl::OkStatus();
      }));
  return parents;
}

// Services; returns the services whose mode history is needed: the report's, plus every service of an
// account whose rows name no service.
absl::StatusOr<std::set<std::string>> ReadServices(FollowUpRunner& runner, const ReportKeys& keys,
                                                   Evidence& evidence) {
  std::set<std::string> history_services = keys.services;
  CREDITBOT_RETURN_IF_ERROR(runner.ReadEach(
      "verify_services", {"service_sid", "account_sid", "custom_code_enabled"}, evidence.services,
      [&](const FollowUp& result, std::size_t r, ServiceInfo& service) -> absl::Status {
        CREDITBOT_ASSIGN_OR_RETURN(service.service_sid, result.RequiredText(r, "service_sid"));
        CREDITBOT_ASSIGN_OR_RETURN(service.account_sid, result.Text(r, "account_sid"));
        CREDITBOT_ASSIGN_OR_RETURN(service.custom_code_enabled, result.Flag(r, "custom_code_enabled"));
        if (keys.accounts_without_service.contains(service.account_sid))
          history_services.insert(service.service_sid);
        return absl::OkStatus();
      }));
  return history_services;
}

// The policy's mode history (CreditPolicy::history_sql: fraud_guard_history for Verify).
absl::Status ReadModeHistory(FollowUpRunner& runner, const CreditPolicy& policy, Evidence& evidence) {
  return runner.ReadEach(
      policy.history_sql, {"service_sid", "account_sid", "protection_mode", "effective_from", "effective_to"},
      evidence.modes, [](const FollowUp& result, std::size_t r, ModeInterval& interval) -> absl::Status {
        CREDITBOT_ASSIGN_OR_RETURN(interval.service_sid, result.RequiredText(r, "service_sid"));
        CREDITBOT_ASSIGN_OR_RETURN(interval.account_sid, result.Text(r, "account_sid"));
        CREDITBOT_ASSIGN_OR_RETURN(interval.mode, result.ProtectionMode(r, "protection_mode"));
        CREDITBOT_ASSIGN_OR_RETURN(interval.from, result.Time(r, "effective_from"));
        CREDITBOT_ASSIGN_OR_RETURN(interval.to, result.OptionalTime(r, "effective_to"));
        return absl::OkStatus();
      });
}

absl::Status ReadGeoPermissions(FollowUpRunner& runner, Evidence& evidence) {
  return runner.ReadEach(
      "geo_permissions", {"account_sid", "iso_country", "permission", "effective_from", "effective_to"},
      evidence.geo_permissions,
      [](const FollowUp& result, std::size_t r, GeoPermissionInterval& interval) -> absl::Status {
        CREDITBOT_ASSIGN_OR_RETURN(interval.account_sid, result.RequiredText(r, "account_sid"));
        CREDITBOT_ASSIGN_OR_RETURN(std::string country, result.RequiredText(r, "iso_country"));
        interval.iso_country = absl::AsciiStrToUpper(country);
        CREDITBOT_ASSIGN_OR_RETURN(std::string permission, result.RequiredText(r, "permission"));
        interval.permission = absl::AsciiStrToLower(permission);
        CREDITBOT_ASSIGN_OR_RETURN(interval.from, result.Time(r, "effective_from"));
        CREDITBOT_ASSIGN_OR_RETURN(interval.to, result.OptionalTime(r, "effective_to"));
        return absl::OkStatus();
      });
}

absl::Status ReadProviderCosts(FollowUpRunner& runner, Evidence& evidence) {
  return runner.ReadEach(
      "provider_costs", {"mcc", "mnc", "cost_usd_per_sms", "effective_from", "effective_to"}, evidence.costs,
      [](const FollowUp& result, std::size_t r, ProviderCost& cost) -> absl::Status {
        CREDITBOT_ASSIGN_OR_RETURN(cost.mcc, result.RequiredText(r, "mcc"));
        CREDITBOT_ASSIGN_OR_RETURN(cost.mnc, result.Text(r, "mnc"));
        CREDITBOT_ASSIGN_OR_RETURN(cost.cost_usd_per_sms, result.Amount(r, "cost_usd_per_sms"));
        CREDITBOT_ASSIGN_OR_RETURN(cost.from, result.Day(r, "effective_from"));
        CREDITBOT_ASSIGN_OR_RETURN(cost.to, result.OptionalDay(r, "effective_to"));
        return absl::OkStatus();
      });
}

absl::Status ReadBlockRates(FollowUpRunner& runner, Evidence& evidence) {
  return runner.ReadEach("block_rates", {"protection_mode", "mcc", "block_rate"}, evidence.block_rates,
                         [](const FollowUp& result, std::size_t r, BlockRate& rate) -> absl::Status {
                           CREDITBOT_ASSIGN_OR_RETURN(rate.mode, result.ProtectionMode(r, "protection_mode"));
                           CREDITBOT_ASSIGN_OR_RETURN(rate.mcc, result.RequiredText(r, "mcc"));
                           CREDITBOT_ASSIGN_OR_RETURN(rate.rate, result.Amount(r, "block_rate"));
                           return absl::OkStatus();
                         });
}

// The parent's MRR: the first row (the claim month, else the latest earlier one), if any.
absl::Status ReadMrr(FollowUpRunner& runner, Evidence& evidence) {
  CREDITBOT_ASSIGN_OR_RETURN(FollowUp result, runner.Run("mrr"));
  CREDITBOT_RETURN_IF_ERROR(result.Require({"month", "mrr_usd"}));
  if (result.size() > 0) {
    CREDITBOT_ASSIGN_OR_RETURN(absl::CivilDay month, result.Day(0, "month"));
    CREDITBOT_ASSIGN_OR_RETURN(evidence.mrr, result.Amount(0, "mrr_usd"));
    evidence.mrr_month = absl::CivilMonth(month);
  }
  return absl::OkStatus();
}

absl::Status ReadPriorCredits(FollowUpRunner& runner, Evidence& evidence) {
  return runner.ReadEach("prior_credits", {"created_at", "credit_amount", "status", "product"},
                         evidence.prior_credits,
                         [](const FollowUp& result, std::size_t r, PriorCredit& credit) -> absl::Status {
                           CREDITBOT_ASSIGN_OR_RETURN(credit.product, result.Text(r, "product"));
                           CREDITBOT_ASSIGN_OR_RETURN(credit.created, result.Day(r, "created_at"));
                           CREDITBOT_ASSIGN_OR_RETURN(credit.amount, result.Amount(r, "credit_amount"));
                           CREDITBOT_ASSIGN_OR_RETURN(std::string status, result.RequiredText(r, "status"));
                           credit.status = absl::AsciiStrToLower(status);
                           return absl::OkStatus();
                         });
}

}  // namespace

absl::StatusOr<std::string> ExpandSqlPlaceholders(std::string_view sql, const SqlPlaceholders& values) {
  std::string out;
  out.reserve(sql.size() + 64);
  std::size_t i = 0;
  auto copy_until = [&](std::size_t end) {
    out.append(sql.substr(i, end - i));
    i = end;
  };
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {
      // A quoted literal or identifier; a doubled quote inside stays inside.
      std::size_t end = i + 1;
      while (end < sql.size()) {
        if (sql[end] == c) {
          if (end + 1 < sql.size() && sql[end + 1] == c) {
            end += 2;
            continue;
          }
          ++end;
          break;
        }
        ++end;
      }
      copy_until(std::min(end, sql.size()));
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const std::size_t end = sql.find('\n', i);
      copy_until(end == std::string_view::npos ? sql.size() : end);
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const std::size_t end = sql.find("*/", i + 2);
      copy_until(end == std::string_view::npos ? sql.size() : end + 2);
    } else if (c == ':' && i + 1 < sql.size() && IsIdentifierStart(sql[i + 1]) &&
               (i == 0 || sql[i - 1] != ':')) {
      std::size_t end = i + 1;
      while (end < sql.size() && IsIdentifierChar(sql[end])) ++end;
      const std::string_view name = sql.substr(i + 1, end - i - 1);
      auto has_nul = [](std::string_view value) { return value.find('\0') != std::string_view::npos; };
      if (auto text = values.texts.find(name); text != values.texts.end()) {
        if (has_nul(text->second)) {
          return absl::InvalidArgumentError(absl::StrCat("value of :", ToAbsl(name), " holds a NUL byte"));
        }
        out += SqlLiteral(text->second);
      } else if (auto list = values.lists.find(name); list != values.lists.end()) {
        std::vector<std::string> literals;
        for (const std::string& value : list->second) {
          if (has_nul(value)) {
            return absl::InvalidArgumentError(
                absl::StrCat("a value of :", ToAbsl(name), " holds a NUL byte"));
          }
          literals.push_back(SqlLiteral(value));
        }
        if (literals.empty()) literals.push_back("''");
        out += absl::StrCat("(", absl::StrJoin(literals, ", "), ")");
      } else {
        return absl::InvalidArgumentError(absl::StrCat("SQL uses the unknown placeholder :", ToAbsl(name)));
      }
      i = end;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

absl::Status TooManyRows(int64_t max_rows) {
  return absl::FailedPreconditionError(absl::StrCat(
      "the fraud report has more than ", max_rows,
      " rows, the most one calculation takes (CREDITBOT_MAX_REPORT_ROWS, sized to the memory creditbot is "
      "given); narrow the Look (fewer days, accounts or MCCs) or split it into several requests"));
}

absl::StatusOr<absl::Time> ParseWarehouseTimestamp(std::string_view text) {
  return ParseTimestampUtc(text);  // one reader of timestamps for the report and the follow-ups
}

absl::StatusOr<Evidence> EvidenceLoader::Load(const EvidenceRequest& request) {
  Evidence evidence;
  evidence.claim_date = request.claim_date;
  {
    FraudReportSink sink(policy_.columns, request.max_report_rows, evidence.report);
    CREDITBOT_RETURN_IF_ERROR(warehouse_.Query(request.fraud_report_sql, sink));
  }
  if (evidence.report.rows.empty()) return evidence;

  const ReportKeys keys = CollectKeys(evidence.report.rows);
  SqlPlaceholders values;
  values.lists["account_sids"] = {keys.accounts.begin(), keys.accounts.end()};
  values.lists["service_sids"] = {keys.services.begin(), keys.services.end()};
  values.lists["mccs"] = {keys.mccs.begin(), keys.mccs.end()};
  for (auto mode = policy_.modes.begin() + 1; mode != policy_.modes.end(); ++mode)  // all but off
    values.lists["protection_modes"].push_back(std::string(ModeName(*mode)));
  values.texts["product"] = policy_.name;
  values.texts["claim_date"] = DayText(request.claim_date);
  values.texts["window_start"] = DayText(keys.first);
  values.texts["window_end"] = DayText(keys.last + 1);
  FollowUpRunner runner(warehouse_, request.sql_dir, std::move(values));

  CREDITBOT_ASSIGN_OR_RETURN(const std::set<std::string> parents, ReadAccounts(runner, evidence));
  if (policy_.scope == ProtectionScope::kService) {
    CREDITBOT_ASSIGN_OR_RETURN(const std::set<std::string> history_services,
                               ReadServices(runner, keys, evidence));
    runner.values().lists["service_sids"] = {history_services.begin(), history_services.end()};
  }
  CREDITBOT_RETURN_IF_ERROR(ReadModeHistory(runner, policy_, evidence));
  if (policy_.geo_allow_bypasses) CREDITBOT_RETURN_IF_ERROR(ReadGeoPermissions(runner, evidence));
  CREDITBOT_RETURN_IF_ERROR(ReadProviderCosts(runner, evidence));
  CREDITBOT_RETURN_IF_ERROR(ReadBlockRates(runner, evidence));

  if (parents.size() != 1) return evidence;  // none known, or several: the engine reports it
  runner.values().texts["parent_account_sid"] = *parents.begin();
  CREDITBOT_RETURN_IF_ERROR(ReadMrr(runner, evidence));
  CREDITBOT_RETURN_IF_ERROR(ReadPriorCredits(runner, evidence));
  return evidence;
}

}  // namespace creditbot
