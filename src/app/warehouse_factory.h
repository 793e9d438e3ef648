// Opens the warehouse a URL names. "sqlite:PATH" is the embedded default; when `create_if_missing` is set
// and PATH does not exist yet, the deterministic synthetic warehouse is generated there first (seed 42,
// scale 1), so `creditbot run --once` works with no configuration at all.
// "trino://USER@HOST[:PORT][/CATALOG[/SCHEMA]][?ssl=false]" (or presto://…, see ParseTrinoUrl) opens the
// Trino/Presto client with `trino` (PRESTO_PASSWORD as HTTP basic, or a bearer token — both need TLS —, a
// CA bundle, the query timeout and session properties). "athena://WORKGROUP/CATALOG/DATABASE?output=s3://…"
// (ParseAthenaUrl) opens Amazon Athena with `env`'s AWS region, endpoint and credential chain and the same
// query timeout (CREDITBOT_TRINO_QUERY_TIMEOUT_SECONDS). Errors name `setting`; any other form
// (postgres://…, a bare path) is kInvalidArgument naming the accepted forms. Generating the
// synthetic warehouse creates its folder first (a fresh CREDITBOT_HOME). Trino's transport, clock and sleeper
// come from `env`, which must outlive the warehouse.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "app/config.h"
#include "app/environment.h"
#include "warehouse/warehouse.h"

namespace creditbot {

// Whether `config` names the embedded default's warehouse (sqlite:$CREDITBOT_HOME/warehouse.db), which every
// command that reads it generates when it is missing.
bool IsEmbeddedDefaultWarehouse(const Config& config);

absl::StatusOr<std::unique_ptr<Warehouse>> OpenWarehouse(std::string_view url, std::string_view setting,
                                                         bool create_if_missing, const TrinoSettings& trino,
                                                         const Environment& env);

}  // namespace creditbot
