// Splits the warehouse schema script into table and index statements (see schema_script.h).
#include "synth/schema_script.h"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace creditbot::synth {

SchemaScript SplitSchema(std::string_view script) {
  SchemaScript result;
  std::string current;
  for (char c : script) {
    current += c;
    if (c != ';' || !sqlite3_complete(current.c_str())) continue;
    // The first keyword after leading blanks and comments says what the statement is.
    std::string_view rest = current;
    while (true) {
      const absl::string_view stripped =
          absl::StripLeadingAsciiWhitespace(absl::string_view(rest.data(), rest.size()));
      rest = std::string_view(stripped.data(), stripped.size());
      if (rest.starts_with("--")) {
        const std::size_t end = rest.find('\n');
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      } else {
        break;
      }
    }
    const std::string head =
        absl::AsciiStrToUpper(absl::string_view(rest.data(), std::min<std::size_t>(rest.size(), 20)));
    if (absl::StartsWith(head, "CREATE INDEX") || absl::StartsWith(head, "CREATE UNIQUE INDEX")) {
      result.indexes.push_back(std::move(current));
    } else if (!rest.empty()) {
      result.tables.push_back(std::move(current));
    }
    current.clear();
  }
  return result;
}

}  // namespace creditbot::synth
