// The ledger's entries of a parent account as core's EarlierCredits (core/already_credited.h): what the
// pipeline hands the executor (CalcRequest::earlier_credits) so that no fraud is credited twice and the
// repeat-incident haircut counts the credits creditbot itself recorded. The state's statuses become the two
// facts core needs: holds_cells (state/ledger.h HoldsCells) and credited_on (IsCredited with a non-zero final
// amount: the UTC day of the decision, of the calculation for auto-approval).
//
// Functions; thread-compatible (the state store and replier are used by the calling thread).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/already_credited.h"
#include "slack/replier.h"
#include "state/ledger.h"
#include "state/state_store.h"

namespace creditbot {

// `entry` as core sees it; `link` is its request's thread. kInternal naming the entry when its final
// amount or a cell's credited amount is not a decimal (a damaged ledger must not credit twice).
absl::StatusOr<EarlierEntry> EarlierEntryOf(const LedgerEntry& entry, std::string link);

// Every ledger entry of `parent_account_sid` (state.ListLedger), each with its request's permalink
// (replier.Permalink), for the request `request_key` of `product`, a dry run or not. Errors are the store's
// (kUnavailable: retried later) and EarlierEntryOf's.
absl::StatusOr<EarlierCredits> LoadEarlierCredits(StateStore& state, Replier& replier,
                                                  std::string_view parent_account_sid,
                                                  std::string_view request_key, std::string_view product,
                                                  bool dry_run);

}  // namespace creditbot
