// Tests of the replay reports' folder (replay_archive.h) and of a report read back from its replay.json
// (replay_report.h's ReadReplayJson): names checked strictly (no path, no "..", no percent-escapes, no hidden
// folder), links never followed, new reports published whole, newest first; the report read back shows the
// same page as the one written. Expected values are worked out by hand.
#include "replay/replay_archive.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "replay/replay_report.h"
#include "replay/replayer.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::ReadFile;
using ::creditbot::testing::TempDir;
using ::creditbot::testing::WriteFile;
using ::testing::HasSubstr;

Decimal D(const char* text) { return *Decimal::Parse(text); }

// The worked example under k.standard = 0.5 (255.00 → 142.50, two goodwill lines halved) and a failed record.
std::vector<ReplayedRequest> WorkedExampleRows() {
  ReplayedRequest row;
  row.execution_id = "20250715T140311Z-a1b2c3d4";
  row.request_key = "C0CREDITREQ:1752588191.000100";
  row.product = "verify";
  row.executor = "native";
  row.old_policy = "verify/1";
  row.new_policy = "verify/1";
  RecordedResult before, after;
  before.credit_amount = D("255.00");
  before.needs_approval = true;
  after.credit_amount = D("142.50");
  before.lines = {{"2025-07-01", "ACp1", "VA1", "400", "", "goodwill", D("165")},
                  {"2025-07-02", "ACp1", "VA1", "400", "", "goodwill", D("60")}};
  after.lines = {{"2025-07-01", "ACp1", "VA1", "400", "", "goodwill", D("82.5")},
                 {"2025-07-02", "ACp1", "VA1", "400", "", "goodwill", D("30")}};
  CompareResults(before, "{\"old\":1}", after, "{\"new\":1}", row);
  ReplayedRequest failed;
  failed.execution_id = "20250716T090000Z-e5f6a7b8";
  failed.request_key = "C0CREDITREQ:1752656400.000200";
  failed.inputs = ReplayInputs::kRequeryNoEvidence;
  failed.old_credit = D("12.34");
  failed.error = "warehouse: <unavailable> & \"down\"";
  return {row, failed};
}

const ReplayRunInfo kInfo{"k-standard-half.toml", "native", false, "/var/audit", "2026-12-06T18:45:00Z"};

TEST(ReplayArchive, NamesAreOnePlainSegmentWithoutTraversal) {
  for (const char* good : {"20261206T184500Z-3f9a2c", "my-test_1", "a", "v1.2"}) {
    EXPECT_TRUE(ReplayArchive::IsReportName(good)) << good;
  }
  for (const char* bad :
       {"", "..", ".", ".hidden", ".20261206T184500Z-3f9a2c.partial", "a/b", "/etc", "/etc/passwd", "%2e%2e",
        "a%2fb", "a..b", "..%2f..", "a b", "a\\b", "-rf", "_x", "a\nb", "é"}) {
    EXPECT_FALSE(ReplayArchive::IsReportName(bad)) << bad;
  }
  EXPECT_TRUE(ReplayArchive::IsReportName(std::string(100, 'a')));
  EXPECT_FALSE(ReplayArchive::IsReportName(std::string(101, 'a')));
  EXPECT_TRUE(ReplayArchive::IsReportFile("replay.csv"));
  EXPECT_TRUE(ReplayArchive::IsReportFile("replay.json"));
  EXPECT_TRUE(ReplayArchive::IsReportFile("replay.html"));
  EXPECT_FALSE(ReplayArchive::IsReportFile("results"));
  EXPECT_FALSE(ReplayArchive::IsReportFile("../replay.csv"));
}

TEST(ReplayArchive, NewNamesStartWithTheirUtcTimeAndSixHexDigits) {
  // 2026-12-06 18:45:07 UTC.
  const absl::Time time = absl::FromCivil(absl::CivilSecond(2026, 12, 6, 18, 45, 7), absl::UTCTimeZone());
  const std::string name = ReplayArchive::NewName(time);
  ASSERT_EQ(name.size(), 23u) << name;  // 16 + "-" + 6
  EXPECT_EQ(name.substr(0, 17), "20261206T184507Z-");
  EXPECT_EQ(name.find_first_not_of("0123456789abcdef", 17), std::string::npos) << name;
  EXPECT_TRUE(ReplayArchive::IsReportName(name));
}

TEST(ReplayArchive, AReportIsWrittenHiddenAndPublishedWhole) {
  TempDir home;
  const ReplayArchive archive = ReplayArchive::InHome(home.path());
  EXPECT_EQ(archive.root(), home.File("replays"));
  const absl::Time time = absl::FromUnixSeconds(1765046707);  // 2025-12-06T18:45:07Z
  std::string name;
  absl::StatusOr<std::string> partial = archive.BeginReport(time, &name);
  ASSERT_TRUE(partial.ok()) << partial.status();
  EXPECT_EQ(*partial, home.File("replays/." + name + ".partial"));
  EXPECT_EQ(name.substr(0, 17), "20251206T184507Z-");
  WriteFile(*partial + "/replay.json",
            ReplayJson(WorkedExampleRows(), Summarize(WorkedExampleRows()), kInfo));
  // Not listed while it is being written.
  EXPECT_TRUE(archive.List(10)->empty());
  absl::StatusOr<std::string> published = archive.PublishReport(*partial, name);
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(*published, home.File("replays/" + name));
  EXPECT_FALSE(std::filesystem::exists(*partial));
  ASSERT_EQ(archive.List(10)->size(), 1u);
  // A name already taken is never replaced.
  std::string second;
  absl::StatusOr<std::string> again = archive.BeginReport(time, &second);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(second, name);
  EXPECT_EQ(archive.PublishReport(*again, name).status().code(), absl::StatusCode::kAlreadyExists);
}

TEST(ReplayArchive, ListsNewestFirstWithTheirSummaryAndSkipsHiddenLinksAndFiles) {
  TempDir home;
  TempDir outside;
  const ReplayArchive archive = ReplayArchive::InHome(home.path());
  const std::vector<ReplayedRequest> rows = WorkedExampleRows();
  const std::string json = ReplayJson(rows, Summarize(rows), kInfo);
  for (const char* name : {"20261206T184500Z-aaaaaa", "20261207T090000Z-bbbbbb", "20261205T000000Z-cccccc",
                           ".20261208T000000Z-dddddd.partial"}) {
    WriteFile(home.File(std::string("replays/") + name + "/replay.json"), json);
  }
  WriteFile(home.File("replays/20261206T000000Z-broken/replay.json"), "{\"replay\":");
  WriteFile(home.File("replays/20261209T000000Z-afile"), json);
  WriteFile(outside.File("20261210T000000Z-link/replay.json"), json);
  std::filesystem::create_directory_symlink(outside.File("20261210T000000Z-link"),
                                            home.File("replays/20261210T000000Z-link"));

  absl::StatusOr<std::vector<ReplayListing>> listed = archive.List(10);
  ASSERT_TRUE(listed.ok()) << listed.status();
  std::vector<std::string> names;
  for (const ReplayListing& listing : *listed) names.push_back(listing.name);
  EXPECT_THAT(names, ::testing::ElementsAre("20261207T090000Z-bbbbbb", "20261206T184500Z-aaaaaa",
                                            "20261206T000000Z-broken", "20261205T000000Z-cccccc"));
  const ReplayListing& newest = (*listed)[0];
  EXPECT_EQ(newest.error, "");
  EXPECT_EQ(newest.heading.info.policy, "k-standard-half.toml");
  EXPECT_EQ(newest.heading.info.generated_at, "2026-12-06T18:45:00Z");
  EXPECT_EQ(newest.heading.summary.requests, 2u);
  EXPECT_EQ(newest.heading.summary.failed, 1u);
  EXPECT_EQ(newest.heading.summary.changed, 1u);
  EXPECT_EQ(newest.heading.summary.over_one_percent, 1u);
  EXPECT_EQ(newest.heading.summary.total_delta, D("-112.50"));  // the failed record counts for nothing
  EXPECT_TRUE(newest.heading.results.empty());                  // the heading only
  EXPECT_THAT((*listed)[2].error, HasSubstr("not a replay report"));
  // The limit keeps the newest.
  ASSERT_EQ(archive.List(1)->size(), 1u);
  EXPECT_EQ((*archive.List(1))[0].name, "20261207T090000Z-bbbbbb");
  // No folder yet: nothing listed.
  EXPECT_TRUE(ReplayArchive::InHome(home.File("none")).List(10)->empty());
}

TEST(ReplayArchive, AHeadingIsParsedAgainOnlyWhenItsFileChanged) {
  TempDir home;
  const ReplayArchive archive = ReplayArchive::InHome(home.path());
  const std::vector<ReplayedRequest> rows = WorkedExampleRows();
  const std::string json = ReplayJson(rows, Summarize(rows), kInfo);
  const std::string file = home.File("replays/r1/replay.json");
  WriteFile(file, json);
  ASSERT_EQ((*archive.List(10))[0].heading.summary.total_delta, D("-112.50"));
  // Same size, same time: the heading read before is kept (this copy is not parsed).
  const std::filesystem::file_time_type time = std::filesystem::last_write_time(file);
  std::string same_size = json;
  const std::string total = "\"total_delta\": \"-112.50\"";
  ASSERT_NE(same_size.find(total), std::string::npos);
  same_size.replace(same_size.find(total), total.size(), "\"total_delta\": \"-999.99\"");
  WriteFile(file, same_size);
  std::filesystem::last_write_time(file, time);
  EXPECT_EQ((*archive.List(10))[0].heading.summary.total_delta, D("-112.50"));
  // Another time: read again.
  std::filesystem::last_write_time(file, time + std::chrono::seconds(1));
  EXPECT_EQ((*archive.List(10))[0].heading.summary.total_delta, D("-999.99"));
}

TEST(ReplayArchive, ReadsOnlyReportFilesOfPlainFoldersNeverThroughALink) {
  TempDir home;
  TempDir outside;
  const ReplayArchive archive = ReplayArchive::InHome(home.path());
  WriteFile(home.File("replays/r1/replay.csv"), "execution_id\r\n");
  WriteFile(outside.File("secret.txt"), "secret");
  WriteFile(outside.File("other/replay.csv"), "other");
  std::filesystem::create_symlink(outside.File("secret.txt"), home.File("replays/r1/replay.json"));
  std::filesystem::create_directory_symlink(outside.File("other"), home.File("replays/linked"));

  ASSERT_TRUE(archive.Read("r1", "replay.csv").ok());
  EXPECT_EQ(*archive.Read("r1", "replay.csv"), "execution_id\r\n");
  EXPECT_EQ(archive.Read("r1", "replay.json").status().code(), absl::StatusCode::kNotFound);  // a link
  EXPECT_EQ(archive.Read("linked", "replay.csv").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(archive.Read("r1", "replay.html").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(archive.Read("nope", "replay.csv").status().code(), absl::StatusCode::kNotFound);
  for (const char* name : {"..", "../replays/r1", "/etc", "%2e%2e", ".hidden"}) {
    EXPECT_EQ(archive.Read(name, "replay.csv").status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
  EXPECT_EQ(archive.Read("r1", "../../secret.txt").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(archive.Read("r1", "results").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ReplayReportJson, ReadBackItShowsTheSamePageAsTheOneWritten) {
  const std::vector<ReplayedRequest> rows = WorkedExampleRows();
  const ReplaySummary summary = Summarize(rows);
  absl::StatusOr<ReplayReport> read = ReadReplayJson(ReplayJson(rows, summary, kInfo));
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->results.size(), 2u);
  const ReplayedRequest& row = read->results[0];
  EXPECT_EQ(row.new_credit, D("142.50"));
  EXPECT_EQ(row.delta, D("-112.50"));
  EXPECT_EQ(FormatRelativeChange(row.relative_change), "-44.12%");
  EXPECT_TRUE(row.old_needs_approval);
  EXPECT_FALSE(row.new_needs_approval);
  ASSERT_EQ(row.changed_lines.size(), 2u);
  EXPECT_EQ(row.changed_lines[1].new_credited, D("30"));
  EXPECT_EQ(read->results[1].inputs, ReplayInputs::kRequeryNoEvidence);
  EXPECT_EQ(read->results[1].error, "warehouse: <unavailable> & \"down\"");
  ASSERT_EQ(read->summary.largest.size(), 1u);
  EXPECT_EQ(read->summary.largest[0], 0u);
  EXPECT_EQ(ReplayReportBodyHtml(read->results, read->summary, read->info),
            ReplayReportBodyHtml(rows, summary, kInfo));
  // The page is the self-contained report's body.
  EXPECT_THAT(ReplayHtml(rows, summary, kInfo), HasSubstr(ReplayReportBodyHtml(rows, summary, kInfo)));
}

TEST(ReplayReportJson, AnythingElseIsInvalidArgument) {
  for (const char* json : {"", "[]", "{\"replay\":{}}", "not json",
                           "{\"replay\":{\"policy\":\"\",\"executor\":\"native\",\"requery\":false,\"audit\":"
                           "\"a\",\"generated_at\":\"t\"},\"summary\":{\"requests\":\"two\"}}"}) {
    EXPECT_EQ(ReadReplayJson(json).status().code(), absl::StatusCode::kInvalidArgument) << json;
  }
  const std::vector<ReplayedRequest> rows = WorkedExampleRows();
  std::string json = ReplayJson(rows, Summarize(rows), kInfo);
  json.replace(json.find("\"142.50\""), 8, "\"lots\"");
  absl::StatusOr<ReplayReport> read = ReadReplayJson(json);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("new_credit"));
}

}  // namespace
}  // namespace creditbot
