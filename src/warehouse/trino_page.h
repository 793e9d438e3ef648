// Decoding one Trino/Presto QueryResults page (the client REST protocol's answer to the POST and to each GET
// of nextUri): TrinoPageDecoder, the fast path the client uses, and ParseTrinoPage, the same decoding into
// owning values.
//
// Pages are decoded with simdjson's On Demand API straight into borrowed cells (warehouse.h's CellView): a
// string cell points into the decoder's buffer instead of being copied, and a decoder reused page after page
// allocates nothing per row once warm (issue 20). Every byte of the page is still read and checked, so a
// page that is not JSON anywhere is refused as a whole, as a full JSON parser would refuse it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "warehouse/warehouse.h"

namespace creditbot {

// One error reported by the server inside a 200 page (QueryError).
struct TrinoQueryError {
  std::string message;
  std::string error_name;  // e.g. "SYNTAX_ERROR"
  std::string error_type;  // USER_ERROR, INTERNAL_ERROR, INSUFFICIENT_RESOURCES, EXTERNAL
  int64_t error_code = 0;
  int line = 0, column = 0;  // errorLocation; 0 when absent
};

// One decoded QueryResults page.
struct TrinoPage {
  std::string id;
  std::string state;                    // stats.state, "" when absent
  std::optional<std::string> next_uri;  // absent: the query is complete
  std::vector<Column> columns;          // empty when the page has none
  std::vector<std::vector<Value>> rows;
  std::optional<TrinoQueryError> error;
};

// Decodes pages into borrowed rows. One decoder serves one query at a time; reuse it for every page.
//
// Values: tinyint/smallint/integer/bigint → int64 exactly (any 64-bit value, never through a double);
// boolean → int64 0/1; real/double → double, the strings "NaN", "Infinity", "-Infinity" included; decimal,
// number, date, time, timestamp, interval, varchar, char, uuid, varbinary (base64), json and other
// string-encoded types → the string, unescaped and otherwise unchanged; a non-string value in such a column
// (array/map/row, or a decimal some old server sent as a number) → its JSON text: compact, members in the
// order sent, numbers exactly as sent (nothing rounded); null → Null. Column types are lower-cased.
//
// Errors: kUnavailable for a body that is not JSON (cut off on the way, or a proxy's page), wherever the
// damage is (a NUL byte, or values nested more than 1,000 levels deep, included; a leading UTF-8 byte order
// mark is skipped); kInternal when the server
// broke the protocol: not a JSON object; `data` that is an object
// ("spooling protocol not supported"); data without columns; a row whose width differs from the columns; a
// value of the wrong JSON kind for its column (naming the column and its type).
class TrinoPageDecoder {
 public:
  TrinoPageDecoder();
  ~TrinoPageDecoder();
  TrinoPageDecoder(const TrinoPageDecoder&) = delete;
  TrinoPageDecoder& operator=(const TrinoPageDecoder&) = delete;

  // Decodes `json`. Rows are decoded with the page's columns, or `known_columns` (from an earlier page)
  // when the page has none. On success, head() and Row() describe this page until the next Decode; on an
  // error they are unspecified. `json` is copied into the decoder's padded buffer.
  absl::Status Decode(std::string_view json, const std::vector<Column>& known_columns);
  // The same, parsing `body` in place when its capacity already holds simdjson's padding (a response body
  // usually does); `body` must then stay alive and unchanged until the next Decode.
  absl::Status Decode(std::string& body, const std::vector<Column>& known_columns);

  // The page without its rows (head().rows is always empty).
  const TrinoPage& head() const { return head_; }
  std::size_t row_count() const { return width_ == 0 ? 0 : cells_.size() / width_; }
  // Row `index` (< row_count()), borrowed: valid until the next Decode.
  RowView Row(std::size_t index) const { return RowView(cells_).subspan(index * width_, width_); }

 private:
  struct Parser;  // simdjson's On Demand parser and the walk over one page (trino_page.cc)
  friend struct Parser;

  absl::Status DecodePadded(const char* data, std::size_t size, std::size_t capacity,
                            const std::vector<Column>& known_columns);

  std::unique_ptr<Parser> parser_;
  std::string padded_;  // the copy of a page that had no room for the padding, reused
  TrinoPage head_;
  std::size_t width_ = 0;
  std::vector<CellView> cells_;    // row after row, width_ cells each
  std::deque<std::string> texts_;  // the JSON text of non-string values in text columns (stable addresses)
};

// Decodes one page body into owning values (tests, the fuzz target, one-off callers): a TrinoPageDecoder's
// result copied out. Errors as TrinoPageDecoder::Decode.
absl::StatusOr<TrinoPage> ParseTrinoPage(std::string_view json,
                                         const std::vector<Column>& known_columns = {});

}  // namespace creditbot
