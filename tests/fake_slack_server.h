// FakeSlackServer: a Slack Web API stand-in on loopback, so the real client (SlackWebApi over the libcurl
// transport) runs against real HTTP in tests. It keeps a small workspace — channels, their messages and
// threads, the bot's posts, DMs, reactions — and answers in Slack's wire format (research:
// the team's Slack research notes, §2–§5; answer shapes from tests/fixtures/slack/web_api): HTTP 200 with
// `{"ok":false,"error":…}` for every error, HTTP 429 with a `retry-after` header and
// `{"ok":false,"error":"ratelimited"}` for rate limits, `application/json; charset=utf-8` answers.
//
// It serves POST (and GET) /api/<method> with a JSON body, a form body or a query string:
//   auth.test               the fixture's bot-token answer (docs_ref/auth.test.json, success_with_bot_token)
//   conversations.list      types, exclude_archived, limit, cursor; a private channel only when the bot is in
//   it conversations.history   top-level messages (thread replies absent, thread_broadcast kept), newest
//   first;
//                           oldest/latest exclusive unless inclusive; with oldest alone the page is the one
//                           closest to oldest (paging forward), else closest to latest (paging back), as the
//                           archived channels.history doc says; limit, cursor, has_more and
//                           response_metadata.next_cursor (absent on the last page, as in the fixtures);
//                           `metadata` only with include_all_metadata=true
//   conversations.replies   the parent, then the replies oldest first; bounds, limit and cursor as above (the
//                           parent only on the first page); `metadata` only with include_all_metadata=true
//   chat.postMessage        channel (an id, a name, or any D… id: a DM), text and/or blocks, thread_ts,
//                           metadata (object, or its JSON text in a form), unfurl_links, unfurl_media;
//                           stores the message as the bot's (user, bot_id, app_id) with a new ts
//   chat.update             the bot's own message: text, blocks, metadata ({} removes it), adds `edited`
//   conversations.open      users=<one user id> → {"channel":{"id":"D…"}}, the same id every time
//   reactions.add           channel, name, timestamp; already_reacted on a repeat
//   reactions.remove        channel, name, timestamp; no_reaction when the bot's reaction is not there
//   apps.connections.open   the app token in Authorization only → {"ok":true,"url":<SetSocketModeUrl>}
//   views.open              trigger_id and view (an object, or its JSON text in a form) → {"view":{"id":"V…",
//                           …view}}; a trigger_id used before is exchanged_trigger_id (Slack's rule: once)
//   chat.postEphemeral      channel, user, text, thread_ts → {"message_ts":…}; recorded, not stored as a
//                           message (an ephemeral message is in no history)
//   usergroups.users.list   usergroup → {"users":[…]} as SetUsergroup set it; no_such_subteam otherwise
// and, outside /api/, POST /response/<id>: a response_url (ResponseUrl(id)) that records the JSON it
// receives (ResponseUrlPosts) and answers 200 "ok" as Slack's hooks do.
// Sign in with Slack (OpenID Connect) is served too: GET /openid/connect/authorize (redirects straight back
// with a code), POST /api/openid.connect.token (client id and secret, no bot token) and GET
// /openid/connect/keys; see tests/fake_slack_openid.h, reached with openid().
// Every method but apps.connections.open needs the bot token (kBotToken, or SetBotToken's), as
// `Authorization: Bearer` or a `token` form field; a missing token is not_authed, any other token
// invalid_auth (also the app token on a bot method and the other way round). Channel rules: unknown →
// channel_not_found, bot not a member → not_in_channel (the history of a public channel too, as for a bot
// without channels:join), archived → is_archived on a post.
//
// Scripted failures, per method, are answered before anything else (in this order): RateLimitNext (429),
// FailHttpNext (an HTTP status with a proxy's non-JSON page, or a given body), FailNext (200 ok:false).
// DropPostAfterStoring makes chat.postMessage store the message and then break the connection: the status
// line and headers of a 200 go out announcing a body, and the connection closes before any byte of it
// (cpp-httplib: a content provider that fails at once). To curl that is "transfer closed with outstanding
// read data remaining" (CURLE_PARTIAL_FILE), a transport error — the client never learns the ts, exactly
// like a reset after Slack accepted the post. It costs no real time, unlike sleeping past the timeout.
//
// Not modelled: group DMs (conversations.open takes one user), Slack's own rate limits (only the scripted
// ones), user tokens. cpp-httplib answers a POST without Content-Length with a bare 400 before the fake
// sees it (libcurl always sends one; plain `curl -X POST` needs `-d ''`). A thread_ts naming no message is
// stored as a reply all the same.
//
// Thread-safe: the server thread and the test thread share the state under one mutex.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/fake_slack_openid.h"

namespace creditbot::testing {

struct SlackRequest {
  std::string http_method;  // "POST"
  std::string path;         // "/api/chat.postMessage"
  std::string api_method;   // "chat.postMessage"
  std::string body;         // as sent
  httplib::Headers headers;
  std::string Header(const std::string& name) const;  // "" when absent
};

// One chat.postMessage the fake accepted (and stored).
struct SlackBotPost {
  std::string channel;    // the channel id the message went to (a D… id for a DM)
  std::string ts;         // the ts the fake gave it
  std::string thread_ts;  // "" for a top-level message
  std::optional<bool> unfurl_links;
  std::optional<bool> unfurl_media;
  nlohmann::json payload;  // the arguments as sent (a form's blocks/metadata parsed from their JSON text)
};

class FakeSlackServer {
 public:
  // Made-up tokens of the right shape; the ids are those of the fixture's bot-token auth.test answer.
  static constexpr const char* kBotToken = "xoxb-2112-4242-fAkEbOtToKeNfOrCrEdItBoT";
  static constexpr const char* kAppToken = "xapp-1-A0CREDITBOT-4242-fakeappleveltokenforcreditbot";
  static constexpr const char* kBotUserId = "W23456789";
  static constexpr const char* kBotId = "BZYBOTHED";
  static constexpr const char* kTeamId = "T0G9PQBBK";
  static constexpr const char* kAppId = "A0CREDITBOT";

  FakeSlackServer();
  ~FakeSlackServer();
  FakeSlackServer(const FakeSlackServer&) = delete;
  FakeSlackServer& operator=(const FakeSlackServer&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:PORT"
  std::string api_url() const;   // "http://127.0.0.1:PORT/api/", for SlackApiOptions::api_base_url
  int port() const { return port_; }

  // The text of `name` in tests/fixtures/slack/web_api.
  static std::string Fixture(const std::string& name);

  // --- the workspace ---
  void AddChannel(const std::string& id, const std::string& name, bool bot_is_member, bool is_private = false,
                  bool is_archived = false);
  // Someone posts `message` ({"user":…,"text":…}, optionally "thread_ts" for a reply, "blocks", "metadata",
  // "subtype", or "bot_id" for another app's or the bot's own message) to `channel`, which must exist. The
  // fake adds "type" and a new "ts" (returned), and for a reply updates the parent's thread fields.
  std::string PostUserMessage(const std::string& channel, nlohmann::json message);
  // Sets the text of a stored message and adds `edited` {user, ts}. Throws when there is no such message.
  void EditMessage(const std::string& channel, const std::string& ts, const std::string& new_text);
  // Every message of `channel` as stored (metadata included), oldest first.
  std::vector<nlohmann::json> Messages(const std::string& channel) const;
  // Every chat.postMessage the fake accepted, in order.
  std::vector<SlackBotPost> BotPosts() const;
  // The names of the bot's reactions on the message `ts` of `channel` now (after adds and removes).
  std::set<std::string> BotReactions(const std::string& channel, const std::string& ts) const;
  void SetSocketModeUrl(const std::string& url);  // Default: the fixture's wss://… URL
  // At most this many items per list/history/replies page whatever `limit` asks (Slack may return fewer).
  void SetPageSizeCap(int max_items);
  // New messages get ts values from `unix_seconds` on (Default: a fixed 2023 time). Call before posting.
  void SetTsBase(int64_t unix_seconds);
  // The bot token's scopes, sent as the `x-oauth-scopes` header of every answer (comma-separated; "" sends
  // no header). Default: every scope the Slack app manifest asks for.
  void SetScopes(const std::string& scopes);
  // The only bot token / app token accepted from now on (a rotation). Default: kBotToken, kAppToken.
  void SetBotToken(const std::string& token);
  void SetAppToken(const std::string& token);

  // The OpenID Connect provider (Sign in with Slack) this fake serves.
  FakeSlackOpenId& openid() { return openid_; }

  // The members of user group `id` (usergroups.users.list).
  void SetUsergroup(const std::string& id, const std::vector<std::string>& users);
  // base_url() + "/response/<id>": a response_url to put in a payload.
  std::string ResponseUrl(const std::string& id) const;

  // --- what arrived ---
  std::vector<SlackRequest> requests() const;
  int Count(const std::string& api_method) const;
  // Every views.open the fake accepted: {"trigger_id":…, "view":{…}}, in order.
  std::vector<nlohmann::json> OpenedViews() const;
  // Every chat.postEphemeral the fake accepted: its arguments ({"channel","user","text","thread_ts"…}).
  std::vector<nlohmann::json> Ephemerals() const;
  // Every POST to a response_url: {"id":<id>, "body":<the JSON received>} (body null when not JSON).
  std::vector<nlohmann::json> ResponseUrlPosts() const;

  // --- scripted failures (each for the next `times` calls of `api_method`) ---
  // HTTP 429, `retry-after: <seconds>` (none when negative), body {"ok":false,"error":"ratelimited"}.
  void RateLimitNext(const std::string& api_method, int times, int retry_after_seconds = 1);
  // HTTP 200 {"ok":false,"error":<error>} plus `extra` fields (e.g. needed/provided for missing_scope);
  // an empty `error` sends {"ok":false} alone.
  void FailNext(const std::string& api_method, const std::string& error, int times = 1,
                const nlohmann::json& extra = nlohmann::json::object());
  // HTTP `status` with `body` (Default: a proxy's HTML error page) of `content_type`.
  void FailHttpNext(const std::string& api_method, int status, int times = 1,
                    const std::string& body = "<html><body><h1>502 Bad Gateway</h1></body></html>",
                    const std::string& content_type = "text/html");
  // The next `times` chat.postMessage calls that succeed are stored, then the connection breaks (above).
  void DropPostAfterStoring(int times = 1);
  // The next call of `api_method` is held: its answer waits until ReleaseHeld() (or the fake's end), so a
  // test can SIGKILL the client while it waits. With `apply` the call takes effect first (Slack did it; the
  // answer is lost with the client), without it the held call is answered 503 and changes nothing.
  void HoldNext(const std::string& api_method, bool apply);
  void ReleaseHeld();

 private:
  struct Channel {
    std::string id;
    std::string name;
    bool is_member = false;
    bool is_private = false;
    bool is_archived = false;
    bool is_im = false;
    std::vector<nlohmann::json> messages;  // oldest first (ts order)
  };
  struct Scripted {
    int rate_limited = 0;
    int retry_after_seconds = 1;
    int http_failures = 0;
    int http_status = 0;
    std::string http_body;
    std::string http_content_type;
    int ok_false = 0;
    std::string error;
    nlohmann::json extra;
  };
  // How the fake answers one request: a body, or (drop) a connection broken after the headers.
  struct Answer {
    int status = 200;
    std::string body;
    std::string content_type = "application/json; charset=utf-8";
    httplib::Headers headers;
    bool drop = false;
  };

  static Answer Ok(nlohmann::json body);  // HTTP 200, {"ok":true, …body}
  static Answer SlackFailure(const std::string& error,
                             const nlohmann::json& extra = nlohmann::json::object());
  void Handle(const httplib::Request& request, httplib::Response& response);
  Answer Route(const std::string& api_method, const httplib::Request& request);
  Answer AuthTest();
  Answer ConversationsList(const nlohmann::json& args);
  Answer ConversationsHistory(const nlohmann::json& args);
  Answer ConversationsReplies(const nlohmann::json& args);
  Answer ChatPostMessage(const nlohmann::json& args);
  Answer ChatUpdate(const nlohmann::json& args);
  Answer ConversationsOpen(const nlohmann::json& args);
  Answer ViewsOpen(const nlohmann::json& args);
  Answer ChatPostEphemeral(const nlohmann::json& args);
  Answer UsergroupsUsersList(const nlohmann::json& args);
  // reactions.add (`add`) or reactions.remove: the same checks, then the bot's reaction is put on or taken
  // off.
  Answer Reactions(const nlohmann::json& args, bool add);

  std::string NextTs();
  Channel* FindChannel(const std::string& id_or_name);
  nlohmann::json* FindMessage(Channel& channel, const std::string& ts);
  // Appends `message` (its ts the newest) and, for a reply, updates the parent's thread fields.
  void StoreMessage(Channel& channel, nlohmann::json message);
  void AddChannelLocked(const std::string& dm_id);             // a DM channel the bot is in
  static std::string DmChannelId(const std::string& user_id);  // U123 → D123, the same every time

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<SlackRequest> requests_;
  std::deque<Channel> channels_;  // in the order added (conversations.list order); addresses stay valid
  std::vector<SlackBotPost> bot_posts_;
  std::map<std::string, Scripted> scripted_;  // by API method
  std::set<std::string> reactions_;           // "channel|ts|name" the bot added
  std::vector<nlohmann::json> opened_views_;
  std::set<std::string> used_triggers_;
  std::vector<nlohmann::json> ephemerals_;
  std::vector<nlohmann::json> response_url_posts_;
  std::map<std::string, std::vector<std::string>> usergroups_;
  int drop_posts_ = 0;
  std::string hold_method_;  // HoldNext
  bool hold_apply_ = false;
  bool held_released_ = false;
  std::condition_variable held_cv_;
  int page_size_cap_ = 0;  // 0: none
  int64_t ts_counter_ = 0;
  int64_t ts_base_seconds_ = 1700000000;  // SetTsBase
  std::string scopes_ =
      "channels:history,groups:history,chat:write,im:write,reactions:write,channels:read,groups:read,"
      "usergroups:read";
  std::string socket_mode_url_;
  FakeSlackOpenId openid_;
  std::string bot_token_ = kBotToken;
  std::string app_token_ = kAppToken;
};

}  // namespace creditbot::testing
