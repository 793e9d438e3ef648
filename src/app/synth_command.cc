// `creditbot synth`: the deterministic synthetic warehouse, for the demo, tests and benchmarks.
#include <cstdio>

#include "app/commands.h"
#include "common/logging.h"
#include "common/strings.h"
#include "synth/synthetic_warehouse.h"

namespace creditbot {

int SynthCommand(const GlobalOptions& global, const SynthOptionsCli& options) {
  if (absl::StatusOr<Config> config = LoadConfig(global); !config.ok()) {
    std::fprintf(stderr, "creditbot synth: configuration: %s\n",
                 Redact(ToStd(config.status().message())).c_str());
    return 2;
  }
  SynthOptions synth;
  synth.seed = options.seed;
  synth.scale = options.scale;
  synth.mcc_table_path = options.mcc_table;
  absl::Status status = GenerateSyntheticWarehouse(options.db, synth);
  if (!status.ok()) {
    std::fprintf(stderr, "creditbot synth: %s\n", std::string(status.message()).c_str());
    return 1;
  }
  std::printf("synthetic warehouse written to %s (seed %llu, scale %d)\n", options.db.c_str(),
              static_cast<unsigned long long>(options.seed), options.scale);
  return 0;
}

}  // namespace creditbot
