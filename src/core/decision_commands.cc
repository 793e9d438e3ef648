// Parsing of decision commands typed by a person (a thread reply, `creditbot decide`, a modal's amount).
#include "core/decision_commands.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "core/decimal.h"

namespace creditbot {
namespace {

constexpr std::string_view kSpaces = " \t\r\n";

std::string_view Trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(kSpaces);
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(kSpaces);
  return text.substr(first, last - first + 1);
}

// `text` without a leading mention of a user or bot ("<@U123>", "<@U123|creditbot>") and what follows it
// (spaces, a colon or a comma).
std::string_view WithoutLeadingMention(std::string_view text) {
  if (!text.starts_with("<@")) return text;
  const size_t end = text.find('>');
  if (end == std::string_view::npos) return text;
  text.remove_prefix(end + 1);
  text = Trimmed(text);
  if (text.starts_with(':') || text.starts_with(',')) text.remove_prefix(1);
  return Trimmed(text);
}

// Splits `text` into its first word and the rest (trimmed).
std::pair<std::string_view, std::string_view> FirstWord(std::string_view text) {
  const size_t end = text.find_first_of(kSpaces);
  if (end == std::string_view::npos) return {text, {}};
  return {text.substr(0, end), Trimmed(text.substr(end))};
}

// True when `whole` (the part of an amount before the decimal point) uses thousands separators the usual
// way ("1,200", "12,345,678") or none at all ("1200").
bool WellGrouped(std::string_view whole) {
  if (whole.find(',') == std::string_view::npos) return true;
  size_t group = 0;
  for (std::string_view rest = whole;; ++group) {
    const size_t comma = rest.find(',');
    const size_t size = comma == std::string_view::npos ? rest.size() : comma;
    if (group == 0 ? (size == 0 || size > 3) : size != 3) return false;
    if (comma == std::string_view::npos) return true;
    rest.remove_prefix(comma + 1);
  }
}

}  // namespace

std::string_view DecisionVerbName(DecisionVerb verb) {
  switch (verb) {
    case DecisionVerb::kApprove:
      return "approve";
    case DecisionVerb::kReject:
      return "reject";
    case DecisionVerb::kAdjust:
      return "adjust";
    case DecisionVerb::kRecalculate:
      return "recalculate";
  }
  return "approve";
}

absl::StatusOr<std::string> ParseDecisionAmount(std::string_view text) {
  std::string_view amount = Trimmed(text);
  const std::string shown(amount);
  if (amount.starts_with('-') || amount.starts_with("$-") || amount.starts_with("-$")) {
    return absl::InvalidArgumentError(
        absl::StrCat("the amount ", shown, " is negative; give the credit in dollars, e.g. 1200.00"));
  }
  if (amount.starts_with('$')) amount.remove_prefix(1);
  const size_t dot = amount.find('.');
  const std::string_view whole = amount.substr(0, dot);
  if (amount.empty() || whole.empty() || !WellGrouped(whole)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", shown, "' is not an amount; write it like 1200, 1,200.50 or $1,200"));
  }
  std::string plain;
  for (char c : amount) {
    if (c != ',') plain += c;
  }
  for (char c : plain) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '.') {
      return absl::InvalidArgumentError(
          absl::StrCat("'", shown, "' is not an amount; write it like 1200, 1,200.50 or $1,200"));
    }
  }
  if (dot != std::string_view::npos && amount.size() - dot - 1 > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("the amount ", shown, " has more than two decimals; give it in cents at most"));
  }
  absl::StatusOr<Decimal> value = Decimal::Parse(plain);
  if (!value.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", shown, "' is not an amount; write it like 1200, 1,200.50 or $1,200"));
  }
  if (value->IsZero()) {
    return absl::InvalidArgumentError("the amount must be more than $0.00 (to credit nothing, reject)");
  }
  return value->ToFixed(2);
}

absl::StatusOr<std::optional<DecisionCommand>> ParseDecisionCommand(std::string_view text) {
  const auto [word, rest] = FirstWord(WithoutLeadingMention(Trimmed(text)));
  const std::string verb = absl::AsciiStrToLower(ToAbsl(word));
  DecisionCommand command;
  if (verb == "approve") {
    command.verb = DecisionVerb::kApprove;
    command.reason = std::string(rest);  // an optional note
  } else if (verb == "recalculate") {
    command.verb = DecisionVerb::kRecalculate;
    command.reason = std::string(rest);
  } else if (verb == "reject") {
    command.verb = DecisionVerb::kReject;
    if (rest.empty()) {
      return absl::InvalidArgumentError("a rejection needs a reason: reject <reason>");
    }
    command.reason = std::string(rest);
  } else if (verb == "adjust") {
    command.verb = DecisionVerb::kAdjust;
    const auto [amount, reason] = FirstWord(rest);
    if (amount.empty()) {
      return absl::InvalidArgumentError(
          "an adjustment needs an amount and a reason: adjust <amount> <reason>");
    }
    absl::StatusOr<std::string> normalised = ParseDecisionAmount(amount);
    if (!normalised.ok()) return normalised.status();
    if (reason.empty()) {
      return absl::InvalidArgumentError(
          "an adjustment needs a reason after the amount: adjust <amount> <reason>");
    }
    command.amount = *std::move(normalised);
    command.reason = std::string(reason);
  } else {
    return std::optional<DecisionCommand>();
  }
  return std::optional<DecisionCommand>(std::move(command));
}

}  // namespace creditbot
