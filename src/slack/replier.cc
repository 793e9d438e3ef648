// chat.postMessage payloads, the local outbox and the dry-run replier.
#include "slack/replier.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
#include "common/strings.h"

namespace creditbot {
namespace {

using Json = nlohmann::ordered_json;

std::string IndexKey(std::string_view channel, std::string_view thread_ts, std::string_view request_key,
                     std::string_view kind) {
  return absl::StrCat(ToAbsl(channel), "|", ToAbsl(thread_ts), "|", ToAbsl(request_key), "|", ToAbsl(kind));
}

std::string StringField(const Json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::string PostMessagePayload(const Reply& reply, bool dry_run) {
  Json payload;
  payload["channel"] = reply.channel;
  if (!reply.thread_ts.empty()) payload["thread_ts"] = reply.thread_ts;
  payload["text"] = reply.text;
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
    const Json* metadata = payload.contains("metadata") ? &payload["metadata"] : nullptr;
    if (metadata == nullptr || !metadata->is_object() || !metadata->contains("event_payload")) continue;
    const Json& event = (*metadata)["event_payload"];
    if (!event.is_object() || event.value("dry_run", false) || !event.contains("request_key")) continue;
    answered_.insert(IndexKey(StringField(payload, "channel"), StringField(payload, "thread_ts"),
                              StringField(event, "request_key"), StringField(event, "kind")));
  }
  loaded_ = true;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> LocalOutbox::FindOurReply(std::string_view channel,
                                                                     std::string_view thread_ts,
                                                                     std::string_view request_key,
                                                                     std::string_view kind) {
  if (absl::Status status = LoadIndex(); !status.ok()) return status;
  if (answered_.count(IndexKey(channel, thread_ts, request_key, kind)) > 0) {
    return std::optional<std::string>(absl::StrCat("outbox:", ToAbsl(request_key)));
  }
  return std::optional<std::string>();
}

absl::StatusOr<std::string> LocalOutbox::Post(const Reply& reply) {
  if (absl::Status status = LoadIndex(); !status.ok()) return status;
  std::filesystem::path file(path_);
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  std::ofstream out(path_, std::ios::app);
  out << PostMessagePayload(reply, mark_dry_run_) << '\n';
  out.flush();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot append to the outbox ", path_));
  ++lines_;
  if (!mark_dry_run_)
    answered_.insert(IndexKey(reply.channel, reply.thread_ts, reply.request_key, reply.kind));
  return absl::StrCat("outbox:", lines_);
}

absl::StatusOr<std::string> DryRunReplier::Post(const Reply& reply) {
  std::string where = reply.thread_ts.empty() ? absl::StrCat("a DM to ", reply.channel)
                                              : absl::StrCat("thread ", reply.channel, " ", reply.thread_ts);
  std::printf("[dry run] would post to %s:\n  %s\n", where.c_str(), reply.text.c_str());
  std::fflush(stdout);
  return outbox_.Post(reply);
}

}  // namespace creditbot
