// LegacyParseTrinoPage: the Trino page decoder before issue 20, kept in bench/ only as the baseline of
// trino_stream_benchmark.cc and of trino_page_differential.cc (see legacy_trino_page.cc).
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "warehouse/trino_page.h"

namespace creditbot::bench {

// ParseTrinoPage as it was at 398b559: same contract as creditbot::ParseTrinoPage.
absl::StatusOr<TrinoPage> LegacyParseTrinoPage(std::string_view json,
                                               const std::vector<Column>& known_columns = {});

}  // namespace creditbot::bench
