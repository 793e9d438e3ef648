// The credit ledger as CSV for finance (`creditbot ledger export --format csv`, and the dashboard's CSV
// export of any filtered view: one format, kept here below both): what they need to issue the credits. RFC
// 4180: a header row, then one row per ledger entry, rows ending in CRLF; a field holding a comma, a double
// quote, CR or LF is quoted, its quotes doubled. A field a spreadsheet would run as a formula (starting with
// '=', '+', '-', '@', a tab or CR) gets a leading apostrophe, so a reason typed in Slack never runs in
// finance's spreadsheet; amounts never start with those.
//
// Columns (LedgerCsvHeader): execution_id, request_key, requester, parent_account_sid, product,
// fraud_start, fraud_end (YYYY-MM-DD), cells (how many), recommended_amount, status, final_amount,
// currency, decided_by, decided_at (RFC 3339 UTC), reason, policy_name, policy_version, policy_sha256,
// superseded_by, dry_run (true/false), thread (the request's Slack link; "" when it cannot be built).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "state/ledger.h"

namespace creditbot {

// One CSV field, quoted when RFC 4180 requires it and defused when it would be a formula (above).
std::string CsvField(std::string_view text);

// The header row, ending in CRLF.
std::string LedgerCsvHeader();

// The row of `entry`, ending in CRLF; `thread_link` fills the last column.
std::string LedgerCsvRow(const LedgerEntry& entry, std::string_view thread_link);

}  // namespace creditbot
