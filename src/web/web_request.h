// The pieces of an HTTP request and answer the dashboard reads and writes: the query string and a form body
// (application/x-www-form-urlencoded), one cookie of the Cookie header, a Set-Cookie value, and text made
// safe for HTML. Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace creditbot {

// "a=1&b=x+y" → {a: "1", b: "x y"} (form decoding: '+' is a space, %XX decoded). A name given twice keeps
// its first value; a part without '=' is a name with an empty value.
std::map<std::string, std::string> ParseFormFields(std::string_view text);

// The query of a request target ("/history?status=awaiting" → {status: "awaiting"}); empty without '?'.
std::map<std::string, std::string> ParseQueryOf(std::string_view target);

// The value of cookie `name` in a Cookie header ("a=1; creditbot_session=xyz" → "xyz"), or "" when absent.
std::string CookieValue(std::string_view cookie_header, std::string_view name);

struct CookieOptions {
  bool secure = true;      // Secure: sent over https only
  absl::Duration max_age;  // Max-Age in seconds; zero: a session cookie; negative: delete it (Max-Age=0)
};

// A Set-Cookie value: "NAME=VALUE; Path=/; HttpOnly; SameSite=Lax[; Secure][; Max-Age=N]". `value` must be
// cookie-safe (base64url here).
std::string SetCookieValue(std::string_view name, std::string_view value, const CookieOptions& options);

// `text` with & < > " ' escaped, for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

}  // namespace creditbot
