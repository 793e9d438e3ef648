// ParseTomlDocument: the one way creditbot reads TOML (policy files, the --config file).
//
// toml++ 3.3 checks some of its own preconditions with assertions that malformed input can break (found by
// fuzz/policy_toml_fuzz, e.g. "y=[}'" or "[<]"; upstream marzer/tomlplusplus#294 and #301): with NDEBUG
// unset they abort, with NDEBUG set they become compiler assumptions, i.e. undefined behaviour. This header
// includes toml++ with those assertions throwing TomlPreconditionFailed instead, whatever NDEBUG says, and
// renames its namespace (creditbot_toml, aliased as creditbot::toml) so this configuration can never clash
// with a default-configured copy. Include toml++ only through this header.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {
struct TomlPreconditionFailed {};
// Throws TomlPreconditionFailed (a call rather than a throw-expression, since some toml++ accessors that
// use TOML_ASSERT are noexcept; those guard against misuse of the API, not against input).
[[noreturn]] void FailTomlPrecondition();
}  // namespace creditbot

#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) ((expr) ? static_cast<void>(0) : ::creditbot::FailTomlPrecondition())
#define toml creditbot_toml
#include "toml++/toml.h"
#undef toml
#pragma pop_macro("NDEBUG")

namespace creditbot {

namespace toml = ::creditbot_toml;

// Parses `text`. kInvalidArgument "source:line:column: what" for anything that is not valid TOML, for
// non-ASCII bytes, and for table headers toml++ cannot survive.
absl::StatusOr<toml::table> ParseTomlDocument(std::string_view text, std::string_view source_name);

}  // namespace creditbot
