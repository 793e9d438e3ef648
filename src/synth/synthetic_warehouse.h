// GenerateSyntheticWarehouse: writes the embedded default's warehouse, a SQLite file with the schema of
// sql/schema/warehouse.sql (CREDIT_POLICY.md "Input 2") filled with deterministic synthetic data shaped
// after docs research (domain.md §5): parents with 0–5 subaccounts, 1–3 Verify services each, Fraud Guard
// mode histories, Geo Permissions, legitimate OTP traffic and SMS pumping attacks on pumping-prone MCCs
// with Fraud Guard blocks per mode, provider costs, block rates, MRR and earlier credits.
//
// Besides the random fleet, the warehouse always holds the named scenarios the sample looks
// (data/sample/looks/) read; they do not depend on the seed, the scale or the MCC table:
//   test case 1 of CREDIT_POLICY.md verbatim (parent ACp, subaccounts ACs1/VA1 and ACs2/VA2, July 2025);
//   look 102 (kScenario102*), look 103 (kScenario103*) and the explore look (kScenarioExplore*).
//
// Determinism: the same seed, scale and MCC table give byte-for-byte the same rows. Randomness comes from
// our own xoshiro256** seeded by splitmix64 (never std:: distributions, which differ between standard
// libraries); only exp/log/sqrt of the C library shape a few draws.
//
// Size: about scale × 50,000 attempt rows in all, the ~31,000 of the named scenarios included (at least
// 10,000 fleet rows; --scale 200 gives just over 10 million). Everything is inserted in one transaction
// with prepared statements, and the indexes are built at the end.
//
// Not thread-safe to run twice on one path at the same time (the final no-clobber link then fails).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace creditbot {

struct SynthOptions {
  uint64_t seed = 42;          // Default: 42. Drives the random fleet only.
  int scale = 1;               // Default: 1. Background attempts ≈ scale × 50,000; 1..10,000.
  std::string mcc_table_path;  // Default: empty = the built-in list. A CSV like data/mcc_mnc.csv
                               // (columns mcc, mnc, iso_code, status) refines each country's networks.
};

// Creates the SQLite file `db_path`. It is written to a temporary file beside it and linked into place
// only when complete, so a failure never leaves a partial warehouse and an existing file is never replaced.
// Errors: kAlreadyExists when `db_path` exists; kInvalidArgument for a scale outside 1..10,000 or an
// unreadable MCC table row; kNotFound for a missing MCC table; kInternal / SQLite's codes for I/O failures.
absl::Status GenerateSyntheticWarehouse(const std::string& db_path, const SynthOptions& options);

// The named scenarios' identities (see data/sample/README.md).
// Test case 1 uses the short SIDs of CREDIT_POLICY.md verbatim.
inline constexpr std::string_view kTestCase1Parent = "ACp";
inline constexpr std::string_view kTestCase1Sub1 = "ACs1";
inline constexpr std::string_view kTestCase1Sub2 = "ACs2";
inline constexpr std::string_view kTestCase1Service1 = "VA1";
inline constexpr std::string_view kTestCase1Service2 = "VA2";

// Look 102: attack on UZ (434/05) 2025-08-25..2025-09-14 on service a1, which moves standard → max at
// 2025-09-04 09:30 UTC; a smaller one on KG (437/09) 2025-09-02..2025-09-06 on service b1 (standard).
inline constexpr std::string_view kScenario102Parent = "ACa69f03e594eefbb87cde656abf334c1d";
inline constexpr std::string_view kScenario102SubA = "AC861d696f9cd1ee957230a3694ae3d289";
inline constexpr std::string_view kScenario102SubB = "AC1fcd0443e3b10a9c6400e4388b9f8ebd";
inline constexpr std::string_view kScenario102SubC = "AC2d8bf7e5aa5e893bd6419f9510a93a10";
inline constexpr std::string_view kScenario102ServiceA1 = "VAe31b96a4e8c6953521a89f660a179424";
inline constexpr std::string_view kScenario102ServiceA2 = "VA96c1fae57d30f3e9b58e1d173e8a5d0b";
inline constexpr std::string_view kScenario102ServiceB1 = "VAac63871b44c96559d94d1c257bf4b90b";
inline constexpr std::string_view kScenario102ServiceC1 = "VA633b8f5b0d3c5578c0171ae86bb44ef6";

// Look 103: one parent, its service off since 2025-03-10; attack on BD (470/03) 2025-08-01..2025-08-07.
inline constexpr std::string_view kScenario103Parent = "ACabf021eeadbbcd81f7ad1f5a8de66fad";
inline constexpr std::string_view kScenario103Service = "VA77453c3d20b90462333feeec53ae09f0";

// Explore look: one parent on basic since 2025-06-01 with Geo Permission 'allow' for LK; attack on LK
// (413/02) and PK (410/06) 2025-09-08..2025-09-19; an issued credit on 2025-01-20.
inline constexpr std::string_view kScenarioExploreParent = "AC6db3d9017cdfa50c7de020da0768269f";
inline constexpr std::string_view kScenarioExploreService = "VA6c7f4dc338da1d23ef98168a1067b2c7";
inline constexpr std::string_view kScenarioExploreService2 = "VAee9fb236457cf08ba7930286cc85a356";

}  // namespace creditbot
