// The synthetic warehouse generator (see synthetic_warehouse.h): creates the schema, adds the named
// scenarios and the random fleet (their attempts streamed in as they are drawn), writes the reference
// tables, builds the indexes, and links the finished file into place. What each stage generates lives in
// its own file: named_scenarios, messaging_scenario (look 201's Programmable Messaging data), random_fleet,
// traffic (attempt rows), reference_tables, country and
// mcc_table (reference data), schema_script; rng and synth_time are the shared randomness and time.
#include "synth/synthetic_warehouse.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
#include "common/sqlite_db.h"
#include "common/status_macros.h"
#include "synth/attempt_writer.h"
#include "synth/country.h"
#include "synth/mcc_table.h"
#include "synth/messaging_scenario.h"
#include "synth/named_scenarios.h"
#include "synth/random_fleet.h"
#include "synth/reference_tables.h"
#include "synth/schema_script.h"
#include "synth/world.h"

namespace creditbot {
namespace {

using synth::AttemptWriter;
using synth::Country;
using synth::SchemaScript;
using synth::World;

absl::Status Generate(const std::string& path, const SynthOptions& options) {
  World world;
  world.countries = synth::BuiltinCountries();
  // Read the table up front so a bad one fails before anything is written; apply it after the named
  // scenarios, which always use the built-in networks.
  std::vector<Country> refined = world.countries;
  if (!options.mcc_table_path.empty())
    CREDITBOT_RETURN_IF_ERROR(synth::ApplyMccTable(options.mcc_table_path, refined));
  CREDITBOT_ASSIGN_OR_RETURN(std::string schema_text, ReadDataFile("sql/schema/warehouse.sql"));
  const SchemaScript schema = synth::SplitSchema(schema_text);

  CREDITBOT_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path, SqliteDb::OpenMode::kReadWriteCreate));
  // The file is private until it is linked into place, so durability can wait for the end.
  CREDITBOT_RETURN_IF_ERROR(
      db.Exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536"));
  for (const std::string& statement : schema.tables) CREDITBOT_RETURN_IF_ERROR(db.Exec(statement));
  {
    CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db));
    CREDITBOT_ASSIGN_OR_RETURN(Statement insert,
                               db.Prepare("INSERT INTO verification_attempts VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                                          "?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
    AttemptWriter attempts(std::move(insert));
    CREDITBOT_RETURN_IF_ERROR(synth::AddNamedScenarios(world, attempts));
    world.countries = std::move(refined);
    CREDITBOT_RETURN_IF_ERROR(synth::AddRandomFleet(world, options, attempts));
    synth::AddMessagingScenario(world);  // after the fleet: it draws nothing, so the fleet is unchanged
    CREDITBOT_RETURN_IF_ERROR(synth::WriteReferenceTables(db, world));
    CREDITBOT_RETURN_IF_ERROR(synth::WriteMessagingTables(db, world));
    CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  }
  for (const std::string& statement : schema.indexes) CREDITBOT_RETURN_IF_ERROR(db.Exec(statement));
  CREDITBOT_RETURN_IF_ERROR(db.Exec("ANALYZE"));
  return absl::OkStatus();
}

}  // namespace

absl::Status GenerateSyntheticWarehouse(const std::string& db_path, const SynthOptions& options) {
  if (options.scale < 1 || options.scale > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("synthetic warehouse scale must be 1..10000, got ", options.scale));
  }
  std::error_code ec;
  if (std::filesystem::exists(db_path, ec)) {
    return absl::AlreadyExistsError(absl::StrCat("refusing to overwrite the existing file ", db_path));
  }
  const std::string temp = absl::StrCat(db_path, ".partial-", static_cast<int64_t>(::getpid()));
  std::filesystem::remove(temp, ec);
  absl::Status status = Generate(temp, options);
  if (status.ok() && ::link(temp.c_str(), db_path.c_str()) != 0) {
    // link() never replaces an existing file, unlike rename().
    status = errno == EEXIST
                 ? absl::AlreadyExistsError(absl::StrCat("refusing to overwrite the existing file ", db_path))
                 : absl::InternalError(absl::StrCat("cannot create ", db_path, ": ", std::strerror(errno)));
  }
  std::filesystem::remove(temp, ec);
  return status;
}

}  // namespace creditbot
