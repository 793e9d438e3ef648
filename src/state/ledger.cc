// The ledger's status names and the rules both state stores apply in their atomic steps (state/ledger.h).
#include "state/ledger.h"

#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {
namespace {

constexpr std::array<std::pair<LedgerStatus, std::string_view>, 6> kNames = {{
    {LedgerStatus::kAwaiting, "awaiting"},
    {LedgerStatus::kAutoApproved, "auto_approved"},
    {LedgerStatus::kApproved, "approved"},
    {LedgerStatus::kRejected, "rejected"},
    {LedgerStatus::kAdjusted, "adjusted"},
    {LedgerStatus::kSuperseded, "superseded"},
}};

// "0.00", "1234.50": digits, a point, exactly two digits (no sign, no exponent, no thousands separator).
bool IsTwoPlaceAmount(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || text.size() - dot != 3) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != dot && !absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

std::string_view LedgerStatusName(LedgerStatus status) {
  for (const auto& [value, name] : kNames) {
    if (value == status) return name;
  }
  return "awaiting";
}

std::optional<LedgerStatus> ParseLedgerStatus(std::string_view name) {
  for (const auto& [value, text] : kNames) {
    if (text == name) return value;
  }
  return std::nullopt;
}

std::string LedgerStatusNameList() {
  std::string list;
  for (const auto& [value, text] : kNames) absl::StrAppend(&list, list.empty() ? "" : ", ", ToAbsl(text));
  return list;
}

bool IsCredited(LedgerStatus status) {
  return status == LedgerStatus::kApproved || status == LedgerStatus::kAutoApproved ||
         status == LedgerStatus::kAdjusted;
}

bool IsDecided(LedgerStatus status) {
  return status == LedgerStatus::kApproved || status == LedgerStatus::kRejected ||
         status == LedgerStatus::kAdjusted;
}

bool HoldsCells(LedgerStatus status) {
  return status != LedgerStatus::kRejected && status != LedgerStatus::kSuperseded;
}

absl::Status ValidateDecision(const Decision& decision) {
  if (decision.by.empty()) return absl::InvalidArgumentError("a decision needs who made it");
  const bool needs_reason = decision.kind != DecisionKind::kApprove;
  if (needs_reason && absl::StripAsciiWhitespace(ToAbsl(decision.reason)).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        decision.kind == DecisionKind::kReject ? "a rejection" : "an adjustment", " needs a reason"));
  }
  if (decision.kind == DecisionKind::kAdjust && !IsTwoPlaceAmount(decision.amount)) {
    return absl::InvalidArgumentError(
        decision.amount.empty() ? std::string("an adjustment needs an amount")
                                : absl::StrCat("the adjusted amount '", decision.amount,
                                               "' is not a decimal with two places (e.g. 1234.50)"));
  }
  return absl::OkStatus();
}

bool ApplyDecision(LedgerEntry& entry, const Decision& decision) {
  if (entry.status != LedgerStatus::kAwaiting) return false;
  switch (decision.kind) {
    case DecisionKind::kApprove:
      entry.status = LedgerStatus::kApproved;
      entry.final_amount = entry.recommended_amount;
      break;
    case DecisionKind::kReject:
      entry.status = LedgerStatus::kRejected;
      entry.final_amount = "0.00";
      break;
    case DecisionKind::kAdjust:
      entry.status = LedgerStatus::kAdjusted;
      entry.final_amount = decision.amount;
      break;
  }
  entry.decided_by = decision.by;
  entry.decided_at = decision.at;
  entry.reason = decision.reason;
  entry.reply_updated = false;
  return true;
}

bool ApplySupersede(LedgerEntry& entry, std::string_view new_execution_id, absl::Time at) {
  if (entry.status == LedgerStatus::kSuperseded) return false;
  entry.status = LedgerStatus::kSuperseded;
  entry.superseded_by = std::string(new_execution_id);
  entry.superseded_at = at;
  return true;
}

bool MatchesLedgerFilter(const LedgerEntry& entry, const LedgerFilter& filter) {
  if (filter.since && entry.created_at < *filter.since) return false;
  if (filter.until && entry.created_at >= *filter.until) return false;
  if (filter.status && entry.status != *filter.status) return false;
  if (!filter.parent_account_sid.empty() && entry.parent_account_sid != filter.parent_account_sid)
    return false;
  if (!filter.product.empty() && entry.product != filter.product) return false;
  if (!filter.request_key.empty() && entry.request_key != filter.request_key) return false;
  if (filter.reply_pending && (entry.reply_updated || !IsDecided(entry.status))) return false;
  return true;
}

bool LedgerNewerFirst(const LedgerEntry& a, const LedgerEntry& b) {
  if (a.created_at != b.created_at) return a.created_at > b.created_at;
  return a.execution_id > b.execution_id;
}

}  // namespace creditbot
