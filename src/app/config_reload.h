// Reading the configuration again, for `creditbot serve` (SIGHUP and every CREDITBOT_SECRET_REFRESH_SECONDS):
// the same layers as at start (app/config.h: defaults, config file, Secrets Manager, .env, environment,
// command line), the effective value of every setting kept so that a reload can say which setting NAMES
// changed — never their values.
//
// The environment is the one the process started with; the config file, the .env file and the secrets are
// read again.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/commands.h"
#include "app/config.h"

namespace creditbot {

// Every setting's effective value, by name. Holds secrets: never log the values.
using SettingValues = std::map<std::string, std::string, std::less<>>;

struct LoadedConfig {
  Config config;
  SettingValues values;
  std::vector<std::string> notes;     // RawSettings::notes (for a debug line each)
  std::vector<std::string> warnings;  // RawSettings::unknown, as messages (for a warning line each)
};

// LoadConfig (app/commands.h) without configuring logging: the layers (the Secrets Manager layer reads with
// global.config.secret_fetcher, which RunCli sets on the process's AWS chain), the --log-* options,
// BuildConfig. Every secret value read is registered with the redactor (once per distinct value) before
// the configuration is typed, so that no error can show one. Errors: those of LoadRawSettings and
// BuildConfig (one line naming the setting or the secret id, never a value).
absl::StatusOr<LoadedConfig> LoadConfigWithValues(const GlobalOptions& global);

// The names whose value differs between `before` and `after` (set in only one counts), sorted.
std::vector<std::string> ChangedSettingNames(const SettingValues& before, const SettingValues& after);

// Registers each value with the redactor (AddSecret) unless this function already did: a periodic reload
// reads the same secrets again and again.
void RegisterSecretsOnce(const std::vector<std::string>& values);

}  // namespace creditbot
