// The local inbox.
#include "slack/message_source.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/embedded_files.h"
#include "common/strings.h"
#include "core/report_json.h"

namespace creditbot {

absl::StatusOr<std::vector<InboxItem>> LocalInbox::Fetch() {
  absl::StatusOr<std::string> text = ReadFileToString(path_);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("cannot read the inbox (CREDITBOT_INBOX): ", text.status().message()));
  }
  std::vector<InboxItem> items;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    InboxItem item;
    item.origin = absl::StrCat(path_, ":", line_number);
    item.digest = Sha256Hex(ToStd(absl::StripAsciiWhitespace(line)));
    absl::StatusOr<SlackMessage> message = ParseSlackMessageLine(ToStd(line), default_channel_);
    if (message.ok()) {
      item.message = *std::move(message);
    } else {
      item.error = std::string(message.status().message());
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace creditbot
