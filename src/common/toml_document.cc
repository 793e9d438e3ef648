// The hardened TOML parse: screening for inputs toml++ 3.3 cannot survive, then toml++ with its internal
// assertions turned into an error.
#include "common/toml_document.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {

void FailTomlPrecondition() { throw TomlPreconditionFailed(); }

namespace {

// Refuses what toml++ 3.3 itself cannot survive, before it sees the text (both found by
// fuzz/policy_toml_fuzz; kept as corpus inputs):
//   - a table header whose key starts with a character that cannot start a key, e.g. "[<]" or "[[[a]]]":
//     toml++ asserts (debug) or has undefined behaviour (release) (marzer/tomlplusplus#294, #301). Every
//     line that starts (after blanks) with '[' is checked, which is stricter than TOML only inside
//     multi-line arrays or strings, where no policy value needs such a line;
//   - non-ASCII characters: toml++'s Unicode whitespace table reaches __builtin_unreachable for code points
//     such as U+0494. TOML files are therefore ASCII only (regular expressions can use \x{...}).
// Errors name source:line:column like toml++'s own.
absl::Status ScreenForTomlPlusPlus(std::string_view text, std::string_view source) {
  auto refuse = [&](int line, size_t column, std::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(source), ":", line, ":", column, ": ", std::string(what)));
  };
  auto starts_key = [](char ch) {
    return absl::ascii_isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '"' ||
           ch == '\'' || ch == ']';
  };
  auto skip_blanks = [&](size_t pos) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    return pos;
  };
  size_t line_start = 0;
  for (int line = 1;; ++line) {
    size_t newline = text.find('\n', line_start);
    size_t line_end = newline == std::string_view::npos ? text.size() : newline;
    for (size_t pos = line_start; pos < line_end; ++pos) {
      if (static_cast<unsigned char>(text[pos]) >= 0x80) {
        return refuse(line, pos - line_start + 1, "the file must be ASCII (found a non-ASCII byte)");
      }
    }
    size_t pos = skip_blanks(line_start);
    if (pos < line_end && text[pos] == '[') {
      pos = skip_blanks(pos + 1);
      if (pos < line_end && text[pos] == '[') pos = skip_blanks(pos + 1);
      // A line break right after the bracket is as bad as any other non-key character; only the end of
      // the text is left to toml++ (which reports it).
      if (pos < text.size() && (pos == line_end || !starts_key(text[pos]))) {
        return refuse(line, pos - line_start + 1,
                      "a table header must start with a key (a letter, digit, '_', '-' or a quote)");
      }
    }
    if (newline == std::string_view::npos) break;
    line_start = newline + 1;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<toml::table> ParseTomlDocument(std::string_view text, std::string_view source_name) {
  CREDITBOT_RETURN_IF_ERROR(ScreenForTomlPlusPlus(text, source_name));
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    const toml::source_position& begin = error.source().begin;
    // toml++'s descriptions may span lines; an error is one line wherever it is shown (log, DM, doctor).
    std::vector<absl::string_view> words =
        absl::StrSplit(ToAbsl(error.description()), absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
    return absl::InvalidArgumentError(absl::StrCat(std::string(source_name), ":", begin.line, ":",
                                                   begin.column, ": ", absl::StrJoin(words, " ")));
  } catch (const TomlPreconditionFailed&) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(source_name), ": not valid TOML (the parser stopped at a malformed construct)"));
  }
}

}  // namespace creditbot
