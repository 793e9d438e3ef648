// The words creditbot posts: the credit reply in the request's thread (Block Kit blocks plus a plain-text
// fallback), the one question asking for a Looker link, and the private alert to the owner. Pure
// functions; src/slack/post_message.h wraps them into chat.postMessage payloads.
#pragma once

#include <string>

#include "core/credit_report.h"
#include "core/decimal.h"

namespace creditbot {

struct RenderedMessage {
  std::string text;         // plain-text fallback (notifications, logs, dry-run output)
  std::string blocks_json;  // a JSON array of Block Kit blocks; empty for text-only messages
};

// "$1,130.00": dollars with thousands separators, rounded half-up to cents.
std::string FormatUsd(Decimal amount);

// The same words whether or not this is a dry run: a dry run shows exactly what would be posted.
RenderedMessage RenderCreditReply(const CreditReport& report, std::string_view execution_id);

// Asks the requester (a user id, may be empty) for the Looker link.
RenderedMessage RenderAskForLink(std::string_view requester_user_id);

// Tells the requester why `url` could not be used (`what`, one line a requester can act on, e.g. "which
// tile?") and asks for a usable link.
RenderedMessage RenderAskToFix(std::string_view requester_user_id, std::string_view url,
                               std::string_view what);

// A private alert for the owner about one request. `what` is one line (already redacted).
RenderedMessage RenderOwnerAlert(std::string_view channel, std::string_view ts, std::string_view headline,
                                 std::string_view what);

}  // namespace creditbot
