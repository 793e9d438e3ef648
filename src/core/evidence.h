// Evidence: everything the credit engine needs for one request, gathered from the fraud report (the Looker
// SQL's result) and the warehouse follow-up queries (sql/). The engine reads only this struct, so it is
// pure: the same Evidence and policy always give the same CreditReport.
//
// Times are UTC. Intervals are half-open [from, to); a missing `to` means "still in force".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/decimal.h"
#include "core/interned_text.h"
#include "core/mode.h"
#include "core/report_day.h"

namespace creditbot {

// One (day, account, service, MCC[, MNC]) cell of fraudulent SMS traffic. 80 bytes (issue 20: a report's
// rows and lines cost at most 300 bytes a row at the peak of a calculation): a large report has few distinct
// SIDs, MCCs, MNCs and countries, so its rows share them (InternedText), and the day takes 4 bytes.
struct FraudRow {
  ReportDay day;
  InternedText account_sid;
  InternedText service_sid;      // empty when the report has no service column
  InternedText mcc;              // 3 digits, kept as text
  InternedText mnc;              // empty when absent
  InternedText country;          // ISO 3166 alpha-2; empty when absent
  int64_t attempts_sent = 0;     // A
  int64_t attempts_blocked = 0;  // B; 0 when the report has no blocked column
  Decimal fraud_charges;         // F, USD
};

struct FraudReport {
  std::vector<FraudRow> rows;
  std::vector<std::string> columns;  // the column names the report had, in order
  bool has_service_column = true;
  bool has_blocked_column = true;  // false: B was taken as 0 (CREDIT_POLICY.md edge case F)
};

struct AccountInfo {
  std::string account_sid;
  std::string parent_account_sid;  // equals account_sid for a parent
  std::string status;
};

struct ServiceInfo {
  std::string service_sid;
  std::string account_sid;
  bool custom_code_enabled = false;
};

struct ModeInterval {
  std::string service_sid;
  std::string account_sid;
  Mode mode = Mode::kStandard;
  absl::Time from;
  std::optional<absl::Time> to;
};

struct GeoPermissionInterval {
  std::string account_sid;
  std::string iso_country;
  std::string permission;  // "disable", "allow" or "monitor"
  absl::Time from;
  std::optional<absl::Time> to;
};

struct ProviderCost {
  std::string mcc;
  std::string mnc;  // empty: every network of the MCC
  Decimal cost_usd_per_sms;
  absl::CivilDay from;
  std::optional<absl::CivilDay> to;  // exclusive
};

struct BlockRate {
  Mode mode = Mode::kStandard;
  std::string mcc;
  Decimal rate;  // 0..1
};

struct PriorCredit {
  absl::CivilDay created;
  std::string status;  // proposed / approved / issued / rejected
  Decimal amount;
  std::string product;  // as recorded in credits_issued; the engine compares it case-insensitively
};

struct Evidence {
  FraudReport report;
  absl::CivilDay claim_date;                           // the date of the Slack request message
  std::vector<AccountInfo> accounts;                   // the report's accounts that the warehouse knows
  std::vector<ServiceInfo> services;                   // the report's services (or its accounts' services)
  std::vector<ModeInterval> modes;                     // Fraud Guard history of those services
  std::vector<GeoPermissionInterval> geo_permissions;  // SMS channel, the report's accounts
  std::vector<ProviderCost> costs;                     // for the report's MCCs
  std::vector<BlockRate> block_rates;                  // for the report's MCCs
  std::optional<Decimal> mrr;  // the parent's MRR for the claim month (or latest earlier)
  std::optional<absl::CivilMonth> mrr_month;
  std::vector<PriorCredit> prior_credits;  // the parent's earlier credits (any product; the engine picks)
};

}  // namespace creditbot
