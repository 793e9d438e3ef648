// The dashboard's router, sign-in, sessions and CSRF checks; see dashboard.h.
#include "web/dashboard.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "bot/approvers.h"
#include "common/constant_time.h"
#include "common/embedded_files.h"
#include "common/logging.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "common/url.h"
#include "common/utc_time.h"
#include "core/decision_commands.h"
#include "slack/replier.h"
#include "state/ledger_csv.h"
#include "state/ledger_json.h"
#include "web/dashboard_pages.h"
#include "web/replay_pages.h"
#include "web/web_request.h"

namespace creditbot {
namespace {

constexpr char kHtml[] = "text/html; charset=utf-8";
constexpr char kJson[] = "application/json; charset=utf-8";
constexpr char kText[] = "text/plain; charset=utf-8";
constexpr char kCsv[] = "text/csv; charset=utf-8";
constexpr absl::Duration kLoginCookieAge = absl::Minutes(10);

using Headers = std::vector<std::pair<std::string, std::string>>;

// Headers every answer of the dashboard carries: no caching of private data, no framing, scripts only from
// here.
Headers SecurityHeaders() {
  return {{"Cache-Control", "no-store"},
          {"X-Content-Type-Options", "nosniff"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "same-origin"},
          {"Content-Security-Policy",
           "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"}};
}

HttpFrontResponse Answer(int status, const char* content_type, std::string body, Headers extra = {}) {
  HttpFrontResponse response{status, content_type, SecurityHeaders(), std::move(body)};
  for (auto& header : extra) response.headers.push_back(std::move(header));
  return response;
}

HttpFrontResponse Redirect(const std::string& location, Headers extra = {}, int status = 302) {
  extra.emplace_back("Location", location);
  return Answer(status, kText, absl::StrCat("see ", location, "\n"), std::move(extra));
}

HttpFrontResponse JsonAnswer(int status, const nlohmann::ordered_json& body) {
  return Answer(status, kJson,
                body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n");
}

HttpFrontResponse JsonError(int status, const std::string& message) {
  return JsonAnswer(status, {{"error", message}});
}

int HttpStatusOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    default:
      return 503;
  }
}

// The `page` query parameter (from 1; 1 when absent).
absl::StatusOr<int> PageNumber(const std::map<std::string, std::string>& query) {
  auto found = query.find("page");
  int page = 1;
  if (found != query.end() && (!absl::SimpleAtoi(found->second, &page) || page < 1 || page > 1000000)) {
    return absl::InvalidArgumentError(
        absl::StrCat("page='", found->second, "': expected a page number from 1"));
  }
  return page;
}

// Only a path on this site, so a sign-in never sends the browser elsewhere.
std::string SafeReturnTo(const std::string& path) {
  if (path.empty() || path[0] != '/' || absl::StartsWith(path, "//") || absl::StrContains(path, "\\"))
    return "/";
  return path;
}

// Amounts are summed as doubles for the charts only (never for money anyone is paid): shown to the cent.
nlohmann::ordered_json SeriesJson(const ChartSeries& series) {
  nlohmann::ordered_json values = nlohmann::ordered_json::object();
  for (const auto& [name, numbers] : series.values) {
    nlohmann::ordered_json rounded = nlohmann::ordered_json::array();
    for (const double number : numbers) rounded.push_back(std::round(number * 100) / 100);
    values[name] = std::move(rounded);
  }
  return {{"labels", series.labels}, {"values", std::move(values)}};
}

nlohmann::ordered_json ChartsJson(const ChartData& data) {
  return {{"entries", data.entries},
          {"no_breakdown", data.no_breakdown},
          {"weekly", SeriesJson(data.weekly)},
          {"by_country", SeriesJson(data.by_country)},
          {"by_mcc", SeriesJson(data.by_mcc)},
          {"by_mode", SeriesJson(data.by_mode)},
          {"reply_hours", SeriesJson(data.reply_hours)},
          {"decide_hours", SeriesJson(data.decide_hours)}};
}

// The static files: path → (embedded file, content type).
struct StaticFile {
  const char* path;
  const char* embedded;
  const char* content_type;
};
constexpr StaticFile kStaticFiles[] = {
    {"/static/chart.min.js", "vendor/chart.min.js", "text/javascript; charset=utf-8"},
    {"/static/dashboard.js", "src/web/static/dashboard.js", "text/javascript; charset=utf-8"},
    {"/static/dashboard.css", "src/web/static/dashboard.css", "text/css; charset=utf-8"},
};

}  // namespace

Dashboard::Dashboard(DashboardOptions options, DashboardData& data, DashboardHooks hooks, const Clock& clock)
    : options_(std::move(options)),
      data_(data),
      hooks_(std::move(hooks)),
      clock_(clock),
      sessions_(clock, options_.sessions),
      replays_(options_.replays_dir),
      api_token_sha256_(options_.api_token.empty() ? "" : Sha256Hex(options_.api_token)) {}

std::string Dashboard::ThreadLink(const LedgerEntry& entry) const {
  if (entry.channel.empty() || entry.ts.empty()) return "";
  return BuildPermalink(options_.slack_workspace_url, entry.channel, entry.ts);
}

bool Dashboard::ApiTokenMatches(const HttpFrontRequest& request) const {
  if (api_token_sha256_.empty()) return false;
  const std::string authorization = request.Header("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kBearer.size()), ToAbsl(kBearer))) {
    return false;
  }
  // Hashes of equal length, compared in constant time: neither the token nor its length shows in the timing.
  return ConstantTimeEquals(Sha256Hex(authorization.substr(kBearer.size())), api_token_sha256_);
}

HttpFrontResponse Dashboard::Handle(const HttpFrontRequest& request) {
  try {
    return Route(request);
  } catch (const std::exception& error) {
    LogError("dashboard: could not answer", {{"path", request.path}, {"error", error.what()}});
    return Answer(500, kText, "internal error\n");
  }
}

HttpFrontResponse Dashboard::Route(const HttpFrontRequest& request) {
  const std::string& path = request.path;
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  if (!get && !post) return Answer(405, kText, "method not allowed\n", {{"Allow", "GET, POST"}});

  // Sign-in: the only pages without a session.
  if (path == "/login" && get) return LoginPage(request, "", 200);
  if (path == "/login/local" && post) return LocalSignIn(request);
  if (path == "/auth/slack/start" && get) return SlackStart(request);
  if (path == "/auth/slack/callback" && get) return SlackCallback(request);
  // The stylesheet and scripts hold no data (the sign-in page needs the stylesheet).
  if (absl::StartsWith(path, "/static/") && get) return Static(path);
  if (path == "/favicon.ico") return Answer(404, kText, "not found\n");

  std::optional<WebSession> session;
  if (const std::string id = CookieValue(request.Header("Cookie"), kSessionCookie); !id.empty()) {
    session = sessions_.Find(id);
  }
  if (absl::StartsWith(path, "/api/")) {
    if (!get) return JsonError(405, "the API is read-only");
    if (!session.has_value() && !ApiTokenMatches(request)) {
      HttpFrontResponse refused =
          JsonError(401, "sign in, or send Authorization: Bearer <CREDITBOT_API_TOKEN>");
      refused.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"creditbot\"");
      return refused;
    }
    return Api(request);
  }
  if (!session.has_value()) {
    if (post) return Answer(403, kText, "no session: sign in first\n");
    return Redirect(absl::StrCat("/login?return_to=", PercentEncode(SafeReturnTo(request.target))));
  }
  if (post) {
    const std::map<std::string, std::string> form = ParseFormFields(request.body);
    auto csrf = form.find("csrf");
    if (csrf == form.end() || !ConstantTimeEquals(csrf->second, session->csrf_token)) {
      LogWarn("dashboard: a form without the session's CSRF token was refused",
              {{"path", path}, {"user", session->user.user_id}, {"peer", request.peer}});
      return Answer(403, kText, "refused: the form's CSRF token is missing or wrong; reload the page\n");
    }
    if (path == "/logout") return Logout(request, *session);
    if (path == "/pause" || path == "/resume") return SwitchPause(request, *session, path == "/pause");
  }
  HttpFrontResponse response = SessionPage(request, *session);
  if (absl::StartsWith(response.content_type, "text/html")) {
    // Every signed-in page shows the pause switch at the top (one row, or the state object).
    absl::StatusOr<PauseState> pause = data_.Pause();
    response.body =
        WithBanner(std::move(response.body),
                   PauseBannerHtml(*session, pause.ok() ? *pause : PauseState{}, IsApprover(*session),
                                   pause.ok() ? "" : std::string(pause.status().message())));
  }
  return response;
}

bool Dashboard::IsApprover(const WebSession& session) const {
  return hooks_.is_approver && hooks_.is_approver(session.user.user_id);
}

HttpFrontResponse Dashboard::SwitchPause(const HttpFrontRequest& request, const WebSession& session,
                                         bool pause) {
  if (!IsApprover(session)) {
    LogWarn("dashboard: a pause switch by a non-approver was refused",
            {{"user", session.user.user_id}, {"pause", pause ? "true" : "false"}});
    return Answer(403, kHtml,
                  MessagePageHtml(&session, pause ? "Pause" : "Resume",
                                  "Only approvers (CREDITBOT_APPROVERS) can pause or resume creditbot."));
  }
  PauseState next;
  next.paused = pause;
  next.by = session.user.user_id;
  next.since = clock_.Now();
  if (pause) {
    next.reason = std::string(absl::StripAsciiWhitespace(ParseFormFields(request.body)["reason"]));
    if (next.reason.empty()) {
      return Answer(400, kHtml, MessagePageHtml(&session, "Pause", "A pause needs a reason: say why."));
    }
  }
  absl::StatusOr<PauseChange> change = data_.SetPause(next);
  if (!change.ok()) {
    return Answer(
        HttpStatusOf(change.status()), kHtml,
        MessagePageHtml(&session, pause ? "Pause" : "Resume",
                        absl::StrCat("The pause switch could not be written: ", change.status().message())));
  }
  if (change->applied) {
    if (pause) {
      LogInfo("creditbot paused", {{"by", next.by}, {"reason", next.reason}, {"how", "dashboard"}});
    } else {
      LogInfo("creditbot resumed", {{"by", next.by}, {"how", "dashboard"}});
    }
  }
  // Back to the queue, which shows the switch as it now stands (already paused or resumed: unchanged).
  return Redirect("/queue", {}, 303);
}

HttpFrontResponse Dashboard::SessionPage(const HttpFrontRequest& request, const WebSession& session) {
  const std::string& path = request.path;
  if (request.method == "POST") {
    if (path == "/decide") return Decide(request, session);
    return Answer(404, kText, "not found\n");
  }
  if (path == "/") return Redirect("/queue");
  if (path == "/queue") {
    absl::StatusOr<int> page = PageNumber(ParseQueryOf(request.target));
    if (!page.ok())
      return Answer(400, kHtml, MessagePageHtml(&session, "Queue", std::string(page.status().message())));
    return QueuePage(session, *page, "", true, 200);
  }
  if (path == "/history") return HistoryPage(request, session);
  if (path == "/charts") return ChartsPage(session);
  if (path == "/replays") return ReplaysPage(session);
  if (absl::StartsWith(path, "/replays/")) return ReplayPage(session, std::string_view(path).substr(9));
  if (path == "/export.csv") return Csv(request);
  if (absl::StartsWith(path, "/requests/")) return RequestPage(session, std::string_view(path).substr(10));
  return Answer(404, kHtml, MessagePageHtml(&session, "Not found", "There is no such page."));
}

HttpFrontResponse Dashboard::LoginPage(const HttpFrontRequest& request, const std::string& error,
                                       int status) {
  const std::map<std::string, std::string> query = ParseQueryOf(request.target);
  auto return_to = query.find("return_to");
  const bool slack = hooks_.slack_start && hooks_.slack_finish;
  std::string login_csrf;
  Headers headers;
  if (options_.local_sign_in) {
    // One token per browser while its cookie lasts: a second sign-in page (another tab, a redirect of a
    // stray request) must not invalidate the form already shown.
    login_csrf = CookieValue(request.Header("Cookie"), kLoginCookie);
    if (login_csrf.size() != 43) login_csrf = RandomToken256();
    headers.emplace_back("Set-Cookie", SetCookieValue(kLoginCookie, login_csrf,
                                                      CookieOptions{CookiesSecure(), kLoginCookieAge}));
  }
  return Answer(status, kHtml,
                SignInPageHtml(options_.local_sign_in, slack, login_csrf, error,
                               SafeReturnTo(return_to == query.end() ? "/" : return_to->second)),
                std::move(headers));
}

HttpFrontResponse Dashboard::LocalSignIn(const HttpFrontRequest& request) {
  if (!options_.local_sign_in) {
    return Answer(
        403, kText,
        "local sign-in is off: it exists only on the embedded default (no SLACK_BOT_TOKEN, loopback "
        "address); sign in with Slack\n");
  }
  const std::map<std::string, std::string> form = ParseFormFields(request.body);
  auto login_csrf = form.find("login_csrf");
  const std::string cookie = CookieValue(request.Header("Cookie"), kLoginCookie);
  if (login_csrf == form.end() || cookie.empty() || !ConstantTimeEquals(login_csrf->second, cookie)) {
    return Answer(403, kText,
                  "refused: the sign-in form's CSRF token is missing or wrong; reload the page\n");
  }
  auto user_id = form.find("user_id");
  const std::string id = user_id == form.end() ? "" : absl::AsciiStrToUpper(user_id->second);
  absl::StatusOr<ApproverIds> parsed = ParseApproverIds({id});
  if (id.empty() || !parsed.ok() || parsed->users.size() != 1)
    return LoginPage(request, "That is not a Slack user id (U… or W…).", 400);
  auto return_to = form.find("return_to");
  return SignedIn(WebUser{id, "", "", ""}, "local",
                  SafeReturnTo(return_to == form.end() ? "/" : return_to->second));
}

HttpFrontResponse Dashboard::SlackStart(const HttpFrontRequest& request) {
  if (!hooks_.slack_start || !hooks_.slack_finish)
    return Answer(503, kText, "Slack sign-in not configured\n");
  const std::map<std::string, std::string> query = ParseQueryOf(request.target);
  auto return_to = query.find("return_to");
  absl::StatusOr<SignInRedirect> redirect =
      hooks_.slack_start(SafeReturnTo(return_to == query.end() ? "/" : return_to->second));
  if (!redirect.ok()) {
    LogError("dashboard: Slack sign-in could not start",
             {{"error", std::string(redirect.status().message())}});
    return Answer(503, kText, "Slack sign-in is unavailable; try again later\n");
  }
  Headers headers;
  if (!redirect->set_cookie.empty()) headers.emplace_back("Set-Cookie", redirect->set_cookie);
  return Redirect(redirect->authorize_url, std::move(headers));
}

HttpFrontResponse Dashboard::SlackCallback(const HttpFrontRequest& request) {
  if (!hooks_.slack_start || !hooks_.slack_finish)
    return Answer(503, kText, "Slack sign-in not configured\n");
  const std::size_t question = request.target.find('?');
  const std::string_view query = question == std::string::npos
                                     ? std::string_view()
                                     : std::string_view(request.target).substr(question + 1);
  std::string return_to = "/";
  absl::StatusOr<WebUser> user = hooks_.slack_finish(query, request.Header("Cookie"), &return_to);
  if (!user.ok()) {
    LogWarn("dashboard: a Slack sign-in was refused",
            {{"error", std::string(user.status().message())}, {"peer", request.peer}});
    const bool unavailable = user.status().code() == absl::StatusCode::kUnavailable;
    HttpFrontResponse refused = LoginPage(request, absl::StrCat("Sign-in refused: ", user.status().message()),
                                          unavailable ? 503 : 401);
    if (!hooks_.slack_clear_cookie.empty())
      refused.headers.emplace_back("Set-Cookie", hooks_.slack_clear_cookie);
    return refused;
  }
  return SignedIn(*user, "slack", SafeReturnTo(return_to), hooks_.slack_clear_cookie);
}

HttpFrontResponse Dashboard::SignedIn(const WebUser& user, const std::string& how,
                                      const std::string& return_to, const std::string& extra_cookie) {
  const WebSession session = sessions_.Create(user);
  LogInfo("dashboard: signed in", {{"user", user.user_id}, {"how", how}});
  Headers headers;
  headers.emplace_back("Set-Cookie", SetCookieValue(kSessionCookie, session.id,
                                                    CookieOptions{CookiesSecure(), absl::ZeroDuration()}));
  headers.emplace_back("Set-Cookie",
                       SetCookieValue(kLoginCookie, "", CookieOptions{CookiesSecure(), -absl::Seconds(1)}));
  if (!extra_cookie.empty()) headers.emplace_back("Set-Cookie", extra_cookie);
  return Redirect(return_to == "/" ? "/queue" : return_to, std::move(headers), 303);
}

HttpFrontResponse Dashboard::Logout(const HttpFrontRequest& request, const WebSession& session) {
  (void)request;
  sessions_.Remove(session.id);
  return Redirect(
      "/login",
      {{"Set-Cookie", SetCookieValue(kSessionCookie, "", CookieOptions{CookiesSecure(), -absl::Seconds(1)})}},
      303);
}

HttpFrontResponse Dashboard::QueuePage(const WebSession& session, int page, const std::string& notice,
                                       bool notice_ok, int status) {
  absl::StatusOr<LedgerPage> entries = data_.Queue(page, options_.page_size);
  if (!entries.ok()) {
    return Answer(
        503, kHtml,
        MessagePageHtml(&session, "Queue",
                        absl::StrCat("The ledger could not be read: ", entries.status().message())));
  }
  return Answer(status, kHtml,
                QueuePageHtml(session, *entries, page, options_.page_size, clock_.Now(), notice, notice_ok,
                              [this](const LedgerEntry& entry) { return ThreadLink(entry); }));
}

HttpFrontResponse Dashboard::HistoryPage(const HttpFrontRequest& request, const WebSession& session) {
  absl::StatusOr<HistoryQuery> query = ParseHistoryQuery(ParseQueryOf(request.target), options_.page_size);
  if (!query.ok()) {
    return Answer(400, kHtml, MessagePageHtml(&session, "History", std::string(query.status().message())));
  }
  absl::StatusOr<LedgerPage> page = data_.History(query->filter);
  if (!page.ok()) {
    return Answer(503, kHtml,
                  MessagePageHtml(&session, "History",
                                  absl::StrCat("The ledger could not be read: ", page.status().message())));
  }
  return Answer(200, kHtml, HistoryPageHtml(session, *query, *page, [this](const LedgerEntry& entry) {
                  return ThreadLink(entry);
                }));
}

HttpFrontResponse Dashboard::RequestPage(const WebSession& session, std::string_view execution_id) {
  absl::StatusOr<RequestDetail> detail = data_.Request(execution_id);
  if (!detail.ok()) {
    return Answer(HttpStatusOf(detail.status()), kHtml,
                  MessagePageHtml(&session, "Request", std::string(detail.status().message())));
  }
  std::string reply;
  if (hooks_.reply_text && !detail->result_json.empty()) {
    absl::StatusOr<std::string> text = hooks_.reply_text(detail->entry, detail->result_json);
    if (text.ok()) reply = *std::move(text);
  }
  return Answer(200, kHtml, RequestPageHtml(session, *detail, reply, [this](const LedgerEntry& entry) {
                  return ThreadLink(entry);
                }));
}

HttpFrontResponse Dashboard::ChartsPage(const WebSession& session) {
  return Answer(200, kHtml, ChartsPageHtml(session));
}

HttpFrontResponse Dashboard::ReplaysPage(const WebSession& session) {
  if (replays_.root().empty()) {
    return Answer(200, kHtml, MessagePageHtml(&session, "Replays", "No replay reports folder is set here."));
  }
  absl::StatusOr<std::vector<ReplayListing>> listings = replays_.List(options_.replays_shown);
  if (!listings.ok()) {
    return Answer(
        503, kHtml,
        ReplaysPageHtml(session, {}, options_.replays_shown, std::string(listings.status().message())));
  }
  return Answer(200, kHtml, ReplaysPageHtml(session, *listings, options_.replays_shown, ""));
}

HttpFrontResponse Dashboard::ReplayPage(const WebSession& session, std::string_view rest) {
  const std::size_t slash = rest.find('/');
  const std::string_view name = rest.substr(0, slash);
  const std::string_view file = slash == std::string_view::npos ? "replay.json" : rest.substr(slash + 1);
  auto not_found = [&] {
    return Answer(404, kHtml, MessagePageHtml(&session, "Replay", "There is no such replay report."));
  };
  if (replays_.root().empty() || !ReplayArchive::IsReportName(name) ||
      (slash != std::string_view::npos && file != "replay.csv" && file != "replay.json")) {
    return not_found();
  }
  absl::StatusOr<std::string> content = replays_.Read(name, file);
  if (!content.ok()) {
    if (content.status().code() == absl::StatusCode::kNotFound ||
        content.status().code() == absl::StatusCode::kInvalidArgument) {
      return not_found();
    }
    return Answer(
        503, kHtml,
        MessagePageHtml(&session, "Replay",
                        absl::StrCat("The report could not be read: ", content.status().message())));
  }
  if (slash != std::string_view::npos) {
    // A download: replay-<name>.csv or .json (the name is plain: letters, digits, '.', '_', '-').
    const bool csv = file == "replay.csv";
    return Answer(200, csv ? kCsv : kJson, *std::move(content),
                  {{"Content-Disposition", absl::StrCat("attachment; filename=\"replay-", ToAbsl(name),
                                                        csv ? ".csv" : ".json", "\"")}});
  }
  absl::StatusOr<ReplayReport> report = ReadReplayJson(*content);
  if (!report.ok()) {
    return Answer(503, kHtml, MessagePageHtml(&session, "Replay", std::string(report.status().message())));
  }
  return Answer(200, kHtml, ReplayPageHtml(session, std::string(name), *report));
}

HttpFrontResponse Dashboard::ReplaysApi(std::string_view path) {
  if (replays_.root().empty()) return JsonError(404, "no replay reports folder is set here");
  if (path == "/api/replays") {
    absl::StatusOr<std::vector<ReplayListing>> listings = replays_.List(options_.replays_shown);
    if (!listings.ok()) return JsonError(503, std::string(listings.status().message()));
    nlohmann::ordered_json reports = nlohmann::ordered_json::array();
    for (const ReplayListing& listing : *listings) {
      nlohmann::ordered_json report = {{"name", listing.name}};
      if (!listing.error.empty()) {
        report["error"] = listing.error;
      } else {
        const ReplayRunInfo& info = listing.heading.info;
        const ReplaySummary& summary = listing.heading.summary;
        report["generated_at"] = info.generated_at;
        report["policy"] = info.policy;
        report["executor"] = info.executor;
        report["requery"] = info.requery;
        report["requests"] = summary.requests;
        report["changed"] = summary.changed;
        report["total_delta"] = summary.total_delta.ToFixed(2);
        report["differ_over_1_percent"] = summary.over_one_percent;
        report["failed"] = summary.failed;
      }
      reports.push_back(std::move(report));
    }
    return JsonAnswer(200, {{"reports", std::move(reports)}});
  }
  const std::string_view name = path.substr(std::string_view("/api/replays/").size());
  if (!ReplayArchive::IsReportName(name)) return JsonError(404, "no such replay report");
  absl::StatusOr<std::string> content = replays_.Read(name, "replay.json");
  if (!content.ok()) {
    const bool missing = content.status().code() == absl::StatusCode::kNotFound;
    return JsonError(missing ? 404 : 503,
                     missing ? "no such replay report" : std::string(content.status().message()));
  }
  return Answer(200, kJson, *std::move(content));
}

HttpFrontResponse Dashboard::Decide(const HttpFrontRequest& request, const WebSession& session) {
  if (!hooks_.decide) return QueuePage(session, 1, "Deciding is not available here.", false, 503);
  const std::map<std::string, std::string> form = ParseFormFields(request.body);
  auto field = [&form](const char* name) {
    auto found = form.find(name);
    return found == form.end() ? std::string() : found->second;
  };
  DecisionCommand command;
  const std::string action = field("action");
  if (action == "approve") {
    command.verb = DecisionVerb::kApprove;
  } else if (action == "reject") {
    command.verb = DecisionVerb::kReject;
  } else if (action == "adjust") {
    command.verb = DecisionVerb::kAdjust;
    absl::StatusOr<std::string> amount = ParseDecisionAmount(field("amount"));
    if (!amount.ok()) return QueuePage(session, 1, std::string(amount.status().message()), false, 400);
    command.amount = *amount;
  } else {
    return QueuePage(session, 1, "Choose approve, reject or adjust.", false, 400);
  }
  command.reason = std::string(absl::StripAsciiWhitespace(field("reason")));
  if (command.verb != DecisionVerb::kApprove && command.reason.empty()) {
    return QueuePage(session, 1, "A reason is needed to reject or adjust.", false, 400);
  }
  const DecisionAnswer answer =
      hooks_.decide(DecisionRequest{field("execution_id"), command, session.user.user_id, "dashboard"});
  switch (answer.kind) {
    case DecisionAnswer::Kind::kDecided:
      return QueuePage(session, 1, answer.message, true, 200);
    case DecisionAnswer::Kind::kNotApprover:
      return QueuePage(session, 1, answer.message, false, 403);
    case DecisionAnswer::Kind::kAlreadyDecided:
      return QueuePage(session, 1, answer.message, false, 409);
    case DecisionAnswer::Kind::kRefused:
      return QueuePage(session, 1, answer.message, false, 400);
    case DecisionAnswer::Kind::kFailed:
      break;
  }
  return QueuePage(session, 1,
                   answer.message.empty() ? "The decision could not be recorded; try again." : answer.message,
                   false, 503);
}

HttpFrontResponse Dashboard::Static(std::string_view path) {
  for (const StaticFile& file : kStaticFiles) {
    if (path != file.path) continue;
    absl::StatusOr<std::string> content = ReadDataFile(file.embedded);
    if (!content.ok()) return Answer(404, kText, "not found\n");
    HttpFrontResponse response = Answer(200, file.content_type, *std::move(content));
    for (auto& header : response.headers) {
      if (header.first == "Cache-Control") header.second = "private, max-age=3600";
    }
    return response;
  }
  return Answer(404, kText, "not found\n");
}

HttpFrontResponse Dashboard::Csv(const HttpFrontRequest& request) {
  absl::StatusOr<HistoryQuery> query = ParseHistoryQuery(ParseQueryOf(request.target), options_.page_size);
  if (!query.ok()) return Answer(400, kText, absl::StrCat(query.status().message(), "\n"));
  absl::StatusOr<std::vector<LedgerEntry>> entries = data_.All(query->filter);
  if (!entries.ok())
    return Answer(503, kText,
                  absl::StrCat("the ledger could not be read: ", entries.status().message(), "\n"));
  std::string csv = LedgerCsvHeader();
  for (const LedgerEntry& entry : *entries) csv += LedgerCsvRow(entry, ThreadLink(entry));
  return Answer(200, kCsv, std::move(csv),
                {{"Content-Disposition", "attachment; filename=\"creditbot-ledger.csv\""}});
}

HttpFrontResponse Dashboard::Api(const HttpFrontRequest& request) {
  const std::string& path = request.path;
  auto entries_json = [this](const std::vector<LedgerEntry>& entries) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const LedgerEntry& entry : entries) list.push_back(LedgerEntryJson(entry, ThreadLink(entry)));
    return list;
  };
  if (path == "/api/queue") {
    absl::StatusOr<int> page = PageNumber(ParseQueryOf(request.target));
    if (!page.ok()) return JsonError(400, std::string(page.status().message()));
    absl::StatusOr<LedgerPage> entries = data_.Queue(*page, options_.page_size);
    if (!entries.ok()) return JsonError(503, std::string(entries.status().message()));
    return JsonAnswer(200, {{"total", entries->total},
                            {"page", *page},
                            {"page_size", options_.page_size},
                            {"entries", entries_json(entries->entries)}});
  }
  if (path == "/api/pause") {
    absl::StatusOr<PauseState> pause = data_.Pause();
    if (!pause.ok()) return JsonError(503, std::string(pause.status().message()));
    nlohmann::ordered_json body = {{"paused", pause->paused}, {"by", pause->by}, {"reason", pause->reason}};
    body["since"] = pause->since ? nlohmann::ordered_json(Rfc3339Utc(*pause->since)) : nullptr;
    return JsonAnswer(200, body);
  }
  if (path == "/api/export.csv") return Csv(request);
  if (path == "/api/replays" || absl::StartsWith(path, "/api/replays/")) return ReplaysApi(path);
  if (path == "/api/history" || path == "/api/charts") {
    absl::StatusOr<HistoryQuery> query = ParseHistoryQuery(ParseQueryOf(request.target), options_.page_size);
    if (!query.ok()) return JsonError(400, std::string(query.status().message()));
    if (path == "/api/charts") {
      absl::StatusOr<ChartData> charts = data_.Charts(query->filter);
      if (!charts.ok()) return JsonError(503, std::string(charts.status().message()));
      return JsonAnswer(200, ChartsJson(*charts));
    }
    absl::StatusOr<LedgerPage> page = data_.History(query->filter);
    if (!page.ok()) return JsonError(503, std::string(page.status().message()));
    return JsonAnswer(200, {{"total", page->total},
                            {"page", query->page},
                            {"page_size", query->page_size},
                            {"entries", entries_json(page->entries)}});
  }
  if (absl::StartsWith(path, "/api/requests/")) {
    absl::StatusOr<RequestDetail> detail = data_.Request(std::string_view(path).substr(14));
    if (!detail.ok()) return JsonError(HttpStatusOf(detail.status()), std::string(detail.status().message()));
    nlohmann::ordered_json body = {{"entry", LedgerEntryJson(detail->entry, ThreadLink(detail->entry))},
                                   {"same_request", entries_json(detail->same_request)}};
    body["result"] = nlohmann::ordered_json::parse(detail->result_json, nullptr, /*allow_exceptions=*/false);
    if (body["result"].is_discarded()) body["result"] = nullptr;
    body["decision"] =
        nlohmann::ordered_json::parse(detail->decision_json, nullptr, /*allow_exceptions=*/false);
    if (body["decision"].is_discarded()) body["decision"] = nullptr;
    if (!detail->result_error.empty()) body["result_error"] = detail->result_error;
    return JsonAnswer(200, body);
  }
  return JsonError(404, "no such API path");
}

}  // namespace creditbot
