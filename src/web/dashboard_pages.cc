// The dashboard's server-rendered pages; see dashboard_pages.h.
#include "web/dashboard_pages.h"

#include <nlohmann/json.hpp>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "common/url.h"
#include "common/utc_time.h"
#include "web/web_request.h"

namespace creditbot {
namespace {

std::string E(std::string_view text) { return HtmlEscape(text); }

}  // namespace

std::string PageHtml(const WebSession* session, const std::string& title, const std::string& active,
                     const std::string& body) {
  std::string html = absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>",
      E(title),
      " · creditbot</title><link rel=\"stylesheet\" href=\"/static/dashboard.css\"></head><body>"
      "<a class=\"skip\" href=\"#main\">Skip to content</a><header><strong>creditbot</strong>");
  if (session != nullptr) {
    absl::StrAppend(&html, "<nav aria-label=\"Dashboard\"><ul>");
    for (const auto& [href, label] : std::vector<std::pair<std::string, std::string>>{
             {"/queue", "Queue"}, {"/history", "History"}, {"/charts", "Charts"}, {"/replays", "Replays"}}) {
      absl::StrAppend(&html, "<li><a href=\"", href, "\"", label == active ? " aria-current=\"page\"" : "",
                      ">", label, "</a></li>");
    }
    const std::string who = session->user.name.empty()
                                ? session->user.user_id
                                : absl::StrCat(session->user.name, " (", session->user.user_id, ")");
    absl::StrAppend(&html, "</ul></nav><form class=\"signout\" method=\"post\" action=\"/logout\">",
                    "<span class=\"who\">Signed in as ", E(who), "</span>",
                    "<input type=\"hidden\" name=\"csrf\" value=\"", E(session->csrf_token), "\">",
                    "<button type=\"submit\">Sign out</button></form>");
  }
  absl::StrAppend(&html, "</header><main id=\"main\"><h1>", E(title), "</h1>", body,
                  "</main></body></html>\n");
  return html;
}

namespace {

std::string Csrf(const WebSession& session) {
  return absl::StrCat("<input type=\"hidden\" name=\"csrf\" value=\"", E(session.csrf_token), "\">");
}

std::string Age(absl::Duration age) {
  if (age < absl::Hours(1)) return absl::StrCat(absl::ToInt64Minutes(age), " min");
  if (age < absl::Hours(48)) return absl::StrCat(absl::ToInt64Hours(age), " h");
  return absl::StrCat(absl::ToInt64Hours(age) / 24, " days");
}

std::string Money(const LedgerEntry& entry, const std::string& amount) {
  if (amount.empty()) return "–";
  return absl::StrCat(E(amount), " ", E(entry.currency));
}

std::string RequestLink(const LedgerEntry& entry) {
  return absl::StrCat("<a href=\"/requests/", E(entry.execution_id), "\">", E(entry.execution_id), "</a>");
}

std::string ThreadAnchor(const std::string& url) {
  if (url.empty()) return "";
  return absl::StrCat("<a href=\"", E(url), "\" rel=\"noopener\">Slack thread</a>");
}

std::string DecisionForms(const WebSession& session, const LedgerEntry& entry) {
  const std::string id = E(entry.execution_id);
  const std::string hidden =
      absl::StrCat(Csrf(session), "<input type=\"hidden\" name=\"execution_id\" value=\"", id, "\">");
  return absl::StrCat("<div class=\"decide\">", "<form method=\"post\" action=\"/decide\">", hidden,
                      "<input type=\"hidden\" name=\"action\" value=\"approve\">"
                      "<button type=\"submit\" name=\"approve\" aria-label=\"Approve ",
                      id, "\">Approve</button></form>", "<form method=\"post\" action=\"/decide\">", hidden,
                      "<input type=\"hidden\" name=\"action\" value=\"reject\">"
                      "<label for=\"reject-reason-",
                      id, "\">Reason</label><input id=\"reject-reason-", id,
                      "\" name=\"reason\" required maxlength=\"500\">"
                      "<button type=\"submit\" aria-label=\"Reject ",
                      id, "\">Reject</button></form>", "<form method=\"post\" action=\"/decide\">", hidden,
                      "<input type=\"hidden\" name=\"action\" value=\"adjust\">"
                      "<label for=\"adjust-amount-",
                      id, "\">Amount</label><input id=\"adjust-amount-", id,
                      "\" name=\"amount\" required inputmode=\"decimal\" size=\"10\">"
                      "<label for=\"adjust-reason-",
                      id, "\">Reason</label><input id=\"adjust-reason-", id,
                      "\" name=\"reason\" required maxlength=\"500\">"
                      "<button type=\"submit\" aria-label=\"Adjust ",
                      id, "\">Adjust</button></form></div>");
}

std::string Th(std::string_view label) { return absl::StrCat("<th scope=\"col\">", ToAbsl(label), "</th>"); }

std::string Pre(const std::string& text) { return absl::StrCat("<pre>", E(text), "</pre>"); }

std::string JsonText(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

}  // namespace

std::string QueryString(const std::map<std::string, std::string>& params) {
  std::string query;
  for (const auto& [name, value] : params) {
    absl::StrAppend(&query, query.empty() ? "" : "&", PercentEncode(name), "=", PercentEncode(value));
  }
  return query;
}

std::string SignInPageHtml(bool local, bool slack, const std::string& login_csrf, const std::string& error,
                           const std::string& return_to) {
  std::string body;
  if (!error.empty()) absl::StrAppend(&body, "<p class=\"alert\" role=\"alert\">", E(error), "</p>");
  if (slack) {
    absl::StrAppend(&body, "<p><a class=\"button\" href=\"/auth/slack/start?",
                    E(QueryString({{"return_to", return_to}})), "\">Sign in with Slack</a></p>");
  }
  if (local) {
    absl::StrAppend(
        &body,
        "<form method=\"post\" action=\"/login/local\"><p>Local sign-in (the embedded default only: off "
        "whenever Slack is configured).</p><input type=\"hidden\" name=\"login_csrf\" value=\"",
        E(login_csrf), "\"><input type=\"hidden\" name=\"return_to\" value=\"", E(return_to),
        "\"><label for=\"user_id\">Slack user id</label> <input id=\"user_id\" name=\"user_id\" required "
        "pattern=\"[UW][A-Z0-9]{2,}\" placeholder=\"U0APPROVER1\" autocomplete=\"username\"> "
        "<button type=\"submit\">Sign in</button></form>");
  }
  if (!slack && !local) absl::StrAppend(&body, "<p>No way to sign in is configured.</p>");
  return PageHtml(nullptr, "Sign in", "", body);
}

std::string QueuePageHtml(const WebSession& session, const LedgerPage& page, int page_number, int page_size,
                          absl::Time now, const std::string& notice, bool notice_ok,
                          const ThreadLinker& thread_link) {
  const std::vector<LedgerEntry>& entries = page.entries;
  std::string body;
  if (!notice.empty()) {
    absl::StrAppend(&body,
                    notice_ok ? "<p class=\"notice\" role=\"status\">" : "<p class=\"alert\" role=\"alert\">",
                    E(notice), "</p>");
  }
  const int first = page_size * (page_number - 1) + 1;
  absl::StrAppend(&body, "<p>", page.total, " awaiting a decision, oldest first",
                  page.total > static_cast<int>(entries.size()) && !entries.empty()
                      ? absl::StrCat(" (", first, "–", first + static_cast<int>(entries.size()) - 1, " here)")
                      : std::string(),
                  ".</p>");
  if (!entries.empty()) {
    absl::StrAppend(&body, "<table class=\"queue\"><caption>Credits awaiting a decision</caption><thead><tr>",
                    Th("Requested"), Th("Age"), Th("Parent account"), Th("Product"), Th("Recommended"),
                    Th("Request"), Th("Decide"), "</tr></thead><tbody>");
    for (const LedgerEntry& entry : entries) {
      absl::StrAppend(&body, "<tr data-execution-id=\"", E(entry.execution_id), "\"><td>",
                      E(Rfc3339Utc(entry.created_at)), "</td><td>", Age(now - entry.created_at), "</td><td>",
                      E(entry.parent_account_sid), "</td><td>", E(entry.product), "</td><td class=\"num\">",
                      Money(entry, entry.recommended_amount), "</td><td>", RequestLink(entry), " ",
                      ThreadAnchor(thread_link(entry)), "</td><td>", DecisionForms(session, entry),
                      "</td></tr>");
    }
    absl::StrAppend(&body, "</tbody></table>");
  }
  absl::StrAppend(&body, "<nav aria-label=\"Pages\" class=\"pages\">");
  if (page_number > 1) {
    absl::StrAppend(&body, "<a rel=\"prev\" href=\"/queue?page=", page_number - 1, "\">Older</a> ");
  }
  if (page_size * page_number < page.total) {
    absl::StrAppend(&body, "<a rel=\"next\" href=\"/queue?page=", page_number + 1, "\">Newer</a>");
  }
  absl::StrAppend(&body, "</nav>");
  return PageHtml(&session, "Queue", "Queue", body);
}

std::string HistoryPageHtml(const WebSession& session, const HistoryQuery& query, const LedgerPage& page,
                            const ThreadLinker& thread_link) {
  auto param = [&query](const char* name) {
    auto found = query.params.find(name);
    return found == query.params.end() ? std::string() : found->second;
  };
  std::string body = absl::StrCat(
      "<form class=\"filters\" method=\"get\" action=\"/history\" role=\"search\">"
      "<label for=\"since\">From</label><input type=\"date\" id=\"since\" name=\"since\" value=\"",
      E(param("since")),
      "\"><label for=\"until\">To</label><input type=\"date\" id=\"until\" name=\"until\" value=\"",
      E(param("until")), "\"><label for=\"status\">Status</label><select id=\"status\" name=\"status\">",
      "<option value=\"\">any</option>");
  for (LedgerStatus status : {LedgerStatus::kAwaiting, LedgerStatus::kAutoApproved, LedgerStatus::kApproved,
                              LedgerStatus::kRejected, LedgerStatus::kAdjusted, LedgerStatus::kSuperseded}) {
    const std::string name(LedgerStatusName(status));
    absl::StrAppend(&body, "<option value=\"", name, "\"", param("status") == name ? " selected" : "", ">",
                    name, "</option>");
  }
  absl::StrAppend(
      &body,
      "</select><label for=\"parent\">Parent account</label><input id=\"parent\" name=\"parent\" value=\"",
      E(param("parent")),
      "\"><label for=\"product\">Product</label><input id=\"product\" name=\"product\" value=\"",
      E(param("product")), "\"><button type=\"submit\">Filter</button></form>");
  const std::string filter_query = QueryString(query.params);
  const int first = page.total == 0 ? 0 : query.filter.offset + 1;
  const int last = query.filter.offset + static_cast<int>(page.entries.size());
  absl::StrAppend(&body, "<p><span id=\"count\">", first, "–", last, " of ", page.total,
                  "</span> · <a href=\"/export.csv", filter_query.empty() ? "" : "?", E(filter_query),
                  "\" download>Download CSV</a></p>");
  absl::StrAppend(&body, "<table class=\"history\"><caption>Credit ledger</caption><thead><tr>",
                  Th("Created"), Th("Request"), Th("Parent account"), Th("Product"), Th("Status"),
                  Th("Recommended"), Th("Final"), Th("Decided by"), Th("Reason"), "</tr></thead><tbody>");
  for (const LedgerEntry& entry : page.entries) {
    absl::StrAppend(
        &body, "<tr data-execution-id=\"", E(entry.execution_id), "\"><td>", E(Rfc3339Utc(entry.created_at)),
        "</td><td>", RequestLink(entry), " ", ThreadAnchor(thread_link(entry)), "</td><td>",
        E(entry.parent_account_sid), "</td><td>", E(entry.product), "</td><td>",
        E(LedgerStatusName(entry.status)), entry.dry_run ? " (dry run)" : "", "</td><td class=\"num\">",
        Money(entry, entry.recommended_amount), "</td><td class=\"num\">", Money(entry, entry.final_amount),
        "</td><td>", E(entry.decided_by), "</td><td>", E(entry.reason), "</td></tr>");
  }
  absl::StrAppend(&body, "</tbody></table><nav aria-label=\"Pages\" class=\"pages\">");
  std::map<std::string, std::string> params = query.params;
  if (query.page > 1) {
    params["page"] = std::to_string(query.page - 1);
    absl::StrAppend(&body, "<a rel=\"prev\" href=\"/history?", E(QueryString(params)), "\">Newer</a> ");
  }
  if (last < page.total) {
    params["page"] = std::to_string(query.page + 1);
    absl::StrAppend(&body, "<a rel=\"next\" href=\"/history?", E(QueryString(params)), "\">Older</a>");
  }
  absl::StrAppend(&body, "</nav>");
  return PageHtml(&session, "History", "History", body);
}

std::string RequestPageHtml(const WebSession& session, const RequestDetail& detail,
                            const std::string& reply_text, const ThreadLinker& thread_link) {
  const LedgerEntry& entry = detail.entry;
  std::string body = absl::StrCat(
      "<dl class=\"facts\"><dt>Request</dt><dd>", E(entry.request_key), "</dd><dt>Requester</dt><dd>",
      E(entry.requester), "</dd><dt>Parent account</dt><dd>", E(entry.parent_account_sid),
      "</dd><dt>Product</dt><dd>", E(entry.product), "</dd><dt>Recommended</dt><dd>",
      Money(entry, entry.recommended_amount), "</dd><dt>Status</dt><dd id=\"status\">",
      E(LedgerStatusName(entry.status)), entry.dry_run ? " (dry run)" : "", "</dd><dt>Final</dt><dd>",
      Money(entry, entry.final_amount), "</dd><dt>Policy</dt><dd>", E(entry.policy_name), "/",
      E(entry.policy_version), "</dd></dl>");
  nlohmann::json result = nlohmann::json::parse(detail.result_json, nullptr, /*allow_exceptions=*/false);
  if (!result.is_object()) result = nlohmann::json::object();
  std::string looker_url;
  if (result.contains("inputs") && result["inputs"].is_object() && result["inputs"].contains("source") &&
      result["inputs"]["source"].is_object()) {
    looker_url = result["inputs"]["source"].value("looker_url", "");
  }
  absl::StrAppend(&body, "<p class=\"links\">", ThreadAnchor(thread_link(entry)));
  if (!looker_url.empty()) {
    absl::StrAppend(&body, " · <a href=\"", E(looker_url), "\" rel=\"noopener\">Looker report</a>");
  }
  absl::StrAppend(&body, "</p>");
  if (entry.status == LedgerStatus::kAwaiting) {
    absl::StrAppend(&body, "<section><h2>Decide</h2>", DecisionForms(session, entry), "</section>");
  }
  absl::StrAppend(&body, "<section><h2>Reply</h2>",
                  reply_text.empty() ? "<p>The reply could not be shown (see the audit record below).</p>"
                                     : Pre(reply_text),
                  "</section>");
  // The decision trail: every entry of this request (recalculations supersede), with who decided what.
  absl::StrAppend(&body, "<section><h2>Decision trail</h2><table><thead><tr>", Th("Created"), Th("Execution"),
                  Th("Status"), Th("Final"), Th("Decided by"), Th("Decided at"), Th("Reason"),
                  Th("Superseded by"), "</tr></thead><tbody>");
  for (const LedgerEntry& other : detail.same_request) {
    absl::StrAppend(&body, "<tr><td>", E(Rfc3339Utc(other.created_at)), "</td><td>", RequestLink(other),
                    "</td><td>", E(LedgerStatusName(other.status)), "</td><td>",
                    Money(other, other.final_amount), "</td><td>", E(other.decided_by), "</td><td>",
                    E(Rfc3339UtcOrEmpty(other.decided_at)), "</td><td>", E(other.reason), "</td><td>",
                    E(other.superseded_by), "</td></tr>");
  }
  absl::StrAppend(&body, "</tbody></table></section>");
  if (result.contains("warnings") && result["warnings"].is_array() && !result["warnings"].empty()) {
    absl::StrAppend(&body, "<section><h2>Warnings</h2><ul>");
    for (const nlohmann::json& warning : result["warnings"]) {
      absl::StrAppend(&body, "<li>", E(JsonText(warning)), "</li>");
    }
    absl::StrAppend(&body, "</ul></section>");
  }
  if (result.contains("output_df") && result["output_df"].is_array()) {
    absl::StrAppend(&body, "<section><h2>Breakdown by Fraud Guard mode</h2><table><thead><tr>", Th("Mode"),
                    Th("Credit"), Th("Fraud charges in mode"), Th("Credit if all in mode"),
                    "</tr></thead><tbody>");
    for (const nlohmann::json& mode : result["output_df"]) {
      if (!mode.is_object()) continue;
      absl::StrAppend(&body, "<tr><th scope=\"row\">", E(JsonText(mode.value("mode", nlohmann::json()))),
                      "</th><td class=\"num\">", E(JsonText(mode.value("credit", nlohmann::json()))),
                      "</td><td class=\"num\">",
                      E(JsonText(mode.value("fraud_charges_in_mode", nlohmann::json()))),
                      "</td><td class=\"num\">", E(JsonText(mode.value("credit_if_mode", nlohmann::json()))),
                      "</td></tr>");
    }
    absl::StrAppend(&body, "</tbody></table></section>");
  }
  if (result.contains("lines") && result["lines"].is_array()) {
    absl::StrAppend(&body, "<section><h2>Lines (", result["lines"].size(),
                    ")</h2><table class=\"lines\"><thead><tr>", Th("Date"), Th("Account"), Th("Country"),
                    Th("MCC"), Th("MNC"), Th("Mode"), Th("Charges"), Th("Credited"), Th("Why"),
                    "</tr></thead><tbody>");
    for (const nlohmann::json& line : result["lines"]) {
      if (!line.is_object()) continue;
      auto field = [&line](const char* name) { return E(JsonText(line.value(name, nlohmann::json()))); };
      absl::StrAppend(&body, "<tr><td>", field("date"), "</td><td>", field("account_sid"), "</td><td>",
                      field("country"), "</td><td>", field("mcc"), "</td><td>", field("mnc"), "</td><td>",
                      field("mode"), "</td><td class=\"num\">", field("charges"), "</td><td class=\"num\">",
                      field("credited"), "</td><td>", field("why"), "</td></tr>");
    }
    absl::StrAppend(&body, "</tbody></table></section>");
  }
  absl::StrAppend(&body, "<section><h2>Audit record</h2>");
  if (!detail.result_error.empty()) {
    absl::StrAppend(&body, "<p class=\"alert\">The audit record could not be read: ", E(detail.result_error),
                    "</p>");
  } else {
    absl::StrAppend(&body, "<details><summary>result.json</summary>",
                    Pre(result.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)), "</details>");
  }
  if (!detail.decision_json.empty()) {
    absl::StrAppend(&body, "<details><summary>decision.json</summary>", Pre(detail.decision_json),
                    "</details>");
  }
  absl::StrAppend(&body, "</section>");
  return PageHtml(&session, absl::StrCat("Request ", entry.execution_id), "", body);
}

std::string ChartsPageHtml(const WebSession& session) {
  std::string body =
      "<form class=\"filters\" id=\"chart-filter\"><label for=\"since\">From</label><input type=\"date\" "
      "id=\"since\" name=\"since\"><label for=\"until\">To</label><input type=\"date\" id=\"until\" "
      "name=\"until\"><button type=\"submit\">Show</button></form><p id=\"chart-status\" "
      "role=\"status\"></p>";
  for (const auto& [id, title] : std::vector<std::pair<std::string, std::string>>{
           {"weekly", "Credits per week: recommended and approved (USD)"},
           {"by_country", "Credited by country (USD)"},
           {"by_mcc", "Credited by MCC (USD)"},
           {"by_mode", "Credited by Fraud Guard mode (USD)"},
           {"reply_hours", "Time from request to reply"},
           {"decide_hours", "Time from request to decision"}}) {
    absl::StrAppend(&body, "<section class=\"chart\"><h2 id=\"h-", id, "\">", E(title),
                    "</h2><canvas id=\"chart-", id, "\" role=\"img\" aria-labelledby=\"h-", id,
                    "\"></canvas><table class=\"chart-data\" id=\"table-", id,
                    "\"><caption>Data</caption></table></section>");
  }
  absl::StrAppend(
      &body, "<script src=\"/static/chart.min.js\"></script><script src=\"/static/dashboard.js\"></script>");
  return PageHtml(&session, "Charts", "Charts", body);
}

std::string PauseBannerHtml(const WebSession& session, const PauseState& pause, bool can_switch,
                            const std::string& error) {
  if (!error.empty()) {
    return absl::StrCat(
        "<div id=\"pause-banner\" class=\"alert\" role=\"alert\">The pause switch could not be read: ",
        E(error), "</div>");
  }
  std::string html;
  if (pause.paused) {
    absl::StrAppend(
        &html, "<div id=\"pause-banner\" class=\"paused\" role=\"status\"><span><strong>Paused</strong>: ",
        E(pause.reason.empty() ? std::string("no reason given") : pause.reason));
    if (!pause.by.empty()) absl::StrAppend(&html, " · by ", E(pause.by));
    if (pause.since) absl::StrAppend(&html, " · since ", E(Rfc3339Utc(*pause.since)));
    absl::StrAppend(&html, ". Nothing is answered, posted or decided until it is resumed.</span>");
    if (can_switch) {
      absl::StrAppend(&html, "<form method=\"post\" action=\"/resume\">", Csrf(session),
                      "<button type=\"submit\">Resume</button></form>");
    }
  } else {
    absl::StrAppend(
        &html, "<div id=\"pause-banner\" class=\"running\" role=\"status\"><span><strong>Running</strong>: ",
        "creditbot answers requests.</span>");
    if (can_switch) {
      absl::StrAppend(&html, "<form method=\"post\" action=\"/pause\">", Csrf(session),
                      "<label for=\"pause-reason\">Reason</label><input id=\"pause-reason\" name=\"reason\" "
                      "required maxlength=\"500\"><button type=\"submit\">Pause</button></form>");
    }
  }
  absl::StrAppend(&html, "</div>");
  return html;
}

std::string WithBanner(std::string page, const std::string& banner) {
  constexpr std::string_view kMain = "<main id=\"main\">";
  const std::size_t at = page.find(kMain);
  if (at != std::string::npos) page.insert(at + kMain.size(), banner);
  return page;
}

std::string MessagePageHtml(const WebSession* session, const std::string& title, const std::string& message) {
  return PageHtml(session, title, "", absl::StrCat("<p class=\"alert\" role=\"alert\">", E(message), "</p>"));
}

}  // namespace creditbot
