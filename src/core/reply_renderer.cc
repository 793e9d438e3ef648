// Slack wording and Block Kit layout of creditbot's messages.
#include "core/reply_renderer.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "common/strings.h"

namespace creditbot {
namespace {

using Json = nlohmann::ordered_json;

Json Section(std::string_view mrkdwn) {
  return {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", mrkdwn}}}};
}

std::string ModeTitle(Mode mode) {
  std::string name(ModeName(mode));
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

}  // namespace

std::string FormatUsd(Decimal amount) {
  std::string fixed = amount.ToFixed(2);
  bool negative = !fixed.empty() && fixed[0] == '-';
  if (negative) fixed.erase(0, 1);
  std::size_t dot = fixed.find('.');
  std::string whole = fixed.substr(0, dot);
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return absl::StrCat(negative ? "-$" : "$", grouped, fixed.substr(dot));
}

RenderedMessage RenderCreditReply(const CreditReport& report, std::string_view execution_id) {
  std::string window = report.fraud_start && report.fraud_end
                           ? absl::StrCat(absl::FormatCivilTime(*report.fraud_start), " to ",
                                          absl::FormatCivilTime(*report.fraud_end))
                           : "no billed fraud";
  std::string approval = report.needs_approval
                             ? absl::StrCat("needs approval (above the ",
                                            FormatUsd(report.summary.approval_threshold), " threshold)")
                             : "within the auto-approval limit";
  std::string headline =
      report.credit_amount.IsZero()
          ? absl::StrCat("No credit recommended (", report.reason.value_or("no_shortfall"), ")")
          : absl::StrCat("Recommended credit: ", FormatUsd(report.credit_amount), " ", report.currency, ", ",
                         approval);
  RenderedMessage message;
  message.text =
      absl::StrCat(headline, ". Parent account ", report.parent_account_sid, ", fraud ", window,
                   ", fraud charges ", FormatUsd(report.fraud_total), ". Policy ", report.policy_name, "/",
                   report.policy_version, ", execution ", ToAbsl(execution_id), ".");

  Json blocks = Json::array();
  blocks.push_back(
      {{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", headline.substr(0, 150)}}}});
  Json fields = Json::array();
  auto field = [&fields](std::string_view label, std::string_view value) {
    fields.push_back({{"type", "mrkdwn"}, {"text", absl::StrCat("*", ToAbsl(label), "*\n", ToAbsl(value))}});
  };
  field("Parent account", report.parent_account_sid);
  field("Fraud window", window);
  field("Fraud charges", FormatUsd(report.fraud_total));
  field("MRR", report.mrr ? FormatUsd(*report.mrr) : "unknown");
  field("Credit", FormatUsd(report.credit_amount));
  field("Approval", report.needs_approval ? "needed" : "not needed");
  blocks.push_back({{"type", "section"}, {"fields", std::move(fields)}});

  std::string table = "```\nmode      charges      credited     if all in mode\n";
  for (const ModeBreakdown& mode : report.output_df) {
    absl::StrAppendFormat(&table, "%-9s %-12s %-12s %s\n", ModeTitle(mode.mode),
                          FormatUsd(mode.fraud_charges_in_mode), FormatUsd(mode.credit_in_mode),
                          FormatUsd(mode.credit_if_mode));
  }
  table += "```";
  blocks.push_back(Section(absl::StrCat("*Breakdown by Fraud Guard mode*\n", table)));
  if (!report.warnings.empty()) {
    std::string warnings = "*Warnings*";
    for (const std::string& warning : report.warnings) absl::StrAppend(&warnings, "\n• ", warning);
    blocks.push_back(Section(warnings));
  }
  blocks.push_back({{"type", "context"},
                    {"elements",
                     {{{"type", "mrkdwn"},
                       {"text", absl::StrCat("Policy ", report.policy_name, "/", report.policy_version,
                                             " · execution ", ToAbsl(execution_id))}}}}});
  message.blocks_json = blocks.dump();
  return message;
}

RenderedMessage RenderAskForLink(std::string_view requester_user_id) {
  std::string greeting =
      requester_user_id.empty() ? "Hi" : absl::StrCat("Hi <@", ToAbsl(requester_user_id), ">");
  return {absl::StrCat(
              greeting,
              ", I could not find a Looker link in this request. Please edit the message to add the link "
              "to the Looker report of the fraudulent traffic (a Look or an Explore), and I will "
              "calculate the credit."),
          ""};
}

RenderedMessage RenderAskToFix(std::string_view requester_user_id, std::string_view url,
                               std::string_view what) {
  std::string greeting =
      requester_user_id.empty() ? "Hi" : absl::StrCat("Hi <@", ToAbsl(requester_user_id), ">");
  return {absl::StrCat(greeting, ", I could not use ", ToAbsl(url), ": ", ToAbsl(what),
                       ". Please edit the message with a link I can use, and I will calculate the credit."),
          ""};
}

RenderedMessage RenderOwnerAlert(std::string_view channel, std::string_view ts, std::string_view headline,
                                 std::string_view what) {
  std::string request =
      channel.empty() ? std::string() : absl::StrCat(" (request ", ToAbsl(channel), " ", ToAbsl(ts), ")");
  return {absl::StrCat(":warning: ", ToAbsl(headline), request, ": ", ToAbsl(what)), ""};
}

}  // namespace creditbot
