// The transport-independent half of http_transport.h: header lookup, HTTP status → canonical code, and
// Retry-After parsing.
#include "net/http_transport.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [header_name, value] : headers) {
    if (absl::EqualsIgnoreCase(ToAbsl(header_name), ToAbsl(name))) return value;
  }
  return std::nullopt;
}

absl::Status HttpStatusToError(int status, std::string_view what) {
  if (status >= 200 && status < 300) return absl::OkStatus();
  const std::string message = absl::StrCat(ToAbsl(what), ": HTTP ", status);
  switch (status) {
    case 429:
    case 502:
    case 503:
    case 504:
      return absl::UnavailableError(message);
    case 408:
      return absl::DeadlineExceededError(message);
    case 401:
      return absl::UnauthenticatedError(message);
    case 403:
      return absl::PermissionDeniedError(message);
    case 404:
      return absl::NotFoundError(message);
    case 409:
      return absl::AbortedError(message);
    default:
      break;
  }
  if (status >= 400 && status < 500) return absl::InvalidArgumentError(message);
  if (status >= 500 && status < 600) return absl::InternalError(message);
  // 1xx and 3xx never reach a client (no redirects are followed): a protocol surprise.
  return absl::InternalError(absl::StrCat(message, " (unexpected status)"));
}

std::optional<absl::Duration> RetryAfter(const HttpResponse& response, absl::Time now, absl::Duration cap) {
  std::optional<std::string> header = response.Header("retry-after");
  if (!header) return std::nullopt;
  const absl::string_view value = absl::StripAsciiWhitespace(*header);
  if (value.empty()) return std::nullopt;
  absl::Duration delay;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    if (seconds < 0) return std::nullopt;
    delay = absl::Seconds(seconds);
  } else {
    // An HTTP date (RFC 9110 IMF-fixdate), e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
    absl::Time when;
    std::string error;
    if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", value, absl::UTCTimeZone(), &when, &error)) {
      return std::nullopt;
    }
    delay = when - now;
    if (delay < absl::ZeroDuration()) delay = absl::ZeroDuration();
  }
  return delay > cap ? cap : delay;
}

}  // namespace creditbot
