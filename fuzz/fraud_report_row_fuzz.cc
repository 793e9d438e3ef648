// Fuzzes the conversion of a fraud-report row (FraudReportColumns::ConvertRow and the cell readers) and the
// warehouse timestamp parser: arbitrary cells must give a FraudRow that satisfies its invariants or an
// error, never a crash, a sanitizer report or an exception.
//
// Input: up to nine cells separated by '\t', in the default column order (day, account_sid, service_sid,
// mcc, mnc, to_country, attempts_sent, attempts_blocked, fraud_charges_usd). A cell's first byte picks its
// type: 'i' int64 (the rest parsed as decimal), 'f' double (the rest parsed), 'n' NULL, anything else text
// (the rest of the cell).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/credit_policy.h"
#include "evidence/evidence_loader.h"
#include "evidence/fraud_report_columns.h"

namespace {

creditbot::Value ToCell(std::string_view text) {
  if (text.empty()) return std::string();
  const std::string rest(text.substr(1));
  switch (text[0]) {
    case 'i':
      return static_cast<int64_t>(std::strtoll(rest.c_str(), nullptr, 10));
    case 'f':
      return std::strtod(rest.c_str(), nullptr);
    case 'n':
      return creditbot::Null{};
    default:
      return rest;
  }
}

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const creditbot::FraudReportColumns* const kColumns = [] {
    static absl::StatusOr<creditbot::FraudReportColumns> mapped = creditbot::FraudReportColumns::Map(
        creditbot::CreditPolicy::DefaultColumns(),
        {"v.day", "v.account_sid", "v.service_sid", "v.mcc", "v.mnc", "v.to_country", "v.attempts_sent",
         "v.attempts_blocked", "v.fraud_charges_usd"});
    Check(mapped.ok());
    return &*mapped;
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<creditbot::Value> row;
  std::size_t start = 0;
  while (row.size() < 9) {
    const std::size_t end = input.find('\t', start);
    row.push_back(
        ToCell(input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  while (row.size() < 9) row.push_back(creditbot::Null{});

  absl::StatusOr<creditbot::FraudRow> converted = kColumns->ConvertRow(row, 1);
  if (converted.ok()) {
    Check(converted->mcc.size() == 3);
    Check(!converted->account_sid.empty());
    Check(converted->attempts_sent >= 0 && converted->attempts_blocked >= 0);
    Check(!converted->fraud_charges.IsNegative());
  } else {
    Check(converted.status().code() == absl::StatusCode::kFailedPrecondition ||
          converted.status().code() == absl::StatusCode::kInvalidArgument);
  }
  absl::StatusOr<absl::Time> time = creditbot::ParseWarehouseTimestamp(input);
  if (time.ok()) Check(absl::CivilDay(absl::ToCivilDay(*time, absl::UTCTimeZone())).year() >= 0);
  return 0;
}
