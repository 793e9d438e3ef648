// Fuzz target for ParseTrinoPage, the decoder of every Trino/Presto QueryResults page: any bytes must be
// refused with kUnavailable (not JSON) or kInternal (JSON that breaks the protocol), or give a page whose
// rows all have one value per column; decoding a page again with its own columns passed as the earlier
// page's must give the same rows.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "warehouse/trino_warehouse.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<creditbot::TrinoPage> page = creditbot::ParseTrinoPage(text);
  if (!page.ok()) {
    Check(page.status().code() == absl::StatusCode::kInternal ||
          page.status().code() == absl::StatusCode::kUnavailable);
    return 0;
  }
  for (const std::vector<creditbot::Value>& row : page->rows) Check(row.size() == page->columns.size());
  if (page->next_uri) Check(!page->next_uri->empty());
  absl::StatusOr<creditbot::TrinoPage> again = creditbot::ParseTrinoPage(text, page->columns);
  Check(again.ok() && again->rows.size() == page->rows.size());
  return 0;
}
