// A ledger entry as JSON; see ledger_json.h.
#include "state/ledger_json.h"

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "common/utc_time.h"

namespace creditbot {

nlohmann::ordered_json LedgerEntryJson(const LedgerEntry& e, std::string_view thread_link) {
  auto day = [](const std::optional<absl::CivilDay>& d) { return d ? absl::FormatCivilTime(*d) : ""; };
  return {{"execution_id", e.execution_id},
          {"request_key", e.request_key},
          {"requester", e.requester},
          {"parent_account_sid", e.parent_account_sid},
          {"product", e.product},
          {"fraud_start", day(e.fraud_start)},
          {"fraud_end", day(e.fraud_end)},
          {"cells", e.cells.size()},
          {"recommended_amount", e.recommended_amount},
          {"status", LedgerStatusName(e.status)},
          {"final_amount", e.final_amount},
          {"currency", e.currency},
          {"decided_by", e.decided_by},
          {"decided_at", Rfc3339UtcOrEmpty(e.decided_at)},
          {"reason", e.reason},
          {"policy", {{"name", e.policy_name}, {"version", e.policy_version}, {"sha256", e.policy_sha256}}},
          {"superseded_by", e.superseded_by},
          {"reply_updated", e.reply_updated},
          {"dry_run", e.dry_run},
          {"created_at", Rfc3339UtcOrEmpty(e.created_at)},
          {"thread", std::string(thread_link)}};
}

}  // namespace creditbot
