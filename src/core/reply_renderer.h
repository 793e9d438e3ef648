// The words creditbot posts: the credit reply in the request's thread (Block Kit blocks plus a plain-text
// fallback), the one question asking for a Looker link, and the private alert to the owner. Pure
// functions; src/slack/post_message.h wraps them into chat.postMessage payloads.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/credit_report.h"
#include "core/decimal.h"

namespace creditbot {

struct RenderedMessage {
  std::string text;         // plain-text fallback (notifications, logs, dry-run output)
  std::string blocks_json;  // a JSON array of Block Kit blocks; empty for text-only messages
};

// "$1,130.00": dollars with thousands separators, rounded half-up to cents.
std::string FormatUsd(Decimal amount);

// What the credit reply says about the request besides the calculation.
struct CreditReplyContext {
  std::string looker_url;  // the report the credit was computed from (linked in the reply); empty: none
  // Further report links of the same message that were not computed: the reply names them and asks for
  // one request per report, so a message with several reports is never silently reduced to one.
  std::vector<std::string> other_report_urls;
};

// The `block_id` of the reply's decision block: the actions block with the Approve / Reject / Adjust
// buttons of a credit that needs approval (action ids from core/decision_commands.h, each button's `value`
// the execution id), the "Approved by policy" context line of one within the auto-approval limit, and after
// a decision the context line saying who decided what (RenderDecidedReply replaces the block by this id).
inline constexpr char kDecisionBlockId[] = "creditbot_decision";

// The credit reply, in words an analyst can check: the headline (amount and approval, or why nothing is
// credited, never a reason code), the Promise and goodwill parts, the cost cap when it binds, the repeat
// haircut, late Max claims, why approval is (not) needed, the breakdown by mode (credited per mode rounded
// by the largest remainder so that it adds up to the credit) with what "if all in mode" means, the
// warnings, the report link and the execution id; then the decision block (above): the buttons when the
// credit needs approval, "Approved by policy (within the $X auto-approval limit)" when it is within it, none
// for a zero credit. Within Slack's limits (text ≤ 40,000 characters, section text ≤ 3,000, at most 9
// blocks, the decision block included): long warnings are cut, saying how many more the audit record has.
// The same words whether or not this is a dry run: a dry run shows exactly what would be posted.
RenderedMessage RenderCreditReply(const CreditReport& report, std::string_view execution_id,
                                  const CreditReplyContext& context = {});

// A decision on a credit, as the reply and the requester's notice show it.
struct ShownDecision {
  enum class Kind { kApproved, kRejected, kAdjusted };
  Kind kind = Kind::kApproved;
  std::string by;      // the approver's Slack user id
  absl::Time at;       // when (shown as "14:02 UTC")
  Decimal amount;      // the credited amount (kApproved: the recommended one; kAdjusted: the new one)
  std::string reason;  // kRejected, kAdjusted: the reason; kApproved: an optional note
};

// One mrkdwn line: "Approved by <@U1> at 14:02 UTC", "Rejected by <@U1>: reason", "Adjusted to $1,200.00
// by <@U1>: reason" (the reason escaped, so it cannot mention anyone).
std::string DecisionLine(const ShownDecision& decision);

// The decided state of a credit reply: `blocks_json` (the reply's blocks as they stand) with the decision
// block (kDecisionBlockId) replaced by a context line DecisionLine(decision), or that line appended when
// the reply has no decision block; the text is the header's words and the decision line. Applying it
// again gives the same message. Unreadable blocks give the decision line alone.
RenderedMessage RenderDecidedReply(std::string_view blocks_json, const ShownDecision& decision);

// True when `blocks_json` (a reply's blocks as Slack stores them) already shows `decision`: its decision
// block (kDecisionBlockId) is the context line DecisionLine(decision). A decision shown before a crash or a
// lost answer is then not updated a second time. Unreadable blocks give false.
bool ShowsDecision(std::string_view blocks_json, const ShownDecision& decision);

// The thread notice to the requester (a user id, may be empty): "<@U2> your credit request was approved by
// <@U1>: $255.00 will be credited." / "… was rejected by <@U1>: reason" / "… was adjusted to $200.00 by
// <@U1>: reason".
RenderedMessage RenderDecisionNotice(std::string_view requester_user_id, const ShownDecision& decision);

// Asks the requester (a user id, may be empty) for the Looker link.
RenderedMessage RenderAskForLink(std::string_view requester_user_id);

// Tells the requester why `url` could not be used (`what`, one line a requester can act on, e.g. "which
// tile?") and asks for a usable link.
RenderedMessage RenderAskToFix(std::string_view requester_user_id, std::string_view url,
                               std::string_view what);

// A private alert for the owner about one request. `what` is one line (already redacted). `permalink` (a
// link to the request, may be empty) and `reference` (what the requester's failure reply quotes, may be
// empty) are added when given.
RenderedMessage RenderOwnerAlert(std::string_view channel, std::string_view ts, std::string_view headline,
                                 std::string_view what, std::string_view permalink = "",
                                 std::string_view reference = "");

// The requester's one reply when their request failed for good: no internals, only that it failed, who
// was told (`owner_user_id`, a mention; empty: nobody could be, so none is named) and `reference`, the
// stable reference the owner's alert shows too.
RenderedMessage RenderFailureReply(std::string_view owner_user_id, std::string_view reference);

}  // namespace creditbot
