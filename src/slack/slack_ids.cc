// The shape of Slack ids (see slack_ids.h).
#include "slack/slack_ids.h"

#include "absl/strings/ascii.h"

namespace creditbot {

bool LooksLikeChannelId(std::string_view text) {
  if (text.size() < 9 || (text[0] != 'C' && text[0] != 'G' && text[0] != 'D')) return false;
  for (char c : text) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

}  // namespace creditbot
