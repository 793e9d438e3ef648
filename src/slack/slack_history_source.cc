// Reading Slack's channel history and the threads of waiting requests for a pass.
#include "slack/slack_history_source.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json_fields.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
namespace {

// (seconds, microseconds) of a Slack ts; {-1, -1} when malformed.
std::pair<int64_t, int64_t> SplitTs(std::string_view ts) {
  const std::size_t dot = ts.find('.');
  int64_t seconds = -1;
  int64_t fraction = 0;
  if (!absl::SimpleAtoi(ToAbsl(ts.substr(0, dot)), &seconds)) return {-1, -1};
  if (dot != std::string_view::npos && !absl::SimpleAtoi(ToAbsl(ts.substr(dot + 1)), &fraction))
    return {-1, -1};
  return {seconds, fraction};
}

// A history message whose thread had no replies when read: Slack puts "reply_count" (and "latest_reply")
// on thread parents only. A thread reply broadcast to the channel is not a parent, so it never qualifies.
bool HasNoReplies(const nlohmann::json& message) {
  const std::string ts = JsonStringMember(message, "ts");
  const std::string thread_ts = JsonStringMember(message, "thread_ts");
  if (!thread_ts.empty() && thread_ts != ts) return false;
  auto count = message.find("reply_count");
  if (count != message.end() && !(count->is_number_integer() && count->get<int64_t>() == 0)) return false;
  return message.find("latest_reply") == message.end();
}

// A message_deleted item for a waiting request whose message is gone.
InboxItem DeletedItem(const WaitingThread& thread) {
  InboxItem item;
  SlackMessage message;
  message.channel = thread.channel;
  message.ts = thread.ts;
  message.deleted_ts = thread.ts;
  message.subtype = "message_deleted";
  item.message = std::move(message);
  item.origin = absl::StrCat("slack:", thread.key, " (gone)");
  item.digest = Sha256Hex(absl::StrCat("deleted:", thread.key));
  return item;
}

bool IsChannelProblem(const absl::Status& status) {
  return absl::IsPermissionDenied(status) || absl::IsNotFound(status);
}

}  // namespace

std::string SlackTsFromTime(absl::Time time) {
  const int64_t micros = absl::ToUnixMicros(time);
  return absl::StrFormat("%d.%06d", micros / 1000000, micros % 1000000);
}

bool SlackTsLess(std::string_view a, std::string_view b) { return SplitTs(a) < SplitTs(b); }

SlackHistorySource::SlackHistorySource(SlackWebApi& api, HistoryState& state, const Clock& clock,
                                       SlackHistoryOptions options)
    : api_(api), state_(state), clock_(clock), options_(std::move(options)) {}

void SlackHistorySource::AddMessage(const nlohmann::json& raw, const std::string& channel, std::string origin,
                                    std::vector<InboxItem>& items) {
  InboxItem item;
  item.origin = std::move(origin);
  const std::string text = raw.dump();
  item.digest = Sha256Hex(text);
  absl::StatusOr<SlackMessage> message = ParseSlackMessage(raw, channel);
  if (message.ok()) {
    item.message = *std::move(message);
  } else {
    item.error = std::string(message.status().message());
  }
  items.push_back(std::move(item));
}

absl::StatusOr<std::vector<InboxItem>> SlackHistorySource::Fetch() {
  new_watermarks_.clear();
  std::vector<InboxItem> items;
  for (const std::string& channel : options_.channel_ids) {
    absl::Status status = FetchChannel(channel, items);
    if (status.ok()) continue;
    if (!IsChannelProblem(status)) return status;
    // The owner must act (invite the bot, fix the channel list): one unreadable item, told once.
    InboxItem item;
    item.origin = absl::StrCat("slack channel ", channel);
    item.error = ToStd(status.message());
    item.digest = Sha256Hex(absl::StrCat("channel:", channel, ":", SlackErrorCode(status)));
    item.alert_headline = absl::StrCat("creditbot cannot read the channel ", channel);
    LogError("cannot read a channel", {{"channel", channel}, {"error", item.error}});
    items.push_back(std::move(item));
  }
  CREDITBOT_RETURN_IF_ERROR(FetchPending(items));
  return items;
}

absl::Status SlackHistorySource::FetchChannel(const std::string& channel, std::vector<InboxItem>& items) {
  CREDITBOT_ASSIGN_OR_RETURN(std::optional<std::string> watermark, state_.Watermark(channel));
  SlackHistoryQuery query;
  query.channel = channel;
  query.oldest = watermark.value_or(SlackTsFromTime(clock_.Now() - options_.first_lookback));
  query.limit = options_.page_limit;
  std::vector<nlohmann::json> messages;
  int pages = 0;
  do {
    CREDITBOT_ASSIGN_OR_RETURN(SlackMessagePage page, api_.History(query));
    ++pages;
    for (nlohmann::json& message : page.messages) messages.push_back(std::move(message));
    query.cursor = page.next_cursor;
  } while (!query.cursor.empty());
  // Slack sends newest first; requests are handled in the order they were posted.
  std::stable_sort(messages.begin(), messages.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return SlackTsLess(JsonStringMember(a, "ts"), JsonStringMember(b, "ts"));
  });
  std::string newest = query.oldest;
  for (const nlohmann::json& message : messages) {
    const std::string ts = JsonStringMember(message, "ts");
    if (SlackTsLess(newest, ts)) newest = ts;
    AddMessage(message, channel, absl::StrCat("slack:", channel, ":", ts), items);
    if (items.back().message) items.back().message->no_replies_when_read = HasNoReplies(message);
  }
  new_watermarks_[channel] = newest;
  LogDebug("read channel history", {{"channel", channel},
                                    {"oldest", query.oldest},
                                    {"messages", std::to_string(messages.size())},
                                    {"pages", std::to_string(pages)}});
  return absl::OkStatus();
}

absl::Status SlackHistorySource::FetchPending(std::vector<InboxItem>& items) {
  const std::set<std::string> channels(options_.channel_ids.begin(), options_.channel_ids.end());
  std::set<std::pair<std::string, std::string>> already;  // (channel, ts) the history part returned
  for (const InboxItem& item : items)
    if (item.message) already.emplace(item.message->channel, item.message->ts);

  CREDITBOT_ASSIGN_OR_RETURN(std::vector<WaitingThread> due,
                             state_.DueThreads(clock_.Now(), options_.max_pending));
  for (const WaitingThread& waiting : due) {
    if (channels.count(waiting.channel) == 0 || already.count({waiting.channel, waiting.ts}) > 0) continue;
    absl::StatusOr<SlackMessagePage> thread = api_.Replies(waiting.channel, waiting.ts);
    if (absl::IsNotFound(thread.status())) {
      items.push_back(DeletedItem(waiting));
      continue;
    }
    if (absl::IsUnauthenticated(thread.status())) return thread.status();
    if (!thread.ok()) {
      LogWarn("could not re-read a waiting request; trying again next pass",
              {{"request", waiting.key}, {"error", std::string(thread.status().message())}});
      continue;
    }
    if (thread->messages.empty()) {
      items.push_back(DeletedItem(waiting));
      continue;
    }
    const nlohmann::json& parent = thread->messages.front();
    // A thread read again only for decisions has an answered parent: only the replies are news.
    if (!waiting.decisions) AddMessage(parent, waiting.channel, absl::StrCat("slack:", waiting.key), items);
    if (!waiting.asked && !waiting.decisions) continue;
    // The requester's replies after our question may carry the link we asked for; anyone's replies after
    // a credit awaiting a decision may decide it (the pipeline checks who may).
    const std::string requester = JsonStringMember(parent, "user");
    for (std::size_t i = 1; i < thread->messages.size(); ++i) {
      const nlohmann::json& reply = thread->messages[i];
      const std::string ts = JsonStringMember(reply, "ts");
      const bool from_requester = !requester.empty() && JsonStringMember(reply, "user") == requester;
      if (!waiting.decisions && !from_requester) continue;
      if (!waiting.reply_ts.empty() && !SlackTsLess(waiting.reply_ts, ts)) continue;
      AddMessage(reply, waiting.channel, absl::StrCat("slack:", waiting.channel, ":", ts), items);
    }
  }
  return absl::OkStatus();
}

absl::Status SlackHistorySource::Commit() {
  for (const auto& [channel, ts] : new_watermarks_)
    CREDITBOT_RETURN_IF_ERROR(state_.SaveWatermark(channel, ts));
  new_watermarks_.clear();
  return absl::OkStatus();
}

}  // namespace creditbot
