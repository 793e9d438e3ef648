// SlackSignIn: the dashboard's "Sign in with Slack" — the two steps of the OpenID Connect authorization code
// flow as the dashboard's router calls them, around SlackOpenIdConnect (slack/openid_connect.h):
//
//   GET /auth/slack/start?return_to=/queue   → Start(return_to): answer 302 to `authorize_url`, with
//                                               `Set-Cookie: <set_cookie>`
//   GET /auth/slack/callback?code=…&state=…  → Finish(query, Cookie header, &return_to): on success create
//                                               the session for the WebUser and answer 302 to return_to;
//                                               on failure answer 401 with the status's message. Either
//                                               way also send `Set-Cookie: <ClearCookie()>`.
//
// Start binds a fresh random state and nonce (32 random bytes each, base64url) to this browser: they ride
// in a short-lived cookie (kCookieName, Path=/auth/slack/, HttpOnly, Secure, SameSite=Lax, Max-Age 10
// minutes) sealed with an HMAC-SHA256 whose key is derived from the client secret, so every replica of
// `serve` reads it and nobody without the secret can make one. Finish refuses, with kUnauthenticated and a
// message saying why: no or expired cookie, a cookie not sealed by us, a missing state or one not equal
// to the cookie's (a forged callback), an `error=` from Slack (the user cancelled), a state already used
// (a replayed callback: each state is accepted once per process), a code Slack refuses, and an ID token
// failing any check (signature, expiry, audience, issuer, nonce, workspace). Slack unreachable is
// kUnavailable. The code, the tokens and the client secret never appear in a message. Nothing is logged
// here: the router logs the outcome (the status's message is safe to log and to show).
//
// `return_to` is kept only when it is a local path ("/…", not "//…" or "/\…", no control characters, at
// most 1024 bytes); anything else becomes "/", so the sign-in never redirects off the dashboard.
//
// Thread-safe (the used states are guarded by a mutex; SlackOpenIdConnect serializes its own calls). The
// provider and clock must outlive the instance.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "slack/openid_connect.h"
#include "web/web_user.h"

namespace creditbot {

struct SlackSignInStart {
  std::string authorize_url;  // where to send the browser (302 Location)
  std::string set_cookie;     // the Set-Cookie header's value binding state and nonce to this browser
  std::string return_to;      // the local path kept (after the check above)
};

class SlackSignIn {
 public:
  static constexpr std::string_view kCookieName = "creditbot_slack_sign_in";
  static constexpr std::string_view kCookiePath = "/auth/slack/";
  // The redirect URI's path (CREDITBOT_PUBLIC_URL + this), which the router serves with Finish.
  static constexpr std::string_view kCallbackPath = "/auth/slack/callback";
  // How long a started sign-in may take.
  static constexpr absl::Duration kLifetime = absl::Minutes(10);

  // `client_secret` only derives the cookie's sealing key; it is not kept.
  SlackSignIn(SlackOpenIdConnect& provider, const Clock& clock, std::string_view client_secret);

  // A new sign-in for this browser. kInternal when no random bytes can be had; the provider's
  // configuration error otherwise.
  absl::StatusOr<SlackSignInStart> Start(std::string_view return_to);

  // The callback: `query_string` is the request target's part after '?' (percent-encoded, as sent),
  // `cookie_header` the request's Cookie header ("" when none). On success the signed-in user, and (when
  // not null) `*return_to` the local path Start kept. Errors above.
  absl::StatusOr<WebUser> Finish(std::string_view query_string, std::string_view cookie_header,
                                 std::string* return_to = nullptr);

  // The Set-Cookie value that removes the sign-in cookie (send it with Finish's answer, whatever it is).
  static std::string ClearCookie();

  // `return_to` when it is a local path as above, else "/".
  static std::string LocalPathOrRoot(std::string_view return_to);

 private:
  std::string Seal(std::string_view payload) const;  // base64url(payload) "." base64url(HMAC)
  // The payload of a cookie value sealed by Seal; nullopt when the seal does not match.
  std::optional<std::string> Unseal(std::string_view value) const;

  SlackOpenIdConnect& provider_;
  const Clock& clock_;
  std::string cookie_key_;  // 32 bytes
  std::mutex mutex_;
  std::map<std::string, absl::Time> used_states_;  // state → when its cookie expires; guarded by mutex_
};

}  // namespace creditbot
