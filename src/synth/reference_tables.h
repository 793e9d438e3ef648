// WriteReferenceTables: writes the World's records into every synthetic warehouse table but
// verification_attempts (which AttemptWriter fills as it goes): accounts, verify_services with their
// fraud_guard_settings_history, geo_permissions_history, provider_costs, block_rates, mrr_monthly and
// credits_issued.
#pragma once

#include "absl/status/status.h"
#include "common/sqlite_db.h"
#include "synth/world.h"

namespace creditbot::synth {

// Inserts the rows into `db`, whose tables must exist; SQLite's error on failure.
absl::Status WriteReferenceTables(SqliteDb& db, const World& world);

}  // namespace creditbot::synth
