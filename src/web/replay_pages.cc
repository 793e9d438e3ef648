// The dashboard's Replays pages; see replay_pages.h.
#include "web/replay_pages.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "web/dashboard_pages.h"
#include "web/web_request.h"

namespace creditbot {
namespace {

std::string E(std::string_view text) { return HtmlEscape(text); }

std::string Th(std::string_view label) { return absl::StrCat("<th scope=\"col\">", ToAbsl(label), "</th>"); }

std::string PolicyText(const ReplayRunInfo& info) {
  return info.policy.empty() ? "the configured policies" : info.policy;
}

std::string ExecutorText(const ReplayRunInfo& info) {
  return absl::StrCat(info.executor, info.requery ? " (today's warehouse)" : "");
}

}  // namespace

std::string ReplaysPageHtml(const WebSession& session, const std::vector<ReplayListing>& listings,
                            std::size_t shown_at_most, const std::string& error) {
  std::string body;
  if (!error.empty()) {
    absl::StrAppend(&body,
                    "<p class=\"alert\" role=\"alert\">The replay reports "
                    "could not be listed: ",
                    E(error), "</p>");
  }
  if (listings.empty()) {
    absl::StrAppend(&body,
                    "<p id=\"no-replays\">No replay reports yet. "
                    "<code>creditbot replay</code> without "
                    "<code>--out</code> writes its report to "
                    "<code>$CREDITBOT_HOME/replays/</code>, "
                    "where this page finds it.</p>");
    return PageHtml(&session, "Replays", "Replays", body);
  }
  absl::StrAppend(&body,
                  "<table class=\"replays\"><caption>Replay reports, newest "
                  "first</caption><thead><tr>",
                  Th("Report"), Th("Time"), Th("Candidate policy"), Th("Executor"), Th("Requests"),
                  Th("Changed"), Th("Total delta"), Th("Over 1%"), "</tr></thead><tbody>");
  for (const ReplayListing& listing : listings) {
    const std::string link =
        absl::StrCat("<a href=\"/replays/", E(listing.name), "\">", E(listing.name), "</a>");
    if (!listing.error.empty()) {
      absl::StrAppend(&body, "<tr data-replay=\"", E(listing.name), "\"><td>", E(listing.name),
                      "</td><td colspan=\"7\" class=\"alert\">", E(listing.error), "</td></tr>");
      continue;
    }
    const ReplayRunInfo& info = listing.heading.info;
    const ReplaySummary& summary = listing.heading.summary;
    absl::StrAppend(
        &body, "<tr data-replay=\"", E(listing.name), "\"><td>", link, "</td><td>", E(info.generated_at),
        "</td><td>", E(PolicyText(info)), "</td><td>", E(ExecutorText(info)), "</td><td class=\"num\">",
        summary.requests, "</td><td class=\"num\">", summary.changed, "</td><td class=\"num\">",
        summary.total_delta.ToFixed(2), "</td><td class=\"num\">", summary.over_one_percent, "</td></tr>");
  }
  absl::StrAppend(&body, "</tbody></table>");
  if (listings.size() >= shown_at_most) {
    absl::StrAppend(&body, "<p>The newest ", shown_at_most,
                    " reports are shown; older ones stay in "
                    "<code>$CREDITBOT_HOME/replays/</code>.</p>");
  }
  return PageHtml(&session, "Replays", "Replays", body);
}

std::string ReplayPageHtml(const WebSession& session, const std::string& name, const ReplayReport& report) {
  const std::string base = absl::StrCat("/replays/", E(name), "/");
  const std::string body = absl::StrCat(
      "<p class=\"downloads\"><a href=\"/replays\">All replays</a><a "
      "class=\"button\" href=\"",
      base, "replay.csv\" download>Download CSV</a><a class=\"button\" href=\"", base,
      "replay.json\" download>Download JSON</a></p><div class=\"replay\">",
      ReplayReportBodyHtml(report.results, report.summary, report.info), "</div>");
  return PageHtml(&session, absl::StrCat("Replay ", name), "Replays", body);
}

}  // namespace creditbot
