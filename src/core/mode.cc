// Names of the protection modes.
#include "core/mode.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace creditbot {

std::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kOff:
      return "off";
    case Mode::kBasic:
      return "basic";
    case Mode::kStandard:
      return "standard";
    case Mode::kMax:
      return "max";
    case Mode::kOn:
      return "on";
  }
  return "off";
}

std::optional<Mode> ParseMode(std::string_view name) {
  // Debian's abseil has its own absl::string_view (not std::string_view): convert explicitly.
  absl::string_view trimmed = absl::StripAsciiWhitespace(absl::string_view(name.data(), name.size()));
  for (Mode mode : kKnownModes) {
    if (absl::EqualsIgnoreCase(trimmed, absl::string_view(ModeName(mode).data(), ModeName(mode).size())))
      return mode;
  }
  if (absl::EqualsIgnoreCase(trimmed, "disabled")) return Mode::kOff;
  return std::nullopt;
}

}  // namespace creditbot
