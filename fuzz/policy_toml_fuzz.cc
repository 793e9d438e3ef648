// Fuzz target for ParseCreditPolicy: any bytes must give a policy or an error status, never a crash or an
// exception escaping (toml++ throws; the loader must catch).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/credit_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<creditbot::CreditPolicy> policy = creditbot::ParseCreditPolicy(text, "fuzz.toml");
  if (policy.ok() && policy->sha256.size() != 64) __builtin_trap();
  return 0;
}
