// One ledger entry as a JSON object: `creditbot ledger list --json` prints one per line and the dashboard's
// API (/api/…) answers with them, so scripts read the same fields either way. Members: execution_id,
// request_key, requester, parent_account_sid, product, fraud_start, fraud_end (YYYY-MM-DD or ""), cells (how
// many), recommended_amount, status, final_amount, currency, decided_by, decided_at (RFC 3339 UTC or ""),
// reason, policy {name, version, sha256}, superseded_by, reply_updated, dry_run, created_at, thread (the
// request's Slack link, "" when unknown). Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "state/ledger.h"

namespace creditbot {

nlohmann::ordered_json LedgerEntryJson(const LedgerEntry& entry, std::string_view thread_link);

}  // namespace creditbot
