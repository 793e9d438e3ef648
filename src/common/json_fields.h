// Reading one member of a JSON object that may be missing or of another type. The decoders of Slack, AWS,
// Looker and Trino answers read many optional members and take a missing or mistyped one as empty (""),
// false or absent rather than failing; these functions are that one rule. They never throw, and accept any
// JSON value as `object` (a value that is not an object has no members). Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace creditbot {

// The member `name` of `object`, or nullptr when `object` is not an object or has no such member.
const nlohmann::json* JsonMember(const nlohmann::json& object, std::string_view name);

// The member `name` when it is an object; nullptr otherwise (missing, or another type).
const nlohmann::json* JsonObjectMember(const nlohmann::json& object, std::string_view name);

// The member `name` when it is a string; "" otherwise (missing, or another type).
std::string JsonStringMember(const nlohmann::json& object, std::string_view name);

// The first of `names` whose member is a string (even an empty one); "" when none is.
std::string JsonStringMember(const nlohmann::json& object, std::initializer_list<std::string_view> names);

// True only when the member `name` is the boolean true; false when missing, false or of another type.
bool JsonBoolMember(const nlohmann::json& object, std::string_view name);

// The member `name` when it is an integer (as int64_t; an unsigned value above INT64_MAX wraps, as
// nlohmann's get<int64_t> does); nullopt otherwise (missing, a float, or another type). Callers apply their
// own range.
std::optional<std::int64_t> JsonIntegerMember(const nlohmann::json& object, std::string_view name);

}  // namespace creditbot
