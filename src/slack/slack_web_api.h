// SlackWebApi: the Slack Web API client creditbot uses (research: the team's Slack research notes, §2–§4),
// on the project's HTTP layer (HttpTransport). It speaks Slack's wire format exactly: POST
// https://slack.com/api/<method> with `Authorization: Bearer <token>`, JSON bodies sent as
// `application/json; charset=utf-8` (form bodies for the GET-only-style methods conversations.history,
// conversations.replies and conversations.list, as `application/x-www-form-urlencoded` without a charset),
// every answer an object with a boolean `ok`.
//
// Retries, inside one call: HTTP 429 (Retry-After honoured, capped at options.max_retry_wait; 30 s when
// absent), HTTP 5xx, transport errors and the `ok:false` codes internal_error, fatal_error,
// request_timeout, service_unavailable, ratelimited and rate_limited are retried with backoff up to
// options.max_attempts; then the call fails with kUnavailable. Nothing else is retried, and
// chat.postMessage less (see PostMessage). Backoff: 1 s, doubling, capped at options.max_retry_wait.
//
// Pacing, so a large backlog never trips Slack's limits: every method has a token bucket sized by its rate
// tier (Tier 2: 20/min — conversations.list, reactions.remove; Tier 3: 50/min; Tier 4: 100/min; auth.test
// and apps.connections.open: 20/min; chat.postMessage, "Special": 100/min),
// and chat.postMessage additionally waits options.post_interval between two posts to the same channel
// (Slack's "one message per second per channel"). Waiting goes through the Sleeper, so tests never sleep.
//
// Errors: an `ok:false` answer becomes a status whose message is "Slack <method>: <error>" plus what to do,
// and which carries the Slack error code (SlackErrorCode). Codes map to canonical codes:
//   invalid_auth, not_authed, account_inactive, token_revoked, token_expired   → kUnauthenticated
//   missing_scope, not_in_channel, no_permission, restricted_action*,
//   channel_is_limited_access, ekm_access_denied                                → kPermissionDenied
//   channel_not_found, thread_not_found, message_not_found, user_not_found     → kNotFound
//   the retryable codes above, after the last attempt                          → kUnavailable
//   anything else (invalid_blocks, msg_too_long, invalid_metadata_*, …)        → kInvalidArgument
// An answer that is not JSON, or has no boolean `ok`, is kUnavailable (a proxy's error page) and retried.
// `ok:false` without `error` is reported as error "unknown_error". Warnings (`ok:true` with `warning`) are
// logged, not errors. Tokens never appear in a message.
//
// Thread-compatible: one thread at a time (as its HttpTransport). The transport, clock and sleeper must
// outlive the client.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "net/http_transport.h"

namespace creditbot {

struct SlackApiOptions {
  // Default: https://slack.com/api/ (CREDITBOT_SLACK_API_URL). Must be https, or http on loopback (tests).
  // Method names are appended; a missing trailing slash is added.
  std::string api_base_url = "https://slack.com/api/";
  std::string bot_token;  // xoxb-… (SLACK_BOT_TOKEN): every method but apps.connections.open
  std::string app_token;  // xapp-… (SLACK_APP_TOKEN): apps.connections.open only (Socket Mode)
  // Default: 5 attempts per call for the retryable failures above.
  int max_attempts = 5;
  // Default: 2 minutes; the longest Retry-After honoured (a longer one is waited for this long).
  absl::Duration max_retry_wait = absl::Minutes(2);
  // Default: 1 s; the least time between two chat.postMessage calls to one channel
  // (CREDITBOT_SLACK_POST_INTERVAL_MS).
  absl::Duration post_interval = absl::Seconds(1);
  // Default: 30 s; one HTTP exchange.
  absl::Duration call_timeout = absl::Seconds(30);
};

// Who the bot token belongs to (auth.test). Cached by the client after the first success.
struct SlackIdentity {
  std::string user_id;  // the bot user, e.g. "U0BOT…"; its own messages carry it as `user`
  std::string bot_id;   // "B…"; its own messages carry it as `bot_id`
  std::string team_id;
  std::string team;
  std::string url;
  // The token's scopes, from Slack's `x-oauth-scopes` answer header ("" entries never); empty when Slack
  // did not send the header (then scopes cannot be checked ahead of use).
  std::vector<std::string> scopes;
};

// One page of messages (conversations.history / conversations.replies), in Slack's order: history is
// newest first; replies start with the thread's parent and go oldest first.
struct SlackMessagePage {
  std::vector<nlohmann::json> messages;  // the raw message objects, exactly as Slack sent them
  std::string next_cursor;               // "" on the last page
  bool has_more = false;
};

struct SlackHistoryQuery {
  std::string channel;  // a channel id
  std::string oldest;   // "" = from the beginning; a Slack ts, exclusive unless `inclusive`
  std::string latest;   // "" = now
  bool inclusive = false;
  int limit = 200;     // Slack's maximum is 999
  std::string cursor;  // "" for the first page
  bool include_all_metadata = true;
};

struct SlackChannel {
  std::string id;
  std::string name;
  bool is_private = false;
  bool is_member = false;
  bool is_archived = false;
};

struct SlackPosted {
  std::string channel;  // the channel id Slack posted to (a D… id for a DM)
  std::string ts;
};

// The Slack error code a status from this client carries ("not_in_channel", "ratelimited"…), or "" when it
// did not come from an `ok:false` answer.
std::string SlackErrorCode(const absl::Status& status);

class SlackWebApi {
 public:
  SlackWebApi(HttpTransport& transport, const Clock& clock, Sleeper& sleeper, SlackApiOptions options);

  // kInvalidArgument when the base URL is not https (http only on 127.0.0.1/localhost/[::1]), or a token
  // has the wrong prefix (bot: xoxb-, app: xapp-; empty is allowed here and refused by the calls needing it,
  // with kFailedPrecondition). The messages name the setting, never the token. A client built with options
  // that fail this check fails every call with that status and sends nothing.
  static absl::Status ValidateOptions(const SlackApiOptions& options);

  // auth.test with the bot token. Cached after the first success.
  absl::StatusOr<SlackIdentity> AuthTest();

  // One page of conversations.history.
  absl::StatusOr<SlackMessagePage> History(const SlackHistoryQuery& query);

  // One page of conversations.replies for the thread whose parent is `thread_ts` (include_all_metadata=true,
  // so our replies' metadata comes back). `cursor` "" for the first page.
  absl::StatusOr<SlackMessagePage> Replies(std::string_view channel, std::string_view thread_ts,
                                           std::string_view cursor = "", int limit = 200);

  // Every channel the bot can see (conversations.list, types public_channel,private_channel,
  // exclude_archived=true, all pages). Needs channels:read (and groups:read for private ones); used only
  // to resolve channel names given in CREDITBOT_SLACK_CHANNELS.
  absl::StatusOr<std::vector<SlackChannel>> ListChannels();

  // chat.postMessage with `payload_json`, a JSON object as PostMessagePayload (slack/replier.h) builds it.
  // Paced per channel. Not idempotent: never retried once Slack may have accepted it — only answers in
  // which Slack says it did not post are retried (HTTP 429, and Slack's JSON `ok:false` with one of the
  // retryable codes above, whatever the HTTP status); a transport error or timeout, or an answer that is
  // not Slack's JSON (a proxy's 502 page), returns kUnknown ("may have been posted") at once so the caller
  // looks in the thread before trying again. kInvalidArgument, not sent, when `payload_json` is not a JSON
  // object with a `channel`.
  absl::StatusOr<SlackPosted> PostMessage(std::string_view payload_json);

  // chat.update of `ts` in `channel` with the fields of `payload_json` (text, blocks, metadata).
  absl::Status UpdateMessage(std::string_view channel, std::string_view ts, std::string_view payload_json);

  // chat.postEphemeral: `text` (and `blocks_json`, a JSON array, may be empty) shown only to `user` in
  // `channel`, in the thread `thread_ts` when not empty. Returns Slack's message_ts. Not retried once Slack
  // may have shown it (as chat.postMessage); user_not_in_channel is kInvalidArgument.
  absl::StatusOr<std::string> PostEphemeral(std::string_view channel, std::string_view user,
                                            std::string_view text, std::string_view blocks_json = "",
                                            std::string_view thread_ts = "");

  // usergroups.users.list usergroup=`usergroup_id` → the members' user ids (needs usergroups:read).
  // Errors as every call (no_such_subteam is kInvalidArgument); kInternal when the answer has no `users`
  // array.
  absl::StatusOr<std::vector<std::string>> UsergroupUsers(std::string_view usergroup_id);

  // views.open: shows the modal `view_json` (a JSON object, slack/interactivity.h builds creditbot's) to the
  // user whose click carried `trigger_id` (valid 3 s after the click, once). The view's id ("V…") on success.
  // kInvalidArgument, not sent, when `trigger_id` is empty or `view_json` is not a JSON object; Slack's
  // expired_trigger_id / exchanged_trigger_id / invalid_trigger_id (the click is too old or was already
  // used) are kInvalidArgument like its other refusals.
  absl::StatusOr<std::string> OpenView(std::string_view trigger_id, std::string_view view_json);

  // conversations.open users=`user_id` → the DM channel id ("D…"). Cached per user.
  absl::StatusOr<std::string> OpenDm(std::string_view user_id);

  // reactions.add; already_reacted is success. Never waits for the rate budget: when this minute's is spent
  // it returns kResourceExhausted without calling Slack.
  absl::Status AddReaction(std::string_view channel, std::string_view ts, std::string_view name);

  // reactions.remove of our reaction `name`; no_reaction (it is not there) is success. Paced like every
  // call (Tier 2, 20 a minute): callers put on only what they can take off (HasBudget).
  absl::Status RemoveReaction(std::string_view channel, std::string_view ts, std::string_view name);

  // True when a call of `method` now would not wait for its rate budget.
  bool HasBudget(std::string_view method);

  // apps.connections.open with the app token → the Socket Mode websocket URL (wss://…). Never cached.
  absl::StatusOr<std::string> OpenSocketModeUrl();

 private:
  // One method call with retries and pacing; returns the parsed `ok:true` answer. `channel` (may be "")
  // paces chat.postMessage and is named in error messages.
  absl::StatusOr<nlohmann::json> Call(std::string_view method, const std::string& body, bool json_body,
                                      bool use_app_token, bool idempotent, std::string_view channel = "");
  void Pace(std::string_view method, std::string_view channel);
  // The status for an `ok:false` answer with error `code`: canonical code, message with hint, payload.
  absl::Status SlackError(std::string_view method, std::string_view code, const nlohmann::json& answer,
                          std::string_view channel, bool use_app_token) const;
  // `status` with any token replaced by "[redacted]" (defence in depth: no message should hold one).
  absl::Status Scrub(absl::Status status) const;
  // The POST of `method` to the API with `token` and `body` (JSON when `json_body`, else a form).
  HttpRequest NewRequest(std::string_view method, const std::string& token, const std::string& body,
                         bool json_body) const;

  HttpTransport& transport_;
  const Clock& clock_;
  Sleeper& sleeper_;
  SlackApiOptions options_;
  absl::Status options_status_;  // ValidateOptions(options_): every call fails with it when not OK
  std::optional<SlackIdentity> identity_;
  std::string last_scopes_;  // x-oauth-scopes of the last successful answer
  std::string bot_name_;     // auth.test's `user` (the bot's handle), for the not_in_channel hint
  std::map<std::string, std::string, std::less<>> dm_channels_;
  struct Bucket {
    double tokens = -1;  // < 0: not started (full)
    absl::Time refilled;
  };
  std::map<std::string, Bucket, std::less<>> buckets_;           // by method
  Bucket& Refill(std::string_view method);                       // the method's bucket, refilled to now
  std::map<std::string, absl::Time, std::less<>> last_post_at_;  // by channel
};

}  // namespace creditbot
