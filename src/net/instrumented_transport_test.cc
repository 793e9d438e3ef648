// InstrumentedTransport records latency, errors and retried answers per service, and passes every
// exchange through unchanged.
#include "net/instrumented_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>

namespace creditbot {
namespace {

// Answers from a script, in order.
class ScriptedTransport final : public HttpTransport {
 public:
  explicit ScriptedTransport(std::deque<absl::StatusOr<HttpResponse>> answers)
      : answers_(std::move(answers)) {}
  absl::StatusOr<HttpResponse> Send(const HttpRequest&) override {
    absl::StatusOr<HttpResponse> next = answers_.front();
    answers_.pop_front();
    return next;
  }

 private:
  std::deque<absl::StatusOr<HttpResponse>> answers_;
};

HttpResponse Answer(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

TEST(InstrumentedTransport, CountsCallsErrorsAndRetriedAnswersPerService) {
  Metrics metrics;
  DefineCreditbotMetrics(metrics);
  std::unique_ptr<HttpTransport> transport =
      MakeInstrumentedTransport(std::make_unique<ScriptedTransport>(std::deque<absl::StatusOr<HttpResponse>>{
                                    Answer(200, "{\"ok\":true}"), Answer(503, "busy"), Answer(429, ""),
                                    Answer(500, "boom"), absl::DeadlineExceededError("timed out")}),
                                "slack", &metrics);
  absl::StatusOr<HttpResponse> first = transport->Send(HttpRequest{});
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->body, "{\"ok\":true}");
  EXPECT_EQ(transport->Send(HttpRequest{})->status, 503);
  EXPECT_EQ(transport->Send(HttpRequest{})->status, 429);
  EXPECT_EQ(transport->Send(HttpRequest{})->status, 500);
  EXPECT_EQ(transport->Send(HttpRequest{}).status().code(), absl::StatusCode::kDeadlineExceeded);

  EXPECT_EQ(metrics.Value(kMetricExternalCallSeconds, {{"service", "slack"}}), 5);  // observations
  EXPECT_EQ(metrics.Value(kMetricRetriesTotal, {{"service", "slack"}}), 2);         // 503 and 429
  EXPECT_EQ(metrics.Value(kMetricExternalErrorsTotal, {{"service", "slack"}, {"code", "http_503"}}), 1);
  EXPECT_EQ(metrics.Value(kMetricExternalErrorsTotal, {{"service", "slack"}, {"code", "http_429"}}), 1);
  EXPECT_EQ(metrics.Value(kMetricExternalErrorsTotal, {{"service", "slack"}, {"code", "http_500"}}), 1);
  EXPECT_EQ(metrics.Value(kMetricExternalErrorsTotal, {{"service", "slack"}, {"code", "deadline_exceeded"}}),
            1);
  EXPECT_EQ(metrics.dropped(), 0u);
}

}  // namespace
}  // namespace creditbot
