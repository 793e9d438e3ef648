// The SQLite wrapper: connection, prepared statements, transactions.
#include "common/sqlite_db.h"

#include <filesystem>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {
namespace {

absl::Status SqliteError(sqlite3* db, std::string_view what) {
  std::string message =
      absl::StrCat(ToAbsl(what), ": ", db != nullptr ? sqlite3_errmsg(db) : "out of memory");
  int code = db != nullptr ? sqlite3_errcode(db) & 0xff : SQLITE_NOMEM;
  switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return absl::FailedPreconditionError(message);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return absl::PermissionDeniedError(message);
    case SQLITE_ERROR:
      return absl::InvalidArgumentError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}
Statement& Statement::BindOptional(int index, const std::optional<std::string>& text) {
  return text ? Bind(index, std::string_view(*text)) : BindNull(index);
}
Statement& Statement::BindOptional(int index, std::optional<int64_t> value) {
  return value ? Bind(index, *value) : BindNull(index);
}

absl::StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, "sqlite step failed");
}

absl::Status Statement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }
std::string Statement::ColumnName(int index) const {
  const char* name = sqlite3_column_name(stmt_, index);
  return name != nullptr ? name : "";
}
std::string Statement::ColumnDeclType(int index) const {
  const char* type = sqlite3_column_decltype(stmt_, index);
  return type != nullptr ? absl::AsciiStrToLower(type) : "";
}
int Statement::ColumnType(int index) const { return sqlite3_column_type(stmt_, index); }
bool Statement::IsNull(int index) const { return ColumnType(index) == SQLITE_NULL; }
int64_t Statement::ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }
double Statement::ColumnDouble(int index) const { return sqlite3_column_double(stmt_, index); }
std::string Statement::ColumnText(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)));
}
std::string_view Statement::ColumnTextView(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(text),
                          static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)));
}
std::optional<std::string> Statement::ColumnOptionalText(int index) const {
  if (IsNull(index)) return std::nullopt;
  return ColumnText(index);
}
std::optional<int64_t> Statement::ColumnOptionalInt(int index) const {
  if (IsNull(index)) return std::nullopt;
  return ColumnInt(index);
}
bool Statement::IsReadOnly() const { return sqlite3_stmt_readonly(stmt_) != 0; }

absl::StatusOr<SqliteDb> SqliteDb::Open(const std::string& path, OpenMode mode) {
  int flags = SQLITE_OPEN_NOMUTEX;
  if (mode == OpenMode::kReadOnly) {
    flags |= SQLITE_OPEN_READONLY;
    std::error_code ec;
    if (path != ":memory:" && !std::filesystem::exists(path, ec)) {
      return absl::NotFoundError(absl::StrCat("no SQLite database at ", path));
    }
  } else {
    flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteError(db, absl::StrCat("cannot open SQLite database ", path));
    sqlite3_close(db);
    return status;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_extended_result_codes(db, 0);
  SqliteDb result(db, path);
  // Reading the schema proves the file is a database now, not at the first query.
  absl::Status probe = result.Exec("SELECT count(*) FROM sqlite_schema");
  if (!probe.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read SQLite database ", path, ": ", probe.message()));
  }
  return result;
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

absl::Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    absl::Status status = SqliteError(db_, "sqlite exec failed");
    return absl::Status(status.code(), absl::StrCat("sqlite exec failed on ", path_, ": ", message));
  }
  return absl::OkStatus();
}

absl::StatusOr<Statement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
  if (rc != SQLITE_OK) return SqliteError(db_, "SQL does not compile");
  if (stmt == nullptr) return absl::InvalidArgumentError("SQL is empty");
  Statement statement(db_, stmt);
  std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
  absl::string_view trimmed_rest = absl::StripAsciiWhitespace(ToAbsl(rest));
  if (!trimmed_rest.empty() && trimmed_rest != ";") {
    // A trailing comment is fine; another statement is not.
    sqlite3_stmt* next = nullptr;
    rc = sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &next, nullptr);
    sqlite3_finalize(next);
    if (rc != SQLITE_OK || next != nullptr) {
      return absl::InvalidArgumentError("SQL holds more than one statement");
    }
  }
  return statement;
}

int64_t SqliteDb::Changes() const { return sqlite3_changes64(db_); }

absl::StatusOr<Transaction> Transaction::Begin(SqliteDb& db) {
  absl::Status status = db.Exec("BEGIN IMMEDIATE");
  if (!status.ok()) return status;
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

absl::Status Transaction::Commit() {
  absl::Status status = db_->Exec("COMMIT");
  if (status.ok()) db_ = nullptr;
  return status;
}

}  // namespace creditbot
