// The creditbot commands. Each returns the process exit code: 0 success, 1 the work failed, 2 the
// configuration or the command line is wrong. Failures print one clear line on stderr. The commands that
// reach a far end take the process's Environment (environment.h: clock, sleeper, transports, AWS chain),
// built once by RunCli.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/config.h"
#include "app/environment.h"

namespace creditbot {

// Options shared by every command (given before or after the command name). RunCli sets
// config.environ to the process environment and config.secret_fetcher to the Secrets Manager fetcher on
// the Environment's AWS chain.
struct GlobalOptions {
  ConfigInputs config;
  std::string log_format, log_level, log_file;  // empty = from configuration
};

// Loads and validates the configuration and sets up logging (secrets registered with the redactor).
absl::StatusOr<Config> LoadConfig(const GlobalOptions& global);

struct RunOptions {
  bool once = false;
};
int RunCommand(const Environment& env, const GlobalOptions& global, const RunOptions& options);

// `creditbot serve`: runs until SIGTERM/SIGINT (exit 0) or a terminal failure (exit 1).
int ServeCommand(const Environment& env, const GlobalOptions& global);

struct CalcOptions {
  std::string warehouse;  // default: CREDITBOT_WAREHOUSE
  std::string sql_file;
  std::string claim_date;   // YYYY-MM-DD; default: today (UTC)
  std::string policy_file;  // default: route by the policies' match patterns
  std::string output;       // also write the JSON here
};
int CalcCommand(const Environment& env, const GlobalOptions& global, const CalcOptions& options);

struct LinksOptions {
  std::string looker_base_url;  // default: CREDITBOT_LOOKER_BASE_URL
};
int LinksCommand(const GlobalOptions& global, const LinksOptions& options);

struct StateOptions {
  std::string action;  // "stats", "list", "export", "import" or "forget"
  std::string status;  // list: only this status
  int limit = 50;
  bool json = false;
  std::string output;                // export: the file (empty: stdout)
  std::string input;                 // import: the file
  std::string format = "creditbot";  // import: "creditbot" or "prototype"
  std::string channel;               // import --format prototype: the channel of bare-ts entries
  std::string key;                   // forget: "channel:ts"
};
int StateCommand(const Environment& env, const GlobalOptions& global, const StateOptions& options);

// `creditbot ledger list|export` (app/ledger_command.cc).
struct LedgerOptions {
  static constexpr int kDefaultLimit = -1;  // list: 50; export: all
  std::string action;                       // "list" or "export"
  std::string since, until;                 // YYYY-MM-DD (UTC day) or RFC 3339
  std::string status;                       // a LedgerStatusName
  std::string parent;                       // parent account sid
  std::string product;
  int limit = kDefaultLimit;  // 0: all
  bool json = false;          // list: JSON lines
  std::string format;         // export: "csv"
  std::string output;         // export: the file (empty: stdout)
};
int LedgerCommand(const Environment& env, const GlobalOptions& global, const LedgerOptions& options);

// `creditbot decide TARGET approve|reject REASON|adjust AMOUNT REASON --as USER` (app/decide_command.cc):
// one decision through the same DecisionDesk as the buttons and thread replies (approver check included).
// TARGET is an execution id, or a request key "C…:ts" (its newest entry that is not superseded). Exit 0
// when recorded; 1 when refused (not an approver, already decided, unknown, superseded) or the store
// failed; 2 for a usage error.
struct DecideOptions {
  std::string target;
  std::vector<std::string> words;  // the verb and what follows it
  std::string as;                  // the approver's Slack user id
};
int DecideCommand(const Environment& env, const GlobalOptions& global, const DecideOptions& options);

// `creditbot pause --reason TEXT [--as U…]`, `pause --status`, `resume [--as U…]` (app/pause_command.cc):
// the pause switch in the state store. Exit 0 when the switch is as asked (also when it already was), 1 when
// the store fails, 2 for a usage error (pause without a reason, a bad --as).
struct PauseOptions {
  bool resume = false;  // `resume` rather than `pause`
  bool status = false;  // pause --status: print the switch, change nothing
  std::string reason;   // pause: why (required)
  std::string as;       // who: a Slack user id; empty: the local login
};
int PauseCommand(const Environment& env, const GlobalOptions& global, const PauseOptions& options);

struct SynthOptionsCli {
  std::string db;
  uint64_t seed = 42;
  int scale = 1;
  std::string mcc_table;
};
int SynthCommand(const GlobalOptions& global, const SynthOptionsCli& options);

// `markdown`: print the README settings table (SettingsMarkdownTable) instead of the values.
int ConfigCommand(const GlobalOptions& global, bool markdown = false);

// Checks every configured part; one line per check; exit 1 when any fails.
int DoctorCommand(const Environment& env, const GlobalOptions& global);

// `creditbot replay` (app/replay_command.cc, replay/replayer.h): recorded calculations recomputed under a
// candidate policy or on another executor; the report in --out, or without it in a new folder of
// $CREDITBOT_HOME/replays/ (replay/replay_archive.h) (replay.csv, replay.json, replay.html, results/). Exit 0
// when every record was replayed, 1 when one could not be (each named on stderr), 2 for a usage or
// configuration error. Never posts, never changes state.
struct ReplayCommandOptions {
  std::string policy;                 // a policy file or folder; "" = the configured policies
  std::string since, until;           // YYYY-MM-DD (UTC; --until includes the day) or RFC 3339
  std::vector<std::string> requests;  // request keys "C…:ts"; empty = every request
  bool requery = false;               // today's warehouse instead of the frozen inputs
  std::string executor = "native";    // native, notebook, sagemaker
  std::string out;                    // the report's folder; "" = a new one in $CREDITBOT_HOME/replays/
  int threads = 0;                    // 0 = every core
};
int ReplayCommand(const Environment& env, const GlobalOptions& global, const ReplayCommandOptions& options);

// Parses argv and runs the chosen command.
int RunCli(int argc, char** argv, char** environ);

}  // namespace creditbot
