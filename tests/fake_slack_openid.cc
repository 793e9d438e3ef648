// The fake Slack's OpenID Connect provider; see fake_slack_openid.h.
#include "tests/fake_slack_openid.h"

#include <ctime>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/url.h"

namespace creditbot::testing {

namespace {

std::string Arg(const nlohmann::json& args, const char* name) {
  const auto it = args.find(name);
  return it != args.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

const TestRsaKey& FakeSlackOpenId::SigningKey() {
  static const TestRsaKey* const key = new TestRsaKey(kKeyId);
  return *key;
}

void FakeSlackOpenId::SetUser(const std::string& user_id, const std::string& team_id, const std::string& name,
                              const std::string& email) {
  std::lock_guard<std::mutex> lock(mutex_);
  user_id_ = user_id;
  team_id_ = team_id;
  name_ = name;
  email_ = email;
}

void FakeSlackOpenId::SetIdTokenMaker(std::function<std::string(const nlohmann::json& claims)> maker) {
  std::lock_guard<std::mutex> lock(mutex_);
  id_token_maker_ = std::move(maker);
}

void FakeSlackOpenId::ChangeIdTokens(std::function<void(nlohmann::json& claims)> change,
                                     const TestRsaKey* key) {
  const TestRsaKey& signer = key != nullptr ? *key : SigningKey();
  SetIdTokenMaker([change = std::move(change), &signer](const nlohmann::json& claims) {
    nlohmann::json changed = claims;
    change(changed);
    return signer.Sign(changed);
  });
}

std::vector<nlohmann::json> FakeSlackOpenId::Authorizations() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return authorizations_;
}

int FakeSlackOpenId::TokensIssued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tokens_issued_;
}

FakeSlackOpenId::Redirect FakeSlackOpenId::Authorize(const nlohmann::json& args) {
  std::lock_guard<std::mutex> lock(mutex_);
  authorizations_.push_back(args);
  const std::string redirect_uri = Arg(args, "redirect_uri");
  auto refuse = [](const std::string& why) { return Redirect{400, "", "Sign in with Slack: " + why}; };
  if (Arg(args, "response_type") != "code") return refuse("response_type must be code");
  if (!absl::StrContains(Arg(args, "scope"), "openid")) return refuse("the scope must include openid");
  if (Arg(args, "client_id") != kClientId) return refuse("invalid client_id");
  if (redirect_uri.empty() ||
      !(absl::StartsWith(redirect_uri, "http://") || absl::StartsWith(redirect_uri, "https://")))
    return refuse("bad redirect_uri");
  const std::string code = absl::StrCat("4242.", ++code_counter_, ".fakecode");
  grants_[code] = Grant{kClientId, redirect_uri, Arg(args, "nonce"), user_id_, team_id_, name_, email_};
  std::string location = absl::StrCat(redirect_uri, redirect_uri.find('?') == std::string::npos ? "?" : "&",
                                      "code=", PercentEncode(code));
  if (args.contains("state")) absl::StrAppend(&location, "&state=", PercentEncode(Arg(args, "state")));
  return Redirect{302, location, ""};
}

nlohmann::json FakeSlackOpenId::Token(const nlohmann::json& args) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto failure = [](const char* error) { return nlohmann::json{{"ok", false}, {"error", error}}; };
  if (Arg(args, "client_id") != kClientId) return failure("invalid_client_id");
  if (Arg(args, "client_secret") != kClientSecret) return failure("bad_client_secret");
  const auto grant = grants_.find(Arg(args, "code"));
  if (grant == grants_.end()) return failure("invalid_code");
  const Grant used = grant->second;
  grants_.erase(grant);  // a code works once
  if (Arg(args, "redirect_uri") != used.redirect_uri) return failure("bad_redirect_uri");
  const std::int64_t now = std::time(nullptr);
  nlohmann::json claims = {{"iss", "https://slack.com"},
                           {"sub", used.user_id},
                           {"aud", used.client_id},
                           {"exp", now + 300},
                           {"iat", now},
                           {"auth_time", now},
                           {"https://slack.com/user_id", used.user_id},
                           {"https://slack.com/team_id", used.team_id},
                           {"name", used.name},
                           {"email", used.email},
                           {"email_verified", true}};
  if (!used.nonce.empty()) claims["nonce"] = used.nonce;
  const std::string id_token = id_token_maker_ ? id_token_maker_(claims) : SigningKey().Sign(claims);
  ++tokens_issued_;
  return {{"ok", true},
          {"access_token", "xoxp-test-openid-access-token"},
          {"token_type", "Bearer"},
          {"id_token", id_token}};
}

nlohmann::json FakeSlackOpenId::Keys() const {
  return {{"keys", nlohmann::json::array({SigningKey().Jwk()})}};
}

}  // namespace creditbot::testing
