// The process-wide logger: formatting, redaction, destinations.
#include "common/logging.h"

#include <re2/re2.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/cap_text.h"
#include "common/strings.h"

namespace creditbot {
namespace {

struct LoggerState {
  std::mutex mutex;
  LogOptions options;
  bool json_on_stderr = false;
  std::ofstream file;
  std::vector<std::string> secrets;
};

LoggerState& State() {
  static auto* state = new LoggerState();
  return *state;
}

thread_local LogFields context_fields;

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// Slack tokens (xoxb-, xoxp-, xapp-…), AWS access key ids, "Bearer …" (8 characters or more: RFC 6750's
// b64token) and "token …" (16 or more) credentials.
const RE2& CredentialPattern() {
  static const RE2 pattern(
      R"((xox[abeoprs]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{6,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}|(?i:token)\s+[A-Za-z0-9._~+/=-]{16,}))");
  return pattern;
}

// "Basic" and the base64 run after it (HTTP Basic credentials: base64 of user:password).
const RE2& BasicPattern() {
  static const RE2 pattern(R"((?i)\b(basic\s+)([A-Za-z0-9+/_-]{4,}={0,2}))");
  return pattern;
}

// A run that may be base64 (standard or URL-safe alphabet, padding optional): 6 characters or more, the
// shortest encoding of a 4-byte secret.
const RE2& Base64RunPattern() {
  static const RE2 pattern(R"(([A-Za-z0-9+/_-]{6,}={0,2}))");
  return pattern;
}

// Decodes `run` from its character `skip` on (so that every alignment of a run that does not start on a
// 4-character boundary is tried), accepting both alphabets and no padding; stops at the first character
// outside them (a `=`).
std::string DecodeBase64Loosely(std::string_view run, std::size_t skip) {
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (std::size_t i = skip; i < run.size(); ++i) {
    const char c = run[i];
    int value = -1;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '+' || c == '-')
      value = 62;
    else if (c == '/' || c == '_')
      value = 63;
    if (value < 0) break;
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

// Whether `run` is base64 of text holding one of `secrets`, or HTTP Basic's user:password (when `basic`).
bool HidesASecret(std::string_view run, const std::vector<std::string>& secrets, bool basic) {
  for (std::size_t skip = 0; skip < 4 && skip < run.size(); ++skip) {
    const std::string decoded = DecodeBase64Loosely(run, skip);
    if (basic && skip == 0 && decoded.find(':') != std::string::npos &&
        std::all_of(decoded.begin(), decoded.end(), [](char c) { return c >= 0x20 && c < 0x7f; })) {
      return true;
    }
    for (const std::string& secret : secrets) {
      if (decoded.find(secret) != std::string::npos) return true;
    }
  }
  return false;
}

// Replaces each match of `pattern` (group `group` is the base64 run) that HidesASecret with "[redacted]".
void RedactBase64(std::string& text, const RE2& pattern, int group, const std::vector<std::string>& secrets,
                  bool basic) {
  std::string result;
  re2::StringPiece input(text);
  re2::StringPiece groups[3];
  std::size_t copied = 0;
  std::size_t at = 0;
  while (at <= text.size() && pattern.Match(input, at, text.size(), RE2::UNANCHORED, groups, group + 1)) {
    const re2::StringPiece run = groups[group];
    const auto run_start = static_cast<std::size_t>(run.data() - text.data());
    const std::size_t run_end = run_start + run.size();
    if (HidesASecret(std::string_view(run.data(), run.size()), secrets, basic)) {
      result.append(text, copied, run_start - copied);
      result.append("[redacted]");
      copied = run_end;
    }
    const auto match_end = static_cast<std::size_t>(groups[0].data() - text.data()) + groups[0].size();
    at = match_end > at ? match_end : at + 1;
  }
  if (copied == 0) return;
  result.append(text, copied, std::string::npos);
  text = std::move(result);
}

std::string RenderText(absl::Time now, LogLevel level, std::string_view message, const LogFields& fields) {
  std::string line = absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone()), " ",
                                  absl::AsciiStrToUpper(ToAbsl(LevelName(level))), " ", ToAbsl(message));
  for (const auto& [key, value] : fields) {
    bool quote = value.empty() || value.find_first_of(" \t\"=") != std::string::npos;
    absl::StrAppend(&line, " ", key, "=",
                    quote ? absl::StrCat("\"", absl::StrReplaceAll(value, {{"\"", "\\\""}}), "\"") : value);
  }
  return line;
}

std::string RenderJson(absl::Time now, LogLevel level, std::string_view message, const LogFields& fields) {
  nlohmann::ordered_json line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone());
  line["level"] = LevelName(level);
  line["msg"] = message;
  for (const auto& [key, value] : fields) line[key] = value;
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

absl::Status ParseLogLevel(std::string_view text, LogLevel& level) {
  std::string lower = absl::AsciiStrToLower(ToAbsl(text));
  if (lower == "debug")
    level = LogLevel::kDebug;
  else if (lower == "info")
    level = LogLevel::kInfo;
  else if (lower == "warn" || lower == "warning")
    level = LogLevel::kWarn;
  else if (lower == "error")
    level = LogLevel::kError;
  else
    return absl::InvalidArgumentError(
        absl::StrCat("log level '", ToAbsl(text), "': expected debug, info, warn or error"));
  return absl::OkStatus();
}

absl::Status ParseLogFormat(std::string_view text, LogFormat& format) {
  std::string lower = absl::AsciiStrToLower(ToAbsl(text));
  if (lower == "auto")
    format = LogFormat::kAuto;
  else if (lower == "text")
    format = LogFormat::kText;
  else if (lower == "json")
    format = LogFormat::kJson;
  else
    return absl::InvalidArgumentError(
        absl::StrCat("log format '", ToAbsl(text), "': expected auto, text or json"));
  return absl::OkStatus();
}

absl::Status ConfigureLogging(const LogOptions& options) {
  LoggerState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.options = options;
  state.json_on_stderr = options.format == LogFormat::kJson ||
                         (options.format == LogFormat::kAuto && isatty(STDERR_FILENO) == 0);
  if (state.file.is_open()) state.file.close();
  if (!options.file.empty()) {
    // Every command creates what it writes to: the log file's folder too.
    std::error_code ignored;
    const std::filesystem::path folder = std::filesystem::path(options.file).parent_path();
    if (!folder.empty()) std::filesystem::create_directories(folder, ignored);
    state.file.open(options.file, std::ios::app);
    if (!state.file) return absl::InvalidArgumentError(absl::StrCat("cannot open log file ", options.file));
  }
  return absl::OkStatus();
}

void AddSecret(std::string_view secret) {
  if (secret.size() < 4) return;
  LoggerState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (std::find(state.secrets.begin(), state.secrets.end(), secret) == state.secrets.end())
    state.secrets.emplace_back(secret);
}

std::string Redact(std::string_view text) {
  std::string result(text);
  std::vector<std::string> secrets;
  {
    LoggerState& state = State();
    std::lock_guard<std::mutex> lock(state.mutex);
    secrets = state.secrets;
  }
  for (const std::string& secret : secrets) absl::StrReplaceAll({{secret, "[redacted]"}}, &result);
  // Base64 first: the credential pattern would otherwise leave "Basic" alone and cut a run in two.
  RedactBase64(result, BasicPattern(), 2, secrets, /*basic=*/true);
  if (!secrets.empty()) RedactBase64(result, Base64RunPattern(), 1, secrets, /*basic=*/false);
  RE2::GlobalReplace(&result, CredentialPattern(), "[redacted]");
  return result;
}

void Log(LogLevel level, std::string_view message, const LogFields& fields) {
  LoggerState& state = State();
  if (level < state.options.level) return;
  absl::Time now = absl::Now();
  LogFields all = context_fields;
  all.insert(all.end(), fields.begin(), fields.end());
  // Redacted before capped, so a cut can never leave the first half of a secret behind.
  std::string redacted_message = CapText(Redact(message), kMaxLogValueBytes);
  for (auto& field : all) field.second = CapText(Redact(field.second), kMaxLogValueBytes);
  std::string json = RenderJson(now, level, redacted_message, all);
  std::string text = state.json_on_stderr ? json : RenderText(now, level, redacted_message, all);
  std::lock_guard<std::mutex> lock(state.mutex);
  std::fprintf(stderr, "%s\n", text.c_str());
  if (state.file.is_open()) {
    state.file << json << '\n';
    state.file.flush();
  }
}

ScopedLogContext::ScopedLogContext(LogFields fields) : previous_size_(context_fields.size()) {
  context_fields.insert(context_fields.end(), fields.begin(), fields.end());
}

ScopedLogContext::~ScopedLogContext() { context_fields.resize(previous_size_); }

}  // namespace creditbot
