// Tests of the replay's comparison and report: relative changes, the 1% rule, the summary's largest changes,
// line pairing by cell, and the CSV's quoting. Every expected value is worked out by hand.
#include "replay/replay_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "replay/replayer.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;

Decimal D(const char* text) { return *Decimal::Parse(text); }

ReplayedRequest Row(const char* id, const char* old_credit, const char* new_credit) {
  ReplayedRequest row;
  row.execution_id = id;
  RecordedResult before, after;
  before.credit_amount = D(old_credit);
  after.credit_amount = D(new_credit);
  CompareResults(before, "{}", after, "{}", row);
  return row;
}

TEST(ReplayReport, RelativeChangeIsDeltaOverTheOldCreditInPercentWithTwoPlaces) {
  const ReplayedRequest row = Row("e1", "255.00", "142.50");
  EXPECT_EQ(row.delta, D("-112.50"));
  EXPECT_EQ(FormatRelativeChange(row.relative_change), "-44.12%");  // -112.50 / 255.00 = -0.441176…
  EXPECT_TRUE(row.differs_over_one_percent());
  // 100.00 → 100.99: +0.99%, not more than 1%; → 101.01: +1.01%.
  EXPECT_FALSE(Row("e2", "100.00", "100.99").differs_over_one_percent());
  EXPECT_TRUE(Row("e3", "100.00", "101.01").differs_over_one_percent());
  // From zero: no relative change, and it counts as more than 1%.
  const ReplayedRequest from_zero = Row("e4", "0.00", "5.00");
  EXPECT_EQ(FormatRelativeChange(from_zero.relative_change), "");
  EXPECT_TRUE(from_zero.differs_over_one_percent());
  EXPECT_TRUE(Row("e5", "7.00", "7.00").identical);  // same bytes ("{}")
}

TEST(ReplayReport, LinesArePairedByCellAndOnlyChangesAreListed) {
  RecordedResult before, after;
  before.lines = {{"2025-07-01", "AC1", "VA1", "400", "", "goodwill", D("165")},
                  {"2025-07-02", "AC1", "VA1", "400", "", "promise", D("30")},
                  {"2025-07-03", "AC2", "VA2", "436", "01", "off", D("0")}};
  // Reordered, one credit changed, one line gone, one new.
  after.lines = {{"2025-07-02", "AC1", "VA1", "400", "", "promise", D("30")},
                 {"2025-07-01", "AC1", "VA1", "400", "", "goodwill", D("82.5")},
                 {"2025-07-04", "AC1", "VA1", "400", "", "goodwill", D("1")}};
  ReplayedRequest row;
  CompareResults(before, "a", after, "b", row);
  ASSERT_EQ(row.changed_lines.size(), 3u);
  EXPECT_EQ(row.changed_lines[0].cell, "2025-07-01 AC1 VA1 400 ");
  EXPECT_EQ(row.changed_lines[0].new_credited, D("82.5"));
  EXPECT_EQ(row.changed_lines[1].cell, "2025-07-04 AC1 VA1 400 ");
  EXPECT_EQ(row.changed_lines[1].old_treatment, "");  // new line
  EXPECT_EQ(row.changed_lines[2].cell, "2025-07-03 AC2 VA2 436 01");
  EXPECT_EQ(row.changed_lines[2].new_treatment, "");  // gone
  EXPECT_TRUE(row.changed());
  EXPECT_FALSE(row.identical);
}

TEST(ReplayReport, LinesAreNotComparedWhenOneSideHasNone) {
  // An executor that gives only the amount (the analysts' notebook): its result has no lines. Listing every
  // recorded line as gone would say the lines changed; they were not compared.
  RecordedResult with_lines, amount_only;
  with_lines.credit_amount = D("255");
  with_lines.lines = {{"2025-07-01", "AC1", "VA1", "400", "", "goodwill", D("165")},
                      {"2025-07-02", "AC1", "VA1", "400", "", "promise", D("90")}};
  amount_only.credit_amount = D("255");
  ReplayedRequest to_notebook;
  to_notebook.execution_id = "e1";
  CompareResults(with_lines, "a", amount_only, "b", to_notebook);
  EXPECT_TRUE(to_notebook.changed_lines.empty());
  EXPECT_EQ(to_notebook.lines_not_compared, "lines not compared: the new result has none");
  EXPECT_FALSE(to_notebook.changed());  // same credit, same approval; the lines are unknown, not changed
  ReplayedRequest from_notebook;
  CompareResults(amount_only, "b", with_lines, "a", from_notebook);
  EXPECT_TRUE(from_notebook.changed_lines.empty());
  EXPECT_EQ(from_notebook.lines_not_compared, "lines not compared: the recorded result has none");
  // Both without lines: nothing to compare, nothing to say.
  ReplayedRequest neither;
  neither.execution_id = "e3";
  CompareResults(amount_only, "b", amount_only, "b", neither);
  EXPECT_EQ(neither.lines_not_compared, "");

  // Every form of the report says so.
  EXPECT_THAT(ReplayCsv({to_notebook}), HasSubstr(",false,lines not compared: the new result has none,\r\n"));
  const ReplayRunInfo info{"p.toml", "notebook", false, "a", "t"};
  EXPECT_THAT(ReplayHtml({to_notebook}, Summarize({to_notebook}), info),
              HasSubstr("lines not compared: the new result has none</td></tr>"));
  absl::StatusOr<ReplayReport> read =
      ReadReplayJson(ReplayJson({to_notebook, neither}, Summarize({to_notebook, neither}), info));
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->results.size(), 2u);
  EXPECT_EQ(read->results[0].lines_not_compared, "lines not compared: the new result has none");
  EXPECT_EQ(read->results[1].lines_not_compared, "");
}

TEST(ReplayReport, SummaryCountsAndLargestChangesByMagnitude) {
  std::vector<ReplayedRequest> rows = {Row("a", "100.00", "90.00"), Row("b", "50.00", "80.00"),
                                       Row("c", "10.00", "10.00"), Row("d", "10.00", "10.05")};
  ReplayedRequest failed;
  failed.execution_id = "e";
  failed.error = "evidence: corrupt";
  rows.push_back(failed);
  const ReplaySummary summary = Summarize(rows);
  EXPECT_EQ(summary.requests, 5u);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.changed, 3u);              // a, b, d
  EXPECT_EQ(summary.over_one_percent, 2u);     // a -10%, b +60%; d +0.5%
  EXPECT_EQ(summary.total_delta, D("20.05"));  // -10 + 30 + 0 + 0.05
  ASSERT_EQ(summary.largest.size(), 3u);
  EXPECT_EQ(rows[summary.largest[0]].execution_id, "b");  // |30.00|
  EXPECT_EQ(rows[summary.largest[1]].execution_id, "a");  // |-10.00|
  EXPECT_EQ(rows[summary.largest[2]].execution_id, "d");
}

TEST(ReplayReport, CsvQuotesFieldsWithCommasQuotesAndNewlines) {
  ReplayedRequest row = Row("e1", "1.00", "2.00");
  row.request_key = "C1:1.2";
  row.changed_lines.push_back({"2025-07-01 AC1 VA1 400 ", "goodwill", "goodwill", D("1"), D("2")});
  ReplayedRequest failed;
  failed.execution_id = "e2";
  failed.error = "a \"bad\", file\nsecond line";
  const std::string csv = ReplayCsv({row, failed});
  EXPECT_THAT(csv, HasSubstr("\r\ne1,C1:1.2,,frozen,,,,1.00,2.00,1.00,100.00%,false,false,true,"
                             "2025-07-01 AC1 VA1 400 : goodwill 1.00 -> goodwill 2.00,\r\n"));
  EXPECT_THAT(csv, HasSubstr("\r\ne2,,,frozen,,,,0.00,,,,false,,,,\"a \"\"bad\"\", file\nsecond line\"\r\n"));
}

TEST(ReplayReport, HtmlEscapesTextAndChartsOnlyChangedCredits) {
  ReplayedRequest row = Row("<e1>", "1.00", "2.00");
  const std::string html =
      ReplayHtml({row}, Summarize({row}), ReplayRunInfo{"p&q.toml", "native", false, "a", "t"});
  EXPECT_THAT(html, HasSubstr("&lt;e1&gt;"));
  EXPECT_THAT(html, HasSubstr("p&amp;q.toml"));
  EXPECT_THAT(html, HasSubstr("<svg class=\"chart\""));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("<script")));
}

}  // namespace
}  // namespace creditbot
