// Reading the result JSON back into a CreditReport; see result_json_reader.h.
#include "executor/result_json_reader.h"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/json_fields.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "core/credit_engine.h"

namespace creditbot {
namespace {

using Json = nlohmann::json;

absl::Status Bad(std::string_view path, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("result JSON: ", ToAbsl(path), ": ", ToAbsl(what)));
}

absl::StatusOr<std::string> Text(const Json& object, const char* name, std::string_view path) {
  const Json* value = JsonMember(object, name);
  if (value == nullptr || !value->is_string())
    return Bad(absl::StrCat(ToAbsl(path), name), "expected a string");
  return value->get<std::string>();
}

absl::StatusOr<std::optional<std::string>> OptionalText(const Json& object, const char* name,
                                                        std::string_view path) {
  const Json* value = JsonMember(object, name);
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) return Bad(absl::StrCat(ToAbsl(path), name), "expected a string or null");
  return std::optional<std::string>(value->get<std::string>());
}

absl::StatusOr<Decimal> Number(const Json& object, const char* name, std::string_view path) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, Text(object, name, path));
  absl::StatusOr<Decimal> value = Decimal::Parse(text);
  if (!value.ok()) return Bad(absl::StrCat(ToAbsl(path), name), "expected a decimal string");
  return *value;
}

absl::StatusOr<absl::CivilDay> Day(const Json& object, const char* name, std::string_view path) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, Text(object, name, path));
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) return Bad(absl::StrCat(ToAbsl(path), name), "expected YYYY-MM-DD");
  return day;
}

absl::StatusOr<std::optional<absl::CivilDay>> OptionalDay(const Json& object, const char* name,
                                                          std::string_view path) {
  CREDITBOT_ASSIGN_OR_RETURN(std::optional<std::string> text, OptionalText(object, name, path));
  if (!text) return std::optional<absl::CivilDay>();
  absl::CivilDay day;
  if (!absl::ParseCivilTime(*text, &day)) return Bad(absl::StrCat(ToAbsl(path), name), "expected YYYY-MM-DD");
  return std::optional<absl::CivilDay>(day);
}

absl::StatusOr<bool> Bool(const Json& object, const char* name, std::string_view path) {
  const Json* value = JsonMember(object, name);
  if (value == nullptr || !value->is_boolean())
    return Bad(absl::StrCat(ToAbsl(path), name), "expected true/false");
  return value->get<bool>();
}

absl::StatusOr<int64_t> Integer(const Json& object, const char* name, std::string_view path) {
  const Json* value = JsonMember(object, name);
  if (value == nullptr || !value->is_number_integer()) {
    return Bad(absl::StrCat(ToAbsl(path), name), "expected a whole number");
  }
  return value->get<int64_t>();
}

absl::StatusOr<Mode> ModeOf(const Json& object, const char* name, std::string_view path) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, Text(object, name, path));
  std::optional<Mode> mode = ParseMode(text);
  if (!mode) return Bad(absl::StrCat(ToAbsl(path), name), "expected off, basic, standard or max");
  return *mode;
}

absl::StatusOr<std::vector<std::string>> Strings(const Json& object, const char* name,
                                                 std::string_view path) {
  const Json* value = JsonMember(object, name);
  if (value == nullptr || !value->is_array()) return Bad(absl::StrCat(ToAbsl(path), name), "expected a list");
  std::vector<std::string> out;
  for (const Json& item : *value) {
    if (!item.is_string()) return Bad(absl::StrCat(ToAbsl(path), name), "expected a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

absl::StatusOr<Treatment> TreatmentOf(const Json& object, std::string_view path) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, Text(object, "treatment", path));
  for (Treatment treatment :
       {Treatment::kPromise, Treatment::kGoodwill, Treatment::kLateMaxZero, Treatment::kOff,
        Treatment::kOverrideGeoAllow, Treatment::kOverrideCustomCodeBasic}) {
    if (TreatmentName(treatment) == text) return treatment;
  }
  return Bad(absl::StrCat(ToAbsl(path), "treatment"), "unknown treatment");
}

absl::CivilDay PromiseDeadline(absl::CivilDay day, const CreditPolicy& policy) {
  const absl::CivilDay last_day = absl::CivilDay(absl::CivilMonth(day) + 1) - 1;
  return last_day + policy.promise_claim_days;
}

absl::Status ReadSummary(const Json& json, CreditSummary& s) {
  const Json* summary = JsonMember(json, "summary");
  if (summary == nullptr || !summary->is_object()) return Bad("summary", "expected an object");
  const std::string path = "summary.";
  CREDITBOT_ASSIGN_OR_RETURN(s.promise, Number(*summary, "promise", path));
  CREDITBOT_ASSIGN_OR_RETURN(s.goodwill_raw, Number(*summary, "goodwill_raw", path));
  CREDITBOT_ASSIGN_OR_RETURN(s.goodwill_cap, Number(*summary, "goodwill_cap", path));
  CREDITBOT_ASSIGN_OR_RETURN(s.goodwill, Number(*summary, "goodwill", path));
  CREDITBOT_ASSIGN_OR_RETURN(s.raw, Number(*summary, "raw", path));
  CREDITBOT_ASSIGN_OR_RETURN(s.cap_binds, Bool(*summary, "cap_binds", path));
  CREDITBOT_ASSIGN_OR_RETURN(s.repeat_factor, Number(*summary, "repeat_factor", path));
  CREDITBOT_ASSIGN_OR_RETURN(s.approval_threshold, Number(*summary, "approval_threshold", path));
  CREDITBOT_ASSIGN_OR_RETURN(int64_t rows, Integer(*summary, "rows", path));
  s.rows = static_cast<int>(rows);
  CREDITBOT_ASSIGN_OR_RETURN(s.accounts, Strings(*summary, "accounts", path));
  // Absent from results written before these fields existed: no duplicates merged.
  if (JsonMember(*summary, "duplicates_merged") != nullptr) {
    CREDITBOT_ASSIGN_OR_RETURN(int64_t duplicates, Integer(*summary, "duplicates_merged", path));
    s.duplicates_merged = static_cast<int>(duplicates);
  }
  return absl::OkStatus();
}

absl::Status ReadLine(const Json& item, std::size_t index, const CreditReport& report,
                      const CreditPolicy& policy, CreditLine& line) {
  const std::string path = absl::StrCat("lines[", index, "].");
  if (!item.is_object()) return Bad(path, "expected an object");
  CREDITBOT_ASSIGN_OR_RETURN(line.day, Day(item, "date", path));
  LineText text;
  CREDITBOT_ASSIGN_OR_RETURN(text.account_sid, Text(item, "account_sid", path));
  CREDITBOT_ASSIGN_OR_RETURN(text.service_sid, Text(item, "service_sid", path));
  CREDITBOT_ASSIGN_OR_RETURN(text.mcc, Text(item, "mcc", path));
  CREDITBOT_ASSIGN_OR_RETURN(text.mnc, Text(item, "mnc", path));
  CREDITBOT_ASSIGN_OR_RETURN(text.country, Text(item, "country", path));
  line.text = std::make_shared<const LineText>(std::move(text));
  CREDITBOT_ASSIGN_OR_RETURN(line.mode, ModeOf(item, "mode", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.mode_mixed_day, Bool(item, "mode_mixed_day", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.attempts_sent, Integer(item, "attempts", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.attempts_blocked, Integer(item, "blocked", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.total_attempts, Integer(item, "total_attempts", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.charges, Number(item, "charges", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.unit_charge, Number(item, "unit_charge", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.provider_cost, Number(item, "provider_cost", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.shortfall, Number(item, "shortfall", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.eligible, Number(item, "eligible", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.credited, Number(item, "credited", path));
  CREDITBOT_ASSIGN_OR_RETURN(line.treatment, TreatmentOf(item, path));
  CREDITBOT_ASSIGN_OR_RETURN(std::string why, Text(item, "why", path));

  // The facts the engine words the sentence from (credit_engine.cc) that the JSON does not carry, rebuilt.
  if (policy.promise_mode && line.mode == *policy.promise_mode)
    line.promise_deadline = PromiseDeadline(line.day, policy);
  line.k = policy.k[ModeIndex(line.mode)];
  if (line.treatment == Treatment::kPromise) {
    line.earned = line.eligible;
  } else if (line.treatment == Treatment::kGoodwill) {
    const Decimal share = Decimal::Mul(line.k, report.summary.repeat_factor);
    line.earned = share == Decimal::FromInt(1) ? line.eligible
                  : line.eligible.IsZero()     ? Decimal()
                                               : Decimal::Mul(share, line.eligible);
  }
  if (WhyOf(line, report) != why) {
    return absl::FailedPreconditionError(
        absl::StrCat("result JSON: ", path, "why does not follow from policy ", policy.name, " version ",
                     policy.version, " (the calculation ran with other rules): '", why, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CreditReport> ReadResultJson(std::string_view text, const CreditPolicy& policy) {
  const Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Bad("(document)", "not a JSON object");
  CreditReport report;
  const std::string top;

  const Json* policy_json = JsonMember(json, "policy");
  if (policy_json == nullptr || !policy_json->is_object()) return Bad("policy", "expected an object");
  CREDITBOT_ASSIGN_OR_RETURN(report.policy_name, Text(*policy_json, "name", "policy."));
  CREDITBOT_ASSIGN_OR_RETURN(report.policy_version, Text(*policy_json, "version", "policy."));
  CREDITBOT_ASSIGN_OR_RETURN(report.policy_sha256, Text(*policy_json, "sha256", "policy."));
  if (report.policy_name != policy.name || report.policy_version != policy.version ||
      report.policy_sha256 != policy.sha256) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the calculation used policy ", report.policy_name, " version ", report.policy_version, " (sha256 ",
        report.policy_sha256.empty() ? "built in" : report.policy_sha256, "), not ", policy.name, " version ",
        policy.version, " (sha256 ", policy.sha256.empty() ? "built in" : policy.sha256, ")"));
  }

  CREDITBOT_ASSIGN_OR_RETURN(report.product, Text(json, "product", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.account_sid, OptionalText(json, "account_sid", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.parent_account_sid, Text(json, "parent_account_sid", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.claim_date, Day(json, "claim_date", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.fraud_start, OptionalDay(json, "fraud_start", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.fraud_end, OptionalDay(json, "fraud_end", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.fraud_total, Number(json, "fraud_total", top));
  CREDITBOT_ASSIGN_OR_RETURN(std::optional<std::string> mrr, OptionalText(json, "mrr", top));
  if (mrr) {
    absl::StatusOr<Decimal> value = Decimal::Parse(*mrr);
    if (!value.ok()) return Bad("mrr", "expected a decimal string or null");
    report.mrr = *value;
  }
  CREDITBOT_ASSIGN_OR_RETURN(report.credit_amount, Number(json, "credit_amount", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.currency, Text(json, "currency", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.needs_approval, Bool(json, "needs_approval", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.reason, OptionalText(json, "reason", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.warnings, Strings(json, "warnings", top));
  CREDITBOT_ASSIGN_OR_RETURN(report.fraud_guard_mode, ModeOf(json, "fraud_guard_mode", top));

  const Json* output_df = JsonMember(json, "output_df");
  DescribeProtection(policy, report);  // the policy's modes, in its order (checked above: the same policy)
  if (output_df == nullptr || !output_df->is_array() || output_df->size() != report.output_df.size()) {
    return Bad("output_df",
               absl::StrCat("expected a list of the policy's ", report.output_df.size(), " modes"));
  }
  for (std::size_t i = 0; i < report.output_df.size(); ++i) {
    const std::string path = absl::StrCat("output_df[", i, "].");
    const Json& item = (*output_df)[i];
    if (!item.is_object()) return Bad(path, "expected an object");
    ModeBreakdown& mode = report.output_df[i];
    const Mode declared = mode.mode;
    CREDITBOT_ASSIGN_OR_RETURN(mode.mode, ModeOf(item, "mode", path));
    if (mode.mode != declared) return Bad(path, "modes out of the policy's order");
    CREDITBOT_ASSIGN_OR_RETURN(mode.fraud_charges_in_mode, Number(item, "fraud_charges_in_mode", path));
    CREDITBOT_ASSIGN_OR_RETURN(mode.credit_in_mode, Number(item, "credit_in_mode", path));
    CREDITBOT_ASSIGN_OR_RETURN(mode.expected_blocked_if_mode, Number(item, "expected_blocked_if_mode", path));
    CREDITBOT_ASSIGN_OR_RETURN(mode.credit_if_mode, Number(item, "credit_if_mode", path));
  }
  CREDITBOT_RETURN_IF_ERROR(ReadSummary(json, report.summary));
  // The policy's parameters that the reply words (the same policy: checked above).
  report.summary.min_credit = policy.min_credit_usd;
  report.summary.auto_approve_limit = policy.auto_approve_limit_usd;
  report.summary.approval_mrr_multiple = policy.approval_mrr_multiple;
  report.summary.repeat_window_days = policy.repeat_window_days;

  const Json* lines = JsonMember(json, "lines");
  if (lines == nullptr || !lines->is_array()) return Bad("lines", "expected a list");
  report.lines.resize(lines->size());
  for (std::size_t i = 0; i < lines->size(); ++i) {
    CREDITBOT_RETURN_IF_ERROR(ReadLine((*lines)[i], i, report, policy, report.lines[i]));
  }
  return report;
}

}  // namespace creditbot
