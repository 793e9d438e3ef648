// Triage: the first decision about an incoming Slack message — skip it, treat it as a credit request (it
// has Looker links), ask its author for a Looker link, or cancel work because it was deleted.
//
// Triage is a pure function of the message and the configuration: no I/O, no state, safe from any thread.
// Exactly-once handling (a message seen twice, an edit of a message already answered) is the caller's job,
// keyed by channel:ts; triage only says what this one event asks for.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decision_commands.h"
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
    // A thread reply whose text is a decision command (core/decision_commands.h: `approve`, `reject
    // <reason>`, `adjust <amount> <reason>`, `recalculate`), or one that is malformed (`command_error`).
    // The caller acts on it only when the thread's parent request was answered with a credit, and skips
    // it otherwise; who may decide is the DecisionDesk's rule, not triage's.
    kThreadCommand,
  };
  Action action = kSkip;
  // kSkip: "own_message", "bot_message", "subtype:<name>", "tombstone", "thread_reply", "unchanged_edit".
  // kDeleted: "message_deleted". kRequest: "looker_link". kAskForLink: "no_looker_link".
  // kThreadLink: "thread_reply_with_link". kThreadCommand: "decision_command".
  std::string reason;
  // kRequest: the links to our Looker host in order of appearance, each URL once. kLookerOther entries are
  // on our host but cannot be resolved; the caller tells the owner about them.
  std::vector<LookerRef> looker_links;
  std::vector<SlackLink> ignored_links;  // links to anything else, in order (kRequest and kAskForLink)
  bool is_edit = false;                  // a message_changed event, or a message carrying "edited"
  // kThreadCommand: the command, or (unset) why it is malformed, in words for the person who wrote it.
  std::optional<DecisionCommand> command;
  std::string command_error;
};

// "skip", "ask_for_link", "request", "deleted", "thread_link", "thread_command".
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
//     (parent_user_id == user) and carrying a Looker link; else kThreadCommand when the text is a decision
//     command, well formed or not (ParseDecisionCommand; a message_changed edit of a thread reply is skipped
//     "thread_reply": a command is read once, keyed by its own channel:ts); otherwise skip "thread_reply".
//  9. any Looker link (kind != kOther) → kRequest, else kAskForLink.
TriageDecision Triage(const SlackMessage& m, const TriageConfig& config);

}  // namespace creditbot
