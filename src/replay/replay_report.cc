// The replay's CSV, JSON and HTML (replay_report.h).
#include "replay/replay_report.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/strings.h"

namespace creditbot {
namespace {

std::string Cents(Decimal amount) { return amount.ToFixed(2); }

std::string LineChangeText(const LineChange& change) {
  return absl::StrCat(change.cell, ": ", change.old_treatment.empty() ? "(absent)" : change.old_treatment,
                      " ", Cents(change.old_credited), " -> ",
                      change.new_treatment.empty() ? "(absent)" : change.new_treatment, " ",
                      Cents(change.new_credited));
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  return absl::StrCat("\"", absl::StrReplaceAll(ToAbsl(text), {{"\"", "\"\""}}), "\"");
}

std::string Html(std::string_view text) {
  return absl::StrReplaceAll(
      ToAbsl(text), {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

double AsDouble(Decimal amount) { return static_cast<double>(amount.raw()) / 1e12; }

// Bars of the deltas of the changed requests, largest |delta| first (at most 200), as inline SVG.
std::string DeltaChart(const std::vector<ReplayedRequest>& results) {
  std::vector<const ReplayedRequest*> changed;
  for (const ReplayedRequest& result : results) {
    if (result.ok() && !result.delta.IsZero()) changed.push_back(&result);
  }
  if (changed.empty()) return "<p class=\"none\">No credit changed: nothing to chart.</p>";
  std::stable_sort(changed.begin(), changed.end(), [](const ReplayedRequest* a, const ReplayedRequest* b) {
    const Decimal x = a->delta.IsNegative() ? -a->delta : a->delta;
    const Decimal y = b->delta.IsNegative() ? -b->delta : b->delta;
    return x > y;
  });
  if (changed.size() > 200) changed.resize(200);
  double most = 0;
  for (const ReplayedRequest* result : changed) most = std::max(most, std::fabs(AsDouble(result->delta)));
  constexpr double kWidth = 900, kHeight = 260, kMid = kHeight / 2;
  const double bar = kWidth / static_cast<double>(changed.size());
  std::string svg =
      absl::StrCat("<svg class=\"chart\" viewBox=\"0 0 ", kWidth, " ", kHeight,
                   "\" role=\"img\" aria-label=\"credit delta per request, largest first\">",
                   "<line x1=\"0\" y1=\"", kMid, "\" x2=\"", kWidth, "\" y2=\"", kMid, "\" class=\"axis\"/>");
  for (std::size_t i = 0; i < changed.size(); ++i) {
    const double value = AsDouble(changed[i]->delta);
    const double height = most > 0 ? std::fabs(value) / most * (kMid - 10) : 0;
    const double y = value >= 0 ? kMid - height : kMid;
    absl::StrAppend(&svg, "<rect x=\"", static_cast<double>(i) * bar, "\" y=\"", y, "\" width=\"",
                    std::max(bar - 1, 1.0), "\" height=\"", std::max(height, 0.5), "\" class=\"",
                    value >= 0 ? "up" : "down", "\"><title>", Html(changed[i]->execution_id), " ",
                    Html(changed[i]->request_key), ": ", Cents(changed[i]->delta), "</title></rect>");
  }
  absl::StrAppend(&svg, "<text x=\"4\" y=\"14\">+", Cents(*Decimal::FromDouble(most)),
                  "</text><text x=\"4\" y=\"", kHeight - 4, "\">-", Cents(*Decimal::FromDouble(most)),
                  "</text></svg>");
  return svg;
}

nlohmann::json RowJson(const ReplayedRequest& result) {
  nlohmann::json row = {{"execution_id", result.execution_id},
                        {"request_key", result.request_key},
                        {"product", result.product},
                        {"inputs", std::string(ReplayInputsName(result.inputs))},
                        {"executor", result.executor},
                        {"old_policy", result.old_policy},
                        {"old_credit", Cents(result.old_credit)},
                        {"old_needs_approval", result.old_needs_approval}};
  if (!result.ok()) {
    row["error"] = result.error;
    return row;
  }
  row["new_policy"] = result.new_policy;
  row["new_credit"] = Cents(result.new_credit);
  row["delta"] = Cents(result.delta);
  row["relative_change"] = result.relative_change
                               ? nlohmann::json(FormatRelativeChange(result.relative_change))
                               : nlohmann::json(nullptr);
  row["new_needs_approval"] = result.new_needs_approval;
  row["identical"] = result.identical;
  nlohmann::json lines = nlohmann::json::array();
  for (const LineChange& change : result.changed_lines) {
    lines.push_back({{"cell", change.cell},
                     {"old_treatment", change.old_treatment},
                     {"new_treatment", change.new_treatment},
                     {"old_credited", Cents(change.old_credited)},
                     {"new_credited", Cents(change.new_credited)}});
  }
  row["changed_lines"] = std::move(lines);
  if (!result.lines_not_compared.empty()) row["lines_not_compared"] = result.lines_not_compared;
  return row;
}

nlohmann::json SummaryJson(const std::vector<ReplayedRequest>& results, const ReplaySummary& summary) {
  nlohmann::json largest = nlohmann::json::array();
  for (std::size_t index : summary.largest) {
    const ReplayedRequest& result = results[index];
    largest.push_back({{"execution_id", result.execution_id},
                       {"request_key", result.request_key},
                       {"delta", Cents(result.delta)},
                       {"relative_change", FormatRelativeChange(result.relative_change)}});
  }
  return {{"requests", summary.requests},
          {"failed", summary.failed},
          {"changed", summary.changed},
          {"differ_over_1_percent", summary.over_one_percent},
          {"approval_changed", summary.approval_changed},
          {"identical", summary.identical},
          {"inputs",
           {{"frozen", summary.frozen},
            {"requery", summary.requeried},
            {"requery_no_frozen_evidence", summary.without_evidence}}},
          {"old_total", Cents(summary.old_total)},
          {"new_total", Cents(summary.new_total)},
          {"total_delta", Cents(summary.total_delta)},
          {"largest_changes", std::move(largest)}};
}

}  // namespace

std::string FormatRelativeChange(const std::optional<Decimal>& relative) {
  if (!relative) return "";
  return absl::StrCat(Decimal::Mul(*relative, Decimal::FromInt(100)).ToFixed(2), "%");
}

ReplaySummary Summarize(const std::vector<ReplayedRequest>& results) {
  ReplaySummary summary;
  std::vector<std::size_t> moved;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const ReplayedRequest& result = results[i];
    ++summary.requests;
    if (!result.ok()) {
      ++summary.failed;
      continue;
    }
    summary.changed += result.changed() ? 1U : 0U;
    summary.over_one_percent += result.differs_over_one_percent() ? 1U : 0U;
    summary.identical += result.identical ? 1U : 0U;
    summary.approval_changed += result.old_needs_approval != result.new_needs_approval ? 1U : 0U;
    summary.frozen += result.inputs == ReplayInputs::kFrozen ? 1U : 0U;
    summary.requeried += result.inputs == ReplayInputs::kRequery ? 1U : 0U;
    summary.without_evidence += result.inputs == ReplayInputs::kRequeryNoEvidence ? 1U : 0U;
    summary.old_total += result.old_credit;
    summary.new_total += result.new_credit;
    summary.total_delta += result.delta;
    if (!result.delta.IsZero()) moved.push_back(i);
  }
  auto magnitude = [&](std::size_t i) {
    return results[i].delta.IsNegative() ? -results[i].delta : results[i].delta;
  };
  std::stable_sort(moved.begin(), moved.end(),
                   [&](std::size_t a, std::size_t b) { return magnitude(a) > magnitude(b); });
  if (moved.size() > 10) moved.resize(10);
  summary.largest = std::move(moved);
  return summary;
}

std::string ReplayCsv(const std::vector<ReplayedRequest>& results) {
  std::string csv =
      "execution_id,request_key,product,inputs,executor,old_policy,new_policy,old_credit,new_credit,delta,"
      "relative_change,old_needs_approval,new_needs_approval,identical,changed_lines,error\r\n";
  for (const ReplayedRequest& r : results) {
    std::vector<std::string> lines;
    for (const LineChange& change : r.changed_lines) lines.push_back(LineChangeText(change));
    if (!r.lines_not_compared.empty()) lines.push_back(r.lines_not_compared);
    const bool ok = r.ok();
    const std::vector<std::string> fields = {r.execution_id,
                                             r.request_key,
                                             r.product,
                                             std::string(ReplayInputsName(r.inputs)),
                                             r.executor,
                                             r.old_policy,
                                             ok ? r.new_policy : "",
                                             Cents(r.old_credit),
                                             ok ? Cents(r.new_credit) : "",
                                             ok ? Cents(r.delta) : "",
                                             ok ? FormatRelativeChange(r.relative_change) : "",
                                             r.old_needs_approval ? "true" : "false",
                                             ok ? (r.new_needs_approval ? "true" : "false") : "",
                                             ok ? (r.identical ? "true" : "false") : "",
                                             absl::StrJoin(lines, "; "),
                                             r.error};
    std::vector<std::string> quoted;
    for (const std::string& field : fields) quoted.push_back(CsvField(field));
    absl::StrAppend(&csv, absl::StrJoin(quoted, ","), "\r\n");
  }
  return csv;
}

std::string ReplayJson(const std::vector<ReplayedRequest>& results, const ReplaySummary& summary,
                       const ReplayRunInfo& info) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ReplayedRequest& result : results) rows.push_back(RowJson(result));
  const nlohmann::json document = {{"replay",
                                    {{"policy", info.policy},
                                     {"executor", info.executor},
                                     {"requery", info.requery},
                                     {"audit", info.audit},
                                     {"generated_at", info.generated_at}}},
                                   {"summary", SummaryJson(results, summary)},
                                   {"requests", std::move(rows)}};
  return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string ReplayReportBodyHtml(const std::vector<ReplayedRequest>& results, const ReplaySummary& summary,
                                 const ReplayRunInfo& info) {
  std::string html = absl::StrCat(
      "<p>Policy: <b>", Html(info.policy.empty() ? "the configured policies" : info.policy),
      "</b>; executor <b>", Html(info.executor), "</b>; inputs: <b>",
      info.requery ? "today's warehouse (--requery)" : "frozen evidence where kept", "</b>; audit <code>",
      Html(info.audit), "</code>; generated ", Html(info.generated_at), ".</p>\n");
  absl::StrAppend(
      &html, "<h2>Summary</h2>\n<table class=\"replay-summary\">", "<tr><th>requests</th><td class=\"n\">",
      summary.requests, "</td></tr>", "<tr><th>changed</th><td class=\"n\">", summary.changed, "</td></tr>",
      "<tr><th>differ by more than 1%</th><td class=\"n\">", summary.over_one_percent, "</td></tr>",
      "<tr><th>approval changed</th><td class=\"n\">", summary.approval_changed, "</td></tr>",
      "<tr><th>byte-identical results</th><td class=\"n\">", summary.identical, "</td></tr>",
      "<tr><th>failed</th><td class=\"n\">", summary.failed, "</td></tr>", "<tr><th>inputs</th><td>",
      summary.frozen, " frozen, ", summary.requeried, " queried again, ", summary.without_evidence,
      " queried again (no frozen evidence)</td></tr>", "<tr><th>total before</th><td class=\"n\">",
      Cents(summary.old_total), "</td></tr>", "<tr><th>total after</th><td class=\"n\">",
      Cents(summary.new_total), "</td></tr>", "<tr><th>total delta</th><td class=\"n\" id=\"total-delta\">",
      Cents(summary.total_delta), "</td></tr></table>\n");
  absl::StrAppend(&html, "<h2>Deltas</h2>\n", DeltaChart(results),
                  "\n<h2>Requests</h2>\n<table class=\"replay-requests\"><tr>",
                  "<th>execution</th><th>request</th><th>inputs</th><th>old</th><th>new</th><th>delta</th>",
                  "<th>relative</th><th>approval before → after</th><th>lines changed</th></tr>\n");
  for (const ReplayedRequest& r : results) {
    if (!r.ok()) {
      absl::StrAppend(&html, "<tr data-request-key=\"", Html(r.request_key), "\"><td>", Html(r.execution_id),
                      "</td><td>", Html(r.request_key), "</td><td colspan=\"7\" class=\"err\">",
                      Html(r.error), "</td></tr>\n");
      continue;
    }
    std::vector<std::string> lines;
    for (const LineChange& change : r.changed_lines) lines.push_back(Html(LineChangeText(change)));
    if (!r.lines_not_compared.empty()) lines.push_back(Html(r.lines_not_compared));
    absl::StrAppend(&html, "<tr data-request-key=\"", Html(r.request_key), "\"><td>", Html(r.execution_id),
                    "</td><td>", Html(r.request_key), "</td><td>", ToAbsl(ReplayInputsName(r.inputs)),
                    "</td><td class=\"n\">", Cents(r.old_credit), "</td><td class=\"n\">",
                    Cents(r.new_credit), "</td><td class=\"n\">", Cents(r.delta), "</td><td class=\"n\">",
                    FormatRelativeChange(r.relative_change), "</td><td>",
                    r.old_needs_approval ? "needs approval" : "auto", " → ",
                    r.new_needs_approval ? "needs approval" : "auto", "</td><td>",
                    absl::StrJoin(lines, "<br>"), "</td></tr>\n");
  }
  absl::StrAppend(&html, "</table>\n");
  return html;
}

std::string ReplayHtml(const std::vector<ReplayedRequest>& results, const ReplaySummary& summary,
                       const ReplayRunInfo& info) {
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>creditbot replay</title>\n"
      "<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
      "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}td.n{text-align:right}"
      ".chart{width:100%;max-width:900px;border:1px solid #ddd}.chart .up{fill:#2a7}.chart .down{fill:#c33}"
      ".chart .axis{stroke:#999}.chart text{font-size:11px;fill:#555}.err{color:#c33}.none{color:#777}"
      "</style></head><body>\n<h1>creditbot replay</h1>\n",
      ReplayReportBodyHtml(results, summary, info), "</body></html>\n");
}

namespace {

// A member of `object` as text, money, count or flag; nlohmann's exceptions become kInvalidArgument below.
std::string TextOf(const nlohmann::json& object, const char* name) {
  return object.at(name).get<std::string>();
}

Decimal MoneyOf(const nlohmann::json& object, const char* name) {
  absl::StatusOr<Decimal> amount = Decimal::Parse(TextOf(object, name));
  if (!amount.ok()) throw std::invalid_argument(absl::StrCat(name, ": ", amount.status().message()));
  return *amount;
}

std::size_t CountOf(const nlohmann::json& object, const char* name) {
  return object.at(name).get<std::size_t>();
}

// "-44.12%" → -0.4412 (FormatRelativeChange's text read back); null → nullopt.
std::optional<Decimal> RelativeOf(const nlohmann::json& value) {
  if (value.is_null()) return std::nullopt;
  std::string text = value.get<std::string>();
  if (text.empty() || text.back() != '%')
    throw std::invalid_argument("relative_change: expected a percentage");
  text.pop_back();
  absl::StatusOr<Decimal> percent = Decimal::Parse(text);
  if (!percent.ok())
    throw std::invalid_argument(absl::StrCat("relative_change: ", percent.status().message()));
  return Decimal::MulDiv(*percent, Decimal::FromInt(1), Decimal::FromInt(100));
}

ReplayInputs InputsOf(const std::string& name) {
  for (const ReplayInputs inputs :
       {ReplayInputs::kFrozen, ReplayInputs::kRequery, ReplayInputs::kRequeryNoEvidence}) {
    if (ReplayInputsName(inputs) == name) return inputs;
  }
  throw std::invalid_argument(
      absl::StrCat("inputs: '", name, "' is not frozen, requery or requery (no frozen evidence)"));
}

ReplayedRequest RowOf(const nlohmann::json& row) {
  ReplayedRequest result;
  result.execution_id = TextOf(row, "execution_id");
  result.request_key = TextOf(row, "request_key");
  result.product = TextOf(row, "product");
  result.inputs = InputsOf(TextOf(row, "inputs"));
  result.executor = TextOf(row, "executor");
  result.old_policy = TextOf(row, "old_policy");
  result.old_credit = MoneyOf(row, "old_credit");
  result.old_needs_approval = row.at("old_needs_approval").get<bool>();
  if (row.contains("error")) {
    result.error = TextOf(row, "error");
    if (result.error.empty()) throw std::invalid_argument("error: empty");
    return result;
  }
  result.new_policy = TextOf(row, "new_policy");
  result.new_credit = MoneyOf(row, "new_credit");
  result.delta = MoneyOf(row, "delta");
  result.relative_change = RelativeOf(row.at("relative_change"));
  result.new_needs_approval = row.at("new_needs_approval").get<bool>();
  result.identical = row.at("identical").get<bool>();
  for (const nlohmann::json& line : row.at("changed_lines")) {
    result.changed_lines.push_back(LineChange{TextOf(line, "cell"), TextOf(line, "old_treatment"),
                                              TextOf(line, "new_treatment"), MoneyOf(line, "old_credited"),
                                              MoneyOf(line, "new_credited")});
  }
  if (row.contains("lines_not_compared")) result.lines_not_compared = TextOf(row, "lines_not_compared");
  return result;
}

absl::StatusOr<ReplayReport> ReadReport(std::string_view json, bool rows) {
  // The heading alone: the rows are dropped as they are parsed (a report of 10,000 requests is megabytes).
  const nlohmann::json::parser_callback_t skip_rows = [rows](int depth, nlohmann::json::parse_event_t event,
                                                             nlohmann::json& parsed) {
    return rows || !(depth == 1 && event == nlohmann::json::parse_event_t::key && parsed == "requests");
  };
  try {
    const nlohmann::json document = nlohmann::json::parse(json, skip_rows);
    ReplayReport report;
    const nlohmann::json& run = document.at("replay");
    report.info = ReplayRunInfo{TextOf(run, "policy"), TextOf(run, "executor"), run.at("requery").get<bool>(),
                                TextOf(run, "audit"), TextOf(run, "generated_at")};
    const nlohmann::json& summary = document.at("summary");
    ReplaySummary& out = report.summary;
    out.requests = CountOf(summary, "requests");
    out.failed = CountOf(summary, "failed");
    out.changed = CountOf(summary, "changed");
    out.over_one_percent = CountOf(summary, "differ_over_1_percent");
    out.approval_changed = CountOf(summary, "approval_changed");
    out.identical = CountOf(summary, "identical");
    out.frozen = CountOf(summary.at("inputs"), "frozen");
    out.requeried = CountOf(summary.at("inputs"), "requery");
    out.without_evidence = CountOf(summary.at("inputs"), "requery_no_frozen_evidence");
    out.old_total = MoneyOf(summary, "old_total");
    out.new_total = MoneyOf(summary, "new_total");
    out.total_delta = MoneyOf(summary, "total_delta");
    if (!rows) return report;
    for (const nlohmann::json& row : document.at("requests")) report.results.push_back(RowOf(row));
    for (const nlohmann::json& largest : summary.at("largest_changes")) {
      const std::string id = TextOf(largest, "execution_id");
      for (std::size_t i = 0; i < report.results.size(); ++i) {
        if (report.results[i].execution_id == id) {
          out.largest.push_back(i);
          break;
        }
      }
    }
    return report;
  } catch (const std::exception& error) {
    return absl::InvalidArgumentError(absl::StrCat("not a replay report (replay.json): ", error.what()));
  }
}

}  // namespace

absl::StatusOr<ReplayReport> ReadReplayJson(std::string_view json) { return ReadReport(json, true); }

absl::StatusOr<ReplayReport> ReadReplayJsonHeading(std::string_view json) { return ReadReport(json, false); }

}  // namespace creditbot
