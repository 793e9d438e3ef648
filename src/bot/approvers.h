// Approvers: who may decide on a credit (CREDITBOT_APPROVERS). The setting lists Slack user ids (U…/W…)
// and/or user-group ids (S…); a user decides when listed, or when a member of a listed group. Members are
// read with Slack's usergroups.users.list through a GroupMembersReader and cached: each group is read again
// once its list is `refresh` old (Default: 10 minutes). A failed read keeps the last good list (and is
// logged); a group whose members were never read counts nobody, so then only the listed users decide. On
// the embedded default (no Slack) there is no reader and only listed user ids count. With nothing listed
// nobody may decide, and WhoCanDecide says that CREDITBOT_APPROVERS is empty.
//
// Thread-safe: IsApprover and WhoCanDecide may be called from several threads (serve's handlers); the
// reader is called under the object's lock, one group at a time, so it must not be used by another thread
// at the same time (give it its own SlackWebApi, or one used only here).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "slack/slack_web_api.h"

namespace creditbot {

// CREDITBOT_APPROVERS, split by kind.
struct ApproverIds {
  std::vector<std::string> users;   // U…/W… user ids
  std::vector<std::string> groups;  // S… user-group ids
  bool empty() const { return users.empty() && groups.empty(); }
};

// The items of CREDITBOT_APPROVERS (already split at commas and trimmed) sorted into users and groups.
// kInvalidArgument naming the first item that is neither a user id (U or W, then capital letters and
// digits) nor a user-group id (S, then capital letters and digits): "'alice' is not a Slack user id (U…,
// W…) or user-group id (S…)".
absl::StatusOr<ApproverIds> ParseApproverIds(const std::vector<std::string>& items);

// Reads the user ids of a user group's members (usergroups.users.list).
using GroupMembersReader = std::function<absl::StatusOr<std::vector<std::string>>(std::string_view group_id)>;

// A reader over `api` (SlackWebApi::UsergroupUsers). `api` must outlive it.
GroupMembersReader SlackGroupMembers(SlackWebApi& api);

inline constexpr absl::Duration kDefaultApproverRefresh = absl::Minutes(10);

class Approvers {
 public:
  // `reader` empty: groups count nobody (the embedded default; a warning is logged once when groups are
  // listed). `clock` must outlive the object.
  Approvers(ApproverIds ids, const Clock& clock, GroupMembersReader reader = {},
            absl::Duration refresh = kDefaultApproverRefresh);

  // True when `user` is listed, or a member of a listed group (read or refreshed now when due).
  bool IsApprover(std::string_view user);
  // For a refusal: "<@U1>, <@U2> or members of <!subteam^S1>"; with nothing listed, "nobody can decide:
  // CREDITBOT_APPROVERS is empty".
  std::string WhoCanDecide() const;
  bool empty() const { return ids_.empty(); }
  const ApproverIds& ids() const { return ids_; }

 private:
  struct Group {
    std::optional<std::vector<std::string>> members;  // the last good list; nullopt = never read
    std::optional<absl::Time> read_at;                // last attempt
  };
  // Reads `id`'s members when never tried or `refresh_` old. Called with mutex_ held.
  void RefreshIfDue(const std::string& id, Group& group);

  const ApproverIds ids_;
  const Clock& clock_;
  GroupMembersReader reader_;
  absl::Duration refresh_;
  std::mutex mutex_;
  std::map<std::string, Group> groups_;  // by group id
};

}  // namespace creditbot
