// SecretCanary: the fake secret values of the reliability harnesses and the search for them (see the
// header).
#include "tests/secret_canary.h"

#include <cctype>
#include <filesystem>
#include <system_error>

#include "tests/fake_looker_server.h"
#include "tests/fake_slack_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

std::string PercentEncoded(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(c);
    } else {
      encoded.push_back('%');
      encoded.push_back(kHex[byte >> 4]);
      encoded.push_back(kHex[byte & 15]);
    }
  }
  return encoded;
}

std::string JsonEscaped(const std::string& value) {
  std::string escaped;
  for (const char c : value) {
    if (c == '"' || c == '\\' || c == '/') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return escaped;
}

}  // namespace

std::map<std::string, std::string> SecretCanary::Values() {
  return {{"SLACK_BOT_TOKEN", FakeSlackServer::kBotToken},
          {"SLACK_APP_TOKEN", FakeSlackServer::kAppToken},
          {"SLACK_SIGNING_SECRET", "canary-signing-secret-5f1e2d3c4b5a69788796a5b4"},
          {"LOOKER_CLIENT_SECRET", FakeLookerServer::kClientSecret},
          {"PRESTO_PASSWORD", "canary-presto-password-Zx81Qp"},
          {"CREDITBOT_TRINO_TOKEN", "eyJhbGciOiJIUzI1NiJ9.canaryTrinoToken.c2lnbmF0dXJl"}};
}

void SecretCanary::AddText(const std::string& where, const std::string& text) {
  texts_.emplace_back(where, text);
}

void SecretCanary::AddPath(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_regular_file(path, error)) {
    texts_.emplace_back(path, ReadFile(path));
    return;
  }
  if (!std::filesystem::is_directory(path, error)) return;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(path, error)) {
    if (entry.is_regular_file(error))
      texts_.emplace_back(entry.path().string(), ReadFile(entry.path().string()));
  }
}

std::vector<std::string> SecretCanary::Leaks() const {
  std::vector<std::string> leaks;
  for (const auto& [name, value] : Values()) {
    const std::vector<std::string> forms = {value, JsonEscaped(value), PercentEncoded(value)};
    for (const auto& [where, text] : texts_) {
      for (const std::string& form : forms) {
        if (text.find(form) != std::string::npos) {
          leaks.push_back(where + ": " + name);
          break;
        }
      }
    }
  }
  return leaks;
}

}  // namespace creditbot::testing
