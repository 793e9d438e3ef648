// `creditbot config`: every setting, its effective value and its source; secrets only as "(set)".
#include <cstdio>

#include "app/commands.h"
#include "app/executor_factory.h"
#include "app/logging.h"
#include "common/strings.h"

namespace creditbot {

int ConfigCommand(const GlobalOptions& global) {
  ConfigInputs inputs = global.config;
  // The Secrets Manager layer, as every other command reads it (a secret's values show as "(set)").
  inputs.secret_fetcher = MakeSecretsManagerFetcher(EnvironmentFromEnviron(inputs.environ));
  absl::StatusOr<RawSettings> raw = LoadRawSettings(inputs);
  if (!raw.ok()) {
    std::fprintf(stderr, "creditbot config: %s\n", Redact(ToStd(raw.status().message())).c_str());
    return 2;
  }
  for (const SettingInfo& info : AllSettings()) {
    const RawSettings::Entry& entry = raw->values.at(std::string(info.name));
    std::string shown = info.secret ? (entry.value.empty() ? "" : "(set)") : entry.value;
    std::printf("%-32s %-40s # %s; from %s\n", std::string(info.name).c_str(), shown.c_str(),
                std::string(info.help).c_str(), entry.source.c_str());
  }
  if (absl::StatusOr<Config> config = BuildConfig(*raw); !config.ok()) {
    std::fprintf(stderr, "creditbot config: %s\n", Redact(ToStd(config.status().message())).c_str());
    return 2;
  }
  return 0;
}

}  // namespace creditbot
