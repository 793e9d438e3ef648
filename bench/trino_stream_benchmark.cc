// Streaming a Trino result: rows and bytes per second through the real client (page parsing, value
// decoding, the RowSink), and the process's peak RSS, which must stay flat as the number of pages grows
// (issues 4 and 7: memory must not grow with the number of pages; 10,000 pages is the 10-million-row
// result of issue 7). The pages come from an in-process transport
// that generates fraud-report-shaped pages on the fly, so no network or server is measured.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "warehouse/trino_warehouse.h"

namespace creditbot {
namespace {

constexpr int kRowsPerPage = 1000;

class GeneratedPages final : public HttpTransport {
 public:
  explicit GeneratedPages(int64_t pages) : pages_(pages) {}
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    HttpResponse response;
    response.status = 200;
    if (request.method == "DELETE") {
      response.status = 204;
      return response;
    }
    const int64_t page = request.method == "POST" ? 0 : next_;
    std::string body = absl::StrCat(
        R"j({"id":"q","stats":{"state":"RUNNING"},"columns":[{"name":"day","type":"date"},)j",
        R"j({"name":"account_sid","type":"varchar"},{"name":"mcc","type":"varchar"},)j",
        R"j({"name":"attempts_sent","type":"bigint"},{"name":"fraud_charges_usd","type":"decimal(18,5)"}])j");
    if (page > 0) {
      body += R"(,"data":[)";
      for (int row = 0; row < kRowsPerPage; ++row) {
        absl::StrAppend(&body, row == 0 ? "" : ",", R"(["2025-07-)", 10 + row % 20,
                        R"(","AC0123456789abcdef0123456789abcdef","400",)", 1000 + row, R"(,")", 300 + row,
                        R"(.12345"])");
      }
      body += "]";
    }
    next_ = page + 1;
    if (page < pages_)
      absl::StrAppend(&body, R"(,"nextUri":"https://bench.invalid/v1/statement/executing/q/)", next_, "\"");
    body += "}";
    bytes_ += static_cast<int64_t>(body.size());
    response.body = std::move(body);
    return response;
  }
  int64_t bytes() const { return bytes_; }

 private:
  int64_t pages_;
  int64_t next_ = 1;
  int64_t bytes_ = 0;
};

class CountingSink final : public RowSink {
 public:
  absl::Status OnColumns(const std::vector<Column>&) override { return absl::OkStatus(); }
  absl::Status OnRow(const std::vector<Value>& row) override {
    rows += 1;
    benchmark::DoNotOptimize(row.data());
    return absl::OkStatus();
  }
  int64_t rows = 0;
};

long PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

void BM_TrinoStreamPages(benchmark::State& state) {
  const int64_t pages = state.range(0);
  SystemClock clock;
  SystemSleeper sleeper;
  int64_t bytes = 0, rows = 0;
  for (auto _ : state) {
    GeneratedPages transport(pages);
    TrinoOptions options;
    options.base_url = "https://bench.invalid";
    options.user = "bench";
    options.query_timeout = absl::Hours(1);
    auto warehouse = TrinoWarehouse::Create(transport, clock, sleeper, options);
    CountingSink sink;
    absl::Status status = (*warehouse)->Query("SELECT 1", sink);
    if (!status.ok()) state.SkipWithError(std::string(status.message()).c_str());
    bytes += transport.bytes();
    rows += sink.rows;
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(rows);
  state.counters["peak_rss_kb"] = static_cast<double>(PeakRssKb());
}
// Smaller first: ru_maxrss only grows, so a flat counter across the sizes shows flat memory (one size per
// process, as bench/e2e/e2e.py stream runs them, shows each size's own peak).
BENCHMARK(BM_TrinoStreamPages)
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace creditbot
