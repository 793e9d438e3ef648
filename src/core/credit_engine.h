// The credit engine of CREDIT_POLICY.md: a pure function from a policy and the Evidence of one request
// to a CreditReport. No I/O, no clock: the claim date is in the Evidence.
//
// Errors (kFailedPrecondition, with a message a requester can act on):
//   - rows spanning several parent accounts, or an account the warehouse does not know (names them);
//   - a row with no Fraud Guard mode for its day, no provider cost, or no block rate for a mode, when the
//     policy sets no default (names the service / MCC);
//   - an account with several services when the report has no service column.
// kInvalidArgument: an empty report, negative attempts or charges.
#pragma once

#include "absl/status/statusor.h"
#include "core/credit_policy.h"
#include "core/credit_report.h"
#include "core/evidence.h"

namespace creditbot {

absl::StatusOr<CreditReport> ComputeCredit(const CreditPolicy& policy, const Evidence& evidence);

}  // namespace creditbot
