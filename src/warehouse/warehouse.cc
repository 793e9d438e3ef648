// Collecting a whole result into a Table.
#include "warehouse/warehouse.h"

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

 private:
  Table& table_;
};

}  // namespace

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
