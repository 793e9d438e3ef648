// Collecting a whole result into a Table, and the conversions between borrowed and owning cells.
#include "warehouse/warehouse.h"

#include <string>
#include <utility>
#include <vector>

namespace creditbot {
namespace {

class TableSink final : public RowSink {
 public:
  explicit TableSink(Table& table) : table_(table) {}
  absl::Status OnColumns(const std::vector<Column>& columns) override {
    table_.columns = columns;
    return absl::OkStatus();
  }
  absl::Status OnRow(const std::vector<Value>& row) override {
    table_.rows.push_back(row);
    return absl::OkStatus();
  }
  absl::Status OnRowView(RowView row) override {
    std::vector<Value>& kept = table_.rows.emplace_back();
    kept.reserve(row.size());
    for (const CellView& cell : row) kept.push_back(ToValue(cell));
    return absl::OkStatus();
  }

 private:
  Table& table_;
};

}  // namespace

Value ToValue(const CellView& cell) {
  if (const auto* text = std::get_if<std::string_view>(&cell)) return Value(std::string(*text));
  if (const auto* integer = std::get_if<int64_t>(&cell)) return Value(*integer);
  if (const auto* real = std::get_if<double>(&cell)) return Value(*real);
  return Value(Null{});
}

CellView ViewOf(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return CellView(std::string_view(*text));
  if (const auto* integer = std::get_if<int64_t>(&value)) return CellView(*integer);
  if (const auto* real = std::get_if<double>(&value)) return CellView(*real);
  return CellView(Null{});
}

absl::Status RowSink::OnRowView(RowView row) {
  owned_.resize(row.size());
  for (std::size_t i = 0; i < row.size(); ++i) owned_[i] = ToValue(row[i]);
  return OnRow(owned_);
}

absl::Status RowViewSink::OnRow(const std::vector<Value>& row) {
  views_.clear();
  for (const Value& value : row) views_.push_back(ViewOf(value));
  return OnRowView(views_);
}

int Table::ColumnIndex(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<Table> QueryTable(Warehouse& warehouse, std::string_view sql) {
  Table table;
  TableSink sink(table);
  absl::Status status = warehouse.Query(sql, sink);
  if (!status.ok()) return status;
  return table;
}

}  // namespace creditbot
