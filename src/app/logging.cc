// The process-wide logger: formatting, redaction, destinations.
#include "app/logging.h"

#include <re2/re2.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
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

// Slack tokens (xoxb-, xoxp-, xapp-…), AWS access key ids, and "Bearer …" / "token …" headers.
const RE2& CredentialPattern() {
  static const RE2 pattern(
      R"((xox[abeoprs]-[A-Za-z0-9-]{6,}|xapp-[A-Za-z0-9-]{6,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|(?i:bearer|token)\s+[A-Za-z0-9._~+/=-]{16,}))");
  return pattern;
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
    state.file.open(options.file, std::ios::app);
    if (!state.file) return absl::InvalidArgumentError(absl::StrCat("cannot open log file ", options.file));
  }
  return absl::OkStatus();
}

void AddSecret(std::string_view secret) {
  if (secret.size() < 4) return;
  LoggerState& state = State();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.secrets.emplace_back(secret);
}

std::string Redact(std::string_view text) {
  std::string result(text);
  {
    LoggerState& state = State();
    std::lock_guard<std::mutex> lock(state.mutex);
    for (const std::string& secret : state.secrets) absl::StrReplaceAll({{secret, "[redacted]"}}, &result);
  }
  RE2::GlobalReplace(&result, CredentialPattern(), "[redacted]");
  return result;
}

void Log(LogLevel level, std::string_view message, const LogFields& fields) {
  LoggerState& state = State();
  if (level < state.options.level) return;
  absl::Time now = absl::Now();
  LogFields all = context_fields;
  all.insert(all.end(), fields.begin(), fields.end());
  std::string redacted_message = Redact(message);
  for (auto& field : all) field.second = Redact(field.second);
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
