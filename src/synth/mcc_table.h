// ApplyMccTable: refines the built-in countries' networks from a public MCC/MNC table (a CSV like
// data/mcc_mnc.csv, columns mcc, mnc, iso_code and optionally status), for `creditbot synth --mcc-table`.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "synth/country.h"

namespace creditbot::synth {

// Replaces each country's networks by the table's operational, purely numeric MNCs for the same MCC and ISO
// code (duplicates dropped, sorted), when the table lists any. Errors: kNotFound for a missing file;
// kInvalidArgument for an empty table, a missing column or a row with too few fields.
absl::Status ApplyMccTable(const std::string& path, std::vector<Country>& countries);

}  // namespace creditbot::synth
