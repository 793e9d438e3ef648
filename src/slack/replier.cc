// chat.postMessage payloads, permalinks, the local outbox (posts and reactions) and the dry-run replier.
#include "slack/replier.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/cap_text.h"
#include "common/embedded_files.h"
#include "common/json_fields.h"
#include "common/logging.h"
#include "common/strings.h"

namespace creditbot {
namespace {

using Json = nlohmann::ordered_json;

std::string IndexKey(std::string_view channel, std::string_view thread_ts, std::string_view request_key,
                     std::string_view kind) {
  return absl::StrCat(ToAbsl(channel), "|", ToAbsl(thread_ts), "|", ToAbsl(request_key), "|", ToAbsl(kind));
}

std::string ReactionKey(std::string_view channel, std::string_view ts, std::string_view name) {
  return absl::StrCat(ToAbsl(channel), "|", ToAbsl(ts), "|", ToAbsl(name));
}

constexpr char kReactionsAdd[] = "reactions.add";
constexpr char kReactionsRemove[] = "reactions.remove";
constexpr char kChatUpdate[] = "chat.update";
constexpr char kChatPostEphemeral[] = "chat.postEphemeral";
constexpr char kOutboxTsPrefix[] = "outbox:";

// True when the outbox line `payload` is the chat.postMessage that LocalOutbox::Post (or FindOurReply)
// answered with `ts`: "outbox:<line number>" names the line itself; "outbox:<request key>", what
// FindOurReply answered before it named the line, the credit reply of that request (kept so a ledger entry
// recorded then still finds its reply).
bool IsPostNamed(const Json& payload, long line_number, std::string_view ts) {
  if (!ts.starts_with(kOutboxTsPrefix)) return false;
  const std::string_view name = ts.substr(sizeof(kOutboxTsPrefix) - 1);
  if (name == std::to_string(line_number)) return true;
  const auto metadata = payload.find("metadata");
  if (metadata == payload.end() || !metadata->is_object()) return false;
  const auto event = metadata->find("event_payload");
  return event != metadata->end() && event->is_object() && event->value("request_key", "") == name &&
         event->value("kind", "") == "credit";
}

}  // namespace

std::string BuildPermalink(std::string_view workspace_url, std::string_view channel, std::string_view ts) {
  if (workspace_url.empty() || channel.empty() || ts.empty()) return "";
  return absl::StrCat(ToAbsl(workspace_url), workspace_url.ends_with('/') ? "" : "/", "archives/",
                      ToAbsl(channel), "/p", absl::StrReplaceAll(ToAbsl(ts), {{".", ""}}));
}

std::string PostMessagePayload(const Reply& reply, bool dry_run) {
  Json payload;
  payload["channel"] = reply.channel;
  if (!reply.thread_ts.empty()) payload["thread_ts"] = reply.thread_ts;
  payload["text"] = CapText(reply.text, kMaxSlackTextBytes);
  if (!reply.blocks_json.empty()) payload["blocks"] = Json::parse(reply.blocks_json);
  payload["unfurl_links"] = false;
  payload["unfurl_media"] = false;
  Json event_payload = {{"request_key", reply.request_key}, {"kind", reply.kind}};
  if (!reply.execution_id.empty()) event_payload["execution_id"] = reply.execution_id;
  if (dry_run) event_payload["dry_run"] = true;
  payload["metadata"] = {{"event_type", "creditbot_reply"}, {"event_payload", std::move(event_payload)}};
  return payload.dump();
}

absl::Status LocalOutbox::LoadIndex() {
  if (loaded_) return absl::OkStatus();
  std::ifstream in(path_);
  std::string line;
  while (std::getline(in, line)) {
    ++lines_;
    Json payload = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (payload.is_discarded() || !payload.is_object()) continue;  // not ours to judge; keep scanning
    if (const std::string method = JsonStringMember(payload, "method"); !method.empty()) {
      // A reaction line: replayed for the lines of this outbox's kind (live or dry run).
      if (payload.value("dry_run", false) != mark_dry_run_) continue;
      const std::string key =
          ReactionKey(JsonStringMember(payload, "channel"), JsonStringMember(payload, "timestamp"),
                      JsonStringMember(payload, "name"));
      if (method == kReactionsAdd) reactions_.insert(key);
      if (method == kReactionsRemove) reactions_.erase(key);
      continue;
    }
    const Json* metadata = payload.contains("metadata") ? &payload["metadata"] : nullptr;
    if (metadata == nullptr || !metadata->is_object() || !metadata->contains("event_payload")) continue;
    const Json& event = (*metadata)["event_payload"];
    if (!event.is_object() || event.value("dry_run", false) || !event.contains("request_key")) continue;
    // The first reply of its kind is the one (as in a Slack thread, read oldest first).
    answered_.try_emplace(
        IndexKey(JsonStringMember(payload, "channel"), JsonStringMember(payload, "thread_ts"),
                 JsonStringMember(event, "request_key"), JsonStringMember(event, "kind")),
        OurReply{absl::StrCat(kOutboxTsPrefix, lines_), JsonStringMember(event, "execution_id")});
  }
  loaded_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<OurReply>> LocalOutbox::FindOurReply(std::string_view channel,
                                                                  std::string_view thread_ts,
                                                                  std::string_view request_key,
                                                                  std::string_view kind) {
  if (absl::Status status = LoadIndex(); !status.ok()) return status;
  const auto found = answered_.find(IndexKey(channel, thread_ts, request_key, kind));
  if (found == answered_.end()) return std::optional<OurReply>();
  return std::optional<OurReply>(found->second);
}

absl::StatusOr<std::string> LocalOutbox::Post(const Reply& reply) {
  if (absl::Status status = LoadIndex(); !status.ok()) return status;
  if (!Append(PostMessagePayload(reply, mark_dry_run_)))
    return absl::UnavailableError(absl::StrCat("cannot append to the outbox ", path_));
  const std::string ts = absl::StrCat(kOutboxTsPrefix, lines_);
  if (!mark_dry_run_) {
    answered_.try_emplace(IndexKey(reply.channel, reply.thread_ts, reply.request_key, reply.kind),
                          OurReply{ts, reply.execution_id});
  }
  return ts;
}

bool LocalOutbox::Append(const std::string& line) {
  std::filesystem::path file(path_);
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  std::ofstream out(path_, std::ios::app);
  out << line << '\n';
  out.flush();
  if (!out) return false;
  ++lines_;
  return true;
}

bool LocalOutbox::RecordReaction(std::string_view method, std::string_view channel, std::string_view ts,
                                 std::string_view name) {
  Json line = {{"method", method}, {"channel", channel}, {"timestamp", ts}, {"name", name}};
  if (mark_dry_run_) line["dry_run"] = true;
  if (Append(line.dump())) return true;
  LogWarn("could not record a reaction in the outbox", {{"outbox", path_}, {"method", std::string(method)}});
  return false;
}

bool LocalOutbox::AddReaction(std::string_view channel, std::string_view ts, std::string_view name) {
  if (absl::Status status = LoadIndex(); !status.ok()) return false;
  const std::string key = ReactionKey(channel, ts, name);
  if (reactions_.count(key) > 0) return true;
  if (!RecordReaction(kReactionsAdd, channel, ts, name)) return false;
  reactions_.insert(key);
  return true;
}

void LocalOutbox::RemoveReaction(std::string_view channel, std::string_view ts, std::string_view name) {
  if (absl::Status status = LoadIndex(); !status.ok()) return;
  const std::string key = ReactionKey(channel, ts, name);
  if (reactions_.count(key) == 0) return;
  if (RecordReaction(kReactionsRemove, channel, ts, name)) reactions_.erase(key);
}

absl::Status LocalOutbox::Update(std::string_view channel, std::string_view ts, std::string_view text,
                                 std::string_view blocks_json) {
  if (absl::Status status = LoadIndex(); !status.ok()) return status;
  Json line = {
      {"method", kChatUpdate}, {"channel", channel}, {"ts", ts}, {"text", CapText(text, kMaxSlackTextBytes)}};
  if (!blocks_json.empty()) {
    Json blocks = Json::parse(blocks_json, nullptr, /*allow_exceptions=*/false);
    if (blocks.is_discarded() || !blocks.is_array())
      return absl::InvalidArgumentError("chat.update: the blocks are not a JSON array");
    line["blocks"] = std::move(blocks);
  }
  if (mark_dry_run_) line["dry_run"] = true;
  if (!Append(line.dump()))
    return absl::UnavailableError(absl::StrCat("cannot append to the outbox ", path_));
  return absl::OkStatus();
}

absl::Status LocalOutbox::PostEphemeral(std::string_view channel, std::string_view user,
                                        std::string_view text, std::string_view thread_ts) {
  if (absl::Status status = LoadIndex(); !status.ok()) return status;
  Json line = {{"method", kChatPostEphemeral},
               {"channel", channel},
               {"user", user},
               {"text", CapText(text, kMaxSlackTextBytes)}};
  if (!thread_ts.empty()) line["thread_ts"] = thread_ts;
  if (mark_dry_run_) line["dry_run"] = true;
  if (!Append(line.dump()))
    return absl::UnavailableError(absl::StrCat("cannot append to the outbox ", path_));
  return absl::OkStatus();
}

absl::StatusOr<std::string> LocalOutbox::MessageBlocks(std::string_view channel,
                                                       std::string_view /*thread_ts*/, std::string_view ts) {
  std::ifstream in(path_);
  std::string line;
  long line_number = 0;
  std::optional<Json> blocks;  // found: the post's blocks (null when it has none), then each update's
  while (std::getline(in, line)) {
    ++line_number;
    Json payload = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (payload.is_discarded() || !payload.is_object() || JsonStringMember(payload, "channel") != channel)
      continue;
    const std::string method = JsonStringMember(payload, "method");
    if (method.empty() && IsPostNamed(payload, line_number, ts)) {
      blocks = payload.value("blocks", Json());
    } else if (blocks && method == kChatUpdate && JsonStringMember(payload, "ts") == ts &&
               payload.value("dry_run", false) == mark_dry_run_) {
      blocks = payload.value("blocks", Json());
    }
  }
  if (!blocks) return absl::NotFoundError(absl::StrCat("no message ", ToAbsl(ts), " in the outbox ", path_));
  return blocks->is_array() ? blocks->dump() : std::string();
}

absl::StatusOr<std::string> DryRunReplier::Post(const Reply& reply) {
  std::string where = reply.thread_ts.empty() ? absl::StrCat("a DM to ", reply.channel)
                                              : absl::StrCat("thread ", reply.channel, " ", reply.thread_ts);
  std::printf("[dry run] would post to %s:\n  %s\n", where.c_str(), reply.text.c_str());
  std::fflush(stdout);
  return outbox_.Post(reply);
}

}  // namespace creditbot

namespace creditbot {

absl::Status DryRunReplier::Update(std::string_view channel, std::string_view ts, std::string_view text,
                                   std::string_view blocks_json) {
  std::printf("[dry run] would update %s %s:\n  %s\n", std::string(channel).c_str(), std::string(ts).c_str(),
              std::string(text).c_str());
  std::fflush(stdout);
  return outbox_.Update(channel, ts, text, blocks_json);
}

absl::Status DryRunReplier::PostEphemeral(std::string_view channel, std::string_view user,
                                          std::string_view text, std::string_view thread_ts) {
  std::printf("[dry run] would show %s in %s:\n  %s\n", std::string(user).c_str(),
              std::string(channel).c_str(), std::string(text).c_str());
  std::fflush(stdout);
  return outbox_.PostEphemeral(channel, user, text, thread_ts);
}

absl::StatusOr<std::string> DryRunReplier::MessageBlocks(std::string_view channel, std::string_view thread_ts,
                                                         std::string_view ts) {
  absl::StatusOr<std::string> recorded = outbox_.MessageBlocks(channel, thread_ts, ts);
  if (!absl::IsNotFound(recorded.status())) return recorded;
  return live_.MessageBlocks(channel, thread_ts, ts);
}

}  // namespace creditbot
