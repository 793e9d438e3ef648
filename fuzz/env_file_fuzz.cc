// Fuzz target: the .env parser must never crash on any bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/env_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)creditbot::ParseEnvFile(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
