// URL parsing and percent-coding on libcurl's URL API and escaping functions (see url.h).
#include "common/url.h"

#include <curl/curl.h>

#include <algorithm>
#include <climits>
#include <memory>
#include <new>
#include <stdexcept>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/hex.h"
#include "common/strings.h"

namespace creditbot {
namespace {

struct CurlFree {
  void operator()(char* text) const { curl_free(text); }
};
using CurlText = std::unique_ptr<char, CurlFree>;

struct CurlUrlCleanup {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlCleanup>;

// libcurl's escaping takes an int length and at most CURL_MAX_INPUT_LENGTH (8 MB) at once; escaping is byte
// by byte, so longer text goes in pieces.
constexpr std::size_t kEscapeChunk = std::size_t{1} << 20;

void AppendEscaped(std::string_view text, std::string& out) {
  for (std::size_t at = 0; at < text.size(); at += kEscapeChunk) {
    const std::string_view piece = text.substr(at, kEscapeChunk);
    const CurlText escaped(curl_easy_escape(nullptr, piece.data(), static_cast<int>(piece.size())));
    if (escaped == nullptr) throw std::bad_alloc();
    out.append(escaped.get());
  }
}

// A part of `handle`, or nullopt when the URL has none.
std::optional<std::string> Part(CURLU* handle, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(handle, part, &value, 0) != CURLUE_OK || value == nullptr) return std::nullopt;
  const CurlText owned(value);
  return std::string(owned.get());
}

bool IsHostNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool IsIpv6Char(char c) { return HexDigitValue(c) >= 0 || c == ':' || c == '.'; }

// What libcurl takes as browsers do and the callers here refuse, read from the authority as written.
absl::Status CheckAuthorityAsWritten(std::string_view text) {
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return absl::InvalidArgumentError("not an absolute URL");
  const std::string_view rest = text.substr(scheme_end + 3);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.empty()) return absl::InvalidArgumentError("no host in the URL");
  if (authority.back() == ':') return absl::InvalidArgumentError("an empty port in the URL");
  return absl::OkStatus();
}

}  // namespace

std::string PercentEncode(std::string_view text, std::string_view keep) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t kept = keep.empty() ? std::string_view::npos : text.find_first_of(keep);
    AppendEscaped(text.substr(0, kept), out);
    if (kept == std::string_view::npos) break;
    out.push_back(text[kept]);
    text.remove_prefix(kept + 1);
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  if (text.empty()) return "";  // a length of 0 would make libcurl measure with strlen
  if (text.size() > INT_MAX) throw std::length_error("PercentDecode: text over 2 GiB");
  int length = 0;
  const CurlText decoded(curl_easy_unescape(nullptr, text.data(), static_cast<int>(text.size()), &length));
  if (decoded == nullptr) throw std::bad_alloc();
  return std::string(decoded.get(), static_cast<std::size_t>(length));
}

std::optional<std::string> PercentDecodeStrict(std::string_view text) {
  for (std::size_t i = text.find('%'); i != std::string_view::npos; i = text.find('%', i + 3)) {
    if (i + 2 >= text.size() || HexDigitValue(text[i + 1]) < 0 || HexDigitValue(text[i + 2]) < 0) {
      return std::nullopt;
    }
    if (text[i + 1] == '0' && text[i + 2] == '0') return std::nullopt;
  }
  return PercentDecode(text);
}

std::string FormDecode(std::string_view text) {
  std::string spaced(text);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  return PercentDecode(spaced);
}

std::string ParsedUrl::HostPort(int default_port) const {
  return absl::StrCat(host, ":", port.value_or(default_port));
}

std::string ParsedUrl::Authority() const { return port ? absl::StrCat(host, ":", *port) : host; }

absl::StatusOr<ParsedUrl> ParseUrl(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return absl::InvalidArgumentError("a NUL byte in the URL");
  CurlUrl handle(curl_url());
  if (handle == nullptr) return absl::ResourceExhaustedError("libcurl: curl_url failed");
  const std::string text_copy(text);
  if (const CURLUcode rc = curl_url_set(handle.get(), CURLUPART_URL, text_copy.c_str(),
                                        CURLU_NON_SUPPORT_SCHEME | CURLU_PATH_AS_IS);
      rc != CURLUE_OK) {
    return absl::InvalidArgumentError(absl::StrCat("malformed URL (", curl_url_strerror(rc), ")"));
  }
  if (absl::Status status = CheckAuthorityAsWritten(text); !status.ok()) return status;
  ParsedUrl url;
  url.scheme = absl::AsciiStrToLower(Part(handle.get(), CURLUPART_SCHEME).value_or(""));
  url.user = Part(handle.get(), CURLUPART_USER);
  url.has_password = Part(handle.get(), CURLUPART_PASSWORD).has_value();
  url.host = absl::AsciiStrToLower(Part(handle.get(), CURLUPART_HOST).value_or(""));
  if (Part(handle.get(), CURLUPART_ZONEID)) return absl::InvalidArgumentError("an IPv6 zone id in the URL");
  const bool ipv6 = url.host.size() >= 2 && url.host.front() == '[' && url.host.back() == ']';
  const std::string_view name = ipv6 ? std::string_view(url.host).substr(1, url.host.size() - 2) : url.host;
  if (name.empty() || !std::all_of(name.begin(), name.end(), ipv6 ? IsIpv6Char : IsHostNameChar)) {
    return absl::InvalidArgumentError("a bad host in the URL");
  }
  if (std::optional<std::string> port_text = Part(handle.get(), CURLUPART_PORT)) {
    int port = 0;
    if (!absl::SimpleAtoi(*port_text, &port) || port < 1 || port > 65535) {
      return absl::InvalidArgumentError("a bad port in the URL");
    }
    url.port = port;
  }
  // An absent or empty path is "/". (Built with push_back: GCC 12 at -O2 misreads assigning "/" to a
  // string here as an overlapping memcpy, -Werror=restrict, GCC bug 105329.)
  url.path = Part(handle.get(), CURLUPART_PATH).value_or("");
  if (url.path.empty()) url.path.push_back('/');
  url.query = Part(handle.get(), CURLUPART_QUERY);
  url.fragment = Part(handle.get(), CURLUPART_FRAGMENT).value_or("");
  return url;
}

std::string RedactedUrl(std::string_view url) {
  CurlUrl handle(curl_url());
  if (handle == nullptr || url.find('\0') != std::string_view::npos) return "(malformed URL)";
  const std::string text(url);
  if (curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), CURLU_NON_SUPPORT_SCHEME | CURLU_PATH_AS_IS) !=
      CURLUE_OK) {
    return "(malformed URL)";
  }
  for (const CURLUPart part :
       {CURLUPART_USER, CURLUPART_PASSWORD, CURLUPART_OPTIONS, CURLUPART_QUERY, CURLUPART_FRAGMENT}) {
    curl_url_set(handle.get(), part, nullptr, 0);
  }
  return Part(handle.get(), CURLUPART_URL).value_or("(malformed URL)");
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "::1" || host == "[::1]";
}

}  // namespace creditbot
