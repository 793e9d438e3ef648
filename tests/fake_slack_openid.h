// FakeSlackOpenId: the "Sign in with Slack" (OpenID Connect) side of FakeSlackServer, which serves it at
// its own address so one CREDITBOT_SLACK_API_URL points creditbot at both:
//   GET  /openid/connect/authorize   response_type=code, scope with openid, client_id, redirect_uri, state,
//                                    nonce (team optional): answers 302 straight back to
//                                    redirect_uri?code=…&state=… as if the user (SetUser) had agreed, so
//                                    a real browser signs in through it; a bad request is a 400 page
//   POST /api/openid.connect.token   client_id, client_secret, code, redirect_uri (form): {"ok":true,
//                                    "access_token":"xoxp-…","token_type":"Bearer","id_token":…}; errors
//                                    as Slack's ok:false: invalid_client_id, bad_client_secret, invalid_code
//                                    (unknown or already used: a code works once), bad_redirect_uri
//   GET  /openid/connect/keys        the JWKS: {"keys":[<the signing key's JWK>]}
// The ID token's claims are Slack's: iss https://slack.com, sub and https://slack.com/user_id the user,
// aud the client id, iat now, exp now + 5 minutes, auth_time, nonce as sent to authorize,
// https://slack.com/team_id, name, email, email_verified. It is signed RS256 with an RSA key generated in
// the test process (tests/test_rsa_key.h), kid "fake-slack-1". SetIdTokenMaker lets a test replace the
// token (other claims, another key, alg none) to show each refused.
//
// Thread-safe (its own mutex): FakeSlackServer's handler thread and the test thread share it.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_rsa_key.h"

namespace creditbot::testing {

class FakeSlackOpenId {
 public:
  static constexpr const char* kClientId = "4242.1717";
  static constexpr const char* kClientSecret = "test-client-secret-for-creditbot";
  static constexpr const char* kKeyId = "fake-slack-1";

  // Who signs in at the next authorize (Default: U0SIGNIN1 in FakeSlackServer::kTeamId, "Ada Lovelace",
  // ada@example.com).
  void SetUser(const std::string& user_id, const std::string& team_id, const std::string& name,
               const std::string& email);
  // Replaces how the ID token is made from the claims the fake would sign (nullptr: back to the default,
  // SigningKey().Sign(claims)).
  void SetIdTokenMaker(std::function<std::string(const nlohmann::json& claims)> maker);
  // ID tokens from now on: the claims the fake would sign, changed by `change`, signed by `key` (nullptr:
  // SigningKey()). A shorthand for SetIdTokenMaker.
  void ChangeIdTokens(std::function<void(nlohmann::json& claims)> change, const TestRsaKey* key = nullptr);
  // The key the fake signs with (shared by every fake in the process: generating one takes a while).
  static const TestRsaKey& SigningKey();

  // What the authorize endpoint did: the query's arguments as received, in order.
  std::vector<nlohmann::json> Authorizations() const;
  // How many openid.connect.token calls succeeded.
  int TokensIssued() const;

  // --- for FakeSlackServer ---
  struct Redirect {
    int status = 302;      // 302, or 400 with `body`
    std::string location;  // for a 302
    std::string body;      // for a 400
  };
  Redirect Authorize(const nlohmann::json& args);
  // {"ok":true,…} or {"ok":false,"error":…}.
  nlohmann::json Token(const nlohmann::json& args);
  nlohmann::json Keys() const;

 private:
  struct Grant {
    std::string client_id;
    std::string redirect_uri;
    std::string nonce;
    std::string user_id, team_id, name, email;
  };
  mutable std::mutex mutex_;
  std::string user_id_ = "U0SIGNIN1";
  std::string team_id_ = "T0G9PQBBK";  // FakeSlackServer::kTeamId
  std::string name_ = "Ada Lovelace";
  std::string email_ = "ada@example.com";
  std::function<std::string(const nlohmann::json&)> id_token_maker_;
  std::map<std::string, Grant> grants_;  // by code; erased when used
  std::vector<nlohmann::json> authorizations_;
  int code_counter_ = 0;
  int tokens_issued_ = 0;
};

}  // namespace creditbot::testing
