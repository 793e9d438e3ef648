// Triage of one Slack message into skip / ask for a link / request / deleted; see triage.h for the rules.
#include "bot/triage.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace creditbot {
namespace {

constexpr std::string_view kMessageChanged = "message_changed";
constexpr std::string_view kBotMessage = "bot_message";

bool Contains(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

TriageDecision Skip(TriageDecision decision, std::string reason) {
  decision.action = TriageDecision::kSkip;
  decision.reason = std::move(reason);
  return decision;
}

}  // namespace

std::string_view TriageActionName(TriageDecision::Action action) {
  switch (action) {
    case TriageDecision::kSkip:
      return "skip";
    case TriageDecision::kAskForLink:
      return "ask_for_link";
    case TriageDecision::kRequest:
      return "request";
    case TriageDecision::kDeleted:
      return "deleted";
    case TriageDecision::kThreadLink:
      return "thread_link";
    case TriageDecision::kThreadCommand:
      return "thread_command";
  }
  return "skip";
}

TriageDecision Triage(const SlackMessage& m, const TriageConfig& config) {
  TriageDecision decision;
  const bool is_changed = m.subtype == kMessageChanged;
  decision.is_edit = is_changed || m.edited;

  if (m.subtype == "message_deleted") {
    decision.action = TriageDecision::kDeleted;
    decision.reason = "message_deleted";
    return decision;
  }
  if ((!config.own_user_id.empty() && m.user == config.own_user_id) ||
      (!config.own_bot_id.empty() && m.bot_id == config.own_bot_id)) {
    return Skip(std::move(decision), "own_message");
  }
  // For message_changed, the new message's subtype is the one that says what kind of message it is.
  const std::string& kind = is_changed ? m.changed_subtype : m.subtype;
  const bool is_bot = !m.bot_id.empty() || kind == kBotMessage;
  const bool allowed_bot = !m.bot_id.empty() && Contains(config.allowed_bot_ids, m.bot_id);
  if (is_bot && !allowed_bot) return Skip(std::move(decision), "bot_message");
  if (is_changed && m.is_tombstone) return Skip(std::move(decision), "tombstone");
  if (!kind.empty() && kind != "file_share" && kind != kBotMessage) {
    return Skip(std::move(decision), absl::StrCat("subtype:", kind));
  }
  if (is_changed && m.previous_text.has_value() && *m.previous_text == m.text) {
    return Skip(std::move(decision), "unchanged_edit");
  }

  for (SlackLink& link : ExtractMessageLinks(m.text, m.blocks.get())) {
    LookerRef ref = ClassifyLink(link.url, config.looker);
    if (!ref.IsLooker()) {
      decision.ignored_links.push_back(std::move(link));
      continue;
    }
    const bool seen = std::any_of(decision.looker_links.begin(), decision.looker_links.end(),
                                  [&](const LookerRef& other) { return other.url == ref.url; });
    if (!seen) decision.looker_links.push_back(std::move(ref));
  }
  if (m.IsThreadReply()) {
    const bool from_requester = !m.parent_user_id.empty() && m.user == m.parent_user_id;
    if (from_requester && !decision.looker_links.empty()) {
      decision.action = TriageDecision::kThreadLink;
      decision.reason = "thread_reply_with_link";
      return decision;
    }
    decision.looker_links.clear();
    decision.ignored_links.clear();
    if (!is_changed) {
      absl::StatusOr<std::optional<DecisionCommand>> command = ParseDecisionCommand(m.text);
      if (!command.ok() || command->has_value()) {
        decision.action = TriageDecision::kThreadCommand;
        decision.reason = "decision_command";
        if (command.ok()) {
          decision.command = **command;
        } else {
          decision.command_error = std::string(command.status().message());
        }
        return decision;
      }
    }
    return Skip(std::move(decision), "thread_reply");
  }
  decision.action = decision.looker_links.empty() ? TriageDecision::kAskForLink : TriageDecision::kRequest;
  decision.reason = decision.looker_links.empty() ? "no_looker_link" : "looker_link";
  return decision;
}

}  // namespace creditbot
