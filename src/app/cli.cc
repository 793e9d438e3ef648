// Command-line parsing (CLI11) and the shared configuration step.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "app/commands.h"
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

}  // namespace

absl::StatusOr<Config> LoadConfig(const GlobalOptions& global) {
  // The Secrets Manager layer reads secrets with the AWS chain of the process environment.
  ConfigInputs inputs = global.config;
  if (!inputs.secret_fetcher)
    inputs.secret_fetcher = MakeSecretsManagerFetcher(EnvironmentFromEnviron(inputs.environ));
  CREDITBOT_ASSIGN_OR_RETURN(RawSettings raw, LoadRawSettings(inputs));
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
  CLI::App app{
      "creditbot: credits for customers hit by SMS pumping fraud, from Slack requests with Looker links",
      "creditbot"};
  app.set_version_flag("--version",
                       std::string("creditbot ") + CREDITBOT_VERSION + " (git " + CREDITBOT_GIT_SHA + ")");
  app.require_subcommand(1);
  GlobalOptions global;
  global.config.environ = environ;
  auto add_globals = [&global](CLI::App* command) {
    command->add_option("--config", global.config.config_file, "configuration file (TOML, NAME = value)");
    command->add_option_function<std::string>(
        "--env-file",
        [&global](const std::string& path) {
          global.config.env_file = path;
          global.config.env_file_explicit = true;
        },
        "read this .env file (default: ./.env when present)");
    command->add_option("--set", global.config.overrides,
                        "set a configuration value: --set NAME=VALUE (repeatable)");
    command->add_option("--log-format", global.log_format, "auto, text or json");
    command->add_option("--log-level", global.log_level, "debug, info, warn or error");
    command->add_option("--log-file", global.log_file, "also append JSON log lines to this file");
    command->add_flag("--strict", global.config.strict,
                      "refuse a name that is not a setting (a CREDITBOT_* variable, a .env, config file or "
                      "secret key) instead of warning");
  };

  // --live is DRY_RUN=false: replies are posted for real (dry run is the default).
  auto add_live = [&global](CLI::App* command) {
    command->add_flag_callback(
        "--live", [&global] { global.config.overrides.push_back("DRY_RUN=false"); },
        "post replies for real (same as DRY_RUN=false; the default is a dry run)");
  };

  RunOptions run_options;
  CLI::App* run = app.add_subcommand("run", "process new requests: a scheduled pass with --once");
  run->add_flag("--once", run_options.once, "run one pass and exit (the scheduled mode)");
  add_globals(run);
  add_live(run);

  CLI::App* serve = app.add_subcommand(
      "serve", "the long-running service: Socket Mode and/or the Events API, catch-up passes, /metrics");
  add_globals(serve);
  add_live(serve);

  CalcOptions calc_options;
  CLI::App* calc =
      app.add_subcommand("calc", "run one calculation from a SQL file and print the result JSON");
  calc->add_option("--warehouse", calc_options.warehouse,
                   "warehouse URL, e.g. sqlite:PATH (default: CREDITBOT_WAREHOUSE)");
  calc->add_option("--sql-file", calc_options.sql_file, "the fraud report SQL (what the Looker link holds)")
      ->required();
  calc->add_option("--claim-date", calc_options.claim_date,
                   "date of the request, YYYY-MM-DD (default: today, UTC)");
  calc->add_option("--policy", calc_options.policy_file,
                   "policy TOML file (default: routed by the policies' match patterns)");
  calc->add_option("--output", calc_options.output, "also write the result JSON to this file");
  add_globals(calc);

  LinksOptions links_options;
  CLI::App* links = app.add_subcommand(
      "links",
      "read one Slack message (JSON with text and blocks, or plain text) on stdin and print its links");
  links->add_option("--looker-base-url", links_options.looker_base_url,
                    "Looker host (default: CREDITBOT_LOOKER_BASE_URL)");
  add_globals(links);

  StateOptions state_options;
  CLI::App* state = app.add_subcommand("state", "inspect, export, import or forget state records");
  state->require_subcommand(1);
  CLI::App* stats = state->add_subcommand("stats", "counts by status");
  stats->add_flag("--json", state_options.json, "print JSON");
  add_globals(stats);
  CLI::App* list = state->add_subcommand("list", "the newest requests");
  list->add_option("--status", state_options.status, "only this status (replied, asked, failed, …)");
  list->add_option("--limit", state_options.limit, "at most this many (default 50)")
      ->check(CLI::PositiveNumber);
  list->add_flag("--json", state_options.json, "print JSON lines");
  add_globals(list);
  CLI::App* state_export = state->add_subcommand(
      "export", "write every record, lease and cursor of the configured store as the S3 state JSON");
  state_export->add_option("--output", state_options.output, "write to this file (default: stdout)");
  add_globals(state_export);
  CLI::App* state_import = state->add_subcommand(
      "import",
      "merge records from FILE into the configured store, never overwriting one (exit 1 when some entries "
      "could not be read)");
  state_import
      ->add_option("file", state_options.input,
                   "a `state export` file, or the prototype's "
                   "processed_messages.json with --format prototype")
      ->required();
  state_import
      ->add_option("--format", state_options.format,
                   "creditbot (default: a `state export` / S3 state object) or prototype (each "
                   "message is recorded as replied, so it is never answered again)")
      ->check(CLI::IsMember({"creditbot", "prototype"}));
  state_import->add_option("--channel", state_options.channel,
                           "prototype: the channel id of entries that are a bare ts (default: "
                           "CREDITBOT_SLACK_CHANNELS when it is one channel id)");
  add_globals(state_import);
  CLI::App* state_forget = state->add_subcommand(
      "forget", "remove the record of one request (CHANNEL:TS) so the next pass processes it again");
  state_forget->add_option("key", state_options.key, "the request key, CHANNEL:TS")->required();
  add_globals(state_forget);

  SynthOptionsCli synth_options;
  CLI::App* synth = app.add_subcommand("synth", "generate the deterministic synthetic warehouse (SQLite)");
  synth->add_option("--db", synth_options.db, "where to write it (must not exist)")->required();
  synth->add_option("--seed", synth_options.seed, "random seed (default 42)");
  synth->add_option("--scale", synth_options.scale, "size; attempts ≈ scale × 50,000 (default 1)")
      ->check(CLI::PositiveNumber);
  synth->add_option("--mcc-table", synth_options.mcc_table,
                    "MCC/MNC CSV to draw destinations from (optional)");
  add_globals(synth);

  bool config_markdown = false;
  CLI::App* config = app.add_subcommand("config", "print every setting, its value and where it came from");
  config->add_flag("--markdown", config_markdown,
                   "print the README's settings table (every setting, its type, default and meaning)");
  add_globals(config);

  CLI::App* doctor = app.add_subcommand("doctor", "check every configured part: one line per check");
  add_globals(doctor);

  if (const std::string unknown = CheckCommandWords(app, argc, argv); !unknown.empty()) {
    std::fprintf(stderr, "%s\n", unknown.c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  if (run->parsed()) return RunCommand(global, run_options);
  if (serve->parsed()) return ServeCommand(global);
  if (calc->parsed()) return CalcCommand(global, calc_options);
  if (links->parsed()) return LinksCommand(global, links_options);
  if (stats->parsed()) {
    state_options.action = "stats";
    return StateCommand(global, state_options);
  }
  if (list->parsed()) {
    state_options.action = "list";
    return StateCommand(global, state_options);
  }
  if (state_export->parsed()) {
    state_options.action = "export";
    return StateCommand(global, state_options);
  }
  if (state_import->parsed()) {
    state_options.action = "import";
    return StateCommand(global, state_options);
  }
  if (state_forget->parsed()) {
    state_options.action = "forget";
    return StateCommand(global, state_options);
  }
  if (synth->parsed()) return SynthCommand(global, synth_options);
  if (config->parsed()) return ConfigCommand(global, config_markdown);
  if (doctor->parsed()) return DoctorCommand(global);
  return 2;
}

}  // namespace creditbot
