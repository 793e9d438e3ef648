// The scheduled mode's metrics (issue 21 point 7), on the real binary: `run --once` pushes its registry to a
// Pushgateway stand-in on loopback (real HTTP, cpp-httplib) and writes the node-exporter textfile; a failed
// push never fails the pass; and the pieces behind them (process_* from /proc, the series at zero, the
// Pushgateway body of a failed pass, one count per Events API delivery). Expected values come from the
// sample's look 101 (test case 1 of CREDIT_POLICY.md: 255.00, checked by hand there).
#include "app/metrics_push.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "bot/metric_series.h"
#include "common/metrics.h"
#include "common/process_metrics.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = CREDITBOT_SOURCE_DIR;

// A Pushgateway stand-in: records each push, answers `status`.
class FakePushgateway {
 public:
  struct Push {
    std::string method, path, content_type, body;
  };
  FakePushgateway() {
    auto record = [this](const httplib::Request& request, httplib::Response& response) {
      std::lock_guard<std::mutex> lock(mutex_);
      pushes_.push_back(
          {request.method, request.path, request.get_header_value("Content-Type"), request.body});
      response.status = status_;
    };
    server_.Post(R"(/metrics/.*)", record);
    server_.Put(R"(/metrics/.*)", record);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakePushgateway() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Push> pushes() {
    std::lock_guard<std::mutex> lock(mutex_);
    return pushes_;
  }
  void set_status(int status) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_ = status;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Push> pushes_;
  int status_ = 200;
};

// The value of the sample line `series` ("name{labels}" exactly as rendered) in exposition `text`, or -1.
double Sample(const std::string& text, const std::string& series) {
  const std::string prefix = series + " ";
  std::size_t at = text.rfind("\n" + prefix);
  if (at == std::string::npos) {
    if (text.rfind(prefix, 0) != 0) return -1;
    at = 0;
  } else {
    at += 1;
  }
  return std::stod(text.substr(at + prefix.size(), text.find('\n', at) - at - prefix.size()));
}

class MetricsPushEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  RunResult RunOnce(std::map<std::string, std::string> extra) {
    const std::string inbox = home_.File("inbox.jsonl");
    WriteFile(inbox, nlohmann::json({{"type", "message"},
                                     {"channel", "C0CREDITREQ"},
                                     {"user", "U0ANALYST1"},
                                     {"ts", "1752588191.000100"},
                                     {"text", "credit please <https://looker.example.com/looks/101>"}})
                             .dump() +
                         "\n");
    std::map<std::string, std::string> env = {
        {"CREDITBOT_HOME", home_.path()}, {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
        {"CREDITBOT_INBOX", inbox},       {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
        {"SLACK_USER_ID", "U0OWNER01"},   {"CREDITBOT_LOG_FORMAT", "json"}};
    for (auto& [name, value] : extra) env[name] = value;
    return RunCreditbot({"run", "--once"}, env, home_.path());
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
};
SuiteWarehouse MetricsPushEndToEnd::warehouse_;

TEST_F(MetricsPushEndToEnd, RunOncePushesThePassMetricsToThePushgateway) {
  FakePushgateway gateway;
  const double before = static_cast<double>(std::time(nullptr));
  RunResult run = RunOnce({{"CREDITBOT_PUSHGATEWAY_URL", gateway.url() + "/"}});
  const double after = static_cast<double>(std::time(nullptr)) + 1;
  ASSERT_EQ(run.exit_code, 0) << run.err;

  std::vector<FakePushgateway::Push> pushes = gateway.pushes();
  ASSERT_EQ(pushes.size(), 1u);
  EXPECT_EQ(pushes[0].method, "POST");  // replaces only the families sent (see app/metrics_push.h)
  EXPECT_EQ(pushes[0].path, "/metrics/job/creditbot");
  EXPECT_EQ(pushes[0].content_type, "text/plain; version=0.0.4; charset=utf-8");
  const std::string& body = pushes[0].body;
  // One request, answered: look 101's credit of 255.00 in a dry run (the default).
  EXPECT_EQ(Sample(body, R"(creditbot_requests_total{outcome="replied"})"), 1);
  EXPECT_EQ(Sample(body, R"(creditbot_requests_total{outcome="failed"})"), 0);  // present at 0
  EXPECT_EQ(Sample(body, R"(creditbot_calculations_total{outcome="computed",product="verify"})"), 1);
  EXPECT_EQ(Sample(body, R"(creditbot_credit_amount_usd_total{dry_run="true",product="verify"})"), 255);
  EXPECT_EQ(Sample(body, R"(creditbot_credit_amount_usd_total{dry_run="false",product="verify"})"), 0);
  const double success = Sample(body, "creditbot_last_successful_pass_timestamp_seconds");
  EXPECT_GE(success, before);
  EXPECT_LE(success, after);
  EXPECT_THAT(body, HasSubstr("# TYPE creditbot_build_info gauge\ncreditbot_build_info{git_sha=\""));
  EXPECT_THAT(body, HasSubstr("\",version=\"0.1.0\"} 1\n"));
  // The process's own figures, plausible for a short pass.
  const double started = Sample(body, "process_start_time_seconds");
  EXPECT_GE(started, before - 2);
  EXPECT_LE(started, after);
  EXPECT_GT(Sample(body, "process_resident_memory_bytes"), 1e6);
  EXPECT_GE(Sample(body, "process_open_fds"), 3);
  EXPECT_GT(Sample(body, "process_cpu_seconds_total"), 0);
  EXPECT_THAT(body, HasSubstr("# TYPE process_cpu_seconds_total counter\n"));
  EXPECT_EQ(Sample(body, R"(creditbot_metrics_push_failures_total{target="pushgateway"})"), 0);
}

TEST_F(MetricsPushEndToEnd, APushThatFailsNeverFailsThePassAndTheTextfileCountsIt) {
  FakePushgateway gateway;
  gateway.set_status(500);
  const std::string textfile = home_.File("textfile/creditbot.prom");
  RunResult run =
      RunOnce({{"CREDITBOT_PUSHGATEWAY_URL", gateway.url()}, {"CREDITBOT_METRICS_TEXTFILE", textfile}});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr("could not push the pass's metrics to the Pushgateway"));
  EXPECT_EQ(gateway.pushes().size(), 1u);
  const std::string text = ReadFile(textfile);
  EXPECT_EQ(Sample(text, R"(creditbot_metrics_push_failures_total{target="pushgateway"})"), 1);
  EXPECT_EQ(Sample(text, R"(creditbot_requests_total{outcome="replied"})"), 1);
  EXPECT_GT(Sample(text, "creditbot_last_successful_pass_timestamp_seconds"), 1.7e9);
  EXPECT_FALSE(std::filesystem::exists(textfile + ".tmp"));  // renamed into place

  // Nobody listening: the pass still succeeds.
  RunResult unreachable = RunOnce({{"CREDITBOT_PUSHGATEWAY_URL", "http://127.0.0.1:1"}});
  EXPECT_EQ(unreachable.exit_code, 0) << unreachable.err;
  EXPECT_THAT(unreachable.err, HasSubstr("could not push"));
}

TEST_F(MetricsPushEndToEnd, AFailedPassKeepsThePreviousSuccessTime) {
  FakePushgateway gateway;
  const std::string textfile = home_.File("creditbot.prom");
  ASSERT_EQ(RunOnce({{"CREDITBOT_METRICS_TEXTFILE", textfile}}).exit_code, 0);
  const double success = Sample(ReadFile(textfile), "creditbot_last_successful_pass_timestamp_seconds");
  ASSERT_GT(success, 1.7e9);
  // The inbox cannot be read: the pass fails (exit 1) after the configuration was read.
  RunResult failed = RunOnce({{"CREDITBOT_METRICS_TEXTFILE", textfile},
                              {"CREDITBOT_PUSHGATEWAY_URL", gateway.url()},
                              {"CREDITBOT_INBOX", home_.File("no-such-inbox.jsonl")}});
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  // The gateway is sent everything but the success time (POST keeps the one it has)…
  ASSERT_EQ(gateway.pushes().size(), 1u);
  EXPECT_THAT(gateway.pushes()[0].body, Not(HasSubstr("creditbot_last_successful_pass_timestamp_seconds")));
  EXPECT_THAT(gateway.pushes()[0].body, HasSubstr("creditbot_requests_total{outcome=\"replied\"} 0\n"));
  // …and the textfile keeps the previous one.
  EXPECT_EQ(Sample(ReadFile(textfile), "creditbot_last_successful_pass_timestamp_seconds"), success);
}

TEST(MetricsPush, WithoutFamilyDropsExactlyThatFamily) {
  const std::string text =
      "# HELP a_seconds A.\n# TYPE a_seconds gauge\na_seconds 1\n"
      "# HELP a_seconds_total B.\n# TYPE a_seconds_total counter\na_seconds_total{x=\"1\"} 2\n";
  EXPECT_EQ(WithoutFamily(text, "a_seconds"),
            "# HELP a_seconds_total B.\n# TYPE a_seconds_total counter\na_seconds_total{x=\"1\"} 2\n");
  EXPECT_EQ(PushgatewayJobUrl("http://gw:9091/"), "http://gw:9091/metrics/job/creditbot");
  EXPECT_EQ(PushgatewayJobUrl("http://gw:9091/prefix"), "http://gw:9091/prefix/metrics/job/creditbot");
}

TEST(ProcessMetrics, ReadFromProcArePlausible) {
  absl::StatusOr<ProcessStats> stats = ReadProcessStats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(stats->start_time_seconds, now + 1);
  EXPECT_GT(stats->start_time_seconds, now - 3600);  // this test binary started within the hour
  EXPECT_GT(stats->resident_memory_bytes, 1e6);
  EXPECT_GE(stats->virtual_memory_bytes, stats->resident_memory_bytes);
  EXPECT_GE(stats->open_fds, 3);  // stdin, stdout, stderr
  EXPECT_GE(stats->max_fds, stats->open_fds);
  EXPECT_GE(stats->cpu_seconds, 0);
  // A descriptor opened shows.
  const int fd = dup(1);
  absl::StatusOr<ProcessStats> more = ReadProcessStats();
  close(fd);
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->open_fds, stats->open_fds + 1);

  EXPECT_FALSE(ReadProcessStats("/nonexistent/proc/self").ok());
}

TEST(ProcessMetrics, GlobalRegistryRendersThemFresh) {
  const std::string text = GlobalMetrics().Render();
  EXPECT_GT(Sample(text, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(Sample(text, "process_max_fds"), 0);
  EXPECT_GT(Sample(text, "process_start_time_seconds"), 1.7e9);
  EXPECT_EQ(GlobalMetrics().dropped(), 0u);
}

TEST(MetricSeries, EveryOutcomeAndResultStartsAtZero) {
  Metrics metrics;
  DefineCreditbotMetrics(metrics);
  CreditPolicy verify;
  verify.name = "verify";
  CreditPolicy off;
  off.name = "off";
  off.enabled = false;
  StartSeriesAtZero(metrics, {verify, off});
  const std::string text = metrics.Render();
  for (const char* outcome : {"replied", "asked", "ignored", "skipped", "refused", "failed", "retrying",
                              "rejected", "deleted", "already_handled", "credentials_refused"}) {
    EXPECT_EQ(Sample(text, std::string("creditbot_requests_total{outcome=\"") + outcome + "\"}"), 0)
        << outcome;
  }
  EXPECT_EQ(Sample(text, R"(creditbot_events_received_total{result="queued",source="socket_mode"})"), 0);
  EXPECT_EQ(Sample(text, R"(creditbot_events_received_total{result="unauthenticated",source="events_api"})"),
            0);
  EXPECT_EQ(Sample(text, R"(creditbot_calculations_total{outcome="failed",product="verify"})"), 0);
  EXPECT_EQ(Sample(text, R"(creditbot_credit_amount_usd_total{dry_run="false",product="verify"})"), 0);
  EXPECT_THAT(text, Not(HasSubstr("product=\"off\"")));  // a disabled policy computes nothing
  EXPECT_EQ(metrics.dropped(), 0u);
}

TEST(MetricsRegistry, SetCounterNeverGoesDown) {
  Metrics metrics;
  metrics.DefineCounter("c_total", "C.");
  metrics.SetCounter("c_total", 2.5);
  metrics.SetCounter("c_total", 1);  // dropped
  EXPECT_EQ(metrics.Value("c_total"), 2.5);
  EXPECT_EQ(metrics.dropped(), 1u);
  int collected = 0;
  metrics.AddCollector([&collected](Metrics& m) { m.SetCounter("c_total", 3 + collected++); });
  EXPECT_THAT(metrics.Render(), HasSubstr("c_total 3\n"));
  EXPECT_THAT(metrics.Render(), HasSubstr("c_total 4\n"));
}

}  // namespace
}  // namespace creditbot::testing
