// Athena GetQueryResults pages with simdjson's DOM parser (see athena_results.h).
#include "warehouse/athena_results.h"

#include <simdjson.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {
namespace {

namespace dom = simdjson::dom;
using simdjson::SUCCESS;

absl::Status ShapeError(std::string_view what) {
  return absl::InternalError(absl::StrCat("Athena sent an unusable GetQueryResults page: ", ToAbsl(what)));
}

// How a column's texts are converted.
enum class Kind { kInteger, kBoolean, kReal, kText };

Kind KindOf(std::string_view type) {
  const std::string_view base = type.substr(0, type.find_first_of("( "));
  if (base == "tinyint" || base == "smallint" || base == "integer" || base == "int" || base == "bigint") {
    return Kind::kInteger;
  }
  if (base == "boolean") return Kind::kBoolean;
  if (base == "double" || base == "float" || base == "real") return Kind::kReal;
  return Kind::kText;
}

std::optional<CellView> Convert(Kind kind, std::string_view text) {
  switch (kind) {
    case Kind::kInteger: {
      int64_t value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
      return CellView(value);
    }
    case Kind::kBoolean:
      if (text == "true") return CellView(int64_t{1});
      if (text == "false") return CellView(int64_t{0});
      return std::nullopt;
    case Kind::kReal: {
      // from_chars takes "nan" and "inf"/"infinity" (any case, signed) but not a leading '+'.
      double value = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
      return CellView(value);
    }
    case Kind::kText:
      break;
  }
  return CellView(text);
}

}  // namespace

struct AthenaResultsDecoder::Parser {
  dom::parser parser;
  std::vector<Kind> kinds;
};

AthenaResultsDecoder::AthenaResultsDecoder() : parser_(std::make_unique<Parser>()) {}
AthenaResultsDecoder::~AthenaResultsDecoder() = default;

absl::Status AthenaResultsDecoder::Decode(std::string_view json, bool first_page) {
  columns_.clear();
  next_token_.reset();
  cells_.clear();
  dom::element root;
  if (parser_->parser.parse(json.data(), json.size(), /*realloc_if_needed=*/true).get(root) != SUCCESS) {
    return absl::UnavailableError(
        "Athena sent a GetQueryResults page that is not JSON (cut off on the way?); will try again later");
  }
  dom::object page;
  if (root.get_object().get(page) != SUCCESS) return ShapeError("not a JSON object");

  dom::element token;
  if (page["NextToken"].get(token) == SUCCESS && !token.is_null()) {
    std::string_view text;
    if (token.get_string().get(text) != SUCCESS || text.empty())
      return ShapeError("NextToken is not a string");
    next_token_ = std::string(text);
  }
  dom::object result_set;
  if (page["ResultSet"].get_object().get(result_set) != SUCCESS) return ShapeError("no ResultSet object");

  // Columns first, whatever the member order.
  std::vector<Kind>& kinds = parser_->kinds;
  kinds.clear();
  dom::object metadata;
  if (result_set["ResultSetMetadata"].get_object().get(metadata) == SUCCESS) {
    dom::array infos;
    if (metadata["ColumnInfo"].get_array().get(infos) == SUCCESS) {
      for (dom::element info : infos) {
        std::string_view name, type;
        if (info["Name"].get_string().get(name) != SUCCESS ||
            info["Type"].get_string().get(type) != SUCCESS) {
          return ShapeError(absl::StrCat("column ", columns_.size() + 1, " has no Name or Type"));
        }
        std::string lower = absl::AsciiStrToLower(ToAbsl(type));
        int64_t precision = 0, scale = 0;
        if (lower == "decimal" && info["Precision"].get_int64().get(precision) == SUCCESS) {
          if (info["Scale"].get_int64().get(scale) != SUCCESS) scale = 0;
          lower = absl::StrCat("decimal(", precision, ",", scale, ")");
        }
        kinds.push_back(KindOf(lower));
        columns_.push_back(Column{std::string(name), std::move(lower)});
      }
    }
  }

  dom::element rows_element;
  if (result_set["Rows"].get(rows_element) != SUCCESS || rows_element.is_null()) return absl::OkStatus();
  dom::array rows;
  if (rows_element.get_array().get(rows) != SUCCESS) return ShapeError("Rows is not an array");
  const std::size_t width = columns_.size();
  std::size_t index = 0;
  for (dom::element row : rows) {
    ++index;
    dom::object row_object;
    if (row.get_object().get(row_object) != SUCCESS) {
      return ShapeError(absl::StrCat("row ", index, " is not an object"));
    }
    dom::element data_element;
    dom::array data;
    std::size_t size = 0;
    const bool has_data = row_object["Data"].get(data_element) == SUCCESS && !data_element.is_null();
    if (has_data) {
      if (data_element.get_array().get(data) != SUCCESS) {
        return ShapeError(absl::StrCat("row ", index, ": Data is not an array"));
      }
      size = data.size();
    }
    if (first_page && index == 1) continue;  // the header row: the column labels
    if (size != width) {
      return ShapeError(absl::StrCat("row ", index, " has ", size, " values for ", width, " columns"));
    }
    if (!has_data) continue;  // a row of no columns
    std::size_t column = 0;
    for (dom::element datum : data) {
      dom::object cell;
      if (datum.get_object().get(cell) != SUCCESS) {
        return ShapeError(
            absl::StrCat("row ", index, ", column ", column + 1, ": a Datum that is not an object"));
      }
      dom::element value;
      if (cell["VarCharValue"].get(value) != SUCCESS || value.is_null()) {
        cells_.emplace_back(Null{});
      } else {
        std::string_view text;
        if (value.get_string().get(text) != SUCCESS) {
          return ShapeError(
              absl::StrCat("row ", index, ", column ", column + 1, ": VarCharValue is not a string"));
        }
        std::optional<CellView> converted = Convert(kinds[column], text);
        if (!converted) {
          return ShapeError(absl::StrCat("row ", index, ", column '", columns_[column].name, "' (",
                                         columns_[column].type, "): '", ToAbsl(text).substr(0, 40),
                                         "' is not a value of that type"));
        }
        cells_.push_back(*converted);
      }
      ++column;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AthenaResultsPage> ParseAthenaResults(std::string_view json, bool first_page) {
  AthenaResultsDecoder decoder;
  if (absl::Status status = decoder.Decode(json, first_page); !status.ok()) return status;
  AthenaResultsPage page;
  page.columns = decoder.columns();
  page.next_token = decoder.next_token();
  for (std::size_t i = 0; i < decoder.row_count(); ++i) {
    std::vector<Value>& row = page.rows.emplace_back();
    for (const CellView& cell : decoder.Row(i)) row.push_back(ToValue(cell));
  }
  return page;
}

}  // namespace creditbot
