// The Slack Web API client; see slack_web_api.h. One method call is Call(): pacing, the HTTP exchange,
// the retry decision (ClassifyAnswer) and the ok:false → canonical code mapping (SlackError) with a hint
// saying what to fix.
#include "slack/slack_web_api.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/backoff.h"
#include "common/json_fields.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/url.h"

namespace creditbot {
namespace {

using Json = nlohmann::json;

// The status payload that carries Slack's error code (see SlackErrorCode).
constexpr char kSlackErrorPayload[] = "type.creditbot/slack-error";
// Longest Slack validation message (response_metadata.messages) quoted in an error.
constexpr std::size_t kMaxQuoted = 200;
// Tokens shorter than this are not scrubbed from messages (they would mangle ordinary words); real Slack
// tokens are over 40 characters.
constexpr std::size_t kMinScrubbedToken = 8;
// A conversations.list walk longer than this is taken for a cursor loop.
constexpr int kMaxListPages = 1000;

// Requests per minute of each method's rate tier (research §3). chat.postMessage is "Special" (about one
// post per second per channel, plus an unpublished workspace-wide limit): it gets Tier 4's budget here, and
// the per-channel interval of Pace() does the rest.
double PerMinute(std::string_view method) {
  if (method == "conversations.list") return 20;                              // Tier 2
  if (method == "usergroups.users.list") return 20;                           // Tier 2
  if (method == "chat.postEphemeral") return 100;                             // Tier 4
  if (method == "reactions.remove") return 20;                                // Tier 2
  if (method == "auth.test" || method == "apps.connections.open") return 20;  // Special / Tier 1
  if (method == "chat.postMessage") return 100;                               // Special, see above
  if (method == "views.open") return 100;                                     // Tier 4
  return 50;  // Tier 3: conversations.history, .replies, .open, chat.update, reactions.add
}

// Error codes that say Slack did not do the call and a later attempt may succeed.
bool IsRetryableCode(std::string_view code) {
  return code == "internal_error" || code == "fatal_error" || code == "request_timeout" ||
         code == "service_unavailable" || code == "ratelimited" || code == "rate_limited";
}

bool IsRateLimitCode(std::string_view code) { return code == "ratelimited" || code == "rate_limited"; }

absl::StatusCode CanonicalCode(std::string_view code) {
  if (code == "invalid_auth" || code == "not_authed" || code == "account_inactive" ||
      code == "token_revoked" || code == "token_expired") {
    return absl::StatusCode::kUnauthenticated;
  }
  if (code == "missing_scope" || code == "not_in_channel" || code == "no_permission" ||
      code.starts_with("restricted_action") || code == "channel_is_limited_access" ||
      code == "ekm_access_denied") {
    return absl::StatusCode::kPermissionDenied;
  }
  if (code == "channel_not_found" || code == "thread_not_found" || code == "message_not_found" ||
      code == "user_not_found") {
    return absl::StatusCode::kNotFound;
  }
  if (IsRetryableCode(code)) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kInvalidArgument;
}

// Builds a form body, leaving out empty values.
class FormBody {
 public:
  FormBody& Add(std::string_view name, std::string_view value) {
    if (value.empty()) return *this;
    if (!body_.empty()) body_.push_back('&');
    absl::StrAppend(&body_, ToAbsl(name), "=", PercentEncode(value));
    return *this;
  }
  const std::string& str() const { return body_; }

 private:
  std::string body_;
};

std::string DumpJson(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

// A status with `code` and `message` that keeps the payloads (the Slack error code) of `from`.
absl::Status Rebuilt(absl::StatusCode code, std::string_view message, const absl::Status& from) {
  absl::Status rebuilt(code, ToAbsl(message));
  from.ForEachPayload(
      [&rebuilt](absl::string_view type, const absl::Cord& payload) { rebuilt.SetPayload(type, payload); });
  return rebuilt;
}

// The outcome of one HTTP exchange.
struct Outcome {
  enum Kind { kDone, kFail, kRetry };
  Kind kind = kFail;
  Json answer;          // kDone: the ok:true answer
  absl::Status status;  // kFail: the error; kRetry: the error if this was the last attempt
  absl::Duration wait;  // kRetry: how long to wait first
};

Outcome Done(Json answer) { return Outcome{Outcome::kDone, std::move(answer), absl::OkStatus(), {}}; }
Outcome Fail(absl::Status status) { return Outcome{Outcome::kFail, {}, std::move(status), {}}; }
Outcome Retry(absl::Status status, absl::Duration wait) {
  return Outcome{Outcome::kRetry, {}, std::move(status), wait};
}

constexpr absl::string_view kMayHavePosted =
    "; the message may have been posted: look in the thread before posting again";

// Why a call cannot be made: the token it needs is not set.
absl::Status MissingToken(absl::string_view name, bool use_app_token) {
  return absl::FailedPreconditionError(
      use_app_token ? absl::StrCat("Slack ", name,
                                   ": SLACK_APP_TOKEN is not set (Socket Mode needs an xapp- app-level token "
                                   "with connections:write)")
                    : absl::StrCat("Slack ", name, ": SLACK_BOT_TOKEN is not set"));
}

// The call failed before an HTTP answer: nothing was sent (kInvalidArgument), maybe posted (a call that is
// not idempotent), worth retrying after `retry_wait` (unavailable, deadline), or another failure.
Outcome TransportFailure(absl::string_view name, const absl::Status& failure, bool idempotent,
                         absl::Duration retry_wait) {
  const std::string text = absl::StrCat("Slack ", name, ": ", failure.message());
  if (failure.code() == absl::StatusCode::kInvalidArgument) {
    return Fail(absl::InvalidArgumentError(text));  // nothing was sent
  }
  if (!idempotent) {
    // The request may have reached Slack before the connection failed; only the thread can tell.
    return Fail(absl::UnknownError(absl::StrCat(text, kMayHavePosted)));
  }
  if (failure.code() == absl::StatusCode::kUnavailable ||
      failure.code() == absl::StatusCode::kDeadlineExceeded) {
    return Retry(absl::UnavailableError(text), retry_wait);
  }
  return Fail(absl::Status(failure.code(), text));
}

// An answer that is not Slack's JSON: a proxy's or load balancer's error page (Slack's own answers are
// always JSON with `ok`). Retried after `retry_wait` unless the call may have posted.
Outcome NotSlackAnswer(absl::string_view name, int http_status, bool idempotent, absl::Duration retry_wait) {
  const std::string text =
      absl::StrCat("Slack ", name, ": HTTP ", http_status, " with an answer that is not Slack's JSON");
  if (!idempotent) return Fail(absl::UnknownError(absl::StrCat(text, kMayHavePosted)));
  return Retry(absl::UnavailableError(text), retry_wait);
}

}  // namespace

std::string SlackErrorCode(const absl::Status& status) {
  if (status.ok()) return "";
  auto code = status.GetPayload(kSlackErrorPayload);
  return code ? std::string(*code) : "";
}

SlackWebApi::SlackWebApi(HttpTransport& transport, const Clock& clock, Sleeper& sleeper,
                         SlackApiOptions options)
    : transport_(transport), clock_(clock), sleeper_(sleeper), options_(std::move(options)) {
  if (!options_.api_base_url.empty() && !options_.api_base_url.ends_with('/')) options_.api_base_url += '/';
  options_status_ = ValidateOptions(options_);
}

absl::Status SlackWebApi::ValidateOptions(const SlackApiOptions& options) {
  struct UrlDeleter {
    void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
  };
  struct TextDeleter {
    void operator()(char* text) const { curl_free(text); }
  };
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (url == nullptr) return absl::ResourceExhaustedError("libcurl: curl_url failed");
  char* scheme_text = nullptr;
  char* host_text = nullptr;
  if (curl_url_set(url.get(), CURLUPART_URL, options.api_base_url.c_str(), 0) != CURLUE_OK ||
      curl_url_get(url.get(), CURLUPART_SCHEME, &scheme_text, 0) != CURLUE_OK ||
      curl_url_get(url.get(), CURLUPART_HOST, &host_text, 0) != CURLUE_OK) {
    curl_free(scheme_text);
    return absl::InvalidArgumentError(
        absl::StrCat("CREDITBOT_SLACK_API_URL '", options.api_base_url, "' is not a URL"));
  }
  std::unique_ptr<char, TextDeleter> scheme(scheme_text);
  std::unique_ptr<char, TextDeleter> host(host_text);
  const std::string scheme_name = absl::AsciiStrToLower(scheme.get());
  const std::string host_name = absl::AsciiStrToLower(host.get());
  const bool loopback = host_name == "127.0.0.1" || host_name == "localhost" || host_name == "[::1]";
  if (scheme_name != "https" && !(scheme_name == "http" && loopback)) {
    return absl::InvalidArgumentError(absl::StrCat("CREDITBOT_SLACK_API_URL '", options.api_base_url,
                                                   "' must be https (http only on loopback, for tests)"));
  }
  // The messages name the setting and the expected prefix, never the value: it is a secret.
  if (!options.bot_token.empty() && !options.bot_token.starts_with("xoxb-")) {
    return absl::InvalidArgumentError(
        "SLACK_BOT_TOKEN is not a bot token: it must start with xoxb- (OAuth & Permissions, Bot User OAuth "
        "Token)");
  }
  if (!options.app_token.empty() && !options.app_token.starts_with("xapp-")) {
    return absl::InvalidArgumentError(
        "SLACK_APP_TOKEN is not an app-level token: it must start with xapp- (Basic Information, App-Level "
        "Tokens, with the connections:write scope)");
  }
  if (options.max_attempts < 1) return absl::InvalidArgumentError("Slack max_attempts must be at least 1");
  return absl::OkStatus();
}

absl::StatusOr<SlackIdentity> SlackWebApi::AuthTest() {
  if (identity_) return *identity_;
  CREDITBOT_ASSIGN_OR_RETURN(Json answer, Call("auth.test", "", /*json_body=*/false, /*use_app_token=*/false,
                                               /*idempotent=*/true));
  SlackIdentity identity{JsonStringMember(answer, "user_id"), JsonStringMember(answer, "bot_id"),
                         JsonStringMember(answer, "team_id"), JsonStringMember(answer, "team"),
                         JsonStringMember(answer, "url"),     {}};
  if (identity.user_id.empty()) {
    return absl::InternalError("Slack auth.test: the answer names no user_id");
  }
  bot_name_ = JsonStringMember(answer, "user");
  for (absl::string_view scope : absl::StrSplit(last_scopes_, ',', absl::SkipWhitespace()))
    identity.scopes.emplace_back(absl::StripAsciiWhitespace(scope));
  identity_ = identity;
  return identity;
}

namespace {

// The messages, cursor and has_more of a conversations.history/.replies answer.
absl::StatusOr<SlackMessagePage> ParsePage(std::string_view method, const Json& answer) {
  auto messages = answer.find("messages");
  if (messages == answer.end() || !messages->is_array()) {
    return absl::InternalError(absl::StrCat("Slack ", ToAbsl(method), ": the answer has no messages array"));
  }
  SlackMessagePage page;
  page.messages.assign(messages->begin(), messages->end());
  if (auto metadata = answer.find("response_metadata"); metadata != answer.end()) {
    page.next_cursor = JsonStringMember(*metadata, "next_cursor");
  }
  // A page without a cursor is the last, whatever has_more says: there is nothing to follow.
  page.has_more = JsonBoolMember(answer, "has_more") && !page.next_cursor.empty();
  return page;
}

}  // namespace

absl::StatusOr<SlackMessagePage> SlackWebApi::History(const SlackHistoryQuery& query) {
  if (query.channel.empty()) return absl::InvalidArgumentError("Slack conversations.history: no channel");
  FormBody form;
  form.Add("channel", query.channel)
      .Add("limit", std::to_string(query.limit))
      .Add("cursor", query.cursor)
      .Add("oldest", query.oldest)
      .Add("latest", query.latest)
      .Add("inclusive", query.inclusive ? "true" : "")
      .Add("include_all_metadata", query.include_all_metadata ? "true" : "");
  CREDITBOT_ASSIGN_OR_RETURN(Json answer, Call("conversations.history", form.str(), /*json_body=*/false,
                                               /*use_app_token=*/false, /*idempotent=*/true, query.channel));
  return ParsePage("conversations.history", answer);
}

absl::StatusOr<SlackMessagePage> SlackWebApi::Replies(std::string_view channel, std::string_view thread_ts,
                                                      std::string_view cursor, int limit) {
  if (channel.empty() || thread_ts.empty()) {
    return absl::InvalidArgumentError("Slack conversations.replies: a channel and a thread ts are needed");
  }
  FormBody form;
  form.Add("channel", channel)
      .Add("ts", thread_ts)
      .Add("limit", std::to_string(limit))
      .Add("cursor", cursor)
      .Add("include_all_metadata", "true");
  CREDITBOT_ASSIGN_OR_RETURN(Json answer, Call("conversations.replies", form.str(), /*json_body=*/false,
                                               /*use_app_token=*/false, /*idempotent=*/true, channel));
  return ParsePage("conversations.replies", answer);
}

absl::StatusOr<std::vector<SlackChannel>> SlackWebApi::ListChannels() {
  std::vector<SlackChannel> channels;
  std::set<std::string> cursors_seen;
  std::string cursor;
  for (int page = 0; page < kMaxListPages; ++page) {
    FormBody form;
    form.Add("types", "public_channel,private_channel")
        .Add("exclude_archived", "true")
        .Add("limit", "200")
        .Add("cursor", cursor);
    CREDITBOT_ASSIGN_OR_RETURN(Json answer, Call("conversations.list", form.str(), /*json_body=*/false,
                                                 /*use_app_token=*/false, /*idempotent=*/true));
    auto list = answer.find("channels");
    if (list == answer.end() || !list->is_array()) {
      return absl::InternalError("Slack conversations.list: the answer has no channels array");
    }
    for (const Json& item : *list) {
      SlackChannel channel{JsonStringMember(item, "id"), JsonStringMember(item, "name"),
                           JsonBoolMember(item, "is_private"), JsonBoolMember(item, "is_member"),
                           JsonBoolMember(item, "is_archived")};
      if (!channel.id.empty()) channels.push_back(std::move(channel));
    }
    cursor.clear();
    if (auto metadata = answer.find("response_metadata"); metadata != answer.end()) {
      cursor = JsonStringMember(*metadata, "next_cursor");
    }
    if (cursor.empty()) return channels;
    if (!cursors_seen.insert(cursor).second) {
      return absl::InternalError("Slack conversations.list: the same cursor came back twice");
    }
  }
  return absl::InternalError(absl::StrCat("Slack conversations.list: more than ", kMaxListPages, " pages"));
}

absl::StatusOr<SlackPosted> SlackWebApi::PostMessage(std::string_view payload_json) {
  const Json payload = Json::parse(payload_json, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object()) {
    return absl::InvalidArgumentError("Slack chat.postMessage: the payload is not a JSON object");
  }
  const std::string channel = JsonStringMember(payload, "channel");
  if (channel.empty())
    return absl::InvalidArgumentError("Slack chat.postMessage: the payload names no channel");
  CREDITBOT_ASSIGN_OR_RETURN(Json answer,
                             Call("chat.postMessage", std::string(payload_json), /*json_body=*/true,
                                  /*use_app_token=*/false, /*idempotent=*/false, channel));
  SlackPosted posted{JsonStringMember(answer, "channel"), JsonStringMember(answer, "ts")};
  if (posted.ts.empty()) {
    // Slack said ok: the message exists, but without its ts the caller cannot record it.
    return absl::UnknownError(absl::StrCat("Slack chat.postMessage (channel ", channel,
                                           "): ok without a ts; the message was probably posted, look in the "
                                           "thread before posting again"));
  }
  if (posted.channel.empty()) posted.channel = channel;
  return posted;
}

absl::Status SlackWebApi::UpdateMessage(std::string_view channel, std::string_view ts,
                                        std::string_view payload_json) {
  const Json payload = Json::parse(payload_json, nullptr, /*allow_exceptions=*/false);
  if (payload.is_discarded() || !payload.is_object()) {
    return absl::InvalidArgumentError("Slack chat.update: the payload is not a JSON object");
  }
  Json body = {{"channel", channel}, {"ts", ts}};
  for (const char* field : {"text", "blocks", "metadata"}) {
    if (auto it = payload.find(field); it != payload.end()) body[field] = *it;
  }
  return Call("chat.update", DumpJson(body), /*json_body=*/true, /*use_app_token=*/false, /*idempotent=*/true,
              channel)
      .status();
}

absl::StatusOr<std::string> SlackWebApi::PostEphemeral(std::string_view channel, std::string_view user,
                                                       std::string_view text, std::string_view blocks_json,
                                                       std::string_view thread_ts) {
  Json body = {{"channel", channel}, {"user", user}, {"text", text}};
  if (!blocks_json.empty()) {
    Json blocks = Json::parse(blocks_json, nullptr, /*allow_exceptions=*/false);
    if (blocks.is_discarded() || !blocks.is_array())
      return absl::InvalidArgumentError("Slack chat.postEphemeral: the blocks are not a JSON array");
    body["blocks"] = std::move(blocks);
  }
  if (!thread_ts.empty()) body["thread_ts"] = thread_ts;
  CREDITBOT_ASSIGN_OR_RETURN(Json answer, Call("chat.postEphemeral", DumpJson(body), /*json_body=*/true,
                                               /*use_app_token=*/false, /*idempotent=*/false, channel));
  return JsonStringMember(answer, "message_ts");
}

absl::StatusOr<std::vector<std::string>> SlackWebApi::UsergroupUsers(std::string_view usergroup_id) {
  FormBody form;
  form.Add("usergroup", usergroup_id);
  CREDITBOT_ASSIGN_OR_RETURN(Json answer, Call("usergroups.users.list", form.str(), /*json_body=*/false,
                                               /*use_app_token=*/false, /*idempotent=*/true));
  auto users = answer.find("users");
  if (users == answer.end() || !users->is_array()) {
    return absl::InternalError("Slack usergroups.users.list: the answer has no users array");
  }
  std::vector<std::string> ids;
  for (const Json& user : *users) {
    if (user.is_string()) ids.push_back(user.get<std::string>());
  }
  return ids;
}

absl::StatusOr<std::string> SlackWebApi::OpenView(std::string_view trigger_id, std::string_view view_json) {
  if (trigger_id.empty()) return absl::InvalidArgumentError("Slack views.open: no trigger_id");
  Json view = Json::parse(view_json, nullptr, /*allow_exceptions=*/false);
  if (view.is_discarded() || !view.is_object()) {
    return absl::InvalidArgumentError("Slack views.open: the view is not a JSON object");
  }
  const Json body = {{"trigger_id", trigger_id}, {"view", std::move(view)}};
  // A trigger_id works once: a repeat after a lost answer is refused by Slack, never shown twice.
  CREDITBOT_ASSIGN_OR_RETURN(Json answer, Call("views.open", DumpJson(body), /*json_body=*/true,
                                               /*use_app_token=*/false, /*idempotent=*/true));
  const Json* opened = JsonObjectMember(answer, "view");
  return opened == nullptr ? "" : JsonStringMember(*opened, "id");
}

absl::StatusOr<std::string> SlackWebApi::OpenDm(std::string_view user_id) {
  if (user_id.empty())
    return absl::InvalidArgumentError("Slack conversations.open: no user id (SLACK_USER_ID)");
  if (auto it = dm_channels_.find(user_id); it != dm_channels_.end()) return it->second;
  const Json body = {{"users", user_id}};
  CREDITBOT_ASSIGN_OR_RETURN(Json answer, Call("conversations.open", DumpJson(body), /*json_body=*/true,
                                               /*use_app_token=*/false, /*idempotent=*/true));
  std::string channel;
  if (auto it = answer.find("channel"); it != answer.end()) channel = JsonStringMember(*it, "id");
  if (channel.empty()) return absl::InternalError("Slack conversations.open: the answer names no channel id");
  dm_channels_.emplace(std::string(user_id), channel);
  return channel;
}

absl::Status SlackWebApi::AddReaction(std::string_view channel, std::string_view ts, std::string_view name) {
  // The reaction is a courtesy: in a backlog it must not pace the answers (Tier 3, 50 a minute), so it is
  // skipped rather than waited for when this minute's budget is spent.
  if (Refill("reactions.add").tokens < 1)
    return absl::ResourceExhaustedError("Slack reactions.add: skipped, this minute's budget is spent");
  const Json body = {{"channel", channel}, {"name", name}, {"timestamp", ts}};
  absl::Status status = Call("reactions.add", DumpJson(body), /*json_body=*/true, /*use_app_token=*/false,
                             /*idempotent=*/true, channel)
                            .status();
  if (SlackErrorCode(status) == "already_reacted") return absl::OkStatus();
  return status;
}

absl::Status SlackWebApi::RemoveReaction(std::string_view channel, std::string_view ts,
                                         std::string_view name) {
  const Json body = {{"channel", channel}, {"name", name}, {"timestamp", ts}};
  absl::Status status = Call("reactions.remove", DumpJson(body), /*json_body=*/true, /*use_app_token=*/false,
                             /*idempotent=*/true, channel)
                            .status();
  if (SlackErrorCode(status) == "no_reaction") return absl::OkStatus();
  return status;
}

bool SlackWebApi::HasBudget(std::string_view method) { return Refill(method).tokens >= 1; }

absl::StatusOr<std::string> SlackWebApi::OpenSocketModeUrl() {
  CREDITBOT_ASSIGN_OR_RETURN(Json answer, Call("apps.connections.open", "", /*json_body=*/false,
                                               /*use_app_token=*/true, /*idempotent=*/true));
  std::string url = JsonStringMember(answer, "url");
  if (url.empty()) return absl::InternalError("Slack apps.connections.open: the answer has no url");
  return url;
}

SlackWebApi::Bucket& SlackWebApi::Refill(std::string_view method) {
  const double capacity = PerMinute(method);
  auto it = buckets_.find(method);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(method), Bucket{}).first;
  Bucket& bucket = it->second;
  const absl::Time now = clock_.Now();
  if (bucket.tokens < 0) {
    bucket.tokens = capacity;
  } else if (now > bucket.refilled) {
    bucket.tokens =
        std::min(capacity, bucket.tokens + absl::ToDoubleSeconds(now - bucket.refilled) * capacity / 60.0);
  }
  bucket.refilled = now;
  return bucket;
}

void SlackWebApi::Pace(std::string_view method, std::string_view channel) {
  const double per_second = PerMinute(method) / 60.0;
  Bucket& bucket = Refill(method);
  if (bucket.tokens < 1) {
    const absl::Duration wait = absl::Seconds((1 - bucket.tokens) / per_second);
    LogInfo("waiting for Slack's rate limit",
            {{"method", std::string(method)}, {"wait_ms", std::to_string(absl::ToInt64Milliseconds(wait))}});
    sleeper_.Sleep(wait);
    bucket.tokens = 1;
    bucket.refilled = clock_.Now();
  }
  bucket.tokens -= 1;

  if (method != "chat.postMessage" || channel.empty()) return;
  const absl::Time before_post = clock_.Now();
  if (auto last = last_post_at_.find(channel); last != last_post_at_.end()) {
    const absl::Duration since = before_post - last->second;
    if (since < options_.post_interval) sleeper_.Sleep(options_.post_interval - since);
  }
  last_post_at_[std::string(channel)] = clock_.Now();
}

absl::Status SlackWebApi::SlackError(std::string_view method, std::string_view code, const Json& answer,
                                     std::string_view channel, bool use_app_token) const {
  std::string message = absl::StrCat("Slack ", ToAbsl(method), ": ", ToAbsl(code));
  if (!channel.empty()) absl::StrAppend(&message, " (channel ", ToAbsl(channel), ")");
  std::string hint;
  const std::string token_setting = use_app_token ? "SLACK_APP_TOKEN" : "SLACK_BOT_TOKEN";
  if (code == "not_in_channel") {
    hint = absl::StrCat("invite the bot to the channel: /invite @", bot_name_.empty() ? "<bot>" : bot_name_,
                        " in #channel", channel.empty() ? "" : absl::StrCat(" (", ToAbsl(channel), ")"));
  } else if (code == "invalid_auth" || code == "not_authed") {
    hint = absl::StrCat("check ", token_setting);
  } else if (code == "account_inactive" || code == "token_revoked" || code == "token_expired") {
    hint = absl::StrCat(
        "the token no longer works (app uninstalled or token revoked): reinstall the app and "
        "check ",
        token_setting);
  } else if (code == "missing_scope") {
    const std::string needed = JsonStringMember(answer, "needed");
    hint = needed.empty() ? "add the missing scope to the Slack app and reinstall it"
                          : absl::StrCat("add the scope ", needed, " to the Slack app and reinstall it");
  } else if (code == "channel_not_found") {
    hint = "check CREDITBOT_SLACK_CHANNELS (channel ids, and the bot must be able to see the channel)";
  } else if (code == "user_not_found") {
    hint = "check SLACK_USER_ID";
  } else if (IsRateLimitCode(code)) {
    hint = "Slack is rate-limiting creditbot; try again later";
  } else if (code == "unknown_error") {
    hint = "Slack answered ok:false without an error code";
  }
  if (!hint.empty()) absl::StrAppend(&message, ": ", hint);
  // Validation details, e.g. "[ERROR] invalid_keys" for invalid_blocks.
  if (auto metadata = answer.find("response_metadata"); metadata != answer.end() && metadata->is_object()) {
    if (auto details = metadata->find("messages"); details != metadata->end() && details->is_array() &&
                                                   !details->empty() && details->front().is_string()) {
      std::string detail = details->front().get<std::string>();
      if (detail.size() > kMaxQuoted) detail = absl::StrCat(detail.substr(0, kMaxQuoted), "…");
      absl::StrAppend(&message, " (", detail, ")");
    }
  }
  absl::Status status(CanonicalCode(code), message);
  status.SetPayload(kSlackErrorPayload, absl::Cord(ToAbsl(code)));
  return status;
}

absl::Status SlackWebApi::Scrub(absl::Status status) const {
  if (status.ok()) return status;
  std::string message(status.message());
  bool changed = false;
  for (const std::string* token : {&options_.bot_token, &options_.app_token}) {
    if (token->size() < kMinScrubbedToken || message.find(*token) == std::string::npos) continue;
    message = absl::StrReplaceAll(message, {{*token, "[redacted]"}});
    changed = true;
  }
  if (!changed) return status;
  return Rebuilt(status.code(), message, status);
}

HttpRequest SlackWebApi::NewRequest(std::string_view method, const std::string& token,
                                    const std::string& body, bool json_body) const {
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(options_.api_base_url, ToAbsl(method));
  // Slack warns missing_charset on JSON without a charset and superfluous_charset on forms with one.
  request.headers = {
      {"Authorization", absl::StrCat("Bearer ", token)},
      {"Content-Type", json_body ? "application/json; charset=utf-8" : "application/x-www-form-urlencoded"},
      {"Accept", "application/json"}};
  request.body = body;
  request.timeout = options_.call_timeout;
  return request;
}

absl::StatusOr<Json> SlackWebApi::Call(std::string_view method, const std::string& body, bool json_body,
                                       bool use_app_token, bool idempotent, std::string_view channel) {
  CREDITBOT_RETURN_IF_ERROR(options_status_);
  const std::string& token = use_app_token ? options_.app_token : options_.bot_token;
  const absl::string_view name = ToAbsl(method);
  if (token.empty()) return MissingToken(name, use_app_token);
  const HttpRequest request = NewRequest(method, token, body, json_body);
  // 1 s, doubling, capped at max_retry_wait, which also caps Retry-After.
  const BackoffPolicy backoff(absl::Seconds(1), options_.max_retry_wait, BackoffJitter::kNone);
  // A rate limit's wait is its Retry-After, 30 s when it has none.
  auto rate_limited_wait = [this](const HttpResponse& answer) -> std::optional<absl::Duration> {
    return RetryAfter(answer, clock_.Now(), options_.max_retry_wait).value_or(absl::Seconds(30));
  };

  for (int attempt = 1;; ++attempt) {
    Pace(method, channel);
    Outcome outcome;
    absl::StatusOr<HttpResponse> response = transport_.Send(request);
    if (!response.ok()) {
      outcome = TransportFailure(name, response.status(), idempotent, backoff.Delay(attempt - 1));
    } else if (response->status == 429) {
      // Slack refused the call before doing it: safe to repeat, even a post.
      const Json answer = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
      std::string code = answer.is_discarded() ? "" : JsonStringMember(answer, "error");
      if (code.empty()) code = "ratelimited";
      const absl::Status refused =
          SlackError(method, code, answer.is_discarded() ? Json::object() : answer, channel, use_app_token);
      absl::Status status =
          Rebuilt(absl::StatusCode::kUnavailable, absl::StrCat(refused.message(), " (HTTP 429)"), refused);
      outcome = Retry(std::move(status), backoff.Delay(attempt - 1, rate_limited_wait(*response)));
    } else {
      const Json answer = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
      const bool is_slack_answer =
          !answer.is_discarded() && answer.is_object() && answer.contains("ok") && answer["ok"].is_boolean();
      if (!is_slack_answer) {
        outcome = NotSlackAnswer(name, response->status, idempotent, backoff.Delay(attempt - 1));
      } else if (answer["ok"].get<bool>()) {
        if (std::optional<std::string> scopes = response->Header("x-oauth-scopes")) last_scopes_ = *scopes;
        std::string warning = JsonStringMember(answer, "warning");
        if (!warning.empty()) {
          LogWarn("Slack answered with a warning", {{"method", std::string(method)}, {"warning", warning}});
        }
        outcome = Done(answer);
      } else {
        std::string code = JsonStringMember(answer, "error");
        if (code.empty()) code = "unknown_error";
        absl::Status status = SlackError(method, code, answer, channel, use_app_token);
        if (IsRetryableCode(code)) {
          // An ok:false answer is Slack saying the call was not done, so even a post may be repeated.
          const absl::Duration wait =
              backoff.Delay(attempt - 1, IsRateLimitCode(code) ? rate_limited_wait(*response) : std::nullopt);
          outcome = Retry(std::move(status), wait);
        } else {
          outcome = Fail(std::move(status));
        }
      }
    }

    switch (outcome.kind) {
      case Outcome::kDone:
        return std::move(outcome.answer);
      case Outcome::kFail:
        return Scrub(std::move(outcome.status));
      case Outcome::kRetry:
        break;
    }
    if (attempt >= options_.max_attempts) {
      const std::string text =
          absl::StrCat(outcome.status.message(), " (gave up after ", attempt, " attempts)");
      return Scrub(Rebuilt(absl::StatusCode::kUnavailable, text, outcome.status));
    }
    LogWarn("Slack call failed; retrying",
            {{"method", std::string(method)},
             {"attempt", std::to_string(attempt)},
             {"wait_ms", std::to_string(absl::ToInt64Milliseconds(outcome.wait))},
             {"slack_error", SlackErrorCode(outcome.status)},
             {"error", std::string(Scrub(outcome.status).message())}});
    sleeper_.Sleep(outcome.wait);
  }
}

}  // namespace creditbot
