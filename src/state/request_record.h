// RequestRecord: what the state store keeps for one request, keyed by "channel:ts". Which requests a pass
// may claim, and which are due again, is bot/due_requests.h's rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace creditbot {

enum class RequestStatus {
  kClaimed,   // a pass is working on it (until lease_until)
  kReplied,   // the credit reply was posted (or, with dry_run, previewed)
  kAsked,     // we asked for a Looker link
  kIgnored,   // the SQL matched no enabled policy (e.g. messaging), silently
  kSkipped,   // not a request: a bot, a join, a thread reply…
  kRefused,   // the SQL was not a single read-only statement; never run
  kFailed,    // failed; retried at next_retry_at unless that is unset (final)
  kRejected,  // the inbox line or event could not be read at all
  kDeleted,   // the message was deleted before it was answered
};

std::string_view RequestStatusName(RequestStatus status);
std::optional<RequestStatus> ParseRequestStatus(std::string_view name);
// Every status name, comma-separated, in the enum's order: for messages that list the valid ones.
std::string RequestStatusNameList();

struct RequestRecord {
  std::string key;  // "channel:ts"
  std::string channel;
  std::string ts;
  RequestStatus status = RequestStatus::kClaimed;
  int attempts = 0;  // executions started
  absl::Time first_seen_at;
  absl::Time updated_at;
  std::optional<absl::Time> next_retry_at;
  std::optional<absl::Time> lease_until;
  std::string lease_holder;
  bool dry_run = false;  // the outcome was produced by a dry run
  std::string outcome;   // short machine word: credit, ask_link, no_policy, bot_message, …
  std::string detail;    // one human line (error message, credit amount…), already redacted
  std::string reply_ts;  // ts of our reply, when posted
  std::string execution_id;
  std::string product;
  std::string credit_amount;
};

// The key of a message.
std::string RequestKey(std::string_view channel, std::string_view ts);

// True when the status is final for the request (nothing more will happen to it by itself).
bool IsFinal(const RequestRecord& record);

}  // namespace creditbot
