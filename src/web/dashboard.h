// Dashboard: serve's web dashboard (issue 18), mounted on ServiceHttp's `dashboard` handler (every path the
// endpoint does not own itself; /healthz, /readyz, /metrics and /slack/* never reach it). It routes, signs
// people in and out, checks sessions and CSRF tokens, and renders the pages (web/dashboard_pages.h) from
// DashboardData (web/dashboard_data.h).
//
//   GET  /login                   the sign-in page: "Sign in with Slack" when Slack sign-in is configured,
//                                 the local form on the embedded default
//   POST /login/local             local sign-in (form: user_id, login_csrf): the embedded default only —
//                                 refused 403 whenever Slack is configured (SLACK_BOT_TOKEN) or the endpoint
//                                 is not on loopback (DashboardOptions::local_sign_in false)
//   GET  /auth/slack/start        Slack's OpenID Connect: to Slack's authorize page (web/slack_sign_in.h);
//   GET  /auth/slack/callback     back from it: the session is created. 503 when not configured
//   POST /logout                  ends the session
//   GET  /  /queue  /history  /requests/<execution id>  /charts  /export.csv
//   POST /pause   POST /resume    the pause switch (state/pause.h; form: reason, csrf): approvers only
//                                 (DashboardHooks::is_approver; anyone else 403); every signed-in page
//                                 shows the switch (paused by whom, since when, why) at the top
//   POST /decide                  form: execution_id, action (approve|reject|adjust), amount, reason, csrf;
//                                 through the one decision path (DashboardHooks::decide: LedgerDecisionDesk
//                                 on serve's worker), answered with the desk's words
//   GET  /replays  /replays/<name>  the replay reports of DashboardOptions::replays_dir (web/replay_pages.h),
//   GET  /replays/<name>/replay.csv  /replays/<name>/replay.json   and their files, as downloads; a name
//                                 that is not ReplayArchive::IsReportName (a path, "..", "%2e%2e", a hidden
//                                 folder), a link, or a report that is not there: 404
//   GET  /static/chart.min.js  /static/dashboard.js  /static/dashboard.css
//   GET  /api/queue  /api/history  /api/requests/<execution id>  /api/charts  /api/export.csv  /api/pause
//        /api/replays  /api/replays/<name>
//                                 read-only JSON (and CSV) with the pages' data and filters (a report's
//                                 replay.json as it is)
//
// Who may see what: every page needs a session (no session: 302 to /login; /static/ holds no data and is
// served to anyone, the sign-in page needs its stylesheet); /api/…
// needs a session or `Authorization: Bearer <CREDITBOT_API_TOKEN>` (else 401 JSON); the token is compared
// in constant time (through SHA-256, so not even its length shows) and never logged. Deciding needs a
// session (the API is read-only) and the approver check of the desk. Every POST but the sign-in form needs
// the session's CSRF token in the `csrf` form field (missing or wrong: 403); the sign-in form carries its
// own token, bound to a short-lived cookie. Cookies are HttpOnly, SameSite=Lax, Path=/, and Secure unless
// local sign-in is on (the embedded default on loopback is plain http). Pages send a Content-Security-Policy
// that allows scripts only from the dashboard itself (no inline script) and X-Frame-Options DENY.
//
// Thread-safe: Handle is called on ServiceHttp's handler threads, concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "bot/decision_desk.h"
#include "bot/service_http_front.h"
#include "common/clock.h"
#include "replay/replay_archive.h"
#include "web/dashboard_data.h"
#include "web/session_store.h"
#include "web/web_user.h"

namespace creditbot {

struct DashboardOptions {
  // The embedded default's local sign-in (a form taking a Slack user id). Serve sets it only without
  // SLACK_BOT_TOKEN and on a loopback address. Default: off.
  bool local_sign_in = false;
  // The API's bearer token (CREDITBOT_API_TOKEN, a secret). Default: none (the API needs a session).
  std::string api_token;
  // The Slack workspace's address for thread links. Default: https://slack.com/ (Slack redirects).
  std::string slack_workspace_url = "https://slack.com/";
  SessionOptions sessions;
  int page_size = 50;  // Default: 50 entries per history page
  // The replay reports' folder (serve: $CREDITBOT_HOME/replays, replay/replay_archive.h). Default: none (the
  // Replays page says so).
  std::string replays_dir;
  std::size_t replays_shown = 200;  // Default: the newest 200 reports are listed
};

// What Slack sign-in returns to the router (web/slack_sign_in.h, wired by serve).
struct SignInRedirect {
  std::string authorize_url;  // Slack's authorize page
  std::string set_cookie;     // the Set-Cookie value binding state and nonce to this browser
};

struct DashboardHooks {
  // Decides through the one decision path (serve: the runtime's DecisionDesk, on the service worker).
  // Unset: POST /decide answers 503.
  std::function<DecisionAnswer(const DecisionRequest&)> decide;
  // Slack's OpenID Connect (both set, or the /auth/slack routes answer 503 "Slack sign-in not configured").
  // start: `return_to` is where to go after; finish: the callback's query string and Cookie header → who
  // signed in, and where to go (`return_to`, a local path); any error refuses the sign-in (401, with the
  // message). Both answers of the callback carry `slack_clear_cookie` (removing the sign-in's cookie).
  std::function<absl::StatusOr<SignInRedirect>(const std::string& return_to)> slack_start;
  std::function<absl::StatusOr<WebUser>(std::string_view query, std::string_view cookie_header,
                                        std::string* return_to)>
      slack_finish;
  std::string slack_clear_cookie;
  // Whether `user` may pause and resume creditbot (serve: CREDITBOT_APPROVERS). Unset: nobody may.
  std::function<bool(const std::string& user)> is_approver;
  // The reply as posted, rendered again from the audit record (core/reply_renderer.h with the entry's
  // policy). Unset or failing: the request page says the reply cannot be shown.
  std::function<absl::StatusOr<std::string>(const LedgerEntry& entry, const std::string& result_json)>
      reply_text;
};

class Dashboard {
 public:
  // `data` and `clock` must outlive the dashboard.
  Dashboard(DashboardOptions options, DashboardData& data, DashboardHooks hooks, const Clock& clock);

  HttpFrontResponse Handle(const HttpFrontRequest& request);

  static constexpr char kSessionCookie[] = "creditbot_session";
  static constexpr char kLoginCookie[] = "creditbot_login";

 private:
  HttpFrontResponse Route(const HttpFrontRequest& request);
  HttpFrontResponse LoginPage(const HttpFrontRequest& request, const std::string& error, int status);
  HttpFrontResponse LocalSignIn(const HttpFrontRequest& request);
  HttpFrontResponse SlackStart(const HttpFrontRequest& request);
  HttpFrontResponse SlackCallback(const HttpFrontRequest& request);
  HttpFrontResponse SignedIn(const WebUser& user, const std::string& how, const std::string& return_to,
                             const std::string& extra_cookie = "");
  HttpFrontResponse Logout(const HttpFrontRequest& request, const WebSession& session);
  HttpFrontResponse QueuePage(const WebSession& session, int page, const std::string& notice, bool notice_ok,
                              int status);
  HttpFrontResponse SessionPage(const HttpFrontRequest& request, const WebSession& session);
  HttpFrontResponse SwitchPause(const HttpFrontRequest& request, const WebSession& session, bool pause);
  bool IsApprover(const WebSession& session) const;
  HttpFrontResponse HistoryPage(const HttpFrontRequest& request, const WebSession& session);
  HttpFrontResponse RequestPage(const WebSession& session, std::string_view execution_id);
  HttpFrontResponse ChartsPage(const WebSession& session);
  HttpFrontResponse ReplaysPage(const WebSession& session);
  // `rest`: the path after "/replays/": "<name>" (the report's page) or "<name>/<file>" (a download).
  HttpFrontResponse ReplayPage(const WebSession& session, std::string_view rest);
  HttpFrontResponse ReplaysApi(std::string_view path);
  HttpFrontResponse Decide(const HttpFrontRequest& request, const WebSession& session);
  HttpFrontResponse Static(std::string_view path);
  HttpFrontResponse Api(const HttpFrontRequest& request);
  HttpFrontResponse Csv(const HttpFrontRequest& request);
  bool ApiTokenMatches(const HttpFrontRequest& request) const;
  std::string ThreadLink(const LedgerEntry& entry) const;
  bool CookiesSecure() const { return !options_.local_sign_in; }

  const DashboardOptions options_;
  DashboardData& data_;
  const DashboardHooks hooks_;
  const Clock& clock_;
  SessionStore sessions_;
  const ReplayArchive replays_;
  std::string api_token_sha256_;  // "" when no token is configured
};

}  // namespace creditbot
