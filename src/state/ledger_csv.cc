// The ledger's CSV rows; see ledger_csv.h.
#include "state/ledger_csv.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/utc_time.h"

namespace creditbot {
namespace {

constexpr const char* kColumns[] = {
    "execution_id", "request_key",    "requester",     "parent_account_sid", "product",
    "fraud_start",  "fraud_end",      "cells",         "recommended_amount", "status",
    "final_amount", "currency",       "decided_by",    "decided_at",         "reason",
    "policy_name",  "policy_version", "policy_sha256", "superseded_by",      "dry_run",
    "thread"};

std::string Day(const std::optional<absl::CivilDay>& day) { return day ? absl::FormatCivilTime(*day) : ""; }

std::string Row(const std::vector<std::string>& fields) {
  std::string row;
  for (const std::string& field : fields) absl::StrAppend(&row, row.empty() ? "" : ",", CsvField(field));
  return row + "\r\n";
}

}  // namespace

std::string CsvField(std::string_view text) {
  std::string value;
  if (!text.empty() && (text.front() == '=' || text.front() == '+' || text.front() == '-' ||
                        text.front() == '@' || text.front() == '\t' || text.front() == '\r')) {
    value = "'";
  }
  value.append(text);
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string LedgerCsvHeader() {
  return absl::StrCat(absl::StrJoin(std::begin(kColumns), std::end(kColumns), ","), "\r\n");
}

std::string LedgerCsvRow(const LedgerEntry& entry, std::string_view thread_link) {
  return Row({entry.execution_id,
              entry.request_key,
              entry.requester,
              entry.parent_account_sid,
              entry.product,
              Day(entry.fraud_start),
              Day(entry.fraud_end),
              absl::StrCat(entry.cells.size()),
              entry.recommended_amount,
              std::string(LedgerStatusName(entry.status)),
              entry.final_amount,
              entry.currency,
              entry.decided_by,
              Rfc3339UtcOrEmpty(entry.decided_at),
              entry.reason,
              entry.policy_name,
              entry.policy_version,
              entry.policy_sha256,
              entry.superseded_by,
              entry.dry_run ? "true" : "false",
              std::string(thread_link)});
}

}  // namespace creditbot
