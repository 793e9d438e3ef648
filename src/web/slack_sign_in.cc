// Sign in with Slack for the dashboard: the sealed state cookie, the callback's checks, the local return
// path.
#include "web/slack_sign_in.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/constant_time.h"
#include "common/json_fields.h"
#include "common/jwt.h"
#include "common/strings.h"
#include "common/url.h"

namespace creditbot {

namespace {

constexpr std::size_t kMaxReturnToBytes = 1024;
// The most states remembered as used; far above the sign-ins of ten minutes.
constexpr std::size_t kMaxUsedStates = 100'000;

// HMAC-SHA256 of `data` under `key` (OpenSSL 3's one-shot EVP_Q_mac); "" if OpenSSL fails.
std::string HmacSha256(std::string_view key, std::string_view data) {
  std::array<unsigned char, 32> out{};
  std::size_t length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), out.size(),
                &length) == nullptr ||
      length != out.size()) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

// 32 random bytes, base64url (43 characters); nullopt when OpenSSL's generator fails.
std::optional<std::string> RandomToken() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return std::nullopt;
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

absl::Status Refused(std::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("Sign in with Slack refused: ", ToAbsl(why)));
}

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or nullopt.
std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  for (absl::string_view pair : absl::StrSplit(ToAbsl(header), ';')) {
    pair = absl::StripAsciiWhitespace(pair);
    if (absl::ConsumePrefix(&pair, ToAbsl(name)) && absl::ConsumePrefix(&pair, "=")) return ToStd(pair);
  }
  return std::nullopt;
}

// A Slack error code as it may be shown: letters, digits and '_' only, at most 64 of them.
std::string ShownErrorCode(std::string_view code) {
  std::string shown;
  for (char c : code.substr(0, 64)) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_') shown.push_back(c);
  }
  return shown.empty() ? "unknown" : shown;
}

}  // namespace

SlackSignIn::SlackSignIn(SlackOpenIdConnect& provider, const Clock& clock, std::string_view client_secret)
    : provider_(provider),
      clock_(clock),
      cookie_key_(HmacSha256(client_secret, "creditbot dashboard: Sign in with Slack state cookie, v1")) {}

std::string SlackSignIn::LocalPathOrRoot(std::string_view return_to) {
  if (return_to.empty() || return_to.size() > kMaxReturnToBytes || return_to[0] != '/') return "/";
  if (return_to.size() > 1 && (return_to[1] == '/' || return_to[1] == '\\')) return "/";  // another host
  for (char c : return_to) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '\\') return "/";
  }
  return std::string(return_to);
}

std::string SlackSignIn::Seal(std::string_view payload) const {
  const std::string encoded = Base64UrlEncode(payload);
  return absl::StrCat(encoded, ".", Base64UrlEncode(HmacSha256(cookie_key_, encoded)));
}

std::optional<std::string> SlackSignIn::Unseal(std::string_view value) const {
  const std::size_t dot = value.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view encoded = value.substr(0, dot);
  const std::optional<std::string> seal = Base64UrlDecode(value.substr(dot + 1));
  const std::string expected = HmacSha256(cookie_key_, encoded);
  if (!seal || expected.empty() || !ConstantTimeEquals(*seal, expected)) return std::nullopt;
  return Base64UrlDecode(encoded);
}

std::string SlackSignIn::ClearCookie() {
  return absl::StrCat(ToAbsl(kCookieName), "=; Path=", ToAbsl(kCookiePath),
                      "; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
}

absl::StatusOr<SlackSignInStart> SlackSignIn::Start(std::string_view return_to) {
  const std::optional<std::string> state = RandomToken();
  const std::optional<std::string> nonce = RandomToken();
  if (!state || !nonce || cookie_key_.empty()) {
    return absl::InternalError("Sign in with Slack: OpenSSL gave no random bytes or no HMAC");
  }
  SlackSignInStart start;
  absl::StatusOr<std::string> url = provider_.AuthorizeUrl(*state, *nonce);
  if (!url.ok()) return url.status();
  start.authorize_url = *std::move(url);
  start.return_to = LocalPathOrRoot(return_to);
  const nlohmann::json payload = {{"s", *state},
                                  {"n", *nonce},
                                  {"r", start.return_to},
                                  {"e", absl::ToUnixSeconds(clock_.Now() + kLifetime)}};
  start.set_cookie =
      absl::StrCat(ToAbsl(kCookieName), "=", Seal(payload.dump()), "; Path=", ToAbsl(kCookiePath),
                   "; Max-Age=", absl::ToInt64Seconds(kLifetime), "; HttpOnly; Secure; SameSite=Lax");
  return start;
}

absl::StatusOr<WebUser> SlackSignIn::Finish(std::string_view query_string, std::string_view cookie_header,
                                            std::string* return_to) {
  // The callback's parameters; a repeated one is refused (which of two states would count?).
  std::map<std::string, std::string> params;
  for (absl::string_view pair : absl::StrSplit(ToAbsl(query_string), '&', absl::SkipEmpty())) {
    const std::size_t eq = pair.find('=');
    const std::string name = FormDecode(ToStd(pair.substr(0, eq)));
    const std::string value = eq == absl::string_view::npos ? "" : FormDecode(ToStd(pair.substr(eq + 1)));
    if (!params.emplace(name, value).second)
      return Refused(absl::StrCat("the callback repeats \"", name.substr(0, 32), "\""));
  }
  if (const auto error = params.find("error"); error != params.end()) {
    return Refused(absl::StrCat("Slack answered ", ShownErrorCode(error->second),
                                " (the sign-in was cancelled or not allowed)"));
  }

  const std::optional<std::string_view> cookie = CookieValue(cookie_header, kCookieName);
  if (!cookie || cookie->empty()) {
    return Refused("no sign-in was started in this browser (its cookie is missing or expired): start again");
  }
  const std::optional<std::string> payload_text = Unseal(*cookie);
  const nlohmann::json payload =
      payload_text ? nlohmann::json::parse(*payload_text, nullptr, false) : nlohmann::json();
  const std::string cookie_state = JsonStringMember(payload, "s");
  const std::string nonce = JsonStringMember(payload, "n");
  const std::optional<std::int64_t> expires = JsonIntegerMember(payload, "e");
  if (!payload_text || cookie_state.empty() || nonce.empty() || !expires) {
    return Refused("the sign-in cookie was not made by this dashboard");
  }
  const absl::Time now = clock_.Now();
  if (now > absl::FromUnixSeconds(*expires)) return Refused("the sign-in took too long: start again");

  const auto state = params.find("state");
  if (state == params.end() || state->second.empty()) return Refused("the callback has no state");
  if (!ConstantTimeEquals(state->second, cookie_state)) {
    return Refused("the callback's state is not the one this browser was sent with (a forged callback?)");
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = used_states_.begin(); it != used_states_.end();) {
      it = it->second < now ? used_states_.erase(it) : std::next(it);
    }
    if (used_states_.contains(cookie_state))
      return Refused("this sign-in's state was already used (a replay)");
    if (used_states_.size() >= kMaxUsedStates) used_states_.erase(used_states_.begin());
    used_states_.emplace(cookie_state, absl::FromUnixSeconds(*expires));
  }
  const auto code = params.find("code");
  if (code == params.end() || code->second.empty()) return Refused("the callback has no code");

  absl::StatusOr<SlackSignedInUser> user = provider_.ExchangeCode(code->second, nonce);
  if (!user.ok()) {
    if (absl::IsUnauthenticated(user.status()) || absl::IsInvalidArgument(user.status())) {
      return Refused(ToStd(user.status().message()));
    }
    return user.status();
  }
  if (return_to != nullptr) *return_to = LocalPathOrRoot(JsonStringMember(payload, "r"));
  return WebUser{user->user_id, user->team_id, user->name, user->email};
}

}  // namespace creditbot
