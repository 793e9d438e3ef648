// The dashboard's router, sessions, CSRF and pages on a real SQLite store, without a browser (the browser
// test is tests/dashboard_browser_test.cc): what a request without a session gets, local sign-in and its
// cookie, the CSRF check, decisions handed to the one decision path, history filters and paging, the CSV
// and the chart data. Expected values are worked out by hand from the entries each test records.
#include "web/dashboard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "state/sqlite_state_store.h"
#include "web/session_store.h"
#include "web/web_request.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1765000000);  // 2025-12-06T05:46:40Z, a Saturday

std::string HeaderOf(const HttpFrontResponse& response, const std::string& name, int nth = 0) {
  for (const auto& [key, value] : response.headers) {
    if (key == name && nth-- == 0) return value;
  }
  return "";
}

std::string Between(const std::string& text, const std::string& before, const std::string& after) {
  const std::size_t start = text.find(before);
  if (start == std::string::npos) return "";
  const std::size_t end = text.find(after, start + before.size());
  return text.substr(start + before.size(), end - start - before.size());
}

TEST(SessionStore, IdsAre256RandomBitsInBase64Url) {
  FakeClock clock(kNow);
  SessionStore store(clock);
  const WebSession a = store.Create(WebUser{"U1", "", "", ""});
  const WebSession b = store.Create(WebUser{"U1", "", "", ""});
  EXPECT_EQ(a.id.size(), 43u);  // 32 bytes, base64 without padding: ceil(256 / 6)
  EXPECT_EQ(a.csrf_token.size(), 43u);
  EXPECT_EQ(a.id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
            std::string::npos);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.id, a.csrf_token);
}

TEST(SessionStore, EndsAfterIdleOrAbsoluteTimeout) {
  FakeClock clock(kNow);
  SessionStore store(clock, SessionOptions{absl::Minutes(30), absl::Hours(2), 100});
  const WebSession session = store.Create(WebUser{"U1", "", "", ""});
  clock.Advance(absl::Minutes(29));
  ASSERT_TRUE(store.Find(session.id).has_value());  // seen: the idle time starts again
  clock.Advance(absl::Minutes(29));
  ASSERT_TRUE(store.Find(session.id).has_value());
  clock.Advance(absl::Minutes(30));
  EXPECT_FALSE(store.Find(session.id).has_value());  // 30 idle minutes

  const WebSession busy = store.Create(WebUser{"U2", "", "", ""});
  for (int i = 0; i < 5; ++i) {
    clock.Advance(absl::Minutes(20));
    EXPECT_TRUE(store.Find(busy.id).has_value()) << i;  // 20, 40, … 100 minutes after sign-in
  }
  clock.Advance(absl::Minutes(19));
  EXPECT_TRUE(store.Find(busy.id).has_value());  // 119 minutes
  clock.Advance(absl::Minutes(1));
  EXPECT_FALSE(store.Find(busy.id).has_value());  // 2 hours after sign-in, however busy
}

TEST(WebRequest, ReadsFormsQueriesAndCookies) {
  const auto form = ParseFormFields("reason=too+high%21&amount=1%2C200&empty&reason=second");
  EXPECT_EQ(form.at("reason"), "too high!");
  EXPECT_EQ(form.at("amount"), "1,200");
  EXPECT_EQ(form.at("empty"), "");
  EXPECT_EQ(ParseQueryOf("/history?status=awaiting&page=2").at("page"), "2");
  EXPECT_TRUE(ParseQueryOf("/history").empty());
  EXPECT_EQ(CookieValue("a=1; creditbot_session=xyz; b=2", "creditbot_session"), "xyz");
  EXPECT_EQ(CookieValue("xcreditbot_session=no", "creditbot_session"), "");
  EXPECT_EQ(HtmlEscape("<a href=\"x\">O'Neil & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Neil &amp; co&lt;/a&gt;");
  EXPECT_EQ(SetCookieValue("s", "v", CookieOptions{true, absl::ZeroDuration()}),
            "s=v; Path=/; HttpOnly; SameSite=Lax; Secure");
  EXPECT_EQ(SetCookieValue("s", "", CookieOptions{false, -absl::Seconds(1)}),
            "s=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
}

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = absl::StrCat(::testing::TempDir(), "/dashboard_test_", getpid(), "_",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name(), ".db");
    std::remove(path_.c_str());
    store_ = SqliteStateStore::Open(path_).value();
    data_ = std::make_unique<DashboardData>(
        *store_, [this](std::string_view id, std::string_view name) { return ReadAudit(id, name); });
  }
  void TearDown() override { std::remove(path_.c_str()); }

  absl::StatusOr<std::string> ReadAudit(std::string_view id, std::string_view name) {
    auto found = audit_.find(std::string(id) + "/" + std::string(name));
    if (found == audit_.end()) return absl::NotFoundError("no such audit file");
    return found->second;
  }

  void Open(bool local_sign_in = true, const std::string& api_token = "") {
    DashboardOptions options;
    options.local_sign_in = local_sign_in;
    options.api_token = api_token;
    options.page_size = 2;
    DashboardHooks hooks;
    hooks.is_approver = [](const std::string& user) { return user == "U0APPROVER1"; };
    hooks.decide = [this](const DecisionRequest& request) {
      decisions_.push_back(request);
      DecisionAnswer answer;
      if (request.actor != "U0APPROVER1") {
        answer.kind = DecisionAnswer::Kind::kNotApprover;
        answer.message = "Only <@U0APPROVER1> can decide on credits.";
      } else {
        answer.kind = DecisionAnswer::Kind::kDecided;
        answer.message = "Approved $255.00.";
      }
      return answer;
    };
    dashboard_ = std::make_unique<Dashboard>(options, *data_, hooks, clock_);
  }

  LedgerEntry Record(const std::string& id, absl::Time created, LedgerStatus status,
                     const std::string& amount, const std::string& parent = "ACparent",
                     const std::string& mcc = "410") {
    LedgerEntry entry;
    entry.execution_id = id;
    entry.channel = "C0CREDITREQ";
    entry.ts = absl::StrCat(absl::ToUnixSeconds(created) - 5400, ".000100");  // asked 90 minutes before
    entry.request_key = absl::StrCat(entry.channel, ":", entry.ts);
    entry.parent_account_sid = parent;
    entry.product = "verify";
    entry.recommended_amount = amount;
    entry.policy_name = "verify";
    entry.created_at = created;
    entry.cells.push_back(LedgerCell{absl::CivilDay(2025, 11, 1), "AC1", "", mcc, "", amount});
    if (auto breakdown = breakdowns_.find(id); breakdown != breakdowns_.end()) {
      entry.credited_by_country = breakdown->second.first;
      entry.credited_by_mode = breakdown->second.second;
    }
    EXPECT_TRUE(store_->RecordLedgerEntry(entry).value());
    if (status != LedgerStatus::kAwaiting) {
      Decision decision;
      decision.kind = status == LedgerStatus::kRejected ? DecisionKind::kReject : DecisionKind::kApprove;
      decision.by = "U0APPROVER1";
      decision.at = created + absl::Hours(2);
      decision.reason = status == LedgerStatus::kRejected ? "duplicate" : "";
      EXPECT_TRUE(store_->Decide(id, decision).value().applied);
    }
    return entry;
  }

  HttpFrontResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpFrontRequest request;
    request.method = method;
    request.target = target;
    request.path = target.substr(0, target.find('?'));
    request.body = body;
    request.peer = "127.0.0.1";
    if (!cookie_.empty()) headers.emplace_back("Cookie", cookie_);
    request.headers = std::move(headers);
    return dashboard_->Handle(request);
  }

  // Signs in locally as `user`; returns the session's CSRF token (read from the queue page).
  std::string SignIn(const std::string& user) {
    const HttpFrontResponse login = Send("GET", "/login");
    const std::string login_csrf = Between(login.body, "name=\"login_csrf\" value=\"", "\"");
    cookie_ = absl::StrCat(Dashboard::kLoginCookie, "=", login_csrf);
    const HttpFrontResponse signed_in =
        Send("POST", "/login/local", absl::StrCat("login_csrf=", login_csrf, "&user_id=", user));
    EXPECT_EQ(signed_in.status, 303);
    const std::string set_cookie = HeaderOf(signed_in, "Set-Cookie");
    cookie_ = set_cookie.substr(0, set_cookie.find(';'));
    return Between(Send("GET", "/queue").body, "name=\"csrf\" value=\"", "\"");
  }

  FakeClock clock_{kNow};
  std::string path_;
  std::unique_ptr<SqliteStateStore> store_;
  std::map<std::string, std::string> audit_;
  std::unique_ptr<DashboardData> data_;
  std::unique_ptr<Dashboard> dashboard_;
  std::vector<DecisionRequest> decisions_;
  std::string cookie_;
  // Per execution id: the credited-by-country and credited-by-mode sums Record gives the entry.
  std::map<std::string, std::pair<std::map<std::string, std::string>, std::map<std::string, std::string>>>
      breakdowns_;
};

TEST_F(DashboardTest, PagesWithoutASessionRedirectToSignIn) {
  Open();
  for (const char* page :
       {"/queue", "/history?status=awaiting", "/charts", "/requests/E1", "/export.csv", "/"}) {
    const HttpFrontResponse response = Send("GET", page);
    EXPECT_EQ(response.status, 302) << page;
    EXPECT_THAT(HeaderOf(response, "Location"), HasSubstr("/login?return_to=")) << page;
  }
  EXPECT_EQ(HeaderOf(Send("GET", "/history?status=awaiting"), "Location"),
            "/login?return_to=%2Fhistory%3Fstatus%3Dawaiting");
  EXPECT_EQ(Send("POST", "/decide", "execution_id=E1&action=approve").status, 403);
  EXPECT_TRUE(decisions_.empty());
  // The stylesheet and scripts hold no data: served to anyone (the sign-in page uses the stylesheet).
  const HttpFrontResponse css = Send("GET", "/static/dashboard.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_EQ(css.content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Send("GET", "/static/nothing.js").status, 404);
}

TEST_F(DashboardTest, ApiNeedsASessionOrTheBearerToken) {
  Open(false, "xapi-test-token");
  Record("E1", kNow - absl::Hours(3), LedgerStatus::kAwaiting, "255.00");
  const HttpFrontResponse none = Send("GET", "/api/queue");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(HeaderOf(none, "WWW-Authenticate"), "Bearer realm=\"creditbot\"");
  EXPECT_EQ(Send("GET", "/api/queue", "", {{"Authorization", "Bearer xapi-test-tokem"}}).status, 401);
  EXPECT_EQ(Send("GET", "/api/queue", "", {{"Authorization", "Bearer "}}).status, 401);
  const HttpFrontResponse ok = Send("GET", "/api/queue", "", {{"Authorization", "Bearer xapi-test-token"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  const nlohmann::json body = nlohmann::json::parse(ok.body);
  ASSERT_EQ(body["entries"].size(), 1u);
  EXPECT_EQ(body["entries"][0]["execution_id"], "E1");
  EXPECT_EQ(body["entries"][0]["recommended_amount"], "255.00");
  EXPECT_EQ(Send("POST", "/api/queue", "", {{"Authorization", "Bearer xapi-test-token"}}).status, 405);
}

TEST_F(DashboardTest, ApiWithoutAConfiguredTokenRefusesEveryBearer) {
  Open(false, "");
  EXPECT_EQ(Send("GET", "/api/queue", "", {{"Authorization", "Bearer "}}).status, 401);
  EXPECT_EQ(Send("GET", "/api/queue", "", {{"Authorization", "Bearer anything"}}).status, 401);
}

TEST_F(DashboardTest, LocalSignInIsRefusedWhenOff) {
  Open(/*local_sign_in=*/false);
  const HttpFrontResponse login = Send("GET", "/login");
  EXPECT_EQ(login.status, 200);
  EXPECT_THAT(login.body, Not(HasSubstr("/login/local")));
  EXPECT_EQ(HeaderOf(login, "Set-Cookie"), "");
  const HttpFrontResponse refused = Send("POST", "/login/local", "user_id=U0APPROVER1");
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("local sign-in is off"));
  EXPECT_EQ(Send("GET", "/auth/slack/start").status, 503);
  EXPECT_THAT(Send("GET", "/auth/slack/callback?code=x&state=y").body,
              HasSubstr("Slack sign-in not configured"));
}

TEST_F(DashboardTest, LocalSignInNeedsItsFormTokenAndGivesAnHttpOnlyLaxCookie) {
  Open();
  const HttpFrontResponse login = Send("GET", "/login");
  const std::string login_csrf = Between(login.body, "name=\"login_csrf\" value=\"", "\"");
  ASSERT_EQ(login_csrf.size(), 43u);
  EXPECT_EQ(HeaderOf(login, "Set-Cookie"),
            absl::StrCat("creditbot_login=", login_csrf, "; Path=/; HttpOnly; SameSite=Lax; Max-Age=600"));
  // Without the cookie (a form posted from another site) or with another token: refused.
  EXPECT_EQ(
      Send("POST", "/login/local", absl::StrCat("login_csrf=", login_csrf, "&user_id=U0APPROVER1")).status,
      403);
  cookie_ = "creditbot_login=other";
  EXPECT_EQ(
      Send("POST", "/login/local", absl::StrCat("login_csrf=", login_csrf, "&user_id=U0APPROVER1")).status,
      403);
  cookie_ = absl::StrCat("creditbot_login=", login_csrf);
  EXPECT_EQ(Send("POST", "/login/local", absl::StrCat("login_csrf=", login_csrf, "&user_id=nobody")).status,
            400);
  const HttpFrontResponse signed_in =
      Send("POST", "/login/local",
           absl::StrCat("login_csrf=", login_csrf, "&user_id=U0APPROVER1&return_to=//evil"));
  ASSERT_EQ(signed_in.status, 303);
  EXPECT_EQ(HeaderOf(signed_in, "Location"), "/queue");  // "//evil" is not a local path
  const std::string set_cookie = HeaderOf(signed_in, "Set-Cookie");
  EXPECT_THAT(set_cookie, HasSubstr("creditbot_session="));
  EXPECT_THAT(set_cookie, HasSubstr("; Path=/; HttpOnly; SameSite=Lax"));
  EXPECT_THAT(set_cookie, Not(HasSubstr("Secure")));  // plain http on loopback: the embedded default
  cookie_ = set_cookie.substr(0, set_cookie.find(';'));
  const HttpFrontResponse queue = Send("GET", "/queue");
  EXPECT_EQ(queue.status, 200);
  EXPECT_THAT(queue.body, HasSubstr("Signed in as U0APPROVER1"));
}

TEST_F(DashboardTest, PostsWithoutTheSessionsCsrfTokenAreRefused) {
  Open();
  Record("E1", kNow - absl::Hours(3), LedgerStatus::kAwaiting, "255.00");
  const std::string csrf = SignIn("U0APPROVER1");
  ASSERT_EQ(csrf.size(), 43u);
  EXPECT_EQ(Send("POST", "/decide", "execution_id=E1&action=approve").status, 403);
  EXPECT_EQ(Send("POST", "/decide", "execution_id=E1&action=approve&csrf=wrong").status, 403);
  EXPECT_EQ(Send("POST", "/logout", "").status, 403);
  EXPECT_TRUE(decisions_.empty());
  const HttpFrontResponse decided =
      Send("POST", "/decide", absl::StrCat("execution_id=E1&action=approve&csrf=", csrf));
  EXPECT_EQ(decided.status, 200);
  EXPECT_THAT(decided.body, HasSubstr("Approved $255.00."));
  ASSERT_EQ(decisions_.size(), 1u);
  EXPECT_EQ(decisions_[0].execution_id, "E1");
  EXPECT_EQ(decisions_[0].actor, "U0APPROVER1");
  EXPECT_EQ(decisions_[0].via, "dashboard");
  EXPECT_EQ(decisions_[0].command.verb, DecisionVerb::kApprove);
}

TEST_F(DashboardTest, AdjustAndRejectCarryTheirAmountAndReason) {
  Open();
  const std::string csrf = SignIn("U0APPROVER1");
  EXPECT_EQ(
      Send("POST", "/decide", absl::StrCat("execution_id=E1&action=reject&reason=+&csrf=", csrf)).status,
      400);
  EXPECT_EQ(
      Send("POST", "/decide", absl::StrCat("execution_id=E1&action=adjust&amount=-5&reason=x&csrf=", csrf))
          .status,
      400);
  EXPECT_TRUE(decisions_.empty());
  Send("POST", "/decide",
       absl::StrCat("execution_id=E1&action=adjust&amount=%241%2C200&reason=partial+refund&csrf=", csrf));
  ASSERT_EQ(decisions_.size(), 1u);
  EXPECT_EQ(decisions_[0].command.verb, DecisionVerb::kAdjust);
  EXPECT_EQ(decisions_[0].command.amount, "1200.00");
  EXPECT_EQ(decisions_[0].command.reason, "partial refund");
}

TEST_F(DashboardTest, ANonApproversDecisionIsRefusedSayingWhoCan) {
  Open();
  const std::string csrf = SignIn("U0BYSTANDER");
  const HttpFrontResponse refused =
      Send("POST", "/decide", absl::StrCat("execution_id=E1&action=approve&csrf=", csrf));
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("Only &lt;@U0APPROVER1&gt; can decide on credits."));
}

TEST_F(DashboardTest, QueueListsTheAwaitingOldestFirst) {
  Open();
  Record("E-new", kNow - absl::Hours(1), LedgerStatus::kAwaiting, "10.00");
  Record("E-old", kNow - absl::Hours(50), LedgerStatus::kAwaiting, "20.00");
  Record("E-done", kNow - absl::Hours(60), LedgerStatus::kApproved, "30.00");
  SignIn("U0APPROVER1");
  const std::string page = Send("GET", "/queue").body;
  EXPECT_THAT(page, HasSubstr("2 awaiting a decision"));
  EXPECT_LT(page.find("data-execution-id=\"E-old\""), page.find("data-execution-id=\"E-new\""));
  EXPECT_THAT(page, Not(HasSubstr("E-done")));
  EXPECT_THAT(page, HasSubstr("<td>2 days</td>"));  // 50 hours
  EXPECT_THAT(page, HasSubstr("<td>1 h</td>"));
}

TEST_F(DashboardTest, HistoryFiltersAndPages) {
  Open();  // two entries a page
  Record("E1", kNow - absl::Hours(72), LedgerStatus::kApproved, "10.00", "ACone");
  Record("E2", kNow - absl::Hours(48), LedgerStatus::kRejected, "20.00", "ACtwo");
  Record("E3", kNow - absl::Hours(24), LedgerStatus::kApproved, "30.00", "ACone");
  Record("E4", kNow - absl::Hours(1), LedgerStatus::kAwaiting, "40.00", "ACone");
  SignIn("U0APPROVER1");
  std::string page = Send("GET", "/history").body;
  EXPECT_THAT(page, HasSubstr("<span id=\"count\">1–2 of 4</span>"));
  EXPECT_THAT(page, HasSubstr("data-execution-id=\"E4\""));  // newest first
  EXPECT_THAT(page, HasSubstr("data-execution-id=\"E3\""));
  EXPECT_THAT(page, HasSubstr("href=\"/history?page=2\">Older</a>"));
  page = Send("GET", "/history?page=2").body;
  EXPECT_THAT(page, HasSubstr("<span id=\"count\">3–4 of 4</span>"));
  EXPECT_THAT(page, HasSubstr("data-execution-id=\"E1\""));
  page = Send("GET", "/history?status=approved&parent=ACone").body;
  EXPECT_THAT(page, HasSubstr("<span id=\"count\">1–2 of 2</span>"));
  EXPECT_THAT(page, Not(HasSubstr("data-execution-id=\"E2\"")));
  // since/until are whole UTC days: kNow is 2025-12-06, E2 was created 2025-12-04.
  page = Send("GET", "/history?since=2025-12-04&until=2025-12-04").body;
  EXPECT_THAT(page, HasSubstr("<span id=\"count\">1–1 of 1</span>"));
  EXPECT_THAT(page, HasSubstr("data-execution-id=\"E2\""));
  EXPECT_EQ(Send("GET", "/history?status=paid").status, 400);
  EXPECT_EQ(Send("GET", "/history?since=yesterday").status, 400);
  const nlohmann::json api = nlohmann::json::parse(Send("GET", "/api/history?parent=ACone&page=2").body);
  EXPECT_EQ(api["total"], 3);
  ASSERT_EQ(api["entries"].size(), 1u);
  EXPECT_EQ(api["entries"][0]["execution_id"], "E1");
}

TEST_F(DashboardTest, CsvExportsEveryEntryOfTheFilter) {
  Open();
  Record("E1", kNow - absl::Hours(72), LedgerStatus::kApproved, "10.00");
  Record("E2", kNow - absl::Hours(48), LedgerStatus::kRejected, "20.00");
  Record("E3", kNow - absl::Hours(24), LedgerStatus::kApproved, "30.00");
  SignIn("U0APPROVER1");
  const HttpFrontResponse csv = Send("GET", "/export.csv?status=approved");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(HeaderOf(csv, "Content-Disposition"), "attachment; filename=\"creditbot-ledger.csv\"");
  const std::vector<std::string> rows = absl::StrSplit(csv.body, "\r\n", absl::SkipEmpty());
  ASSERT_EQ(rows.size(), 3u);  // header, E3, E1 (not paged: every entry of the filter)
  EXPECT_TRUE(absl::StartsWith(rows[0], "execution_id,request_key,"));
  EXPECT_TRUE(absl::StartsWith(
      rows[1],
      "E3,C0CREDITREQ:1764908200.000100,,ACparent,verify,,,1,30.00,approved,30.00,USD,U0APPROVER1,"));
  EXPECT_TRUE(absl::StartsWith(rows[2], "E1,"));
}

TEST_F(DashboardTest, ChartDataSumsByWeekMccCountryAndMode) {
  Open();
  // kNow is Saturday 2025-12-06: its week starts Monday 2025-12-01; 8 days before is in the week of 11-24.
  // Country and mode sums are recorded with each entry (the pipeline sums its lines and mode table).
  breakdowns_["E1"] = {{{"PK", "60.00"}, {"BD", "40.00"}}, {{"basic", "70.00"}, {"max", "30.00"}}};
  breakdowns_["E2"] = {{{"PK", "50.00"}}, {{"basic", "50.00"}}};  // rejected: credits nothing
  breakdowns_["E3"] = {{{"UZ", "25.50"}}, {{"basic", "25.50"}, {"off", "0.00"}}};
  Record("E1", kNow - absl::Hours(2), LedgerStatus::kApproved, "100.00", "AC1", "410");
  Record("E2", kNow - absl::Hours(3), LedgerStatus::kRejected, "50.00", "AC1", "410");
  Record("E3", kNow - absl::Hours(24 * 8), LedgerStatus::kApproved, "25.50", "AC1", "434");
  SignIn("U0APPROVER1");
  const HttpFrontResponse response = Send("GET", "/api/charts");
  ASSERT_EQ(response.status, 200) << response.body;
  const nlohmann::json charts = nlohmann::json::parse(response.body);
  EXPECT_EQ(charts["entries"], 3);
  EXPECT_EQ(charts["no_breakdown"], 0);
  EXPECT_EQ(charts["weekly"]["labels"], nlohmann::json({"2025-11-24", "2025-12-01"}));
  EXPECT_EQ(charts["weekly"]["values"]["recommended"], nlohmann::json({25.5, 150.0}));
  EXPECT_EQ(charts["weekly"]["values"]["approved"], nlohmann::json({25.5, 100.0}));  // E2 rejected
  EXPECT_EQ(charts["by_mcc"]["labels"], nlohmann::json({"410", "434"}));
  EXPECT_EQ(charts["by_mcc"]["values"]["credited"], nlohmann::json({100.0, 25.5}));
  EXPECT_EQ(charts["by_country"]["labels"], nlohmann::json({"PK", "BD", "UZ"}));
  EXPECT_EQ(charts["by_country"]["values"]["credited"], nlohmann::json({60.0, 40.0, 25.5}));
  EXPECT_EQ(charts["by_mode"]["labels"], nlohmann::json({"basic", "max"}));
  EXPECT_EQ(charts["by_mode"]["values"]["credited"], nlohmann::json({95.5, 30.0}));
  // Each request was asked 90 minutes before its entry (1.5 h: 1-4 h), decided 2 h after it (3.5 h: 1-4 h).
  EXPECT_EQ(charts["reply_hours"]["values"]["entries"], nlohmann::json({0, 3, 0, 0, 0}));
  EXPECT_EQ(charts["decide_hours"]["values"]["entries"], nlohmann::json({0, 3, 0, 0, 0}));
}

TEST_F(DashboardTest, RequestPageShowsLinesWarningsTrailAndAudit) {
  Open();
  Record("E1", kNow - absl::Hours(2), LedgerStatus::kAwaiting, "100.00");
  audit_["E1/result.json"] =
      R"({"warnings":["repeat <incident>"],"lines":[{"date":"2025-11-01","country":"PK","mcc":"410",)"
      R"("credited":"60.00","why":"basic in force: goodwill"}],"output_df":[{"mode":"basic","credit":"60.00"}],)"
      R"("inputs":{"source":{"looker_url":"https://looker.example.com/looks/101"}}})";
  SignIn("U0APPROVER1");
  const HttpFrontResponse page = Send("GET", "/requests/E1");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<li>repeat &lt;incident&gt;</li>"));
  EXPECT_THAT(page.body, HasSubstr("<td>basic in force: goodwill</td>"));
  EXPECT_THAT(page.body, HasSubstr("href=\"https://looker.example.com/looks/101\""));
  EXPECT_THAT(page.body, HasSubstr("href=\"https://slack.com/archives/C0CREDITREQ/p"));
  EXPECT_THAT(page.body, HasSubstr("<summary>result.json</summary>"));
  EXPECT_THAT(page.body, HasSubstr("action=\"/decide\""));  // awaiting: the forms are there
  EXPECT_EQ(Send("GET", "/requests/nope").status, 404);
}

TEST_F(DashboardTest, SignOutEndsTheSession) {
  Open();
  const std::string csrf = SignIn("U0APPROVER1");
  const HttpFrontResponse out = Send("POST", "/logout", absl::StrCat("csrf=", csrf));
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(HeaderOf(out, "Location"), "/login");
  EXPECT_EQ(Send("GET", "/queue").status, 302);
}

TEST_F(DashboardTest, QueuePagesOldestFirst) {
  Open();  // two entries a page
  Record("E1", kNow - absl::Hours(5), LedgerStatus::kAwaiting, "10.00");
  Record("E2", kNow - absl::Hours(4), LedgerStatus::kAwaiting, "20.00");
  Record("E3", kNow - absl::Hours(3), LedgerStatus::kAwaiting, "30.00");
  Record("E0", kNow - absl::Hours(9), LedgerStatus::kApproved, "5.00");
  SignIn("U0APPROVER1");
  std::string page = Send("GET", "/queue").body;
  EXPECT_THAT(page, HasSubstr("3 awaiting a decision, oldest first (1–2 here)."));
  EXPECT_LT(page.find("data-execution-id=\"E1\""), page.find("data-execution-id=\"E2\""));
  EXPECT_THAT(page, Not(HasSubstr("data-execution-id=\"E3\"")));
  EXPECT_THAT(page, HasSubstr("<a rel=\"next\" href=\"/queue?page=2\">Newer</a>"));
  page = Send("GET", "/queue?page=2").body;
  EXPECT_THAT(page, HasSubstr("3 awaiting a decision, oldest first (3–3 here)."));
  EXPECT_THAT(page, HasSubstr("data-execution-id=\"E3\""));
  EXPECT_THAT(page, Not(HasSubstr("data-execution-id=\"E2\"")));
  EXPECT_THAT(page, HasSubstr("<a rel=\"prev\" href=\"/queue?page=1\">Older</a>"));
  EXPECT_EQ(Send("GET", "/queue?page=0").status, 400);
  const nlohmann::json api = nlohmann::json::parse(Send("GET", "/api/queue?page=2").body);
  EXPECT_EQ(api["total"], 3);
  ASSERT_EQ(api["entries"].size(), 1u);
  EXPECT_EQ(api["entries"][0]["execution_id"], "E3");
}

TEST_F(DashboardTest, AnApproverPausesWithAReasonAndResumesAndEveryPageShowsIt) {
  Open();
  const std::string csrf = SignIn("U0APPROVER1");
  std::string page = Send("GET", "/history").body;
  EXPECT_THAT(page, HasSubstr("<strong>Running</strong>"));
  EXPECT_THAT(page, HasSubstr("action=\"/pause\""));  // an approver sees the form

  EXPECT_EQ(Send("POST", "/pause", absl::StrCat("reason=&csrf=", csrf)).status, 400);  // a reason is needed
  EXPECT_FALSE(store_->GetPause()->paused);
  const HttpFrontResponse paused =
      Send("POST", "/pause", absl::StrCat("reason=finance+audit+%3Cq4%3E&csrf=", csrf));
  EXPECT_EQ(paused.status, 303);
  EXPECT_EQ(HeaderOf(paused, "Location"), "/queue");
  const PauseState stored = *store_->GetPause();
  EXPECT_TRUE(stored.paused);
  EXPECT_EQ(stored.by, "U0APPROVER1");
  EXPECT_EQ(stored.reason, "finance audit <q4>");
  EXPECT_EQ(stored.since, kNow);
  for (const char* path : {"/queue", "/history", "/charts"}) {
    page = Send("GET", path).body;
    EXPECT_THAT(page, HasSubstr("<strong>Paused</strong>: finance audit &lt;q4&gt; · by U0APPROVER1 · since "
                                "2025-12-06T05:46:40Z."))
        << path;
    EXPECT_THAT(page, HasSubstr("action=\"/resume\"")) << path;
  }
  const nlohmann::json api = nlohmann::json::parse(Send("GET", "/api/pause").body);
  EXPECT_EQ(api["paused"], true);
  EXPECT_EQ(api["by"], "U0APPROVER1");
  EXPECT_EQ(api["since"], "2025-12-06T05:46:40Z");
  EXPECT_EQ(api["reason"], "finance audit <q4>");

  EXPECT_EQ(Send("POST", "/resume", "csrf=wrong").status, 403);  // CSRF checked first
  EXPECT_TRUE(store_->GetPause()->paused);
  EXPECT_EQ(Send("POST", "/resume", absl::StrCat("csrf=", csrf)).status, 303);
  EXPECT_FALSE(store_->GetPause()->paused);
  EXPECT_THAT(Send("GET", "/queue").body, HasSubstr("<strong>Running</strong>"));
}

TEST_F(DashboardTest, ANonApproverSeesThePauseButCannotSwitchIt) {
  Open();
  ASSERT_TRUE(store_->SetPause(PauseState{true, "U0APPROVER1", kNow, "incident"})->applied);
  const std::string csrf = SignIn("U0VIEWER1");
  const std::string page = Send("GET", "/queue").body;
  EXPECT_THAT(page, HasSubstr("<strong>Paused</strong>: incident"));
  EXPECT_THAT(page, Not(HasSubstr("action=\"/resume\"")));
  const HttpFrontResponse refused = Send("POST", "/resume", absl::StrCat("csrf=", csrf));
  EXPECT_EQ(refused.status, 403);
  EXPECT_THAT(refused.body, HasSubstr("Only approvers"));
  EXPECT_TRUE(store_->GetPause()->paused);
  EXPECT_EQ(Send("POST", "/pause", absl::StrCat("reason=x&csrf=", csrf)).status, 403);
}

}  // namespace
}  // namespace creditbot
