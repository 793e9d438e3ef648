// Sign in with Slack: the authorize URL, openid.connect.token and the ID token's checks.
#include "slack/openid_connect.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/constant_time.h"
#include "common/json_fields.h"
#include "common/jwt.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/url.h"
#include "slack/slack_web_api.h"

namespace creditbot {

namespace {

constexpr std::string_view kTokenMethod = "openid.connect.token";
constexpr std::string_view kUserIdClaim = "https://slack.com/user_id";
constexpr std::string_view kTeamIdClaim = "https://slack.com/team_id";
// Slack's answers here are small (a JWKS of a few keys, a token answer of a few KB).
constexpr std::size_t kMaxAnswerBytes = 256 * 1024;

absl::Status Refused(std::string_view what) {
  return absl::UnauthenticatedError(absl::StrCat("Slack ID token refused: ", ToAbsl(what)));
}

// Whether the token's aud names `client_id` (a string, or an array holding it whose azp is the client).
bool AudienceIs(const nlohmann::json& claims, const std::string& client_id) {
  const nlohmann::json* aud = JsonMember(claims, "aud");
  if (aud == nullptr) return false;
  if (aud->is_string()) return ConstantTimeEquals(aud->get<std::string>(), client_id);
  if (!aud->is_array()) return false;
  bool found = false;
  for (const nlohmann::json& item : *aud) found = found || (item.is_string() && item == client_id);
  if (aud->size() > 1) found = found && ConstantTimeEquals(JsonStringMember(claims, "azp"), client_id);
  return found;
}

// A NumericDate claim (seconds since the epoch; Slack sends integers).
std::optional<absl::Time> TimeClaim(const nlohmann::json& claims, std::string_view name) {
  const std::optional<std::int64_t> seconds = JsonIntegerMember(claims, name);
  if (!seconds) return std::nullopt;
  return absl::FromUnixSeconds(*seconds);
}

}  // namespace

absl::StatusOr<SlackOpenIdEndpoints> EndpointsFor(std::string_view api_base_url) {
  SlackApiOptions api;
  api.api_base_url = std::string(api_base_url);
  CREDITBOT_RETURN_IF_ERROR(SlackWebApi::ValidateOptions(api));
  absl::StatusOr<ParsedUrl> url = ParseUrl(api_base_url);
  if (!url.ok()) return url.status();
  std::string path = url->path;
  if (!path.ends_with("/")) path.push_back('/');
  if (!path.ends_with("/api/")) {
    return absl::InvalidArgumentError(
        absl::StrCat("CREDITBOT_SLACK_API_URL '", RedactedUrl(api_base_url),
                     "' does not end in /api/: Sign in with Slack finds its endpoints beside it"));
  }
  const std::string origin = absl::StrCat(url->scheme, "://", url->Authority());
  const std::string prefix = path.substr(0, path.size() - 5);  // before "/api/"
  return SlackOpenIdEndpoints{absl::StrCat(origin, prefix, "/openid/connect/authorize"),
                              absl::StrCat(origin, path, ToAbsl(kTokenMethod)),
                              absl::StrCat(origin, prefix, "/openid/connect/keys")};
}

absl::Status SlackOpenIdConnect::ValidateOptions(const SlackOpenIdOptions& options) {
  if (options.client_id.empty())
    return absl::InvalidArgumentError("Sign in with Slack: SLACK_CLIENT_ID is empty");
  if (options.client_secret.empty()) {
    return absl::InvalidArgumentError("Sign in with Slack: SLACK_CLIENT_SECRET is empty");
  }
  absl::StatusOr<ParsedUrl> redirect = ParseUrl(options.redirect_uri);
  if (!redirect.ok() || redirect->query || !redirect->fragment.empty() ||
      (redirect->scheme != "https" && !(redirect->scheme == "http" && IsLoopbackHost(redirect->host)))) {
    return absl::InvalidArgumentError(
        absl::StrCat("Sign in with Slack: the redirect URI '", RedactedUrl(options.redirect_uri),
                     "' (CREDITBOT_PUBLIC_URL + /auth/slack/callback) must be an https URL without query "
                     "(http only on loopback)"));
  }
  return EndpointsFor(options.api_base_url).status();
}

SlackOpenIdConnect::SlackOpenIdConnect(HttpTransport& transport, const Clock& clock,
                                       SlackOpenIdOptions options)
    : transport_(transport),
      clock_(clock),
      options_(std::move(options)),
      options_status_(ValidateOptions(options_)) {
  if (options_status_.ok()) endpoints_ = *EndpointsFor(options_.api_base_url);
}

absl::StatusOr<std::string> SlackOpenIdConnect::AuthorizeUrl(std::string_view state,
                                                             std::string_view nonce) const {
  CREDITBOT_RETURN_IF_ERROR(options_status_);
  if (state.empty() || nonce.empty())
    return absl::InvalidArgumentError("Sign in with Slack: empty state or nonce");
  std::string url =
      absl::StrCat(endpoints_.authorize_url, "?response_type=code&scope=", PercentEncode(kSlackSignInScopes),
                   "&client_id=", PercentEncode(options_.client_id), "&state=", PercentEncode(state),
                   "&nonce=", PercentEncode(nonce), "&redirect_uri=", PercentEncode(options_.redirect_uri));
  if (!options_.team_id.empty()) absl::StrAppend(&url, "&team=", PercentEncode(options_.team_id));
  return url;
}

absl::StatusOr<SlackSignedInUser> SlackOpenIdConnect::ExchangeCode(std::string_view code,
                                                                   std::string_view nonce) {
  CREDITBOT_RETURN_IF_ERROR(options_status_);
  if (code.empty()) return absl::InvalidArgumentError("Sign in with Slack: no code");
  std::lock_guard<std::mutex> lock(mutex_);
  HttpRequest request;
  request.method = "POST";
  request.url = endpoints_.token_url;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body =
      absl::StrCat("client_id=", PercentEncode(options_.client_id),
                   "&client_secret=", PercentEncode(options_.client_secret), "&code=", PercentEncode(code),
                   "&redirect_uri=", PercentEncode(options_.redirect_uri), "&grant_type=authorization_code");
  request.timeout = options_.call_timeout;
  request.max_response_bytes = kMaxAnswerBytes;
  absl::StatusOr<HttpResponse> answer = transport_.Send(request);
  if (!answer.ok()) return answer.status();
  CREDITBOT_RETURN_IF_ERROR(HttpStatusToError(answer->status, "Slack openid.connect.token"));
  const nlohmann::json body = nlohmann::json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !JsonMember(body, "ok")) {
    return absl::UnavailableError("Slack openid.connect.token: the answer is not Slack's JSON");
  }
  if (!JsonBoolMember(body, "ok")) {
    std::string error = JsonStringMember(body, "error");
    if (error.empty()) error = "unknown_error";
    const std::string message = absl::StrCat("Slack openid.connect.token: ", error.substr(0, 64));
    if (error == "ratelimited" || error == "internal_error" || error == "fatal_error" ||
        error == "service_unavailable" || error == "request_timeout") {
      return absl::UnavailableError(message);
    }
    return absl::UnauthenticatedError(message);
  }
  const std::string id_token = JsonStringMember(body, "id_token");
  if (id_token.empty()) return absl::InternalError("Slack openid.connect.token: the answer has no id_token");
  return VerifyIdTokenLocked(id_token, nonce);
}

absl::StatusOr<SlackSignedInUser> SlackOpenIdConnect::VerifyIdToken(std::string_view id_token,
                                                                    std::string_view nonce) {
  CREDITBOT_RETURN_IF_ERROR(options_status_);
  std::lock_guard<std::mutex> lock(mutex_);
  return VerifyIdTokenLocked(id_token, nonce);
}

absl::Status SlackOpenIdConnect::LoadKeysLocked(bool refresh) {
  if (keys_ && !refresh) return absl::OkStatus();
  if (keys_ && clock_.Now() - keys_fetched_at_ < options_.keys_refetch_interval) return absl::OkStatus();
  HttpRequest request;
  request.url = endpoints_.keys_url;
  request.headers = {{"Accept", "application/json"}};
  request.timeout = options_.call_timeout;
  request.max_response_bytes = kMaxAnswerBytes;
  keys_fetched_at_ = clock_.Now();  // a failed fetch also waits its turn
  absl::StatusOr<HttpResponse> answer = transport_.Send(request);
  if (!answer.ok()) return answer.status();
  CREDITBOT_RETURN_IF_ERROR(HttpStatusToError(answer->status, "Slack OpenID Connect keys"));
  absl::StatusOr<JwkSet> keys = JwkSet::Parse(answer->body);
  if (!keys.ok()) {
    return absl::UnavailableError(absl::StrCat("Slack OpenID Connect keys: ", keys.status().message()));
  }
  keys_ = *std::move(keys);
  return absl::OkStatus();
}

absl::StatusOr<SlackSignedInUser> SlackOpenIdConnect::VerifyIdTokenLocked(std::string_view id_token,
                                                                          std::string_view nonce) {
  absl::StatusOr<Jwt> jwt = ParseJwt(id_token);
  if (!jwt.ok()) return jwt.status();
  if (jwt->alg != "RS256") {
    return Refused(ToStd(VerifyJwtSignature(*jwt, JwkSet()).message()));  // refused before any key is fetched
  }
  CREDITBOT_RETURN_IF_ERROR(LoadKeysLocked(/*refresh=*/false));
  absl::Status signature = VerifyJwtSignature(*jwt, *keys_);
  if (absl::IsNotFound(signature)) {
    // Slack may have rotated its keys since they were cached: fetch them again (at most once a minute).
    CREDITBOT_RETURN_IF_ERROR(LoadKeysLocked(/*refresh=*/true));
    signature = VerifyJwtSignature(*jwt, *keys_);
  }
  if (!signature.ok()) return Refused(ToStd(signature.message()));

  const nlohmann::json& claims = jwt->claims;
  if (!ConstantTimeEquals(JsonStringMember(claims, "iss"), kSlackIssuer)) {
    return Refused(absl::StrCat("the issuer is not ", ToAbsl(kSlackIssuer)));
  }
  if (!AudienceIs(claims, options_.client_id)) return Refused("the audience is not this app's client id");
  const absl::Time now = clock_.Now();
  const std::optional<absl::Time> expires = TimeClaim(claims, "exp");
  if (!expires) return Refused("no expiry (exp)");
  if (now > *expires + options_.leeway) return Refused("expired");
  const std::optional<absl::Time> issued = TimeClaim(claims, "iat");
  if (!issued) return Refused("no issue time (iat)");
  if (*issued > now + options_.leeway) return Refused("issued in the future");
  if (nonce.empty() || !ConstantTimeEquals(JsonStringMember(claims, "nonce"), nonce)) {
    return Refused("the nonce is not the one this sign-in sent");
  }
  SlackSignedInUser user;
  user.user_id = JsonStringMember(claims, kUserIdClaim);
  if (user.user_id.empty()) user.user_id = JsonStringMember(claims, "sub");
  if (user.user_id.empty()) return Refused("it names no user");
  user.team_id = JsonStringMember(claims, kTeamIdClaim);
  if (!options_.team_id.empty() && user.team_id != options_.team_id) {
    return Refused(absl::StrCat("the workspace ", user.team_id.substr(0, 32), " is not ", options_.team_id));
  }
  user.name = JsonStringMember(claims, "name");
  user.email = JsonStringMember(claims, "email");
  return user;
}

}  // namespace creditbot
