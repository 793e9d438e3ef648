// Tests of the Athena warehouse: the GetQueryResults page decoder and the athena:// URL on their own, and
// the real AthenaClient + AthenaWarehouse over libcurl (SigV4) against FakeAthenaServer answering from a
// small SQLite file, on a fake clock so the poll pauses and the timeout are exact.
#include "warehouse/athena_warehouse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "aws/athena_client.h"
#include "common/clock.h"
#include "common/sqlite_db.h"
#include "net/http_transport.h"
#include "tests/fake_athena_server.h"
#include "tests/fake_aws_server.h"
#include "tests/test_support.h"
#include "warehouse/athena_results.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeAthenaServer;
using ::creditbot::testing::FakeAwsServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// A page in the documented shape (athena-2017-05-18 GetQueryResults), members in the order the API
// reference lists them, a first page: its first row is the header row.
constexpr char kFirstPage[] = R"({
  "UpdateCount": 0,
  "ResultSet": {
    "Rows": [
      {"Data": [{"VarCharValue": "account_sid"}, {"VarCharValue": "attempts"}, {"VarCharValue": "charge"},
                {"VarCharValue": "day"}, {"VarCharValue": "created_at"}, {"VarCharValue": "ratio"},
                {"VarCharValue": "active"}]},
      {"Data": [{"VarCharValue": "AC0001"}, {"VarCharValue": "9223372036854775807"},
                {"VarCharValue": "1234.500000000001"}, {"VarCharValue": "2025-07-01"},
                {"VarCharValue": "2025-07-01 23:30:00.000"}, {"VarCharValue": "1.0E-4"},
                {"VarCharValue": "true"}]},
      {"Data": [{"VarCharValue": ""}, {}, {}, {}, {}, {"VarCharValue": "NaN"}, {"VarCharValue": "false"}]}
    ],
    "ResultSetMetadata": {"ColumnInfo": [
      {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": "account_sid", "Label": "account_sid",
       "Type": "varchar", "Precision": 2147483647, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": true},
      {"Name": "attempts", "Label": "attempts", "Type": "bigint", "Precision": 19, "Scale": 0},
      {"Name": "charge", "Label": "charge", "Type": "decimal", "Precision": 38, "Scale": 12},
      {"Name": "day", "Label": "day", "Type": "date", "Precision": 0, "Scale": 0},
      {"Name": "created_at", "Label": "created_at", "Type": "timestamp", "Precision": 3, "Scale": 0},
      {"Name": "ratio", "Label": "ratio", "Type": "double", "Precision": 17, "Scale": 0},
      {"Name": "active", "Label": "active", "Type": "boolean", "Precision": 0, "Scale": 0}
    ]}
  },
  "NextToken": "AYADeH2pIBmG0token"
})";

TEST(AthenaResults, ExactTypesFromColumnInfoAndTheHeaderRowSkipped) {
  absl::StatusOr<AthenaResultsPage> page = ParseAthenaResults(kFirstPage, /*first_page=*/true);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_THAT(page->columns, SizeIs(7));
  EXPECT_EQ(page->columns[0].name, "account_sid");
  EXPECT_EQ(page->columns[1].type, "bigint");
  EXPECT_EQ(page->columns[2].type, "decimal(38,12)");
  EXPECT_EQ(page->columns[4].type, "timestamp");
  ASSERT_THAT(page->rows, SizeIs(2));
  const std::vector<Value>& full = page->rows[0];
  EXPECT_EQ(full[0], Value(std::string("AC0001")));
  EXPECT_EQ(full[1], Value(std::numeric_limits<int64_t>::max()));  // exact, never through a double
  EXPECT_EQ(full[2], Value(std::string("1234.500000000001")));     // a decimal stays exact text
  EXPECT_EQ(full[3], Value(std::string("2025-07-01")));
  EXPECT_EQ(full[4], Value(std::string("2025-07-01 23:30:00.000")));
  EXPECT_EQ(full[5], Value(0.0001));
  EXPECT_EQ(full[6], Value(int64_t{1}));
  const std::vector<Value>& sparse = page->rows[1];
  EXPECT_EQ(sparse[0], Value(std::string()));  // an empty string is not NULL
  EXPECT_EQ(sparse[1], Value(Null{}));
  EXPECT_EQ(sparse[2], Value(Null{}));
  EXPECT_TRUE(std::isnan(std::get<double>(sparse[5])));
  EXPECT_EQ(sparse[6], Value(int64_t{0}));
  EXPECT_EQ(page->next_token, "AYADeH2pIBmG0token");

  // A later page: no header row, so the first row is data (here the header's texts, which are not
  // integers for `attempts`: refused, naming the row, column and type).
  absl::StatusOr<AthenaResultsPage> later = ParseAthenaResults(kFirstPage, /*first_page=*/false);
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(later.status().message(), HasSubstr("row 1, column 'attempts' (bigint): 'attempts'"));
}

TEST(AthenaResults, MembersInAnyOrderAndTheLastPage) {
  absl::StatusOr<AthenaResultsPage> page = ParseAthenaResults(
      R"({"ResultSet": {"Rows": [{"Data": [{"VarCharValue": "-42"}]}],
          "ResultSetMetadata": {"ColumnInfo": [{"Name": "n", "Type": "integer"}]}}})",
      /*first_page=*/false);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->rows, std::vector<std::vector<Value>>({{Value(int64_t{-42})}}));
  EXPECT_EQ(page->next_token, std::nullopt);

  // A SELECT with no rows: the header row only.
  page = ParseAthenaResults(R"({"ResultSet": {"Rows": [{"Data": [{"VarCharValue": "n"}]}],
                                "ResultSetMetadata": {"ColumnInfo": [{"Name": "n", "Type": "bigint"}]}}})",
                            /*first_page=*/true);
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(page->columns, SizeIs(1));
  EXPECT_THAT(page->rows, IsEmpty());
}

TEST(AthenaResults, BrokenPagesAreRefused) {
  auto code = [](const std::string& json) { return ParseAthenaResults(json, false).status().code(); };
  EXPECT_EQ(code(R"({"ResultSet": {"Rows": [)"), absl::StatusCode::kUnavailable);  // cut off
  EXPECT_EQ(code("<html>502</html>"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(code("[]"), absl::StatusCode::kInternal);
  EXPECT_EQ(code("{}"), absl::StatusCode::kInternal);  // no ResultSet
  EXPECT_EQ(code(R"({"ResultSet": {"Rows": {}}})"), absl::StatusCode::kInternal);
  const std::string one_column = R"("ResultSetMetadata": {"ColumnInfo": [{"Name": "n", "Type": "bigint"}]})";
  EXPECT_EQ(code(R"({"ResultSet": {"Rows": [{"Data": [{}, {}]}], )" + one_column + "}}"),
            absl::StatusCode::kInternal);  // two values, one column
  EXPECT_EQ(code(R"({"ResultSet": {"Rows": [{"Data": [{"VarCharValue": 7}]}], )" + one_column + "}}"),
            absl::StatusCode::kInternal);  // a number, not text
  EXPECT_EQ(code(R"({"ResultSet": {"Rows": [{"Data": [{"VarCharValue": "1.5"}]}], )" + one_column + "}}"),
            absl::StatusCode::kInternal);  // not an integer
  EXPECT_EQ(code(R"({"ResultSet": {"Rows": [{"Data": [{"VarCharValue": "99999999999999999999"}]}], )" +
                 one_column + "}}"),
            absl::StatusCode::kInternal);  // beyond int64
  EXPECT_EQ(code(R"({"NextToken": 5, "ResultSet": {}})"), absl::StatusCode::kInternal);
}

TEST(AthenaUrl, TheFormAndItsParts) {
  absl::StatusOr<AthenaOptions> options = ParseAthenaUrl(
      "athena://CreditBot-Prod/AwsDataCatalog/fraud%5Fdata?output=s3%3A%2F%2Fathena-out%2Fcb%2F");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->work_group, "CreditBot-Prod");  // case kept
  EXPECT_EQ(options->catalog, "AwsDataCatalog");
  EXPECT_EQ(options->database, "fraud_data");
  EXPECT_EQ(options->output_location, "s3://athena-out/cb/");
  options = ParseAthenaUrl("athena://primary/AwsDataCatalog/sample?output=s3://athena-out/");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->output_location, "s3://athena-out/");

  for (const char* bad : {"athena://primary/AwsDataCatalog/sample?output=s3://a/b/&output=s3://a/c/",
                          "athena://primary/AwsDataCatalog/sample?output=s3://athena-out/#x",
                          "athena:///AwsDataCatalog/sample?output=s3://athena-out/",
                          "athena://primary//sample?output=s3://athena-out/", "trino://primary/a/b",
                          "athena://primary/AwsDataCatalog/sa%0Ample?output=s3://athena-out/"}) {
    absl::StatusOr<AthenaOptions> refused = ParseAthenaUrl(bad);
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(refused.status().message(), HasSubstr("expected athena://WORKGROUP/CATALOG/DATABASE")) << bad;
  }
}

class RecordingSink final : public RowSink {
 public:
  absl::Status OnColumns(const std::vector<Column>& columns) override {
    columns_ = columns;
    ++column_calls;
    return absl::OkStatus();
  }
  absl::Status OnRow(const std::vector<Value>& row) override {
    rows.push_back(row);
    if (fail_at_row > 0 && static_cast<int>(rows.size()) == fail_at_row) {
      return absl::CancelledError("the sink has had enough");
    }
    return absl::OkStatus();
  }
  std::vector<Column> columns_;
  int column_calls = 0;
  std::vector<std::vector<Value>> rows;
  int fail_at_row = 0;
};

class AthenaWarehouseTest : public ::testing::Test {
 protected:
  AthenaWarehouseTest() {
    absl::StatusOr<SqliteDb> db = SqliteDb::Open(dir_.File("w.db"), SqliteDb::OpenMode::kReadWriteCreate);
    EXPECT_TRUE(db.ok()) << db.status();
    EXPECT_TRUE(db->Exec("CREATE TABLE t (n INTEGER, label TEXT, amount TEXT, share REAL);"
                         "INSERT INTO t VALUES (1, 'one', '0.10', 0.5), (2, 'two', '0.20', NULL),"
                         "(3, NULL, '0.30', 0.25), (4, 'four', '1234567890.123456789012', 1.5),"
                         "(5, 'five', '0.50', 2.0), (6, 'six', '0.60', 3.0), (7, 'seven', '0.70', 4.0);")
                    .ok());
    server_ = std::make_unique<FakeAthenaServer>(dir_.File("w.db"), /*page_rows=*/3);
    AthenaClientOptions client_options;
    client_options.endpoint = AwsEndpoint{server_->base_url(), true, "AWS_ENDPOINT_URL_ATHENA"};
    client_options.region = FakeAwsServer::kRegion;
    client_ = std::make_unique<AthenaClient>(*transport_, credentials_, clock_, sleeper_, client_options);
  }
  std::unique_ptr<AthenaWarehouse> Warehouse(absl::Duration timeout = absl::Minutes(5)) {
    const AthenaOptions options{.work_group = "primary",
                                .catalog = "AwsDataCatalog",
                                .database = "sample",
                                .output_location = "s3://athena-out/creditbot/",
                                .query_timeout = timeout};
    absl::StatusOr<std::unique_ptr<AthenaWarehouse>> warehouse =
        AthenaWarehouse::Create(*client_, clock_, sleeper_, options);
    EXPECT_TRUE(warehouse.ok()) << warehouse.status();
    return *std::move(warehouse);
  }

  testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1767225600)};
  FakeSleeper sleeper_{clock_};
  std::unique_ptr<HttpTransport> transport_ = MakeCurlTransport();
  StaticAwsCredentialsProvider credentials_{
      AwsCredentials{FakeAwsServer::kAccessKeyId, FakeAwsServer::kSecretAccessKey, "", std::nullopt, "test"}};
  std::unique_ptr<FakeAthenaServer> server_;
  std::unique_ptr<AthenaClient> client_;
};

TEST_F(AthenaWarehouseTest, PollsWithGrowingPausesThenReadsEveryPage) {
  RecordingSink sink;
  ASSERT_TRUE(Warehouse()->Query("SELECT n, label, amount, share FROM t ORDER BY n", sink).ok());
  EXPECT_EQ(sink.column_calls, 1);
  ASSERT_THAT(sink.columns_, SizeIs(4));
  EXPECT_EQ(sink.columns_[0].type, "bigint");
  EXPECT_EQ(sink.columns_[3].type, "double");
  ASSERT_THAT(sink.rows, SizeIs(7));
  EXPECT_EQ(sink.rows[0], std::vector<Value>({int64_t{1}, std::string("one"), std::string("0.10"), 0.5}));
  EXPECT_EQ(sink.rows[1][3], Value(Null{}));
  EXPECT_EQ(sink.rows[2][1], Value(Null{}));
  EXPECT_EQ(sink.rows[3][2], Value(std::string("1234567890.123456789012")));
  EXPECT_EQ(sink.rows[6][0], Value(int64_t{7}));
  // QUEUED, RUNNING, SUCCEEDED: three polls, a pause after each of the first two (100 ms, then 200 ms).
  EXPECT_EQ(server_->Count("GetQueryExecution"), 3);
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200)));
  // The header row and 7 rows in pages of 3: 8 rows, 3 pages.
  EXPECT_EQ(server_->Count("GetQueryResults"), 3);
  EXPECT_THAT(server_->refused(), IsEmpty());
}

TEST_F(AthenaWarehouseTest, AFailedQueryGivesAthenasReason) {
  RecordingSink sink;
  absl::Status status = Warehouse()->Query("SELECT missing_column FROM t", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      status.message(),
      HasSubstr("FAILED: SYNTAX_ERROR: line 1:1: SQL does not compile: no such column: missing_column"));
  EXPECT_EQ(server_->Count("GetQueryResults"), 0);
  EXPECT_THAT(server_->stopped(), IsEmpty());
}

TEST_F(AthenaWarehouseTest, AQueryThatNeverFinishesIsStoppedAtTheTimeout) {
  server_->HangQueriesContaining("FROM t");
  RecordingSink sink;
  absl::Status status = Warehouse(absl::Seconds(1))->Query("SELECT n FROM t", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(status.message(), HasSubstr("ran longer than 1s (still RUNNING); stopped"));
  // 100 + 200 + 400 ms, then the 300 ms left, then the deadline: StopQueryExecution.
  EXPECT_THAT(sleeper_.sleeps(), ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200),
                                             absl::Milliseconds(400), absl::Milliseconds(300)));
  EXPECT_THAT(server_->stopped(), SizeIs(1));
  EXPECT_EQ(sink.column_calls, 0);
}

TEST_F(AthenaWarehouseTest, TheSinksErrorIsReturnedUnchanged) {
  RecordingSink sink;
  sink.fail_at_row = 4;
  absl::Status status = Warehouse()->Query("SELECT n FROM t", sink);
  EXPECT_EQ(status, absl::CancelledError("the sink has had enough"));
  EXPECT_EQ(server_->Count("GetQueryResults"), 2);  // stopped reading at the second page
}

TEST_F(AthenaWarehouseTest, OnlyReadOnlySqlIsEverStarted) {
  RecordingSink sink;
  absl::Status status = Warehouse()->Query("DELETE FROM t", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(), HasSubstr("not a single read-only SELECT statement"));
  EXPECT_EQ(server_->Count("StartQueryExecution"), 0);
}

TEST_F(AthenaWarehouseTest, TheClientReadsTheWorkGroupAndAnUnknownOneIsNotFound) {
  server_->SetWorkGroup("analytics", "ENABLED", /*enforce=*/true, "s3://athena-out/enforced/");
  absl::StatusOr<AthenaWorkGroup> group = client_->GetWorkGroup("analytics");
  ASSERT_TRUE(group.ok()) << group.status();
  EXPECT_EQ(group->name, "analytics");
  EXPECT_EQ(group->state, "ENABLED");
  EXPECT_TRUE(group->enforce_configuration);
  EXPECT_EQ(group->output_location, "s3://athena-out/enforced/");
  EXPECT_EQ(group->effective_engine_version, "Athena engine version 3");
  absl::StatusOr<AthenaWorkGroup> missing = client_->GetWorkGroup("nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("InvalidRequestException"));
}

TEST(AthenaQueryExecution, StatusAndAthenaError) {
  absl::StatusOr<AthenaQueryStatus> status = ParseAthenaQueryExecution(
      R"({"QueryExecution": {"QueryExecutionId": "q1", "Status": {"State": "FAILED",
          "StateChangeReason": "TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.sample.x' does not exist",
          "AthenaError": {"ErrorCategory": 2, "ErrorType": 1301, "Retryable": false}}}})");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->state, AthenaQueryState::kFailed);
  EXPECT_EQ(status->error_category, "2");
  EXPECT_EQ(status->error_type, "1301");
  EXPECT_FALSE(status->retryable);
  EXPECT_THAT(status->state_change_reason, HasSubstr("TABLE_NOT_FOUND"));
  EXPECT_FALSE(ParseAthenaQueryExecution(R"({"QueryExecution": {}})").ok());
  EXPECT_FALSE(ParseAthenaQueryExecution("not json").ok());
}

}  // namespace
}  // namespace creditbot
