// SqliteDb: a small RAII wrapper over the SQLite C API, shared by the SQLite warehouse, the synthetic
// warehouse generator and the SQLite state store. It owns one connection; Statement owns one prepared
// statement. Errors become absl::Status with SQLite's message and the file name.
//
// A connection is used by one thread at a time (the connection is opened with SQLITE_OPEN_NOMUTEX).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace creditbot {

class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds by 1-based index. Text is copied (SQLITE_TRANSIENT).
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& BindNull(int index);
  Statement& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& BindOptional(int index, const std::optional<std::string>& text);
  Statement& BindOptional(int index, std::optional<int64_t> value);

  // Advances: true when a row is available, false when done. Errors carry SQLite's message.
  absl::StatusOr<bool> Step();
  // Steps to completion, for statements that return no rows.
  absl::Status Run();
  void Reset();

  int ColumnCount() const;
  std::string ColumnName(int index) const;
  std::string ColumnDeclType(int index) const;  // lower case; "" for expressions
  int ColumnType(int index) const;              // SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL…
  bool IsNull(int index) const;
  int64_t ColumnInt(int index) const;
  double ColumnDouble(int index) const;
  std::string ColumnText(int index) const;
  // The text without a copy: valid until the next Step, Reset or column call on this column.
  std::string_view ColumnTextView(int index) const;
  std::optional<std::string> ColumnOptionalText(int index) const;
  std::optional<int64_t> ColumnOptionalInt(int index) const;
  // True if the statement cannot change the database (sqlite3_stmt_readonly).
  bool IsReadOnly() const;

 private:
  friend class SqliteDb;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class SqliteDb {
 public:
  enum class OpenMode { kReadOnly, kReadWriteCreate };

  // Opens `path` (":memory:" allowed). kNotFound when a read-only database does not exist; kInternal /
  // kFailedPrecondition with SQLite's message otherwise (e.g. "file is not a database").
  static absl::StatusOr<SqliteDb> Open(const std::string& path, OpenMode mode);

  SqliteDb(SqliteDb&&) noexcept;
  SqliteDb& operator=(SqliteDb&&) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Runs one or more statements with no results (schema scripts, BEGIN/COMMIT).
  absl::Status Exec(std::string_view sql);
  // Prepares exactly one statement; kInvalidArgument with SQLite's message if it does not compile.
  absl::StatusOr<Statement> Prepare(std::string_view sql);
  int64_t Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

// RAII transaction: BEGIN IMMEDIATE on construction (takes the write lock up front so concurrent writers
// wait for the busy timeout instead of failing mid-way), ROLLBACK unless Commit() succeeded.
class Transaction {
 public:
  static absl::StatusOr<Transaction> Begin(SqliteDb& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  absl::Status Commit();

 private:
  explicit Transaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

}  // namespace creditbot
