// EvidenceLoader: runs the fraud report SQL and the follow-up queries of sql/<dialect>/ on a Warehouse
// and assembles the Evidence the credit engine needs.
//
// The fraud report's columns are found by the policy's [columns] roles (FraudReportColumns); its rows are
// converted while they stream in. The follow-up questions, one SQL file each, in this order:
//   accounts.sql             the report's accounts (account_sid, parent_account_sid, status)
//   verify_services.sql      the Verify services of the report's services and accounts
//   fraud_guard_history.sql  Fraud Guard mode intervals of the report's services (plus every service of an
//                            account whose rows name no service, e.g. a report without a service column);
//                            the policy's [protection] history_sql names this file, and a policy whose
//                            switch is per account (scope = "account", SMS Pumping Protection) reads its
//                            history (e.g. sms_pumping_protection_history.sql, by :account_sids, the same
//                            columns with service_sid = the account) instead and skips verify_services.sql
//   geo_permissions.sql      SMS Geo Permission intervals of the report's accounts (skipped when the
//                            policy's geo_allow_bypasses is false)
//   provider_costs.sql       provider cost intervals of the report's MCCs
//   block_rates.sql          block rates of the report's MCCs, for the policy's modes other than off
//   mrr.sql                  the parent's MRR for the claim month, else the latest earlier month
//   prior_credits.sql        the parent's credits (every product, with its name: the engine picks the
//                            policy's products case-insensitively) created on or before the claim date
// The last two run only when every account the warehouse knows shares one parent; otherwise they are
// skipped and the credit engine reports the several parents (or the unknown accounts).
//
// The follow-up SQL files use named placeholders that the loader expands into quoted SQL literals:
//   :account_sids  :service_sids  :mccs  :protection_modes   → ('a', 'b', …)  (a list never empty: ('')
//                                                             when it would be)
//   :parent_account_sid  :product  :claim_date  :window_start  :window_end   → 'text'
// :product is the policy's name; :claim_date, :window_start and :window_end are 'YYYY-MM-DD', where
// [window_start, window_end) covers the report's days (window_end is the day after the last one), so
// interval tables can be filtered with `effective_from < :window_end AND (effective_to IS NULL OR
// effective_to > :window_start)`. Quotes inside values are doubled, so a value from the report can never
// change the statement; placeholders inside string literals, quoted identifiers and comments are left alone.
//
// Errors: kFailedPrecondition naming a missing required column (and the columns seen), a cell that
// cannot be read (row number and column), or a report of more than max_report_rows rows (TooManyRows);
// kFailedPrecondition naming the SQL file for a follow-up result that lacks a column or holds an unreadable
// cell; kNotFound for a missing SQL file; errors of the warehouse unchanged (kInvalidArgument for SQL the
// database rejects).
//
// Header changes beyond the lead's draft: the follow-up list above, and the two helpers at the bottom
// (placeholder expansion and timestamp parsing), exposed so their edge cases are tested directly.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/credit_policy.h"
#include "core/evidence.h"
#include "warehouse/warehouse.h"

namespace creditbot {

struct EvidenceRequest {
  std::string fraud_report_sql;  // already accepted by the SQL guard
  absl::CivilDay claim_date;
  std::string sql_dir;  // override folder for sql/ files; empty = embedded
  // The most fraud-report rows one calculation reads (CREDITBOT_MAX_REPORT_ROWS); 0: no limit. A larger
  // report is refused at its (max + 1)-th row, while it streams in, never read whole first.
  int64_t max_report_rows = 0;
};

class EvidenceLoader {
 public:
  EvidenceLoader(Warehouse& warehouse, const CreditPolicy& policy) : warehouse_(warehouse), policy_(policy) {}

  // Runs everything; a report with no rows returns Evidence with an empty report and no follow-ups run.
  absl::StatusOr<Evidence> Load(const EvidenceRequest& request);

 private:
  Warehouse& warehouse_;
  const CreditPolicy& policy_;
};

// Values for ExpandSqlPlaceholders: a name (without ':') maps to one text or to a list of texts.
struct SqlPlaceholders {
  std::map<std::string, std::string, std::less<>> texts;
  std::map<std::string, std::vector<std::string>, std::less<>> lists;
};

// Replaces every :name outside string literals, quoted identifiers and comments by its SQL literal.
// kInvalidArgument for a placeholder with no value (naming it) or a value holding a NUL byte.
absl::StatusOr<std::string> ExpandSqlPlaceholders(std::string_view sql, const SqlPlaceholders& values);

// Parses a warehouse timestamp as an instant: ParseTimestampUtc (evidence/fraud_report_columns.h), the one
// reader shared with the fraud report's day column. 'YYYY-MM-DD', optionally followed by ' ' or 'T' and
// HH:MM[:SS[.fff…]], then optionally 'Z', 'UTC' or a numeric offset (+HH, +HH:MM, +HHMM), each after an
// optional blank. kInvalidArgument otherwise.
absl::StatusOr<absl::Time> ParseWarehouseTimestamp(std::string_view text);

// The error of a fraud report longer than `max_rows` (CREDITBOT_MAX_REPORT_ROWS): kFailedPrecondition (a
// final failure: retrying cannot shrink the report), saying what to do about it.
absl::Status TooManyRows(int64_t max_rows);

}  // namespace creditbot
