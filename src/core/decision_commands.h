// The words and ids of a decision on a credit reply, shared by every way one arrives: the Block Kit
// buttons on the reply and the modals they open (Slack interactivity), a reply in the thread (read by the
// scheduled pass and by `serve`), `creditbot decide` and the dashboard. Pure: parsing only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {

// The `action_id`s of the reply's buttons; each button's `value` is the execution id it decides.
inline constexpr char kApproveActionId[] = "creditbot_approve";
inline constexpr char kRejectActionId[] = "creditbot_reject";
inline constexpr char kAdjustActionId[] = "creditbot_adjust";
inline constexpr char kRecalculateActionId[] = "creditbot_recalculate";
// The `callback_id`s of the modals Reject and Adjust open; their `private_metadata` is the execution id.
inline constexpr char kRejectModalCallbackId[] = "creditbot_reject_modal";
inline constexpr char kAdjustModalCallbackId[] = "creditbot_adjust_modal";

enum class DecisionVerb { kApprove, kReject, kAdjust, kRecalculate };

std::string_view DecisionVerbName(DecisionVerb verb);  // "approve", "reject", "adjust", "recalculate"

// A decision asked for in words (a thread reply, `creditbot decide`, the dashboard's form).
struct DecisionCommand {
  DecisionVerb verb = DecisionVerb::kApprove;
  std::string amount;  // kAdjust: the new amount, normalised to two places ("1200" → "1200.00")
  std::string reason;  // kReject, kAdjust: required, trimmed
};

// Parses a thread reply: `approve`, `reject <reason>`, `adjust <amount> <reason>`, `recalculate`
// (case-insensitive verb, optional leading bot mention `<@U…>`, an amount with an optional `$` and
// thousands separators). nullopt when the text is not a decision command at all (ordinary conversation);
// kInvalidArgument, in words for the approver, when it is one but malformed (a reject without a reason, an
// adjust with a negative or unreadable amount or more than two decimals).
//
// A command is recognised by its first word alone (after the mention): `approve` and `recalculate` take an
// optional note after them (kept in `reason`); "Approve?" or "approved" are not commands.
absl::StatusOr<std::optional<DecisionCommand>> ParseDecisionCommand(std::string_view text);

// An amount typed by a person ("$1,200", "1200", "1200.5") normalised to two places ("1200.50"): for the
// adjust command and the Adjust modal's amount field. kInvalidArgument, in words, for a negative or zero
// amount, more than two decimals, misplaced thousands separators or anything that is not a number.
absl::StatusOr<std::string> ParseDecisionAmount(std::string_view text);

}  // namespace creditbot
