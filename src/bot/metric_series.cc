// Creates creditbot's labelled series at 0; see metric_series.h.
#include "bot/metric_series.h"

#include <string>

#include "bot/pipeline.h"
#include "bot/service.h"

namespace creditbot {

void StartSeriesAtZero(Metrics& metrics, const std::vector<CreditPolicy>& policies) {
  for (int outcome = 0; outcome <= static_cast<int>(ItemOutcome::kCredentialsRefused); ++outcome) {
    metrics.Increment(kMetricRequestsTotal,
                      {{"outcome", std::string(ItemOutcomeName(static_cast<ItemOutcome>(outcome)))}}, 0);
  }
  for (const char* source : {"events_api", "socket_mode"}) {
    for (DeliveryResult result : {DeliveryResult::kQueued, DeliveryResult::kDuplicate,
                                  DeliveryResult::kNotForUs, DeliveryResult::kQueueFull}) {
      metrics.Increment(kMetricEventsReceivedTotal,
                        {{"source", source}, {"result", std::string(DeliveryResultName(result))}}, 0);
    }
  }
  // The answers the Events API endpoint gives itself (bot/service_http.h's list, "event" aside: serve's
  // handler counts the events it is handed).
  for (const char* result : {"url_verification", "ssl_check", "app_rate_limited", "unauthenticated",
                             "too_large", "bad_request", "method_not_allowed", "not_configured", "error"}) {
    metrics.Increment(kMetricEventsReceivedTotal, {{"source", "events_api"}, {"result", result}}, 0);
  }
  for (const CreditPolicy& policy : policies) {
    if (!policy.enabled) continue;
    const std::string& product = policy.name;
    for (const char* outcome : {"computed", "failed"})
      metrics.Increment(kMetricCalculationsTotal, {{"product", product}, {"outcome", outcome}}, 0);
    for (const char* dry_run : {"true", "false"})
      metrics.Increment(kMetricCreditAmountUsdTotal, {{"product", product}, {"dry_run", dry_run}}, 0);
  }
}

void CountPassOutcomes(Metrics& metrics, const PassSummary& summary) {
  for (const auto& [outcome, count] : summary.outcomes)
    metrics.Increment(kMetricRequestsTotal, {{"outcome", outcome}}, count);
}

}  // namespace creditbot
