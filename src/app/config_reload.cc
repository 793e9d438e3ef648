// Reading the configuration again for `creditbot serve`; see config_reload.h.
#include "app/config_reload.h"

#include <mutex>
#include <set>
#include <utility>

#include "common/logging.h"
#include "common/status_macros.h"

namespace creditbot {

void RegisterSecretsOnce(const std::vector<std::string>& values) {
  static std::mutex mutex;
  static std::set<std::string>* registered = new std::set<std::string>();  // never destroyed
  std::lock_guard<std::mutex> lock(mutex);
  for (const std::string& value : values) {
    if (value.empty() || !registered->insert(value).second) continue;
    AddSecret(value);
  }
}

absl::StatusOr<LoadedConfig> LoadConfigWithValues(const GlobalOptions& global) {
  CREDITBOT_ASSIGN_OR_RETURN(RawSettings raw, LoadRawSettings(global.config));
  if (!global.log_format.empty()) raw[Setting::kLogFormat] = {global.log_format, "command line"};
  if (!global.log_level.empty()) raw[Setting::kLogLevel] = {global.log_level, "command line"};
  if (!global.log_file.empty()) raw[Setting::kLogFile] = {global.log_file, "command line"};

  std::vector<std::string> secrets = raw.extra_secret_values;
  for (const SettingInfo& info : AllSettings()) {
    if (info.secret) secrets.push_back(raw[info.id].value);
  }
  RegisterSecretsOnce(secrets);

  LoadedConfig loaded;
  CREDITBOT_ASSIGN_OR_RETURN(loaded.config, BuildConfig(raw));
  RegisterSecretsOnce(loaded.config.secret_values);
  for (const SettingInfo& info : AllSettings()) loaded.values[std::string(info.name)] = raw[info.id].value;
  loaded.notes = std::move(raw.notes);
  for (const UnknownSetting& unknown : raw.unknown) loaded.warnings.push_back(unknown.Message());
  return loaded;
}

std::vector<std::string> ChangedSettingNames(const SettingValues& before, const SettingValues& after) {
  std::vector<std::string> changed;
  auto b = before.begin();
  auto a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      changed.push_back(b->first);
      ++b;
    } else if (b == before.end() || a->first < b->first) {
      changed.push_back(a->first);
      ++a;
    } else {
      if (a->second != b->second) changed.push_back(a->first);
      ++a;
      ++b;
    }
  }
  return changed;
}

}  // namespace creditbot
