// FraudReportColumns: finds the credit policy's column roles (CREDIT_POLICY.md "Input 1") among the column
// names of a fraud report (the Looker SQL's result), then turns each result row into a FraudRow.
//
// Matching: each role's regular expressions (RE2) are matched case-insensitively against the whole column
// name, optionally preceded by one Looker view prefix ("authy_fraud_report.day" matches `day`). Every role
// may match at most one column and every column at most one role, so a report is never read ambiguously.
//
// Cells are converted leniently where the meaning is unambiguous and strictly otherwise, because the same
// report may come from SQLite (numbers as int64/double) or Trino (decimals and dates as text):
//   day            'YYYY-MM-DD', or a timestamp text converted to its UTC date ('YYYY-MM-DD HH:MM…' /
//                  'YYYY-MM-DDTHH…', with 'Z', 'UTC' or an offset such as '-05:00'); anything else refused
//   account_sid    text (an integer is written in decimal); required, never empty
//   service_sid    text; NULL → "" (the row then has no service)
//   mcc            three digits; an integer MCC is zero-padded (400 → "400", 1 → "001")
//   mnc            text kept as is, leading zeros included ("01" ≠ "001"); an integer in decimal; NULL → ""
//   country        text, upper-cased; NULL → ""
//   attempts_*     int64, or a double / text holding an integral value ("1000", "1000.0"); never negative;
//                  a NULL attempts_blocked counts as 0 (SQL's SUM over no matching rows)
//   fraud_charges  text → Decimal::Parse, double → Decimal::FromDouble, int → Decimal::FromInt; never
//   negative
//
// Pure and thread-compatible; a mapped instance may be shared by threads for ConvertRow.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/credit_policy.h"
#include "core/decimal.h"
#include "core/evidence.h"
#include "warehouse/warehouse.h"

namespace creditbot {

// The role names of CreditPolicy::columns.
inline constexpr std::string_view kRoleDay = "day";
inline constexpr std::string_view kRoleAccountSid = "account_sid";
inline constexpr std::string_view kRoleServiceSid = "service_sid";
inline constexpr std::string_view kRoleMcc = "mcc";
inline constexpr std::string_view kRoleMnc = "mnc";
inline constexpr std::string_view kRoleCountry = "country";
inline constexpr std::string_view kRoleAttemptsSent = "attempts_sent";
inline constexpr std::string_view kRoleAttemptsBlocked = "attempts_blocked";
inline constexpr std::string_view kRoleFraudCharges = "fraud_charges";

class FraudReportColumns {
 public:
  // Maps `column_names` (in result order) to `roles`. A role is required when the policy says so, and the
  // roles day, account_sid, mcc, attempts_sent and fraud_charges always are.
  // Errors:
  //   kFailedPrecondition — a required role has no column (names every missing role and lists the columns
  //                         seen); two columns match one role, or one column matches two roles (names both)
  //   kInvalidArgument    — a role name this code does not know, or a pattern RE2 rejects
  static absl::StatusOr<FraudReportColumns> Map(const std::vector<ColumnRole>& roles,
                                                const std::vector<std::string>& column_names);

  // Index (into the result's columns) of the column holding `role`, or -1 when the report lacks it.
  int IndexOf(std::string_view role) const;
  bool has_service_column() const { return service_ >= 0; }
  bool has_blocked_column() const { return blocked_ >= 0; }
  const std::vector<std::string>& column_names() const { return column_names_; }

  // Converts one result row, borrowed as the warehouse hands it; its texts are interned by `interner`, so
  // the rows of one report share their SIDs, MCCs, MNCs and countries. `row_number` (1-based) only
  // labels errors.
  // Errors: kFailedPrecondition naming the row number, the column and the bad value; kInvalidArgument when
  // the row has fewer cells than the mapped columns need.
  absl::StatusOr<FraudRow> ConvertRow(RowView row, int64_t row_number, TextInterner& interner) const;
  // The same for an owned row, whose texts are then its own.
  absl::StatusOr<FraudRow> ConvertRow(const std::vector<Value>& row, int64_t row_number) const;

 private:
  FraudReportColumns() = default;
  std::vector<std::string> column_names_;
  int day_ = -1, account_ = -1, service_ = -1, mcc_ = -1, mnc_ = -1, country_ = -1;
  int sent_ = -1, blocked_ = -1, charges_ = -1;
};

// Cell readers shared with the evidence loader. Each returns kInvalidArgument describing the value (the
// caller adds the row and column); none accepts NULL unless it says so.

// Text of a text or integer cell, surrounding ASCII whitespace removed; a NULL becomes "".
absl::StatusOr<std::string> CellToText(const Value& cell);
// A date: 'YYYY-MM-DD', or a timestamp as ParseTimestampUtc reads it, converted to its UTC date
// ('2025-07-01T23:30:00-05:00' is 2025-07-02). Anything else ('2025-07-01 garbage', a number) is refused.
absl::StatusOr<absl::CivilDay> CellToDay(const Value& cell);
// A timestamp as an instant: 'YYYY-MM-DD', optionally followed by ' ' or 'T' and HH:MM[:SS[.fff…]], then
// optionally a zone: 'Z', 'UTC' or a numeric offset (+HH, +HHMM, +HH:MM), each after an optional blank
// (Trino writes '2025-07-01 23:30:00.000 UTC'). No zone means UTC. Named zones other than UTC are
// refused (cast such a column to UTC in the SQL). kInvalidArgument naming the forms and the value.
absl::StatusOr<absl::Time> ParseTimestampUtc(std::string_view text);
// A non-negative integral count.
absl::StatusOr<int64_t> CellToCount(const Value& cell);
// An exact decimal from text, integer or double.
absl::StatusOr<Decimal> CellToDecimal(const Value& cell);
// Renders a cell for error messages: text quoted, NULL as NULL.
std::string CellDebugString(const Value& cell);

}  // namespace creditbot
