// The SQLite warehouse: read-only connection, read-only statements, rows streamed to the sink.
#include "warehouse/sqlite_warehouse.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace creditbot {

absl::StatusOr<std::unique_ptr<SqliteWarehouse>> SqliteWarehouse::Open(const std::string& path) {
  CREDITBOT_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path, SqliteDb::OpenMode::kReadOnly));
  // ATTACH counts as read-only for sqlite3_stmt_readonly but could open other files (the state store);
  // a warehouse query never needs it.
  sqlite3_limit(db.raw(), SQLITE_LIMIT_ATTACHED, 0);
  return std::unique_ptr<SqliteWarehouse>(new SqliteWarehouse(std::move(db)));
}

absl::Status SqliteWarehouse::Query(std::string_view sql, RowSink& sink) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement statement, db_.Prepare(sql));
  if (!statement.IsReadOnly()) {
    return absl::PermissionDeniedError(
        absl::StrCat("refusing a statement that could change the warehouse ", db_.path()));
  }
  const int count = statement.ColumnCount();
  std::vector<Column> columns;
  columns.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i)
    columns.push_back(Column{statement.ColumnName(i), statement.ColumnDeclType(i)});
  CREDITBOT_RETURN_IF_ERROR(sink.OnColumns(columns));

  // Borrowed cells: the text points into the statement until the next Step, so no row copies its strings.
  std::vector<CellView> row(static_cast<std::size_t>(count));
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool has_row, statement.Step());
    if (!has_row) break;
    for (int i = 0; i < count; ++i) {
      CellView& cell = row[static_cast<std::size_t>(i)];
      switch (statement.ColumnType(i)) {
        case SQLITE_INTEGER:
          cell = statement.ColumnInt(i);
          break;
        case SQLITE_FLOAT:
          cell = statement.ColumnDouble(i);
          break;
        case SQLITE_NULL:
          cell = Null{};
          break;
        default:  // SQLITE_TEXT, SQLITE_BLOB
          cell = statement.ColumnTextView(i);
          break;
      }
    }
    CREDITBOT_RETURN_IF_ERROR(sink.OnRowView(row));
  }
  return absl::OkStatus();
}

}  // namespace creditbot
