// The Prometheus registry and its text rendering; see metrics.h.
#include "common/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <limits>
#include <set>
#include <system_error>

#include "common/process_metrics.h"
#include "git_sha.h"  // generated at build time (cmake/GitSha.cmake): CREDITBOT_GIT_SHA

namespace creditbot {

struct Metrics::Series {
  double value = 0;                   // counter or gauge value; histogram sum
  std::vector<std::uint64_t> counts;  // histogram only: per bucket (not cumulative), +Inf last
  std::uint64_t count = 0;            // histogram only: number of observations
};

struct Metrics::Family {
  Kind kind = Kind::kCounter;
  std::string help;
  std::vector<std::string> label_names;  // sorted
  std::vector<double> upper_bounds;      // histogram only, without +Inf
  // Keyed by the label values in label_names order, so iteration order is the rendering order.
  std::map<std::vector<std::string>, Series> series;
};

namespace {

bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

bool IsLabelName(std::string_view name) {
  if (name.empty() || name.substr(0, 2) == "__") return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!letter && !(digit && i > 0)) return false;
  }
  return true;
}

// Shortest text that reads back to the same double, in the spellings Prometheus parses.
std::string FormatNumber(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (result.ec != std::errc()) return "NaN";  // cannot happen with 64 bytes
  return {buffer, result.ptr};
}

std::string EscapeHelp(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeLabelValue(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="1",b="2"}` (or "" without labels), with an optional trailing `le` pair for histogram buckets.
std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      std::string_view le = {}) {
  if (names.empty() && le.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(values[i]);
    out += '"';
  }
  if (!le.empty()) {
    if (!names.empty()) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

void Metrics::DefineCounter(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names) {
  Define(Kind::kCounter, name, help, std::move(label_names), {});
}

void Metrics::DefineGauge(std::string_view name, std::string_view help,
                          std::vector<std::string> label_names) {
  Define(Kind::kGauge, name, help, std::move(label_names), {});
}

void Metrics::DefineHistogram(std::string_view name, std::string_view help,
                              std::vector<std::string> label_names, std::vector<double> upper_bounds) {
  Define(Kind::kHistogram, name, help, std::move(label_names), std::move(upper_bounds));
}

void Metrics::Define(Kind kind, std::string_view name, std::string_view help,
                     std::vector<std::string> label_names, std::vector<double> upper_bounds) {
  std::sort(label_names.begin(), label_names.end());
  bool valid =
      IsMetricName(name) && std::adjacent_find(label_names.begin(), label_names.end()) == label_names.end();
  for (const std::string& label : label_names) {
    if (!IsLabelName(label) || (kind == Kind::kHistogram && label == "le")) valid = false;
  }
  for (std::size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i]) || (i > 0 && upper_bounds[i] <= upper_bounds[i - 1])) valid = false;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  if (!valid) {
    ++dropped_;
    return;
  }
  const auto existing = families_.find(name);
  if (existing != families_.end()) {
    const Family& family = *existing->second;
    const bool same = family.kind == kind && family.help == help && family.label_names == label_names &&
                      family.upper_bounds == upper_bounds;
    if (!same) ++dropped_;
    return;
  }
  auto family = std::make_unique<Family>();
  family->kind = kind;
  family->help = std::string(help);
  family->label_names = std::move(label_names);
  family->upper_bounds = std::move(upper_bounds);
  if (family->label_names.empty()) {
    Series& series = family->series[{}];
    if (kind == Kind::kHistogram) series.counts.assign(family->upper_bounds.size() + 1, 0);
  }
  families_.emplace(std::string(name), std::move(family));
}

Metrics::Series* Metrics::FindSeries(Kind kind, std::string_view name, const MetricLabels& labels) {
  const auto found = families_.find(name);
  if (found == families_.end() || found->second->kind != kind ||
      found->second->label_names.size() != labels.size()) {
    ++dropped_;
    return nullptr;
  }
  Family& family = *found->second;
  std::vector<std::string> values(family.label_names.size());
  std::vector<bool> given(family.label_names.size(), false);
  for (const auto& [label, value] : labels) {
    const auto position = std::lower_bound(family.label_names.begin(), family.label_names.end(), label);
    if (position == family.label_names.end() || *position != label) {
      ++dropped_;
      return nullptr;
    }
    const auto index = static_cast<std::size_t>(position - family.label_names.begin());
    if (given[index]) {  // the same label twice (then another is missing)
      ++dropped_;
      return nullptr;
    }
    given[index] = true;
    values[index] = value;
  }
  Series& series = family.series[std::move(values)];
  if (kind == Kind::kHistogram && series.counts.empty())
    series.counts.assign(family.upper_bounds.size() + 1, 0);
  return &series;
}

void Metrics::Increment(std::string_view name, const MetricLabels& labels, double by) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!std::isfinite(by) || by < 0) {
    ++dropped_;
    return;
  }
  if (Series* series = FindSeries(Kind::kCounter, name, labels)) series->value += by;
}

void Metrics::SetGauge(std::string_view name, double value, const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Series* series = FindSeries(Kind::kGauge, name, labels)) series->value = value;
}

void Metrics::AddGauge(std::string_view name, double delta, const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (Series* series = FindSeries(Kind::kGauge, name, labels)) series->value += delta;
}

void Metrics::Observe(std::string_view name, double value, const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  Series* series = FindSeries(Kind::kHistogram, name, labels);
  if (series == nullptr) return;
  const std::vector<double>& bounds = families_.find(name)->second->upper_bounds;
  // The first bucket whose upper bound is >= value; NaN falls in +Inf only.
  std::size_t bucket = bounds.size();
  if (!std::isnan(value)) {
    bucket = static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin());
  }
  ++series->counts[bucket];
  ++series->count;
  series->value += value;
}

void Metrics::SetCounter(std::string_view name, double value, const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mutex_);
  Series* series = FindSeries(Kind::kCounter, name, labels);
  if (series == nullptr) return;
  if (!std::isfinite(value) || value < series->value) {
    ++dropped_;
    return;
  }
  series->value = value;
}

void Metrics::AddCollector(std::function<void(Metrics&)> collect) {
  std::lock_guard<std::mutex> lock(collectors_mutex_);
  collectors_.push_back(std::move(collect));
}

double Metrics::Value(std::string_view name, const MetricLabels& labels) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = families_.find(name);
  if (found == families_.end()) return 0;
  const Family& family = *found->second;
  if (family.label_names.size() != labels.size()) return 0;
  std::vector<std::string> values(family.label_names.size());
  for (const auto& [label, value] : labels) {
    const auto position = std::lower_bound(family.label_names.begin(), family.label_names.end(), label);
    if (position == family.label_names.end() || *position != label) return 0;
    values[static_cast<std::size_t>(position - family.label_names.begin())] = value;
  }
  const auto series = family.series.find(values);
  if (series == family.series.end()) return 0;
  return family.kind == Kind::kHistogram ? static_cast<double>(series->second.count) : series->second.value;
}

std::string Metrics::Render() const {
  {
    // The collectors update this registry: logically const (Render shows the current values).
    auto& self = const_cast<Metrics&>(*this);
    std::lock_guard<std::mutex> collecting(self.collectors_mutex_);
    for (const auto& collect : self.collectors_) collect(self);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + EscapeHelp(family->help) + "\n";
    out += "# TYPE " + name + " ";
    out += family->kind == Kind::kCounter ? "counter" : family->kind == Kind::kGauge ? "gauge" : "histogram";
    out += "\n";
    for (const auto& [values, series] : family->series) {
      if (family->kind != Kind::kHistogram) {
        out += name + LabelText(family->label_names, values) + " " + FormatNumber(series.value) + "\n";
        continue;
      }
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < series.counts.size(); ++i) {
        cumulative += series.counts[i];
        const std::string le =
            i < family->upper_bounds.size() ? FormatNumber(family->upper_bounds[i]) : "+Inf";
        out += name + "_bucket" + LabelText(family->label_names, values, le) + " " +
               std::to_string(cumulative) + "\n";
      }
      out += name + "_sum" + LabelText(family->label_names, values) + " " + FormatNumber(series.value) + "\n";
      out += name + "_count" + LabelText(family->label_names, values) + " " + std::to_string(series.count) +
             "\n";
    }
  }
  return out;
}

std::uint64_t Metrics::dropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}

void DefineCreditbotMetrics(Metrics& metrics) {
  metrics.DefineCounter(kMetricRequestsTotal,
                        "Credit requests finished, by outcome (the request's final state).", {"outcome"});
  metrics.DefineCounter(kMetricCalculationsTotal, "Credit calculations run, by product and outcome.",
                        {"product", "outcome"});
  metrics.DefineCounter(kMetricCreditAmountUsdTotal,
                        "Sum of the credits computed, in USD (the audit records hold the exact amounts), by "
                        "product and dry_run (true: recommended only, nothing posted).",
                        {"product", "dry_run"});
  metrics.DefineCounter(
      kMetricExternalErrorsTotal,
      "Failed calls to external services (Slack, Looker, warehouse…), by service and status code.",
      {"service", "code"});
  metrics.DefineCounter(kMetricRetriesTotal, "Retried calls to external services, by service.", {"service"});
  metrics.DefineCounter(kMetricEventsReceivedTotal,
                        "Slack deliveries received, by source (events_api, socket_mode) and result.",
                        {"source", "result"});
  metrics.DefineCounter(
      kMetricMetricsPushFailuresTotal,
      "Pushes of a scheduled pass's metrics that failed, by target (pushgateway, textfile).", {"target"});
  for (const char* target : {"pushgateway", "textfile"})
    metrics.Increment(kMetricMetricsPushFailuresTotal, {{"target", target}}, 0);
  metrics.DefineGauge(kMetricBuildInfo, "Always 1: the version and git commit of the running creditbot.",
                      {"version", "git_sha"});
  metrics.SetGauge(kMetricBuildInfo, 1, {{"version", CREDITBOT_VERSION}, {"git_sha", CREDITBOT_GIT_SHA}});
  metrics.DefineGauge(kMetricQueueDepth, "Requests waiting to be processed.");
  metrics.DefineGauge(
      kMetricPaused,
      "1 while creditbot is paused (`creditbot pause`): messages are read, nothing is claimed or "
      "posted; 0 otherwise.");
  metrics.DefineGauge(kMetricLastSuccessfulPassTimestampSeconds,
                      "Unix time at which the last pass over the requests finished without error.");
  metrics.DefineHistogram(kMetricExternalCallSeconds, "Duration of calls to external services, by service.",
                          {"service"}, ExternalCallSecondsBuckets());
  metrics.DefineHistogram(kMetricTimeToReplySeconds,
                          "Time from a request's Slack message to creditbot's reply in its thread.", {},
                          TimeToReplySecondsBuckets());
}

Metrics& GlobalMetrics() {
  static Metrics* const metrics = [] {
    auto* created = new Metrics();
    DefineCreditbotMetrics(*created);
    DefineProcessMetrics(*created);
    created->AddCollector(UpdateProcessMetrics);
    return created;
  }();
  return *metrics;
}

}  // namespace creditbot
