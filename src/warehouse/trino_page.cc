// Trino page decoding with simdjson On Demand (see trino_page.h): one walk over the page that reads every
// value, decoding the rows' cells by their column's type and checking the rest is JSON.
#include "warehouse/trino_page.h"

#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;
using simdjson::SUCCESS;

absl::Status ProtocolError(std::string_view what) {
  return absl::InternalError(absl::StrCat("Trino sent an unusable page: ", ToAbsl(what)));
}

absl::Status NotJson() {
  // Cut off on the way, or a proxy's error page with a 200: the query can be run again later.
  return absl::UnavailableError(
      "Trino sent a page that is not JSON (cut off on the way?); will try again later");
}

// The deepest nesting read (a page's own members are a few levels deep; simdjson's limit is 1,024).
constexpr int kMaxDepth = 1000;

// How a column's cells are decoded.
enum class Kind { kInteger, kBoolean, kReal, kText };

// "decimal(3, 1)" → "decimal"; "timestamp(3) with time zone" → "timestamp"; "INTERVAL DAY TO SECOND" →
// "interval". `type` is already lower case.
Kind KindOf(std::string_view type) {
  const std::string_view base = type.substr(0, type.find_first_of("( "));
  if (base == "tinyint" || base == "smallint" || base == "integer" || base == "bigint") return Kind::kInteger;
  if (base == "boolean") return Kind::kBoolean;
  if (base == "double" || base == "real") return Kind::kReal;
  return Kind::kText;
}

// The JSON kind's name, as error messages have always said it.
std::string_view KindName(od::json_type type) {
  switch (type) {
    case od::json_type::array:
      return "array";
    case od::json_type::object:
      return "object";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "value";
}

// `text` as a JSON string: quotes, backslashes and control characters escaped, everything else (UTF-8
// included) as it is.
void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[(static_cast<unsigned char>(c) >> 4) & 0xf]);
          out.push_back(kHex[static_cast<unsigned char>(c) & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

std::string_view TrimTrailingSpace(std::string_view text) {
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

// A number's text as sent (with the spaces after it).
std::string_view RawToken(od::value& value) { return value.raw_json_token(); }
std::string_view RawToken(od::document& doc) {
  std::string_view raw;
  if (doc.raw_json_token().get(raw) != SUCCESS) return {};
  return raw;
}

// Checks that `value` is a number. simdjson 3.0's get_number() refuses integers beyond 64 bits, which JSON
// allows (a full parser reads them as doubles): get_double() reads those.
template <typename V>
error_code CheckNumber(V& value) {
  od::number number;
  if (value.get_number().get(number) == SUCCESS) return SUCCESS;
  double real = 0;
  return value.get_double().get(real);
}

// Calls on_member(key, value) for each member of the object `value` (an od::value or an od::document), in
// order; the first error stops. A member's value that on_member leaves unread is skipped.
template <typename V, typename F>
error_code ForEachMember(V& value, F&& on_member) {
  od::object object;
  if (error_code e = value.get_object().get(object)) return e;
  for (auto member : object) {
    od::field field;
    if (error_code e = std::move(member).get(field)) return e;
    std::string_view key;
    if (error_code e = field.unescaped_key().get(key)) return e;
    if (error_code e = on_member(key, field.value())) return e;
  }
  return SUCCESS;
}

// Calls on_element(element) for each element of the array `value`, in order; the first error stops.
template <typename V, typename F>
error_code ForEachElement(V& value, F&& on_element) {
  od::array array;
  if (error_code e = value.get_array().get(array)) return e;
  for (auto child : array) {
    od::value element;
    if (error_code e = child.get(element)) return e;
    if (error_code e = on_element(element)) return e;
  }
  return SUCCESS;
}

// Reads `value` (an od::value or a scalar od::document) whole, so every byte of it is checked to be JSON,
// and appends its compact text to `out` unless `out` is null. An error means it is not JSON.
template <typename V>
error_code Walk(V& value, std::string* out, int depth = 0) {
  // simdjson's On Demand iterator keeps a position per level (1,024 by default) and does not check the
  // depth itself.
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  od::json_type type{};
  if (error_code e = value.type().get(type)) return e;
  bool first = true;
  auto separate = [&] {
    if (out != nullptr && !first) out->push_back(',');
    first = false;
  };
  switch (type) {
    case od::json_type::array: {
      if (out != nullptr) out->push_back('[');
      if (error_code e = ForEachElement(value, [&](od::value& element) {
            separate();
            return Walk(element, out, depth + 1);
          })) {
        return e;
      }
      if (out != nullptr) out->push_back(']');
      return SUCCESS;
    }
    case od::json_type::object: {
      if (out != nullptr) out->push_back('{');
      if (error_code e = ForEachMember(value, [&](std::string_view key, od::value& member) {
            separate();
            if (out != nullptr) {
              AppendJsonString(*out, key);
              out->push_back(':');
            }
            return Walk(member, out, depth + 1);
          })) {
        return e;
      }
      if (out != nullptr) out->push_back('}');
      return SUCCESS;
    }
    case od::json_type::number: {
      const std::string_view raw = RawToken(value);
      if (error_code e = CheckNumber(value)) return e;
      if (out != nullptr) out->append(TrimTrailingSpace(raw));  // exactly as sent: nothing rounded
      return SUCCESS;
    }
    case od::json_type::string: {
      std::string_view text;
      if (error_code e = value.get_string().get(text)) return e;
      if (out != nullptr) AppendJsonString(*out, text);
      return SUCCESS;
    }
    case od::json_type::boolean: {
      bool flag = false;
      if (error_code e = value.get_bool().get(flag)) return e;
      if (out != nullptr) out->append(flag ? "true" : "false");
      return SUCCESS;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (error_code e = value.is_null().get(is_null)) return e;
      if (!is_null) return simdjson::INCORRECT_TYPE;
      if (out != nullptr) out->append("null");
      return SUCCESS;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// True when `doc` has been read to its end: nothing follows the value.
bool AtEnd(od::document& doc) { return doc.current_location().error() == simdjson::OUT_OF_BOUNDS; }

// A string member's text, or nullopt when it is not a string (common/json_fields.h reads members so), the
// value read whole either way.
error_code StringOrNone(od::value& value, std::optional<std::string>& out) {
  od::json_type type{};
  if (error_code e = value.type().get(type)) return e;
  out.reset();
  if (type != od::json_type::string) return Walk(value, nullptr);
  std::string_view text;
  if (error_code e = value.get_string().get(text)) return e;
  out.emplace(text);
  return SUCCESS;
}

// The same, "" when it is not a string.
error_code StringOrEmpty(od::value& value, std::string& out) {
  std::optional<std::string> text;
  if (error_code e = StringOrNone(value, text)) return e;
  out = text.value_or("");
  return SUCCESS;
}

// An integer member: its value when it is an integer, nullopt otherwise; read whole either way.
error_code IntegerOrNone(od::value& value, std::optional<int64_t>& out) {
  od::json_type type{};
  if (error_code e = value.type().get(type)) return e;
  out.reset();
  if (type != od::json_type::number) return Walk(value, nullptr);
  od::number number;
  if (value.get_number().get(number) != SUCCESS) return CheckNumber(value);  // beyond 64 bits
  if (number.is_int64()) out = number.get_int64();
  if (number.is_uint64()) out = static_cast<int64_t>(number.get_uint64());
  return SUCCESS;
}

// An int member of errorLocation: 0 when missing, not an integer, or outside 0..INT_MAX.
error_code LocationNumber(od::value& value, int& out) {
  std::optional<int64_t> number;
  if (error_code e = IntegerOrNone(value, number)) return e;
  const int64_t n = number.value_or(0);
  out = n < 0 || n > std::numeric_limits<int>::max() ? 0 : static_cast<int>(n);
  return SUCCESS;
}

}  // namespace

// The simdjson parser and the walk over one page, filling the decoder's head, cells and texts.
struct TrinoPageDecoder::Parser {
  od::parser parser;
  TrinoPageDecoder* decoder = nullptr;
  // The first way the page breaks the protocol, outside `data` and inside the `data` decoded last (a
  // `data` decoded again with other columns forgets what its first decoding found).
  std::optional<absl::Status> protocol, data_protocol;
  bool in_data = false;
  std::vector<Kind> kinds;  // the current data's column kinds

  void Broken(absl::Status status) {
    std::optional<absl::Status>& first = in_data ? data_protocol : protocol;
    if (!first) first = std::move(status);
  }
  std::optional<absl::Status> FirstBroken() const { return protocol ? protocol : data_protocol; }

  // The kind of `value`, or an error when it is not JSON.
  static error_code TypeOf(od::value& value, od::json_type& type) { return value.type().get(type); }

  error_code Page(od::document& doc, const std::vector<Column>& known_columns) {
    od::json_type type{};
    if (error_code e = doc.type().get(type)) return e;
    if (type != od::json_type::object) {
      if (error_code e = Walk(doc, nullptr)) return e;
      if (!AtEnd(doc)) return simdjson::TRAILING_CONTENT;
      Broken(ProtocolError("not a JSON object"));
      return SUCCESS;
    }
    TrinoPage& head = decoder->head_;
    // Rows need their columns: when `data` comes before `columns` (or a later `columns` replaces the one it
    // was decoded with), it is only checked on the first walk and decoded on a second one.
    bool data_seen = false, decode_again = false;
    if (error_code e = ForEachMember(doc, [&](std::string_view key, od::value& value) -> error_code {
          if (key == "id") return StringOrEmpty(value, head.id);
          if (key == "stats") return Stats(value, head.state);
          if (key == "nextUri") return NextUri(value, head.next_uri);
          if (key == "error") return Error(value, head.error);
          if (key == "columns") {
            decode_again = decode_again || data_seen;
            return Columns(value, head.columns);
          }
          if (key != "data") return Walk(value, nullptr);
          data_seen = true;
          const std::vector<Column>& columns = head.columns.empty() ? known_columns : head.columns;
          if (!columns.empty()) return Data(value, columns);
          decode_again = true;
          return Walk(value, nullptr);
        })) {
      return e;
    }
    if (!AtEnd(doc)) return simdjson::TRAILING_CONTENT;
    if (!decode_again) return SUCCESS;
    // Second walk: the whole page is JSON by now; decode the (last) `data` with the page's final columns.
    doc.rewind();
    const std::vector<Column>& columns = head.columns.empty() ? known_columns : head.columns;
    return ForEachMember(doc, [&](std::string_view key, od::value& value) {
      return key == "data" ? Data(value, columns) : SUCCESS;  // the rest is skipped: already checked
    });
  }

  error_code Stats(od::value& value, std::string& state) {
    od::json_type type{};
    if (error_code e = TypeOf(value, type)) return e;
    state.clear();
    if (type != od::json_type::object) return Walk(value, nullptr);
    return ForEachMember(value, [&](std::string_view key, od::value& member) {
      return key == "state" ? StringOrEmpty(member, state) : Walk(member, nullptr);
    });
  }

  error_code NextUri(od::value& value, std::optional<std::string>& next_uri) {
    od::json_type type{};
    if (error_code e = TypeOf(value, type)) return e;
    if (error_code e = StringOrNone(value, next_uri)) return e;
    if (next_uri && next_uri->empty()) next_uri.reset();
    if (!next_uri && type != od::json_type::null) Broken(ProtocolError("nextUri is not a string"));
    return SUCCESS;
  }

  error_code Error(od::value& value, std::optional<TrinoQueryError>& error) {
    od::json_type type{};
    if (error_code e = TypeOf(value, type)) return e;
    error.reset();
    if (type != od::json_type::object) {
      if (type != od::json_type::null) Broken(ProtocolError("error is not an object"));
      return Walk(value, nullptr);
    }
    TrinoQueryError& out = error.emplace();
    return ForEachMember(value, [&](std::string_view key, od::value& member) -> error_code {
      if (key == "message") return StringOrEmpty(member, out.message);
      if (key == "errorName") return StringOrEmpty(member, out.error_name);
      if (key == "errorType") return StringOrEmpty(member, out.error_type);
      if (key == "errorCode") {
        std::optional<int64_t> code;
        if (error_code e = IntegerOrNone(member, code)) return e;
        out.error_code = code.value_or(0);
        return SUCCESS;
      }
      if (key == "errorLocation") return Location(member, out);
      return Walk(member, nullptr);
    });
  }

  error_code Location(od::value& value, TrinoQueryError& out) {
    od::json_type type{};
    if (error_code e = TypeOf(value, type)) return e;
    out.line = out.column = 0;
    if (type != od::json_type::object) return Walk(value, nullptr);
    return ForEachMember(value, [&](std::string_view key, od::value& member) {
      if (key == "lineNumber") return LocationNumber(member, out.line);
      if (key == "columnNumber") return LocationNumber(member, out.column);
      return Walk(member, nullptr);
    });
  }

  error_code Columns(od::value& value, std::vector<Column>& columns) {
    od::json_type type{};
    if (error_code e = TypeOf(value, type)) return e;
    columns.clear();
    if (type != od::json_type::array) {
      if (type != od::json_type::null) Broken(ProtocolError("columns is not an array"));
      return Walk(value, nullptr);
    }
    return ForEachElement(value, [&](od::value& column) { return OneColumn(column, columns); });
  }

  error_code OneColumn(od::value& value, std::vector<Column>& columns) {
    od::json_type type{};
    if (error_code e = TypeOf(value, type)) return e;
    if (type != od::json_type::object) {
      Broken(ProtocolError("a column is not an object"));
      return Walk(value, nullptr);
    }
    std::optional<std::string> name, column_type;
    if (error_code e = ForEachMember(value, [&](std::string_view key, od::value& member) {
          if (key == "name") return StringOrNone(member, name);
          if (key == "type") return StringOrNone(member, column_type);
          return Walk(member, nullptr);
        })) {
      return e;
    }
    if (!name || !column_type) {
      Broken(ProtocolError("a column without a name or type"));
      return SUCCESS;
    }
    columns.push_back(Column{*std::move(name), absl::AsciiStrToLower(*column_type)});
    return SUCCESS;
  }

  error_code Data(od::value& value, const std::vector<Column>& columns) {
    data_protocol.reset();
    in_data = true;
    const error_code e = DataRows(value, columns);
    in_data = false;
    return e;
  }

  error_code DataRows(od::value& value, const std::vector<Column>& columns) {
    decoder->cells_.clear();
    decoder->texts_.clear();
    decoder->width_ = columns.size();
    od::json_type type{};
    if (error_code e = TypeOf(value, type)) return e;
    if (type == od::json_type::null) return Walk(value, nullptr);
    if (type == od::json_type::object) {
      Broken(
          ProtocolError("'data' is an object: the spooling protocol is not supported (creditbot never sends "
                        "X-Trino-Query-Data-Encoding; is a proxy adding it?)"));
      return Walk(value, nullptr);
    }
    if (type != od::json_type::array) {
      Broken(ProtocolError("'data' is not an array"));
      return Walk(value, nullptr);
    }
    kinds.clear();
    for (const Column& column : columns) kinds.push_back(KindOf(column.type));
    return ForEachElement(value, [&](od::value& row) -> error_code {
      if (!columns.empty()) return Row(row, columns);
      Broken(ProtocolError("data without columns"));
      return Walk(row, nullptr);
    });
  }

  error_code Row(od::value& value, const std::vector<Column>& columns) {
    const std::size_t width = columns.size();
    auto wrong_width = [&] {
      Broken(ProtocolError(absl::StrCat("a row is not an array of ", width, " values")));
    };
    od::json_type type{};
    if (error_code e = TypeOf(value, type)) return e;
    if (type != od::json_type::array) {
      wrong_width();
      return Walk(value, nullptr);
    }
    std::vector<CellView>& cells = decoder->cells_;
    const std::size_t first = cells.size();
    cells.resize(first + width);
    std::size_t index = 0;
    if (error_code e = ForEachElement(value, [&](od::value& cell) {
          const std::size_t i = index++;
          if (i >= width) return Walk(cell, nullptr);
          return Cell(cell, columns[i], kinds[i], cells[first + i]);
        })) {
      return e;
    }
    if (index != width) {
      wrong_width();
      cells.resize(first);
    }
    return SUCCESS;
  }

  error_code Cell(od::value& value, const Column& column, Kind kind, CellView& cell) {
    od::json_type type{};
    if (error_code e = TypeOf(value, type)) return e;
    cell = Null{};
    auto wrong = [&](std::string_view expected) {
      Broken(ProtocolError(absl::StrCat("column '", column.name, "' (", column.type, "): expected ",
                                        ToAbsl(expected), ", got ", ToAbsl(KindName(type)))));
    };
    if (type == od::json_type::null) return Walk(value, nullptr);
    switch (kind) {
      case Kind::kInteger: {
        if (type != od::json_type::number) {
          wrong("an integer");
          return Walk(value, nullptr);
        }
        od::number number;
        if (value.get_number().get(number) != SUCCESS) {
          if (error_code e = CheckNumber(value)) return e;
          wrong("an integer");  // beyond 64 bits: a full parser reads it as a double
          return SUCCESS;
        }
        if (number.is_int64()) {
          cell = number.get_int64();
        } else if (number.is_uint64()) {
          wrong("an integer within 64 bits");
        } else {
          wrong("an integer");
        }
        return SUCCESS;
      }
      case Kind::kBoolean: {
        if (type != od::json_type::boolean) {
          wrong("a boolean");
          return Walk(value, nullptr);
        }
        bool flag = false;
        if (error_code e = value.get_bool().get(flag)) return e;
        cell = int64_t{flag ? 1 : 0};
        return SUCCESS;
      }
      case Kind::kReal:
        return Real(value, type, cell, wrong);
      case Kind::kText: {
        if (type == od::json_type::string) {
          std::string_view text;
          if (error_code e = value.get_string().get(text)) return e;
          cell = text;
          return SUCCESS;
        }
        // array/map/row (and a decimal some old server sent as a number): the JSON text, nothing rounded.
        std::string& text = decoder->texts_.emplace_back();
        if (error_code e = Walk(value, &text)) return e;
        cell = std::string_view(text);
        return SUCCESS;
      }
    }
    return SUCCESS;
  }

  // A real/double cell: a number, or one of the strings Trino writes for the values JSON has no number for.
  template <typename Wrong>
  static error_code Real(od::value& value, od::json_type type, CellView& cell, Wrong& wrong) {
    constexpr std::string_view kExpected = R"(a number, "NaN", "Infinity" or "-Infinity")";
    if (type == od::json_type::number) {
      double real = 0;
      if (error_code e = value.get_double().get(real)) return e;
      cell = real;
      return SUCCESS;
    }
    if (type != od::json_type::string) {
      wrong(kExpected);
      return Walk(value, nullptr);
    }
    std::string_view text;
    if (error_code e = value.get_string().get(text)) return e;
    if (text == "NaN") {
      cell = std::numeric_limits<double>::quiet_NaN();
    } else if (text == "Infinity") {
      cell = std::numeric_limits<double>::infinity();
    } else if (text == "-Infinity") {
      cell = -std::numeric_limits<double>::infinity();
    } else {
      wrong(kExpected);
    }
    return SUCCESS;
  }
};

TrinoPageDecoder::TrinoPageDecoder() : parser_(std::make_unique<Parser>()) { parser_->decoder = this; }
TrinoPageDecoder::~TrinoPageDecoder() = default;

absl::Status TrinoPageDecoder::Decode(std::string_view json, const std::vector<Column>& known_columns) {
  padded_.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  padded_.assign(json);
  return DecodePadded(padded_.data(), padded_.size(), padded_.capacity(), known_columns);
}

absl::Status TrinoPageDecoder::Decode(std::string& body, const std::vector<Column>& known_columns) {
  if (body.capacity() < body.size() + simdjson::SIMDJSON_PADDING) {
    return Decode(std::string_view(body), known_columns);
  }
  return DecodePadded(body.data(), body.size(), body.capacity(), known_columns);
}

absl::Status TrinoPageDecoder::DecodePadded(const char* data, std::size_t size, std::size_t capacity,
                                            const std::vector<Column>& known_columns) {
  head_ = TrinoPage{};
  width_ = 0;
  cells_.clear();
  texts_.clear();
  parser_->protocol.reset();
  parser_->data_protocol.reset();
  // A UTF-8 byte order mark is skipped, as JSON parsers (nlohmann::json before) do.
  if (std::string_view(data, size).substr(0, 3) == "\xEF\xBB\xBF") {
    data += 3;
    size -= 3;
    capacity -= 3;
  }
  od::document doc;
  if (parser_->parser.iterate(data, size, capacity).get(doc) != SUCCESS) return NotJson();
  // Nesting beyond kMaxDepth (DEPTH_ERROR) is refused as not JSON too: no Trino page nests so deep, and every
  // such page of the fuzz corpus was damaged JSON.
  if (parser_->Page(doc, known_columns) != SUCCESS) return NotJson();
  if (std::optional<absl::Status> broken = parser_->FirstBroken()) return *std::move(broken);
  return absl::OkStatus();
}

absl::StatusOr<TrinoPage> ParseTrinoPage(std::string_view json, const std::vector<Column>& known_columns) {
  TrinoPageDecoder decoder;
  if (absl::Status status = decoder.Decode(json, known_columns); !status.ok()) return status;
  TrinoPage page = decoder.head();
  page.rows.reserve(decoder.row_count());
  for (std::size_t i = 0; i < decoder.row_count(); ++i) {
    std::vector<Value>& row = page.rows.emplace_back();
    for (const CellView& cell : decoder.Row(i)) row.push_back(ToValue(cell));
  }
  return page;
}

}  // namespace creditbot
