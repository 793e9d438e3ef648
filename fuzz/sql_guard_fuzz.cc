// Fuzz target: the read-only SQL guard on arbitrary bytes. Must never crash, and must only ever answer
// OK, kInvalidArgument (empty) or kPermissionDenied (refused).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "core/sql_guard.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  const absl::Status status = creditbot::CheckReadOnlySql(sql);
  if (!status.ok() && status.code() != absl::StatusCode::kInvalidArgument &&
      status.code() != absl::StatusCode::kPermissionDenied) {
    std::abort();
  }
  // Appending a second statement must never turn a refusal into acceptance, nor keep acceptance.
  if (status.ok() && creditbot::CheckReadOnlySql(std::string(sql) + "\n;DELETE FROM t").ok()) std::abort();
  return 0;
}
