// RecordedResult: the facts of one result JSON (core/report_json.h) that a replay compares: the
// execution's own facts (id, time, source message, Looker link, SQL hash, dry run) to render a new result
// with the same meta, and the outcome (credit, approval, policy, each line's cell, treatment and credit).
// Read from an audit record's result.json, and from the result a replay renders, so old and new are compared
// the same way. Money is kept as the exact decimal of the JSON.
//
// Errors: kInvalidArgument naming the member that is missing or malformed (the bytes come from an audit
// folder or bucket). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "core/decimal.h"
#include "core/report_json.h"

namespace creditbot {

struct RecordedLine {
  std::string date, account_sid, service_sid, mcc, mnc;
  std::string treatment;  // "promise", "goodwill", … (the result JSON's names)
  Decimal credited;

  // "date account service mcc mnc": the line's cell, to pair the lines of two results.
  std::string Cell() const;
};

struct RecordedResult {
  ExecutionMeta meta;  // execution id, timestamp, source channel and ts, Looker URL, SQL hash, dry run
  std::string product;
  std::string policy_name, policy_version, policy_sha256;
  absl::CivilDay claim_date;
  Decimal credit_amount;
  bool needs_approval = false;
  std::string reason;  // "" when null
  std::vector<RecordedLine> lines;

  // "channel:ts" of the request ("" for `creditbot calc`'s results, which have no source).
  std::string RequestKey() const;
};

absl::StatusOr<RecordedResult> ReadRecordedResult(std::string_view json);

}  // namespace creditbot
