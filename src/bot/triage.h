// Triage: the first decision about an incoming Slack message — skip it, treat it as a credit request (it
// has Looker links), ask its author for a Looker link, or cancel work because it was deleted.
//
// Triage is a pure function of the message and the configuration: no I/O, no state, safe from any thread.
// Exactly-once handling (a message seen twice, an edit of a message already answered) is the caller's job,
// keyed by channel:ts; triage only says what this one event asks for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/looker_url.h"
#include "core/slack_links.h"
#include "slack/message.h"

namespace creditbot {

struct TriageConfig {
  LookerBase looker;        // only links to this origin count as Looker links
  std::string own_user_id;  // auth.test user_id; our own messages are always skipped. Default: "" (none)
  std::string own_bot_id;   // auth.test bot_id; likewise. Default: "" (none)
  // Bots whose messages are requests (e.g. a Workflow Builder form). Default: none, every bot is skipped.
  std::vector<std::string> allowed_bot_ids;
};

struct TriageDecision {
  enum Action {
    kSkip,        // nothing to do; `reason` says why
    kAskForLink,  // a request without any Looker link: reply once asking for one
    kRequest,     // a request: resolve `looker_links`
    kDeleted,     // message_deleted: cancel pending work for channel:deleted_ts
    // A thread reply by the author of the thread's parent that carries Looker links: the link we may have
    // asked them for. The caller treats it as the parent request (channel:thread_ts) when that request is
    // waiting for a link, and skips it otherwise.
    kThreadLink,
  };
  Action action = kSkip;
  // kSkip: "own_message", "bot_message", "subtype:<name>", "tombstone", "thread_reply", "unchanged_edit".
  // kDeleted: "message_deleted". kRequest: "looker_link". kAskForLink: "no_looker_link".
  // kThreadLink: "thread_reply_with_link".
  std::string reason;
  // kRequest: the links to our Looker host in order of appearance, each URL once. kLookerOther entries are
  // on our host but cannot be resolved; the caller tells the owner about them.
  std::vector<LookerRef> looker_links;
  std::vector<SlackLink> ignored_links;  // links to anything else, in order (kRequest and kAskForLink)
  bool is_edit = false;                  // a message_changed event, or a message carrying "edited"
};

// "skip", "ask_for_link", "request", "deleted", "thread_link".
std::string_view TriageActionName(TriageDecision::Action action);

// Decides what `m` asks for. Rules, in the order they are applied:
//  1. subtype message_deleted → kDeleted.
//  2. user == own_user_id or bot_id == own_bot_id (non-empty) → skip "own_message", even if allow-listed.
//  3. a bot message (bot_id set, or subtype / changed subtype bot_message) whose bot_id is not in
//     allowed_bot_ids → skip "bot_message".
//  4. message_changed whose new message is a tombstone → skip "tombstone".
//  5. the subtype (for message_changed: the new message's subtype) must be none, file_share, or bot_message
//     from an allowed bot; otherwise skip "subtype:<name>".
//  6. message_changed with a known previous text equal to the new text (an unfurl, not an edit) → skip
//     "unchanged_edit". When the previous text is unknown the edit is handled.
//  7. links from ExtractMessageLinks, classified with ClassifyLink.
//  8. thread replies (thread_ts set and != ts): kThreadLink when written by the parent's author
//     (parent_user_id == user) and carrying a Looker link; otherwise skip "thread_reply".
//  9. any Looker link (kind != kOther) → kRequest, else kAskForLink.
TriageDecision Triage(const SlackMessage& m, const TriageConfig& config);

}  // namespace creditbot
