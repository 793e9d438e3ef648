// The ledger's entries of a parent account for the executor; see earlier_credits.h.
#include "bot/earlier_credits.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
namespace {

// An amount of the ledger ("" reads as 0: not decided, or not recorded).
absl::StatusOr<Decimal> LedgerAmount(const std::string& text, const LedgerEntry& entry,
                                     std::string_view what) {
  if (text.empty()) return Decimal();
  absl::StatusOr<Decimal> amount = Decimal::Parse(text);
  if (!amount.ok()) {
    return absl::InternalError(absl::StrCat("ledger entry ", entry.execution_id, " has ", ToAbsl(what), " '",
                                            text, "', not a decimal amount"));
  }
  return *amount;
}

}  // namespace

absl::StatusOr<EarlierEntry> EarlierEntryOf(const LedgerEntry& entry, std::string link) {
  EarlierEntry out;
  out.execution_id = entry.execution_id;
  out.request_key = entry.request_key;
  out.channel = entry.channel;
  out.ts = entry.ts;
  out.link = std::move(link);
  out.parent_account_sid = entry.parent_account_sid;
  out.product = entry.product;
  out.dry_run = entry.dry_run;
  out.holds_cells = HoldsCells(entry.status);
  CREDITBOT_ASSIGN_OR_RETURN(out.final_amount, LedgerAmount(entry.final_amount, entry, "a final amount"));
  if (IsCredited(entry.status) && !out.final_amount.IsZero()) {
    // Auto-approval is decided by policy when the calculation is recorded; a person's decision has its time.
    const absl::Time at = entry.status == LedgerStatus::kAutoApproved || !entry.decided_at
                              ? entry.created_at
                              : *entry.decided_at;
    out.credited_on = absl::ToCivilDay(at, absl::UTCTimeZone());
  }
  out.cells.reserve(entry.cells.size());
  for (const LedgerCell& cell : entry.cells) {
    CREDITBOT_ASSIGN_OR_RETURN(Decimal credited, LedgerAmount(cell.credited, entry, "a cell credited"));
    out.cells.push_back({{cell.day, cell.account_sid, cell.service_sid, cell.mcc, cell.mnc}, credited});
  }
  return out;
}

absl::StatusOr<EarlierCredits> LoadEarlierCredits(StateStore& state, Replier& replier,
                                                  std::string_view parent_account_sid,
                                                  std::string_view request_key, std::string_view product,
                                                  bool dry_run) {
  EarlierCredits out;
  out.request_key = std::string(request_key);
  out.product = std::string(product);
  out.dry_run = dry_run;
  if (parent_account_sid.empty()) return out;
  LedgerFilter filter;
  filter.parent_account_sid = std::string(parent_account_sid);
  absl::StatusOr<std::vector<LedgerEntry>> entries = state.ListLedger(filter);
  if (!entries.ok()) return entries.status();
  out.entries.reserve(entries->size());
  for (const LedgerEntry& entry : *entries) {
    std::string link = entry.channel.empty() ? std::string() : replier.Permalink(entry.channel, entry.ts);
    CREDITBOT_ASSIGN_OR_RETURN(EarlierEntry earlier, EarlierEntryOf(entry, std::move(link)));
    out.entries.push_back(std::move(earlier));
  }
  return out;
}

}  // namespace creditbot
