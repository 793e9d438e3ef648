// Link extraction from Slack message text (mrkdwn wire format) and rich_text blocks; see slack_links.h.
#include "core/slack_links.h"

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace creditbot {
namespace {

// Deep enough for any real message (block → section/list → list item → element), shallow enough that a
// hostile document cannot exhaust the stack.
constexpr int kMaxBlockDepth = 32;

// Decodes Slack's three entities once, left to right: "&amp;lt;" becomes "&lt;", not "<".
std::string DecodeSlackEntities(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    if (in[i] == '&') {
      std::string_view rest = in.substr(i);
      if (rest.starts_with("&amp;")) {
        out.push_back('&');
        i += 5;
        continue;
      }
      if (rest.starts_with("&lt;")) {
        out.push_back('<');
        i += 4;
        continue;
      }
      if (rest.starts_with("&gt;")) {
        out.push_back('>');
        i += 4;
        continue;
      }
    }
    out.push_back(in[i]);
    ++i;
  }
  return out;
}

bool IsObjectOfType(const nlohmann::json& j, std::string_view type) {
  if (!j.is_object()) return false;
  auto it = j.find("type");
  return it != j.end() && it->is_string() && it->get_ref<const std::string&>() == type;
}

// Collects link elements from `elements` (an array of rich_text elements) and everything nested in it.
void CollectLinkElements(const nlohmann::json& elements, int depth, std::vector<SlackLink>& out) {
  if (depth > kMaxBlockDepth || !elements.is_array()) return;
  for (const nlohmann::json& element : elements) {
    if (!element.is_object()) continue;
    if (IsObjectOfType(element, "link")) {
      auto url = element.find("url");
      if (url == element.end() || !url->is_string() || url->get_ref<const std::string&>().empty()) continue;
      SlackLink link;
      link.url = url->get_ref<const std::string&>();
      auto text = element.find("text");
      if (text != element.end() && text->is_string()) link.label = text->get_ref<const std::string&>();
      out.push_back(std::move(link));
      continue;
    }
    auto nested = element.find("elements");
    if (nested != element.end()) CollectLinkElements(*nested, depth + 1, out);
  }
}

}  // namespace

std::vector<SlackLink> ExtractLinksFromText(std::string_view text) {
  std::vector<SlackLink> links;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t open = text.find('<', pos);
    if (open == std::string_view::npos) break;
    std::size_t close = text.find('>', open + 1);
    if (close == std::string_view::npos) break;  // An unterminated '<' and everything after it is text.
    std::string_view content = text.substr(open + 1, close - open - 1);
    pos = close + 1;
    if (!content.empty() && (content[0] == '#' || content[0] == '@' || content[0] == '!')) continue;
    std::size_t pipe = content.find('|');
    std::string_view url = content.substr(0, pipe);
    if (url.empty()) continue;
    SlackLink link;
    link.url = DecodeSlackEntities(url);
    if (pipe != std::string_view::npos) link.label = DecodeSlackEntities(content.substr(pipe + 1));
    links.push_back(std::move(link));
  }
  return links;
}

std::vector<SlackLink> ExtractLinksFromBlocks(const nlohmann::json& blocks) {
  std::vector<SlackLink> links;
  if (!blocks.is_array()) return links;
  for (const nlohmann::json& block : blocks) {
    if (!IsObjectOfType(block, "rich_text")) continue;
    auto elements = block.find("elements");
    if (elements != block.end()) CollectLinkElements(*elements, 1, links);
  }
  return links;
}

bool HasRichTextBlock(const nlohmann::json& blocks) {
  if (!blocks.is_array()) return false;
  for (const nlohmann::json& block : blocks) {
    if (IsObjectOfType(block, "rich_text")) return true;
  }
  return false;
}

std::vector<SlackLink> ExtractMessageLinks(std::string_view text, const nlohmann::json* blocks) {
  if (blocks != nullptr && HasRichTextBlock(*blocks)) return ExtractLinksFromBlocks(*blocks);
  return ExtractLinksFromText(text);
}

}  // namespace creditbot
