// Choosing and opening the warehouse.
#include "app/warehouse_factory.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "app/config.h"
#include "app/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "synth/synthetic_warehouse.h"
#include "warehouse/sqlite_warehouse.h"

namespace creditbot {

absl::StatusOr<std::unique_ptr<Warehouse>> OpenWarehouse(std::string_view url, std::string_view setting,
                                                         bool create_if_missing) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string path, SqlitePathFromUrl(url, setting));
  std::error_code ec;
  if (create_if_missing && !std::filesystem::exists(path, ec)) {
    LogInfo("creating the synthetic warehouse (first run)", {{"path", path}});
    CREDITBOT_RETURN_IF_ERROR(GenerateSyntheticWarehouse(path, SynthOptions{}));
  }
  absl::StatusOr<std::unique_ptr<SqliteWarehouse>> warehouse = SqliteWarehouse::Open(path);
  if (!warehouse.ok()) {
    return absl::Status(warehouse.status().code(),
                        absl::StrCat(ToAbsl(setting), ": ", warehouse.status().message()));
  }
  return std::unique_ptr<Warehouse>(std::move(warehouse).value());
}

}  // namespace creditbot
