// Decoding one Amazon Athena GetQueryResults page (JSON 1.1):
//   {"NextToken": "…",
//    "ResultSet": {"ResultSetMetadata": {"ColumnInfo": [{"Name", "Type", "Precision", "Scale", …}, …]},
//                  "Rows": [{"Data": [{"VarCharValue": "…"}, {}, …]}, …]},
//    "UpdateCount": 0}
// into borrowed rows (warehouse.h's CellView). Athena sends every value as text (VarCharValue) and a NULL
// as a Datum without VarCharValue; the column's Type says what the text is. The first row of a SELECT's
// first page is the header row (the column labels), not data: the caller says which page it is.
//
// The page is parsed with simdjson's DOM parser (members may come in any order: the columns are needed to
// convert the rows, and Rows may precede ResultSetMetadata); string cells point into the parser's buffer.
// A decoder reused page after page keeps its buffers.
//
// Values by column type (lower-cased; the base name before '(' or ' '):
//   tinyint, smallint, integer, int, bigint → int64, exactly (never through a double)
//   boolean                                 → int64 1 / 0 ("true" / "false")
//   double, float, real                     → double ("NaN", "Infinity", "-Infinity" included)
//   decimal, date, timestamp, varchar, char, time, interval, json, array, map, row, varbinary, … → the text
//                                             unchanged (decimals stay exact)
//   a Datum without VarCharValue           → Null
// A decimal column's type is given as "decimal(P,S)" when Athena sends Precision (and Scale).
//
// Errors: kUnavailable for a body that is not JSON (cut off on the way, a proxy's page); kInternal when the
// answer breaks the API's shape: not an object, no ResultSet, Rows or Data that are not arrays, a Datum
// that is not an object or whose VarCharValue is not a string, a column without a Name or Type, no
// ColumnInfo while rows have data, a row whose width differs from the columns, a text that is not a value
// of its column's type (naming the row, the column and its type), a NextToken that is not a non-empty
// string.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "warehouse/warehouse.h"

namespace creditbot {

class AthenaResultsDecoder {
 public:
  AthenaResultsDecoder();
  ~AthenaResultsDecoder();
  AthenaResultsDecoder(const AthenaResultsDecoder&) = delete;
  AthenaResultsDecoder& operator=(const AthenaResultsDecoder&) = delete;

  // Decodes `json`. `first_page`: the page answering the first GetQueryResults of a SELECT, whose first
  // row is the header row and is skipped. On success columns(), next_token() and Row() describe this page
  // until the next Decode; on an error they are unspecified.
  absl::Status Decode(std::string_view json, bool first_page);

  // The page's columns (ColumnInfo); empty when the page had none.
  const std::vector<Column>& columns() const { return columns_; }
  // NextToken; nullopt on the last page.
  const std::optional<std::string>& next_token() const { return next_token_; }
  std::size_t row_count() const { return columns_.empty() ? 0 : cells_.size() / columns_.size(); }
  // Row `index` (< row_count()), borrowed: valid until the next Decode.
  RowView Row(std::size_t index) const {
    return RowView(cells_).subspan(index * columns_.size(), columns_.size());
  }

 private:
  struct Parser;  // simdjson's DOM parser (athena_results.cc)

  std::unique_ptr<Parser> parser_;
  std::vector<Column> columns_;
  std::optional<std::string> next_token_;
  std::vector<CellView> cells_;  // row after row, columns_.size() cells each
};

// One page decoded into owning values (tests, the fuzz target).
struct AthenaResultsPage {
  std::vector<Column> columns;
  std::vector<std::vector<Value>> rows;
  std::optional<std::string> next_token;
};

// A decoder's result copied out. Errors as AthenaResultsDecoder::Decode.
absl::StatusOr<AthenaResultsPage> ParseAthenaResults(std::string_view json, bool first_page);

}  // namespace creditbot
