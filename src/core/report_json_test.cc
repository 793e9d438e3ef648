// The result JSON's bytes: every report below is rendered and compared with the bytes the nlohmann-json
// renderer (the one before issue 20's streaming writer) produced for it, checked in under
// tests/fixtures/result_json/ (small reports in full; the large one as its size and SHA-256). So the
// streaming writer is held to the exact bytes of the document it replaced, escapes and indentation included.
#include "core/report_json.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/sha256.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

Decimal D(const char* text) { return Decimal::Parse(text).value(); }

absl::Time Stamp() {
  return absl::FromCivil(absl::CivilSecond(2026, 1, 15, 12, 34, 56), absl::UTCTimeZone());
}

ExecutionMeta SlackMeta() {
  ExecutionMeta meta;
  meta.execution_id = "20260115T123456Z-3f9c";
  meta.timestamp = Stamp();
  meta.source_channel = "C0CREDITREQ";
  meta.source_ts = "1752588191.000100";
  meta.looker_url = "https://looker.example.com/looks/101";
  meta.sql_sha256 = Sha256Hex("SELECT 1");
  meta.dry_run = false;
  return meta;
}

ExecutionMeta CalcFileMeta() {
  ExecutionMeta meta;
  meta.execution_id = "20260115T123456Z-0000";
  meta.timestamp = Stamp();
  meta.sql_file = "s3://bucket/looks/101.sql";
  meta.sql_sha256 = Sha256Hex("SELECT 2");
  return meta;
}

// Shared text of the lines of one cell.
std::shared_ptr<const LineText> Text(std::string account, std::string service, std::string mcc,
                                     std::string mnc, std::string country) {
  return std::make_shared<const LineText>(
      LineText{std::move(account), std::move(service), std::move(mcc), std::move(mnc), std::move(country)});
}

// A line of every treatment in turn, with values of varied precision (whole cents, 12 digits, zero).
CreditLine Line(int i, std::shared_ptr<const LineText> text) {
  CreditLine line;
  line.day = absl::CivilDay(2025, 7, 1) + i % 40;
  line.text = std::move(text);
  line.attempts_sent = 1000 + i;
  line.attempts_blocked = i % 3 == 0 ? 0 : 500 + i;
  line.total_attempts = line.attempts_sent + line.attempts_blocked;
  line.mode = kAllModes[static_cast<size_t>(i % 4)];
  line.mode_mixed_day = i % 5 == 1;
  line.treatment = static_cast<Treatment>(i % 6);
  line.promise_deadline = absl::CivilDay(2025, 8, 31);
  line.charges = Decimal::FromRaw(static_cast<Decimal::Raw>(300'000'000'000'000) + i * 10'000'000'001LL);
  line.unit_charge = D("0.3");
  line.provider_cost = D("0.024");
  line.shortfall = Decimal::FromRaw(static_cast<Decimal::Raw>(i) * 333'333'333'333LL);
  line.eligible = D("60.00");
  line.earned = i % 7 == 0 ? D("0") : D("42.123456789012");
  line.k = D("0.5");
  line.credited = i % 2 == 0 ? D("41.1") : D("0");
  return line;
}

// The worked example's totals (CREDIT_POLICY.md test case 1), with lines of every treatment.
CreditReport Typical(int lines) {
  CreditReport report;
  report.product = "verify";
  report.policy_name = "verify";
  report.policy_version = "1";
  report.policy_sha256 = Sha256Hex("policy");
  report.parent_account_sid = "ACp";
  report.claim_date = absl::CivilDay(2025, 7, 15);
  report.fraud_start = absl::CivilDay(2025, 7, 1);
  report.fraud_end = absl::CivilDay(2025, 7, 3);
  report.fraud_total = D("1130.00");
  report.mrr = D("250.00");
  report.credit_amount = D("255.00");
  report.needs_approval = true;
  report.fraud_guard_mode = Mode::kStandard;
  for (Mode mode : kAllModes) {
    ModeBreakdown& df = report.output_df[ModeIndex(mode)];
    df.mode = mode;
    df.fraud_charges_in_mode = D("540.00");
    df.credit_in_mode = mode == Mode::kStandard ? D("225.000000000001") : D("0");
    df.expected_blocked_if_mode = D("2050.5");
    df.credit_if_mode = D("465.00");
  }
  std::shared_ptr<const LineText> first = Text("ACs1", "VA1", "400", "", "AZ");
  std::shared_ptr<const LineText> second = Text("ACs2", "VA2", "436", "01", "TJ");
  for (int i = 0; i < lines; ++i) report.lines.push_back(Line(i, i % 3 == 2 ? second : first));
  CreditSummary& s = report.summary;
  s.promise = D("30.00");
  s.goodwill_raw = D("225.00");
  s.goodwill_cap = D("432.00");
  s.goodwill = D("225.00");
  s.raw = D("255.00");
  s.approval_threshold = D("250.00");
  s.repeat_factor = D("1");
  s.rows = lines;
  s.accounts = {"ACs1", "ACs2"};
  s.min_credit = D("5.00");
  s.auto_approve_limit = D("1000.00");
  s.approval_mrr_multiple = D("1.0");
  s.repeat_window_days = 90;
  return report;
}

// Nothing credited: null optionals, no lines of text, no warnings, the cap binding, a halved repeat.
CreditReport Empty() {
  CreditReport report = Typical(0);
  report.account_sid.reset();
  report.fraud_start.reset();
  report.fraud_end.reset();
  report.mrr.reset();
  report.credit_amount = D("0");
  report.needs_approval = false;
  report.reason = "no_shortfall";
  report.summary.accounts.clear();
  report.summary.cap_binds = true;
  report.summary.repeat_factor = D("0.5");
  report.lines.push_back(Line(3, nullptr));  // a line without text reads as ""
  return report;
}

// Text that JSON must escape, and text it must pass through: quotes, backslashes, every kind of control
// character, DEL, and multi-byte UTF-8 (Latin, CJK, an emoji outside the BMP).
CreditReport Escapes() {
  CreditReport report = Typical(7);
  report.account_sid = "AC\"quoted\"\\back";
  report.parent_account_sid = "ACparent\x7f";
  static constexpr char kControl[] = "nul \0 one \x01 unit \x1f end";
  report.warnings = {"tab\there, newline\nthere, cr\r, bs\b, ff\f",
                     std::string(kControl, sizeof(kControl) - 1), "Zürich — 東京 — 😀", ""};
  report.summary.duplicates_merged = 3;
  report.summary.accounts = {"AC€", "AC漢字"};
  std::shared_ptr<const LineText> odd = Text("AC\"1\"", "VA\\1", "4\n0", "\x1b[0m", "É");
  for (CreditLine& line : report.lines) line.text = odd;
  report.policy_name = "vérify / ≥ 1";
  report.reason = "below_minimum";
  return report;
}

// Extreme values: 10^14 attempts, the largest and negative decimals, 12-digit fractions.
CreditReport Extremes() {
  CreditReport report = Typical(2);
  report.lines[0].attempts_sent = 99'999'999'999'999;
  report.lines[0].total_attempts = 99'999'999'999'999;
  report.lines[1].charges = Decimal::FromRaw(-1);
  report.lines[1].shortfall = Decimal::FromRaw((static_cast<Decimal::Raw>(1) << 100) + 7);
  report.fraud_total = Decimal::FromRaw(123'456'789'012'345);
  report.credit_amount = D("-0.01");
  report.summary.rows = -1;
  report.summary.repeat_window_days = 0;
  return report;
}

std::string Expected(const std::string& name) {
  return testing::ReadFixture(absl::StrCat("result_json/", name));
}

TEST(ResultJson, TypicalReportHasTheDocumentedBytes) {
  EXPECT_EQ(RenderResultJson(Typical(12), SlackMeta()), Expected("typical.json"));
}

TEST(ResultJson, EmptyReportHasTheDocumentedBytes) {
  EXPECT_EQ(RenderResultJson(Empty(), CalcFileMeta()), Expected("empty.json"));
}

TEST(ResultJson, EscapesTextAsBefore) {
  EXPECT_EQ(RenderResultJson(Escapes(), SlackMeta()), Expected("escapes.json"));
}

TEST(ResultJson, ExtremeValuesAsBefore) {
  EXPECT_EQ(RenderResultJson(Extremes(), CalcFileMeta()), Expected("extremes.json"));
}

TEST(ResultJson, LargeReportHasTheSameSizeAndDigest) {
  const std::string json = RenderResultJson(Typical(20'000), SlackMeta());
  std::vector<std::string> expected =
      absl::StrSplit(Expected("large_20000_lines.digest"), absl::ByAnyChar(" \n"), absl::SkipWhitespace());
  ASSERT_EQ(expected.size(), 2u);
  EXPECT_EQ(std::to_string(json.size()), expected[0]);
  EXPECT_EQ(Sha256Hex(json), expected[1]);
}

TEST(ResultJson, InvalidUtf8BecomesReplacementCharacters) {
  // nlohmann threw on these; each byte outside a valid UTF-8 sequence is now U+FFFD (EF BF BD), and the
  // valid sequence around them is kept: "é" (C3 A9) stays, a lone continuation byte, a truncated lead
  // byte, an overlong "/" (C0 AF) and a surrogate (ED A0 80) do not.
  CreditReport report = Typical(0);
  report.parent_account_sid = "AC\xC3\xA9\x80\xE2\x82|\xC0\xAF|\xED\xA0\x80";
  const std::string json = RenderResultJson(report, SlackMeta());
  const std::string kBad = "\xEF\xBF\xBD";
  EXPECT_NE(json.find("\"parent_account_sid\": \"AC\xC3\xA9" + kBad + kBad + kBad + "|" + kBad + kBad + "|" +
                      kBad + kBad + kBad + "\""),
            std::string::npos)
      << json.substr(0, 400);
}

TEST(ResultJson, WrittenToAFileAsRendered) {
  const CreditReport report = Typical(3000);  // several 64 KiB chunks
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  ASSERT_TRUE(WriteResultJson(report, SlackMeta(), file).ok());
  std::rewind(file);
  std::string written;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, file)) > 0;) written.append(buffer, n);
  std::fclose(file);
  EXPECT_GT(written.size(), size_t{3} << 16);
  EXPECT_EQ(written, RenderResultJson(report, SlackMeta()));
}

TEST(ResultJson, AWriteErrorIsReported) {
  std::FILE* full = std::fopen("/dev/full", "w");
  if (full == nullptr) GTEST_SKIP() << "no /dev/full";
  const absl::Status status = WriteResultJson(Typical(100), SlackMeta(), full);
  std::fclose(full);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "writing the result JSON: No space left on device");
}

}  // namespace
}  // namespace creditbot
