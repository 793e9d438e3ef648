// Warehouse: runs one read-only SQL query and streams its rows. Implemented by SqliteWarehouse (the
// embedded default) and TrinoWarehouse (Trino/Presto). Nothing else in creditbot talks to a database of
// business data.
//
// An instance is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace creditbot {

// One cell. Decimals, dates and timestamps arrive as text, exactly as the database renders them, so no
// value is ever rounded on the way in; integers as int64; floating columns as double.
struct Null {
  friend bool operator==(Null, Null) { return true; }
};
using Value = std::variant<Null, int64_t, double, std::string>;

// One cell borrowed from the warehouse: the same kinds and text as Value, without owning the text. A
// warehouse hands rows this way so that a sink that converts or interns what it keeps never allocates per
// cell (issue 20).
using CellView = std::variant<Null, int64_t, double, std::string_view>;

// One row borrowed from the warehouse: the span and every string_view in it are valid only during the
// RowSink::OnRowView call that hands them (they point into a parser's buffer or a SQLite statement).
using RowView = std::span<const CellView>;

// An owning copy of `cell`.
Value ToValue(const CellView& cell);
// A view of `value`, valid while `value` is alive and unchanged.
CellView ViewOf(const Value& value);

struct Column {
  std::string name;
  std::string type;  // the database's declared type, lower case; may be empty (SQLite expressions)
};

// Receives a result: columns once, then rows in order. Returning an error stops the query and is
// returned by Warehouse::Query unchanged.
//
// Warehouses call OnRowView for every row; its default copies the row into Values and calls OnRow, so a
// sink that keeps owning rows implements OnRow only. A sink that converts rows as they come derives from
// RowViewSink instead.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual absl::Status OnColumns(const std::vector<Column>& columns) = 0;
  virtual absl::Status OnRow(const std::vector<Value>& row) = 0;
  // One row, borrowed (see RowView). Default: ToValue of each cell, then OnRow.
  virtual absl::Status OnRowView(RowView row);

 private:
  std::vector<Value> owned_;  // the default OnRowView's row, reused
};

// A RowSink that reads borrowed rows only: OnRow (a caller holding owning Values) hands views of them to
// OnRowView.
class RowViewSink : public RowSink {
 public:
  absl::Status OnRow(const std::vector<Value>& row) final;
  absl::Status OnRowView(RowView row) override = 0;

 private:
  std::vector<CellView> views_;  // OnRow's views, reused
};

class Warehouse {
 public:
  virtual ~Warehouse() = default;

  // Runs `sql`. The caller has already passed it through the SQL guard; implementations still open the
  // database read-only. Errors: kInvalidArgument for SQL the database rejects (message from the
  // database), kUnavailable / kDeadlineExceeded for transient failures worth a retry.
  virtual absl::Status Query(std::string_view sql, RowSink& sink) = 0;

  // "sqlite" or "trino": selects the sql/<dialect>/ variant of the follow-up queries.
  virtual std::string_view dialect() const = 0;
};

// A whole small result in memory, for the follow-up queries.
struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<Value>> rows;
  // Index of column `name` (exact match), or -1.
  int ColumnIndex(std::string_view name) const;
};

absl::StatusOr<Table> QueryTable(Warehouse& warehouse, std::string_view sql);

}  // namespace creditbot
