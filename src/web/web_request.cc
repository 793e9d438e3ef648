// Query strings, form bodies, cookies and HTML escaping for the dashboard; see web_request.h.
#include "web/web_request.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/strings.h"
#include "common/url.h"

namespace creditbot {

std::map<std::string, std::string> ParseFormFields(std::string_view text) {
  std::map<std::string, std::string> fields;
  for (absl::string_view part : absl::StrSplit(ToAbsl(text), '&', absl::SkipEmpty())) {
    const std::size_t equals = part.find('=');
    const absl::string_view name = equals == absl::string_view::npos ? part : part.substr(0, equals);
    const absl::string_view value = equals == absl::string_view::npos ? "" : part.substr(equals + 1);
    fields.emplace(FormDecode(ToStd(name)), FormDecode(ToStd(value)));
  }
  return fields;
}

std::map<std::string, std::string> ParseQueryOf(std::string_view target) {
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  const std::size_t hash = query.find('#');
  if (hash != std::string_view::npos) query = query.substr(0, hash);
  return ParseFormFields(query);
}

std::string CookieValue(std::string_view cookie_header, std::string_view name) {
  for (absl::string_view part : absl::StrSplit(ToAbsl(cookie_header), ';')) {
    part = absl::StripAsciiWhitespace(part);
    const std::size_t equals = part.find('=');
    if (equals == absl::string_view::npos) continue;
    if (part.substr(0, equals) == ToAbsl(name)) return std::string(part.substr(equals + 1));
  }
  return "";
}

std::string SetCookieValue(std::string_view name, std::string_view value, const CookieOptions& options) {
  std::string cookie = absl::StrCat(ToAbsl(name), "=", ToAbsl(value), "; Path=/; HttpOnly; SameSite=Lax");
  if (options.secure) absl::StrAppend(&cookie, "; Secure");
  if (options.max_age < absl::ZeroDuration()) {
    absl::StrAppend(&cookie, "; Max-Age=0");
  } else if (options.max_age > absl::ZeroDuration()) {
    absl::StrAppend(&cookie, "; Max-Age=", absl::ToInt64Seconds(options.max_age));
  }
  return cookie;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace creditbot
