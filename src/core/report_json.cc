// The result JSON.
#include "core/report_json.h"

#include <array>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "common/strings.h"

namespace creditbot {
namespace {

using Json = nlohmann::ordered_json;

std::string Money(Decimal value) { return value.ToString(2); }
std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }
Json OptionalDay(const std::optional<absl::CivilDay>& day) { return day ? Json(Day(*day)) : Json(nullptr); }

// One object per Fraud Guard mode: its charges and what it is credited, and would be with every row in it.
Json OutputDfJson(const std::array<ModeBreakdown, 4>& modes) {
  Json output_df = Json::array();
  for (const ModeBreakdown& mode : modes) {
    output_df.push_back({{"mode", ModeName(mode.mode)},
                         {"credit", Money(mode.credit_in_mode)},
                         {"fraud_charges_in_mode", Money(mode.fraud_charges_in_mode)},
                         {"credit_in_mode", Money(mode.credit_in_mode)},
                         {"expected_blocked_if_mode", mode.expected_blocked_if_mode.ToString()},
                         {"credit_if_mode", Money(mode.credit_if_mode)}});
  }
  return output_df;
}

// One object per credit line, with why it was treated as it was.
Json LinesJson(const CreditReport& report) {
  Json lines = Json::array();
  for (const CreditLine& line : report.lines) {
    lines.push_back({{"date", Day(line.day)},
                     {"account_sid", line.account_sid()},
                     {"service_sid", line.service_sid()},
                     {"mcc", line.mcc()},
                     {"mnc", line.mnc()},
                     {"country", line.country()},
                     {"mode", ModeName(line.mode)},
                     {"mode_mixed_day", line.mode_mixed_day},
                     {"attempts", line.attempts_sent},
                     {"blocked", line.attempts_blocked},
                     {"total_attempts", line.total_attempts},
                     {"charges", Money(line.charges)},
                     {"unit_charge", line.unit_charge.ToString(2)},
                     {"provider_cost", line.provider_cost.ToString(2)},
                     {"shortfall", line.shortfall.ToString()},
                     {"eligible", Money(line.eligible)},
                     {"credited", Money(line.credited)},
                     {"treatment", TreatmentName(line.treatment)},
                     {"why", WhyOf(line, report)}});
  }
  return lines;
}

// The totals and the policy parameters that produced them.
Json SummaryJson(const CreditSummary& s) {
  return {{"promise", Money(s.promise)},
          {"goodwill_raw", Money(s.goodwill_raw)},
          {"goodwill_cap", Money(s.goodwill_cap)},
          {"goodwill", Money(s.goodwill)},
          {"raw", Money(s.raw)},
          {"cap_binds", s.cap_binds},
          {"repeat_factor", s.repeat_factor.ToString(1)},
          {"approval_threshold", Money(s.approval_threshold)},
          {"rows", s.rows},
          {"accounts", s.accounts},
          {"rounding", "once, at the end, to cents: half away from zero"},
          {"duplicates_merged", s.duplicates_merged},
          {"min_credit", Money(s.min_credit)},
          {"auto_approve_limit", Money(s.auto_approve_limit)},
          {"approval_mrr_multiple", s.approval_mrr_multiple.ToString(1)},
          {"repeat_window_days", s.repeat_window_days}};
}

// Where the request came from (channel, message, report link, or SQL file) and the SQL's hash.
Json InputsJson(const ExecutionMeta& meta) {
  Json source = Json::object();
  if (!meta.source_channel.empty()) {
    source["channel"] = meta.source_channel;
    source["ts"] = meta.source_ts;
    source["looker_url"] = meta.looker_url;
  }
  if (!meta.sql_file.empty()) source["sql_file"] = meta.sql_file;
  return {{"source", std::move(source)}, {"sql_sha256", meta.sql_sha256}};
}

}  // namespace

std::string MakeExecutionId(absl::Time now, std::string_view salt) {
  static absl::Mutex mutex(absl::kConstInit);
  static absl::BitGen* random = new absl::BitGen();
  uint64_t draw = 0;
  {
    absl::MutexLock lock(&mutex);
    draw = absl::Uniform<uint64_t>(*random);
  }
  std::string stamp = absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone());
  std::string digest = Sha256Hex(absl::StrCat(ToAbsl(salt), "|", stamp, "|", draw));
  return absl::StrCat(stamp, "-", digest.substr(0, 4));
}

std::string RenderResultJson(const CreditReport& report, const ExecutionMeta& meta) {
  Json json;
  json["execution_id"] = meta.execution_id;
  json["timestamp"] = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", meta.timestamp, absl::UTCTimeZone());
  json["product"] = report.product;
  json["account_sid"] = report.account_sid ? Json(*report.account_sid) : Json(nullptr);
  json["parent_account_sid"] = report.parent_account_sid;
  json["claim_date"] = Day(report.claim_date);
  json["fraud_start"] = OptionalDay(report.fraud_start);
  json["fraud_end"] = OptionalDay(report.fraud_end);
  json["fraud_total"] = Money(report.fraud_total);
  json["mrr"] = report.mrr ? Json(Money(*report.mrr)) : Json(nullptr);
  json["credit_amount"] = report.credit_amount.ToFixed(2);
  json["currency"] = report.currency;
  json["needs_approval"] = report.needs_approval;
  json["reason"] = report.reason ? Json(*report.reason) : Json(nullptr);
  json["warnings"] = report.warnings;
  json["fraud_guard_mode"] = ModeName(report.fraud_guard_mode);
  json["dry_run"] = meta.dry_run;
  json["output_df"] = OutputDfJson(report.output_df);
  json["lines"] = LinesJson(report);
  json["summary"] = SummaryJson(report.summary);
  json["policy"] = {
      {"name", report.policy_name}, {"version", report.policy_version}, {"sha256", report.policy_sha256}};
  json["inputs"] = InputsJson(meta);
  return json.dump(2) + "\n";
}

}  // namespace creditbot
