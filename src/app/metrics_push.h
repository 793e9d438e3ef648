// Metrics of the scheduled mode: `creditbot run --once` lives a few seconds, too short to be scraped, so at
// the end of the pass it hands its metrics (the whole registry, common/metrics.h) to Prometheus in one or
// both of two ways:
//
//   Pushgateway (CREDITBOT_PUSHGATEWAY_URL)  POST of the text exposition format 0.0.4 to
//       URL/metrics/job/creditbot. POST (not PUT) replaces only the families in the body, so a pass that
//       failed sends everything but creditbot_last_successful_pass_timestamp_seconds and the gateway keeps
//       the previous pass's success time: the runbook's "no successful pass in 45 minutes" alert then fires
//       from the last success, as it does for serve. Counters are those of the one pass (each process starts
//       at zero); the gateway adds push_time_seconds.
//   Textfile (CREDITBOT_METRICS_TEXTFILE)  the same text, written atomically (a temporary file beside it,
//       then rename) for node-exporter's textfile collector; after a failed pass the success time is
//       carried over from the file it replaces.
//
// Failure modes: none for the caller. A push that fails (no answer, a non-2xx status, a file that cannot be
// written) is logged as a warning — the address without userinfo — and counted in
// creditbot_metrics_push_failures_total{target="pushgateway"|"textfile"} (so the textfile, written after
// the push, shows a failed push); the pass's exit status does not change.
#pragma once

#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "common/metrics.h"
#include "net/http_transport.h"

namespace creditbot {

struct MetricsPushOptions {
  std::string pushgateway_url;  // Default: none. e.g. http://pushgateway.monitoring:9091 (a path is kept)
  std::string textfile;         // Default: none. e.g. /var/lib/node_exporter/textfile/creditbot.prom
  absl::Duration timeout = absl::Seconds(10);  // the whole push, connection included
  HttpTransport* transport = nullptr;          // required with pushgateway_url (Environment's); not owned
};

// The Pushgateway address of the job: URL + "/metrics/job/creditbot" (one trailing '/' of URL dropped).
std::string PushgatewayJobUrl(std::string_view url);

// `text` (exposition format) without the family `name`: its # HELP, # TYPE and sample lines.
std::string WithoutFamily(std::string_view text, std::string_view name);

// Sends `metrics` where `options` says; `pass_succeeded` false: the pass failed, so its success time is not
// sent (see the top of this file). Does nothing when neither target is configured.
void PushPassMetrics(Metrics& metrics, bool pass_succeeded, const MetricsPushOptions& options);

}  // namespace creditbot
