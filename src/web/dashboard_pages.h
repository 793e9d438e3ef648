// The dashboard's HTML, rendered on the server: one function per page, each a complete document in the
// shared layout (a header naming who is signed in, the navigation, a sign-out form). Every value from the
// ledger, the audit or the request is escaped (HtmlEscape); no page carries inline script (the
// Content-Security-Policy forbids it): the charts page loads /static/chart.min.js and /static/dashboard.js,
// which fetch /api/charts. Accessible: every form field has a label, tables have header cells with scope,
// buttons are real <button>s (keyboard-usable), a skip link leads to the main content.
//
// Pure functions; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "state/ledger.h"
#include "web/dashboard_data.h"
#include "web/session_store.h"

namespace creditbot {

// Links the pages make: a request's Slack thread ("" when unknown).
using ThreadLinker = std::function<std::string(const LedgerEntry&)>;

// The sign-in page (`return_to`: the local path to go to after). `local`: the embedded default's form (user
// id); `slack`: the "Sign in with Slack" link.
std::string SignInPageHtml(bool local, bool slack, const std::string& login_csrf, const std::string& error,
                           const std::string& return_to);

// The queue: page `page_number` (`page_size` a page) of the entries awaiting a decision, oldest first, each
// with Approve, Reject (reason) and Adjust (amount, reason) forms, and links to the other pages. `notice`
// (may be ""): the answer to the last decision, shown as a status (notice_ok) or an alert.
std::string QueuePageHtml(const WebSession& session, const LedgerPage& page, int page_number, int page_size,
                          absl::Time now, const std::string& notice, bool notice_ok,
                          const ThreadLinker& thread_link);

// The pause switch as every signed-in page shows it (id "pause-banner"): paused by whom, since when, why,
// or running. `can_switch` (an approver): with the form that resumes, or pauses with a reason (POST /pause,
// /resume with the session's CSRF token). `error` (may be ""): why the switch could not be read.
std::string PauseBannerHtml(const WebSession& session, const PauseState& pause, bool can_switch,
                            const std::string& error);

// `page` (a complete document from the functions here) with `banner` at the top of its main content.
std::string WithBanner(std::string page, const std::string& banner);

// The history: the filter form, one page of entries, paging links, the CSV link of the same filter.
std::string HistoryPageHtml(const WebSession& session, const HistoryQuery& query, const LedgerPage& page,
                            const ThreadLinker& thread_link);

// One request: the reply (as rendered from the audit record), the breakdown by mode, every line with its
// `why`, warnings, the decision trail, links to the Slack thread and the Looker report, the audit JSON.
std::string RequestPageHtml(const WebSession& session, const RequestDetail& detail,
                            const std::string& reply_text, const ThreadLinker& thread_link);

// The charts page (canvases with text alternatives; data from /api/charts).
std::string ChartsPageHtml(const WebSession& session);

// A complete document in the shared layout: `title` as the <title> and the <h1>, the navigation (with
// `active` marked as the current page: "Queue", "History", "Charts", "Replays") and the sign-out form when
// `session` is not null, then `body` (HTML, already escaped) as the main content.
std::string PageHtml(const WebSession* session, const std::string& title, const std::string& active,
                     const std::string& body);

// A page saying what went wrong (a bad filter, an unknown request), in the layout.
std::string MessagePageHtml(const WebSession* session, const std::string& title, const std::string& message);

// A query string of `params` ("a=1&b=2", form-encoded), for links that keep a filter.
std::string QueryString(const std::map<std::string, std::string>& params);

}  // namespace creditbot
