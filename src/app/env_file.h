// Parser for `.env` files as the seed deployment wrote them (docker/compose and python-dotenv style):
//   # comment
//   NAME=value
//   export NAME="value with spaces"   NAME='literal $value'   NAME=value # trailing comment
// Double-quoted values understand \n \t \" \\ escapes; single-quoted values are literal; unquoted values
// end at " #" and are trimmed. No variable expansion (values are taken literally, so a secret containing
// "$" survives).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace creditbot {

// Returns the assignments in file order. kInvalidArgument naming the line number for a line that is
// neither blank, a comment nor NAME=value, or an unterminated quote. Values are never in the message.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseEnvFile(std::string_view text);

}  // namespace creditbot
