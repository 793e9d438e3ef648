// Command-line parsing (CLI11) and the shared configuration step.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "app/commands.h"
#include "app/logging.h"
#include "common/status_macros.h"

namespace creditbot {

absl::StatusOr<Config> LoadConfig(const GlobalOptions& global) {
  CREDITBOT_ASSIGN_OR_RETURN(RawSettings raw, LoadRawSettings(global.config));
  if (!global.log_format.empty()) raw.values["CREDITBOT_LOG_FORMAT"] = {global.log_format, "command line"};
  if (!global.log_level.empty()) raw.values["CREDITBOT_LOG_LEVEL"] = {global.log_level, "command line"};
  if (!global.log_file.empty()) raw.values["CREDITBOT_LOG_FILE"] = {global.log_file, "command line"};
  CREDITBOT_ASSIGN_OR_RETURN(Config config, BuildConfig(raw));
  for (const std::string& secret : config.secret_values) AddSecret(secret);
  CREDITBOT_RETURN_IF_ERROR(ConfigureLogging(config.log));
  for (const std::string& note : raw.notes) LogDebug(note);
  return config;
}

int RunCli(int argc, char** argv, char** environ) {
  CLI::App app{
      "creditbot: credits for customers hit by SMS pumping fraud, from Slack requests with Looker links",
      "creditbot"};
  app.set_version_flag("--version", std::string("creditbot ") + CREDITBOT_VERSION);
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
  };

  RunOptions run_options;
  CLI::App* run = app.add_subcommand("run", "process new requests: a scheduled pass with --once");
  run->add_flag("--once", run_options.once, "run one pass and exit (the scheduled mode)");
  add_globals(run);

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
  CLI::App* state = app.add_subcommand("state", "inspect the state store");
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

  SynthOptionsCli synth_options;
  CLI::App* synth = app.add_subcommand("synth", "generate the deterministic synthetic warehouse (SQLite)");
  synth->add_option("--db", synth_options.db, "where to write it (must not exist)")->required();
  synth->add_option("--seed", synth_options.seed, "random seed (default 42)");
  synth->add_option("--scale", synth_options.scale, "size; attempts ≈ scale × 50,000 (default 1)")
      ->check(CLI::PositiveNumber);
  synth->add_option("--mcc-table", synth_options.mcc_table,
                    "MCC/MNC CSV to draw destinations from (optional)");
  add_globals(synth);

  CLI::App* config = app.add_subcommand("config", "print every setting, its value and where it came from");
  add_globals(config);

  CLI::App* doctor = app.add_subcommand("doctor", "check every configured part: one line per check");
  add_globals(doctor);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  if (run->parsed()) return RunCommand(global, run_options);
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
  if (synth->parsed()) return SynthCommand(global, synth_options);
  if (config->parsed()) return ConfigCommand(global);
  if (doctor->parsed()) return DoctorCommand(global);
  return 2;
}

}  // namespace creditbot
