// The dashboard's Replays pages (issue 19: "a replay's report can be opened in the dashboard"), rendered on
// the server in the shared layout (web/dashboard_pages.h) from the reports `creditbot replay` wrote to
// $CREDITBOT_HOME/replays/ (replay/replay_archive.h):
//   /replays          every report, newest first: its time, candidate policy, executor, requests, changed,
//                     total delta, how many differ by more than 1%, each linked to its page
//   /replays/<name>   one report: the same body as its self-contained replay.html (the summary, the inline
//                     SVG chart of the deltas, every request), read from its replay.json, with links to
//                     download its replay.csv and replay.json
// Every value is escaped; no script. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "replay/replay_archive.h"
#include "replay/replay_report.h"
#include "web/session_store.h"

namespace creditbot {

// `listings` newest first; `shown_at_most`: the list's limit (a note says when it was reached); `error`
// (may be ""): why the folder could not be listed.
std::string ReplaysPageHtml(const WebSession& session, const std::vector<ReplayListing>& listings,
                            std::size_t shown_at_most, const std::string& error);

// The report `name` (ReplayArchive::IsReportName), read back with ReadReplayJson.
std::string ReplayPageHtml(const WebSession& session, const std::string& name, const ReplayReport& report);

}  // namespace creditbot
