// Request status names and keys.
#include "state/request_record.h"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {
namespace {

constexpr std::array<std::pair<RequestStatus, std::string_view>, 9> kNames = {{
    {RequestStatus::kClaimed, "claimed"},
    {RequestStatus::kReplied, "replied"},
    {RequestStatus::kAsked, "asked"},
    {RequestStatus::kIgnored, "ignored"},
    {RequestStatus::kSkipped, "skipped"},
    {RequestStatus::kRefused, "refused"},
    {RequestStatus::kFailed, "failed"},
    {RequestStatus::kRejected, "rejected"},
    {RequestStatus::kDeleted, "deleted"},
}};

}  // namespace

std::string_view RequestStatusName(RequestStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "claimed";
}

std::optional<RequestStatus> ParseRequestStatus(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::string RequestStatusNameList() {
  std::string list;
  for (const auto& [value, text] : kNames) absl::StrAppend(&list, list.empty() ? "" : ", ", ToAbsl(text));
  return list;
}

std::string RequestKey(std::string_view channel, std::string_view ts) {
  return absl::StrCat(ToAbsl(channel), ":", ToAbsl(ts));
}

bool IsFinal(const RequestRecord& record) {
  if (record.status == RequestStatus::kClaimed) return false;
  if (record.status == RequestStatus::kFailed) return !record.next_retry_at.has_value();
  return true;
}

}  // namespace creditbot
