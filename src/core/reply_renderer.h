// The words creditbot posts: the credit reply in the request's thread (Block Kit blocks plus a plain-text
// fallback), the one question asking for a Looker link, and the private alert to the owner. Pure
// functions; src/slack/post_message.h wraps them into chat.postMessage payloads.
#pragma once

#include <string>
#include <vector>

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

// The credit reply, in words an analyst can check: the headline (amount and approval, or why nothing is
// credited, never a reason code), the Promise and goodwill parts, the cost cap when it binds, the repeat
// haircut, late Max claims, why approval is (not) needed, the breakdown by mode (credited per mode rounded
// by the largest remainder so that it adds up to the credit) with what "if all in mode" means, the
// warnings, the report link and the execution id. Within Slack's limits (text ≤ 40,000 characters, section
// text ≤ 3,000, at most 9 blocks): long warnings are cut, saying how many more the audit record has.
// The same words whether or not this is a dry run: a dry run shows exactly what would be posted.
RenderedMessage RenderCreditReply(const CreditReport& report, std::string_view execution_id,
                                  const CreditReplyContext& context = {});

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
