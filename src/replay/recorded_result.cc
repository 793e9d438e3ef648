// Reading a result JSON back into the facts a replay compares (recorded_result.h), with nlohmann's parser
// (no exceptions: a malformed record is an error value naming the member).
#include "replay/recorded_result.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "state/request_record.h"

namespace creditbot {
namespace {

absl::Status Bad(std::string_view member, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("result JSON: ", ToAbsl(member), ": ", ToAbsl(what)));
}

absl::StatusOr<std::string> Text(const nlohmann::json& object, const char* name, bool nullable = false) {
  auto found = object.find(name);
  if (found == object.end()) return Bad(name, "missing");
  if (nullable && found->is_null()) return std::string();
  if (!found->is_string()) return Bad(name, "not a string");
  return found->get<std::string>();
}

absl::StatusOr<Decimal> Money(const nlohmann::json& object, const char* name) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, Text(object, name));
  absl::StatusOr<Decimal> value = Decimal::Parse(text);
  if (!value.ok()) return Bad(name, ToStd(value.status().message()));
  return value;
}

}  // namespace

std::string RecordedLine::Cell() const {
  return absl::StrCat(date, " ", account_sid, " ", service_sid, " ", mcc, " ", mnc);
}

std::string RecordedResult::RequestKey() const {
  if (meta.source_channel.empty()) return "";
  return creditbot::RequestKey(meta.source_channel, meta.source_ts);
}

absl::StatusOr<RecordedResult> ReadRecordedResult(std::string_view json) {
  const nlohmann::json document = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return Bad("(document)", "not a JSON object");
  RecordedResult result;
  CREDITBOT_ASSIGN_OR_RETURN(result.meta.execution_id, Text(document, "execution_id"));
  CREDITBOT_ASSIGN_OR_RETURN(std::string timestamp, Text(document, "timestamp"));
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, timestamp, &result.meta.timestamp, &error)) {
    return Bad("timestamp", "not an RFC 3339 time");
  }
  CREDITBOT_ASSIGN_OR_RETURN(result.product, Text(document, "product"));
  CREDITBOT_ASSIGN_OR_RETURN(std::string claim_date, Text(document, "claim_date"));
  if (!absl::ParseCivilTime(claim_date, &result.claim_date)) return Bad("claim_date", "not YYYY-MM-DD");
  CREDITBOT_ASSIGN_OR_RETURN(result.credit_amount, Money(document, "credit_amount"));
  auto approval = document.find("needs_approval");
  if (approval == document.end() || !approval->is_boolean())
    return Bad("needs_approval", "not true or false");
  result.needs_approval = approval->get<bool>();
  CREDITBOT_ASSIGN_OR_RETURN(result.reason, Text(document, "reason", /*nullable=*/true));
  auto dry_run = document.find("dry_run");
  if (dry_run == document.end() || !dry_run->is_boolean()) return Bad("dry_run", "not true or false");
  result.meta.dry_run = dry_run->get<bool>();

  auto policy = document.find("policy");
  if (policy == document.end() || !policy->is_object()) return Bad("policy", "not an object");
  CREDITBOT_ASSIGN_OR_RETURN(result.policy_name, Text(*policy, "name"));
  CREDITBOT_ASSIGN_OR_RETURN(result.policy_version, Text(*policy, "version"));
  CREDITBOT_ASSIGN_OR_RETURN(result.policy_sha256, Text(*policy, "sha256"));

  auto inputs = document.find("inputs");
  if (inputs == document.end() || !inputs->is_object()) return Bad("inputs", "not an object");
  CREDITBOT_ASSIGN_OR_RETURN(result.meta.sql_sha256, Text(*inputs, "sql_sha256"));
  auto source = inputs->find("source");
  if (source == inputs->end() || !source->is_object()) return Bad("inputs.source", "not an object");
  if (source->contains("channel")) {
    CREDITBOT_ASSIGN_OR_RETURN(result.meta.source_channel, Text(*source, "channel"));
    CREDITBOT_ASSIGN_OR_RETURN(result.meta.source_ts, Text(*source, "ts"));
    CREDITBOT_ASSIGN_OR_RETURN(result.meta.looker_url, Text(*source, "looker_url"));
  }
  {
    if (source->contains("sql_file")) {
      CREDITBOT_ASSIGN_OR_RETURN(result.meta.sql_file, Text(*source, "sql_file"));
    }
  }

  auto lines = document.find("lines");
  if (lines == document.end() || !lines->is_array()) return Bad("lines", "not an array");
  result.lines.reserve(lines->size());
  for (const nlohmann::json& line : *lines) {
    if (!line.is_object()) return Bad("lines", "an element is not an object");
    RecordedLine read;
    CREDITBOT_ASSIGN_OR_RETURN(read.date, Text(line, "date"));
    CREDITBOT_ASSIGN_OR_RETURN(read.account_sid, Text(line, "account_sid"));
    CREDITBOT_ASSIGN_OR_RETURN(read.service_sid, Text(line, "service_sid"));
    CREDITBOT_ASSIGN_OR_RETURN(read.mcc, Text(line, "mcc"));
    CREDITBOT_ASSIGN_OR_RETURN(read.mnc, Text(line, "mnc"));
    CREDITBOT_ASSIGN_OR_RETURN(read.treatment, Text(line, "treatment"));
    CREDITBOT_ASSIGN_OR_RETURN(read.credited, Money(line, "credited"));
    result.lines.push_back(std::move(read));
  }
  return result;
}

}  // namespace creditbot
