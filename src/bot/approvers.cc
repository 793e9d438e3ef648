// Who may decide on a credit: the listed users and the cached members of the listed user groups.
#include "bot/approvers.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/logging.h"
#include "common/strings.h"

namespace creditbot {
namespace {

// `first` followed by at least two capital letters or digits.
bool LooksLikeId(std::string_view id, std::string_view first_letters) {
  if (id.size() < 3 || first_letters.find(id.front()) == std::string_view::npos) return false;
  return std::all_of(id.begin() + 1, id.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

}  // namespace

absl::StatusOr<ApproverIds> ParseApproverIds(const std::vector<std::string>& items) {
  ApproverIds ids;
  for (const std::string& item : items) {
    if (LooksLikeId(item, "UW")) {
      ids.users.push_back(item);
    } else if (LooksLikeId(item, "S")) {
      ids.groups.push_back(item);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("'", item, "' is not a Slack user id (U…, W…) or user-group id (S…)"));
    }
  }
  return ids;
}

GroupMembersReader SlackGroupMembers(SlackWebApi& api) {
  return [&api](std::string_view group_id) { return api.UsergroupUsers(group_id); };
}

Approvers::Approvers(ApproverIds ids, const Clock& clock, GroupMembersReader reader, absl::Duration refresh)
    : ids_(std::move(ids)), clock_(clock), reader_(std::move(reader)), refresh_(refresh) {
  for (const std::string& group : ids_.groups) groups_[group];
  if (!reader_ && !ids_.groups.empty()) {
    LogWarn(
        "CREDITBOT_APPROVERS names user groups, but without Slack their members cannot be read: only "
        "the listed users may decide",
        {{"groups", absl::StrJoin(ids_.groups, ",")}});
  }
}

void Approvers::RefreshIfDue(const std::string& id, Group& group) {
  if (!reader_) return;
  const absl::Time now = clock_.Now();
  if (group.read_at && now - *group.read_at < refresh_) return;
  group.read_at = now;
  absl::StatusOr<std::vector<std::string>> members = reader_(id);
  if (!members.ok()) {
    LogWarn(group.members ? "could not refresh an approver group's members; keeping the last list"
                          : "could not read an approver group's members; until they are read only the "
                            "listed users may decide",
            {{"group", id}, {"error", std::string(members.status().message())}});
    return;
  }
  group.members = *std::move(members);
}

bool Approvers::IsApprover(std::string_view user) {
  if (user.empty()) return false;
  if (std::find(ids_.users.begin(), ids_.users.end(), user) != ids_.users.end()) return true;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [id, group] : groups_) {
    RefreshIfDue(id, group);
    if (group.members &&
        std::find(group.members->begin(), group.members->end(), user) != group.members->end())
      return true;
  }
  return false;
}

std::string Approvers::WhoCanDecide() const {
  if (ids_.empty()) return "nobody can decide: CREDITBOT_APPROVERS is empty";
  std::vector<std::string> names;
  for (const std::string& user : ids_.users) names.push_back(absl::StrCat("<@", user, ">"));
  for (const std::string& group : ids_.groups)
    names.push_back(absl::StrCat("members of <!subteam^", group, ">"));
  if (names.size() == 1) return names.front();
  const std::string last = names.back();
  names.pop_back();
  return absl::StrCat(absl::StrJoin(names, ", "), " or ", last);
}

}  // namespace creditbot
