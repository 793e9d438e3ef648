// Tests of the SQLite warehouse: read-only, typed values, streaming, errors.
#include "warehouse/sqlite_warehouse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/sqlite_db.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;

using TempDir = ::creditbot::testing::TempDir;

class RecordingSink : public RowSink {
 public:
  absl::Status OnColumns(const std::vector<Column>& columns) override {
    columns_ = columns;
    return absl::OkStatus();
  }
  absl::Status OnRow(const std::vector<Value>& row) override {
    rows_.push_back(row);
    if (stop_after_ > 0 && static_cast<int>(rows_.size()) == stop_after_) {
      return absl::CancelledError("enough rows");
    }
    return absl::OkStatus();
  }
  std::vector<Column> columns_;
  std::vector<std::vector<Value>> rows_;
  int stop_after_ = 0;
};

class SqliteWarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("w.db");
    absl::StatusOr<SqliteDb> db = SqliteDb::Open(path_, SqliteDb::OpenMode::kReadWriteCreate);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE(db->Exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, n TEXT);"
                         "INSERT INTO t VALUES (1, 0.25, 'a''b', NULL), (2, 300.0, '0400', 'x');"
                         "WITH RECURSIVE c(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM c WHERE k < 1000) "
                         "INSERT INTO t SELECT 100 + k, k * 1.5, 'row', NULL FROM c;")
                    .ok());
    absl::StatusOr<std::unique_ptr<SqliteWarehouse>> warehouse = SqliteWarehouse::Open(path_);
    ASSERT_TRUE(warehouse.ok()) << warehouse.status();
    warehouse_ = *std::move(warehouse);
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<SqliteWarehouse> warehouse_;
};

TEST_F(SqliteWarehouseTest, ReturnsTypedValuesAndDeclaredTypes) {
  RecordingSink sink;
  ASSERT_TRUE(
      warehouse_->Query("SELECT i, r, s, n, i * 2 AS twice FROM t WHERE i < 3 ORDER BY i", sink).ok());
  ASSERT_EQ(sink.columns_.size(), 5u);
  EXPECT_EQ(sink.columns_[0].name, "i");
  EXPECT_EQ(sink.columns_[0].type, "integer");
  EXPECT_EQ(sink.columns_[1].type, "real");
  EXPECT_EQ(sink.columns_[4].name, "twice");
  EXPECT_EQ(sink.columns_[4].type, "");
  ASSERT_EQ(sink.rows_.size(), 2u);
  EXPECT_EQ(sink.rows_[0][0], Value(int64_t{1}));
  EXPECT_EQ(sink.rows_[0][1], Value(0.25));
  EXPECT_EQ(sink.rows_[0][2], Value(std::string("a'b")));
  EXPECT_EQ(sink.rows_[0][3], Value(Null{}));
  EXPECT_EQ(sink.rows_[1][2], Value(std::string("0400")));  // text keeps its leading zero
  EXPECT_EQ(sink.rows_[1][4], Value(int64_t{4}));
}

TEST_F(SqliteWarehouseTest, KeepsLookerColumnAliases) {
  RecordingSink sink;
  ASSERT_TRUE(warehouse_->Query("SELECT i AS \"authy_fraud_report.day\" FROM t LIMIT 1", sink).ok());
  EXPECT_EQ(sink.columns_[0].name, "authy_fraud_report.day");
}

TEST_F(SqliteWarehouseTest, StreamsRowsAndStopsOnTheSinksError) {
  RecordingSink sink;
  sink.stop_after_ = 3;
  const absl::Status status = warehouse_->Query("SELECT * FROM t ORDER BY i", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(sink.rows_.size(), 3u);
}

TEST_F(SqliteWarehouseTest, SqlThatDoesNotCompileIsInvalidArgumentWithSqlitesMessage) {
  RecordingSink sink;
  absl::Status status = warehouse_->Query("SELECT nope FROM t", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("no such column: nope"));
  status = warehouse_->Query("SELEC 1", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("syntax error"));
}

TEST_F(SqliteWarehouseTest, RefusesStatementsThatWrite) {
  RecordingSink sink;
  for (const char* sql : {"DELETE FROM t", "UPDATE t SET i = 0", "CREATE TABLE u (x)", "DROP TABLE t",
                          "INSERT INTO t (i) VALUES (9) RETURNING i"}) {
    const absl::Status status = warehouse_->Query(sql, sink);
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << sql << ": " << status;
  }
  EXPECT_TRUE(sink.rows_.empty());
  ASSERT_TRUE(warehouse_->Query("SELECT COUNT(*) FROM t", sink).ok());
  EXPECT_EQ(sink.rows_[0][0], Value(int64_t{1002}));
}

TEST_F(SqliteWarehouseTest, CannotAttachAnotherDatabase) {
  RecordingSink sink;
  const absl::Status status = warehouse_->Query(absl::StrCat("ATTACH DATABASE '", path_, "' AS other"), sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
}

TEST_F(SqliteWarehouseTest, RefusesASecondStatement) {
  RecordingSink sink;
  const absl::Status status = warehouse_->Query("SELECT 1; DELETE FROM t", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(warehouse_->Query("SELECT 1; -- a trailing comment", sink).ok());
}

TEST_F(SqliteWarehouseTest, IsTheSqliteDialect) { EXPECT_EQ(warehouse_->dialect(), "sqlite"); }

TEST(SqliteWarehouse, MissingFileIsNotFoundNamingIt) {
  TempDir dir;
  const std::string path = dir.File("missing.db");
  absl::StatusOr<std::unique_ptr<SqliteWarehouse>> warehouse = SqliteWarehouse::Open(path);
  EXPECT_EQ(warehouse.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(warehouse.status().message()), HasSubstr(path));
  EXPECT_FALSE(std::filesystem::exists(path));  // read-only: never created
}

}  // namespace
}  // namespace creditbot
