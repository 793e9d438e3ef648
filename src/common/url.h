// URLs and percent-coding through libcurl, so that every client reads a URL the way the HTTP client that
// fetches it does: ParseUrl (libcurl's URL API, curl_url) for the Socket Mode websocket URL, Trino's
// addresses, the S3 endpoint and the transport's redacted error text; PercentEncode / PercentDecode
// (curl_easy_escape / curl_easy_unescape) for SigV4, Looker, Slack form bodies and Trino session values.
// Stateless and thread-safe (libcurl's URL API and escaping need no global init since 7.82).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {

// RFC 3986 percent-encoding: the unreserved bytes A-Z a-z 0-9 - . _ ~ stay as they are, every other byte
// becomes %XX with upper-case hex ("a b/c" → "a%20b%2Fc"). Bytes in `keep` stay too ('/' in an S3 object
// key, ':' in a LookML dashboard id). Also a form value (application/x-www-form-urlencoded, as Slack and
// Looker take it: a space is %20, never '+').
std::string PercentEncode(std::string_view text, std::string_view keep = "");

// Decodes each %XX (either case); a '%' not followed by two hex digits stays as it is. '+' stays '+'.
std::string PercentDecode(std::string_view text);

// Decodes each %XX; nullopt when a '%' is not followed by two hex digits or encodes a NUL byte (%00).
std::optional<std::string> PercentDecodeStrict(std::string_view text);

// A form value (application/x-www-form-urlencoded): '+' is a space, then PercentDecode.
std::string FormDecode(std::string_view text);

// An absolute URL's parts as libcurl reads them, with the stricter rules every caller here shares.
struct ParsedUrl {
  std::string scheme;               // lower case ("wss", "https", "trino")
  std::optional<std::string> user;  // still percent-encoded; nullopt without user info ("" for "@host")
  bool has_password = false;        // "user:password@"; the password itself is never kept
  std::string host;                 // lower case; an IPv6 address in brackets, as libcurl writes it ("[::1]")
  std::optional<int> port;          // the explicit port (1-65535); nullopt when the URL names none
  std::string path;                 // as written (no dot-segment removal), at least "/"
  std::optional<std::string> query;  // without the '?', still percent-encoded; "" for a bare '?'
  std::string fragment;              // without the '#'; "" when none

  // "host:port" with `default_port` when the URL names none ("[::1]:9000" for IPv6).
  std::string HostPort(int default_port) const;
  // The host, and ":port" when the URL names one ("example.com", "example.com:8443").
  std::string Authority() const;
};

// Parses an absolute URL of any scheme. Beyond libcurl (which already refuses a missing scheme or host, a
// bad IPv6 literal, a port above 65535, spaces and control characters), it refuses what libcurl lets
// through as browsers do: an empty port after ':' ("host:/"), port 0, an empty authority ("wss:///path",
// which libcurl would read as host "path"), an IPv6 zone id, and host names of other characters than
// letters, digits, '.', '-' and '_'. Note that libcurl normalizes IP literals ("127.1" → "127.0.0.1",
// "[0::1]" → "[::1]"). kInvalidArgument otherwise, with a message that never repeats the URL (it may carry
// credentials or tickets).
absl::StatusOr<ParsedUrl> ParseUrl(std::string_view text);

// True when `host` (as ParseUrl gives it) is this machine, so traffic to it never crosses a network:
// "localhost", "127.0.0.1" or IPv6's "::1" (also bracketed, "[::1]", as libcurl gives it). The one rule for
// every "plain http only on loopback" check. Only the canonical addresses: the rest of 127.0.0.0/8 is
// loopback on Linux but not in every network namespace or OS, and this rule decides where a secret may
// travel unencrypted.
bool IsLoopbackHost(std::string_view host);

// `url` without user info, query and fragment, for error messages ("https://user:pw@host/p?token=x#f" →
// "https://host/p"); "(malformed URL)" when libcurl cannot parse it, so nothing of it is ever echoed.
std::string RedactedUrl(std::string_view url);

}  // namespace creditbot
