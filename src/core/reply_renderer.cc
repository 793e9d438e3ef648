// Slack wording and Block Kit layout of creditbot's messages.
#include "core/reply_renderer.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/cap_text.h"
#include "common/strings.h"
#include "core/decision_commands.h"
#include "core/largest_remainder.h"

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

// Slack's limits (chat.postMessage, Block Kit): the text ≤ 40,000 characters, a header ≤ 150, a section's
// or context element's text ≤ 3,000, ≤ 50 blocks (the credit reply has at most 9).
constexpr size_t kMaxTextChars = kMaxSlackTextBytes;
constexpr size_t kMaxHeaderChars = 150;
constexpr size_t kMaxSectionChars = 3000;

// `text` cut to at most `max` bytes (so at most `max` characters) at a UTF-8 character boundary, with "…"
// marking the cut.
std::string Truncated(std::string_view text, size_t max) { return CapText(text, max, CutMark::kEllipsis); }

Json Context(std::string_view mrkdwn) {
  return {{"type", "context"}, {"elements", {{{"type", "mrkdwn"}, {"text", mrkdwn}}}}};
}

// Slack's mrkdwn control characters escaped (&, <, >), so text is shown as written.
std::string EscapeMrkdwn(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

// <url|label> in mrkdwn.
std::string SlackLink(std::string_view url, std::string_view label) {
  std::string safe_label = EscapeMrkdwn(label);
  std::replace(safe_label.begin(), safe_label.end(), '|', '/');
  return absl::StrCat("<", EscapeMrkdwn(url), "|", safe_label, ">");
}

// The mrkdwn bold markers of a why line removed, for the plain-text fallback.
std::string WithoutBold(std::string_view line) {
  std::string out(line);
  out.erase(std::remove(out.begin(), out.end(), '*'), out.end());
  return out;
}

// Whether `mode` is the report's promise mode (Fraud Guard's Max; none for a policy without a guarantee).
bool IsPromiseMode(const CreditReport& report, Mode mode) {
  return report.promise_mode && mode == *report.promise_mode;
}

// The report's goodwill modes (every mode but off and the promise mode) in its order, as words: "Basic and
// Standard", "On".
std::string GoodwillModeTitles(const CreditReport& report) {
  std::vector<std::string> titles;
  for (const ModeBreakdown& mode : report.output_df) {
    if (mode.mode != Mode::kOff && !IsPromiseMode(report, mode.mode)) titles.push_back(ModeTitle(mode.mode));
  }
  std::string text;
  for (size_t i = 0; i < titles.size(); ++i) {
    if (i > 0) text += i + 1 == titles.size() ? " and " : ", ";
    text += titles[i];
  }
  return text;
}

// A zero credit's reason in words (CREDIT_POLICY.md "Outputs", reason), never the code.
std::string ZeroCreditReason(const CreditReport& report) {
  const std::string reason = report.reason.value_or("no_shortfall");
  if (reason == "fraud_guard_off")
    return absl::StrCat(report.protection_name, " was off for all of the fraudulent traffic");
  if (reason == "already_credited") {
    return "every cell of the report was already credited in an earlier request (see below), so nothing is "
           "credited twice";
  }
  if (reason == "below_minimum") {
    const Decimal raw = report.summary.raw;
    if (raw < report.summary.min_credit) {
      const std::string exact =
          raw.ToString(2) == raw.ToFixed(2) ? "" : absl::StrCat(" (", raw.ToString(2), ")");
      return absl::StrCat("the calculated credit of ", FormatUsd(raw), exact,
                          " is below the policy's minimum of ", FormatUsd(report.summary.min_credit));
    }
    return absl::StrCat("the calculated credit of $", raw.ToString(2), " rounds to $0.00");
  }
  if (!report.fraud_start) return "the report has no SMS attempts sent, so there is no fraud to credit";
  bool overridden = false, late_zero = false;
  for (const CreditLine& line : report.lines) {
    if (line.attempts_sent == 0) continue;
    overridden = overridden || line.treatment == Treatment::kOverrideGeoAllow ||
                 line.treatment == Treatment::kOverrideCustomCodeBasic;
    late_zero = late_zero || line.treatment == Treatment::kLateMaxZero;
  }
  std::string text = absl::StrCat(report.protection_name,
                                  " blocked at least as many attempts as its mode is expected to block, so "
                                  "there is no shortfall to credit");
  if (overridden) {
    absl::StrAppend(
        &text,
        "; rows under a Geo Permission \"allow\" or with custom code on Basic bypass Fraud Guard and "
        "earn nothing");
  }
  if (late_zero) {
    absl::StrAppend(&text, "; Max rows claimed after the Promise deadline earn nothing under this policy");
  }
  return text;
}

// True when a Max row was credited as goodwill or earned nothing because it was claimed late.
bool HasLateMaxRows(const CreditReport& report) {
  for (const CreditLine& line : report.lines) {
    if (IsPromiseMode(report, line.mode) &&
        (line.treatment == Treatment::kGoodwill || line.treatment == Treatment::kLateMaxZero)) {
      return true;
    }
  }
  return false;
}

// The Promise and goodwill lines of a paying credit, shown so that they add up to the credit (largest
// remainder).
void AppendPromiseAndGoodwill(const CreditReport& report, bool late_max, std::vector<std::string>& lines) {
  const CreditSummary& s = report.summary;
  Decimal promise = s.promise, goodwill = s.goodwill;
  if (absl::StatusOr<std::vector<Decimal>> parts =
          LargestRemainderRound({s.promise, s.goodwill}, report.credit_amount, 2);
      parts.ok()) {
    promise = (*parts)[0];
    goodwill = (*parts)[1];
  }
  if (!promise.IsZero()) {
    lines.push_back(absl::StrCat("*Promise*: ", FormatUsd(promise),
                                 " for Max rows claimed on time: under the Verify Fraud Guard Promise, the "
                                 "charges of the attempts Max "
                                 "should have blocked but did not, in full and never capped."));
  }
  if (!goodwill.IsZero()) {
    lines.push_back(
        absl::StrCat("*Goodwill*: ", FormatUsd(goodwill), " for ", GoodwillModeTitles(report), " rows",
                     late_max ? " (and late Max rows)" : "",
                     ": the policy's share k of the charges of the attempts the mode in force should "
                     "have blocked but did not."));
  }
}

// The late Max claim line: how many Max rows were claimed after the Promise deadline, and what they earn.
std::string LateMaxLine(const CreditReport& report) {
  int rows = 0;
  bool zero = false;
  absl::CivilDay deadline;
  for (const CreditLine& line : report.lines) {
    if (!IsPromiseMode(report, line.mode)) continue;
    if (line.treatment != Treatment::kGoodwill && line.treatment != Treatment::kLateMaxZero) continue;
    if (rows++ == 0) deadline = line.promise_deadline;
    zero = zero || line.treatment == Treatment::kLateMaxZero;
  }
  return absl::StrCat("*Late Max claim*: ", rows, rows == 1 ? " Max row was" : " Max rows were",
                      " claimed on ", absl::FormatCivilTime(report.claim_date),
                      ", after the Promise deadline of ", absl::FormatCivilTime(deadline),
                      " (the policy's claim period after the end of the month the messages were sent), so ",
                      zero ? "they earn nothing under this policy"
                           : "they are credited as goodwill instead of under the Promise",
                      ".");
}

// The approval and rounding lines of a paying credit.
void AppendApprovalAndRounding(const CreditReport& report, std::vector<std::string>& lines) {
  const CreditSummary& s = report.summary;
  const std::string rule =
      report.mrr ? absl::StrCat(FormatUsd(s.approval_threshold), ", the lower of the auto-approval limit ",
                                FormatUsd(s.auto_approve_limit), " and ", s.approval_mrr_multiple.ToString(1),
                                " × MRR ", FormatUsd(*report.mrr))
                 : std::string();
  if (report.needs_approval) {
    lines.push_back(report.mrr
                        ? absl::StrCat("*Approval needed*: ", FormatUsd(report.credit_amount), " is above ",
                                       rule, "; a credit above it needs a person's approval.")
                        : "*Approval needed*: no MRR was found for the parent account, so every credit "
                          "needs a person's approval.");
  } else if (report.mrr) {
    lines.push_back(
        absl::StrCat("*No approval needed*: ", FormatUsd(report.credit_amount), " is within ", rule, "."));
  }
  if (s.raw.Round(2) != s.raw) {
    lines.push_back(absl::StrCat("*Rounding*: promise + goodwill = ", s.raw.ToString(2),
                                 " USD, rounded once, half up, to cents."));
  }
}

// One earlier request's cells left out of this credit (CREDIT_POLICY.md, "Cells already credited"): how
// many, their days and this report's fraud charges for them, a link to its thread, and what it credited
// for them.
std::string AlreadyCreditedLine(const LeftOutEntry& entry) {
  absl::CivilDay first = entry.cells.front().day, last = first;
  for (const CellKey& cell : entry.cells) {
    first = std::min(first, cell.day);
    last = std::max(last, cell.day);
  }
  const std::string days =
      first == last ? absl::FormatCivilTime(first)
                    : absl::StrCat(absl::FormatCivilTime(first), " to ", absl::FormatCivilTime(last));
  const std::string request = entry.link.empty()
                                  ? absl::StrCat("an earlier request (", entry.request_key, ")")
                                  : SlackLink(entry.link, "an earlier request");
  const size_t cells = entry.cells.size();
  return absl::StrCat("*Already credited*: ", cells, cells == 1 ? " cell (" : " cells (", days,
                      ", fraud charges ", FormatUsd(entry.fraud_charges), cells == 1 ? ") was" : ") were",
                      " already credited in ", request, " (", FormatUsd(entry.credited),
                      " credited there): left out of this credit.");
}

// Why the credit is what it is, one mrkdwn line per part of the rule that applied.
std::vector<std::string> WhyLines(const CreditReport& report) {
  const CreditSummary& s = report.summary;
  const bool pays = !report.credit_amount.IsZero();
  const bool late_max = HasLateMaxRows(report);
  std::vector<std::string> lines;
  for (const LeftOutEntry& entry : report.already_credited.entries)
    lines.push_back(AlreadyCreditedLine(entry));
  if (pays) AppendPromiseAndGoodwill(report, late_max, lines);
  if (s.cap_binds) {
    lines.push_back(absl::StrCat(
        "*Cost cap*: goodwill came to ", FormatUsd(s.goodwill_raw), " but is capped at ",
        FormatUsd(s.goodwill_cap),
        ", what the messages of those rows cost at the providers (attempts × cost per SMS); each mode's "
        "goodwill is scaled down in proportion."));
  }
  if (s.repeat_factor != Decimal::FromInt(1) && !s.repeat_factor.IsZero()) {
    lines.push_back(
        absl::StrCat("*Repeat incident*: the parent account had a credit approved or issued in the ",
                     s.repeat_window_days, " days before this claim, so goodwill is multiplied by ",
                     s.repeat_factor.ToString(1), " (Promise rows are not)."));
  }
  if (late_max) lines.push_back(LateMaxLine(report));
  if (pays) AppendApprovalAndRounding(report, lines);
  return lines;
}

// Several report links in one message: the reply says which one it used and asks for the others apart.
std::string OtherLinksNote(const CreditReplyContext& context) {
  std::vector<std::string> others;
  for (const std::string& url : context.other_report_urls) others.push_back(SlackLink(url, url));
  return absl::StrCat(
      "*Several reports*: this message links ", context.other_report_urls.size() + 1,
      " reports. I calculated the credit for the first one only",
      context.looker_url.empty() ? ""
                                 : absl::StrCat(" (", SlackLink(context.looker_url, context.looker_url), ")"),
      "; please post one request per report for the others: ", absl::StrJoin(others, ", "), ".");
}

// The reply's headline: the credit and whether it needs approval, or why there is none.
std::string Headline(const CreditReport& report) {
  if (report.credit_amount.IsZero()) return absl::StrCat("No credit recommended: ", ZeroCreditReason(report));
  const std::string approval = report.needs_approval
                                   ? absl::StrCat("needs approval (above the ",
                                                  FormatUsd(report.summary.approval_threshold), " threshold)")
                                   : "within the auto-approval limit";
  return absl::StrCat("Recommended credit: ", FormatUsd(report.credit_amount), " ", report.currency, ", ",
                      approval);
}

// A report without lines is an executor's amount only (the native engine refuses a report without rows):
// its parent, window and charges were not given, and the reply says so instead of showing blanks and zeros.
std::string ParentOf(const CreditReport& report) {
  return report.parent_account_sid.empty() ? "not given" : report.parent_account_sid;
}
std::string FraudChargesOf(const CreditReport& report) {
  return report.lines.empty() ? "not given" : FormatUsd(report.fraud_total);
}

// The plain-text fallback (notifications, the dry-run output): the headline, the why in sentences, the
// report link and the reference; warnings and the table are in the blocks.
std::string FallbackText(const CreditReport& report, std::string_view execution_id,
                         const CreditReplyContext& context, const std::string& headline,
                         const std::string& window, const std::vector<std::string>& why) {
  std::string text = absl::StrCat(headline, ". Parent account ", ParentOf(report), ", fraud ", window,
                                  ", fraud charges ", FraudChargesOf(report), ". Policy ", report.policy_name,
                                  "/", report.policy_version, ", execution ", ToAbsl(execution_id), ".");
  for (const std::string& line : why) absl::StrAppend(&text, "\n", WithoutBold(line));
  if (!report.warnings.empty()) {
    absl::StrAppend(&text, "\n", report.warnings.size(),
                    report.warnings.size() == 1 ? " warning" : " warnings", ": ",
                    absl::StrJoin(report.warnings, "; "));
  }
  if (!context.looker_url.empty()) absl::StrAppend(&text, "\nReport: ", context.looker_url);
  if (!context.other_report_urls.empty()) {
    absl::StrAppend(&text, "\n", WithoutBold(OtherLinksNote(context)));
  }
  return Truncated(text, kMaxTextChars);
}

// The section of key facts: account, window, charges, MRR, credit, approval.
Json SummaryFields(const CreditReport& report, const std::string& window) {
  Json fields = Json::array();
  auto field = [&fields](std::string_view label, std::string_view value) {
    fields.push_back({{"type", "mrkdwn"}, {"text", absl::StrCat("*", ToAbsl(label), "*\n", ToAbsl(value))}});
  };
  field("Parent account", ParentOf(report));
  field("Fraud window", window);
  field("Fraud charges", FraudChargesOf(report));
  field("MRR", report.mrr ? FormatUsd(*report.mrr) : "unknown");
  field("Credit", FormatUsd(report.credit_amount));
  field("Approval", report.needs_approval ? "needed" : "not needed");
  return {{"type", "section"}, {"fields", std::move(fields)}};
}

// The table: credited per mode rounded so that the column adds up to the credit (largest remainder);
// exact values are in the audit record.
std::string BreakdownTable(const CreditReport& report) {
  std::vector<Decimal> credited;
  for (const ModeBreakdown& mode : report.output_df) credited.push_back(mode.credit_in_mode);
  absl::StatusOr<std::vector<Decimal>> shown = LargestRemainderRound(credited, report.credit_amount, 2);
  std::string table = "```\nmode      charges      credited     if all in mode\n";
  for (size_t i = 0; i < report.output_df.size(); ++i) {
    const ModeBreakdown& mode = report.output_df[i];
    absl::StrAppendFormat(
        &table, "%-9s %-12s %-12s %s\n", ModeTitle(mode.mode), FormatUsd(mode.fraud_charges_in_mode),
        FormatUsd(shown.ok() ? (*shown)[i] : mode.credit_in_mode), FormatUsd(mode.credit_if_mode));
  }
  table += "```";
  return table;
}

// The warnings as a bulleted list, as many as fit in a section, then how many more the audit record has.
std::string WarningsList(const std::vector<std::string>& all) {
  std::string warnings = "*Warnings*";
  size_t shown_warnings = 0;
  for (const std::string& warning : all) {
    std::string item = absl::StrCat("\n• ", warning);
    if (warnings.size() + item.size() > kMaxSectionChars - 80) break;
    warnings += item;
    ++shown_warnings;
  }
  if (shown_warnings < all.size()) {
    absl::StrAppend(&warnings, "\n… and ", all.size() - shown_warnings, " more in the audit record");
  }
  return Truncated(warnings, kMaxSectionChars);
}

// Slack allows at most 50 blocks in a message; the credit reply keeps to 9 (RenderCreditReply).
constexpr size_t kMaxBlocks = 50;

Json Button(std::string_view label, std::string_view action_id, std::string_view style,
            std::string_view execution_id) {
  Json button = {{"type", "button"},
                 {"action_id", action_id},
                 {"text", {{"type", "plain_text"}, {"text", label}}},
                 {"value", execution_id}};
  if (!style.empty()) button["style"] = style;
  return button;
}

// The decision block of a paying credit: the buttons when it needs approval, else the policy's approval.
Json DecisionBlock(const CreditReport& report, std::string_view execution_id) {
  if (!report.needs_approval) {
    Json context =
        Context(absl::StrCat("Approved by policy (within the ", FormatUsd(report.summary.approval_threshold),
                             " auto-approval limit)"));
    context["block_id"] = kDecisionBlockId;
    return context;
  }
  return {{"type", "actions"},
          {"block_id", kDecisionBlockId},
          {"elements",
           {Button("Approve", kApproveActionId, "primary", execution_id),
            Button("Reject", kRejectActionId, "danger", execution_id),
            Button("Adjust", kAdjustActionId, "", execution_id)}}};
}

// "approved by <@U1>", "rejected by <@U1>", "adjusted to $X by <@U1>".
std::string DecidedBy(const ShownDecision& decision) {
  const std::string by = absl::StrCat("<@", decision.by, ">");
  switch (decision.kind) {
    case ShownDecision::Kind::kApproved:
      return absl::StrCat("approved by ", by);
    case ShownDecision::Kind::kRejected:
      return absl::StrCat("rejected by ", by);
    case ShownDecision::Kind::kAdjusted:
      return absl::StrCat("adjusted to ", FormatUsd(decision.amount), " by ", by);
  }
  return by;
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

RenderedMessage RenderCreditReply(const CreditReport& report, std::string_view execution_id,
                                  const CreditReplyContext& context) {
  std::string window = report.fraud_start && report.fraud_end
                           ? absl::StrCat(absl::FormatCivilTime(*report.fraud_start), " to ",
                                          absl::FormatCivilTime(*report.fraud_end))
                       : report.lines.empty() ? "not given"
                                              : "no billed fraud";
  std::string headline = Headline(report);
  std::vector<std::string> why = WhyLines(report);

  RenderedMessage message;
  message.text = FallbackText(report, execution_id, context, headline, window, why);

  Json blocks = Json::array();
  blocks.push_back({{"type", "header"},
                    {"text", {{"type", "plain_text"}, {"text", Truncated(headline, kMaxHeaderChars)}}}});
  blocks.push_back(SummaryFields(report, window));
  if (!why.empty()) {
    blocks.push_back(Section(Truncated(absl::StrCat("*Why*\n", absl::StrJoin(why, "\n")), kMaxSectionChars)));
  }
  blocks.push_back(
      Section(absl::StrCat("*Breakdown by ", report.protection_name, " mode*\n", BreakdownTable(report))));
  const std::string promise_legend =
      report.promise_mode ? absl::StrCat(ModeTitle(*report.promise_mode), " in full, as the Promise; ") : "";
  blocks.push_back(Context(absl::StrCat(
      "_charges_: the fraud charges of the rows in that mode. _credited_: what those rows receive (adds up "
      "to the credit). _if all in mode_: what the policy would credit had every ",
      report.protected_unit, " been in that mode for the whole fraud window (Off credits nothing; ",
      promise_legend, GoodwillModeTitles(report),
      " as goodwill, capped at provider cost when the policy caps goodwill).")));
  if (!report.warnings.empty()) blocks.push_back(Section(WarningsList(report.warnings)));
  if (!context.other_report_urls.empty()) {
    blocks.push_back(Section(Truncated(OtherLinksNote(context), kMaxSectionChars)));
  }
  std::string footer = absl::StrCat("Policy ", report.policy_name, "/", report.policy_version,
                                    " · execution ", ToAbsl(execution_id));
  if (!context.looker_url.empty()) {
    absl::StrAppend(&footer, " · ", SlackLink(context.looker_url, "the Looker report"));
  }
  blocks.push_back(Context(Truncated(footer, kMaxSectionChars)));
  // At most 8 blocks so far (header, summary, why, breakdown, legend, warnings, other reports, footer): the
  // decision block makes 9.
  if (!report.credit_amount.IsZero()) blocks.push_back(DecisionBlock(report, execution_id));
  message.blocks_json = blocks.dump();
  return message;
}

std::string DecisionLine(const ShownDecision& decision) {
  std::string line = DecidedBy(decision);
  line[0] = static_cast<char>(line[0] - 'a' + 'A');
  if (decision.kind == ShownDecision::Kind::kApproved) {
    absl::StrAppend(&line, " at ", absl::FormatTime("%H:%M UTC", decision.at, absl::UTCTimeZone()));
  }
  if (!decision.reason.empty()) absl::StrAppend(&line, ": ", EscapeMrkdwn(decision.reason));
  return Truncated(line, kMaxSectionChars);
}

RenderedMessage RenderDecidedReply(std::string_view blocks_json, const ShownDecision& decision) {
  const std::string line = DecisionLine(decision);
  Json decided = Context(line);
  decided["block_id"] = kDecisionBlockId;
  Json blocks = Json::parse(blocks_json, nullptr, /*allow_exceptions=*/false);
  if (blocks.is_discarded() || !blocks.is_array()) blocks = Json::array();
  std::string header;
  bool replaced = false;
  for (Json& block : blocks) {
    if (!block.is_object()) continue;
    if (block.value("block_id", "") == kDecisionBlockId) {
      block = decided;
      replaced = true;
    } else if (block.value("type", "") == "header" && block.contains("text") && block["text"].is_object()) {
      header = block["text"].value("text", "");
    }
  }
  if (!replaced && blocks.size() < kMaxBlocks) blocks.push_back(decided);
  const std::string text = header.empty() ? line : absl::StrCat(header, ". ", line);
  return {Truncated(text, kMaxTextChars), blocks.dump()};
}

bool ShowsDecision(std::string_view blocks_json, const ShownDecision& decision) {
  const Json blocks = Json::parse(blocks_json, nullptr, /*allow_exceptions=*/false);
  if (!blocks.is_array()) return false;
  const std::string line = DecisionLine(decision);
  for (const Json& block : blocks) {
    if (!block.is_object() || block.value("block_id", "") != kDecisionBlockId) continue;
    const Json* elements = block.contains("elements") ? &block["elements"] : nullptr;
    if (block.value("type", "") != "context" || elements == nullptr || !elements->is_array()) return false;
    for (const Json& element : *elements) {
      if (element.is_object() && element.value("text", "") == line) return true;
    }
    return false;
  }
  return false;
}

RenderedMessage RenderDecisionNotice(std::string_view requester_user_id, const ShownDecision& decision) {
  std::string text = requester_user_id.empty()
                         ? std::string("Your credit request was ")
                         : absl::StrCat("<@", ToAbsl(requester_user_id), "> your credit request was ");
  absl::StrAppend(&text, DecidedBy(decision));
  if (decision.kind == ShownDecision::Kind::kApproved) {
    absl::StrAppend(&text, ": ", FormatUsd(decision.amount), " will be credited");
    if (!decision.reason.empty()) absl::StrAppend(&text, " (", EscapeMrkdwn(decision.reason), ")");
  } else if (!decision.reason.empty()) {
    absl::StrAppend(&text, ": ", EscapeMrkdwn(decision.reason));
  }
  if (!text.ends_with('.') && !text.ends_with('!') && !text.ends_with('?')) text += '.';
  return {Truncated(text, kMaxTextChars), ""};
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
                                 std::string_view what, std::string_view permalink,
                                 std::string_view reference) {
  std::string request;
  if (!channel.empty()) {
    request = absl::StrCat(" (request ", ToAbsl(channel), " ", ToAbsl(ts),
                           reference.empty() ? "" : absl::StrCat(", reference ", ToAbsl(reference)), ")");
  }
  std::string text = absl::StrCat(":warning: ", ToAbsl(headline), request, ": ", ToAbsl(what));
  if (!permalink.empty()) absl::StrAppend(&text, "\nThe request: ", ToAbsl(permalink));
  return {text, ""};
}

RenderedMessage RenderFailureReply(std::string_view owner_user_id, std::string_view reference) {
  std::string told = owner_user_id.empty() ? std::string("the team running creditbot can look it up with")
                                           : absl::StrCat("<@", ToAbsl(owner_user_id), "> has been told,");
  return {absl::StrCat("I could not calculate this credit; ", told, " reference ", ToAbsl(reference), "."),
          ""};
}

}  // namespace creditbot
