// Fraud Guard protection modes, in the order every report lists them: off, basic, standard, max.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace creditbot {

enum class Mode { kOff = 0, kBasic = 1, kStandard = 2, kMax = 3 };

inline constexpr std::array<Mode, 4> kAllModes = {Mode::kOff, Mode::kBasic, Mode::kStandard, Mode::kMax};

inline constexpr std::size_t ModeIndex(Mode mode) { return static_cast<std::size_t>(mode); }

// "off", "basic", "standard", "max".
std::string_view ModeName(Mode mode);

// Parses a mode name, case-insensitively; also accepts "disabled" as off. nullopt for anything else.
std::optional<Mode> ParseMode(std::string_view name);

}  // namespace creditbot
