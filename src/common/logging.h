// Logging: one line per event, readable text on a terminal and JSON lines otherwise (or when asked), to
// stderr and optionally a file. Every line passes through the redactor, so a secret registered with
// AddSecret (every secret setting is, at start) or shaped like a Slack/AWS credential never reaches a
// log. ScopedLogContext adds fields (request key, execution id) to every line logged inside its scope on
// the same thread.
//
// Thread-safe: lines are written whole under a mutex.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace creditbot {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
enum class LogFormat { kAuto, kText, kJson };

using LogField = std::pair<std::string, std::string>;
using LogFields = std::vector<LogField>;

struct LogOptions {
  LogLevel level = LogLevel::kInfo;     // Default: info
  LogFormat format = LogFormat::kAuto;  // Default: text on a terminal, JSON lines otherwise
  std::string file;                     // Default: none; lines are appended, always as JSON
};

// Parses "debug", "info", "warn"/"warning", "error"; "auto", "text", "json". kInvalidArgument otherwise.
absl::Status ParseLogLevel(std::string_view text, LogLevel& level);
absl::Status ParseLogFormat(std::string_view text, LogFormat& format);

// Configures the process-wide logger. Fails if the log file cannot be opened.
absl::Status ConfigureLogging(const LogOptions& options);

// Registers a value that must never appear in a log line (ignored when shorter than 4 characters).
void AddSecret(std::string_view secret);

// Returns `text` with every registered secret and every credential-shaped token replaced by "[redacted]":
//  - each registered secret, verbatim;
//  - any run of base64 (standard or URL-safe alphabet, padded or not, at any alignment) whose decoded text
//    holds a registered secret: base64 of the secret itself, of "user:secret" (HTTP Basic), of JSON…;
//  - the credentials after "Basic" (any case) when they decode to text with a ':' (user:password), even for
//    a password never registered; "Basic [redacted]" is what remains;
//  - "Bearer" + 8 or more token characters, "token" + 16 or more, Slack tokens (xoxb-…, xapp-…) and AWS
//    access key ids.
// A base64 run glued to letters before it ("xdTpQ…") is decoded from the wrong place and can be missed.
// Used by the logger and by anything else that shows text to people (DMs, errors in audit records).
std::string Redact(std::string_view text);

void Log(LogLevel level, std::string_view message, const LogFields& fields = {});
inline void LogDebug(std::string_view message, const LogFields& fields = {}) {
  Log(LogLevel::kDebug, message, fields);
}
inline void LogInfo(std::string_view message, const LogFields& fields = {}) {
  Log(LogLevel::kInfo, message, fields);
}
inline void LogWarn(std::string_view message, const LogFields& fields = {}) {
  Log(LogLevel::kWarn, message, fields);
}
inline void LogError(std::string_view message, const LogFields& fields = {}) {
  Log(LogLevel::kError, message, fields);
}

class ScopedLogContext {
 public:
  explicit ScopedLogContext(LogFields fields);
  ~ScopedLogContext();
  ScopedLogContext(const ScopedLogContext&) = delete;
  ScopedLogContext& operator=(const ScopedLogContext&) = delete;

 private:
  std::size_t previous_size_;
};

}  // namespace creditbot
