// Opens the warehouse a URL names. "sqlite:PATH" is the embedded default; when `create_if_missing` is set
// and PATH does not exist yet, the deterministic synthetic warehouse is generated there first (seed 42,
// scale 1), so `creditbot run --once` works with no configuration at all.
// "trino://USER@HOST[:PORT][/CATALOG[/SCHEMA]][?ssl=false]" (or presto://…, see ParseTrinoUrl) opens the
// Trino/Presto client; `trino_password` (PRESTO_PASSWORD) is sent as HTTP basic when non-empty, which
// needs TLS. Errors name `setting`.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "warehouse/warehouse.h"

namespace creditbot {

absl::StatusOr<std::unique_ptr<Warehouse>> OpenWarehouse(std::string_view url, std::string_view setting,
                                                         bool create_if_missing,
                                                         std::string_view trino_password);

}  // namespace creditbot
