// .env parsing.
#include "app/env_file.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace creditbot {
namespace {

bool IsNameChar(char c, bool first) {
  return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         (!first && absl::ascii_isdigit(static_cast<unsigned char>(c)));
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseEnvFile(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> result;
  std::vector<absl::string_view> lines = absl::StrSplit(ToAbsl(text), '\n');
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t line_number = i + 1;
    absl::string_view line = absl::StripAsciiWhitespace(lines[i]);
    if (line.empty() || line.front() == '#') continue;
    if (absl::StartsWith(line, "export ")) line = absl::StripLeadingAsciiWhitespace(line.substr(7));
    std::size_t eq = line.find('=');
    absl::string_view name =
        eq == absl::string_view::npos ? line : absl::StripTrailingAsciiWhitespace(line.substr(0, eq));
    bool valid_name = eq != std::string_view::npos && !name.empty();
    for (std::size_t c = 0; valid_name && c < name.size(); ++c) valid_name = IsNameChar(name[c], c == 0);
    if (!valid_name)
      return absl::InvalidArgumentError(absl::StrCat(".env line ", line_number, ": expected NAME=value"));
    absl::string_view raw = absl::StripLeadingAsciiWhitespace(line.substr(eq + 1));
    std::string value;
    if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
      const char quote = raw.front();
      std::size_t pos = 1;
      bool closed = false;
      // A double-quoted value may continue over several lines, like python-dotenv allows.
      std::string buffer(raw);
      while (true) {
        for (; pos < buffer.size(); ++pos) {
          char c = buffer[pos];
          if (c == quote) {
            closed = true;
            break;
          }
          if (quote == '"' && c == '\\' && pos + 1 < buffer.size()) {
            char next = buffer[++pos];
            value += next == 'n' ? '\n' : next == 't' ? '\t' : next;
          } else {
            value += c;
          }
        }
        if (closed || quote != '"' || i + 1 >= lines.size()) break;
        value += '\n';
        ++i;
        buffer = std::string(lines[i]);
        pos = 0;
      }
      if (!closed)
        return absl::InvalidArgumentError(absl::StrCat(".env line ", line_number, ": unterminated quote"));
      absl::string_view rest = absl::StripAsciiWhitespace(absl::string_view(buffer).substr(pos + 1));
      if (!rest.empty() && rest.front() != '#') {
        return absl::InvalidArgumentError(
            absl::StrCat(".env line ", line_number, ": text after closing quote"));
      }
    } else {
      std::size_t comment = raw.find(" #");
      value = std::string(absl::StripTrailingAsciiWhitespace(raw.substr(0, comment)));
    }
    result.emplace_back(std::string(name), std::move(value));
  }
  return result;
}

}  // namespace creditbot
