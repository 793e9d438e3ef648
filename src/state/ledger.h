// The credit ledger (ARCHITECTURE.md "Decisions and the ledger"): one entry per credit calculation that was
// replied to, and the decision taken on it. A reply is a recommendation; the entry records what was decided
// about it, by whom, when and why, and which fraud cells it covers, so no fraud is credited twice.
//
// The state store keeps the entries (StateStore::RecordLedgerEntry, Decide, …): SQLite by default, the S3
// state object in production. Amounts are exact decimal strings ("1234.50", two places): this layer does
// no arithmetic; core's Decimal does.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace creditbot {

enum class LedgerStatus {
  kAwaiting,      // needs an approver's decision
  kAutoApproved,  // within the policy's auto-approval limit: approved by policy
  kApproved,      // an approver approved the recommended amount
  kRejected,      // an approver rejected it (with a reason)
  kAdjusted,      // an approver approved another amount (with a reason)
  kSuperseded,    // a recalculation replaced it (superseded_by names the new execution)
};

std::string_view LedgerStatusName(LedgerStatus status);  // "awaiting", "auto_approved", …
std::optional<LedgerStatus> ParseLedgerStatus(std::string_view name);
// Every status name, comma-separated, in the enum's order.
std::string LedgerStatusNameList();

// True for approved, auto_approved and adjusted: the entry's final amount is (to be) credited.
bool IsCredited(LedgerStatus status);
// True for approved, rejected and adjusted: an approver's decision (its reply is updated to show it).
bool IsDecided(LedgerStatus status);
// True when the entry's cells count as already credited for a later request: every status but rejected
// and superseded (an entry awaiting a decision holds its cells until it is decided).
bool HoldsCells(LedgerStatus status);

// One (day, account, service, MCC, MNC) cell of the report an entry covers.
struct LedgerCell {
  absl::CivilDay day;
  std::string account_sid;
  std::string service_sid;  // empty when the report has no service column
  std::string mcc;
  std::string mnc;  // empty when absent
  // What this entry credited for the cell (decimal string), so a later request can say how much of its
  // overlap was already credited.
  std::string credited;

  bool SameCell(const LedgerCell& other) const {
    return day == other.day && account_sid == other.account_sid && service_sid == other.service_sid &&
           mcc == other.mcc && mnc == other.mnc;
  }
};

struct LedgerEntry {
  std::string execution_id;  // the key: one entry per calculation
  std::string request_key;   // "channel:ts" of the request message
  std::string channel;
  std::string ts;
  std::string reply_ts;   // our credit reply in the thread (updated in place after a decision)
  std::string requester;  // Slack user id of who asked; "" when unknown
  std::string parent_account_sid;
  std::string product;
  std::optional<absl::CivilDay> fraud_start, fraud_end;
  std::vector<LedgerCell> cells;
  std::string recommended_amount;  // the engine's credit
  std::string currency = "USD";
  std::string policy_name, policy_version, policy_sha256;
  bool dry_run = false;  // recorded by a dry run (nothing was posted to Slack)
  absl::Time created_at;
  // What the calculation credited per country of its lines ("" → "unknown") and per Fraud Guard mode (its
  // mode table: "off", "basic", "standard", "max", each present), decimal strings with two places. Kept for
  // the dashboard's charts (state/ledger_charts.h), so they never read audit records. Both empty for an entry
  // recorded before they were kept.
  std::map<std::string, std::string> credited_by_country;
  std::map<std::string, std::string> credited_by_mode;

  LedgerStatus status = LedgerStatus::kAwaiting;
  std::string final_amount;  // "" while awaiting; recommended for approved/auto_approved; 0.00 for rejected
  std::string decided_by;    // a Slack user id, or "policy" for auto-approval
  std::optional<absl::Time> decided_at;
  std::string reason;         // required for rejected and adjusted
  std::string superseded_by;  // the execution id of the recalculation that replaced it
  std::optional<absl::Time> superseded_at;
  // The reply in Slack shows the decision (chat.update done, requester told). False between the decision's
  // write and the update; whoever finds it false finishes the update (a crash never loses or repeats it).
  bool reply_updated = false;
};

// What an approver decided.
enum class DecisionKind { kApprove, kReject, kAdjust };

struct Decision {
  DecisionKind kind = DecisionKind::kApprove;
  std::string by;  // Slack user id of the approver
  absl::Time at;
  std::string amount;  // kAdjust only: the new amount, a decimal string with two places
  std::string reason;  // required for kReject and kAdjust
};

// Which entries ListLedger returns, newest first (created_at, then execution id, descending).
struct LedgerFilter {
  std::optional<absl::Time> since;  // created_at >= since
  std::optional<absl::Time> until;  // created_at < until
  std::optional<LedgerStatus> status;
  std::string parent_account_sid;  // "" = any
  std::string product;             // "" = any
  std::string request_key;         // "" = any
  // Only decided entries (approved, rejected, adjusted) whose reply does not show the decision yet
  // (reply_updated false): what DecisionDesk::FinishPendingUpdates completes each pass.
  bool reply_pending = false;
  int limit = 0;  // 0 = no limit
  int offset = 0;
};

// What Decide did.
struct DecideResult {
  bool applied = false;  // this call recorded the decision
  LedgerEntry entry;     // the entry after the call (when not applied: as it stands, e.g. who decided it)
};

// The ledger rules every StateStore applies inside its own atomic step (a SQLite transaction, an S3
// conditional write), as state/claim.h does for claims. All are pure.

// kInvalidArgument naming what is wrong: no approver (`by`), a reject or adjust without a reason, an adjust
// without an amount or with one that is not a decimal with two places ("1234.50").
absl::Status ValidateDecision(const Decision& decision);

// When `entry` is awaiting, records `decision` on it (status approved / rejected / adjusted; final amount
// the recommended one, "0.00" or decision.amount; decided_by/at; reason; reply_updated false) and returns
// true. Otherwise leaves it as it is and returns false. `decision` must have passed ValidateDecision.
bool ApplyDecision(LedgerEntry& entry, const Decision& decision);

// Unless `entry` is already superseded, marks it superseded by `new_execution_id` at `at` and returns true.
bool ApplySupersede(LedgerEntry& entry, std::string_view new_execution_id, absl::Time at);

// Whether `entry` passes `filter`'s conditions (its limit and offset are not conditions).
bool MatchesLedgerFilter(const LedgerEntry& entry, const LedgerFilter& filter);

// ListLedger's order: true when `a` comes before `b` (newer created_at first, then the larger execution id).
bool LedgerNewerFirst(const LedgerEntry& a, const LedgerEntry& b);

}  // namespace creditbot
