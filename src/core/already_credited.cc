// Leaving out the cells earlier requests already hold, and counting creditbot's own credits for the
// repeat-incident haircut; see already_credited.h.
#include "core/already_credited.h"

#include <cstddef>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/evidence.h"

namespace creditbot {
namespace {

bool SameOrEither(const std::string& a, const std::string& b) { return a == b || a.empty() || b.empty(); }

// What must be equal for two cells to overlap: the day, the account and the MCC.
std::string ExactPart(absl::CivilDay day, const std::string& account, const std::string& mcc) {
  return absl::StrCat(absl::FormatCivilTime(day), "|", account, "|", mcc);
}

std::string CellId(const CellKey& cell) {
  return absl::StrCat(ExactPart(cell.day, cell.account_sid, cell.mcc), "|", cell.service_sid, "|", cell.mnc);
}

CellKey KeyOf(const FraudRow& row) { return {row.day, row.account_sid, row.service_sid, row.mcc, row.mnc}; }

struct HeldCell {
  size_t entry;  // index into EarlierCredits::entries
  size_t cell;   // index into its cells
};

// What one earlier entry's overlap adds up to while the rows are read.
struct Overlap {
  std::vector<CellKey> cells;
  absl::flat_hash_set<std::string> cell_ids;  // of `cells`, to keep them distinct
  absl::flat_hash_set<size_t> earlier_cells;  // its cells overlapped, each counted once
  Decimal fraud_charges;
};

}  // namespace

bool CellKey::Overlaps(const CellKey& other) const {
  return day == other.day && account_sid == other.account_sid && mcc == other.mcc &&
         SameOrEither(service_sid, other.service_sid) && SameOrEither(mnc, other.mnc);
}

std::optional<std::string> ReportParent(const Evidence& evidence) {
  absl::flat_hash_map<std::string_view, std::string_view> parent_of;  // the last entry of an account wins
  for (const AccountInfo& info : evidence.accounts) {
    parent_of.insert_or_assign(info.account_sid, info.parent_account_sid.empty()
                                                     ? std::string_view(info.account_sid)
                                                     : std::string_view(info.parent_account_sid));
  }
  std::optional<std::string_view> parent;
  for (const FraudRow& row : evidence.report.rows) {
    auto found = parent_of.find(row.account_sid);
    if (found == parent_of.end()) return std::nullopt;
    if (parent && *parent != found->second) return std::nullopt;
    parent = found->second;
  }
  if (!parent) return std::nullopt;
  return std::string(*parent);
}

AlreadyCredited ApplyEarlierCredits(const EarlierCredits& earlier, Evidence& evidence) {
  AlreadyCredited out;
  const std::optional<std::string> parent = ReportParent(evidence);
  if (!parent) return out;

  // The entries that count: the same parent, another request.
  std::vector<size_t> counted;
  for (size_t i = 0; i < earlier.entries.size(); ++i) {
    const EarlierEntry& entry = earlier.entries[i];
    if (entry.parent_account_sid != *parent || entry.request_key == earlier.request_key) continue;
    if (entry.dry_run && !earlier.dry_run) continue;
    counted.push_back(i);
    if (entry.credited_on && !entry.final_amount.IsZero()) {
      evidence.prior_credits.push_back({*entry.credited_on, "approved", entry.final_amount, entry.product});
    }
  }

  absl::flat_hash_map<std::string, std::vector<HeldCell>> held;  // by day, account and MCC
  for (size_t i : counted) {
    const EarlierEntry& entry = earlier.entries[i];
    if (!entry.holds_cells) continue;
    if (!earlier.product.empty() && !absl::EqualsIgnoreCase(entry.product, earlier.product)) continue;
    for (size_t c = 0; c < entry.cells.size(); ++c) {
      const CellKey& cell = entry.cells[c].cell;
      held[ExactPart(cell.day, cell.account_sid, cell.mcc)].push_back({i, c});
    }
  }
  if (held.empty()) return out;

  absl::flat_hash_map<size_t, Overlap> overlaps;  // by entry index
  std::vector<FraudRow>& rows = evidence.report.rows;
  std::vector<FraudRow> kept;
  kept.reserve(rows.size());
  for (FraudRow& row : rows) {
    auto candidates = held.find(ExactPart(row.day, row.account_sid, row.mcc));
    bool left_out = false;
    if (candidates != held.end()) {
      const CellKey key = KeyOf(row);
      absl::flat_hash_set<size_t> entries_of_row;
      for (const HeldCell& candidate : candidates->second) {
        const CreditedCell& cell = earlier.entries[candidate.entry].cells[candidate.cell];
        if (!cell.cell.Overlaps(key)) continue;
        left_out = true;
        Overlap& overlap = overlaps[candidate.entry];
        overlap.earlier_cells.insert(candidate.cell);
        if (!entries_of_row.insert(candidate.entry).second) continue;  // this row already counted for it
        overlap.fraud_charges += row.fraud_charges;
        if (overlap.cell_ids.insert(CellId(key)).second) overlap.cells.push_back(key);
      }
    }
    if (left_out) {
      ++out.rows;
      out.fraud_charges += row.fraud_charges;
    } else {
      kept.push_back(std::move(row));
    }
  }
  rows = std::move(kept);

  for (size_t i : counted) {
    auto found = overlaps.find(i);
    if (found == overlaps.end()) continue;
    const EarlierEntry& entry = earlier.entries[i];
    LeftOutEntry left;
    left.execution_id = entry.execution_id;
    left.request_key = entry.request_key;
    left.channel = entry.channel;
    left.ts = entry.ts;
    left.link = entry.link;
    left.cells = std::move(found->second.cells);
    left.fraud_charges = found->second.fraud_charges;
    for (size_t c : found->second.earlier_cells) left.credited += entry.cells[c].credited;
    out.credited += left.credited;
    out.entries.push_back(std::move(left));
  }
  return out;
}

}  // namespace creditbot
