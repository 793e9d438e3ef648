// SlackSignIn over loopback HTTP with the fake Slack: Start, the browser's trip through the fake's
// authorize endpoint, Finish with the callback's query and the cookie Start set; and each refusal.
#include "web/slack_sign_in.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

#include "common/jwt.h"
#include "common/url.h"
#include "tests/fake_slack_server.h"
#include "tests/test_rsa_key.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeSlackOpenId;
using ::creditbot::testing::FakeSlackServer;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kRedirect[] = "http://127.0.0.1:8080/auth/slack/callback";

// What a browser holds between the two steps.
struct Callback {
  std::string query;   // the callback's query string, as the fake's redirect wrote it
  std::string cookie;  // the Cookie header the browser sends back: "name=value"
};

class SlackSignInTest : public ::testing::Test {
 protected:
  SlackSignInTest()
      : transport_(MakeCurlTransport()),
        provider_(*transport_, clock_,
                  {FakeSlackOpenId::kClientId, FakeSlackOpenId::kClientSecret, kRedirect,
                   FakeSlackServer::kTeamId, slack_.api_url()}),
        sign_in_(provider_, clock_, FakeSlackOpenId::kClientSecret) {}

  // Start, then follow the authorize URL to the fake, which redirects straight back.
  Callback StartAndAuthorize(std::string_view return_to = "/queue") {
    absl::StatusOr<SlackSignInStart> start = sign_in_.Start(return_to);
    EXPECT_TRUE(start.ok()) << start.status();
    HttpRequest to_slack;  // the browser follows the 302 to Slack's authorize page
    to_slack.url = start->authorize_url;
    absl::StatusOr<HttpResponse> answer = browser_->Send(to_slack);
    EXPECT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->status, 302);
    const std::string location = answer->Header("location").value_or("");
    EXPECT_THAT(location, StartsWith(std::string(kRedirect) + "?"));
    const std::string cookie = start->set_cookie.substr(0, start->set_cookie.find(';'));
    return {location.substr(location.find('?') + 1), cookie};
  }

  // Finish must refuse with kUnauthenticated and a message holding `reason`.
  void ExpectRefused(const Callback& callback, const std::string& reason) {
    absl::StatusOr<WebUser> user = sign_in_.Finish(callback.query, callback.cookie);
    ASSERT_FALSE(user.ok()) << reason;
    EXPECT_EQ(user.status().code(), absl::StatusCode::kUnauthenticated) << user.status();
    EXPECT_THAT(user.status().message(), HasSubstr(reason));
    EXPECT_THAT(user.status().message(), ::testing::Not(HasSubstr("fakecode")));  // the code is never shown
    EXPECT_THAT(user.status().message(), ::testing::Not(HasSubstr(FakeSlackOpenId::kClientSecret)));
  }

  FakeSlackServer slack_;
  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<HttpTransport> browser_ = MakeCurlTransport();
  FakeClock clock_{absl::Now()};
  SlackOpenIdConnect provider_;
  SlackSignIn sign_in_;
};

TEST_F(SlackSignInTest, StartSendsTheBrowserToSlackWithAFreshStateAndNonceInASecureCookie) {
  absl::StatusOr<SlackSignInStart> first = sign_in_.Start("/history?status=failed");
  absl::StatusOr<SlackSignInStart> second = sign_in_.Start("/");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_THAT(
      first->authorize_url,
      StartsWith(slack_.base_url() +
                 "/openid/connect/authorize?response_type=code&scope=openid%20profile%20email&client_id="
                 "4242.1717&state="));
  EXPECT_THAT(first->authorize_url, HasSubstr("&team=T0G9PQBBK"));
  EXPECT_NE(first->authorize_url, second->authorize_url);  // new state and nonce each time
  EXPECT_EQ(first->return_to, "/history?status=failed");
  EXPECT_THAT(first->set_cookie, StartsWith("creditbot_slack_sign_in="));
  EXPECT_THAT(first->set_cookie,
              HasSubstr("; Path=/auth/slack/; Max-Age=600; HttpOnly; Secure; SameSite=Lax"));
  EXPECT_EQ(SlackSignIn::ClearCookie(),
            "creditbot_slack_sign_in=; Path=/auth/slack/; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
}

TEST_F(SlackSignInTest, AGoodSignInGivesTheWebUserAndTheReturnPath) {
  const Callback callback = StartAndAuthorize("/queue");
  std::string return_to;
  absl::StatusOr<WebUser> user =
      sign_in_.Finish(callback.query, "theme=dark; " + callback.cookie + "; other=1", &return_to);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->user_id, "U0SIGNIN1");
  EXPECT_EQ(user->team_id, "T0G9PQBBK");
  EXPECT_EQ(user->name, "Ada Lovelace");
  EXPECT_EQ(user->email, "ada@example.com");
  EXPECT_EQ(return_to, "/queue");
  // The nonce Slack received is the one the token had to carry.
  const nlohmann::json authorization = slack_.openid().Authorizations().back();
  EXPECT_EQ(authorization["nonce"].get<std::string>().size(), 43u);  // 32 random bytes, base64url
}

TEST_F(SlackSignInTest, AForgedStateIsRefused) {
  const Callback mine = StartAndAuthorize();
  const Callback attackers = StartAndAuthorize();
  // The attacker's callback (their code and state) delivered to my browser, which holds my cookie.
  ExpectRefused({attackers.query, mine.cookie},
                "the callback's state is not the one this browser was sent with");
  ExpectRefused({"code=4242.1.fakecode", mine.cookie}, "the callback has no state");
}

TEST_F(SlackSignInTest, AReplayedCallbackIsRefused) {
  const Callback callback = StartAndAuthorize();
  ASSERT_TRUE(sign_in_.Finish(callback.query, callback.cookie).ok());
  ExpectRefused(callback, "already used (a replay)");
}

TEST_F(SlackSignInTest, MissingForgedOrExpiredCookiesAreRefused) {
  const Callback callback = StartAndAuthorize();
  ExpectRefused({callback.query, ""}, "no sign-in was started in this browser");
  std::string tampered = callback.cookie;
  tampered[tampered.find('=') + 5] ^= 1;
  ExpectRefused({callback.query, tampered}, "not made by this dashboard");
  // A cookie sealed under another client secret.
  SlackSignIn other(provider_, clock_, "another-secret");
  absl::StatusOr<SlackSignInStart> start = other.Start("/");
  ASSERT_TRUE(start.ok());
  ExpectRefused({callback.query, start->set_cookie.substr(0, start->set_cookie.find(';'))},
                "not made by this dashboard");
  clock_.Advance(SlackSignIn::kLifetime + absl::Seconds(1));
  ExpectRefused(callback, "took too long");
}

TEST_F(SlackSignInTest, AnErrorFromSlackIsRefused) {
  const Callback callback = StartAndAuthorize();
  ExpectRefused({"error=access_denied&state=x", callback.cookie}, "Slack answered access_denied");
  ExpectRefused({"error=%3Cscript%3E&state=x", callback.cookie}, "Slack answered script");
}

TEST_F(SlackSignInTest, BadIdTokensAreRefusedEachWithItsReason) {
  const testing::TestRsaKey other_key(FakeSlackOpenId::kKeyId);
  const std::int64_t now = std::time(nullptr);
  struct Case {
    std::function<void(nlohmann::json&)> change;
    const testing::TestRsaKey* key;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {[](nlohmann::json& c) { c["nonce"] = "not-the-cookies-nonce"; }, nullptr,
       "the nonce is not the one this sign-in sent"},
      {[now](nlohmann::json& c) { c["exp"] = now - 3600; }, nullptr, "expired"},
      {[](nlohmann::json&) {}, &other_key, "signature does not match"},
      {[](nlohmann::json& c) { c["aud"] = "1111.2222"; }, nullptr,
       "the audience is not this app's client id"},
      {[](nlohmann::json& c) { c["https://slack.com/team_id"] = "T0ELSEWHERE"; }, nullptr,
       "the workspace T0ELSEWHERE is not T0G9PQBBK"},
  };
  for (const Case& c : cases) {
    slack_.openid().ChangeIdTokens(c.change, c.key);
    ExpectRefused(StartAndAuthorize(), c.reason);
  }
  slack_.openid().SetIdTokenMaker([](const nlohmann::json& claims) -> std::string {
    return Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(claims.dump()) + ".";
  });
  ExpectRefused(StartAndAuthorize(), "JWT algorithm \"none\" is refused");
}

TEST_F(SlackSignInTest, ACodeSlackRefusesIsRefused) {
  Callback callback = StartAndAuthorize();
  const std::size_t code = callback.query.find("code=") + 5;
  callback.query.replace(code, callback.query.find('&') - code, "4242.999.fakecode");
  ExpectRefused(callback, "Slack openid.connect.token: invalid_code");
}

TEST(SlackSignInReturnTo, OnlyALocalPathIsKept) {
  EXPECT_EQ(SlackSignIn::LocalPathOrRoot("/requests/abc?x=1#top"), "/requests/abc?x=1#top");
  EXPECT_EQ(SlackSignIn::LocalPathOrRoot("/"), "/");
  for (const std::string bad :
       {"", "https://evil.example.com/", "//evil.example.com/x", "/\\evil.example.com", "evil.example.com",
        "/a\r\nSet-Cookie: x=1", "javascript:alert(1)"}) {
    EXPECT_EQ(SlackSignIn::LocalPathOrRoot(bad), "/") << bad;
  }
  EXPECT_EQ(SlackSignIn::LocalPathOrRoot("/" + std::string(2000, 'a')), "/");
}

}  // namespace
}  // namespace creditbot
