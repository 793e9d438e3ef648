// The fake Slack Web API server of the Slack client tests; see fake_slack_server.h.
#include "tests/fake_slack_server.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kApiPrefix = "/api/";
constexpr std::string_view kResponsePrefix = "/response/";
constexpr int64_t kTsStepMicros = 100;

// Form/query decoding of one name or value: '+' is a space, %XX a byte; a malformed escape stays as is.
std::string FormDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
      continue;
    }
    if (c == '%' && i + 2 < text.size()) {
      const std::string hex(text.substr(i + 1, 2));
      if (absl::ascii_isxdigit(static_cast<unsigned char>(hex[0])) &&
          absl::ascii_isxdigit(static_cast<unsigned char>(hex[1]))) {
        out.push_back(static_cast<char>(std::stoi(hex, nullptr, 16)));
        i += 2;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

void AddFormFields(std::string_view text, Json& args) {
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    args[FormDecode(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : FormDecode(pair.substr(eq + 1));
  }
}

// A Slack ts ("1700000000.000100", or "0", or whole seconds) as microseconds; nullopt when malformed.
std::optional<int64_t> TsKey(const std::string& ts) {
  const std::size_t dot = ts.find('.');
  const std::string seconds_text = ts.substr(0, dot);
  std::string micros_text = dot == std::string::npos ? "" : ts.substr(dot + 1);
  if (seconds_text.empty() || seconds_text.size() > 12) return std::nullopt;
  for (char c : seconds_text + micros_text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  micros_text.resize(6, '0');  // pads, or drops digits beyond microseconds
  int64_t seconds = 0;
  int64_t micros = 0;
  if (!absl::SimpleAtoi(seconds_text, &seconds) || !absl::SimpleAtoi(micros_text, &micros))
    return std::nullopt;
  return seconds * 1000000 + micros;
}

std::string TsOf(const Json& message) { return message.value("ts", ""); }
int64_t KeyOf(const Json& message) { return TsKey(TsOf(message)).value_or(0); }

std::string StringArg(const Json& args, const std::string& name) {
  auto it = args.find(name);
  return it != args.end() && it->is_string() ? it->get<std::string>() : "";
}

bool BoolArg(const Json& args, const std::string& name, bool fallback = false) {
  auto it = args.find(name);
  if (it == args.end()) return fallback;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  if (it->is_string()) {
    const std::string text = absl::AsciiStrToLower(it->get<std::string>());
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
  }
  return fallback;
}

std::optional<bool> OptionalBoolArg(const Json& args, const std::string& name) {
  if (!args.contains(name)) return std::nullopt;
  return BoolArg(args, name);
}

int IntArg(const Json& args, const std::string& name, int fallback) {
  auto it = args.find(name);
  if (it == args.end()) return fallback;
  if (it->is_number_integer()) return it->get<int>();
  int value = 0;
  if (it->is_string() && absl::SimpleAtoi(it->get<std::string>(), &value)) return value;
  return fallback;
}

// A JSON-typed argument: the value itself in a JSON body, its JSON text in a form. nullopt: malformed.
std::optional<Json> JsonArg(const Json& args, const std::string& name) {
  auto it = args.find(name);
  if (it == args.end()) return Json();
  if (!it->is_string()) return *it;
  Json parsed = Json::parse(it->get<std::string>(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

// Opaque cursors in Slack's style: base64 of "next_ts:<ts digits>" (what the fixtures' cursors decode
// to) naming the first item of the next page.
std::string TsCursor(const std::string& ts) {
  std::string digits = ts;
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  return absl::Base64Escape(absl::StrCat("next_ts:", digits));
}
std::optional<int64_t> TsFromCursor(const std::string& cursor) {
  std::string decoded;
  if (!absl::Base64Unescape(cursor, &decoded) || !absl::StartsWith(decoded, "next_ts:")) return std::nullopt;
  int64_t key = 0;
  if (!absl::SimpleAtoi(absl::string_view(decoded).substr(8), &key)) return std::nullopt;
  return key;
}

std::string Dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

bool IsThreadReply(const Json& message) {
  const std::string thread_ts = message.value("thread_ts", "");
  return !thread_ts.empty() && thread_ts != TsOf(message) &&
         message.value("subtype", "") != "thread_broadcast";
}

}  // namespace

std::string SlackRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string FakeSlackServer::Fixture(const std::string& name) {
  return testing::ReadFixture("slack/web_api/" + name);
}

FakeSlackServer::FakeSlackServer() {
  socket_mode_url_ =
      Json::parse(Fixture("docs_ref/apps.connections.open.json"))["examples"]["success"]["example"].value(
          "url", "");
  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    Handle(request, response);
  };
  server_.Get(".*", handler);
  server_.Post(".*", handler);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("FakeSlackServer: cannot bind to 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop runs: wait for it (milliseconds at most).
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeSlackServer::~FakeSlackServer() {
  ReleaseHeld();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeSlackServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
std::string FakeSlackServer::api_url() const { return base_url() + std::string(kApiPrefix); }

void FakeSlackServer::AddChannel(const std::string& id, const std::string& name, bool bot_is_member,
                                 bool is_private, bool is_archived) {
  std::lock_guard<std::mutex> lock(mutex_);
  Channel channel;
  channel.id = id;
  channel.name = name;
  channel.is_member = bot_is_member;
  channel.is_private = is_private;
  channel.is_archived = is_archived;
  channel.is_im = !id.empty() && id[0] == 'D';
  channels_.push_back(std::move(channel));
}

std::string FakeSlackServer::PostUserMessage(const std::string& channel_id, Json message) {
  std::lock_guard<std::mutex> lock(mutex_);
  Channel* channel = FindChannel(channel_id);
  if (channel == nullptr) throw std::invalid_argument("FakeSlackServer: no channel " + channel_id);
  if (!message.is_object()) throw std::invalid_argument("FakeSlackServer: a message is a JSON object");
  if (!message.contains("type")) message["type"] = "message";
  message["ts"] = NextTs();
  const std::string ts = TsOf(message);
  StoreMessage(*channel, std::move(message));
  return ts;
}

void FakeSlackServer::EditMessage(const std::string& channel_id, const std::string& ts,
                                  const std::string& new_text) {
  std::lock_guard<std::mutex> lock(mutex_);
  Channel* channel = FindChannel(channel_id);
  Json* message = channel == nullptr ? nullptr : FindMessage(*channel, ts);
  if (message == nullptr) throw std::invalid_argument("FakeSlackServer: no message " + channel_id + " " + ts);
  (*message)["text"] = new_text;
  (*message)["edited"] = {{"user", message->value("user", "")}, {"ts", NextTs()}};
}

std::vector<Json> FakeSlackServer::Messages(const std::string& channel_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const Channel& channel : channels_) {
    if (channel.id == channel_id) return channel.messages;
  }
  return {};
}

std::vector<SlackBotPost> FakeSlackServer::BotPosts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bot_posts_;
}

void FakeSlackServer::SetSocketModeUrl(const std::string& url) {
  std::lock_guard<std::mutex> lock(mutex_);
  socket_mode_url_ = url;
}

void FakeSlackServer::SetPageSizeCap(int max_items) {
  std::lock_guard<std::mutex> lock(mutex_);
  page_size_cap_ = max_items;
}

std::vector<SlackRequest> FakeSlackServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

int FakeSlackServer::Count(const std::string& api_method) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(std::count_if(requests_.begin(), requests_.end(), [&](const SlackRequest& request) {
    return request.api_method == api_method;
  }));
}

void FakeSlackServer::RateLimitNext(const std::string& api_method, int times, int retry_after_seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  scripted_[api_method].rate_limited = times;
  scripted_[api_method].retry_after_seconds = retry_after_seconds;
}

void FakeSlackServer::FailNext(const std::string& api_method, const std::string& error, int times,
                               const Json& extra) {
  std::lock_guard<std::mutex> lock(mutex_);
  Scripted& scripted = scripted_[api_method];
  scripted.ok_false = times;
  scripted.error = error;
  scripted.extra = extra;
}

void FakeSlackServer::FailHttpNext(const std::string& api_method, int status, int times,
                                   const std::string& body, const std::string& content_type) {
  std::lock_guard<std::mutex> lock(mutex_);
  Scripted& scripted = scripted_[api_method];
  scripted.http_failures = times;
  scripted.http_status = status;
  scripted.http_body = body;
  scripted.http_content_type = content_type;
}

void FakeSlackServer::DropPostAfterStoring(int times) {
  std::lock_guard<std::mutex> lock(mutex_);
  drop_posts_ = times;
}

void FakeSlackServer::HoldNext(const std::string& api_method, bool apply) {
  std::lock_guard<std::mutex> lock(mutex_);
  hold_method_ = api_method;
  hold_apply_ = apply;
  held_released_ = false;
}

void FakeSlackServer::ReleaseHeld() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    held_released_ = true;
  }
  held_cv_.notify_all();
}

void FakeSlackServer::Handle(const httplib::Request& request, httplib::Response& response) {
  std::unique_lock<std::mutex> lock(mutex_);
  const std::string api_method =
      request.path.starts_with(kApiPrefix) ? request.path.substr(kApiPrefix.size()) : std::string();
  requests_.push_back(SlackRequest{request.method, request.path, api_method, request.body, request.headers});

  Answer answer;
  if (request.method == "POST" && request.path.starts_with(kResponsePrefix)) {
    Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    response_url_posts_.push_back(
        {{"id", request.path.substr(kResponsePrefix.size())}, {"body", body.is_discarded() ? Json() : body}});
    answer.body = "ok";
    answer.content_type = "text/plain";
  } else if (request.method == "GET" && request.path == "/openid/connect/authorize") {
    Json args = Json::object();
    if (const std::size_t query = request.target.find('?'); query != std::string::npos) {
      AddFormFields(std::string_view(request.target).substr(query + 1), args);
    }
    const FakeSlackOpenId::Redirect redirect = openid_.Authorize(args);
    answer.status = redirect.status;
    if (redirect.status == 302) answer.headers.emplace("Location", redirect.location);
    answer.body = redirect.body;
    answer.content_type = "text/plain";
  } else if (request.method == "GET" && request.path == "/openid/connect/keys") {
    answer.body = Dump(openid_.Keys());
  } else if (api_method.empty()) {
    answer.status = 404;
    answer.body = "Not Found";
    answer.content_type = "text/plain";
  } else if (!hold_method_.empty() && api_method == hold_method_) {
    hold_method_.clear();
    if (hold_apply_) {
      answer = Route(api_method, request);
    } else {
      answer.status = 503;
      answer.body = "held, then refused";
      answer.content_type = "text/plain";
    }
    held_cv_.wait(lock, [this] { return held_released_; });  // the mutex is free meanwhile
  } else {
    answer = Route(api_method, request);
  }
  response.status = answer.status;
  for (const auto& [name, value] : answer.headers) response.set_header(name, value);
  if (!scopes_.empty()) response.set_header("x-oauth-scopes", scopes_);  // as Slack sends on every answer
  if (answer.drop) {
    // Announce a body of answer.body.size() bytes, then fail before the first byte: httplib closes the
    // connection, and the client sees a 200 whose body never came.
    response.set_content_provider(
        answer.body.size(), answer.content_type.c_str(),
        [](std::size_t /*offset*/, std::size_t /*length*/, httplib::DataSink& /*sink*/) { return false; });
    return;
  }
  response.set_content(answer.body, answer.content_type.c_str());
}

void FakeSlackServer::SetUsergroup(const std::string& id, const std::vector<std::string>& users) {
  std::lock_guard<std::mutex> lock(mutex_);
  usergroups_[id] = users;
}

std::string FakeSlackServer::ResponseUrl(const std::string& id) const {
  return base_url() + std::string(kResponsePrefix) + id;
}

std::vector<Json> FakeSlackServer::OpenedViews() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return opened_views_;
}

std::vector<Json> FakeSlackServer::Ephemerals() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ephemerals_;
}

std::vector<Json> FakeSlackServer::ResponseUrlPosts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return response_url_posts_;
}

FakeSlackServer::Answer FakeSlackServer::ViewsOpen(const Json& args) {
  const std::string trigger_id = StringArg(args, "trigger_id");
  if (trigger_id.empty()) return SlackFailure("invalid_arguments");
  Json view = args.contains("view") ? args["view"] : Json();
  if (view.is_string()) view = Json::parse(view.get<std::string>(), nullptr, /*allow_exceptions=*/false);
  if (!view.is_object()) return SlackFailure("invalid_arguments");
  if (!used_triggers_.insert(trigger_id).second) return SlackFailure("exchanged_trigger_id");
  opened_views_.push_back({{"trigger_id", trigger_id}, {"view", view}});
  Json opened = view;
  opened["id"] = "V" + std::to_string(opened_views_.size());
  return Ok({{"view", opened}});
}

FakeSlackServer::Answer FakeSlackServer::ChatPostEphemeral(const Json& args) {
  const std::string channel_id = StringArg(args, "channel");
  if (StringArg(args, "user").empty()) return SlackFailure("user_not_found");
  Channel* channel = FindChannel(channel_id);
  if (channel == nullptr) return SlackFailure("channel_not_found");
  if (!channel->is_member) return SlackFailure("not_in_channel");
  if (StringArg(args, "text").empty() && !args.contains("blocks")) return SlackFailure("no_text");
  ephemerals_.push_back(args);
  return Ok({{"message_ts", NextTs()}});
}

FakeSlackServer::Answer FakeSlackServer::UsergroupsUsersList(const Json& args) {
  const auto group = usergroups_.find(StringArg(args, "usergroup"));
  if (group == usergroups_.end()) return SlackFailure("no_such_subteam");
  return Ok({{"users", group->second}});
}

FakeSlackServer::Answer FakeSlackServer::Ok(Json body) {
  Json answer = {{"ok", true}};
  answer.update(body);
  return Answer{200, Dump(answer), "application/json; charset=utf-8", {}, false};
}

FakeSlackServer::Answer FakeSlackServer::SlackFailure(const std::string& error, const Json& extra) {
  Json answer = {{"ok", false}};
  if (!error.empty()) answer["error"] = error;
  answer.update(extra);
  return Answer{200, Dump(answer), "application/json; charset=utf-8", {}, false};
}

FakeSlackServer::Answer FakeSlackServer::Route(const std::string& api_method,
                                               const httplib::Request& request) {
  // Scripted failures first.
  if (auto it = scripted_.find(api_method); it != scripted_.end()) {
    Scripted& scripted = it->second;
    if (scripted.rate_limited > 0) {
      --scripted.rate_limited;
      Answer answer{429,
                    Fixture("ratelimited.http429.body.python-sdk-mock.json"),
                    "application/json; charset=utf-8",
                    {},
                    false};
      if (scripted.retry_after_seconds >= 0) {
        answer.headers.emplace("retry-after", std::to_string(scripted.retry_after_seconds));
      }
      return answer;
    }
    if (scripted.http_failures > 0) {
      --scripted.http_failures;
      return Answer{scripted.http_status, scripted.http_body, scripted.http_content_type, {}, false};
    }
    if (scripted.ok_false > 0) {
      --scripted.ok_false;
      return SlackFailure(scripted.error, scripted.extra);
    }
  }

  // The arguments: the query string, then the body (JSON or form).
  Json args = Json::object();
  if (const std::size_t query = request.target.find('?'); query != std::string::npos) {
    AddFormFields(std::string_view(request.target).substr(query + 1), args);
  }
  const std::string content_type = absl::AsciiStrToLower(request.get_header_value("Content-Type"));
  std::string warning;
  if (content_type.starts_with("application/json")) {
    Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) return SlackFailure("invalid_json");
    if (!body.is_object()) return SlackFailure("json_not_object");
    args.update(body);
    if (!absl::StrContains(content_type, "charset")) warning = "missing_charset";
  } else if (content_type.starts_with("application/x-www-form-urlencoded")) {
    AddFormFields(request.body, args);
    if (absl::StrContains(content_type, "charset")) warning = "superfluous_charset";
  } else if (!request.body.empty()) {
    return SlackFailure("invalid_form_data");
  }

  // Sign in with Slack's token method authenticates the app by its client id and secret, not a token.
  if (api_method == "openid.connect.token") {
    Answer answer;
    answer.body = Dump(openid_.Token(args));
    return answer;
  }

  // The token: the Authorization header, or a `token` field (never for apps.connections.open).
  const std::string authorization = request.get_header_value("Authorization");
  std::string token;
  if (authorization.starts_with("Bearer ")) token = authorization.substr(7);
  if (api_method == "apps.connections.open") {
    if (token.empty()) return SlackFailure("not_authed");
    if (token != app_token_) return SlackFailure("invalid_auth");
    return Ok({{"url", socket_mode_url_}});
  }
  if (token.empty()) token = StringArg(args, "token");
  if (token.empty()) return SlackFailure("not_authed");
  if (token != bot_token_) return SlackFailure("invalid_auth");
  args.erase("token");

  Answer answer;
  if (api_method == "auth.test") {
    answer = AuthTest();
  } else if (api_method == "conversations.list") {
    answer = ConversationsList(args);
  } else if (api_method == "conversations.history") {
    answer = ConversationsHistory(args);
  } else if (api_method == "conversations.replies") {
    answer = ConversationsReplies(args);
  } else if (api_method == "chat.postMessage") {
    answer = ChatPostMessage(args);
  } else if (api_method == "chat.update") {
    answer = ChatUpdate(args);
  } else if (api_method == "conversations.open") {
    answer = ConversationsOpen(args);
  } else if (api_method == "reactions.add") {
    answer = Reactions(args, /*add=*/true);
  } else if (api_method == "reactions.remove") {
    answer = Reactions(args, /*add=*/false);
  } else if (api_method == "views.open") {
    answer = ViewsOpen(args);
  } else if (api_method == "chat.postEphemeral") {
    answer = ChatPostEphemeral(args);
  } else if (api_method == "usergroups.users.list") {
    answer = UsergroupsUsersList(args);
  } else {
    return SlackFailure("unknown_method");
  }
  if (!warning.empty()) {
    // Slack's answer to a content type it frowns upon: ok, with a warning (python-slack-sdk#692).
    Json body = Json::parse(answer.body);
    if (body.value("ok", false)) {
      body["warning"] = warning;
      body["response_metadata"]["warnings"] = Json::array({warning});
      answer.body = Dump(body);
    }
  }
  return answer;
}

FakeSlackServer::Answer FakeSlackServer::AuthTest() {
  Json fixture = Json::parse(Fixture("docs_ref/auth.test.json"));
  return Ok(fixture["examples"]["success_with_bot_token"]["example"]);
}

FakeSlackServer::Answer FakeSlackServer::ConversationsList(const Json& args) {
  std::string types = StringArg(args, "types");
  if (types.empty()) types = "public_channel";
  const bool want_public = absl::StrContains(types, "public_channel");
  const bool want_private = absl::StrContains(types, "private_channel");
  const bool exclude_archived = BoolArg(args, "exclude_archived");
  int limit = std::clamp(IntArg(args, "limit", 100), 1, 1000);
  if (page_size_cap_ > 0) limit = std::min(limit, page_size_cap_);

  std::vector<const Channel*> visible;
  for (const Channel& channel : channels_) {
    if (channel.is_im || (exclude_archived && channel.is_archived)) continue;
    if (channel.is_private ? (want_private && channel.is_member) : want_public) visible.push_back(&channel);
  }
  std::size_t start = 0;
  if (const std::string cursor = StringArg(args, "cursor"); !cursor.empty()) {
    std::string decoded;
    if (!absl::Base64Unescape(cursor, &decoded) || !absl::StartsWith(decoded, "channel:")) {
      return SlackFailure("invalid_cursor");
    }
    const std::string id = decoded.substr(8);
    auto it = std::find_if(visible.begin(), visible.end(), [&](const Channel* c) { return c->id == id; });
    if (it == visible.end()) return SlackFailure("invalid_cursor");
    start = static_cast<std::size_t>(it - visible.begin());
  }
  Json channels = Json::array();
  const std::size_t end = std::min(visible.size(), start + static_cast<std::size_t>(limit));
  for (std::size_t i = start; i < end; ++i) {
    const Channel& channel = *visible[i];
    channels.push_back({{"id", channel.id},
                        {"name", channel.name},
                        {"is_channel", !channel.is_private},
                        {"is_group", false},
                        {"is_im", false},
                        {"is_mpim", false},
                        {"is_private", channel.is_private},
                        {"is_archived", channel.is_archived},
                        {"is_general", false},
                        {"is_member", channel.is_member},
                        {"name_normalized", channel.name}});
  }
  Json body = {{"channels", channels}};
  // As in the fixtures' three-page walk, only a page with more after it carries response_metadata.
  if (end < visible.size()) {
    body["response_metadata"] = {
        {"next_cursor", absl::Base64Escape(absl::StrCat("channel:", visible[end]->id))}};
  }
  return Ok(body);
}

FakeSlackServer::Answer FakeSlackServer::ConversationsHistory(const Json& args) {
  Channel* channel = FindChannel(StringArg(args, "channel"));
  if (channel == nullptr) return SlackFailure("channel_not_found");
  if (!channel->is_member) return SlackFailure("not_in_channel");
  const std::string oldest_text = StringArg(args, "oldest");
  const std::string latest_text = StringArg(args, "latest");
  const std::optional<int64_t> oldest = oldest_text.empty() ? std::optional<int64_t>(0) : TsKey(oldest_text);
  if (!oldest) return SlackFailure("invalid_ts_oldest");
  const std::optional<int64_t> latest =
      latest_text.empty() ? std::optional<int64_t>(INT64_MAX) : TsKey(latest_text);
  if (!latest) return SlackFailure("invalid_ts_latest");
  const bool inclusive = BoolArg(args, "inclusive") && (!oldest_text.empty() || !latest_text.empty());
  const bool include_metadata = BoolArg(args, "include_all_metadata");
  int limit = std::clamp(IntArg(args, "limit", 100), 1, 999);
  if (page_size_cap_ > 0) limit = std::min(limit, page_size_cap_);
  // Paging forward (closest to oldest first) only when oldest is given without latest.
  const bool forward = !oldest_text.empty() && latest_text.empty();

  std::optional<int64_t> cursor_key;
  if (const std::string cursor = StringArg(args, "cursor"); !cursor.empty()) {
    cursor_key = TsFromCursor(cursor);
    if (!cursor_key) return SlackFailure("invalid_cursor");
  }
  std::vector<const Json*> in_range;  // in the order the pages walk
  for (const Json& message : channel->messages) {
    if (IsThreadReply(message)) continue;
    const int64_t key = KeyOf(message);
    if (inclusive ? key < *oldest : key <= *oldest) continue;
    if (inclusive ? key > *latest : key >= *latest) continue;
    if (cursor_key && (forward ? key < *cursor_key : key > *cursor_key)) continue;
    in_range.push_back(&message);
  }
  if (!forward) std::reverse(in_range.begin(), in_range.end());
  const std::size_t count = std::min(in_range.size(), static_cast<std::size_t>(limit));
  std::vector<const Json*> page(in_range.begin(), in_range.begin() + static_cast<std::ptrdiff_t>(count));
  if (forward) std::reverse(page.begin(), page.end());  // a page is always newest first

  Json messages = Json::array();
  for (const Json* message : page) {
    Json copy = *message;
    if (!include_metadata) copy.erase("metadata");
    messages.push_back(std::move(copy));
  }
  const bool has_more = in_range.size() > count;
  Json body = {{"messages", messages}, {"has_more", has_more}, {"pin_count", 0}};
  if (!oldest_text.empty()) body["oldest"] = oldest_text;
  if (!latest_text.empty()) body["latest"] = latest_text;
  if (has_more) body["response_metadata"] = {{"next_cursor", TsCursor(TsOf(*in_range[count]))}};
  return Ok(body);
}

FakeSlackServer::Answer FakeSlackServer::ConversationsReplies(const Json& args) {
  Channel* channel = FindChannel(StringArg(args, "channel"));
  if (channel == nullptr) return SlackFailure("channel_not_found");
  if (!channel->is_member) return SlackFailure("not_in_channel");
  const Json* named = FindMessage(*channel, StringArg(args, "ts"));
  if (named == nullptr) return SlackFailure("thread_not_found");
  const std::string parent_ts = IsThreadReply(*named) ? named->value("thread_ts", "") : TsOf(*named);
  const std::string oldest_text = StringArg(args, "oldest");
  const std::string latest_text = StringArg(args, "latest");
  const std::optional<int64_t> oldest = oldest_text.empty() ? std::optional<int64_t>(0) : TsKey(oldest_text);
  if (!oldest) return SlackFailure("invalid_ts_oldest");
  const std::optional<int64_t> latest =
      latest_text.empty() ? std::optional<int64_t>(INT64_MAX) : TsKey(latest_text);
  if (!latest) return SlackFailure("invalid_ts_latest");
  const bool inclusive = BoolArg(args, "inclusive") && (!oldest_text.empty() || !latest_text.empty());
  const bool include_metadata = BoolArg(args, "include_all_metadata");
  int limit = std::clamp(IntArg(args, "limit", 1000), 1, 1000);
  if (page_size_cap_ > 0) limit = std::min(limit, page_size_cap_);
  std::optional<int64_t> cursor_key;
  if (const std::string cursor = StringArg(args, "cursor"); !cursor.empty()) {
    cursor_key = TsFromCursor(cursor);
    if (!cursor_key) return SlackFailure("invalid_cursor");
  }

  std::vector<const Json*> thread;  // oldest first: the parent, then its replies
  for (const Json& message : channel->messages) {
    const bool in_thread = TsOf(message) == parent_ts || message.value("thread_ts", "") == parent_ts;
    if (!in_thread) continue;
    const int64_t key = KeyOf(message);
    if (inclusive ? key < *oldest : key <= *oldest) continue;
    if (inclusive ? key > *latest : key >= *latest) continue;
    if (cursor_key && key < *cursor_key) continue;
    thread.push_back(&message);
  }
  const std::size_t count = std::min(thread.size(), static_cast<std::size_t>(limit));
  Json messages = Json::array();
  for (std::size_t i = 0; i < count; ++i) {
    Json copy = *thread[i];
    if (!include_metadata) copy.erase("metadata");
    messages.push_back(std::move(copy));
  }
  const bool has_more = thread.size() > count;
  Json body = {{"messages", messages}, {"has_more", has_more}};
  if (has_more) body["response_metadata"] = {{"next_cursor", TsCursor(TsOf(*thread[count]))}};
  return Ok(body);
}

FakeSlackServer::Answer FakeSlackServer::ChatPostMessage(const Json& args) {
  const std::string channel_arg = StringArg(args, "channel");
  Channel* channel = FindChannel(channel_arg);
  if (channel == nullptr && channel_arg.starts_with("D")) {
    AddChannelLocked(channel_arg);
    channel = FindChannel(channel_arg);
  }
  if (channel == nullptr) return SlackFailure("channel_not_found");
  if (!channel->is_member) return SlackFailure("not_in_channel");
  if (channel->is_archived) return SlackFailure("is_archived");
  const std::optional<Json> blocks = JsonArg(args, "blocks");
  if (!blocks || !(blocks->is_null() || blocks->is_array())) return SlackFailure("invalid_blocks_format");
  const std::optional<Json> metadata = JsonArg(args, "metadata");
  if (!metadata || !(metadata->is_null() || metadata->is_object()))
    return SlackFailure("invalid_metadata_format");
  if (metadata->is_object() &&
      (!metadata->contains("event_type") || !(*metadata)["event_type"].is_string())) {
    return SlackFailure("invalid_metadata_schema");
  }
  const std::string text = StringArg(args, "text");
  if (text.empty() && (blocks->is_null() || blocks->empty())) return SlackFailure("no_text");

  Json message = {{"type", "message"}, {"user", kBotUserId}, {"bot_id", kBotId},
                  {"app_id", kAppId},  {"team", kTeamId},    {"text", text}};
  if (blocks->is_array()) message["blocks"] = *blocks;
  if (metadata->is_object()) message["metadata"] = *metadata;
  const std::string thread_ts = StringArg(args, "thread_ts");
  if (!thread_ts.empty()) message["thread_ts"] = thread_ts;
  message["ts"] = NextTs();
  const std::string ts = TsOf(message);
  StoreMessage(*channel, message);

  Json payload = args;
  if (blocks->is_array()) payload["blocks"] = *blocks;
  if (metadata->is_object()) payload["metadata"] = *metadata;
  bot_posts_.push_back(SlackBotPost{channel->id, ts, thread_ts, OptionalBoolArg(args, "unfurl_links"),
                                    OptionalBoolArg(args, "unfurl_media"), std::move(payload)});
  const Json* stored = FindMessage(*channel, ts);
  Answer answer = Ok({{"channel", channel->id}, {"ts", ts}, {"message", *stored}});
  if (drop_posts_ > 0) {
    --drop_posts_;
    answer.drop = true;
  }
  return answer;
}

FakeSlackServer::Answer FakeSlackServer::ChatUpdate(const Json& args) {
  Channel* channel = FindChannel(StringArg(args, "channel"));
  if (channel == nullptr) return SlackFailure("channel_not_found");
  Json* message = FindMessage(*channel, StringArg(args, "ts"));
  if (message == nullptr) return SlackFailure("message_not_found");
  if (message->value("bot_id", "") != kBotId) return SlackFailure("cant_update_message");
  const std::optional<Json> blocks = JsonArg(args, "blocks");
  if (!blocks || !(blocks->is_null() || blocks->is_array())) return SlackFailure("invalid_blocks_format");
  const std::optional<Json> metadata = JsonArg(args, "metadata");
  if (!metadata || !(metadata->is_null() || metadata->is_object()))
    return SlackFailure("invalid_metadata_format");
  if (args.contains("text")) (*message)["text"] = StringArg(args, "text");
  if (blocks->is_array()) (*message)["blocks"] = *blocks;
  // chat.update: no metadata keeps the old one; an empty object removes it.
  if (metadata->is_object()) {
    if (metadata->empty()) {
      message->erase("metadata");
    } else {
      (*message)["metadata"] = *metadata;
    }
  }
  (*message)["edited"] = {{"user", kBotUserId}, {"ts", NextTs()}};
  return Ok({{"channel", channel->id},
             {"ts", TsOf(*message)},
             {"text", message->value("text", "")},
             {"message", *message}});
}

FakeSlackServer::Answer FakeSlackServer::ConversationsOpen(const Json& args) {
  const std::string users = StringArg(args, "users");
  if (users.empty()) return SlackFailure("users_list_not_supplied");
  // One user (a 1:1 DM) is all creditbot opens; group DMs are not modelled.
  if (users.find(',') != std::string::npos) return SlackFailure("too_many_users");
  if (!(users.starts_with("U") || users.starts_with("W")) || users.size() < 2)
    return SlackFailure("user_not_found");
  const std::string id = DmChannelId(users);
  if (FindChannel(id) == nullptr) AddChannelLocked(id);
  return Ok({{"channel", {{"id", id}}}});
}

FakeSlackServer::Answer FakeSlackServer::Reactions(const Json& args, bool add) {
  Channel* channel = FindChannel(StringArg(args, "channel"));
  if (channel == nullptr) return SlackFailure("channel_not_found");
  const std::string name = StringArg(args, "name");
  const std::string ts = StringArg(args, "timestamp");
  if (ts.empty()) return SlackFailure("no_item_specified");
  if (name.empty()) return SlackFailure("invalid_name");
  Json* message = FindMessage(*channel, ts);
  if (message == nullptr) return SlackFailure("message_not_found");
  const std::string key = channel->id + "|" + ts + "|" + name;
  if (add) {
    if (!reactions_.insert(key).second) return SlackFailure("already_reacted");
    Json& reactions = (*message)["reactions"];
    if (!reactions.is_array()) reactions = Json::array();
    reactions.push_back({{"name", name}, {"users", {kBotUserId}}, {"count", 1}});
    return Ok(Json::object());
  }
  if (reactions_.erase(key) == 0) return SlackFailure("no_reaction");
  Json& reactions = (*message)["reactions"];
  Json kept = Json::array();
  for (const Json& reaction : reactions) {
    if (reaction.value("name", "") != name) kept.push_back(reaction);
  }
  if (kept.empty()) {
    message->erase("reactions");
  } else {
    reactions = std::move(kept);
  }
  return Ok(Json::object());
}

std::set<std::string> FakeSlackServer::BotReactions(const std::string& channel, const std::string& ts) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const std::string prefix = channel + "|" + ts + "|";
  std::set<std::string> names;
  for (const std::string& key : reactions_) {
    if (key.starts_with(prefix)) names.insert(key.substr(prefix.size()));
  }
  return names;
}

void FakeSlackServer::SetScopes(const std::string& scopes) {
  std::lock_guard<std::mutex> lock(mutex_);
  scopes_ = scopes;
}

void FakeSlackServer::SetBotToken(const std::string& token) {
  std::lock_guard<std::mutex> lock(mutex_);
  bot_token_ = token;
}

void FakeSlackServer::SetAppToken(const std::string& token) {
  std::lock_guard<std::mutex> lock(mutex_);
  app_token_ = token;
}

void FakeSlackServer::SetTsBase(int64_t unix_seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ts_base_seconds_ = unix_seconds;
  ts_counter_ = 0;
}

std::string FakeSlackServer::NextTs() {
  ts_counter_ += kTsStepMicros;
  const int64_t seconds = ts_base_seconds_ + ts_counter_ / 1000000;
  const int64_t micros = ts_counter_ % 1000000;
  char text[32];
  std::snprintf(text, sizeof text, "%lld.%06lld", static_cast<long long>(seconds),
                static_cast<long long>(micros));
  return text;
}

FakeSlackServer::Channel* FakeSlackServer::FindChannel(const std::string& id_or_name) {
  if (id_or_name.empty()) return nullptr;
  const std::string name = id_or_name.starts_with("#") ? id_or_name.substr(1) : id_or_name;
  for (Channel& channel : channels_) {
    if (channel.id == id_or_name || (!channel.is_im && channel.name == name)) return &channel;
  }
  return nullptr;
}

Json* FakeSlackServer::FindMessage(Channel& channel, const std::string& ts) {
  if (ts.empty()) return nullptr;
  for (Json& message : channel.messages) {
    if (TsOf(message) == ts) return &message;
  }
  return nullptr;
}

void FakeSlackServer::StoreMessage(Channel& channel, Json message) {
  const std::string ts = TsOf(message);
  const std::string thread_ts = message.value("thread_ts", "");
  if (!thread_ts.empty() && thread_ts != ts) {
    // A reply: the parent gets Slack's thread fields (docs_ref/conversations.replies.json).
    if (Json* parent = FindMessage(channel, thread_ts); parent != nullptr) {
      if (parent->contains("user")) message["parent_user_id"] = (*parent)["user"];
      (*parent)["thread_ts"] = thread_ts;
      (*parent)["reply_count"] = parent->value("reply_count", 0) + 1;
      Json& reply_users = (*parent)["reply_users"];
      if (!reply_users.is_array()) reply_users = Json::array();
      const std::string author = message.value("user", message.value("bot_id", ""));
      if (std::find(reply_users.begin(), reply_users.end(), author) == reply_users.end()) {
        reply_users.push_back(author);
      }
      (*parent)["reply_users_count"] = reply_users.size();
      (*parent)["latest_reply"] = ts;
    }
  }
  channel.messages.push_back(std::move(message));
}

void FakeSlackServer::AddChannelLocked(const std::string& dm_id) {
  Channel channel;
  channel.id = dm_id;
  channel.is_member = true;
  channel.is_private = true;
  channel.is_im = true;
  channels_.push_back(std::move(channel));
}

std::string FakeSlackServer::DmChannelId(const std::string& user_id) { return "D" + user_id.substr(1); }

}  // namespace creditbot::testing
