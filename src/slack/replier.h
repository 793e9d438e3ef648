// Replier: how creditbot answers. A Reply is exactly a chat.postMessage payload plus what the pipeline
// needs to know about it. LocalOutbox (the embedded default) appends payloads to a JSON-lines file that
// stands in for Slack; DryRunReplier prints what would be posted and writes it to the outbox marked as a
// dry run; SlackReplier (slack/slack_replier.h) posts to Slack itself.
//
// Exactly-once: every reply carries metadata {event_type: "creditbot_reply", event_payload: {request_key,
// kind, execution_id, dry_run}}. FindOurReply looks for a live (not dry-run) reply with the request key and
// kind in the thread, so a crash between posting and recording never yields a second reply. The kind is
// part of the match because one request can rightly get a question first ("ask_link") and, after the
// requester's edit, its answer ("credit"): one reply of each kind per request, never two.
//
// Reactions on a request tell the channel where it stands: kSeenReaction (👀) while creditbot works on it,
// then kCreditedReaction (✅) on a credit reply or kFailedReaction (❌) on a failure; an ignored request
// ends with none of ours. In the local mode the outbox records each change as one line
// {"method":"reactions.add"|"reactions.remove","channel","timestamp","name"} (plus "dry_run":true in a dry
// run) beside the chat.postMessage payloads (lines without "method"), so a test or a person reading the
// outbox sees them; a reaction already there is not added twice, one not there is not removed.
//
// Decisions (bot/decision_desk.h) change a reply in place: Update is chat.update, recorded in the outbox as
// {"method":"chat.update","channel","ts","text","blocks"}; PostEphemeral is chat.postEphemeral (an answer
// only one person sees), recorded as {"method":"chat.postEphemeral","channel","user","text","thread_ts"};
// MessageBlocks reads a reply's blocks as they stand (a dry run's from the outbox).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {

struct Reply {
  std::string channel;    // a channel id, or the owner's user id for a DM
  std::string thread_ts;  // empty for a DM
  std::string request_key;
  std::string kind;         // "credit", "ask_link", "ask_fix", "failure", "owner_alert"
  std::string text;         // plain-text fallback
  std::string blocks_json;  // JSON array, may be empty
  std::string execution_id;
};

// The reaction names (Slack emoji names, without colons).
inline constexpr char kSeenReaction[] = "eyes";
inline constexpr char kCreditedReaction[] = "white_check_mark";
inline constexpr char kFailedReaction[] = "x";

// A message's permalink built the way Slack builds them: `workspace_url` (auth.test's `url`, e.g.
// "https://acme.slack.com/"; a missing trailing slash is added) + "archives/<channel>/p<ts without the dot>".
std::string BuildPermalink(std::string_view workspace_url, std::string_view channel, std::string_view ts);

// The chat.postMessage body for `reply`: channel, text, blocks, thread_ts, unfurl_links=false,
// unfurl_media=false and the metadata above.
std::string PostMessagePayload(const Reply& reply, bool dry_run);

// A reply of ours found in a thread: its ts (what Post returned for it) and the execution id its metadata
// carries ("" when it carries none), which names the calculation the reply shows and its buttons decide.
struct OurReply {
  std::string ts;
  std::string execution_id;
};

class Replier {
 public:
  virtual ~Replier() = default;
  // A live reply of ours in `channel`/`thread_ts` carrying `request_key` and `kind`, if any.
  virtual absl::StatusOr<std::optional<OurReply>> FindOurReply(std::string_view channel,
                                                               std::string_view thread_ts,
                                                               std::string_view request_key,
                                                               std::string_view kind) = 0;
  // Posts; returns the reply's ts. Not idempotent: callers use FindOurReply first.
  virtual absl::StatusOr<std::string> Post(const Reply& reply) = 0;
  // Puts the reaction `name` on the message `channel`/`ts` (Slack: reactions.add). Returns true when the
  // reaction is (or may already be) on the message, false when it was skipped or failed. Best effort:
  // failures are logged by the implementation, never returned. Default: nothing, false.
  virtual bool AddReaction(std::string_view /*channel*/, std::string_view /*ts*/, std::string_view /*name*/) {
    return false;
  }
  // Takes our reaction `name` off the message (Slack: reactions.remove); not there is fine. Best effort,
  // as AddReaction. Default: nothing.
  virtual void RemoveReaction(std::string_view /*channel*/, std::string_view /*ts*/,
                              std::string_view /*name*/) {}
  // A link to the message `channel`/`ts` for the owner's DM; "" when none can be made. Default: the link
  // built on https://slack.com/ (the local mode knows no workspace).
  virtual std::string Permalink(std::string_view channel, std::string_view ts) {
    return BuildPermalink("https://slack.com/", channel, ts);
  }
  // Replaces our message `channel`/`ts` (a ts Post returned) with `text` and `blocks_json` (a JSON array;
  // empty keeps no blocks): Slack's chat.update, idempotent, so repeating it is harmless. Default:
  // kUnimplemented.
  virtual absl::Status Update(std::string_view /*channel*/, std::string_view /*ts*/,
                              std::string_view /*text*/, std::string_view /*blocks_json*/) {
    return absl::UnimplementedError("this replier cannot update a message");
  }
  // Shows `text` to `user` alone in `channel` (in the thread `thread_ts` when not empty): Slack's
  // chat.postEphemeral, for an answer only the person who asked should see (a refused click). Not
  // idempotent, nothing to look up afterwards: at most once. Default: kUnimplemented.
  virtual absl::Status PostEphemeral(std::string_view /*channel*/, std::string_view /*user*/,
                                     std::string_view /*text*/, std::string_view /*thread_ts*/) {
    return absl::UnimplementedError("this replier cannot post an ephemeral message");
  }
  // The blocks (a JSON array; "" when it has none) of our message `ts` in the thread `channel`/`thread_ts`
  // as it stands now, so a decision can be shown in place of the buttons. kNotFound when there is no such
  // message. Default: kUnimplemented.
  virtual absl::StatusOr<std::string> MessageBlocks(std::string_view /*channel*/,
                                                    std::string_view /*thread_ts*/, std::string_view /*ts*/) {
    return absl::UnimplementedError("this replier cannot read a message");
  }
};

// The local outbox. One instance per process run; thread-compatible.
class LocalOutbox final : public Replier {
 public:
  explicit LocalOutbox(std::string path, bool mark_dry_run = false)
      : path_(std::move(path)), mark_dry_run_(mark_dry_run) {}
  // Its ts is "outbox:<line number>" of the post, as Post returned it.
  absl::StatusOr<std::optional<OurReply>> FindOurReply(std::string_view channel, std::string_view thread_ts,
                                                       std::string_view request_key,
                                                       std::string_view kind) override;
  absl::StatusOr<std::string> Post(const Reply& reply) override;
  // Appends a reactions.add / reactions.remove line (marked dry_run like the posts) unless the reaction is
  // already in that state in the file's lines of the same kind (live or dry run).
  bool AddReaction(std::string_view channel, std::string_view ts, std::string_view name) override;
  void RemoveReaction(std::string_view channel, std::string_view ts, std::string_view name) override;
  // Appends {"method":"chat.update","channel","ts","text","blocks"} (plus "dry_run":true in a dry run).
  absl::Status Update(std::string_view channel, std::string_view ts, std::string_view text,
                      std::string_view blocks_json) override;
  // Appends {"method":"chat.postEphemeral","channel","user","text","thread_ts"} (plus "dry_run":true).
  absl::Status PostEphemeral(std::string_view channel, std::string_view user, std::string_view text,
                             std::string_view thread_ts) override;
  // `ts` is what Post returned ("outbox:<line>"): that line's blocks, or those of the newest chat.update
  // line for the same ts after it, if any.
  absl::StatusOr<std::string> MessageBlocks(std::string_view channel, std::string_view thread_ts,
                                            std::string_view ts) override;

 private:
  absl::Status LoadIndex();
  // Appends one line; false (logged) when the file cannot be written.
  bool Append(const std::string& line);
  bool RecordReaction(std::string_view method, std::string_view channel, std::string_view ts,
                      std::string_view name);
  std::string path_;
  bool mark_dry_run_;
  bool loaded_ = false;
  // "channel|thread_ts|request_key|kind" of each live reply in the file, and that reply.
  std::map<std::string, OurReply> answered_;
  std::set<std::string>
      reactions_;  // "channel|ts|name" on the message, per this outbox's lines (live or dry)
  long lines_ = 0;
};

// Dry run: prints each reply on stdout as a person would read it, and records its payload (marked
// dry_run) in the outbox; looks for earlier live replies through `live`.
class DryRunReplier final : public Replier {
 public:
  DryRunReplier(Replier& live, LocalOutbox& outbox) : live_(live), outbox_(outbox) {}
  absl::StatusOr<std::optional<OurReply>> FindOurReply(std::string_view channel, std::string_view thread_ts,
                                                       std::string_view request_key,
                                                       std::string_view kind) override {
    return live_.FindOurReply(channel, thread_ts, request_key, kind);
  }
  absl::StatusOr<std::string> Post(const Reply& reply) override;
  // Reactions are recorded in the outbox (marked dry_run), never made.
  bool AddReaction(std::string_view channel, std::string_view ts, std::string_view name) override {
    return outbox_.AddReaction(channel, ts, name);
  }
  void RemoveReaction(std::string_view channel, std::string_view ts, std::string_view name) override {
    outbox_.RemoveReaction(channel, ts, name);
  }
  // The live replier's link (the real workspace's with Slack).
  std::string Permalink(std::string_view channel, std::string_view ts) override {
    return live_.Permalink(channel, ts);
  }
  // Printed and recorded in the outbox (marked dry_run), never made.
  absl::Status Update(std::string_view channel, std::string_view ts, std::string_view text,
                      std::string_view blocks_json) override;
  absl::Status PostEphemeral(std::string_view channel, std::string_view user, std::string_view text,
                             std::string_view thread_ts) override;
  // The outbox's copy first (a dry-run reply lives only there), else the live replier's.
  absl::StatusOr<std::string> MessageBlocks(std::string_view channel, std::string_view thread_ts,
                                            std::string_view ts) override;

 private:
  Replier& live_;
  LocalOutbox& outbox_;
};

}  // namespace creditbot
