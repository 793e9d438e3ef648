// ClosestName: the "did you mean …?" of every place that refuses a name it does not know (a command, a
// setting, a status). One rule for all of them: the candidate with the smallest edit distance, compared
// case-insensitively, if that distance is small enough to be a typo.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace creditbot {

// The Levenshtein distance between `a` and `b`, ASCII letters compared case-insensitively.
int EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `name`, or "" when none is within max(2, |name| / 3) edits (so "runn" → "run",
// "CREDITBOT_WAREHOUS" → "CREDITBOT_WAREHOUSE", but "xyz" → ""). Ties go to the earliest candidate.
std::string ClosestName(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace creditbot
