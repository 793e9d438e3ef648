// Looker base-URL parsing and link classification on top of libcurl's URL API; see looker_url.h.
#include "core/looker_url.h"

#include <curl/curl.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {
namespace {

// Longest numeric id we accept: 18 digits always fit an int64.
constexpr std::size_t kMaxNumericIdLength = 18;

struct CurlUrlDeleter {
  void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

// A URL split into the parts we compare; produced only by libcurl.
struct UrlParts {
  std::string scheme;  // lower-cased
  std::string host;    // lower-cased
  int port = 0;        // effective
  bool has_userinfo = false;
  std::string path;  // dot segments resolved, starts with '/'
  std::optional<std::string> query;
  std::optional<std::string> fragment;
};

std::optional<std::string> GetPart(CURLU* handle, CURLUPart part, unsigned int flags = 0) {
  char* value = nullptr;
  if (curl_url_get(handle, part, &value, flags) != CURLUE_OK || value == nullptr) return std::nullopt;
  std::string result(value);
  curl_free(value);
  return result;
}

// Parses `url` with libcurl (schemes it supports only). The error text is libcurl's own.
absl::StatusOr<UrlParts> SplitUrl(std::string_view url) {
  // libcurl reads a C string: an embedded NUL would silently cut the URL short.
  if (url.find('\0') != std::string_view::npos) return absl::InvalidArgumentError("contains a NUL byte");
  CurlUrl handle(curl_url());
  if (handle == nullptr) return absl::ResourceExhaustedError("curl_url() failed");
  const std::string text(url);
  if (CURLUcode rc = curl_url_set(handle.get(), CURLUPART_URL, text.c_str(), 0); rc != CURLUE_OK) {
    return absl::InvalidArgumentError(curl_url_strerror(rc));
  }
  UrlParts parts;
  std::optional<std::string> scheme = GetPart(handle.get(), CURLUPART_SCHEME);
  std::optional<std::string> host = GetPart(handle.get(), CURLUPART_HOST);
  std::optional<std::string> port = GetPart(handle.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host || !port || !absl::SimpleAtoi(*port, &parts.port)) {
    return absl::InvalidArgumentError("no scheme, host or port");
  }
  parts.scheme = absl::AsciiStrToLower(*scheme);
  parts.host = absl::AsciiStrToLower(*host);
  parts.has_userinfo = GetPart(handle.get(), CURLUPART_USER).has_value() ||
                       GetPart(handle.get(), CURLUPART_PASSWORD).has_value() ||
                       GetPart(handle.get(), CURLUPART_OPTIONS).has_value();
  parts.path = GetPart(handle.get(), CURLUPART_PATH).value_or("/");
  parts.query = GetPart(handle.get(), CURLUPART_QUERY);
  parts.fragment = GetPart(handle.get(), CURLUPART_FRAGMENT);
  return parts;
}

int DefaultPort(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

bool IsNumericId(std::string_view s) {
  if (s.empty() || s.size() > kMaxNumericIdLength) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsSlug(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// LookML model, explore and dashboard names.
bool IsLookmlName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

// Splits on every `separator`, keeping empty pieces.
std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  while (true) {
    const std::size_t at = text.find(separator);
    pieces.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return pieces;
    text.remove_prefix(at + 1);
  }
}

// The raw value of the first `qid` parameter, if any.
std::optional<std::string_view> FindQid(const std::optional<std::string>& query) {
  if (!query) return std::nullopt;
  for (std::string_view param : Split(*query, '&')) {
    std::size_t eq = param.find('=');
    if (param.substr(0, eq) != "qid") continue;
    return eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
  }
  return std::nullopt;
}

// Classifies the path (and qid) of a URL already known to be on the Looker host.
void ClassifyLookerPath(const UrlParts& parts, LookerRef& ref) {
  ref.kind = LinkKind::kLookerOther;
  std::string_view path = parts.path;
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (!path.starts_with('/')) return;
  path.remove_prefix(1);
  std::vector<std::string_view> segments = Split(path, '/');
  for (std::string_view segment : segments) {
    if (segment.empty()) return;
  }
  bool embedded = false;
  if (segments.size() > 1 && segments[0] == "embed") {
    embedded = true;
    segments.erase(segments.begin());
  }
  const std::string_view section = segments[0];

  if (segments.size() == 2 && section == "looks" && IsNumericId(segments[1])) {
    ref.kind = LinkKind::kLook;
    ref.id = segments[1];
  } else if (segments.size() == 2 && section == "x" && IsSlug(segments[1])) {
    ref.kind = LinkKind::kShare;
    ref.id = segments[1];
  } else if (segments.size() == 2 && embedded && section == "query-visualization" && IsSlug(segments[1])) {
    ref.kind = LinkKind::kQueryVisualization;
    ref.id = segments[1];
  } else if (segments.size() == 3 && (section == "explore" || (embedded && section == "query")) &&
             IsLookmlName(segments[1]) && IsLookmlName(segments[2])) {
    std::optional<std::string_view> qid = FindQid(parts.query);
    if (qid.has_value() && !IsSlug(*qid)) return;        // a qid we cannot use: not silently an expanded URL
    if (!qid.has_value() && section == "query") return;  // the old embed form always carries a qid
    ref.kind = LinkKind::kExplore;
    ref.id = qid.value_or("");
    ref.model = segments[1];
    ref.explore = segments[2];
  } else if (segments.size() == 2 && (section == "dashboards" || section == "dashboards-next")) {
    std::string_view id = segments[1];
    if (IsNumericId(id)) {
      ref.kind = LinkKind::kDashboard;
      ref.id = id;
      return;
    }
    std::size_t sep = id.find("::");
    if (sep == std::string_view::npos) return;
    std::string_view model = id.substr(0, sep);
    std::string_view name = id.substr(sep + 2);
    if (!IsLookmlName(model) || !IsLookmlName(name)) return;
    ref.kind = LinkKind::kLookmlDashboard;
    ref.id = id;
    ref.model = model;
  }
}

}  // namespace

std::string LookerBase::Origin() const {
  if (port == DefaultPort(scheme)) return absl::StrCat(scheme, "://", host);
  return absl::StrCat(scheme, "://", host, ":", port);
}

absl::StatusOr<LookerBase> ParseLookerBase(std::string_view base_url) {
  const std::string shown = absl::StrCat("Looker base URL \"", ToAbsl(base_url), "\"");
  absl::StatusOr<UrlParts> parts = SplitUrl(base_url);
  if (!parts.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(shown, " is not a valid URL (", parts.status().message(),
                                                   "); expected e.g. https://looker.example.com"));
  }
  if (parts->scheme != "https" && parts->scheme != "http") {
    return absl::InvalidArgumentError(absl::StrCat(shown, " must start with https:// or http://"));
  }
  if (parts->has_userinfo) {
    return absl::InvalidArgumentError(absl::StrCat(shown, " must not contain a user name or password"));
  }
  if (parts->path != "/") {
    return absl::InvalidArgumentError(absl::StrCat(shown, " must not have a path (found \"", parts->path,
                                                   "\"); give the web address users see, without /api/…"));
  }
  if (parts->query) return absl::InvalidArgumentError(absl::StrCat(shown, " must not have a query (?…)"));
  if (parts->fragment)
    return absl::InvalidArgumentError(absl::StrCat(shown, " must not have a fragment (#…)"));
  LookerBase base;
  base.scheme = std::move(parts->scheme);
  base.host = std::move(parts->host);
  base.port = parts->port;
  return base;
}

std::string_view LinkKindName(LinkKind kind) {
  switch (kind) {
    case LinkKind::kLook:
      return "look";
    case LinkKind::kExplore:
      return "explore";
    case LinkKind::kShare:
      return "share";
    case LinkKind::kDashboard:
      return "dashboard";
    case LinkKind::kLookmlDashboard:
      return "lookml_dashboard";
    case LinkKind::kQueryVisualization:
      return "query";
    case LinkKind::kLookerOther:
      return "looker_other";
    case LinkKind::kOther:
      return "other";
  }
  return "other";
}

LookerRef ClassifyLink(std::string_view url, const LookerBase& base) {
  LookerRef ref;
  ref.url = std::string(url);
  absl::StatusOr<UrlParts> parts = SplitUrl(url);
  if (!parts.ok()) return ref;
  if (parts->has_userinfo || parts->scheme != base.scheme || parts->host != base.host ||
      parts->port != base.port || base.host.empty()) {
    return ref;
  }
  ClassifyLookerPath(*parts, ref);
  return ref;
}

}  // namespace creditbot
