// The labelled series creditbot can report, created at 0 when a command starts, so that every series exists
// from the first scrape or push: `rate()` and `increase()` see a counter's first increment, and a dashboard
// or alert that names a label value (outcome="failed") has a series to read before anything failed.
//
//   creditbot_requests_total{outcome}            every ItemOutcome (bot/pipeline.h)
//   creditbot_events_received_total{source,result}
//       source="events_api": what the endpoint answers itself (bot/service_http.h) and what
//       Service::Deliver does with an event it is handed (bot/service.h); source="socket_mode": the latter.
//   creditbot_calculations_total{product,outcome}, creditbot_credit_amount_usd_total{product,dry_run}
//       for each enabled credit policy (its name is the product), outcome computed/failed, dry_run
//       true/false.
//
// Series with open-ended labels (an external service's error code) appear with their first observation.
#pragma once

#include <vector>

#include "bot/pass.h"
#include "common/metrics.h"
#include "core/credit_policy.h"

namespace creditbot {

// Adds 0 to each series above in `metrics` (which must have DefineCreditbotMetrics applied); idempotent.
void StartSeriesAtZero(Metrics& metrics, const std::vector<CreditPolicy>& policies);

// Adds a pass's outcome counts (PassSummary::outcomes) to creditbot_requests_total{outcome}: the scheduled
// pass and serve's catch-up pass count their requests the same way.
void CountPassOutcomes(Metrics& metrics, const PassSummary& summary);

}  // namespace creditbot
