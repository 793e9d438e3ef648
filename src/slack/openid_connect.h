// SlackOpenIdConnect: the relying-party side of "Sign in with Slack" (OpenID Connect, authorization code
// flow), as Slack documents it (https://slack.com/.well-known/openid-configuration):
//   - the browser is sent to https://slack.com/openid/connect/authorize with response_type=code,
//     scope "openid profile email", client_id, state, nonce, redirect_uri and, when one workspace is
//     configured, team (AuthorizeUrl);
//   - the code Slack sends back is exchanged by POST https://slack.com/api/openid.connect.token (a form:
//     client_id, client_secret, code, redirect_uri, grant_type=authorization_code; the answer
//     {ok, access_token, id_token, …}) (ExchangeCode);
//   - the ID token is checked (VerifyIdToken): its RS256 signature against Slack's keys
//     (https://slack.com/openid/connect/keys, a JWKS, cached; fetched again when a token names a key not
//     in the cache, at most once a minute), iss "https://slack.com", aud the client id, exp and iat within
//     a small leeway, the nonce this sign-in sent, and the workspace
//     ("https://slack.com/team_id") when one is configured.
// The access token is never kept or used: creditbot only needs to know who signed in.
//
// The endpoints follow CREDITBOT_SLACK_API_URL: with api_base_url http://127.0.0.1:P/api/ (a fake Slack in
// tests), the authorize and keys URLs are http://127.0.0.1:P/openid/connect/{authorize,keys}
// (EndpointsFor). The issuer checked stays "https://slack.com".
//
// Secrets: the client secret, the code and the tokens never appear in a message or a log line.
//
// Thread-safe: calls are serialized by a mutex (the HttpTransport is used by one thread at a time); a
// sign-in is rare, so nothing waits long. The transport and clock must outlive the instance.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/jwk_set.h"
#include "net/http_transport.h"

namespace creditbot {

// Slack's ID token issuer.
inline constexpr std::string_view kSlackIssuer = "https://slack.com";
// The scopes asked for at sign-in (a space-separated list, as the authorize URL takes it).
inline constexpr std::string_view kSlackSignInScopes = "openid profile email";

struct SlackOpenIdEndpoints {
  std::string authorize_url;  // https://slack.com/openid/connect/authorize
  std::string token_url;      // https://slack.com/api/openid.connect.token
  std::string keys_url;       // https://slack.com/openid/connect/keys
};

// The three endpoints for the Web API base `api_base_url` ("https://slack.com/api/" → Slack's own): the
// token method under it, the other two at its origin. kInvalidArgument when the base is not https (http only
// on loopback, for tests), as SlackWebApi::ValidateOptions says, or does not end in "/api/" (or "/api").
absl::StatusOr<SlackOpenIdEndpoints> EndpointsFor(std::string_view api_base_url);

struct SlackOpenIdOptions {
  std::string client_id;      // SLACK_CLIENT_ID
  std::string client_secret;  // SLACK_CLIENT_SECRET (a secret)
  // CREDITBOT_PUBLIC_URL + "/auth/slack/callback": sent to authorize and again to the token method, which
  // refuses a different one.
  std::string redirect_uri;
  // CREDITBOT_SLACK_TEAM_ID: the only workspace whose members may sign in (also sent to authorize as
  // `team`, so Slack signs them in to it). "" = any workspace.
  std::string team_id;
  std::string api_base_url = "https://slack.com/api/";      // CREDITBOT_SLACK_API_URL
  absl::Duration leeway = absl::Seconds(60);                // Default: 60 s of clock skew on exp and iat
  absl::Duration keys_refetch_interval = absl::Minutes(1);  // Default: the least time between two fetches
  absl::Duration call_timeout = absl::Seconds(15);          // Default: 15 s per HTTP exchange
};

// Who signed in, from a checked ID token.
struct SlackSignedInUser {
  std::string user_id;  // "https://slack.com/user_id" (or sub when absent), e.g. "U0123ABCD"
  std::string team_id;  // "https://slack.com/team_id"
  std::string name;     // "name"; may be ""
  std::string email;    // "email"; may be ""
};

class SlackOpenIdConnect {
 public:
  SlackOpenIdConnect(HttpTransport& transport, const Clock& clock, SlackOpenIdOptions options);

  // kInvalidArgument naming the setting when the client id, secret or redirect URI is empty, the redirect
  // URI is not https (http only on loopback) or the API base is refused by EndpointsFor. An instance built
  // with such options fails every call with that status and sends nothing.
  static absl::Status ValidateOptions(const SlackOpenIdOptions& options);

  // The URL to send the browser to, carrying `state` and `nonce` (each percent-encoded).
  absl::StatusOr<std::string> AuthorizeUrl(std::string_view state, std::string_view nonce) const;

  // Exchanges `code` for tokens and checks the ID token against `nonce` (VerifyIdToken). The code is
  // single-use, so the exchange is never retried. Errors: kUnauthenticated when Slack refuses the code
  // ("Slack openid.connect.token: invalid_code") or the token fails a check (the message says which);
  // kUnavailable / kDeadlineExceeded when Slack cannot be reached (or answers 5xx or 429); kInternal for an
  // answer without an id_token.
  absl::StatusOr<SlackSignedInUser> ExchangeCode(std::string_view code, std::string_view nonce);

  // Checks `id_token` (see the file comment); kUnauthenticated naming the failed check ("signature does
  // not match", "expired", "audience", "issuer", "nonce", "workspace"…), kInvalidArgument for a token that
  // is not a JWT, and the keys fetch's error when Slack's keys cannot be read.
  absl::StatusOr<SlackSignedInUser> VerifyIdToken(std::string_view id_token, std::string_view nonce);

 private:
  absl::StatusOr<SlackSignedInUser> VerifyIdTokenLocked(std::string_view id_token, std::string_view nonce);
  // Fetches the keys when none are cached or (`refresh`) the cache is older than keys_refetch_interval.
  absl::Status LoadKeysLocked(bool refresh);

  HttpTransport& transport_;
  const Clock& clock_;
  const SlackOpenIdOptions options_;
  const absl::Status options_status_;
  SlackOpenIdEndpoints endpoints_;
  std::mutex mutex_;
  std::optional<JwkSet> keys_;  // guarded by mutex_
  absl::Time keys_fetched_at_ = absl::InfinitePast();
};

}  // namespace creditbot
