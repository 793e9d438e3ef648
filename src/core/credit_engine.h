// The credit engine of CREDIT_POLICY.md: a pure function from a policy and the Evidence of one request
// to a CreditReport. No I/O, no clock: the claim date is in the Evidence.
//
// Errors (kFailedPrecondition, with a message a requester can act on):
//   - rows spanning several parent accounts, or an account the warehouse does not know (names them);
//   - a row with no Fraud Guard mode for its day, no provider cost, or no block rate for a mode, when the
//     policy sets no default (names the service / MCC);
//   - an account with several services when the report has no service column;
//   - a block rate outside 0..1 or a negative provider cost in the reference data (names the MCC).
// kInvalidArgument: an empty report, negative attempts or charges, 10^14 or more attempts in a row.
//
// Where CREDIT_POLICY.md leaves a choice open, the engine decides (and tests) as follows:
//   - Majority of a day: measured over the parts of the UTC day some interval covers; a tie goes to the
//     setting in force later in the day. The same rule decides whether Geo Permission "allow" is in force.
//   - Repeat factor: a credit counts when created in [claim_date − repeat_window_days, claim_date), i.e.
//     strictly before the claim date, so a credit recorded for this very request never halves it.
//   - Rows with an override contribute nothing to output_df's credit_if_mode, neither charges nor their
//     A·c to the basic/standard cap; they still count in fraud_charges_in_mode under their mode in force.
//   - Provider cost is required for every row (the counterfactual cap needs it), block rates for every
//     row without an override.
//   - reason when the credit is 0: below_minimum if RAW > 0, else fraud_guard_off if every row with
//     attempts sent (A > 0) had Off in force, with or without a Geo Permission "allow" (there is at least
//     one such row), else no_shortfall (also a report without attempts, and late Max claims under
//     late_max_policy = zero; the warnings say why).
//   - When the credit is 0 every line's `credited` and every credit_in_mode is 0. Otherwise
//     credit_in_mode is exact and the modes add up to PROMISE + GOODWILL to the last digit (10^-12): when
//     the cap binds a mode's goodwill is (Σ goodwill of its rows) × GOODWILL ÷ (Σ goodwill), each mode
//     rounded down or up at 10^-12 by the largest remainder (exact whenever 12 digits hold it).
//   - Earlier credits count for the repeat rule when their product is the policy's name or one of its
//     repeat_products, compared case-insensitively.
//   - Modes are the policy's ([protection], CreditPolicy::modes): its first mode (off) earns nothing, its
//     promise mode (Fraud Guard's max; none for SMS Pumping Protection) earns the promise when claimed on
//     time, every other mode goodwill; output_df lists the policy's modes in its order. A switch of scope
//     "account" is looked up by the row's account (ModeInterval::account_sid), not its service; a mode in
//     force that the policy does not declare fails naming it.
//   - Duplicate cells: rows with the same (day, account, service, MCC, MNC, country) are summed into the
//     first of them before anything else; the result warns how many were merged (summary.duplicates_merged).
#pragma once

#include "absl/status/statusor.h"
#include "core/already_credited.h"
#include "core/credit_policy.h"
#include "core/credit_report.h"
#include "core/evidence.h"

namespace creditbot {

absl::StatusOr<CreditReport> ComputeCredit(const CreditPolicy& policy, const Evidence& evidence);

// ComputeCredit after the ledger (already_credited.h, ApplyEarlierCredits): the rows whose cells earlier
// requests of the parent hold are left out first, and the credits creditbot recorded for the parent count
// for the repeat-incident haircut; report.already_credited says what was left out. When every row was left
// out: credit 0 with reason already_credited, no lines (needs_approval false). With no earlier entry that
// counts, the same report as ComputeCredit. Errors: those of ComputeCredit (rows are validated before any
// is left out).
absl::StatusOr<CreditReport> ComputeCreditWithLedger(const CreditPolicy& policy, Evidence evidence,
                                                     const EarlierCredits& earlier);

// Sets what `report` says about the policy's protection switch: its name, what one switch covers, the
// promise mode, and output_df as one empty breakdown per declared mode, in the policy's order. The engine,
// and readers that rebuild a report from a result JSON, start from it.
void DescribeProtection(const CreditPolicy& policy, CreditReport& report);

// Whether evidence.prior_credits make a repeat incident for `policy` on evidence.claim_date (the rule the
// engine applies: an approved or issued credit of a repeat product in [claim − window, claim)).
bool HadRepeatIncident(const CreditPolicy& policy, const Evidence& evidence);

}  // namespace creditbot
