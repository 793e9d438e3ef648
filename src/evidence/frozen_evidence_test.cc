// Tests of the frozen evidence artifact (evidence.json.gz): every field round-trips exactly, the hash in the
// gzip header is checked, and damaged or foreign bytes are refused with the error the header promises.
#include "evidence/frozen_evidence.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "common/gzip.h"
#include "common/sha256.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;

Decimal D(const char* text) { return *Decimal::Parse(text); }

FrozenEvidence Sample() {
  FrozenEvidence frozen;
  frozen.sql = "SELECT * FROM fraud WHERE note = 'it''s' -- authy";
  Evidence& e = frozen.evidence;
  e.claim_date = absl::CivilDay(2025, 7, 15);
  e.report.columns = {"day", "account_sid", "mcc", "attempts_sent", "fraud_charges_usd"};
  e.report.has_service_column = false;
  e.report.has_blocked_column = true;
  FraudRow row;
  row.day = absl::CivilDay(2025, 7, 1);
  row.account_sid = "ACs1";
  row.mcc = "400";
  row.country = "AZ";
  row.attempts_sent = 1000;
  row.attempts_blocked = 7;
  row.fraud_charges = D("300.010000000001");
  e.report.rows.push_back(row);
  row.mnc = "01";
  row.day = absl::CivilDay(2025, 7, 2);
  e.report.rows.push_back(row);
  e.accounts = {{"ACs1", "ACp", "active"}};
  e.services = {{"VA1", "ACs1", true}};
  e.modes = {
      {"VA1", "ACs1", Mode::kStandard, absl::FromUnixMicros(1751328000123456), std::nullopt},
      {"VA1", "ACs1", Mode::kOff, absl::FromUnixSeconds(1700000000), absl::FromUnixSeconds(1751328000)}};
  e.geo_permissions = {{"ACs1", "AZ", "allow", absl::FromUnixSeconds(1700000000), std::nullopt}};
  e.costs = {{"400", "", D("0.024"), absl::CivilDay(2025, 1, 1), absl::CivilDay(2026, 1, 1)}};
  e.block_rates = {{Mode::kMax, "400", D("0.9")}};
  e.mrr = D("250.00");
  e.mrr_month = absl::CivilMonth(2025, 7);
  e.prior_credits = {{absl::CivilDay(2025, 3, 1), "approved", D("12.5"), "Verify"}};
  EarlierCredits earlier;
  earlier.request_key = "C1:1752588191.000100";
  earlier.product = "verify";
  earlier.dry_run = true;
  EarlierEntry entry;
  entry.execution_id = "20250701T000000Z-abcd";
  entry.request_key = "C1:1751000000.000100";
  entry.holds_cells = true;
  entry.credited_on = absl::CivilDay(2025, 7, 3);
  entry.final_amount = D("41.10");
  entry.cells = {{{absl::CivilDay(2025, 6, 30), "ACs1", "", "400", ""}, D("41.10")}};
  earlier.entries.push_back(entry);
  frozen.earlier_credits = earlier;
  return frozen;
}

TEST(FrozenEvidence, EveryFieldRoundTripsExactly) {
  const FrozenEvidence original = Sample();
  std::string written_hash;
  absl::StatusOr<std::string> bytes = EncodeFrozenEvidence(original, &written_hash);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  std::string read_hash;
  absl::StatusOr<FrozenEvidence> read = DecodeFrozenEvidence(*bytes, &read_hash);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read_hash, written_hash);
  EXPECT_EQ(read->sql, original.sql);
  const Evidence& e = read->evidence;
  EXPECT_EQ(e.claim_date, absl::CivilDay(2025, 7, 15));
  EXPECT_EQ(e.report.columns, original.evidence.report.columns);
  EXPECT_FALSE(e.report.has_service_column);
  ASSERT_EQ(e.report.rows.size(), 2u);
  EXPECT_EQ(e.report.rows[1].day, absl::CivilDay(2025, 7, 2));
  EXPECT_EQ(e.report.rows[1].mnc, "01");
  EXPECT_EQ(e.report.rows[0].mnc, "");
  EXPECT_EQ(e.report.rows[0].country, "AZ");
  EXPECT_EQ(e.report.rows[0].attempts_blocked, 7);
  EXPECT_EQ(e.report.rows[0].fraud_charges, D("300.010000000001"));
  ASSERT_EQ(e.modes.size(), 2u);
  EXPECT_EQ(e.modes[0].from, absl::FromUnixMicros(1751328000123456));  // microseconds kept
  EXPECT_FALSE(e.modes[0].to.has_value());
  EXPECT_EQ(e.modes[1].mode, Mode::kOff);
  EXPECT_EQ(e.modes[1].to, absl::FromUnixSeconds(1751328000));
  EXPECT_TRUE(e.services[0].custom_code_enabled);
  EXPECT_EQ(e.geo_permissions[0].permission, "allow");
  EXPECT_EQ(e.costs[0].to, absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(e.block_rates[0].rate, D("0.9"));
  EXPECT_EQ(e.mrr, D("250"));
  EXPECT_EQ(e.mrr_month, absl::CivilMonth(2025, 7));
  EXPECT_EQ(e.prior_credits[0].product, "Verify");
  ASSERT_TRUE(read->earlier_credits.has_value());
  EXPECT_TRUE(read->earlier_credits->dry_run);
  ASSERT_EQ(read->earlier_credits->entries.size(), 1u);
  EXPECT_EQ(read->earlier_credits->entries[0].credited_on, absl::CivilDay(2025, 7, 3));
  EXPECT_EQ(read->earlier_credits->entries[0].cells[0].cell.day, absl::CivilDay(2025, 6, 30));
  // Written again, the same bytes: the JSON is canonical and gzip's header time is 0.
  EXPECT_EQ(*EncodeFrozenEvidence(*read), *bytes);
}

TEST(FrozenEvidence, TheGzipCommentStatesTheContentsHash) {
  std::string hash;
  const std::string bytes = *EncodeFrozenEvidence(Sample(), &hash);
  absl::StatusOr<GunzipResult> raw = GzipDecompress(bytes, 1 << 20);
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(raw->comment, "creditbot-evidence v1 sha256=" + Sha256Hex(raw->content));
  EXPECT_EQ(hash, Sha256Hex(raw->content));
  EXPECT_THAT(raw->content, ::testing::StartsWith(R"({"format":"creditbot-evidence","version":1,"sql":)"));
}

TEST(FrozenEvidence, AlteredContentIsRefusedByItsHash) {
  const std::string bytes = *EncodeFrozenEvidence(Sample());
  GunzipResult raw = *GzipDecompress(bytes, 1 << 20);
  std::string altered = raw.content;
  altered.replace(altered.find("300.010000000001"), 16, "900.010000000001");
  absl::StatusOr<FrozenEvidence> read = DecodeFrozenEvidence(*GzipCompress(altered, raw.comment));
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("corrupt or altered"));
  absl::StatusOr<FrozenEvidence> no_hash = DecodeFrozenEvidence(*GzipCompress(raw.content, "hello"));
  EXPECT_THAT(no_hash.status().message(), HasSubstr("no sha256="));
}

TEST(FrozenEvidence, BytesThatAreNotGzipOrTruncatedAreInvalid) {
  const std::string bytes = *EncodeFrozenEvidence(Sample());
  for (const std::string& bad :
       {std::string("{\"format\":1}"), bytes.substr(0, bytes.size() / 2), std::string(), bytes + "x"}) {
    absl::StatusOr<FrozenEvidence> read = DecodeFrozenEvidence(bad);
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument) << read.status();
  }
}

TEST(FrozenEvidence, AnotherVersionIsAFailedPreconditionNamingIt) {
  std::string json = FrozenEvidenceJson(Sample());
  json.replace(json.find("\"version\":1"), 11, "\"version\":2");
  absl::StatusOr<FrozenEvidence> read = ParseFrozenEvidenceJson(json);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(read.status().message(), HasSubstr("format version 2"));
}

TEST(FrozenEvidence, AMemberOfTheWrongTypeIsNamed) {
  std::string json = FrozenEvidenceJson(Sample());
  const std::string account = R"(["ACs1","ACp","active"])";
  json.replace(json.find(account), account.size(), R"(["ACs1","ACp",7])");
  absl::StatusOr<FrozenEvidence> read = ParseFrozenEvidenceJson(json);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(read.status().message(), HasSubstr("accounts[0]: not a string"));
}

TEST(Gzip, AContentLargerThanTheLimitIsRefusedWhileInflating) {
  const std::string big(1 << 20, 'a');
  absl::StatusOr<GunzipResult> read = GzipDecompress(*GzipCompress(big), 1000);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(GzipDecompress(*GzipCompress(big), big.size())->content, big);
  EXPECT_EQ(GzipDecompress(*GzipCompress(""), 0)->content, "");
}

}  // namespace
}  // namespace creditbot
