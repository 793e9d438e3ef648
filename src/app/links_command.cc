// `creditbot links`: the links of one Slack message, classified, for support and tests.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "app/commands.h"
#include "common/logging.h"
#include "common/strings.h"
#include "core/looker_url.h"
#include "core/slack_links.h"

namespace creditbot {

int LinksCommand(const GlobalOptions& global, const LinksOptions& options) {
  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok()) {
    std::fprintf(stderr, "creditbot links: configuration: %s\n",
                 Redact(ToStd(config.status().message())).c_str());
    return 2;
  }
  std::string base_url = options.looker_base_url.empty() ? config->looker_base_url : options.looker_base_url;
  absl::StatusOr<LookerBase> base = ParseLookerBase(base_url);
  if (!base.ok()) {
    std::fprintf(stderr, "creditbot links: Looker base URL: %s\n",
                 std::string(base.status().message()).c_str());
    return 2;
  }
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  std::vector<SlackLink> links;
  std::string_view trimmed = ToStd(absl::StripAsciiWhitespace(input));
  if (!trimmed.empty() && trimmed.front() == '{') {
    nlohmann::json message = nlohmann::json::parse(trimmed, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded() || !message.is_object()) {
      std::fprintf(stderr, "creditbot links: stdin starts with '{' but is not a JSON object\n");
      return 1;
    }
    const nlohmann::json* text = message.contains("text") ? &message["text"] : nullptr;
    if (text == nullptr || !text->is_string()) {
      std::fprintf(stderr, "creditbot links: the message JSON has no \"text\" string\n");
      return 1;
    }
    const nlohmann::json* blocks = message.contains("blocks") ? &message["blocks"] : nullptr;
    links = ExtractMessageLinks(text->get<std::string>(), blocks);
  } else {
    links = ExtractLinksFromText(input);
  }
  nlohmann::ordered_json out;
  out["links"] = nlohmann::ordered_json::array();
  for (const SlackLink& link : links) {
    LookerRef ref = ClassifyLink(link.url, *base);
    out["links"].push_back({{"url", link.url}, {"label", link.label}, {"kind", LinkKindName(ref.kind)}});
  }
  std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return 0;
}

}  // namespace creditbot
