// CapText: the one rule for text that must stay within a size (issue 21, "Sizes"). What is cut is said,
// never silently dropped: the result ends with a note naming how many bytes were left out.
//
// Used where creditbot writes text that came from outside and may be huge (a Looker SQL quoted in an error,
// a server's answer): log lines (common/logging.cc), Slack messages (slack/replier.cc) and the state's
// detail (bot/pipeline.cc); and, with a plain ellipsis, for the parts of a reply Slack limits
// (core/reply_renderer.cc). The limits are named here so every writer states them once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace creditbot {

// Slack's limit on a message's text: chat.postMessage truncates (or refuses) text over 40,000 characters.
// Counted in bytes here, so a capped text is within the limit whatever its characters are.
inline constexpr std::size_t kMaxSlackTextBytes = 40000;
// A log line's message and each of its field values.
inline constexpr std::size_t kMaxLogValueBytes = 4096;
// The human-readable detail kept in a request's state record.
inline constexpr std::size_t kMaxStateDetailBytes = 2000;

// How a cut is marked: kCounted " …[cut N of M bytes]" (for people who must know what is missing: the
// owner, a log reader), kEllipsis "…" alone (for a reply's header or section, where the count is noise).
enum class CutMark { kCounted, kEllipsis };

// `text` when it is at most `max_bytes` long; otherwise its beginning, cut at a UTF-8 character boundary,
// followed by the mark, the whole at most `max_bytes` long (kCounted: for max_bytes ≥ 64, a smaller limit
// keeps just the mark; kEllipsis: for max_bytes ≥ 3). Never splits a multi-byte character.
std::string CapText(std::string_view text, std::size_t max_bytes, CutMark mark = CutMark::kCounted);

}  // namespace creditbot
