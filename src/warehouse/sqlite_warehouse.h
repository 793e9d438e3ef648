// SqliteWarehouse: the embedded default's Warehouse, a SQLite file (normally the synthetic warehouse made by
// GenerateSyntheticWarehouse, see src/synth/) opened read-only.
//
// Safety in depth: besides the SQL guard upstream, the connection is opened with SQLITE_OPEN_READONLY and
// every statement that SQLite says could write (sqlite3_stmt_readonly() false) is refused before it runs,
// and ATTACH is disabled (no other database file can be reached through the connection).
//
// Values: INTEGER → int64_t, REAL → double, TEXT → text, NULL → Null (BLOBs are returned as their bytes).
// Rows are handed to RowSink::OnRowView borrowed: the text points into the statement, no copy per cell.
// Column types are the declared types, lower case ("" for expressions).
//
// An instance owns one connection and is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/sqlite_db.h"
#include "warehouse/warehouse.h"

namespace creditbot {

class SqliteWarehouse final : public Warehouse {
 public:
  // Opens the database file at `path` read-only. Errors: kNotFound naming the path when the file does not
  // exist; kFailedPrecondition when it is not a SQLite database.
  static absl::StatusOr<std::unique_ptr<SqliteWarehouse>> Open(const std::string& path);

  // Runs one statement and streams its rows to `sink` as they are stepped (nothing is collected).
  // Errors: kInvalidArgument with SQLite's message when the SQL does not compile or holds more than one
  // statement; kPermissionDenied when the statement is not read-only; a sink's error unchanged; step
  // errors mapped as SqliteDb does (kUnavailable for a busy/locked database).
  absl::Status Query(std::string_view sql, RowSink& sink) override;

  std::string_view dialect() const override { return "sqlite"; }

  const std::string& path() const { return db_.path(); }

 private:
  explicit SqliteWarehouse(SqliteDb db) : db_(std::move(db)) {}
  SqliteDb db_;
};

}  // namespace creditbot
