// Tests of the evidence loader on a generated synthetic warehouse and the sample looks, plus its helpers
// (placeholder expansion, timestamp parsing).
#include "evidence/evidence_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
#include "synth/synthetic_warehouse.h"
#include "tests/test_support.h"
#include "warehouse/sqlite_warehouse.h"

namespace creditbot {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using TempDir = ::creditbot::testing::TempDir;

Decimal D(std::string_view text) { return *Decimal::Parse(text); }
absl::Time T(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

std::string Look(const std::string& name) {
  absl::StatusOr<std::string> sql =
      ReadFileToString(absl::StrCat(CREDITBOT_SOURCE_DIR, "/data/sample/looks/", name, ".sql"));
  EXPECT_TRUE(sql.ok()) << sql.status();
  return sql.ok() ? *sql : "";
}

// One generated warehouse (seed 42, scale 1) for every test of the suite.
class EvidenceLoaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string path = dir_->File("warehouse.db");
    const absl::Status status = GenerateSyntheticWarehouse(path, SynthOptions{});
    ASSERT_TRUE(status.ok()) << status;
    absl::StatusOr<std::unique_ptr<SqliteWarehouse>> warehouse = SqliteWarehouse::Open(path);
    ASSERT_TRUE(warehouse.ok()) << warehouse.status();
    warehouse_ = warehouse->release();
  }
  static void TearDownTestSuite() {
    delete warehouse_;
    delete dir_;
  }

  absl::StatusOr<Evidence> Load(const std::string& sql, absl::CivilDay claim,
                                const std::string& sql_dir = "") {
    EvidenceLoader loader(*warehouse_, policy_);
    return loader.Load(EvidenceRequest{sql, claim, sql_dir});
  }

  static TempDir* dir_;
  static SqliteWarehouse* warehouse_;
  CreditPolicy policy_;
};
TempDir* EvidenceLoaderTest::dir_ = nullptr;
SqliteWarehouse* EvidenceLoaderTest::warehouse_ = nullptr;

TEST_F(EvidenceLoaderTest, Look101HoldsExactlyTestCase1) {
  absl::StatusOr<Evidence> evidence = Load(Look("101"), absl::CivilDay(2025, 7, 15));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->claim_date, absl::CivilDay(2025, 7, 15));

  const FraudReport& report = evidence->report;
  EXPECT_TRUE(report.has_service_column);
  EXPECT_TRUE(report.has_blocked_column);
  EXPECT_EQ(report.columns.size(), 9u);
  struct Expected {
    absl::CivilDay day;
    const char *account, *service, *mcc, *country;
    int64_t sent, blocked;
    const char* charges;
  };
  const Expected expected[] = {
      {absl::CivilDay(2025, 7, 1), "ACs1", "VA1", "400", "AZ", 1000, 500, "300.00"},
      {absl::CivilDay(2025, 7, 2), "ACs1", "VA1", "400", "AZ", 800, 1200, "240.00"},
      {absl::CivilDay(2025, 7, 2), "ACs2", "VA2", "436", "TJ", 2000, 0, "400.00"},
      {absl::CivilDay(2025, 7, 3), "ACs1", "VA1", "400", "AZ", 300, 1700, "90.00"},
      {absl::CivilDay(2025, 7, 3), "ACs2", "VA2", "436", "TJ", 500, 0, "100.00"},
  };
  ASSERT_EQ(report.rows.size(), std::size(expected));
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    SCOPED_TRACE(i);
    const FraudRow& row = report.rows[i];
    EXPECT_EQ(row.day, expected[i].day);
    EXPECT_EQ(row.account_sid, expected[i].account);
    EXPECT_EQ(row.service_sid, expected[i].service);
    EXPECT_EQ(row.mcc, expected[i].mcc);
    EXPECT_EQ(row.country, expected[i].country);
    EXPECT_EQ(row.attempts_sent, expected[i].sent);
    EXPECT_EQ(row.attempts_blocked, expected[i].blocked);
    EXPECT_EQ(row.fraud_charges, D(expected[i].charges));
  }

  ASSERT_EQ(evidence->accounts.size(), 2u);
  EXPECT_EQ(evidence->accounts[0].account_sid, "ACs1");
  EXPECT_EQ(evidence->accounts[0].parent_account_sid, "ACp");
  EXPECT_EQ(evidence->accounts[1].account_sid, "ACs2");
  EXPECT_EQ(evidence->accounts[1].parent_account_sid, "ACp");
  EXPECT_EQ(evidence->accounts[1].status, "active");

  ASSERT_EQ(evidence->services.size(), 2u);
  EXPECT_EQ(evidence->services[0].service_sid, "VA1");
  EXPECT_EQ(evidence->services[0].account_sid, "ACs1");
  EXPECT_FALSE(evidence->services[0].custom_code_enabled);

  ASSERT_EQ(evidence->modes.size(), 3u);  // VA2's standard interval ended before the report's window
  EXPECT_EQ(evidence->modes[0].service_sid, "VA1");
  EXPECT_EQ(evidence->modes[0].mode, Mode::kStandard);
  EXPECT_EQ(evidence->modes[0].from, T(2025, 1, 1));
  EXPECT_EQ(evidence->modes[0].to, T(2025, 7, 3));
  EXPECT_EQ(evidence->modes[1].service_sid, "VA1");
  EXPECT_EQ(evidence->modes[1].mode, Mode::kMax);
  EXPECT_EQ(evidence->modes[1].from, T(2025, 7, 3));
  EXPECT_EQ(evidence->modes[1].to, std::nullopt);
  EXPECT_EQ(evidence->modes[2].service_sid, "VA2");
  EXPECT_EQ(evidence->modes[2].account_sid, "ACs2");
  EXPECT_EQ(evidence->modes[2].mode, Mode::kOff);
  EXPECT_EQ(evidence->modes[2].from, T(2025, 5, 1));
  EXPECT_EQ(evidence->modes[2].to, std::nullopt);

  ASSERT_EQ(evidence->costs.size(), 2u);  // 400's 2024 cost ended before the window
  EXPECT_EQ(evidence->costs[0].mcc, "400");
  EXPECT_EQ(evidence->costs[0].mnc, "");
  EXPECT_EQ(evidence->costs[0].cost_usd_per_sms, D("0.24"));
  EXPECT_EQ(evidence->costs[0].from, absl::CivilDay(2025, 1, 1));
  EXPECT_EQ(evidence->costs[0].to, std::nullopt);
  EXPECT_EQ(evidence->costs[1].mcc, "436");
  EXPECT_EQ(evidence->costs[1].cost_usd_per_sms, D("0.15"));

  ASSERT_EQ(evidence->block_rates.size(), 6u);
  std::vector<std::string> rates;
  for (const BlockRate& rate : evidence->block_rates) {
    rates.push_back(
        absl::StrCat(rate.mcc, " ", std::string(ModeName(rate.mode)), " ", rate.rate.ToString(2)));
  }
  EXPECT_THAT(rates, ::testing::UnorderedElementsAre("400 basic 0.50", "400 standard 0.70", "400 max 0.90",
                                                     "436 basic 0.40", "436 standard 0.60", "436 max 0.80"));

  ASSERT_TRUE(evidence->mrr.has_value());
  EXPECT_EQ(*evidence->mrr, D("250.00"));
  EXPECT_EQ(evidence->mrr_month, absl::CivilMonth(2025, 7));
  EXPECT_TRUE(evidence->prior_credits.empty());

  // Geo Permissions of the accounts (none concerns AZ or TJ).
  ASSERT_EQ(evidence->geo_permissions.size(), 2u);
  EXPECT_EQ(evidence->geo_permissions[0].account_sid, "ACs1");
  EXPECT_EQ(evidence->geo_permissions[0].iso_country, "NG");
  EXPECT_EQ(evidence->geo_permissions[0].permission, "monitor");
  EXPECT_EQ(evidence->geo_permissions[1].iso_country, "SO");
  EXPECT_EQ(evidence->geo_permissions[1].permission, "disable");
  EXPECT_EQ(evidence->geo_permissions[1].from, T(2025, 2, 1, 9, 15));
}

TEST_F(EvidenceLoaderTest, Look102SpansSubaccountsOfOneParent) {
  absl::StatusOr<Evidence> evidence = Load(Look("102"), absl::CivilDay(2025, 9, 20));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  ASSERT_FALSE(evidence->report.rows.empty());
  EXPECT_EQ(evidence->report.rows.front().day, absl::CivilDay(2025, 8, 25));
  EXPECT_EQ(evidence->report.rows.back().day, absl::CivilDay(2025, 9, 14));
  ASSERT_EQ(evidence->accounts.size(), 2u);
  for (const AccountInfo& account : evidence->accounts) {
    EXPECT_EQ(account.parent_account_sid, kScenario102Parent);
  }
  // Services of the report's services and of their accounts (A2 belongs to the attacked subaccount).
  EXPECT_EQ(evidence->services.size(), 3u);
  bool saw_mid_attack_change = false;
  for (const ModeInterval& interval : evidence->modes) {
    if (interval.service_sid == kScenario102ServiceA1 && interval.mode == Mode::kMax) {
      saw_mid_attack_change = interval.from == T(2025, 9, 4, 9, 30);
    }
  }
  EXPECT_TRUE(saw_mid_attack_change);
  std::vector<std::string> costs;
  for (const ProviderCost& cost : evidence->costs) {
    costs.push_back(absl::StrCat(cost.mcc, "/", cost.mnc, " ", cost.cost_usd_per_sms.ToString(4)));
  }
  EXPECT_THAT(costs, ElementsAre("434/ 0.2000", "434/05 0.2150", "437/ 0.1400"));
  EXPECT_EQ(evidence->mrr, D("1850.00"));
  EXPECT_EQ(evidence->mrr_month, absl::CivilMonth(2025, 9));
  // Every product's credits with their product (the engine keeps Verify's, case-insensitively): the
  // rejected Verify one (the engine ignores its status) and the issued Messaging ("psms") one.
  ASSERT_EQ(evidence->prior_credits.size(), 2u);
  EXPECT_EQ(evidence->prior_credits[0].status, "rejected");
  EXPECT_EQ(evidence->prior_credits[0].product, "verify");
  EXPECT_EQ(evidence->prior_credits[0].created, absl::CivilDay(2025, 2, 11));
  EXPECT_EQ(evidence->prior_credits[0].amount, D("640"));
  EXPECT_EQ(evidence->prior_credits[1].status, "issued");
  EXPECT_EQ(evidence->prior_credits[1].product, "psms");
}

TEST_F(EvidenceLoaderTest, Look103TakesTheLatestEarlierMrrMonth) {
  absl::StatusOr<Evidence> evidence = Load(Look("103"), absl::CivilDay(2025, 8, 12));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  ASSERT_EQ(evidence->report.rows.size(), 7u);
  for (const FraudRow& row : evidence->report.rows) EXPECT_EQ(row.attempts_blocked, 0);
  ASSERT_EQ(evidence->modes.size(), 1u);
  EXPECT_EQ(evidence->modes[0].mode, Mode::kOff);
  EXPECT_EQ(evidence->mrr, D("95.00"));
  EXPECT_EQ(evidence->mrr_month, absl::CivilMonth(2025, 7));
}

TEST_F(EvidenceLoaderTest, ExploreLookHasNoMncAndAnAllowedCountry) {
  absl::StatusOr<Evidence> evidence = Load(Look("query-Xq4Lm2Vt8RzK0pNa7bWc3d"), absl::CivilDay(2025, 10, 3));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  ASSERT_EQ(evidence->report.rows.size(), 24u);
  for (const FraudRow& row : evidence->report.rows) EXPECT_EQ(row.mnc, "");
  std::vector<std::string> geo;
  for (const GeoPermissionInterval& g : evidence->geo_permissions) {
    geo.push_back(absl::StrCat(g.iso_country, " ", g.permission));
  }
  EXPECT_THAT(geo, ElementsAre("LK allow", "PK monitor"));
  ASSERT_EQ(evidence->modes.size(), 1u);  // the standard interval ended before the report's window
  EXPECT_EQ(evidence->modes[0].mode, Mode::kBasic);
  EXPECT_EQ(evidence->modes[0].from, T(2025, 6, 1));
  ASSERT_EQ(evidence->services.size(), 2u);
  for (const ServiceInfo& service : evidence->services) {
    EXPECT_EQ(service.custom_code_enabled, service.service_sid == kScenarioExploreService2)
        << service.service_sid;
  }
  EXPECT_EQ(evidence->mrr, D("4200"));
  ASSERT_EQ(evidence->prior_credits.size(), 1u);
  EXPECT_EQ(evidence->prior_credits[0].status, "issued");
}

TEST_F(EvidenceLoaderTest, ReportWithoutServiceColumnTakesEveryServiceOfItsAccounts) {
  const std::string sql = absl::StrCat(
      "SELECT DATE(created_at) AS day, account_sid, mcc, COUNT(*) AS attempts_sent, "
      "ROUND(SUM(price_usd), 5) AS fraud_charges_usd FROM verification_attempts WHERE account_sid = '",
      std::string(kScenarioExploreParent),
      "' AND to_country = 'PK' AND block_reason IS NULL GROUP BY 1, 2, 3 ORDER BY 1");
  absl::StatusOr<Evidence> evidence = Load(sql, absl::CivilDay(2025, 10, 3));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_FALSE(evidence->report.has_service_column);
  EXPECT_FALSE(evidence->report.has_blocked_column);
  EXPECT_EQ(evidence->report.rows.size(), 12u);
  std::vector<std::string> services;
  for (const ModeInterval& interval : evidence->modes) services.push_back(interval.service_sid);
  EXPECT_THAT(services, ::testing::Contains(std::string(kScenarioExploreService)));
  EXPECT_THAT(services, ::testing::Contains(std::string(kScenarioExploreService2)));
}

// Issue 15, point 8: the report's day is read the same way from every warehouse (FraudReportColumns):
// a timestamp with an offset is its UTC date, and a day that is not a date is refused naming row and column.
TEST_F(EvidenceLoaderTest, TimestampDaysAreTheirUtcDateAndGarbageIsRefused) {
  const std::string row =
      " AS day, 'ACs1' AS account_sid, 'VA1' AS service_sid, '400' AS mcc, 10 AS attempts_sent, 3.0 AS "
      "fraud_charges_usd";
  absl::StatusOr<Evidence> evidence =
      Load(absl::StrCat("SELECT '2025-07-01T23:30:00-05:00'", row), absl::CivilDay(2025, 7, 15));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  ASSERT_EQ(evidence->report.rows.size(), 1u);
  EXPECT_EQ(evidence->report.rows[0].day, absl::CivilDay(2025, 7, 2));  // 04:30 UTC on 07-02

  evidence = Load(absl::StrCat("SELECT '2025-07-01'", row, " UNION ALL SELECT '2025-07-01 garbage'", row),
                  absl::CivilDay(2025, 7, 15));
  ASSERT_FALSE(evidence.ok());
  EXPECT_EQ(evidence.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(evidence.status().message()),
              AllOf(HasSubstr("fraud report row 2, column 'day'"), HasSubstr("'2025-07-01 garbage'")));
}

TEST_F(EvidenceLoaderTest, SeveralParentsSkipMrrAndCredits) {
  const std::string sql = absl::StrCat(
      "SELECT '2025-07-01' AS day, 'ACs1' AS account_sid, 'VA1' AS service_sid, '400' AS mcc, 10 AS "
      "attempts_sent, "
      "3.0 AS fraud_charges_usd UNION ALL SELECT '2025-08-01', '",
      std::string(kScenario103Parent), "', '", std::string(kScenario103Service), "', '470', 5, 0.7");
  absl::StatusOr<Evidence> evidence = Load(sql, absl::CivilDay(2025, 8, 12));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->accounts.size(), 2u);
  EXPECT_FALSE(evidence->mrr.has_value());
  EXPECT_TRUE(evidence->prior_credits.empty());
  EXPECT_EQ(evidence->costs.size(), 2u);  // the follow-ups before the parent still ran
}

TEST_F(EvidenceLoaderTest, ValuesWithQuotesCannotChangeTheFollowUpQueries) {
  absl::StatusOr<Evidence> evidence = Load(
      "SELECT '2025-07-01' AS day, 'AC'') OR 1=1 --' AS account_sid, '400' AS mcc, 1 AS attempts_sent, "
      "0.3 AS fraud_charges_usd",
      absl::CivilDay(2025, 7, 15));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->report.rows[0].account_sid, "AC') OR 1=1 --");
  EXPECT_TRUE(evidence->accounts.empty());  // unknown account, not every account
  EXPECT_TRUE(evidence->services.empty());
  EXPECT_FALSE(evidence->mrr.has_value());
}

TEST_F(EvidenceLoaderTest, EmptyReportRunsNoFollowUps) {
  absl::StatusOr<Evidence> evidence = Load(
      "SELECT day, account_sid, mcc, attempts_sent, fraud_charges_usd FROM (SELECT '2025-07-01' AS day, "
      "'ACs1' AS "
      "account_sid, '400' AS mcc, 1 AS attempts_sent, 1 AS fraud_charges_usd) WHERE 0",
      absl::CivilDay(2025, 7, 15));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_TRUE(evidence->report.rows.empty());
  EXPECT_EQ(evidence->report.columns.size(), 5u);
  EXPECT_TRUE(evidence->accounts.empty());
}

// A Warehouse that counts the queries and the report rows it hands on, around the suite's warehouse.
class CountingWarehouse final : public Warehouse {
 public:
  explicit CountingWarehouse(Warehouse& inner) : inner_(inner) {}
  absl::Status Query(std::string_view sql, RowSink& sink) override {
    ++queries;
    Counter counter(sink, rows);
    return inner_.Query(sql, counter);
  }
  std::string_view dialect() const override { return inner_.dialect(); }

  int queries = 0;
  int64_t rows = 0;  // rows handed to the sinks, summed over the queries

 private:
  class Counter final : public RowSink {
   public:
    Counter(RowSink& sink, int64_t& rows) : sink_(sink), rows_(rows) {}
    absl::Status OnColumns(const std::vector<Column>& columns) override { return sink_.OnColumns(columns); }
    absl::Status OnRow(const std::vector<Value>& row) override {
      ++rows_;
      return sink_.OnRow(row);
    }
    absl::Status OnRowView(RowView row) override {
      ++rows_;
      return sink_.OnRowView(row);
    }

   private:
    RowSink& sink_;
    int64_t& rows_;
  };
  Warehouse& inner_;
};

TEST_F(EvidenceLoaderTest, AReportOfAtMostMaxRowsIsRead) {
  CountingWarehouse warehouse(*warehouse_);
  EvidenceLoader loader(warehouse, policy_);
  absl::StatusOr<Evidence> evidence =
      loader.Load(EvidenceRequest{Look("101"), absl::CivilDay(2025, 7, 15), "", /*max_report_rows=*/5});
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  EXPECT_EQ(evidence->report.rows.size(), 5u);
  EXPECT_GT(warehouse.queries, 1);  // the follow-up questions ran
}

TEST_F(EvidenceLoaderTest, ALargerReportIsRefusedAtItsFirstRowOverTheLimit) {
  // Look 101 has 5 rows: with at most 2, the third is the last one read, and nothing else runs.
  CountingWarehouse warehouse(*warehouse_);
  EvidenceLoader loader(warehouse, policy_);
  absl::StatusOr<Evidence> evidence =
      loader.Load(EvidenceRequest{Look("101"), absl::CivilDay(2025, 7, 15), "", /*max_report_rows=*/2});
  ASSERT_EQ(evidence.status().code(), absl::StatusCode::kFailedPrecondition) << evidence.status();
  EXPECT_EQ(
      evidence.status().message(),
      "the fraud report has more than 2 rows, the most one calculation takes (CREDITBOT_MAX_REPORT_ROWS, "
      "sized to the memory creditbot is given); narrow the Look (fewer days, accounts or MCCs) or split "
      "it into several requests");
  EXPECT_EQ(warehouse.rows, 3);
  EXPECT_EQ(warehouse.queries, 1);
}

TEST_F(EvidenceLoaderTest, ReportRowsShareTheirTexts) {
  absl::StatusOr<Evidence> evidence = Load(Look("101"), absl::CivilDay(2025, 7, 15));
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  const std::vector<FraudRow>& rows = evidence->report.rows;
  ASSERT_EQ(rows.size(), 5u);
  // Rows 1, 2 and 4 are ACs1/VA1/400/AZ: one copy of each text (interned while the report streamed in).
  EXPECT_EQ(rows[0].account_sid.c_str(), rows[1].account_sid.c_str());
  EXPECT_EQ(rows[0].service_sid.c_str(), rows[3].service_sid.c_str());
  EXPECT_EQ(rows[0].country.c_str(), rows[3].country.c_str());
  EXPECT_NE(rows[0].account_sid.c_str(), rows[2].account_sid.c_str());
}

TEST_F(EvidenceLoaderTest, MissingRequiredColumnIsAClearError) {
  absl::StatusOr<Evidence> evidence = Load(Look("302"), absl::CivilDay(2025, 7, 15));
  ASSERT_EQ(evidence.status().code(), absl::StatusCode::kFailedPrecondition) << evidence.status();
  EXPECT_THAT(std::string(evidence.status().message()),
              AllOf(HasSubstr("attempts_sent"), HasSubstr("authy_fraud_report.attempts_total")));
}

TEST_F(EvidenceLoaderTest, BadCellNamesRowAndColumn) {
  absl::StatusOr<Evidence> evidence = Load(
      "SELECT '2025-07-01' AS day, 'ACs1' AS account_sid, '400' AS mcc, 1 AS attempts_sent, 1 AS "
      "fraud_charges_usd UNION ALL SELECT '2025-07-02', 'ACs1', '400', 2.5, 1",
      absl::CivilDay(2025, 7, 15));
  ASSERT_EQ(evidence.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(evidence.status().message()),
              AllOf(HasSubstr("row 2"), HasSubstr("'attempts_sent'")));
}

TEST_F(EvidenceLoaderTest, SqlErrorIsInvalidArgument) {
  // A table the sample warehouse does not have (look 201's messages table exists since issue 22).
  absl::StatusOr<Evidence> evidence =
      Load("SELECT * FROM psms_messages_v2 WHERE account_sid = 'ACp'", absl::CivilDay(2025, 9, 20));
  EXPECT_EQ(evidence.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(evidence.status().message()), HasSubstr("no such table: psms_messages_v2"));
}

TEST_F(EvidenceLoaderTest, LookThatWritesIsRefused) {
  absl::StatusOr<Evidence> evidence = Load(Look("301"), absl::CivilDay(2025, 7, 15));
  EXPECT_EQ(evidence.status().code(), absl::StatusCode::kInvalidArgument);
  // Nothing was deleted.
  absl::StatusOr<Table> credits = QueryTable(*warehouse_, "SELECT COUNT(*) FROM credits_issued");
  ASSERT_TRUE(credits.ok());
  EXPECT_NE(credits->rows[0][0], Value(int64_t{0}));
}

TEST_F(EvidenceLoaderTest, SqlFolderOverridesTheEmbeddedFiles) {
  TempDir sql_dir;
  const std::filesystem::path root(sql_dir.path());
  std::filesystem::create_directories(root / "sql" / "sqlite");
  std::ofstream(root / "sql" / "sqlite" / "accounts.sql")
      << "-- :account_sids in a comment is left alone\nSELECT account_sid FROM accounts WHERE account_sid IN "
         ":account_sids";
  absl::StatusOr<Evidence> evidence = Load(Look("101"), absl::CivilDay(2025, 7, 15), sql_dir.path());
  ASSERT_EQ(evidence.status().code(), absl::StatusCode::kFailedPrecondition) << evidence.status();
  EXPECT_THAT(std::string(evidence.status().message()),
              AllOf(HasSubstr("sql/sqlite/accounts.sql"), HasSubstr("parent_account_sid")));
}

TEST(ExpandSqlPlaceholders, QuotesValuesAndDoublesQuotes) {
  SqlPlaceholders values;
  values.lists["ids"] = {"a", "b'c"};
  values.lists["none"] = {};
  values.texts["day"] = "2025-07-01";
  absl::StatusOr<std::string> sql =
      ExpandSqlPlaceholders("SELECT x FROM t WHERE id IN :ids AND k IN :none AND d <= :day", values);
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_EQ(*sql, "SELECT x FROM t WHERE id IN ('a', 'b''c') AND k IN ('') AND d <= '2025-07-01'");
}

TEST(ExpandSqlPlaceholders, LeavesLiteralsIdentifiersAndCommentsAlone) {
  SqlPlaceholders values;
  values.texts["day"] = "x\n; DROP TABLE t";
  absl::StatusOr<std::string> sql = ExpandSqlPlaceholders(
      "-- uses :day\nSELECT ':day', \"a:day\", 'it''s :day' /* :day */, x::text FROM t WHERE d = :day",
      values);
  ASSERT_TRUE(sql.ok()) << sql.status();
  EXPECT_EQ(
      *sql,
      "-- uses :day\nSELECT ':day', \"a:day\", 'it''s :day' /* :day */, x::text FROM t WHERE d = 'x\n; DROP "
      "TABLE t'");
}

TEST(ExpandSqlPlaceholders, RefusesUnknownPlaceholdersAndNulBytes) {
  SqlPlaceholders values;
  absl::StatusOr<std::string> sql = ExpandSqlPlaceholders("SELECT :mystery", values);
  EXPECT_EQ(sql.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(sql.status().message()), HasSubstr(":mystery"));
  values.texts["v"] = std::string("a\0b", 3);
  EXPECT_EQ(ExpandSqlPlaceholders("SELECT :v", values).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseWarehouseTimestamp, AcceptsTheWarehouseForms) {
  const absl::Time midnight = T(2025, 7, 3);
  EXPECT_EQ(*ParseWarehouseTimestamp("2025-07-03 00:00:00"), midnight);
  EXPECT_EQ(*ParseWarehouseTimestamp("2025-07-03T00:00:00Z"), midnight);
  EXPECT_EQ(*ParseWarehouseTimestamp("2025-07-03"), midnight);
  EXPECT_EQ(*ParseWarehouseTimestamp("2025-07-03 00:00"), midnight);
  EXPECT_EQ(*ParseWarehouseTimestamp("2025-07-03 00:00:00.000 UTC"), midnight);
  EXPECT_EQ(*ParseWarehouseTimestamp("2025-07-03T02:00:00+02:00"), midnight);
  EXPECT_EQ(*ParseWarehouseTimestamp("2025-07-02T19:00:00-0500"), midnight);
  EXPECT_EQ(*ParseWarehouseTimestamp("2025-07-03 00:00:01.25"), midnight + absl::Milliseconds(1250));
}

TEST(ParseWarehouseTimestamp, RejectsAnythingElse) {
  for (const char* text :
       {"", "2025-7-3", "2025-07-03 24:00:00", "2025-07-03X00:00", "2025-07-03 00:00:00 CET",
        "2025-02-30 00:00:00", "2025-07-03 00:00:00.", "1751500800"}) {
    EXPECT_EQ(ParseWarehouseTimestamp(text).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(FollowUpSqlFiles, EveryQuestionIsEmbeddedWithAHeader) {
  for (const char* question : {"accounts", "verify_services", "fraud_guard_history", "geo_permissions",
                               "provider_costs", "block_rates", "mrr", "prior_credits"}) {
    absl::StatusOr<std::string> sql = ReadDataFile(absl::StrCat("sql/sqlite/", question, ".sql"));
    ASSERT_TRUE(sql.ok()) << sql.status();
    EXPECT_THAT(*sql, AllOf(HasSubstr("-- Question:"), HasSubstr("-- Placeholders:"))) << question;
  }
}

}  // namespace
}  // namespace creditbot
