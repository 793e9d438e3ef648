// Bridges between std::string_view and absl::string_view. Debian 12 builds abseil in C++14 mode, so its
// absl::string_view is a separate class, not an alias of std::string_view, and neither converts to the
// other implicitly. Use these at the boundary (absl string helpers, Status messages).
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace creditbot {

inline absl::string_view ToAbsl(std::string_view text) { return {text.data(), text.size()}; }
inline std::string_view ToStd(absl::string_view text) { return {text.data(), text.size()}; }

}  // namespace creditbot
