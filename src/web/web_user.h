// WebUser: who is signed in to the dashboard, as Slack's OpenID Connect ID token (or the embedded default's
// local sign-in) names them. Whether they may decide is not stored here: it is asked of the approvers list
// (bot/approvers.h) on every decision, so a change to CREDITBOT_APPROVERS applies at once.
#pragma once

#include <string>

namespace creditbot {

struct WebUser {
  std::string user_id;  // Slack user id ("U0123ABCD"): the ID token's https://slack.com/user_id (or sub)
  std::string team_id;  // Slack workspace id ("T0123ABCD"): https://slack.com/team_id; "" for local sign-in
  std::string name;     // display name for the page header ("Ada Lovelace"); may be ""
  std::string email;    // may be ""
};

}  // namespace creditbot
