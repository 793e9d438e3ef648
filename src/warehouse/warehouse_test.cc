// Tests of the borrowed rows of warehouse.h: the conversions, RowSink's default OnRowView and RowViewSink.
#include "warehouse/warehouse.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace creditbot {
namespace {

TEST(CellView, ConvertsToAndFromOwningValuesKindForKind) {
  const std::vector<Value> values = {Null{}, int64_t{-42}, 2.5, std::string("AC1")};
  for (const Value& value : values) EXPECT_EQ(ToValue(ViewOf(value)), value);
  const Value owned(std::string("day"));
  const CellView view = ViewOf(owned);
  EXPECT_EQ(std::get<std::string_view>(view), "day");
}

// Keeps owning rows: only OnRow.
class OwningSink final : public RowSink {
 public:
  absl::Status OnColumns(const std::vector<Column>&) override { return absl::OkStatus(); }
  absl::Status OnRow(const std::vector<Value>& row) override {
    rows.push_back(row);
    return absl::OkStatus();
  }
  std::vector<std::vector<Value>> rows;
};

TEST(RowSink, ItsDefaultOnRowViewHandsOnRowAnOwningCopy) {
  OwningSink sink;
  std::string buffer = "ACx";
  const std::vector<CellView> row = {std::string_view(buffer), int64_t{7}, Null{}};
  ASSERT_TRUE(sink.OnRowView(row).ok());
  buffer = "zzz";  // the borrowed text changes after the call: the sink's copy does not
  ASSERT_TRUE(sink.OnRowView(std::vector<CellView>{1.5}).ok());
  ASSERT_EQ(sink.rows.size(), 2u);
  EXPECT_EQ(sink.rows[0], (std::vector<Value>{std::string("ACx"), int64_t{7}, Null{}}));
  EXPECT_EQ(sink.rows[1], (std::vector<Value>{1.5}));
}

// Reads borrowed rows only.
class ViewSink final : public RowViewSink {
 public:
  absl::Status OnColumns(const std::vector<Column>&) override { return absl::OkStatus(); }
  absl::Status OnRowView(RowView row) override {
    std::string line;
    for (const CellView& cell : row) {
      if (const auto* text = std::get_if<std::string_view>(&cell)) line += std::string(*text) + ";";
      if (const auto* number = std::get_if<int64_t>(&cell)) line += std::to_string(*number) + ";";
      if (std::holds_alternative<Null>(cell)) line += "null;";
    }
    lines.push_back(line);
    return absl::OkStatus();
  }
  std::vector<std::string> lines;
};

TEST(RowViewSink, ReadsOwningRowsThroughOnRowView) {
  ViewSink sink;
  ASSERT_TRUE(sink.OnRow({std::string("2025-07-01"), int64_t{12}, Null{}}).ok());
  ASSERT_TRUE(sink.OnRowView(std::vector<CellView>{std::string_view("x")}).ok());
  EXPECT_EQ(sink.lines, (std::vector<std::string>{"2025-07-01;12;null;", "x;"}));
}

}  // namespace
}  // namespace creditbot
