// The decision record's JSON; see decision_record.h.
#include "state/decision_record.h"

#include <nlohmann/json.hpp>
#include <optional>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/utc_time.h"

namespace creditbot {
namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson TimeOrNull(const std::optional<absl::Time>& time) {
  if (!time) return nullptr;
  return Rfc3339Utc(*time);
}

OrderedJson DayOrNull(const std::optional<absl::CivilDay>& day) {
  if (!day) return nullptr;
  return absl::FormatCivilTime(*day);
}

}  // namespace

std::string RenderDecisionRecord(const LedgerEntry& entry, std::string_view via) {
  OrderedJson record = OrderedJson::object();
  record["format"] = "creditbot-decision";
  record["version"] = 1;
  record["execution_id"] = entry.execution_id;
  record["request_key"] = entry.request_key;
  record["channel"] = entry.channel;
  record["ts"] = entry.ts;
  record["reply_ts"] = entry.reply_ts;
  record["requester"] = entry.requester;
  record["parent_account_sid"] = entry.parent_account_sid;
  record["product"] = entry.product;
  record["fraud_start"] = DayOrNull(entry.fraud_start);
  record["fraud_end"] = DayOrNull(entry.fraud_end);
  record["cells"] = entry.cells.size();
  record["status"] = std::string(LedgerStatusName(entry.status));
  record["recommended_amount"] = entry.recommended_amount;
  record["final_amount"] = entry.final_amount;
  record["currency"] = entry.currency;
  record["decided_by"] = entry.decided_by;
  record["decided_at"] = TimeOrNull(entry.decided_at);
  record["reason"] = entry.reason;
  record["via"] = std::string(via);
  record["policy"] = OrderedJson{
      {"name", entry.policy_name}, {"version", entry.policy_version}, {"sha256", entry.policy_sha256}};
  record["dry_run"] = entry.dry_run;
  record["created_at"] = TimeOrNull(entry.created_at);
  return record.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace creditbot
