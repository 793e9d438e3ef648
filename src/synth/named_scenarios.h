// AddNamedScenarios: the synthetic warehouse's fixed worked examples, the accounts, services, Fraud Guard
// histories, Geo Permissions, MRR, earlier credits and attempts that the sample looks (data/sample/looks/)
// read: test case 1 of CREDIT_POLICY.md verbatim, look 102, look 103 and the explore look (their SIDs are in
// synthetic_warehouse.h). They never depend on the seed, the scale or the MCC table.
#pragma once

#include "absl/status/status.h"
#include "synth/attempt_writer.h"
#include "synth/world.h"

namespace creditbot::synth {

// Adds the named scenarios' records to `world` (which must hold the built-in countries) and writes their
// attempts to `out`. Returns the AttemptWriter's error, if any.
absl::Status AddNamedScenarios(World& world, AttemptWriter& out);

}  // namespace creditbot::synth
