// Country: the synthetic warehouse's reference data, destinations with list price, provider cost, networks
// and block rates [synthetic, A], and the network-specific provider costs that refine them.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"

namespace creditbot::synth {

struct Country {
  std::string iso;
  std::string mcc;
  double price;  // list price per SMS, USD
  double cost;   // provider cost per SMS, USD
  std::vector<std::string> mncs;
  bool pumping_prone;
  std::array<double, 3> block_rate;  // basic, standard, max
  double weight;                     // share as a home country of legitimate traffic (0 for pumping-prone)
};

// The built-in destinations, in the order the generator draws from them.
std::vector<Country> BuiltinCountries();

// Network-specific provider costs (mcc+mnc beats mcc alone) and earlier cost intervals.
struct CostOverride {
  const char* mcc;
  const char* mnc;  // nullptr: the whole MCC
  double cost;
  absl::CivilDay from;
  std::optional<absl::CivilDay> to;
};

std::vector<CostOverride> ExtraCosts();

}  // namespace creditbot::synth
