// No fraud credited twice (CREDIT_POLICY.md, settled rule "Cells already credited"): what the ledger knows
// about a request's parent account (EarlierCredits, filled by the pipeline from the state store's ledger),
// and the pure step that applies it to the Evidence before the engine runs (ApplyEarlierCredits):
//   - the report's rows whose cell (day, account, service, MCC, MNC) an earlier request of the same parent
//     already holds (its ledger entry is neither rejected nor superseded) are left out of the calculation;
//   - the parent's credits creditbot itself recorded (approved, adjusted, auto-approved with a non-zero
//     final amount) join the warehouse's credits_issued for the repeat-incident haircut.
// The result (AlreadyCredited) says what was left out, per earlier request; CreditReport carries it into
// the result JSON and the reply.
//
// Core knows nothing of the state store: the ledger's statuses arrive as the two facts that matter here
// (holds_cells, credited_on). Value types; thread-compatible. No I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/decimal.h"

namespace creditbot {

struct Evidence;

// One (day, account, service, MCC, MNC) cell. An empty service (a report without a service column) or an
// empty MNC (a report without an MNC column) stands for every service of the account, or every network of
// the MCC, so a cell overlaps another when day, account and MCC are equal and service and MNC are equal or
// either is empty: a Look that changed its granularity never credits the same fraud twice.
struct CellKey {
  absl::CivilDay day;
  std::string account_sid;
  std::string service_sid;
  std::string mcc;
  std::string mnc;

  bool Overlaps(const CellKey& other) const;
  bool operator==(const CellKey& other) const = default;
};

// A cell an earlier request covered, and what that request credited for it (its recommendation's line).
struct CreditedCell {
  CellKey cell;
  Decimal credited;
};

// One earlier ledger entry of the parent account.
struct EarlierEntry {
  std::string execution_id;
  std::string request_key;  // "channel:ts" of its request
  std::string channel, ts;
  std::string link;  // the earlier request's thread (a Slack permalink); "" when unknown
  std::string parent_account_sid;
  std::string product;
  bool dry_run = false;  // recorded by a dry run: counts only for a dry run (see EarlierCredits::dry_run)
  // The entry's cells count as already credited: every status but rejected and superseded (an entry
  // awaiting a decision holds its cells until it is decided).
  bool holds_cells = false;
  // Set when the entry was credited (approved, adjusted, or auto-approved) with a non-zero final amount: the
  // UTC day of the decision (of the calculation for auto-approval). Such an entry counts for the repeat
  // incident haircut like an approved row of credits_issued.
  std::optional<absl::CivilDay> credited_on;
  Decimal final_amount;  // what was credited (when credited_on is set)
  std::vector<CreditedCell> cells;
};

// What the ledger knows about one parent account, for one request.
struct EarlierCredits {
  // This request's key ("channel:ts"): its own earlier executions (a recalculation) never leave its cells
  // out and never count for its haircut.
  std::string request_key;
  // This request's product (its policy's name): only entries of the same product (compared ignoring case)
  // hold cells for it, since another product's fraud is other traffic. "" = any.
  std::string product;
  // This request is a dry run. A dry run's entries were never posted nor decided: they count for later dry
  // runs (a dry run shows what a live run would do) and never for a live request.
  bool dry_run = false;
  std::vector<EarlierEntry> entries;  // the parent's entries, any status, any order
};

// The report's cells one earlier request already held.
struct LeftOutEntry {
  std::string execution_id;
  std::string request_key, channel, ts, link;
  std::vector<CellKey> cells;  // this report's distinct cells it held, in report order
  Decimal fraud_charges;       // this report's fraud charges of those cells (every row of them)
  Decimal credited;            // Σ the earlier request's `credited` over its cells they overlap, each once
};

// What ApplyEarlierCredits left out. Empty when nothing was.
struct AlreadyCredited {
  std::vector<LeftOutEntry> entries;  // in the order of EarlierCredits::entries
  int rows = 0;                       // report rows left out, each once
  Decimal fraud_charges;              // their fraud charges, each row once
  Decimal credited;                   // Σ of the entries' credited (an earlier cell held twice counts twice)

  bool empty() const { return entries.empty(); }
};

// The one parent account of the report's rows (from evidence.accounts), or nullopt when a row's account is
// unknown or the rows span several parents (the engine then refuses the report, naming them).
std::optional<std::string> ReportParent(const Evidence& evidence);

// Applies `earlier` to `evidence` (see the top comment): only entries of the report's parent (ReportParent)
// and of other requests than earlier.request_key count (a dry run's only for a dry run); for cells, only
// those of earlier.product. Rows overlapping a held cell are removed from
// evidence.report.rows (the others keep their order); credited entries are appended to
// evidence.prior_credits (status "approved", dated credited_on). A row overlapping cells of several earlier
// requests is listed under each of them, and counted once in the totals. Never fails.
AlreadyCredited ApplyEarlierCredits(const EarlierCredits& earlier, Evidence& evidence);

}  // namespace creditbot
