// What a Slack id looks like, for telling an id from a name where a setting or argument may hold either
// (CREDITBOT_SLACK_CHANNELS takes "C0123456789" or "#fraud-credits"). Stateless and thread-safe.
#pragma once

#include <string_view>

namespace creditbot {

// True for a conversation id: 'C' (channel), 'G' (private channel or group DM) or 'D' (DM) followed by
// upper-case letters and digits, at least 9 characters in all ("C0123ABCD"). Says nothing of whether the
// conversation exists; "#name" and lower-case names are never ids.
bool LooksLikeChannelId(std::string_view text);

}  // namespace creditbot
