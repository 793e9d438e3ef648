// SlackHistorySource: the MessageSource of a scheduled pass (and of serve's catch-up) on Slack itself.
// Each Fetch returns, in this order:
//   1. every top-level message posted in each configured channel since that channel's watermark
//      (conversations.history, all pages, oldest first). The first pass of a channel reads back
//      `first_lookback`; the watermark (the newest ts read) is saved by Commit, after the pass handled
//      everything, so a crash re-reads rather than loses.
//   2. the requests still waiting that are due again (HistoryState::DueThreads; the rule is
//      bot/due_requests.h's: failures whose retry time has come, claims whose lease expired, recent
//      questions), re-read from their thread (conversations.replies) — with their current text (an edit
//      that added the link) and, for a request we asked a question about, the requester's replies in the
//      thread posted after our question, and for a credit awaiting a decision, everyone's replies posted
//      after our credit reply (decision commands; the pipeline handles each once). A request whose message
//      is gone (thread_not_found) comes back as a message_deleted item.
//
// Failures: an invalid token (kUnauthenticated) fails the Fetch, so the pass stops with that error. A
// channel the bot cannot read (not_in_channel, channel_not_found, missing_scope) becomes one unreadable
// item naming the channel and the fix; its digest is stable, so the owner is told once, not every pass.
// Other errors (Slack down after the client's retries) fail the Fetch; nothing is lost, the next pass
// starts from the same watermark.
//
// One instance per pass or per service; used by one thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "slack/history_state.h"
#include "slack/message_source.h"
#include "slack/slack_web_api.h"

namespace creditbot {

struct SlackHistoryOptions {
  std::vector<std::string> channel_ids;             // resolved ids (C…, G…)
  absl::Duration first_lookback = absl::Hours(24);  // CREDITBOT_SLACK_LOOKBACK_HOURS
  int page_limit = 200;                             // messages per history page
  int max_pending = 500;  // newest waiting requests of each kind looked at per Fetch (DueThreads' limit)
};

// A Slack ts ("1700000000.000100") for `time`, to microseconds.
std::string SlackTsFromTime(absl::Time time);
// Orders two Slack timestamps numerically ("9.5" < "10.1"); malformed ones sort first.
bool SlackTsLess(std::string_view a, std::string_view b);

class SlackHistorySource final : public MessageSource {
 public:
  // `api`, `state` and `clock` must outlive the source.
  SlackHistorySource(SlackWebApi& api, HistoryState& state, const Clock& clock, SlackHistoryOptions options);

  absl::StatusOr<std::vector<InboxItem>> Fetch() override;
  absl::Status Commit() override;

 private:
  absl::Status FetchChannel(const std::string& channel, std::vector<InboxItem>& items);
  absl::Status FetchPending(std::vector<InboxItem>& items);
  void AddMessage(const nlohmann::json& raw, const std::string& channel, std::string origin,
                  std::vector<InboxItem>& items);

  SlackWebApi& api_;
  HistoryState& state_;
  const Clock& clock_;
  SlackHistoryOptions options_;
  std::map<std::string, std::string> new_watermarks_;  // channel → newest ts read by the last Fetch
};

}  // namespace creditbot
