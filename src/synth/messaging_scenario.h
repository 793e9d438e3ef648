// The synthetic warehouse's Programmable Messaging (PSMS) scenario: the account, MRR, SMS Pumping
// Protection history and messages that sample look 201 reads (data/sample/looks/201.sql), the worked example
// of CREDIT_POLICY.md's "Messaging" section verbatim. Like the named scenarios it never depends on the seed,
// the scale or the MCC table, and it draws no random numbers, so the Verify data is what it was without it.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "common/sqlite_db.h"
#include "synth/world.h"

namespace creditbot::synth {

// The messaging scenario's account (a parent) and its one Messaging Service.
inline constexpr std::string_view kMessagingParent = "AC3e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b";
inline constexpr std::string_view kMessagingService = "MG5b2c8e1f4a7d0b3e6c9f2a5d8b1e4c7f";

// Adds the account and its monthly MRR to `world` (which must hold the built-in countries NG and SO).
void AddMessagingScenario(World& world);

// Writes the SMS Pumping Protection history (off, then on from 2025-08-02), the `on` block rates of NG and
// SO (their Max rates, 0.92 and 0.93) and the four fraud cells of
// messages (error 30450 = blocked by SMS Pumping Protection, price 0) into their tables of `db`, which must
// have the schema of sql/schema/warehouse.sql. Errors: SQLite's.
absl::Status WriteMessagingTables(SqliteDb& db, const World& world);

}  // namespace creditbot::synth
