// Streaming a Trino result: rows and bytes per second, and the process's peak RSS, which must stay flat as
// the number of pages grows (issues 4 and 7; 10,000 pages is the 10-million-row result of issue 7), and the
// page decoder against the one it replaced (issue 20: ≥ 200 MB/s and ≥ 4M rows/s through the real client on
// loopback).
//
//   BM_TrinoPageDecode/<rows a page>      the simdjson decoder (trino_page.h) on one fraud-report-shaped
//   page, BM_TrinoPageDecodeLegacy/<rows a page> and the nlohmann decoder before issue 20 on the same bytes
//                                          (bench/legacy_trino_page.h), side by side in one run;
//   BM_TrinoStreamPages/<pages>            the real client (page loop, decoding, the RowSink) over an
//                                          in-process transport that generates the pages: no network;
//   BM_TrinoLoopback/<rows a page>/<view>  the real client and libcurl against a cpp-httplib server on
//                                          127.0.0.1 serving ready-made pages (1,000,000 rows in all); view
//                                          1: a sink reading borrowed rows (as the evidence loader does), 0:
//                                          a sink taking owning rows (RowSink::OnRow, a copy of every
//                                          string).
// bytes/s counts the page bodies as sent; items/s counts rows.
#include <benchmark/benchmark.h>
#include <httplib.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "legacy_trino_page.h"
#include "net/http_transport.h"
#include "warehouse/trino_page.h"
#include "warehouse/trino_warehouse.h"

namespace creditbot {
namespace {

constexpr int kRowsPerPage = 1000;

std::string PageHead() {
  return absl::StrCat(
      R"j({"id":"q","stats":{"state":"RUNNING"},"columns":[{"name":"day","type":"date"},)j",
      R"j({"name":"account_sid","type":"varchar"},{"name":"mcc","type":"varchar"},)j",
      R"j({"name":"attempts_sent","type":"bigint"},{"name":"fraud_charges_usd","type":"decimal(18,5)"}])j");
}

// `rows` fraud-report rows as a page's ,"data":[…] member (34-character SIDs, exact decimals as text).
std::string DataMember(int rows) {
  std::string data = R"(,"data":[)";
  for (int row = 0; row < rows; ++row) {
    absl::StrAppend(&data, row == 0 ? "" : ",", R"(["2025-07-)", 10 + row % 20,
                    R"(","AC0123456789abcdef0123456789abcdef","400",)", 1000 + row, R"(,")", 300 + row,
                    R"(.12345"])");
  }
  data += "]";
  return data;
}

// A whole page: columns, `rows` rows, and a nextUri to page `next` unless it is 0.
std::string PageBody(int rows, int64_t next) {
  std::string body = PageHead();
  if (rows > 0) body += DataMember(rows);
  if (next > 0)
    absl::StrAppend(&body, R"(,"nextUri":"https://bench.invalid/v1/statement/executing/q/)", next, "\"");
  body += "}";
  return body;
}

long PeakRssKb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// ---- decoding alone, new and old, on the same bytes ----

void BM_TrinoPageDecode(benchmark::State& state) {
  const std::string body = PageBody(static_cast<int>(state.range(0)), 2);
  TrinoPageDecoder decoder;
  const std::vector<Column> known;
  int64_t rows = 0;
  for (auto _ : state) {
    absl::Status status = decoder.Decode(std::string_view(body), known);
    if (!status.ok()) state.SkipWithError(std::string(status.message()).c_str());
    for (std::size_t i = 0; i < decoder.row_count(); ++i) benchmark::DoNotOptimize(decoder.Row(i).data());
    rows += static_cast<int64_t>(decoder.row_count());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(body.size()));
  state.SetItemsProcessed(rows);
}
BENCHMARK(BM_TrinoPageDecode)->Arg(1000)->Arg(10000);

void BM_TrinoPageDecodeLegacy(benchmark::State& state) {
  const std::string body = PageBody(static_cast<int>(state.range(0)), 2);
  int64_t rows = 0;
  for (auto _ : state) {
    absl::StatusOr<TrinoPage> page = bench::LegacyParseTrinoPage(body);
    if (!page.ok()) state.SkipWithError(std::string(page.status().message()).c_str());
    rows += static_cast<int64_t>(page->rows.size());
    benchmark::DoNotOptimize(page->rows.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(body.size()));
  state.SetItemsProcessed(rows);
}
BENCHMARK(BM_TrinoPageDecodeLegacy)->Arg(1000)->Arg(10000);

// ---- the real client ----

// Counts rows; reads them borrowed (the fast path) unless `owning`.
class CountingSink final : public RowSink {
 public:
  explicit CountingSink(bool owning) : owning_(owning) {}
  absl::Status OnColumns(const std::vector<Column>&) override { return absl::OkStatus(); }
  absl::Status OnRow(const std::vector<Value>& row) override {
    rows += 1;
    benchmark::DoNotOptimize(row.data());
    return absl::OkStatus();
  }
  absl::Status OnRowView(RowView row) override {
    if (owning_) return RowSink::OnRowView(row);
    rows += 1;
    benchmark::DoNotOptimize(row.data());
    return absl::OkStatus();
  }
  int64_t rows = 0;

 private:
  bool owning_;
};

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
    next_ = page + 1;
    response.body = PageBody(page > 0 ? kRowsPerPage : 0, page < pages_ ? next_ : 0);
    bytes_ += static_cast<int64_t>(response.body.size());
    return response;
  }
  int64_t bytes() const { return bytes_; }

 private:
  int64_t pages_;
  int64_t next_ = 1;
  int64_t bytes_ = 0;
};

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
    CountingSink sink(/*owning=*/false);
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

// A Trino coordinator on 127.0.0.1 answering every GET with the same ready-made data page (only its nextUri
// differs), so what is measured is the client: libcurl, the page loop, decoding and the sink. The pages are
// sent uncompressed: the client accepts every encoding libcurl decodes, and cpp-httplib would otherwise
// compress each 750 KB page with Brotli at quality 11 (~0.4 s a page on this machine, the whole figure);
// it compresses "application/json" but not "application/json; charset=utf-8".
constexpr char kPageContentType[] = "application/json; charset=utf-8";

class LoopbackTrino {
 public:
  LoopbackTrino(int rows_per_page, int64_t pages)
      : pages_(pages), data_page_(PageHead() + DataMember(rows_per_page)) {
    server_.Post("/v1/statement", [this](const httplib::Request&, httplib::Response& response) {
      response.set_content(Page(0), kPageContentType);
    });
    server_.Get(R"(/v1/statement/executing/q/(\d+))",
                [this](const httplib::Request& request, httplib::Response& response) {
                  response.set_content(Page(std::stoll(request.matches[1].str())), kPageContentType);
                });
    server_.Delete(".*", [](const httplib::Request&, httplib::Response& response) { response.status = 204; });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~LoopbackTrino() {
    server_.stop();
    thread_.join();
  }
  std::string base_url() const { return absl::StrCat("http://127.0.0.1:", port_); }
  int64_t bytes() const { return bytes_.load(); }

 private:
  std::string Page(int64_t page) {
    std::string body = page == 0 ? PageHead() : data_page_;
    if (page < pages_) {
      absl::StrAppend(&body, R"(,"nextUri":")", base_url(), "/v1/statement/executing/q/", page + 1, "\"");
    }
    body += "}";
    bytes_ += static_cast<int64_t>(body.size());
    return body;
  }

  int64_t pages_;
  std::string data_page_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int64_t> bytes_{0};
};

void BM_TrinoLoopback(benchmark::State& state) {
  constexpr int64_t kTotalRows = 1'000'000;
  const int rows_per_page = static_cast<int>(state.range(0));
  const bool owning = state.range(1) == 0;
  SystemClock clock;
  SystemSleeper sleeper;
  int64_t bytes = 0, rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto server = std::make_unique<LoopbackTrino>(rows_per_page, kTotalRows / rows_per_page);
    std::unique_ptr<HttpTransport> transport = MakeCurlTransport();
    TrinoOptions options;
    options.base_url = server->base_url();
    options.user = "bench";
    options.query_timeout = absl::Hours(1);
    auto warehouse = TrinoWarehouse::Create(*transport, clock, sleeper, options);
    CountingSink sink(owning);
    state.ResumeTiming();
    absl::Status status = (*warehouse)->Query("SELECT 1", sink);
    state.PauseTiming();
    if (!status.ok()) state.SkipWithError(std::string(status.message()).c_str());
    bytes += server->bytes();
    rows += sink.rows;
    server.reset();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(bytes);
  state.SetItemsProcessed(rows);
}
BENCHMARK(BM_TrinoLoopback)
    ->Args({1000, 1})
    ->Args({10000, 1})
    ->Args({10000, 0})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

}  // namespace
}  // namespace creditbot
