// SlackOpenIdConnect against the fake Slack on loopback: the endpoints, the authorize URL, the code
// exchange and each check of the ID token.
#include "slack/openid_connect.h"

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

constexpr char kRedirect[] = "http://127.0.0.1:8080/auth/slack/callback";

TEST(SlackOpenIdEndpoints, AreBesideTheWebApiBase) {
  absl::StatusOr<SlackOpenIdEndpoints> slack = EndpointsFor("https://slack.com/api/");
  ASSERT_TRUE(slack.ok()) << slack.status();
  EXPECT_EQ(slack->authorize_url, "https://slack.com/openid/connect/authorize");
  EXPECT_EQ(slack->token_url, "https://slack.com/api/openid.connect.token");
  EXPECT_EQ(slack->keys_url, "https://slack.com/openid/connect/keys");

  absl::StatusOr<SlackOpenIdEndpoints> fake = EndpointsFor("http://127.0.0.1:4567/slack/api");
  ASSERT_TRUE(fake.ok()) << fake.status();
  EXPECT_EQ(fake->authorize_url, "http://127.0.0.1:4567/slack/openid/connect/authorize");
  EXPECT_EQ(fake->token_url, "http://127.0.0.1:4567/slack/api/openid.connect.token");

  EXPECT_EQ(EndpointsFor("http://slack.example.com/api/").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(EndpointsFor("https://slack.com/v2/").status().message(), HasSubstr("does not end in /api/"));
}

TEST(SlackOpenIdConnect, OptionsAreCheckedNamingTheSetting) {
  SlackOpenIdOptions options{"4242.1717", "test-secret", kRedirect, "", "https://slack.com/api/"};
  EXPECT_TRUE(SlackOpenIdConnect::ValidateOptions(options).ok());
  options.client_id = "";
  EXPECT_THAT(SlackOpenIdConnect::ValidateOptions(options).message(), HasSubstr("SLACK_CLIENT_ID is empty"));
  options.client_id = "4242.1717";
  options.redirect_uri = "http://dash.example.com/auth/slack/callback";
  EXPECT_THAT(SlackOpenIdConnect::ValidateOptions(options).message(), HasSubstr("must be an https URL"));
}

TEST(SlackOpenIdConnect, TheAuthorizeUrlCarriesEveryParameterEncoded) {
  std::unique_ptr<HttpTransport> transport = MakeCurlTransport();
  SystemClock clock;
  SlackOpenIdConnect provider(*transport, clock,
                              {"4242.1717", "test-secret", kRedirect, "T0123ABCD", "https://slack.com/api/"});
  absl::StatusOr<std::string> url = provider.AuthorizeUrl("st-ate_1", "no+nce");
  ASSERT_TRUE(url.ok()) << url.status();
  // By hand: a space is %20, ':' %3A, '/' %2F, '+' %2B; '-', '_' and '.' stay.
  EXPECT_EQ(*url,
            "https://slack.com/openid/connect/authorize?response_type=code&scope=openid%20profile%20email"
            "&client_id=4242.1717&state=st-ate_1&nonce=no%2Bnce"
            "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fauth%2Fslack%2Fcallback&team=T0123ABCD");
}

// A sign-in through the fake: authorize (its code), then the exchange with the nonce given.
class SlackOpenIdExchange : public ::testing::Test {
 protected:
  SlackOpenIdExchange()
      : transport_(MakeCurlTransport()),
        provider_(*transport_, clock_,
                  {FakeSlackOpenId::kClientId, FakeSlackOpenId::kClientSecret, kRedirect, team_,
                   slack_.api_url()}) {}

  // The code the fake's authorize answers with for `nonce`.
  std::string Authorize(const std::string& nonce) {
    absl::StatusOr<std::string> url = provider_.AuthorizeUrl("state-1", nonce);
    EXPECT_TRUE(url.ok()) << url.status();
    HttpRequest authorize;  // a GET, as the browser sends it
    authorize.url = *url;
    absl::StatusOr<HttpResponse> answer = transport_->Send(authorize);
    EXPECT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->status, 302);
    const std::string location = answer->Header("location").value_or("");
    EXPECT_TRUE(location.starts_with(std::string(kRedirect) + "?code=")) << location;
    const std::size_t start = location.find("code=") + 5;
    return PercentDecode(location.substr(start, location.find('&') - start));
  }

  absl::StatusOr<SlackSignedInUser> SignIn(const std::string& nonce = "nonce-1") {
    return provider_.ExchangeCode(Authorize(nonce), nonce);
  }

  FakeSlackServer slack_;
  std::string team_ = FakeSlackServer::kTeamId;
  std::unique_ptr<HttpTransport> transport_;
  SystemClock clock_;
  SlackOpenIdConnect provider_;
};

TEST_F(SlackOpenIdExchange, AGoodSignInNamesTheUser) {
  absl::StatusOr<SlackSignedInUser> user = SignIn();
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->user_id, "U0SIGNIN1");
  EXPECT_EQ(user->team_id, FakeSlackServer::kTeamId);
  EXPECT_EQ(user->name, "Ada Lovelace");
  EXPECT_EQ(user->email, "ada@example.com");
  // The form Slack documents: client_id, client_secret, code, redirect_uri; no bot token sent.
  for (const testing::SlackRequest& request : slack_.requests()) {
    if (request.api_method != "openid.connect.token") continue;
    EXPECT_THAT(request.body,
                HasSubstr("client_id=4242.1717&client_secret=test-client-secret-for-creditbot"));
    EXPECT_THAT(request.body,
                HasSubstr("&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Fauth%2Fslack%2Fcallback"));
    EXPECT_EQ(request.Header("Authorization"), "");
  }
  EXPECT_EQ(slack_.openid().TokensIssued(), 1);
}

TEST_F(SlackOpenIdExchange, ACodeWorksOnceAndAnUnknownOneIsRefused) {
  const std::string code = Authorize("nonce-1");
  ASSERT_TRUE(provider_.ExchangeCode(code, "nonce-1").ok());
  absl::StatusOr<SlackSignedInUser> again = provider_.ExchangeCode(code, "nonce-1");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(again.status().message(), "Slack openid.connect.token: invalid_code");
  EXPECT_THAT(again.status().message(), ::testing::Not(HasSubstr(code)));
}

TEST_F(SlackOpenIdExchange, EachFailedCheckIsRefusedNamingIt) {
  const testing::TestRsaKey other_key(FakeSlackOpenId::kKeyId);  // the same kid, another key
  struct Case {
    std::string name;
    std::function<void(nlohmann::json&)> change;
    const testing::TestRsaKey* key;
    std::string reason;
  };
  const std::int64_t now = std::time(nullptr);
  const std::vector<Case> cases = {
      {"wrong nonce", [](nlohmann::json& c) { c["nonce"] = "another-nonce"; }, nullptr,
       "the nonce is not the one this sign-in sent"},
      {"no nonce", [](nlohmann::json& c) { c.erase("nonce"); }, nullptr, "the nonce is not the one"},
      {"expired", [now](nlohmann::json& c) { c["exp"] = now - 120; }, nullptr, "expired"},
      {"issued in the future", [now](nlohmann::json& c) { c["iat"] = now + 600; }, nullptr,
       "issued in the future"},
      {"wrong audience", [](nlohmann::json& c) { c["aud"] = "9999.1111"; }, nullptr, "the audience"},
      {"wrong issuer", [](nlohmann::json& c) { c["iss"] = "https://evil.example.com"; }, nullptr,
       "the issuer is not https://slack.com"},
      {"wrong workspace", [](nlohmann::json& c) { c["https://slack.com/team_id"] = "T0OTHER"; }, nullptr,
       "the workspace T0OTHER is not T0G9PQBBK"},
      {"another key", [](nlohmann::json&) {}, &other_key, "signature does not match"},
  };
  for (const Case& c : cases) {
    slack_.openid().ChangeIdTokens(c.change, c.key);
    absl::StatusOr<SlackSignedInUser> user = SignIn();
    ASSERT_FALSE(user.ok()) << c.name;
    EXPECT_EQ(user.status().code(), absl::StatusCode::kUnauthenticated) << c.name;
    EXPECT_THAT(user.status().message(), HasSubstr("Slack ID token refused: ")) << c.name;
    EXPECT_THAT(user.status().message(), HasSubstr(c.reason)) << c.name;
  }
}

TEST_F(SlackOpenIdExchange, AlgNoneIsRefusedWithoutFetchingKeys) {
  slack_.openid().SetIdTokenMaker([](const nlohmann::json& claims) -> std::string {
    return Base64UrlEncode(R"({"alg":"none","kid":"fake-slack-1"})") + "." + Base64UrlEncode(claims.dump()) +
           ".";
  });
  absl::StatusOr<SlackSignedInUser> user = SignIn();
  EXPECT_EQ(user.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(user.status().message(), HasSubstr("JWT algorithm \"none\" is refused"));
  int key_fetches = 0;
  for (const testing::SlackRequest& request : slack_.requests())
    key_fetches += request.path == "/openid/connect/keys";
  EXPECT_EQ(key_fetches, 0);
}

TEST_F(SlackOpenIdExchange, KeysAreCachedAndFetchedAgainForAnUnknownKidAtMostOnceAMinute) {
  auto key_fetches = [this] {
    int count = 0;
    for (const testing::SlackRequest& request : slack_.requests())
      count += request.path == "/openid/connect/keys";
    return count;
  };
  ASSERT_TRUE(SignIn().ok());
  ASSERT_TRUE(SignIn().ok());
  EXPECT_EQ(key_fetches(), 1);
  // A token naming a key Slack does not (yet) list: fetched again once, then refused.
  const testing::TestRsaKey rotated("fake-slack-2");
  slack_.openid().ChangeIdTokens([](nlohmann::json&) {}, &rotated);
  absl::StatusOr<SlackSignedInUser> user = SignIn();
  EXPECT_THAT(user.status().message(), HasSubstr("\"fake-slack-2\" is not among the provider's keys"));
  // The first fetch was under a minute ago, so the unknown kid waits for the cache's minute: no fetch.
  EXPECT_EQ(key_fetches(), 1);
}

TEST(SlackOpenIdConnectKeys, AnUnknownKidFetchesTheKeysAgainOnceTheMinuteHasPassed) {
  FakeSlackServer slack;
  std::unique_ptr<HttpTransport> transport = MakeCurlTransport();
  FakeClock clock(absl::Now());
  SlackOpenIdConnect provider(
      *transport, clock,
      {FakeSlackOpenId::kClientId, FakeSlackOpenId::kClientSecret, kRedirect, "", slack.api_url()});
  const std::int64_t now = absl::ToUnixSeconds(clock.Now());
  nlohmann::json claims = {{"iss", "https://slack.com"},
                           {"aud", FakeSlackOpenId::kClientId},
                           {"sub", "U0SIGNIN1"},
                           {"exp", now + 300},
                           {"iat", now},
                           {"nonce", "n"}};
  ASSERT_TRUE(provider.VerifyIdToken(FakeSlackOpenId::SigningKey().Sign(claims), "n").ok());
  const testing::TestRsaKey rotated("fake-slack-2");
  clock.Advance(absl::Seconds(61));
  EXPECT_EQ(provider.VerifyIdToken(rotated.Sign(claims), "n").status().code(),
            absl::StatusCode::kUnauthenticated);
  int key_fetches = 0;
  for (const testing::SlackRequest& request : slack.requests())
    key_fetches += request.path == "/openid/connect/keys";
  EXPECT_EQ(key_fetches, 2);
}

}  // namespace
}  // namespace creditbot
