// The synthetic warehouse's attempt rows: exact cells (test case 1), SMS pumping attacks with Fraud Guard
// blocking per 12-hour window and prefix, and legitimate OTP traffic with false positives, failures and
// Geo Permission blocks. Every emitter draws from `rng` in a fixed order and SIDs from `sid_rng`, so the
// same streams give the same rows. Each returns the AttemptWriter's error, if any.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "synth/attempt_writer.h"
#include "synth/rng.h"
#include "synth/world.h"

namespace creditbot::synth {

// Exactly `sent` delivered and `blocked` Fraud Guard-blocked attempts on one day (test case 1's cells).
absl::Status EmitExactCell(const World& world, const ServiceRec& service, absl::CivilDay day,
                           std::string_view iso, const std::string& mnc, int64_t sent, int64_t blocked,
                           Rng& rng, Rng& sid_rng, AttemptWriter& out);

// One pumping attack: numbers from a few prefixes; per 12-hour window and prefix Fraud Guard blocks all or
// nothing, with the block rate of the mode in force (domain.md §5.3 step 4).
absl::Status EmitAttack(const World& world, const AttackPlan& plan, Rng& rng, Rng& sid_rng,
                        AttemptWriter& out);

// Legitimate OTP traffic of a service on each day of [from, to), Poisson(`daily`) attempts a day, mostly
// to the account's home country; pumping-prone countries only when `may_reach_pumping_countries`.
absl::Status EmitLegitRange(const World& world, const ServiceRec& service, absl::CivilDay from,
                            absl::CivilDay to, double daily, bool may_reach_pumping_countries, Rng& rng,
                            Rng& sid_rng, AttemptWriter& out);

}  // namespace creditbot::synth
