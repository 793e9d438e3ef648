// InstrumentedTransport: wraps an HttpTransport and records every exchange in the metrics registry under a
// service name ("slack", "looker", "trino"…): creditbot_external_call_seconds{service} (latency of each
// exchange), creditbot_external_errors_total{service,code} (no answer: the status code name; an answer
// 429 or 5xx: "http_<status>") and creditbot_retries_total{service} (answers that the clients retry: 429,
// 502, 503, 504). It changes nothing in the exchange itself.
//
// Thread-compatible, like the wrapped transport; the metrics registry is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "common/metrics.h"
#include "net/http_transport.h"

namespace creditbot {

// `metrics` defaults to GlobalMetrics(); it must outlive the transport.
std::unique_ptr<HttpTransport> MakeInstrumentedTransport(std::unique_ptr<HttpTransport> inner,
                                                         std::string service, Metrics* metrics = nullptr);

}  // namespace creditbot
