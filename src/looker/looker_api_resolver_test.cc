// Tests for LookerApiResolver against FakeLookerServer on loopback, through the real libcurl transport.
// Expected SQL, ids, tokens and messages come from the shared Looker fixtures and research/looker_trino.md
// §1 (endpoints, 404 on bad credentials, `Authorization: token …`).
#include "looker/looker_api_resolver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/requester_error.h"
#include "core/looker_url.h"
#include "net/http_transport.h"
#include "tests/fake_looker_server.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeLookerServer;
using ::creditbot::testing::LookerRequest;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string& ExpectedSql() {
  static const std::string sql = FakeLookerServer::Fixture("recorded_api31_run_query_sql_200.body.sql");
  return sql;
}

class LookerApiResolverTest : public ::testing::Test {
 protected:
  LookerApiOptions Options() const {
    LookerApiOptions options;
    options.api_base_url = server_.base_url();
    options.client_id = FakeLookerServer::kClientId;
    options.client_secret = FakeLookerServer::kClientSecret;
    return options;
  }

  LookerApiResolver& resolver() {
    if (resolver_ == nullptr)
      resolver_ = std::make_unique<LookerApiResolver>(*transport_, clock_, sleeper_, Options());
    return *resolver_;
  }

  // Links are classified against the fake server's address, as the pipeline does with
  // CREDITBOT_LOOKER_BASE_URL.
  LookerRef Link(const std::string& path_and_query) const {
    absl::StatusOr<LookerBase> base = ParseLookerBase(server_.base_url());
    EXPECT_TRUE(base.ok()) << base.status();
    return ClassifyLink(server_.base_url() + path_and_query, *base);
  }

  absl::StatusOr<ResolvedSql> Resolve(const std::string& path_and_query) {
    return resolver().Resolve(Link(path_and_query));
  }

  int Logins() const { return server_.Count("POST", "/api/4.0/login"); }

  // Every error returned must be free of the client secret, raw and form-encoded.
  static void ExpectNoSecret(const absl::Status& status) {
    EXPECT_THAT(std::string(status.message()),
                AllOf(Not(HasSubstr(FakeLookerServer::kClientSecret)), Not(HasSubstr("s3cr3t"))));
  }

  FakeLookerServer server_;
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  FakeClock clock_{absl::FromUnixSeconds(1'750'000'000)};
  FakeSleeper sleeper_{clock_};
  std::unique_ptr<LookerApiResolver> resolver_;
};

// --- Login and token ----------------------------------------------------------------------------------

TEST_F(LookerApiResolverTest, LogsInWithFormEncodedCredentialsAndSendsTokenHeader) {
  ASSERT_TRUE(Resolve("/looks/42").ok());
  std::vector<LookerRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/api/4.0/login");
  EXPECT_EQ(requests[0].Header("Content-Type"), "application/x-www-form-urlencoded");
  // "s3cr3t/Pass+word&=%" with '/', '+', '&', '=' and '%' percent-encoded (RFC 3986 unreserved kept).
  EXPECT_EQ(requests[0].body, "client_id=creditbot-test-id&client_secret=s3cr3t%2FPass%2Bword%26%3D%25");
  EXPECT_EQ(requests[0].target, "/api/4.0/login");  // never credentials in the query string
  for (std::size_t i = 1; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].Header("Authorization"), "token 4QDkCyCtZzYgj4C2p2cj3csJH7zqS5RzKs2kTnG4");
  }
}

TEST_F(LookerApiResolverTest, AnAnswerOverEightMebibytesIsNotReadAndNotRetried) {
  // 8 MiB + 1 byte of look JSON: refused as too large (permanent), asked once.
  server_.SetResponse("GET", "/api/4.0/looks/42", 200, std::string(kMaxLookerAnswerBytes + 1, ' '));
  absl::StatusOr<ResolvedSql> resolved = Resolve("/looks/42");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(resolved.status().message()), HasSubstr("larger than 8388608 bytes"));
  EXPECT_EQ(server_.Count("GET", "/api/4.0/looks/42"), 1);
}

TEST_F(LookerApiResolverTest, ReusesTokenUntilShortlyBeforeExpiry) {
  ASSERT_TRUE(Resolve("/looks/42").ok());
  clock_.Advance(absl::Seconds(3600 - 61));  // expires_in 3600 in the fixture; still outside the margin
  ASSERT_TRUE(Resolve("/x/kQ7dP2x").ok());
  EXPECT_EQ(Logins(), 1);
  clock_.Advance(absl::Seconds(2));  // now within 60 s of expiry
  ASSERT_TRUE(Resolve("/dashboards/7").ok());
  EXPECT_EQ(Logins(), 2);
}

TEST_F(LookerApiResolverTest, LogsInAgainOnceWhenTokenIsRefusedMidPass) {
  ASSERT_TRUE(Resolve("/looks/42").ok());
  server_.ExpireToken();
  absl::StatusOr<ResolvedSql> resolved = Resolve("/x/kQ7dP2x");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->sql, ExpectedSql());
  EXPECT_EQ(Logins(), 2);
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/slug/kQ7dP2x"), 2);  // 401, then the retry
}

TEST_F(LookerApiResolverTest, PersistentUnauthorizedAfterFreshLoginIsUnauthenticated) {
  server_.SetResponse("GET", "/api/4.0/looks/42", 401,
                      FakeLookerServer::Fixture("constructed_api40_error_401_requires_authentication.json"),
                      "application/json", 2);
  absl::StatusOr<ResolvedSql> resolved = Resolve("/looks/42");
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(resolved.status().message()), HasSubstr("LOOKER_CLIENT_ID"));
  EXPECT_EQ(Logins(), 2);
  EXPECT_EQ(server_.Count("GET", "/api/4.0/looks/42"), 2);
  ExpectNoSecret(resolved.status());
}

TEST_F(LookerApiResolverTest, BadCredentialsFailOnceWithClearMessageAndNoRetry) {
  LookerApiOptions options = Options();
  options.client_secret = "wrong-secret-value-123";
  LookerApiResolver resolver(*transport_, clock_, sleeper_, options);
  absl::StatusOr<ResolvedSql> first = resolver.Resolve(Link("/looks/42"));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(std::string(first.status().message()),
              AllOf(HasSubstr("LOOKER_CLIENT_ID"), HasSubstr("LOOKER_CLIENT_SECRET"), HasSubstr("404"),
                    Not(HasSubstr("wrong-secret-value-123"))));
  // Later links of the same pass get the same answer without another login.
  absl::StatusOr<ResolvedSql> second = resolver.Resolve(Link("/x/kQ7dP2x"));
  EXPECT_EQ(second.status(), first.status());
  EXPECT_EQ(Logins(), 1);
  EXPECT_EQ(server_.requests().size(), 1u);
  EXPECT_TRUE(sleeper_.sleeps().empty());
}

TEST_F(LookerApiResolverTest, ALoginAnswerCutOffIsUnavailableAndTheNextLinkLogsInAgain) {
  server_.SetResponse("POST", "/api/4.0/login", 200, R"({"access_token":"4QDkCyCtZzYgj4C2p2cj3csJH7zqS5R)",
                      "application/json", 1);
  absl::StatusOr<ResolvedSql> first = Resolve("/looks/42");
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(first.status().message()), HasSubstr("not JSON"));
  absl::StatusOr<ResolvedSql> second = Resolve("/looks/42");  // not remembered as a refusal
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(Logins(), 2);
}

TEST_F(LookerApiResolverTest, MissingSecretIsAConfigurationErrorWithoutAnyRequest) {
  LookerApiOptions options = Options();
  options.client_secret.clear();
  absl::Status valid = LookerApiResolver::ValidateOptions(options);
  EXPECT_EQ(valid.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(valid.message()), HasSubstr("LOOKER_CLIENT_SECRET is not set"));
  LookerApiResolver resolver(*transport_, clock_, sleeper_, options);
  EXPECT_EQ(resolver.Resolve(Link("/looks/42")).status(), valid);
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(LookerApiResolverTest, ApiBaseWithPathIsRefusedNamingTheSetting) {
  LookerApiOptions options = Options();
  options.api_base_url = server_.base_url() + "/api/4.0";
  absl::Status valid = LookerApiResolver::ValidateOptions(options);
  EXPECT_EQ(valid.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(valid.message()), HasSubstr("CREDITBOT_LOOKER_API_URL"));
}

TEST_F(LookerApiResolverTest, PlainHttpApiIsRefusedExceptOnLoopback) {
  LookerApiOptions options = Options();
  options.api_base_url = "http://acme.looker.com:19999";
  absl::Status valid = LookerApiResolver::ValidateOptions(options);
  EXPECT_EQ(valid.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(valid.message()), AllOf(HasSubstr("CREDITBOT_LOOKER_API_URL"), HasSubstr("https")));
  options.api_base_url = "https://acme.looker.com:19999";
  EXPECT_TRUE(LookerApiResolver::ValidateOptions(options).ok());
}

// --- Every link kind ----------------------------------------------------------------------------------

TEST_F(LookerApiResolverTest, ResolvesLookThroughItsQueryIdWithoutRunningIt) {
  absl::StatusOr<ResolvedSql> resolved = Resolve("/looks/42");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->sql, ExpectedSql());
  EXPECT_THAT(resolved->description, AllOf(HasSubstr("look 42"), HasSubstr("48213")));
  EXPECT_EQ(server_.Count("GET", "/api/4.0/looks/42"), 1);
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48213/run/sql"), 1);
  EXPECT_EQ(server_.requests().size(), 3u);  // login, look, run/sql: nothing else (no run/json)
}

TEST_F(LookerApiResolverTest, ResolvesExploreQidThroughQuerySlug) {
  absl::StatusOr<ResolvedSql> resolved =
      Resolve("/explore/finance/accounts?qid=Zq3hV7kLm2NpR8sTu4WxY1&origin_space=17&toggle=vis");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->sql, ExpectedSql());
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/slug/Zq3hV7kLm2NpR8sTu4WxY1"), 1);
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48213/run/sql"), 1);
}

TEST_F(LookerApiResolverTest, ResolvesShareLinkThroughQuerySlug) {
  absl::StatusOr<ResolvedSql> resolved = Resolve("/x/kQ7dP2x");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->sql, ExpectedSql());
  EXPECT_THAT(resolved->description, HasSubstr("/x/kQ7dP2x"));
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/slug/kQ7dP2x"), 1);
}

TEST_F(LookerApiResolverTest, ResolvesEmbedUrlsLikeTheirPlainForms) {
  ASSERT_TRUE(Resolve("/embed/query-visualization/Zq3hV7kLm2NpR8sTu4WxY1").ok());
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/slug/Zq3hV7kLm2NpR8sTu4WxY1"), 1);
  ASSERT_TRUE(Resolve("/embed/looks/42").ok());
  EXPECT_EQ(server_.Count("GET", "/api/4.0/looks/42"), 1);
  absl::StatusOr<ResolvedSql> dashboard = Resolve("/embed/dashboards/7");
  ASSERT_TRUE(dashboard.ok()) << dashboard.status();
  EXPECT_EQ(server_.Count("GET", "/api/4.0/dashboards/7"), 1);
  ASSERT_TRUE(Resolve("/embed/query/finance/accounts?qid=kQ7dP2x").ok());
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/slug/kQ7dP2x"), 1);
}

TEST_F(LookerApiResolverTest, IgnoresExtraQueryParametersOnLooksAndDashboards) {
  ASSERT_TRUE(Resolve("/looks/42?toggle=dat,pik,vis&apply_formatting=true").ok());
  ASSERT_TRUE(Resolve("/dashboards-next/7?Region=EMEA&embed_domain=x").ok());
  EXPECT_EQ(server_.Count("GET", "/api/4.0/looks/42"), 1);
  EXPECT_EQ(server_.Count("GET", "/api/4.0/dashboards/7"), 1);
}

TEST_F(LookerApiResolverTest, DashboardWithOneFittingTileUsesThatTilesQuery) {
  absl::StatusOr<ResolvedSql> resolved = Resolve("/dashboards/7");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->sql, ExpectedSql());
  EXPECT_THAT(resolved->description,
              AllOf(HasSubstr("dashboard 7"), HasSubstr("tile 101"), HasSubstr("48990")));
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48990/run/sql"), 1);
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48213/run/sql"), 0);  // the Look tile 102 does not fit
}

TEST_F(LookerApiResolverTest, DashboardFilterThatChangesTheTilesQueryIsRefused) {
  // Tile 101 listens to the dashboard filter "Region" (field accounts.region); its stored query has EMEA.
  absl::StatusOr<ResolvedSql> resolved = Resolve("/dashboards/7?Region=APAC+North");
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(resolved.status().message()),
              AllOf(HasSubstr("tile 101"), HasSubstr("Region=\"APAC North\""),
                    HasSubstr("accounts.region=\"EMEA\"")));
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48990/run/sql"), 0);
  // The same value as the stored query, or none (the dashboard's default, EMEA), resolves.
  EXPECT_TRUE(Resolve("/dashboards/7?Region=EMEA").ok());
  EXPECT_TRUE(Resolve("/dashboards/7").ok());
  // Not answered from the cache of the plain link.
  EXPECT_EQ(Resolve("/dashboards/7?Region=APAC+North").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(LookerApiResolverTest, DashboardWithTwoFittingTilesAsksWhichTile) {
  absl::StatusOr<ResolvedSql> resolved = Resolve("/dashboards/8");
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(resolved.status().message()),
              AllOf(HasSubstr("Which tile?"), HasSubstr("\"Average days late by account\" (tile 101)"),
                    HasSubstr("\"Overdue accounts - EMEA (Look tile)\" (tile 102)")));
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48990/run/sql"), 0);
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48213/run/sql"), 0);
  ExpectNoSecret(resolved.status());
  // The requester can answer "which tile?", so the pipeline asks in the thread rather than alerting the
  // owner.
  EXPECT_TRUE(ShouldAskRequester(resolved.status()));
}

TEST_F(LookerApiResolverTest, DashboardWithoutFittingTileSaysSo) {
  absl::StatusOr<ResolvedSql> resolved = Resolve("/dashboards/9");
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(resolved.status().message()),
              AllOf(HasSubstr("no tile has the fraud-report columns"), HasSubstr("tile 101"),
                    Not(HasSubstr("tile 103")), Not(HasSubstr("tile 104"))));  // merged and text: no query
  EXPECT_TRUE(ShouldAskRequester(resolved.status()));
}

TEST_F(LookerApiResolverTest, RequiredFieldsAreAnOption) {
  LookerApiOptions options = Options();
  options.required_field_suffixes = {"days_late_avg"};  // only tile 101 of the unchanged fixture has it
  LookerApiResolver resolver(*transport_, clock_, sleeper_, options);
  absl::StatusOr<ResolvedSql> resolved = resolver.Resolve(Link("/dashboards/9"));
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48990/run/sql"), 1);
}

TEST_F(LookerApiResolverTest, ResolvesLookmlDashboardById) {
  absl::StatusOr<ResolvedSql> resolved = Resolve("/dashboards/finance::credit_overview");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->sql, ExpectedSql());
  EXPECT_THAT(resolved->description,
              AllOf(HasSubstr("LookML dashboard finance::credit_overview"), HasSubstr("tile 1001")));
  EXPECT_EQ(server_.Count("GET", "/api/4.0/dashboards/finance::credit_overview"), 1);
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48213/run/sql"), 1);
}

TEST_F(LookerApiResolverTest, ExpandedExploreRunsUrlEncodedQueryAsSql) {
  const std::string query =
      "fields=accounts.account_id,accounts.customer_name&f[accounts.region]=EMEA&limit=500";
  absl::StatusOr<ResolvedSql> resolved = Resolve("/explore/finance/accounts?" + query);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->sql, ExpectedSql());
  std::vector<LookerRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].target, "/api/4.0/queries/models/finance/views/accounts/run/sql?" + query);
}

TEST_F(LookerApiResolverTest, ExpandedExploreWithoutFieldsIsRefusedWithoutRequest) {
  absl::StatusOr<ResolvedSql> resolved = Resolve("/explore/finance/accounts?toggle=fil");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(resolved.status().message()), HasSubstr("qid="));
  EXPECT_TRUE(server_.requests().empty());
}

TEST_F(LookerApiResolverTest, OtherLinkOnLookerHostIsUnimplementedWithoutRequest) {
  absl::StatusOr<ResolvedSql> resolved = Resolve("/folders/17");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_TRUE(server_.requests().empty());
}

// --- Errors ---------------------------------------------------------------------------------------------

TEST_F(LookerApiResolverTest, MissingLookIsNotFoundNamingIt) {
  absl::StatusOr<ResolvedSql> resolved = Resolve("/looks/999");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(resolved.status().message()), AllOf(HasSubstr("look 999"), HasSubstr("Not found")));
  ExpectNoSecret(resolved.status());
}

TEST_F(LookerApiResolverTest, MissingSlugAndDashboardAreNotFoundNamingThem) {
  absl::StatusOr<ResolvedSql> slug = Resolve("/x/NoSuchSlug");
  EXPECT_EQ(slug.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(slug.status().message()), HasSubstr("NoSuchSlug"));
  absl::StatusOr<ResolvedSql> dashboard = Resolve("/dashboards/404");
  EXPECT_EQ(dashboard.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(dashboard.status().message()), HasSubstr("dashboard 404"));
}

TEST_F(LookerApiResolverTest, HtmlNotFoundPageIsHandled) {
  server_.SetResponse("GET", "/api/4.0/looks/42", 404,
                      "<!DOCTYPE html><html><title>Looker Not Found (404)</title></html>", "text/html");
  absl::StatusOr<ResolvedSql> resolved = Resolve("/looks/42");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(resolved.status().message()), AllOf(HasSubstr("look 42"), HasSubstr("HTML page")));
}

TEST_F(LookerApiResolverTest, ForbiddenIsPermissionDenied) {
  server_.SetResponse(
      "GET", "/api/4.0/queries/48213/run/sql", 403,
      R"({"message":"Database OAuth Error","documentation_url":"https://cloud.google.com/looker/docs/"})");
  absl::StatusOr<ResolvedSql> resolved = Resolve("/looks/42");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(resolved.status().message()), AllOf(HasSubstr("query 48213"), HasSubstr("403")));
}

TEST_F(LookerApiResolverTest, ValidationErrorIsInvalidArgument) {
  server_.SetResponse("GET", "/api/4.0/queries/slug/kQ7dP2x", 422,
                      FakeLookerServer::Fixture("constructed_api40_error_422_validation.json"));
  absl::StatusOr<ResolvedSql> resolved = Resolve("/x/kQ7dP2x");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(resolved.status().message()),
              AllOf(HasSubstr("Validation Failed"), HasSubstr("model: This field is required.")));
}

TEST_F(LookerApiResolverTest, ServerErrorIsUnavailable) {
  server_.SetResponse("GET", "/api/4.0/dashboards/7", 500, "Internal Server Error", "text/plain");
  absl::StatusOr<ResolvedSql> resolved = Resolve("/dashboards/7");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(resolved.status().message()), HasSubstr("500"));
  // Errors are not cached: the next pass's attempt (here the same resolver) asks again and succeeds.
  EXPECT_TRUE(Resolve("/dashboards/7").ok());
}

TEST_F(LookerApiResolverTest, RateLimitWaitsForRetryAfterThenSucceeds) {
  ASSERT_TRUE(Resolve("/x/kQ7dP2x").ok());
  server_.RateLimitNext(2, "7");
  absl::StatusOr<ResolvedSql> resolved = Resolve("/looks/42");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Seconds(7), absl::Seconds(7)));
  EXPECT_EQ(server_.Count("GET", "/api/4.0/looks/42"), 3);
}

TEST_F(LookerApiResolverTest, PersistentRateLimitGivesUpAsUnavailable) {
  ASSERT_TRUE(Resolve("/x/kQ7dP2x").ok());
  server_.RateLimitNext(100, "");
  absl::StatusOr<ResolvedSql> resolved = Resolve("/looks/42");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(resolved.status().message()), HasSubstr("429"));
  // No Retry-After: 1 s, 2 s, 4 s, then give up (max_rate_limit_retries = 3).
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Seconds(1), absl::Seconds(2), absl::Seconds(4)));
  EXPECT_EQ(server_.Count("GET", "/api/4.0/looks/42"), 4);
}

TEST_F(LookerApiResolverTest, NonJsonReplyIsUnavailable) {
  server_.SetResponse("GET", "/api/4.0/looks/42", 200, "<html>maintenance</html>", "text/html");
  EXPECT_EQ(Resolve("/looks/42").status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(LookerApiResolverTest, UnreachableLookerIsUnavailable) {
  LookerApiOptions options = Options();
  {
    FakeLookerServer closed;  // its port is free again once it is destroyed
    options.api_base_url = closed.base_url();
  }
  LookerApiResolver resolver(*transport_, clock_, sleeper_, options);
  absl::StatusOr<ResolvedSql> resolved = resolver.Resolve(Link("/looks/42"));
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kUnavailable);
  ExpectNoSecret(resolved.status());
}

TEST_F(LookerApiResolverTest, SecretEchoedByLookerIsScrubbedFromMessages) {
  server_.SetResponse("GET", "/api/4.0/looks/42", 422,
                      std::string(R"({"message":"bad value )") + FakeLookerServer::kClientSecret +
                          R"( and s3cr3t%2FPass%2Bword%26%3D%25","documentation_url":"x"})");
  absl::StatusOr<ResolvedSql> resolved = Resolve("/looks/42");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(resolved.status().message()), HasSubstr("[redacted]"));
  ExpectNoSecret(resolved.status());
}

// --- Cache ----------------------------------------------------------------------------------------------

TEST_F(LookerApiResolverTest, SameLinkAndSameQueryAreResolvedOnce) {
  ASSERT_TRUE(Resolve("/looks/42").ok());
  ASSERT_TRUE(Resolve("/looks/42").ok());
  ASSERT_TRUE(Resolve("/x/kQ7dP2x").ok());  // another link to the same query 48213
  EXPECT_EQ(server_.Count("GET", "/api/4.0/looks/42"), 1);
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48213/run/sql"), 1);
  EXPECT_EQ(Logins(), 1);
}

// --- SQL cut short (RELIABILITY.md B2) ------------------------------------------------------------------

// The fraud report of the sample look 101 as Looker writes it (row limit 500), and a cut of it inside the
// WHERE list that is still valid SQL: it would run on every channel and country of the two accounts.
const char kWholeSql[] =
    "SELECT\n"
    "    DATE(a.created_at) AS \"r.day\",\n"
    "    COUNT(*) AS \"r.attempts_sent\"\n"
    "FROM verification_attempts AS a\n"
    "WHERE (a.account_sid IN ('ACs1', 'ACs2'))\n"
    "  AND (a.channel = 'sms')\n"
    "  AND (a.to_country IN ('AZ', 'TJ'))\n"
    "GROUP BY 1\n"
    "ORDER BY 1\n"
    "LIMIT 500";
const std::string kCutInWhere =
    std::string(kWholeSql).substr(0, std::string(kWholeSql).find("\n  AND (a.channel"));

TEST_F(LookerApiResolverTest, SqlCutShortIsUnavailableNotCachedAndFetchedAgain) {
  // Look 42's query (48213) has the row limit "500" in its JSON; Looker's SQL for it ends with LIMIT 500.
  server_.SetResponse("GET", "/api/4.0/queries/48213/run/sql", 200, kCutInWhere, "application/sql");
  absl::StatusOr<ResolvedSql> cut = Resolve("/looks/42");
  ASSERT_EQ(cut.status().code(), absl::StatusCode::kUnavailable) << cut.status();
  EXPECT_EQ(cut.status().message(),
            "Looker's SQL for query 48213 looks cut short (it ends with ')' at line 5, not with LIMIT (the "
            "query's row limit is 500)); it was not run and is fetched again on a later pass");
  // The next resolve (a later pass) asks again and gets the whole statement.
  server_.SetResponse("GET", "/api/4.0/queries/48213/run/sql", 200, kWholeSql, "application/sql");
  resolver_.reset();
  absl::StatusOr<ResolvedSql> whole = Resolve("/looks/42");
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(whole->sql, kWholeSql);
  EXPECT_EQ(server_.Count("GET", "/api/4.0/queries/48213/run/sql"), 2);
}

TEST_F(LookerApiResolverTest, SqlCutShortIsCaughtOnEveryPathThatKnowsTheRowLimit) {
  const std::string cut_in_number =
      std::string(kWholeSql).substr(0, std::string(kWholeSql).size() - 2);  // LIMIT 5
  for (const std::string& link :
       {std::string("/x/kQ7dP2x"), std::string("/dashboards/7"),
        std::string("/explore/finance/accounts?fields=accounts.account_id&limit=500")}) {
    server_.SetResponse("GET", "/api/4.0/queries/48213/run/sql", 200, cut_in_number, "application/sql");
    server_.SetResponse("GET", "/api/4.0/queries/48990/run/sql", 200, cut_in_number, "application/sql");
    server_.SetResponse("GET", "/api/4.0/queries/models/finance/views/accounts/run/sql", 200, cut_in_number,
                        "application/sql");
    resolver_.reset();
    absl::StatusOr<ResolvedSql> resolved = Resolve(link);
    EXPECT_EQ(resolved.status().code(), absl::StatusCode::kUnavailable) << link << " " << resolved.status();
    EXPECT_THAT(resolved.status().message(),
                HasSubstr("looks cut short (it ends with LIMIT 5 but the query's row limit is 500)"))
        << link;
  }
}

TEST_F(LookerApiResolverTest, WithoutAKnownRowLimitOnlyTheBalanceIsChecked) {
  // An expanded Explore link without limit= names no row limit: a statement without LIMIT is taken.
  const std::string no_limit = std::string(kWholeSql).substr(0, std::string(kWholeSql).find("\nLIMIT"));
  server_.SetResponse("GET", "/api/4.0/queries/models/finance/views/accounts/run/sql", 200, no_limit,
                      "application/sql");
  absl::StatusOr<ResolvedSql> resolved = Resolve("/explore/finance/accounts?fields=accounts.account_id");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  // A cut inside a parenthesis is still caught.
  const std::string open = std::string(kWholeSql).substr(0, std::string(kWholeSql).find(", 'TJ'"));
  server_.SetResponse("GET", "/api/4.0/queries/models/finance/views/accounts/run/sql", 200, open,
                      "application/sql");
  resolved = Resolve("/explore/finance/accounts?fields=accounts.account_id&f[a.x]=1");
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kUnavailable) << resolved.status();
  EXPECT_THAT(resolved.status().message(), HasSubstr("2 '(' never closed, the first opened at line 7"));
}

// --- Hosts ----------------------------------------------------------------------------------------------

TEST_F(LookerApiResolverTest, LinksToOtherHostsAreRefusedWithoutAnyRequest) {
  FakeLookerServer evil;
  for (const std::string& url : {evil.base_url() + "/looks/42",
                                 "http://127.0.0.1:" + std::to_string(server_.port()) +
                                     "@127.0.0.2:" + std::to_string(evil.port()) + "/looks/42",
                                 "https://127.0.0.1:" + std::to_string(server_.port()) + "/looks/42"}) {
    absl::StatusOr<LookerBase> base = ParseLookerBase(server_.base_url());
    ASSERT_TRUE(base.ok());
    LookerRef ref = ClassifyLink(url, *base);
    ASSERT_EQ(ref.kind, LinkKind::kOther) << url;
    absl::StatusOr<ResolvedSql> resolved = resolver().Resolve(ref);
    EXPECT_EQ(resolved.status().code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(std::string(resolved.status().message()), HasSubstr("not followed")) << url;
  }
  EXPECT_TRUE(server_.requests().empty());
  EXPECT_TRUE(evil.requests().empty());
}

TEST_F(LookerApiResolverTest, RequestsGoOnlyToApiBaseWhateverTheLinkUrlSays) {
  FakeLookerServer evil;
  LookerRef ref;  // as if mis-built: a Look kind whose URL names another host
  ref.kind = LinkKind::kLook;
  ref.id = "42";
  ref.url = evil.base_url() + "/looks/42";
  ASSERT_TRUE(resolver().Resolve(ref).ok());
  EXPECT_TRUE(evil.requests().empty());
  EXPECT_EQ(server_.requests().size(), 3u);
}

TEST_F(LookerApiResolverTest, IdsThatClassifyLinkNeverProducesAreRefusedWithoutRequest) {
  LookerRef ref;
  ref.kind = LinkKind::kLook;
  ref.id = "42/../../x";
  EXPECT_EQ(resolver().Resolve(ref).status().code(), absl::StatusCode::kInvalidArgument);
  ref.kind = LinkKind::kShare;
  ref.id = "a?b";
  EXPECT_EQ(resolver().Resolve(ref).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(server_.requests().empty());
}

}  // namespace
}  // namespace creditbot
