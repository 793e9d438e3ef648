// Finds the links in a Slack message, exactly as Slack's wire format defines them: in the mrkdwn `text`
// (control sequences `<url|label>`, with `&amp; &lt; &gt;` as the only entities) and in `rich_text`
// blocks (`{"type":"link","url":…}` elements, whose URLs arrive unescaped).
//
// Pure functions with no I/O and no shared state, safe to call from any thread. None of them throws or
// fails: malformed input yields fewer links, never an error.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace creditbot {

// One link as Slack sent it. `url` is never percent-decoded; `label` is the text after the first `|`
// (text form) or the element's "text" (blocks form), empty when there is none.
struct SlackLink {
  std::string url;
  std::string label;

  friend bool operator==(const SlackLink&, const SlackLink&) = default;
};

// The links in a message's `text`, in order of appearance.
//
// Rules (Slack's "Formatting message text"):
//  - Only a raw `<` starts a control sequence; it ends at the first `>` after it (a raw `>` can never be
//    part of a link, Slack sends it as `&gt;`). A `<` with no `>` after it is plain text.
//  - Content starting with `#` (channel), `@` (user) or `!` (special command: here, subteam, date …) is
//    not a link.
//  - Otherwise the URL runs up to the first `|` and the label is everything after it (it may contain `|`).
//  - After splitting, `&amp;` `&lt;` `&gt;` are decoded exactly once, left to right, in URL and label;
//    nothing else is decoded (`&quot;` and `%7C` stay as they are).
//  - Escaped `&lt;…&gt;` and bare URLs outside `<>` are text, not links.
//  - A sequence whose URL part is empty (`<>`, `<|label>`) is dropped.
std::vector<SlackLink> ExtractLinksFromText(std::string_view text);

// The `link` elements of the `rich_text` blocks in `blocks` (a message's "blocks" array), in document
// order, descending into every nested "elements" array (sections, lists, quotes, preformatted …).
// URLs are taken raw (no entity decoding: blocks carry them unescaped). Other block types, elements of the
// wrong JSON type, links without a string "url" or with an empty one are skipped. Nesting deeper than 32
// levels is not followed. Never throws, whatever the shape of `blocks`.
std::vector<SlackLink> ExtractLinksFromBlocks(const nlohmann::json& blocks);

// True when `blocks` is an array holding at least one object with "type": "rich_text".
bool HasRichTextBlock(const nlohmann::json& blocks);

// The links of one message: from `blocks` when it is non-null and HasRichTextBlock (Slack puts every link
// of a user's message there, unescaped), otherwise from `text`.
std::vector<SlackLink> ExtractMessageLinks(std::string_view text, const nlohmann::json* blocks);

}  // namespace creditbot
