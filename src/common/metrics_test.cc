// Tests for the Prometheus registry: the rendered text (written out by hand from the text exposition
// format 0.0.4) for each kind of metric, label escaping, ordering, and the dropped-observation rules.
#include "common/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace creditbot {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, CounterWithoutLabelsRendersZeroThenItsValue) {
  Metrics metrics;
  metrics.DefineCounter("jobs_total", "Jobs run.");
  EXPECT_EQ(metrics.Render(),
            "# HELP jobs_total Jobs run.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total 0\n");
  metrics.Increment("jobs_total");
  metrics.Increment("jobs_total", {}, 2.5);
  EXPECT_EQ(metrics.Render(),
            "# HELP jobs_total Jobs run.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total 3.5\n");
  EXPECT_EQ(metrics.Value("jobs_total"), 3.5);
  EXPECT_EQ(metrics.dropped(), 0u);
}

TEST(Metrics, LabelledCounterEscapesValuesAndSortsSeries) {
  Metrics metrics;
  metrics.DefineCounter("creditbot_calculations_total", "Calculations.\nBy \"product\" \\ outcome.",
                        {"product", "outcome"});
  metrics.Increment("creditbot_calculations_total", {{"outcome", "ok"}, {"product", "verify"}});
  metrics.Increment("creditbot_calculations_total", {{"product", "verify"}, {"outcome", "ok"}});
  metrics.Increment("creditbot_calculations_total", {{"product", "a\"b\\c\nd"}, {"outcome", "failed"}});
  EXPECT_EQ(metrics.Render(),
            "# HELP creditbot_calculations_total Calculations.\\nBy \"product\" \\\\ outcome.\n"
            "# TYPE creditbot_calculations_total counter\n"
            "creditbot_calculations_total{outcome=\"failed\",product=\"a\\\"b\\\\c\\nd\"} 1\n"
            "creditbot_calculations_total{outcome=\"ok\",product=\"verify\"} 2\n");
  EXPECT_EQ(metrics.Value("creditbot_calculations_total", {{"product", "verify"}, {"outcome", "ok"}}), 2);
  EXPECT_EQ(metrics.dropped(), 0u);
}

TEST(Metrics, GaugeSetsAndAdds) {
  Metrics metrics;
  metrics.DefineGauge("creditbot_queue_depth", "Requests waiting.");
  metrics.SetGauge("creditbot_queue_depth", 3);
  metrics.AddGauge("creditbot_queue_depth", -1);
  metrics.DefineGauge("creditbot_last_successful_pass_timestamp_seconds", "Last pass.");
  metrics.SetGauge("creditbot_last_successful_pass_timestamp_seconds", 1763880000);
  EXPECT_EQ(metrics.Render(),
            "# HELP creditbot_last_successful_pass_timestamp_seconds Last pass.\n"
            "# TYPE creditbot_last_successful_pass_timestamp_seconds gauge\n"
            "creditbot_last_successful_pass_timestamp_seconds 1763880000\n"
            "# HELP creditbot_queue_depth Requests waiting.\n"
            "# TYPE creditbot_queue_depth gauge\n"
            "creditbot_queue_depth 2\n");
}

TEST(Metrics, HistogramRendersCumulativeBucketsSumAndCount) {
  Metrics metrics;
  metrics.DefineHistogram("call_seconds", "Call time.", {"service"}, {0.1, 1, 10});
  metrics.Observe("call_seconds", 0.05, {{"service", "slack"}});
  metrics.Observe("call_seconds", 0.1, {{"service", "slack"}});  // on a bound: counted in that bucket
  metrics.Observe("call_seconds", 2, {{"service", "slack"}});
  metrics.Observe("call_seconds", 30, {{"service", "slack"}});
  metrics.Observe("call_seconds", 0.5, {{"service", "looker"}});
  EXPECT_EQ(metrics.Render(),
            "# HELP call_seconds Call time.\n"
            "# TYPE call_seconds histogram\n"
            "call_seconds_bucket{service=\"looker\",le=\"0.1\"} 0\n"
            "call_seconds_bucket{service=\"looker\",le=\"1\"} 1\n"
            "call_seconds_bucket{service=\"looker\",le=\"10\"} 1\n"
            "call_seconds_bucket{service=\"looker\",le=\"+Inf\"} 1\n"
            "call_seconds_sum{service=\"looker\"} 0.5\n"
            "call_seconds_count{service=\"looker\"} 1\n"
            "call_seconds_bucket{service=\"slack\",le=\"0.1\"} 2\n"
            "call_seconds_bucket{service=\"slack\",le=\"1\"} 2\n"
            "call_seconds_bucket{service=\"slack\",le=\"10\"} 3\n"
            "call_seconds_bucket{service=\"slack\",le=\"+Inf\"} 4\n"
            "call_seconds_sum{service=\"slack\"} 32.15\n"
            "call_seconds_count{service=\"slack\"} 4\n");
  EXPECT_EQ(metrics.Value("call_seconds", {{"service", "slack"}}), 4);
}

TEST(Metrics, HistogramWithoutLabelsStartsAtZero) {
  Metrics metrics;
  metrics.DefineHistogram("reply_seconds", "Reply time.", {}, {60});
  EXPECT_EQ(metrics.Render(),
            "# HELP reply_seconds Reply time.\n"
            "# TYPE reply_seconds histogram\n"
            "reply_seconds_bucket{le=\"60\"} 0\n"
            "reply_seconds_bucket{le=\"+Inf\"} 0\n"
            "reply_seconds_sum 0\n"
            "reply_seconds_count 0\n");
}

TEST(Metrics, LabelledFamilyWithoutSeriesShowsHelpAndType) {
  Metrics metrics;
  metrics.DefineCounter("b_total", "B.", {"x"});
  metrics.DefineCounter("a_total", "A.");
  EXPECT_EQ(metrics.Render(),
            "# HELP a_total A.\n"
            "# TYPE a_total counter\n"
            "a_total 0\n"
            "# HELP b_total B.\n"
            "# TYPE b_total counter\n");
}

TEST(Metrics, NumbersUseShortestRoundTripText) {
  Metrics metrics;
  metrics.DefineGauge("g", "G.", {"k"});
  metrics.SetGauge("g", 0.1, {{"k", "a"}});
  metrics.SetGauge("g", 1e6, {{"k", "b"}});
  metrics.SetGauge("g", std::numeric_limits<double>::infinity(), {{"k", "c"}});
  metrics.SetGauge("g", -std::numeric_limits<double>::infinity(), {{"k", "d"}});
  metrics.SetGauge("g", std::nan(""), {{"k", "e"}});
  metrics.SetGauge("g", 1234.5678, {{"k", "f"}});
  EXPECT_EQ(metrics.Render(),
            "# HELP g G.\n"
            "# TYPE g gauge\n"
            "g{k=\"a\"} 0.1\n"
            "g{k=\"b\"} 1e+06\n"
            "g{k=\"c\"} +Inf\n"
            "g{k=\"d\"} -Inf\n"
            "g{k=\"e\"} NaN\n"
            "g{k=\"f\"} 1234.5678\n");
}

TEST(Metrics, MisuseIsDroppedAndCounted) {
  Metrics metrics;
  metrics.DefineCounter("c_total", "C.", {"outcome"});
  metrics.DefineGauge("g", "G.");
  metrics.Increment("unknown_total");                                 // undefined
  metrics.Increment("c_total");                                       // label missing
  metrics.Increment("c_total", {{"result", "ok"}});                   // wrong label name
  metrics.Increment("c_total", {{"outcome", "ok"}, {"extra", "x"}});  // extra label
  metrics.Increment("c_total", {{"outcome", "ok"}}, -1);              // negative
  metrics.Increment("c_total", {{"outcome", "ok"}}, std::nan(""));    // not finite
  metrics.Increment("g");                                             // wrong kind
  metrics.Observe("g", 1);                                            // wrong kind
  metrics.DefineGauge("c_total", "C.", {"outcome"});                  // name taken by another kind
  metrics.DefineCounter("bad name", "Bad.");                          // invalid name
  metrics.DefineCounter("x_total", "X.", {"__reserved"});             // invalid label
  metrics.DefineHistogram("h", "H.", {"le"}, {1});                    // le is reserved
  metrics.DefineHistogram("h2", "H.", {}, {2, 1});                    // bounds not increasing
  EXPECT_EQ(metrics.dropped(), 13u);
  metrics.DefineCounter("c_total", "C.", {"outcome"});  // identical redefinition: fine
  EXPECT_EQ(metrics.dropped(), 13u);
  EXPECT_EQ(metrics.Render(),
            "# HELP c_total C.\n"
            "# TYPE c_total counter\n"
            "# HELP g G.\n"
            "# TYPE g gauge\n"
            "g 0\n");
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
  Metrics metrics;
  metrics.DefineCounter("c_total", "C.", {"thread"});
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 1000; ++i) {
        metrics.Increment("c_total", {{"thread", t % 2 == 0 ? "even" : "odd"}});
        (void)metrics.Render();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(metrics.Value("c_total", {{"thread", "even"}}), 2000);
  EXPECT_EQ(metrics.Value("c_total", {{"thread", "odd"}}), 2000);
}

TEST(Metrics, GlobalRegistryDefinesCreditbotMetrics) {
  const std::string text = GlobalMetrics().Render();
  for (const char* name :
       {kMetricRequestsTotal, kMetricCalculationsTotal, kMetricCreditAmountUsdTotal,
        kMetricExternalCallSeconds, kMetricExternalErrorsTotal, kMetricRetriesTotal, kMetricQueueDepth,
        kMetricTimeToReplySeconds, kMetricLastSuccessfulPassTimestampSeconds, kMetricEventsReceivedTotal}) {
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + name + " ")) << name;
  }
  EXPECT_THAT(text, HasSubstr("# TYPE creditbot_external_call_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("creditbot_queue_depth 0\n"));
  EXPECT_THAT(text, HasSubstr("creditbot_time_to_reply_seconds_bucket{le=\"3600\"} 0\n"));
}

}  // namespace
}  // namespace creditbot
