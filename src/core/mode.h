// Protection modes: Fraud Guard's (off, basic, standard, max, in the order its reports list them) and SMS
// Pumping Protection's one switch (off, on). A credit policy declares which of them it uses, in its
// report order (CreditPolicy::modes); `off` blocks nothing in every product.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace creditbot {

enum class Mode { kOff = 0, kBasic = 1, kStandard = 2, kMax = 3, kOn = 4 };

// Every mode creditbot knows, by ModeIndex; arrays indexed by ModeIndex have kModeCount entries.
inline constexpr std::size_t kModeCount = 5;
inline constexpr std::array<Mode, kModeCount> kKnownModes = {Mode::kOff, Mode::kBasic, Mode::kStandard,
                                                             Mode::kMax, Mode::kOn};
// Fraud Guard's modes in report order: the modes of a policy that declares none (Verify).
inline constexpr std::array<Mode, 4> kAllModes = {Mode::kOff, Mode::kBasic, Mode::kStandard, Mode::kMax};

inline constexpr std::size_t ModeIndex(Mode mode) { return static_cast<std::size_t>(mode); }

// "off", "basic", "standard", "max", "on".
std::string_view ModeName(Mode mode);

// Parses a mode name, case-insensitively; also accepts "disabled" as off. nullopt for anything else.
std::optional<Mode> ParseMode(std::string_view name);

}  // namespace creditbot
