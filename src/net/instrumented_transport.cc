// Latency, error and retry metrics around an HttpTransport.
#include "net/instrumented_transport.h"

#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace creditbot {
namespace {

class InstrumentedTransport final : public HttpTransport {
 public:
  InstrumentedTransport(std::unique_ptr<HttpTransport> inner, std::string service, Metrics& metrics)
      : inner_(std::move(inner)), service_(std::move(service)), metrics_(metrics) {}

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<HttpResponse> response = inner_->Send(request);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    const MetricLabels service = {{"service", service_}};
    metrics_.Observe(kMetricExternalCallSeconds, elapsed.count(), service);
    if (!response.ok()) {
      metrics_.Increment(
          kMetricExternalErrorsTotal,
          {{"service", service_},
           {"code", absl::AsciiStrToLower(absl::StatusCodeToString(response.status().code()))}});
      return response;
    }
    const int status = response->status;
    if (status == 429 || status >= 500) {
      metrics_.Increment(kMetricExternalErrorsTotal,
                         {{"service", service_}, {"code", absl::StrCat("http_", status)}});
    }
    if (status == 429 || status == 502 || status == 503 || status == 504)
      metrics_.Increment(kMetricRetriesTotal, service);
    return response;
  }

 private:
  std::unique_ptr<HttpTransport> inner_;
  std::string service_;
  Metrics& metrics_;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeInstrumentedTransport(std::unique_ptr<HttpTransport> inner,
                                                         std::string service, Metrics* metrics) {
  return std::make_unique<InstrumentedTransport>(std::move(inner), std::move(service),
                                                 metrics != nullptr ? *metrics : GlobalMetrics());
}

}  // namespace creditbot
