// Tests of TrinoPageDecoder (simdjson On Demand) beyond what trino_warehouse_test.cc checks through
// ParseTrinoPage: borrowed rows, a decoder reused page after page, in-place decoding, members in any order,
// exact text, and that damage anywhere in a page makes it "not JSON" (kUnavailable), never a half-read page.
#include "warehouse/trino_page.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <variant>
#include <vector>

namespace creditbot {
namespace {

using ::testing::HasSubstr;

const std::vector<Column> kNone;

std::vector<Value> RowOf(const TrinoPageDecoder& decoder, std::size_t index) {
  std::vector<Value> row;
  for (const CellView& cell : decoder.Row(index)) row.push_back(ToValue(cell));
  return row;
}

TEST(TrinoPageDecoder, DecodesRowsAsBorrowedCellsOfTheRightKinds) {
  TrinoPageDecoder decoder;
  const std::string page =
      R"j({"id":"q1","columns":[{"name":"day","type":"date"},{"name":"n","type":"BIGINT"},)j"
      R"j({"name":"f","type":"decimal(18,5)"},{"name":"s","type":"varchar(34)"}],)j"
      R"j("data":[["2025-07-01",-9223372036854775808,"300.12345","AC\u00e9\"x\\"],)j"
      R"j(["2025-07-02",9223372036854775807,null,""]],"nextUri":"https://t/v1/2"})j";
  ASSERT_TRUE(decoder.Decode(std::string_view(page), kNone).ok());
  EXPECT_EQ(decoder.head().id, "q1");
  EXPECT_EQ(decoder.head().next_uri, "https://t/v1/2");
  ASSERT_EQ(decoder.head().columns.size(), 4u);
  EXPECT_EQ(decoder.head().columns[1].type, "bigint");  // lower-cased
  EXPECT_TRUE(decoder.head().rows.empty());             // rows are read through Row()
  ASSERT_EQ(decoder.row_count(), 2u);
  const RowView first = decoder.Row(0);
  ASSERT_EQ(first.size(), 4u);
  EXPECT_EQ(std::get<std::string_view>(first[0]), "2025-07-01");
  EXPECT_EQ(std::get<int64_t>(first[1]), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(std::get<std::string_view>(first[2]), "300.12345");
  EXPECT_EQ(std::get<std::string_view>(first[3]), "AC\xc3\xa9\"x\\");  // é in UTF-8, escapes undone
  EXPECT_EQ(RowOf(decoder, 1),
            (std::vector<Value>{std::string("2025-07-02"), std::numeric_limits<int64_t>::max(), Null{},
                                std::string()}));
}

TEST(TrinoPageDecoder, IsReusedPageAfterPageWithTheFirstPagesColumns) {
  TrinoPageDecoder decoder;
  ASSERT_TRUE(
      decoder.Decode(R"({"id":"q","columns":[{"name":"n","type":"integer"}],"data":[[1],[2]]})", kNone).ok());
  const std::vector<Column> columns = decoder.head().columns;
  ASSERT_EQ(decoder.row_count(), 2u);
  // A later page without columns is decoded with the earlier page's.
  ASSERT_TRUE(decoder.Decode(R"({"id":"q","data":[[3]]})", columns).ok());
  ASSERT_EQ(decoder.row_count(), 1u);
  EXPECT_EQ(RowOf(decoder, 0), (std::vector<Value>{int64_t{3}}));
  EXPECT_TRUE(decoder.head().columns.empty());
  // A page without rows leaves none from the page before.
  ASSERT_TRUE(decoder.Decode(R"({"id":"q","stats":{"state":"FINISHED"}})", columns).ok());
  EXPECT_EQ(decoder.row_count(), 0u);
  EXPECT_EQ(decoder.head().state, "FINISHED");
}

TEST(TrinoPageDecoder, DecodesABodyInPlaceWhenItHasRoomForThePaddingAndCopiesItOtherwise) {
  TrinoPageDecoder decoder;
  std::string roomy = R"({"columns":[{"name":"s","type":"varchar"}],"data":[["in place"]]})";
  roomy.reserve(roomy.size() + 256);
  ASSERT_TRUE(decoder.Decode(roomy, kNone).ok());
  EXPECT_EQ(RowOf(decoder, 0), (std::vector<Value>{std::string("in place")}));
  std::string tight = R"({"columns":[{"name":"s","type":"varchar"}],"data":[["copied"]]})";
  tight.shrink_to_fit();
  ASSERT_TRUE(decoder.Decode(tight, kNone).ok());
  EXPECT_EQ(RowOf(decoder, 0), (std::vector<Value>{std::string("copied")}));
}

TEST(TrinoPageDecoder, ReadsDataThatComesBeforeItsColumns) {
  absl::StatusOr<TrinoPage> page =
      ParseTrinoPage(R"({"data":[[7,"x"]],"id":"q","columns":[{"name":"n","type":"bigint"},)"
                     R"({"name":"s","type":"varchar"}]})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->rows, (std::vector<std::vector<Value>>{{int64_t{7}, std::string("x")}}));
  // The page's own columns win over an earlier page's, wherever they are.
  page = ParseTrinoPage(R"({"data":[["7"]],"columns":[{"name":"s","type":"varchar"}]})",
                        {Column{"n", "bigint"}});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->rows, (std::vector<std::vector<Value>>{{std::string("7")}}));
}

TEST(TrinoPageDecoder, GivesContainersAndNumbersInTextColumnsAsCompactJsonWithNumbersAsSent) {
  absl::StatusOr<TrinoPage> page = ParseTrinoPage(
      R"j({"columns":[{"name":"a","type":"array(varchar)"},{"name":"m","type":"map(varchar,integer)"},)j"
      R"j({"name":"d","type":"decimal(38,18)"},{"name":"r","type":"row(x double)"}],)j"
      R"j("data":[[ ["a", "b\n", null] , {"z": 1, "a": [true, false]}, 0.123456789123456789, [2.50] ]]})j");
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0][0], Value(std::string(R"(["a","b\n",null])")));
  EXPECT_EQ(page->rows[0][1], Value(std::string(R"({"z":1,"a":[true,false]})")));  // the order sent
  EXPECT_EQ(page->rows[0][2], Value(std::string("0.123456789123456789")));         // not through a double
  EXPECT_EQ(page->rows[0][3], Value(std::string("[2.50]")));
}

TEST(TrinoPageDecoder, ReadsRealsAndTheirSpecialStrings) {
  absl::StatusOr<TrinoPage> page =
      ParseTrinoPage(R"({"columns":[{"name":"d","type":"double"}],"data":[[1.5],[3],["-Infinity"],[1e-3]]})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->rows, (std::vector<std::vector<Value>>{
                            {1.5}, {3.0}, {-std::numeric_limits<double>::infinity()}, {0.001}}));
}

TEST(TrinoPageDecoder, DamageAnywhereIsNotJsonEvenAfterTheRowsOrAfterAProtocolError) {
  const std::vector<std::string> damaged = {
      R"({"columns":[{"name":"n","type":"bigint"}],"data":[[1],[2]]} trailing)",
      R"({"columns":[{"name":"n","type":"bigint"}],"data":[[1],[2]],"stats":{"x":[1,,2]}})",
      R"({"columns":[{"name":"n","type":"bigint"}],"data":[[1],[2]],"warnings":[tru]})",
      R"({"columns":[{"name":"n","type":"bigint"}],"data":[["wrong kind"]],"stats":{"x":01}})",
      R"({"columns":[{"name":"n","type":"bigint"}],"data":[[1],[2])",
      "{\"id\":\"\xff\"}",
      "",
      "   ",
      "nul",
      std::string("{\"id\":\"q\"}\0trailing", 20),  // nlohmann::json stopped at the NUL and used the page
  };
  for (const std::string& text : damaged) {
    EXPECT_EQ(ParseTrinoPage(text).status().code(), absl::StatusCode::kUnavailable) << text;
  }
}

TEST(TrinoPageDecoder, SkipsAByteOrderMark) {
  absl::StatusOr<TrinoPage> page = ParseTrinoPage("\xEF\xBB\xBF{\"id\":\"q\"}");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->id, "q");
}

TEST(TrinoPageDecoder, NamesTheColumnAndTheKindOfAWrongValue) {
  absl::StatusOr<TrinoPage> page =
      ParseTrinoPage(R"({"columns":[{"name":"ok","type":"boolean"}],"data":[[{"a":1}]]})");
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(page.status().message(), HasSubstr("column 'ok' (boolean): expected a boolean, got object"));
  page = ParseTrinoPage(R"({"columns":[{"name":"n","type":"integer"}],"data":[[18446744073709551615]]})");
  EXPECT_THAT(page.status().message(), HasSubstr("expected an integer within 64 bits, got number"));
  page = ParseTrinoPage(R"({"columns":[{"name":"n","type":"integer"}],"data":[[-9223372036854775809]]})");
  EXPECT_EQ(page.status().code(), absl::StatusCode::kInternal) << page.status();
}

TEST(TrinoPageDecoder, ReadsTheQueryErrorAndIgnoresMembersOfTheWrongKind) {
  absl::StatusOr<TrinoPage> page = ParseTrinoPage(
      R"({"id":7,"stats":{"state":"FAILED","progress":[1,{"a":null}]},"error":{"message":"line 1:8: no",)"
      R"("errorName":"SYNTAX_ERROR","errorType":"USER_ERROR","errorCode":1,)"
      R"("errorLocation":{"lineNumber":1,"columnNumber":-8},"failureInfo":{"stack":["a","b"]}}})");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->id, "");  // not a string: as common/json_fields.h reads it
  EXPECT_EQ(page->state, "FAILED");
  ASSERT_TRUE(page->error.has_value());
  EXPECT_EQ(page->error->error_name, "SYNTAX_ERROR");
  EXPECT_EQ(page->error->error_code, 1);
  EXPECT_EQ(page->error->line, 1);
  EXPECT_EQ(page->error->column, 0);  // outside 0..INT_MAX
}

}  // namespace
}  // namespace creditbot
