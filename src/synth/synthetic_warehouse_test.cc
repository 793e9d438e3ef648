// Tests of the synthetic warehouse generator: determinism, test case 1 verbatim, shapes, no clobbering.
#include "synth/synthetic_warehouse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/sqlite_db.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;

using TempDir = ::creditbot::testing::TempDir;

// Every row of every table, in a stable order, hashed (FNV-1a over the text of each cell).
uint64_t Checksum(const std::string& path) {
  absl::StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::OpenMode::kReadOnly);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return 0;
  uint64_t hash = 1469598103934665603ULL;
  auto mix = [&](std::string_view text) {
    for (char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
    hash ^= 0xff;
    hash *= 1099511628211ULL;
  };
  for (const char* table :
       {"accounts", "verify_services", "fraud_guard_settings_history", "geo_permissions_history",
        "provider_costs", "block_rates", "mrr_monthly", "credits_issued", "verification_attempts"}) {
    mix(table);
    absl::StatusOr<Statement> query = db->Prepare(absl::StrCat("SELECT * FROM ", table, " ORDER BY 1, 2, 3"));
    EXPECT_TRUE(query.ok()) << query.status();
    if (!query.ok()) return 0;
    while (true) {
      absl::StatusOr<bool> row = query->Step();
      EXPECT_TRUE(row.ok()) << row.status();
      if (!row.ok() || !*row) break;
      for (int i = 0; i < query->ColumnCount(); ++i)
        mix(query->IsNull(i) ? "\x01NULL" : query->ColumnText(i));
    }
  }
  return hash;
}

std::vector<std::vector<std::string>> Rows(const std::string& path, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  absl::StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::OpenMode::kReadOnly);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return rows;
  absl::StatusOr<Statement> query = db->Prepare(sql);
  EXPECT_TRUE(query.ok()) << query.status() << " in " << sql;
  if (!query.ok()) return rows;
  while (true) {
    absl::StatusOr<bool> row = query->Step();
    EXPECT_TRUE(row.ok()) << row.status();
    if (!row.ok() || !*row) break;
    std::vector<std::string> cells;
    for (int i = 0; i < query->ColumnCount(); ++i)
      cells.push_back(query->IsNull(i) ? "NULL" : query->ColumnText(i));
    rows.push_back(std::move(cells));
  }
  return rows;
}

SynthOptions Options(uint64_t seed, int scale = 1, std::string mcc_table_path = "") {
  SynthOptions options;
  options.seed = seed;
  options.scale = scale;
  options.mcc_table_path = std::move(mcc_table_path);
  return options;
}

int64_t Count(const std::string& path, const std::string& sql) {
  auto rows = Rows(path, sql);
  return rows.empty() ? -1 : std::stoll(rows[0][0]);
}

// One warehouse (seed 42, scale 1) shared by the read-only tests below.
class SyntheticWarehouseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    path_ = new std::string(dir_->File("warehouse.db"));
    const absl::Status status = GenerateSyntheticWarehouse(*path_, SynthOptions{});
    ASSERT_TRUE(status.ok()) << status;
  }
  static void TearDownTestSuite() {
    delete path_;
    delete dir_;
  }
  static TempDir* dir_;
  static std::string* path_;
};
TempDir* SyntheticWarehouseTest::dir_ = nullptr;
std::string* SyntheticWarehouseTest::path_ = nullptr;

TEST_F(SyntheticWarehouseTest, TestCase1AttemptsAggregateExactlyToItsFiveRows) {
  const auto rows = Rows(*path_, R"sql(
      SELECT DATE(created_at), account_sid, service_sid, mcc, to_country,
             COUNT(CASE WHEN block_reason IS NULL THEN 1 END),
             COUNT(CASE WHEN block_reason = 'fraud_guard' THEN 1 END),
             printf('%.2f', ROUND(SUM(price_usd), 5))
      FROM verification_attempts
      WHERE account_sid IN ('ACs1', 'ACs2') AND mcc IN ('400', '436') AND channel = 'sms'
      GROUP BY 1, 2, 3, 4, 5 ORDER BY 2, 1)sql");
  const std::vector<std::vector<std::string>> expected = {
      {"2025-07-01", "ACs1", "VA1", "400", "AZ", "1000", "500", "300.00"},
      {"2025-07-02", "ACs1", "VA1", "400", "AZ", "800", "1200", "240.00"},
      {"2025-07-03", "ACs1", "VA1", "400", "AZ", "300", "1700", "90.00"},
      {"2025-07-02", "ACs2", "VA2", "436", "TJ", "2000", "0", "400.00"},
      {"2025-07-03", "ACs2", "VA2", "436", "TJ", "500", "0", "100.00"},
  };
  EXPECT_EQ(rows, expected);
}

TEST_F(SyntheticWarehouseTest, TestCase1ReferenceDataIsVerbatim) {
  EXPECT_EQ(Rows(*path_,
                 "SELECT account_sid, parent_account_sid FROM accounts WHERE parent_account_sid = 'ACp' "
                 "ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"ACp", "ACp"}, {"ACs1", "ACp"}, {"ACs2", "ACp"}}));
  EXPECT_EQ(Rows(*path_,
                 "SELECT service_sid, protection_mode, effective_from, effective_to "
                 "FROM fraud_guard_settings_history WHERE service_sid IN ('VA1', 'VA2') ORDER BY 1, 3"),
            (std::vector<std::vector<std::string>>{
                {"VA1", "standard", "2025-01-01 00:00:00", "2025-07-03 00:00:00"},
                {"VA1", "max", "2025-07-03 00:00:00", "NULL"},
                {"VA2", "standard", "2025-01-01 00:00:00", "2025-05-01 00:00:00"},
                {"VA2", "off", "2025-05-01 00:00:00", "NULL"}}));
  EXPECT_EQ(Rows(*path_,
                 "SELECT mcc, printf('%.4f', cost_usd_per_sms) FROM provider_costs WHERE mcc IN ('400', "
                 "'436') AND mnc IS NULL AND effective_to IS NULL ORDER BY 1"),
            (std::vector<std::vector<std::string>>{{"400", "0.2400"}, {"436", "0.1500"}}));
  EXPECT_EQ(Rows(*path_,
                 "SELECT mcc, protection_mode, printf('%.2f', block_rate) FROM block_rates "
                 "WHERE mcc IN ('400', '436') ORDER BY 1, 3"),
            (std::vector<std::vector<std::string>>{{"400", "basic", "0.50"},
                                                   {"400", "standard", "0.70"},
                                                   {"400", "max", "0.90"},
                                                   {"436", "basic", "0.40"},
                                                   {"436", "standard", "0.60"},
                                                   {"436", "max", "0.80"}}));
  EXPECT_EQ(Rows(*path_,
                 "SELECT printf('%.2f', mrr_usd) FROM mrr_monthly WHERE parent_account_sid = 'ACp' AND "
                 "month = '2025-07-01'"),
            (std::vector<std::vector<std::string>>{{"250.00"}}));
  EXPECT_EQ(Count(*path_, "SELECT COUNT(*) FROM credits_issued WHERE parent_account_sid = 'ACp'"), 0);
}

TEST_F(SyntheticWarehouseTest, HasRealisticShapesAtScaleOne) {
  const int64_t attempts = Count(*path_, "SELECT COUNT(*) FROM verification_attempts");
  EXPECT_GT(attempts, 50000);
  EXPECT_LT(attempts, 120000);
  EXPECT_EQ(Count(*path_, "SELECT COUNT(DISTINCT attempt_sid) FROM verification_attempts"), attempts);
  EXPECT_EQ(Count(*path_, "SELECT COUNT(*) FROM verification_attempts WHERE length(attempt_sid) <> 34"), 0);
  // Parents with 0–5 subaccounts, 1–3 services per account.
  EXPECT_GE(Count(*path_, "SELECT COUNT(*) FROM accounts WHERE account_sid = parent_account_sid"), 12);
  EXPECT_EQ(Count(*path_,
                  "SELECT COUNT(*) FROM (SELECT parent_account_sid FROM accounts GROUP BY 1 "
                  "HAVING COUNT(*) > 6)"),
            0);
  EXPECT_EQ(Count(*path_,
                  "SELECT COUNT(*) FROM (SELECT account_sid FROM verify_services GROUP BY 1 "
                  "HAVING COUNT(*) > 3)"),
            0);
  // Every mode occurs; some basic services use custom codes; some Geo Permissions allow.
  EXPECT_EQ(Count(*path_, "SELECT COUNT(DISTINCT protection_mode) FROM fraud_guard_settings_history"), 4);
  EXPECT_GT(Count(*path_,
                  "SELECT COUNT(*) FROM fraud_guard_settings_history h JOIN verify_services s USING "
                  "(service_sid) WHERE h.protection_mode = 'basic' AND s.custom_code_enabled = 1"),
            0);
  EXPECT_GT(Count(*path_, "SELECT COUNT(*) FROM geo_permissions_history WHERE permission = 'allow'"), 0);
  // Mode intervals of a service never overlap, and at most one is open.
  EXPECT_EQ(Count(*path_,
                  "SELECT COUNT(*) FROM fraud_guard_settings_history a JOIN fraud_guard_settings_history b "
                  "ON a.service_sid = b.service_sid AND a.effective_from < b.effective_from "
                  "WHERE a.effective_to IS NULL OR a.effective_to > b.effective_from"),
            0);
  // Block rates are monotone basic < standard < max for every MCC.
  EXPECT_EQ(Count(*path_,
                  "SELECT COUNT(*) FROM block_rates b JOIN block_rates s USING (mcc) JOIN block_rates m "
                  "USING (mcc) WHERE b.protection_mode = 'basic' AND s.protection_mode = 'standard' AND "
                  "m.protection_mode = 'max' AND NOT (b.block_rate < s.block_rate AND "
                  "s.block_rate < m.block_rate)"),
            0);
  // Some network-specific costs, blocked attempts are free, money has at most 5 decimals.
  EXPECT_GT(Count(*path_, "SELECT COUNT(*) FROM provider_costs WHERE mnc IS NOT NULL"), 0);
  EXPECT_EQ(
      Count(*path_, "SELECT COUNT(*) FROM verification_attempts WHERE status = 'blocked' AND price_usd <> 0"),
      0);
  EXPECT_GT(Count(*path_, "SELECT COUNT(*) FROM verification_attempts WHERE block_reason = 'fraud_guard'"),
            0);
  EXPECT_GT(
      Count(*path_, "SELECT COUNT(*) FROM verification_attempts WHERE block_reason = 'geo_permissions'"), 0);
  EXPECT_EQ(
      Count(*path_, "SELECT COUNT(*) FROM verification_attempts WHERE ROUND(price_usd, 5) <> price_usd"), 0);
  EXPECT_GT(Count(*path_, "SELECT COUNT(*) FROM credits_issued"), 0);
  EXPECT_GT(Count(*path_, "SELECT COUNT(*) FROM mrr_monthly"), 12);
}

TEST_F(SyntheticWarehouseTest, NamedScenariosHaveTheirModeChanges) {
  EXPECT_EQ(
      Rows(*path_, absl::StrCat("SELECT protection_mode, effective_from FROM fraud_guard_settings_history "
                                "WHERE service_sid = '",
                                std::string(kScenario102ServiceA1), "' ORDER BY 2")),
      (std::vector<std::vector<std::string>>{{"standard", "2024-11-05 08:12:44"},
                                             {"max", "2025-09-04 09:30:00"}}));
  EXPECT_EQ(Rows(*path_, absl::StrCat(
                             "SELECT protection_mode FROM fraud_guard_settings_history WHERE service_sid = '",
                             std::string(kScenario103Service), "' AND effective_to IS NULL")),
            (std::vector<std::vector<std::string>>{{"off"}}));
  EXPECT_EQ(Rows(*path_, absl::StrCat("SELECT iso_country, permission FROM geo_permissions_history WHERE "
                                      "account_sid = '",
                                      std::string(kScenarioExploreParent), "' ORDER BY 1")),
            (std::vector<std::vector<std::string>>{{"LK", "allow"}, {"PK", "monitor"}}));
  // Look 103's service is off, so its pumping traffic is never blocked by Fraud Guard.
  EXPECT_EQ(Count(*path_, absl::StrCat("SELECT COUNT(*) FROM verification_attempts WHERE service_sid = '",
                                       std::string(kScenario103Service),
                                       "' AND to_country = 'BD' AND "
                                       "block_reason IS NOT NULL")),
            0);
}

TEST(SyntheticWarehouse, SameSeedAndScaleGiveIdenticalData) {
  TempDir dir;
  ASSERT_TRUE(GenerateSyntheticWarehouse(dir.File("a.db"), SynthOptions{}).ok());
  ASSERT_TRUE(GenerateSyntheticWarehouse(dir.File("b.db"), SynthOptions{}).ok());
  EXPECT_EQ(Checksum(dir.File("a.db")), Checksum(dir.File("b.db")));
}

TEST(SyntheticWarehouse, OtherSeedChangesTheFleetButNotTheNamedScenarios) {
  TempDir dir;
  ASSERT_TRUE(GenerateSyntheticWarehouse(dir.File("a.db"), Options(42)).ok());
  ASSERT_TRUE(GenerateSyntheticWarehouse(dir.File("b.db"), Options(7)).ok());
  EXPECT_NE(Checksum(dir.File("a.db")), Checksum(dir.File("b.db")));
  const std::string named = absl::StrCat(
      "SELECT attempt_sid, created_at, status, price_usd FROM verification_attempts WHERE account_sid IN "
      "('ACs1', 'ACs2', '",
      std::string(kScenario102SubA), "', '", std::string(kScenario103Parent), "', '",
      std::string(kScenarioExploreParent), "') ORDER BY attempt_sid");
  EXPECT_EQ(Rows(dir.File("a.db"), named), Rows(dir.File("b.db"), named));
}

TEST(SyntheticWarehouse, RefusesToOverwriteAnExistingFile) {
  TempDir dir;
  const std::string path = dir.File("existing.db");
  { std::ofstream(path) << "keep me"; }
  const absl::Status status = GenerateSyntheticWarehouse(path, SynthOptions{});
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr(path));
  std::ifstream in(path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "keep me");
  // No temporary file is left behind.
  int files = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(SyntheticWarehouse, RejectsScaleOutsideRange) {
  TempDir dir;
  EXPECT_EQ(GenerateSyntheticWarehouse(dir.File("w.db"), Options(42, 0)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.File("w.db")));
}

TEST(SyntheticWarehouse, MissingMccTableIsNotFoundAndLeavesNoFile) {
  TempDir dir;
  const absl::Status status =
      GenerateSyntheticWarehouse(dir.File("w.db"), Options(42, 1, dir.File("nope.csv")));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("nope.csv"));
  EXPECT_FALSE(std::filesystem::exists(dir.File("w.db")));
}

TEST(SyntheticWarehouse, MccTableRefinesNetworksButKeepsTheNamedScenarios) {
  TempDir dir;
  // A tiny table in the shape of data/mcc_mnc.csv: quoting, a non-operational and a non-numeric MNC.
  const std::string table = dir.File("mcc_mnc.csv");
  {
    std::ofstream out(table);
    out << "mcc,mnc,mcc_mnc,iso_code,country,brand,operator,status,type\n"
           "434,91,43491,UZ,Uzbekistan,\"Brand, \"\"One\"\"\",Op,Operational,National\n"
           "434,92,43492,UZ,Uzbekistan,,Op,Not operational,National\n"
           "310,990,310990,US,United States,,Op,Operational,National\n"
           "310,?,,US,United States,,Op,Operational,National\n";
  }
  ASSERT_TRUE(GenerateSyntheticWarehouse(dir.File("table.db"), Options(42, 1, table)).ok());
  ASSERT_TRUE(GenerateSyntheticWarehouse(dir.File("builtin.db"), SynthOptions{}).ok());
  EXPECT_EQ(Count(dir.File("table.db"),
                  "SELECT COUNT(*) FROM verification_attempts WHERE mcc = '434' AND mnc NOT "
                  "IN ('91', '05')"),
            0);
  EXPECT_EQ(
      Count(dir.File("table.db"), "SELECT COUNT(*) FROM verification_attempts WHERE mnc IN ('92', '?')"), 0);
  const std::string test_case =
      "SELECT attempt_sid, created_at, mnc, price_usd FROM verification_attempts WHERE "
      "account_sid IN ('ACs1', 'ACs2') ORDER BY attempt_sid";
  EXPECT_EQ(Rows(dir.File("table.db"), test_case), Rows(dir.File("builtin.db"), test_case));
}

TEST(SyntheticWarehouse, ReadsTheShippedMccTable) {
  const std::string table = std::string(CREDITBOT_SOURCE_DIR) + "/data/mcc_mnc.csv";
  ASSERT_TRUE(std::filesystem::exists(table)) << "the repository ships " << table;
  TempDir dir;
  const absl::Status status = GenerateSyntheticWarehouse(dir.File("w.db"), Options(42, 1, table));
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_GT(Count(dir.File("w.db"), "SELECT COUNT(*) FROM verification_attempts"), 50000);
}

}  // namespace
}  // namespace creditbot
