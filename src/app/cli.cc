// Command-line parsing (CLI11), the one place the process Environment is built, and the shared
// configuration step.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "app/commands.h"
#include "app/environment.h"
#include "app/executor_factory.h"
#include "common/closest_name.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "git_sha.h"  // generated at build time (cmake/GitSha.cmake)

namespace creditbot {
namespace {

// When `word` is not one of `parent`'s subcommands, the one line that says so and names the closest one
// ("creditbot: unknown command 'runn'; did you mean 'run'?"); "" when it is one.
std::string UnknownCommandMessage(CLI::App& parent, const std::string& path, const std::string& word) {
  std::vector<std::string> names;
  for (CLI::App* command : parent.get_subcommands([](CLI::App*) { return true; })) {
    if (command->get_name() == word) return "";
    names.push_back(command->get_name());
  }
  const std::string closest = ClosestName(word, names);
  return absl::StrCat(path, ": unknown command '", word, "'",
                      closest.empty() ? "" : absl::StrCat("; did you mean '", closest, "'?"), " (", path,
                      " --help lists the commands)");
}

// Checks the command words before CLI11 parses (its own message for a mistyped command is "The following
// argument was not expected"). Returns the message for the first unknown word, or "".
std::string CheckCommandWords(CLI::App& app, int argc, char** argv) {
  CLI::App* parent = &app;
  std::string path = "creditbot";
  for (int i = 1; i < argc && parent->get_require_subcommand_min() > 0; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') return "";  // an option; CLI11 judges the rest
    std::string message = UnknownCommandMessage(*parent, path, word);
    if (!message.empty()) return message;
    parent = parent->get_subcommand(word);
    path = absl::StrCat(path, " ", word);
  }
  return "";
}

// The command line: every command and its options, filled in by CLI11 when argv is parsed, and the
// dispatch to the command that was chosen. Not copyable: CLI11 keeps pointers into it.
class CommandLine {
 public:
  // Builds the commands. When `first_word` (argv[1]) names a command, only that command's group is built:
  // a calculation does not pay for the option tables of every other command (issue 20's lean start). Any
  // other word (none, --help, --version, a typo) builds them all, so help lists every command and a typo
  // is told the closest name.
  explicit CommandLine(std::string_view first_word);
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // Parses argv. nullopt when a command is to run, else the exit code (--help, --version: 0; an unknown
  // command or a usage error: 2, its message printed).
  std::optional<int> Parse(int argc, char** argv);
  // The options every command shares (the caller adds the process environment and the secret fetcher).
  GlobalOptions& global() { return global_; }
  // Runs the command Parse found.
  int Run(const Environment& env);

 private:
  // --config, --env-file, --set, --log-*, --strict on `command`.
  void AddGlobals(CLI::App* command);
  // --live: DRY_RUN=false, replies are posted for real (dry run is the default).
  void AddLive(CLI::App* command);
  void AddRunAndServe();
  void AddCalc();
  void AddLinks();
  void AddState();
  void AddLedger();
  void AddDecide();
  void AddReplay();
  void AddPause();
  void AddSynth();
  void AddConfigAndDoctor();

  CLI::App app_{
      "creditbot: credits for customers hit by SMS pumping fraud, from Slack requests with Looker links",
      "creditbot"};
  GlobalOptions global_;
  RunOptions run_options_;
  CalcOptions calc_options_;
  LinksOptions links_options_;
  StateOptions state_options_;
  LedgerOptions ledger_options_;
  DecideOptions decide_options_;
  ReplayCommandOptions replay_options_;
  CLI::App* replay_ = nullptr;
  CLI::App* decide_ = nullptr;
  PauseOptions pause_options_;
  CLI::App* pause_ = nullptr;
  CLI::App* resume_ = nullptr;
  SynthOptionsCli synth_options_;
  bool config_markdown_ = false;
  CLI::App* run_ = nullptr;
  CLI::App* serve_ = nullptr;
  CLI::App* calc_ = nullptr;
  CLI::App* links_ = nullptr;
  std::vector<std::pair<CLI::App*, std::string>> state_actions_;   // `state` subcommand → its action
  std::vector<std::pair<CLI::App*, std::string>> ledger_actions_;  // `ledger` subcommand → its action
  CLI::App* synth_ = nullptr;
  CLI::App* config_ = nullptr;
  CLI::App* doctor_ = nullptr;
};

CommandLine::CommandLine(std::string_view first_word) {
  app_.set_version_flag("--version",
                        std::string("creditbot ") + CREDITBOT_VERSION + " (git " + CREDITBOT_GIT_SHA + ")");
  app_.require_subcommand(1);
  struct Group {
    std::vector<std::string_view> commands;
    void (CommandLine::*add)();
  };
  const Group groups[] = {
      {{"run", "serve"}, &CommandLine::AddRunAndServe},
      {{"calc"}, &CommandLine::AddCalc},
      {{"links"}, &CommandLine::AddLinks},
      {{"state"}, &CommandLine::AddState},
      {{"ledger"}, &CommandLine::AddLedger},
      {{"decide"}, &CommandLine::AddDecide},
      {{"replay"}, &CommandLine::AddReplay},
      {{"pause", "resume"}, &CommandLine::AddPause},
      {{"synth"}, &CommandLine::AddSynth},
      {{"config", "doctor"}, &CommandLine::AddConfigAndDoctor},
  };
  const auto names = [&](const Group& group) { return absl::c_linear_search(group.commands, first_word); };
  const bool one = std::any_of(std::begin(groups), std::end(groups), names);
  for (const Group& group : groups) {
    if (!one || names(group)) (this->*group.add)();
  }
}

void CommandLine::AddGlobals(CLI::App* command) {
  command->add_option("--config", global_.config.config_file, "configuration file (TOML, NAME = value)");
  command->add_option_function<std::string>(
      "--env-file",
      [this](const std::string& path) {
        global_.config.env_file = path;
        global_.config.env_file_explicit = true;
      },
      "read this .env file (default: ./.env when present)");
  command->add_option("--set", global_.config.overrides,
                      "set a configuration value: --set NAME=VALUE (repeatable)");
  command->add_option("--log-format", global_.log_format, "auto, text or json");
  command->add_option("--log-level", global_.log_level, "debug, info, warn or error");
  command->add_option("--log-file", global_.log_file, "also append JSON log lines to this file");
  command->add_flag("--strict", global_.config.strict,
                    "refuse a name that is not a setting (a CREDITBOT_* variable, a .env, config file or "
                    "secret key) instead of warning");
}

void CommandLine::AddLive(CLI::App* command) {
  command->add_flag_callback(
      "--live", [this] { global_.config.overrides.push_back("DRY_RUN=false"); },
      "post replies for real (same as DRY_RUN=false; the default is a dry run)");
}

void CommandLine::AddRunAndServe() {
  run_ = app_.add_subcommand("run", "process new requests: a scheduled pass with --once");
  run_->add_flag("--once", run_options_.once, "run one pass and exit (the scheduled mode)");
  AddGlobals(run_);
  AddLive(run_);

  serve_ = app_.add_subcommand(
      "serve", "the long-running service: Socket Mode and/or the Events API, catch-up passes, /metrics");
  AddGlobals(serve_);
  AddLive(serve_);
}

void CommandLine::AddCalc() {
  calc_ = app_.add_subcommand("calc", "run one calculation from a SQL file and print the result JSON");
  calc_->add_option("--warehouse", calc_options_.warehouse,
                    "warehouse URL, e.g. sqlite:PATH (default: CREDITBOT_WAREHOUSE)");
  calc_->add_option("--sql-file", calc_options_.sql_file, "the fraud report SQL (what the Looker link holds)")
      ->required();
  calc_->add_option("--claim-date", calc_options_.claim_date,
                    "date of the request, YYYY-MM-DD (default: today, UTC)");
  calc_->add_option("--policy", calc_options_.policy_file,
                    "policy TOML file (default: routed by the policies' match patterns)");
  calc_->add_option("--output", calc_options_.output, "also write the result JSON to this file");
  AddGlobals(calc_);
}

void CommandLine::AddLinks() {
  links_ = app_.add_subcommand(
      "links",
      "read one Slack message (JSON with text and blocks, or plain text) on stdin and print its links");
  links_->add_option("--looker-base-url", links_options_.looker_base_url,
                     "Looker host (default: CREDITBOT_LOOKER_BASE_URL)");
  AddGlobals(links_);
}

void CommandLine::AddState() {
  CLI::App* state = app_.add_subcommand("state", "inspect, export, import or forget state records");
  state->require_subcommand(1);
  CLI::App* stats = state->add_subcommand("stats", "counts by status");
  stats->add_flag("--json", state_options_.json, "print JSON");
  AddGlobals(stats);
  CLI::App* list = state->add_subcommand("list", "the newest requests");
  list->add_option("--status", state_options_.status, "only this status (replied, asked, failed, …)");
  list->add_option("--limit", state_options_.limit, "at most this many (default 50)")
      ->check(CLI::PositiveNumber);
  list->add_flag("--json", state_options_.json, "print JSON lines");
  AddGlobals(list);
  CLI::App* state_export = state->add_subcommand(
      "export", "write every record, lease and cursor of the configured store as the S3 state JSON");
  state_export->add_option("--output", state_options_.output, "write to this file (default: stdout)");
  AddGlobals(state_export);
  CLI::App* state_import = state->add_subcommand(
      "import",
      "merge records from FILE into the configured store, never overwriting one (exit 1 when some entries "
      "could not be read)");
  state_import
      ->add_option("file", state_options_.input,
                   "a `state export` file, or the prototype's "
                   "processed_messages.json with --format prototype")
      ->required();
  state_import
      ->add_option("--format", state_options_.format,
                   "creditbot (default: a `state export` / S3 state object) or prototype (each "
                   "message is recorded as replied, so it is never answered again)")
      ->check(CLI::IsMember({"creditbot", "prototype"}));
  state_import->add_option("--channel", state_options_.channel,
                           "prototype: the channel id of entries that are a bare ts (default: "
                           "CREDITBOT_SLACK_CHANNELS when it is one channel id)");
  AddGlobals(state_import);
  CLI::App* state_forget = state->add_subcommand(
      "forget", "remove the record of one request (CHANNEL:TS) so the next pass processes it again");
  state_forget->add_option("key", state_options_.key, "the request key, CHANNEL:TS")->required();
  AddGlobals(state_forget);
  state_actions_ = {{stats, "stats"},
                    {list, "list"},
                    {state_export, "export"},
                    {state_import, "import"},
                    {state_forget, "forget"}};
}

void CommandLine::AddLedger() {
  CLI::App* ledger = app_.add_subcommand("ledger", "list the credit ledger or export it for finance");
  ledger->require_subcommand(1);
  auto add_filters = [this](CLI::App* command) {
    command->add_option("--since", ledger_options_.since,
                        "entries created on or after this day (YYYY-MM-DD, UTC) or RFC 3339 time");
    command->add_option("--until", ledger_options_.until,
                        "entries created up to the end of this day (YYYY-MM-DD, UTC) or before this RFC 3339 "
                        "time");
    command->add_option(
        "--status", ledger_options_.status,
        "only this status (awaiting, auto_approved, approved, rejected, adjusted, superseded)");
    command->add_option("--parent", ledger_options_.parent, "only this parent account (AC…)");
    command->add_option("--product", ledger_options_.product, "only this product (verify, …)");
    AddGlobals(command);
  };
  CLI::App* list = ledger->add_subcommand("list", "the newest ledger entries");
  add_filters(list);
  list->add_option("--limit", ledger_options_.limit, "at most this many (default 50; 0: all)");
  list->add_flag("--json", ledger_options_.json, "print JSON lines");
  CLI::App* ledger_export =
      ledger->add_subcommand("export", "every matching ledger entry as CSV (RFC 4180), for finance");
  add_filters(ledger_export);
  ledger_export->add_option("--format", ledger_options_.format, "csv")->required();
  ledger_export->add_option("--limit", ledger_options_.limit,
                            "at most this many, newest first (default: all)");
  ledger_export->add_option("--output", ledger_options_.output, "write to this file (default: stdout)");
  ledger_actions_ = {{list, "list"}, {ledger_export, "export"}};
}

void CommandLine::AddDecide() {
  decide_ = app_.add_subcommand(
      "decide", "approve, reject or adjust a credit as an approver (the same rules as the Slack buttons)");
  decide_->add_option("target", decide_options_.target, "the execution id, or the request key CHANNEL:TS")
      ->required();
  decide_
      ->add_option("decision", decide_options_.words, "approve [NOTE] | reject REASON | adjust AMOUNT REASON")
      ->required();
  decide_
      ->add_option("--as", decide_options_.as,
                   "the approver's Slack user id (U…), one of CREDITBOT_APPROVERS")
      ->required();
  AddLive(decide_);
  AddGlobals(decide_);
}

void CommandLine::AddPause() {
  pause_ = app_.add_subcommand(
      "pause", "stop answering: every pass and serve read messages but claim, post and decide nothing");
  pause_->add_option("--reason", pause_options_.reason,
                     "why (required; shown in /readyz, doctor, the log and refused decisions)");
  pause_->add_option("--as", pause_options_.as, "your Slack user id (U…); default: the local login");
  pause_->add_flag("--status", pause_options_.status, "print whether creditbot is paused, by whom and why");
  AddGlobals(pause_);
  resume_ = app_.add_subcommand("resume", "answer again: what waited is answered once, by the next pass");
  resume_->add_option("--as", pause_options_.as, "your Slack user id (U…); default: the local login");
  AddGlobals(resume_);
}

void CommandLine::AddReplay() {
  replay_ = app_.add_subcommand(
      "replay", "recompute recorded calculations under a candidate policy or executor; never posts");
  replay_->add_option("--policy", replay_options_.policy,
                      "candidate policy FILE or DIR (default: the configured policies)");
  replay_->add_option("--since", replay_options_.since, "records from this UTC day (YYYY-MM-DD) or time");
  replay_->add_option("--until", replay_options_.until, "records up to this UTC day (included) or time");
  replay_->add_option("--request", replay_options_.requests, "only these requests (channel:ts), one or more");
  replay_->add_flag("--requery", replay_options_.requery,
                    "query today's warehouse instead of the frozen inputs");
  replay_->add_option("--executor", replay_options_.executor, "native (default), notebook or sagemaker");
  replay_->add_option("--out", replay_options_.out,
                      "folder for replay.csv, replay.json, replay.html (default: a new folder in "
                      "$CREDITBOT_HOME/replays/, listed by the dashboard)");
  replay_->add_option("--threads", replay_options_.threads, "workers (default: every core)");
  AddGlobals(replay_);
}

void CommandLine::AddSynth() {
  synth_ = app_.add_subcommand("synth", "generate the deterministic synthetic warehouse (SQLite)");
  synth_->add_option("--db", synth_options_.db, "where to write it (must not exist)")->required();
  synth_->add_option("--seed", synth_options_.seed, "random seed (default 42)");
  synth_->add_option("--scale", synth_options_.scale, "size; attempts ≈ scale × 50,000 (default 1)")
      ->check(CLI::PositiveNumber);
  synth_->add_option("--mcc-table", synth_options_.mcc_table,
                     "MCC/MNC CSV to draw destinations from (optional)");
  AddGlobals(synth_);
}

void CommandLine::AddConfigAndDoctor() {
  config_ = app_.add_subcommand("config", "print every setting, its value and where it came from");
  config_->add_flag("--markdown", config_markdown_,
                    "print the README's settings table (every setting, its type, default and meaning)");
  AddGlobals(config_);

  doctor_ = app_.add_subcommand("doctor", "check every configured part: one line per check");
  AddGlobals(doctor_);
}

std::optional<int> CommandLine::Parse(int argc, char** argv) {
  if (const std::string unknown = CheckCommandWords(app_, argc, argv); !unknown.empty()) {
    std::fprintf(stderr, "%s\n", unknown.c_str());
    return 2;
  }
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app_.exit(error);
  }
  return std::nullopt;
}

int CommandLine::Run(const Environment& env) {
  // A command of a group that was not built is null (see the constructor).
  const auto parsed = [](const CLI::App* command) { return command != nullptr && command->parsed(); };
  if (parsed(run_)) return RunCommand(env, global_, run_options_);
  if (parsed(serve_)) return ServeCommand(env, global_);
  if (parsed(calc_)) return CalcCommand(env, global_, calc_options_);
  if (parsed(links_)) return LinksCommand(global_, links_options_);
  for (const auto& [command, action] : state_actions_) {
    if (!command->parsed()) continue;
    state_options_.action = action;
    return StateCommand(env, global_, state_options_);
  }
  for (const auto& [command, action] : ledger_actions_) {
    if (!command->parsed()) continue;
    ledger_options_.action = action;
    return LedgerCommand(env, global_, ledger_options_);
  }
  if (parsed(decide_)) return DecideCommand(env, global_, decide_options_);
  if (parsed(replay_)) return ReplayCommand(env, global_, replay_options_);
  if (parsed(pause_) || parsed(resume_)) {
    pause_options_.resume = parsed(resume_);
    return PauseCommand(env, global_, pause_options_);
  }
  if (parsed(synth_)) return SynthCommand(global_, synth_options_);
  if (parsed(config_)) return ConfigCommand(global_, config_markdown_);
  if (parsed(doctor_)) return DoctorCommand(env, global_);
  return 2;
}

}  // namespace

absl::StatusOr<Config> LoadConfig(const GlobalOptions& global) {
  CREDITBOT_ASSIGN_OR_RETURN(RawSettings raw, LoadRawSettings(global.config));
  if (!global.log_format.empty()) raw[Setting::kLogFormat] = {global.log_format, "command line"};
  if (!global.log_level.empty()) raw[Setting::kLogLevel] = {global.log_level, "command line"};
  if (!global.log_file.empty()) raw[Setting::kLogFile] = {global.log_file, "command line"};
  CREDITBOT_ASSIGN_OR_RETURN(Config config, BuildConfig(raw));
  for (const std::string& secret : config.secret_values) AddSecret(secret);
  CREDITBOT_RETURN_IF_ERROR(ConfigureLogging(config.log));
  for (const std::string& note : raw.notes) LogDebug(note);
  for (const UnknownSetting& unknown : raw.unknown)
    LogWarn(unknown.Message() + " (--strict makes this an error)");
  return config;
}

int RunCli(int argc, char** argv, char** environ) {
  CommandLine command_line(argc > 1 ? argv[1] : "");
  if (std::optional<int> exit_code = command_line.Parse(argc, argv)) return *exit_code;
  // The one wiring point: the clock, sleeper, transports and AWS credential chain of this process.
  const Environment env(EnvironmentFromEnviron(environ));
  GlobalOptions& global = command_line.global();
  global.config.environ = environ;
  // The Secrets Manager layer reads secrets with the process's AWS chain.
  global.config.secret_fetcher = MakeSecretsManagerFetcher(env);
  return command_line.Run(env);
}

}  // namespace creditbot
