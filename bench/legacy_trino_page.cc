// The Trino page decoder before issue 20 (nlohmann::json, a document per page, owning values), kept in the
// benchmark only as the baseline the simdjson decoder (src/warehouse/trino_page.h) is measured against and
// compared with (same rows, same errors). Copied from src/warehouse/trino_warehouse.cc at 398b559.
#include "legacy_trino_page.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/json_fields.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot::bench {
namespace {

using Json = nlohmann::json;

absl::Status ProtocolError(std::string_view what) {
  return absl::InternalError(absl::StrCat("Trino sent an unusable page: ", ToAbsl(what)));
}

// "decimal(3, 1)" → "decimal"; "timestamp(3) with time zone" → "timestamp"; "INTERVAL DAY TO SECOND" →
// "interval". `type` is already lower case.
std::string_view BaseType(std::string_view type) { return type.substr(0, type.find_first_of("( ")); }

absl::StatusOr<Value> DecodeValue(const Json& cell, const Column& column) {
  if (cell.is_null()) return Value(Null{});
  const std::string_view base = BaseType(column.type);
  auto wrong = [&](std::string_view expected) {
    return ProtocolError(absl::StrCat("column '", column.name, "' (", column.type, "): expected ",
                                      ToAbsl(expected), ", got ", cell.type_name()));
  };
  if (base == "tinyint" || base == "smallint" || base == "integer" || base == "bigint") {
    if (cell.is_number_unsigned()) {
      const auto value = cell.get<uint64_t>();
      if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return wrong("an integer within 64 bits");
      }
      return Value(static_cast<int64_t>(value));
    }
    if (cell.is_number_integer()) return Value(cell.get<int64_t>());
    return wrong("an integer");
  }
  if (base == "boolean") {
    if (!cell.is_boolean()) return wrong("a boolean");
    return Value(int64_t{cell.get<bool>() ? 1 : 0});
  }
  if (base == "double" || base == "real") {
    if (cell.is_number()) return Value(cell.get<double>());
    if (cell.is_string()) {
      const auto& text = cell.get_ref<const std::string&>();
      if (text == "NaN") return Value(std::numeric_limits<double>::quiet_NaN());
      if (text == "Infinity") return Value(std::numeric_limits<double>::infinity());
      if (text == "-Infinity") return Value(-std::numeric_limits<double>::infinity());
    }
    return wrong(R"(a number, "NaN", "Infinity" or "-Infinity")");
  }
  if (cell.is_string()) return Value(cell.get<std::string>());
  // array/map/row (and a decimal some old server sent as a number): the JSON text, nothing rounded.
  return Value(cell.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// An int member; 0 when missing, not an integer, or outside 0..INT_MAX.
int IntMember(const Json& object, const char* key) {
  const int64_t number = JsonIntegerMember(object, key).value_or(0);
  return number < 0 || number > std::numeric_limits<int>::max() ? 0 : static_cast<int>(number);
}

TrinoQueryError DecodeError(const Json& error) {
  TrinoQueryError out;
  out.message = JsonStringMember(error, "message");
  out.error_name = JsonStringMember(error, "errorName");
  out.error_type = JsonStringMember(error, "errorType");
  if (const std::optional<int64_t> code = JsonIntegerMember(error, "errorCode")) out.error_code = *code;
  if (const Json* location = JsonObjectMember(error, "errorLocation")) {
    out.line = IntMember(*location, "lineNumber");
    out.column = IntMember(*location, "columnNumber");
  }
  return out;
}

}  // namespace

absl::StatusOr<TrinoPage> LegacyParseTrinoPage(std::string_view json,
                                               const std::vector<Column>& known_columns) {
  const Json page = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (page.is_discarded()) {
    // Cut off on the way, or a proxy's error page with a 200: the query can be run again later.
    return absl::UnavailableError(
        "Trino sent a page that is not JSON (cut off on the way?); will try again later");
  }
  if (!page.is_object()) return ProtocolError("not a JSON object");
  TrinoPage out;
  out.id = JsonStringMember(page, "id");
  if (const Json* stats = JsonObjectMember(page, "stats")) {
    out.state = JsonStringMember(*stats, "state");
  }
  if (const Json* next = JsonMember(page, "nextUri"); next != nullptr && !next->is_null()) {
    if (!next->is_string() || next->get_ref<const std::string&>().empty()) {
      return ProtocolError("nextUri is not a string");
    }
    out.next_uri = next->get<std::string>();
  }
  if (const Json* error = JsonMember(page, "error"); error != nullptr && !error->is_null()) {
    if (!error->is_object()) return ProtocolError("error is not an object");
    out.error = DecodeError(*error);
  }
  if (const Json* columns = JsonMember(page, "columns"); columns != nullptr && !columns->is_null()) {
    if (!columns->is_array()) return ProtocolError("columns is not an array");
    for (const Json& column : *columns) {
      if (!column.is_object()) return ProtocolError("a column is not an object");
      const Json* name = JsonMember(column, "name");
      const Json* type = JsonMember(column, "type");
      if (name == nullptr || !name->is_string() || type == nullptr || !type->is_string()) {
        return ProtocolError("a column without a name or type");
      }
      out.columns.push_back(
          Column{name->get<std::string>(), absl::AsciiStrToLower(type->get_ref<const std::string&>())});
    }
  }
  const Json* data = JsonMember(page, "data");
  if (data == nullptr || data->is_null()) return out;
  if (data->is_object()) {
    return ProtocolError(
        "'data' is an object: the spooling protocol is not supported (creditbot never sends "
        "X-Trino-Query-Data-Encoding; is a proxy adding it?)");
  }
  if (!data->is_array()) return ProtocolError("'data' is not an array");
  if (data->empty()) return out;
  const std::vector<Column>& columns = out.columns.empty() ? known_columns : out.columns;
  if (columns.empty()) return ProtocolError("data without columns");
  out.rows.reserve(data->size());
  for (const Json& row : *data) {
    if (!row.is_array() || row.size() != columns.size()) {
      return ProtocolError(absl::StrCat("a row is not an array of ", columns.size(), " values"));
    }
    std::vector<Value> values;
    values.reserve(columns.size());
    for (std::size_t i = 0; i < columns.size(); ++i) {
      CREDITBOT_ASSIGN_OR_RETURN(Value value, DecodeValue(row[i], columns[i]));
      values.push_back(std::move(value));
    }
    out.rows.push_back(std::move(values));
  }
  return out;
}

}  // namespace creditbot::bench
