// Metrics: a small thread-safe registry of Prometheus counters, gauges and histograms, rendered in the
// Prometheus text exposition format 0.0.4 for `creditbot serve`'s GET /metrics. No external library.
//
// A metric family is defined once (name, help, label names, and for histograms the bucket upper bounds);
// observations then name the family and give a value for each of its labels:
//
//   Metrics& metrics = GlobalMetrics();  // creditbot's families already defined (kMetric… below)
//   metrics.Increment(kMetricRequestsTotal, {{"outcome", "replied"}});
//   metrics.Observe(kMetricExternalCallSeconds, 0.42, {{"service", "looker"}});
//   metrics.SetGauge(kMetricQueueDepth, 3);
//
// Failure modes: metrics never fail the caller. An observation of an undefined family, of the wrong kind
// (Increment on a gauge…), with label names that differ from the family's, with a negative or non-finite
// counter increment, or a definition with an invalid or already used name, is ignored and counted in
// dropped(); tests assert dropped() == 0. Redefining a family identically is a no-op (not a drop).
//
// Output (Render) is stable: families sorted by name, series sorted by label values, label names in
// alphabetical order ("le" last in histogram buckets). Each family has "# HELP" and "# TYPE" lines, even
// before its first observation; a family without labels shows its zero value from the start. Label values
// escape \ " and newline; help text escapes \ and newline. Numbers use the shortest text that reads back to
// the same double ("1", "0.25", "1e+06", "+Inf", "NaN").
//
// Thread-safe: every method may be called from any thread (one mutex per registry).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace creditbot {

// The metrics creditbot exports (defined with their help text by DefineCreditbotMetrics).
// Counters.
inline constexpr char kMetricRequestsTotal[] = "creditbot_requests_total";          // {outcome}
inline constexpr char kMetricCalculationsTotal[] = "creditbot_calculations_total";  // {product,outcome}
// Sum of the credits computed, in USD (a double here; the audit record holds the exact decimal); dry_run is
// "true" or "false", so that amounts only recommended in a dry run are never summed with posted ones.
inline constexpr char kMetricCreditAmountUsdTotal[] =
    "creditbot_credit_amount_usd_total";                                                 // {product,dry_run}
inline constexpr char kMetricExternalErrorsTotal[] = "creditbot_external_errors_total";  // {service,code}
inline constexpr char kMetricRetriesTotal[] = "creditbot_retries_total";                 // {service}
inline constexpr char kMetricEventsReceivedTotal[] = "creditbot_events_received_total";  // {source,result}
// Pushes of a scheduled pass's metrics that failed (app/metrics_push.h), by target (pushgateway, textfile).
inline constexpr char kMetricMetricsPushFailuresTotal[] =
    "creditbot_metrics_push_failures_total";  // {target}
// Gauges.
inline constexpr char kMetricQueueDepth[] = "creditbot_queue_depth";
inline constexpr char kMetricLastSuccessfulPassTimestampSeconds[] =
    "creditbot_last_successful_pass_timestamp_seconds";
// 1 while the pause switch is on (`creditbot pause`, state/pause.h), else 0; set on every read of the flag.
inline constexpr char kMetricPaused[] = "creditbot_paused";
// Always 1; the labels say which build is running (`creditbot --version`).
inline constexpr char kMetricBuildInfo[] = "creditbot_build_info";  // {version,git_sha}
// Histograms.
inline constexpr char kMetricExternalCallSeconds[] = "creditbot_external_call_seconds";  // {service}
inline constexpr char kMetricTimeToReplySeconds[] = "creditbot_time_to_reply_seconds";

// Bucket upper bounds (seconds) of the two histograms above; +Inf is implicit.
inline const std::vector<double>& ExternalCallSecondsBuckets() {
  static const std::vector<double> buckets = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
  return buckets;
}
inline const std::vector<double>& TimeToReplySecondsBuckets() {
  static const std::vector<double> buckets = {1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
  return buckets;
}

// Label name → value, in any order.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// The content type of Render()'s output.
inline constexpr char kPrometheusTextContentType[] = "text/plain; version=0.0.4; charset=utf-8";

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Definitions. Names must match [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]* (not
  // starting with "__", no duplicates, and not "le" for a histogram). Histogram bounds must be finite and
  // strictly increasing (+Inf is added). Anything else is dropped (see the file comment).
  void DefineCounter(std::string_view name, std::string_view help, std::vector<std::string> label_names = {});
  void DefineGauge(std::string_view name, std::string_view help, std::vector<std::string> label_names = {});
  void DefineHistogram(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                       std::vector<double> upper_bounds);

  // Counters: adds `by` (finite, >= 0).
  void Increment(std::string_view name, const MetricLabels& labels = {}, double by = 1.0);
  // Gauges.
  void SetGauge(std::string_view name, double value, const MetricLabels& labels = {});
  void AddGauge(std::string_view name, double delta, const MetricLabels& labels = {});
  // Histograms: counts `value` in every bucket whose upper bound is >= value, and adds it to the sum.
  void Observe(std::string_view name, double value, const MetricLabels& labels = {});
  // Counters mirrored from a count kept elsewhere (the process's CPU time): sets the value. A value below
  // the current one (counters never go down) or not finite is dropped.
  void SetCounter(std::string_view name, double value, const MetricLabels& labels = {});

  // `collect` runs at the start of every Render(), before the registry is read, to bring mirrored values up
  // to date (common/process_metrics.h). It may call any method but Render and AddCollector.
  void AddCollector(std::function<void(Metrics&)> collect);

  // The current value of a counter or gauge series, or the observation count of a histogram series;
  // 0 when the series (or family) does not exist. For tests and readiness checks.
  double Value(std::string_view name, const MetricLabels& labels = {}) const;

  // The whole registry in text exposition format 0.0.4 (see the file comment).
  std::string Render() const;

  // Observations and definitions ignored because they were malformed (see the file comment).
  std::uint64_t dropped() const;

 private:
  struct Family;
  enum class Kind { kCounter, kGauge, kHistogram };

  void Define(Kind kind, std::string_view name, std::string_view help, std::vector<std::string> label_names,
              std::vector<double> upper_bounds);
  // The series of `name` for `labels`, created if needed; nullptr (and a drop) when invalid.
  // Requires mutex_ held.
  struct Series;
  Series* FindSeries(Kind kind, std::string_view name, const MetricLabels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  std::uint64_t dropped_ = 0;
  std::mutex collectors_mutex_;  // held while collectors run, so that two renders do not interleave them
  std::vector<std::function<void(Metrics&)>> collectors_;
};

// Defines every kMetric… family above, with its help text and labels, in `metrics`, and sets
// creditbot_build_info{version,git_sha} to 1 for this build.
void DefineCreditbotMetrics(Metrics& metrics);

// The process-wide registry, with DefineCreditbotMetrics applied and the process_* metrics
// (common/process_metrics.h) defined and refreshed at every Render. Never destroyed.
Metrics& GlobalMetrics();

}  // namespace creditbot
