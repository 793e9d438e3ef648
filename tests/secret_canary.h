// SecretCanary: known fake values for every secret creditbot reads (SLACK_BOT_TOKEN, SLACK_APP_TOKEN,
// SLACK_SIGNING_SECRET, LOOKER_CLIENT_SECRET, PRESTO_PASSWORD, CREDITBOT_TRINO_TOKEN) and a search that
// proves none of them leaked: into the binary's stdout and stderr, its log file, the state database, the
// outbox, the audit records, or anything creditbot posted to Slack (replies and owner DMs). The reliability
// harnesses (crash_consistency_test.cc, fault_matrix_test.cc) run with these values and call Leaks() on
// everything their scenarios produced.
//
// Files are searched byte for byte (SQLite pages included), folders recursively. A secret is also searched
// in the two encodings a careless log line would use: JSON-escaped and percent-encoded.
//
// Not thread-safe; one per test.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace creditbot::testing {

class SecretCanary {
 public:
  // The canary values, by setting name. The Slack bot and app tokens are the fake Slack's own (creditbot
  // must really use them); the Looker secret is the fake Looker's; the others are made up.
  static std::map<std::string, std::string> Values();

  // Adds text (e.g. a process's stdout) to search, named `where` in the report.
  void AddText(const std::string& where, const std::string& text);
  // Adds a file, or every file below a folder; a missing path is ignored (the scenario may not create it).
  void AddPath(const std::string& path);

  // One line per leak found: "<where>: <SETTING NAME>"; empty when nothing leaked.
  std::vector<std::string> Leaks() const;
  // How many texts and files were searched (so a test can assert the search was not vacuous).
  int searched() const { return static_cast<int>(texts_.size()); }

 private:
  std::vector<std::pair<std::string, std::string>> texts_;  // (where, content)
};

}  // namespace creditbot::testing
