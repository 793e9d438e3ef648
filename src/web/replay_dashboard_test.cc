// The dashboard's Replays pages without a browser (the browser walk is
// tests/browser/replay.mjs): the same sign-in rules as every page, the list
// newest first with each report's figures, a report's page and its downloads,
// the read-only API, and every way of naming something outside the reports
// folder refused (a path, "..", "%2e%2e", an absolute path, a link out of the
// folder). Expected values are worked out by hand: the worked example under
// k.standard = 0.5 is 255.00 → 142.50, delta −112.50, −44.12%.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "replay/replay_archive.h"
#include "replay/replay_report.h"
#include "state/sqlite_state_store.h"
#include "tests/test_support.h"
#include "web/dashboard.h"

namespace creditbot {
namespace {

using ::creditbot::testing::TempDir;
using ::creditbot::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "xapi-test-token";
constexpr char kNewest[] = "20261206T184500Z-3f9a2c";
constexpr char kOlder[] = "20261201T090000Z-0a0b0c";

std::string Between(const std::string& text, const std::string& before, const std::string& after) {
  const std::size_t start = text.find(before);
  if (start == std::string::npos) return "";
  const std::size_t end = text.find(after, start + before.size());
  return text.substr(start + before.size(), end - start - before.size());
}

std::string HeaderOf(const HttpFrontResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

// The worked example's request under k.standard = 0.5, as a replay reports it.
ReplayedRequest WorkedExample() {
  ReplayedRequest row;
  row.execution_id = "20250715T140311Z-a1b2c3d4";
  row.request_key = "C0CREDITREQ:1752588191.000100";
  row.product = "verify";
  row.executor = "native";
  row.old_credit = *Decimal::Parse("255.00");
  row.new_credit = *Decimal::Parse("142.50");
  row.delta = row.new_credit - row.old_credit;
  row.relative_change = Decimal::MulDiv(row.delta, Decimal::FromInt(1),
                                        row.old_credit);  // -0.441176…
  row.old_needs_approval = true;
  return row;
}

void WriteReport(const std::string& folder, const std::vector<ReplayedRequest>& rows,
                 const std::string& policy, const std::string& generated_at) {
  const ReplaySummary summary = Summarize(rows);
  const ReplayRunInfo info{policy, "native", false, "/audit", generated_at};
  WriteFile(folder + "/replay.json", ReplayJson(rows, summary, info));
  WriteFile(folder + "/replay.csv", ReplayCsv(rows));
  WriteFile(folder + "/replay.html", ReplayHtml(rows, summary, info));
}

class ReplayDashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = SqliteStateStore::Open(home_.File("state.db")).value();
    data_ = std::make_unique<DashboardData>(*store_, [](std::string_view, std::string_view) {
      return absl::StatusOr<std::string>(absl::NotFoundError("no audit here"));
    });
    const std::string root = ReplayArchive::InHome(home_.path()).root();
    WriteReport(root + "/" + kNewest, {WorkedExample()}, "k-standard-half.toml", "2026-12-06T18:45:00Z");
    ReplayedRequest same = WorkedExample();
    same.new_credit = same.old_credit;
    same.delta = Decimal();
    same.relative_change = Decimal();
    same.new_needs_approval = true;
    WriteReport(root + "/" + kOlder, {same}, "", "2026-12-01T09:00:00Z");
    DashboardOptions options;
    options.local_sign_in = true;
    options.api_token = kToken;
    options.replays_dir = root;
    dashboard_ = std::make_unique<Dashboard>(options, *data_, DashboardHooks{}, clock_);
  }

  HttpFrontResponse Get(const std::string& target,
                        std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpFrontRequest request;
    request.method = "GET";
    request.target = target;
    request.path = target.substr(0, target.find('?'));
    request.peer = "127.0.0.1";
    if (!cookie_.empty()) headers.emplace_back("Cookie", cookie_);
    request.headers = std::move(headers);
    return dashboard_->Handle(request);
  }

  void SignIn() {
    const std::string login_csrf = Between(Get("/login").body, "name=\"login_csrf\" value=\"", "\"");
    cookie_ = absl::StrCat(Dashboard::kLoginCookie, "=", login_csrf);
    HttpFrontRequest request;
    request.method = "POST";
    request.target = request.path = "/login/local";
    request.body = absl::StrCat("login_csrf=", login_csrf, "&user_id=U0ANALYST1");
    request.peer = "127.0.0.1";
    request.headers = {{"Cookie", cookie_}};
    const HttpFrontResponse signed_in = dashboard_->Handle(request);
    ASSERT_EQ(signed_in.status, 303);
    const std::string set_cookie = HeaderOf(signed_in, "Set-Cookie");
    cookie_ = set_cookie.substr(0, set_cookie.find(';'));
  }

  FakeClock clock_{absl::FromUnixSeconds(1765046700)};
  TempDir home_;
  std::unique_ptr<SqliteStateStore> store_;
  std::unique_ptr<DashboardData> data_;
  std::unique_ptr<Dashboard> dashboard_;
  std::string cookie_;
};

TEST_F(ReplayDashboard, WithoutASessionPagesRedirectDownloadsTooAndTheApiIs401) {
  for (const std::string& page :
       std::vector<std::string>{"/replays", std::string("/replays/") + kNewest,
                                std::string("/replays/") + kNewest + "/replay.csv"}) {
    const HttpFrontResponse response = Get(page);
    EXPECT_EQ(response.status, 302) << page;
    EXPECT_THAT(HeaderOf(response, "Location"), HasSubstr("/login?return_to=")) << page;
    EXPECT_THAT(response.body, Not(HasSubstr("142.50"))) << page;
  }
  EXPECT_EQ(Get("/api/replays").status, 401);
  EXPECT_EQ(Get(std::string("/api/replays/") + kNewest).status, 401);
  EXPECT_EQ(Get("/api/replays", {{"Authorization", "Bearer wrong"}}).status, 401);
}

TEST_F(ReplayDashboard, TheListShowsEachReportNewestFirstWithItsFigures) {
  SignIn();
  const HttpFrontResponse page = Get("/replays");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<a href=\"/replays\" aria-current=\"page\">Replays</a>"));
  const std::size_t newest = page.body.find(std::string("data-replay=\"") + kNewest);
  const std::size_t older = page.body.find(std::string("data-replay=\"") + kOlder);
  ASSERT_NE(newest, std::string::npos);
  ASSERT_NE(older, std::string::npos);
  EXPECT_LT(newest, older);
  const std::string row = page.body.substr(newest, older - newest);
  // Time, candidate policy, executor, requests, changed, total delta, over 1%.
  EXPECT_THAT(row, HasSubstr("<td>2026-12-06T18:45:00Z</"
                             "td><td>k-standard-half.toml</td><td>native</td>"
                             "<td class=\"num\">1</td><td class=\"num\">1</td><td "
                             "class=\"num\">-112.50</td>"
                             "<td class=\"num\">1</td>"));
  EXPECT_THAT(page.body.substr(older), HasSubstr("<td>the configured policies</td>"));
  EXPECT_THAT(page.body.substr(older), HasSubstr("<td class=\"num\">0.00</td>"));
  // Every page's navigation leads here.
  EXPECT_THAT(Get("/queue").body, HasSubstr("<a href=\"/replays\">Replays</a>"));
}

TEST_F(ReplayDashboard, AReportPageShowsTheReportAndLinksItsDownloads) {
  SignIn();
  const HttpFrontResponse page = Get(std::string("/replays/") + kNewest);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<td class=\"n\" id=\"total-delta\">-112.50</td>"));
  EXPECT_THAT(page.body, HasSubstr("<td class=\"n\">255.00</td><td class=\"n\">142.50</td><td "
                                   "class=\"n\">-112.50</td><td class=\"n\">-44.12%</td>"));
  EXPECT_THAT(page.body, HasSubstr("<svg class=\"chart\""));
  EXPECT_THAT(page.body, HasSubstr(std::string("href=\"/replays/") + kNewest + "/replay.csv\" download"));
  EXPECT_THAT(page.body, HasSubstr(std::string("href=\"/replays/") + kNewest + "/replay.json\" download"));
  EXPECT_THAT(page.body, Not(HasSubstr("<script")));
  EXPECT_THAT(page.body,
              Not(HasSubstr("<style")));  // the dashboard's CSP allows only its own stylesheet
  EXPECT_THAT(HeaderOf(page, "Content-Security-Policy"), HasSubstr("script-src 'self'"));

  const HttpFrontResponse csv = Get(std::string("/replays/") + kNewest + "/replay.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(HeaderOf(csv, "Content-Disposition"),
            std::string("attachment; filename=\"replay-") + kNewest + ".csv\"");
  EXPECT_THAT(csv.body, HasSubstr("\r\n20250715T140311Z-a1b2c3d4,C0CREDITREQ:1752588191.000100,verify,"
                                  "frozen,"
                                  "native,,,255.00,142.50,-112.50,-44.12%,true,false,false,,\r\n"));
  const HttpFrontResponse json = Get(std::string("/replays/") + kNewest + "/replay.json");
  ASSERT_EQ(json.status, 200);
  EXPECT_EQ(HeaderOf(json, "Content-Disposition"),
            std::string("attachment; filename=\"replay-") + kNewest + ".json\"");
  EXPECT_THAT(json.body, HasSubstr("\"total_delta\": \"-112.50\""));
}

TEST_F(ReplayDashboard, NamesOutsideTheFolderAreNotFound) {
  TempDir outside;
  WriteReport(outside.File("elsewhere"), {WorkedExample()}, "secret-policy.toml", "2026-12-07T00:00:00Z");
  WriteFile(outside.File("passwd"), "root:x:0:0");
  const std::string root = ReplayArchive::InHome(home_.path()).root();
  std::filesystem::create_directory_symlink(outside.File("elsewhere"), root + "/20261207T000000Z-linked");
  std::filesystem::create_directories(root + "/20261208T000000Z-filelink");
  std::filesystem::create_symlink(outside.File("elsewhere/replay.csv"),
                                  root + "/20261208T000000Z-filelink/replay.csv");
  SignIn();
  for (const std::string& target : std::vector<std::string>{
           "/replays/..", "/replays/../replays", "/replays/%2e%2e", "/replays/%2e%2e/%2e%2e/passwd",
           "/replays/..%2f..%2fpasswd", "/replays//etc/passwd", "/replays/" + outside.File("elsewhere"),
           "/replays/20261207T000000Z-linked", "/replays/20261207T000000Z-linked/replay.csv",
           "/replays/20261208T000000Z-filelink/replay.csv",
           std::string("/replays/") + kNewest + "/../../passwd",
           std::string("/replays/") + kNewest + "/replay.html",
           std::string("/replays/") + kNewest + "/results", std::string("/replays/") + kNewest + "/",
           "/replays/.20261206T184500Z-3f9a2c.partial", "/replays/no-such-report"}) {
    const HttpFrontResponse response = Get(target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_THAT(response.body, Not(HasSubstr("secret-policy"))) << target;
    EXPECT_THAT(response.body, Not(HasSubstr("root:x"))) << target;
  }
  // The link is not listed either.
  EXPECT_THAT(Get("/replays").body, Not(HasSubstr("linked")));
  for (const std::string& target :
       std::vector<std::string>{"/api/replays/..", "/api/replays/%2e%2e",
                                "/api/replays/20261207T000000Z-linked", "/api/replays/a/b"}) {
    EXPECT_EQ(Get(target).status, 404) << target;
  }
}

TEST_F(ReplayDashboard, TheApiListsReportsAndGivesOneWithTheBearerToken) {
  const std::vector<std::pair<std::string, std::string>> bearer = {
      {"Authorization", std::string("Bearer ") + kToken}};
  const HttpFrontResponse list = Get("/api/replays", bearer);
  ASSERT_EQ(list.status, 200) << list.body;
  const nlohmann::json reports = nlohmann::json::parse(list.body)["reports"];
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0]["name"], kNewest);
  EXPECT_EQ(reports[0]["policy"], "k-standard-half.toml");
  EXPECT_EQ(reports[0]["requests"], 1);
  EXPECT_EQ(reports[0]["changed"], 1);
  EXPECT_EQ(reports[0]["total_delta"], "-112.50");
  EXPECT_EQ(reports[0]["differ_over_1_percent"], 1);
  EXPECT_EQ(reports[1]["name"], kOlder);
  EXPECT_EQ(reports[1]["total_delta"], "0.00");
  const HttpFrontResponse one = Get(std::string("/api/replays/") + kNewest, bearer);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(nlohmann::json::parse(one.body)["requests"][0]["new_credit"], "142.50");
  EXPECT_EQ(Get("/api/replays/none", bearer).status, 404);
}

}  // namespace
}  // namespace creditbot
