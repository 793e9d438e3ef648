// AddRandomFleet: the seed- and scale-dependent part of the synthetic warehouse, 12 × scale parents with
// 0–5 subaccounts, 1–3 Verify services each (Fraud Guard mode histories, Geo Permissions, MRR, earlier
// credits), SMS pumping attacks on pumping-prone countries and legitimate OTP traffic that fills the
// attempt budget of about scale × 50,000 rows.
#pragma once

#include "absl/status/status.h"
#include "synth/attempt_writer.h"
#include "synth/synthetic_warehouse.h"
#include "synth/world.h"

namespace creditbot::synth {

// Adds the fleet's records to `world` and writes its attempts to `out`, whose count so far (the named
// scenarios') is subtracted from the budget. Returns the AttemptWriter's error, if any.
absl::Status AddRandomFleet(World& world, const SynthOptions& options, AttemptWriter& out);

}  // namespace creditbot::synth
