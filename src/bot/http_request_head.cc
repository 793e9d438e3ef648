// HttpRequestHead: see http_request_head.h.
#include "bot/http_request_head.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {
namespace {

// RFC 9110's tchar: what a method or a header field name is made of.
bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

std::string HttpFrontRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(ToAbsl(key), ToAbsl(name))) return value;
  }
  return "";
}

HttpRequestHead::State HttpRequestHead::Parse(std::string_view received) {
  if (state_ != State::kNeedMore) return state_;
  while (true) {
    const std::size_t newline = received.find('\n', line_start_);
    if (newline == std::string_view::npos) break;
    // A line is read only when it ends within the limit, so the answer does not depend on how the bytes
    // arrived (HttpFront never holds more than the limit + 1 while reading a head).
    if (newline + 1 > limits_.max_header_bytes) break;  // refused below
    std::string_view line = received.substr(line_start_, newline - line_start_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line_start_ = newline + 1;
    if (line.empty()) {
      if (lines_ == 0) continue;  // blank lines before a request line are allowed
      return EndOfHead(newline + 1);
    }
    ++lines_;
    if (lines_ - 1 > limits_.max_header_count) {
      return Refuse(431, absl::StrCat("more than ", limits_.max_header_count, " header fields"));
    }
    if (lines_ == 1 ? !ReadRequestLine(line) : !ReadHeaderLine(line)) return state_;
  }
  if (received.size() > limits_.max_header_bytes) {
    return Refuse(431,
                  absl::StrCat("the request line and headers exceed ", limits_.max_header_bytes, " bytes"));
  }
  return state_;
}

HttpRequestHead::State HttpRequestHead::Refuse(int status, std::string reason) {
  refusal_status_ = status;
  refusal_reason_ = std::move(reason);
  state_ = State::kRefused;
  return state_;
}

bool HttpRequestHead::ReadRequestLine(std::string_view line) {
  const std::size_t first = line.find(' ');
  const std::size_t last = line.rfind(' ');
  if (first == std::string_view::npos || first == last || first == 0) {
    Refuse(400, "malformed request line");
    return false;
  }
  const std::string_view method = line.substr(0, first);
  const std::string_view target = line.substr(first + 1, last - first - 1);
  const std::string_view version = line.substr(last + 1);
  if (!std::all_of(method.begin(), method.end(), IsTokenChar) || target.empty() ||
      target.find(' ') != std::string_view::npos || (version != "HTTP/1.1" && version != "HTTP/1.0")) {
    Refuse(400, "malformed request line");
    return false;
  }
  request_.method = std::string(method);
  request_.target = std::string(target);
  request_.path = std::string(target.substr(0, target.find('?')));
  keep_alive_ = version == "HTTP/1.1";
  return true;
}

bool HttpRequestHead::ReadHeaderLine(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      !std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(colon), IsTokenChar)) {
    // Also refuses obsolete line folding (a line starting with a space).
    Refuse(400, "malformed header field");
    return false;
  }
  request_.headers.emplace_back(std::string(line.substr(0, colon)),
                                std::string(TrimOws(line.substr(colon + 1))));
  return true;
}

HttpRequestHead::State HttpRequestHead::EndOfHead(std::size_t body_start) {
  const std::string connection = absl::AsciiStrToLower(request_.Header("Connection"));
  if (absl::StrContains(connection, "close")) keep_alive_ = false;
  if (absl::StrContains(connection, "keep-alive")) keep_alive_ = true;
  if (!request_.Header("Transfer-Encoding").empty()) {
    return Refuse(411, "send Content-Length: Transfer-Encoding is not supported");
  }
  std::string length_text;
  for (const auto& [name, value] : request_.headers) {
    if (!absl::EqualsIgnoreCase(name, "Content-Length")) continue;
    if (!length_text.empty() && length_text != value)
      return Refuse(400, "conflicting Content-Length headers");
    length_text = value;
  }
  std::uint64_t length = 0;
  if (!length_text.empty() && (!AllDigits(length_text) || !absl::SimpleAtoi(length_text, &length))) {
    return Refuse(400, "malformed Content-Length");
  }
  if (length > limits_.max_body_bytes) {
    return Refuse(413,
                  absl::StrCat("request body is ", length, " bytes; the limit is ", limits_.max_body_bytes));
  }
  body_start_ = body_start;
  content_length_ = static_cast<std::size_t>(length);
  expects_continue_ = absl::EqualsIgnoreCase(request_.Header("Expect"), "100-continue");
  state_ = State::kComplete;
  return state_;
}

}  // namespace creditbot
