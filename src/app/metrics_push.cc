// A scheduled pass's metrics to a Pushgateway and/or a node-exporter textfile; see metrics_push.h.
#include "app/metrics_push.h"

#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/embedded_files.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/url.h"

namespace creditbot {
namespace {

void CountFailure(Metrics& metrics, const char* target) {
  metrics.Increment(kMetricMetricsPushFailuresTotal, {{"target", target}});
}

void PushToGateway(Metrics& metrics, const std::string& body, const MetricsPushOptions& options) {
  HttpTransport* transport = options.transport;
  if (transport == nullptr) {  // a wiring mistake, not the gateway's: said once, counted, never fatal
    LogError("cannot push the pass's metrics: no transport was given", {});
    CountFailure(metrics, "pushgateway");
    return;
  }
  HttpRequest request;
  request.method = "POST";
  request.url = PushgatewayJobUrl(options.pushgateway_url);
  request.headers = {{"Content-Type", kPrometheusTextContentType}};
  request.body = body;
  request.timeout = options.timeout;
  absl::StatusOr<HttpResponse> response = transport->Send(request);
  absl::Status failure = absl::OkStatus();
  if (!response.ok()) {
    failure = response.status();
  } else if (response->status < 200 || response->status > 299) {
    failure = HttpStatusToError(response->status, "Pushgateway POST");
    // The gateway says why it refused the push (e.g. inconsistent metrics) in a short text body.
    if (!response->body.empty())
      failure = absl::Status(failure.code(),
                             absl::StrCat(failure.message(), ": ", ToAbsl(response->body.substr(0, 300))));
  }
  if (failure.ok()) {
    LogDebug("pass metrics pushed", {{"pushgateway", RedactedUrl(request.url)}});
    return;
  }
  CountFailure(metrics, "pushgateway");
  LogWarn("could not push the pass's metrics to the Pushgateway; the pass is not affected",
          {{"pushgateway", RedactedUrl(request.url)}, {"error", std::string(failure.message())}});
}

// The value of `name` (a family without labels) in the exposition `text`, if there.
std::optional<double> SampleValue(std::string_view text, std::string_view name) {
  for (absl::string_view line : absl::StrSplit(ToAbsl(text), '\n')) {
    if (!absl::ConsumePrefix(&line, ToAbsl(name)) || !absl::ConsumePrefix(&line, " ")) continue;
    double value = 0;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return std::nullopt;
}

void WriteTextfile(Metrics& metrics, bool pass_succeeded, const std::string& path) {
  std::string text = metrics.Render();
  if (!pass_succeeded) {
    // Keep the success time of the file this one replaces (none: the family is left out).
    std::optional<double> previous;
    if (absl::StatusOr<std::string> old = ReadFileToString(path); old.ok())
      previous = SampleValue(*old, kMetricLastSuccessfulPassTimestampSeconds);
    if (previous) {
      metrics.SetGauge(kMetricLastSuccessfulPassTimestampSeconds, *previous);
      text = metrics.Render();
    } else {
      text = WithoutFamily(text, kMetricLastSuccessfulPassTimestampSeconds);
    }
  }
  if (absl::Status written = WriteFileAtomically(path, text); !written.ok()) {
    CountFailure(metrics, "textfile");
    LogWarn("could not write the pass's metrics file; the pass is not affected",
            {{"path", path}, {"error", std::string(written.message())}});
    return;
  }
  LogDebug("pass metrics written", {{"path", path}});
}

}  // namespace

std::string PushgatewayJobUrl(std::string_view url) {
  absl::string_view base = ToAbsl(url);
  absl::ConsumeSuffix(&base, "/");
  return absl::StrCat(base, "/metrics/job/creditbot");
}

std::string WithoutFamily(std::string_view text, std::string_view name) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(ToAbsl(text), '\n', absl::SkipEmpty())) {
    absl::string_view rest = line;
    // "# HELP NAME …", "# TYPE NAME …", "NAME{…} VALUE", "NAME VALUE".
    if (!absl::ConsumePrefix(&rest, "# HELP ")) absl::ConsumePrefix(&rest, "# TYPE ");
    if (absl::ConsumePrefix(&rest, ToAbsl(name)) &&
        (rest.empty() || rest.front() == ' ' || rest.front() == '{'))
      continue;
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

void PushPassMetrics(Metrics& metrics, bool pass_succeeded, const MetricsPushOptions& options) {
  if (!options.pushgateway_url.empty()) {
    const std::string text = metrics.Render();
    PushToGateway(metrics,
                  pass_succeeded ? text : WithoutFamily(text, kMetricLastSuccessfulPassTimestampSeconds),
                  options);
  }
  if (!options.textfile.empty()) WriteTextfile(metrics, pass_succeeded, options.textfile);
}

}  // namespace creditbot
