// Fuzz target: link extraction from arbitrary bytes as Slack text, and (when the bytes are JSON) as a
// message's "blocks". Must never crash, throw or return a link with an empty URL.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/slack_links.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const creditbot::SlackLink& link : creditbot::ExtractLinksFromText(input)) {
    if (link.url.empty() || link.url.size() > input.size()) std::abort();
  }
  const nlohmann::json blocks = nlohmann::json::parse(input, nullptr, /*allow_exceptions=*/false);
  if (!blocks.is_discarded()) {
    for (const creditbot::SlackLink& link : creditbot::ExtractLinksFromBlocks(blocks)) {
      if (link.url.empty()) std::abort();
    }
    (void)creditbot::ExtractMessageLinks(input, &blocks);
  }
  return 0;
}
