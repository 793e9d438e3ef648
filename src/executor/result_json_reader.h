// ReadResultJson: the inverse of RenderResultJson (core/report_json.h) — turns the result JSON a remote
// calculation wrote (the SageMaker container's `creditbot calc --output s3://…`, a notebook's result.json)
// back into the CreditReport that Executor::Execute returns, so the pipeline renders the reply and the audit
// record exactly as it does for a calculation run in process.
//
// Every number travels as an exact decimal string, so amounts, breakdowns and lines come back unchanged.
// The one thing the JSON holds only as text is each line's `why` sentence: the report keeps the facts it is
// worded from (WhyOf), so the few the JSON does not carry (a line's k, earned amount and Promise deadline)
// are rebuilt here from the line, the summary and `policy` (k per mode, the Promise claim window) — the
// same facts the engine records — and the sentence worded from them is compared with the one in the JSON: a
// difference (a container running another policy or version) is kFailedPrecondition.
//
// Errors: kInvalidArgument naming the member (or JSON path) that is missing or malformed; kFailedPrecondition
// when the result was computed with a policy other than `policy` (name, version or sha256) or a `why` does
// not match. Pure; thread-safe.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "core/credit_policy.h"
#include "core/credit_report.h"

namespace creditbot {

absl::StatusOr<CreditReport> ReadResultJson(std::string_view json, const CreditPolicy& policy);

}  // namespace creditbot
