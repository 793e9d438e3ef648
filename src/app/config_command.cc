// `creditbot config`: every setting, the value in force and its source; secrets only as "(set)". Settings
// whose default is derived (outbox, warehouse, state, audit, Looker API) show the value actually used.
// `creditbot config --markdown`: the README's settings table, generated from the same table.
#include <cstdio>
#include <optional>
#include <string>

#include "app/commands.h"
#include "app/store_factory.h"
#include "common/logging.h"
#include "common/strings.h"

namespace creditbot {
namespace {

// The value used for a setting whose default is derived from others, or nullopt for the others.
std::optional<std::string> DerivedValue(Setting setting, const Config& config) {
  switch (setting) {
    case Setting::kOutbox:
      return config.outbox_path;
    case Setting::kWarehouse:
      return config.warehouse_url;
    case Setting::kState: {
      absl::StatusOr<std::string> location = StateStoreLocation(config);
      if (!location.ok()) return config.state_url;
      return location->starts_with("s3://") ? *location : "sqlite:" + *location;
    }
    case Setting::kAuditDir:
      return AuditLocation(config);
    case Setting::kLookerApiUrl:
      return config.looker_api_url;
    default:
      return std::nullopt;
  }
}

}  // namespace

int ConfigCommand(const GlobalOptions& global, bool markdown) {
  if (markdown) {
    std::fputs(SettingsMarkdownTable().c_str(), stdout);
    return 0;
  }
  // The Secrets Manager layer, as every other command reads it (a secret's values show as "(set)").
  absl::StatusOr<RawSettings> raw = LoadRawSettings(global.config);
  if (!raw.ok()) {
    std::fprintf(stderr, "creditbot config: %s\n", Redact(ToStd(raw.status().message())).c_str());
    return 2;
  }
  absl::StatusOr<Config> config = BuildConfig(*raw);
  for (const SettingInfo& info : AllSettings()) {
    const RawSettings::Entry& entry = (*raw)[info.id];
    std::string shown = info.secret ? (entry.value.empty() ? "" : "(set)") : entry.value;
    std::string source = entry.source;
    if (config.ok() && entry.value.empty() && !info.secret) {
      if (std::optional<std::string> derived = DerivedValue(info.id, *config)) {
        shown = *derived;
        source = "default (derived)";
      }
    }
    std::printf("%-32s %-40s # %s; from %s\n", std::string(info.name).c_str(), Redact(shown).c_str(),
                std::string(info.help).c_str(), source.c_str());
  }
  for (const UnknownSetting& unknown : raw->unknown)
    std::fprintf(stderr, "creditbot config: warning: %s\n", unknown.Message().c_str());
  if (!config.ok()) {
    std::fprintf(stderr, "creditbot config: %s\n", Redact(ToStd(config.status().message())).c_str());
    return 2;
  }
  return 0;
}

}  // namespace creditbot
