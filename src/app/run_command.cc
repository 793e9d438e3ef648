// `creditbot run --once`: one scheduled pass on the configured far ends (the embedded default: local
// inbox, look catalog, synthetic SQLite warehouse, SQLite state, audit folder, local outbox; with
// SLACK_BOT_TOKEN, Slack's channel history and threads). Exit 0 when the pass ran; 1 when it could not, or
// when a request failed (or was refused) and no owner (SLACK_USER_ID) is configured to be told. However the
// pass ends once the configuration is read, its metrics go to CREDITBOT_PUSHGATEWAY_URL and/or
// CREDITBOT_METRICS_TEXTFILE (app/metrics_push.h), unless another pass held the lease.
#include <cstdio>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "app/commands.h"
#include "app/metrics_push.h"
#include "app/runtime.h"
#include "app/store_factory.h"
#include "bot/metric_series.h"
#include "bot/pass.h"
#include "common/logging.h"
#include "common/strings.h"

namespace creditbot {
namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "creditbot: %s\n", Redact(ToStd(status.message())).c_str());
  return status.code() == absl::StatusCode::kInvalidArgument ||
                 status.code() == absl::StatusCode::kUnimplemented
             ? 2
             : 1;
}

// Pushes the pass's metrics when it goes out of scope (every return of RunCommand once the configuration
// is known), as a success once Succeeded() was called; Skip(): nothing is pushed.
class PassMetrics {
 public:
  PassMetrics(const Environment& env, const Config& config)
      : env_(env), options_{config.pushgateway_url, config.metrics_textfile} {
    if (!options_.pushgateway_url.empty()) {
      HttpTransportOptions transport_options;
      transport_options.connect_timeout = options_.timeout;
      transport_ = env.NewHttpTransport(transport_options);
      options_.transport = transport_.get();
    }
  }
  ~PassMetrics() {
    if (!skipped_) PushPassMetrics(GlobalMetrics(), succeeded_, options_);
  }
  PassMetrics(const PassMetrics&) = delete;
  PassMetrics& operator=(const PassMetrics&) = delete;

  void Succeeded(const PassSummary& summary) {
    CountPassOutcomes(GlobalMetrics(), summary);
    GlobalMetrics().SetGauge(kMetricLastSuccessfulPassTimestampSeconds,
                             absl::ToDoubleSeconds(env_.clock().Now() - absl::UnixEpoch()));
    succeeded_ = true;
  }
  void Skip() { skipped_ = true; }

 private:
  const Environment& env_;
  std::unique_ptr<HttpTransport> transport_;  // the Pushgateway's, when one is set
  MetricsPushOptions options_;
  bool succeeded_ = false;
  bool skipped_ = false;
};

}  // namespace

int RunCommand(const Environment& env, const GlobalOptions& global, const RunOptions& options) {
  if (!options.once) {
    std::fprintf(stderr,
                 "creditbot: run needs --once (one scheduled pass); the long-running service is "
                 "`creditbot serve`\n");
    return 2;
  }
  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok())
    return Fail(
        absl::Status(config.status().code(), absl::StrCat("configuration: ", config.status().message())));
  PassMetrics pass_metrics(env, *config);
  absl::StatusOr<std::unique_ptr<Runtime>> runtime = OpenRuntime(env, *std::move(config));
  if (!runtime.ok()) return Fail(runtime.status());
  Runtime& r = **runtime;
  StartSeriesAtZero(GlobalMetrics(), r.router->policies());

  LogInfo("pass starting",
          {{"dry_run", r.config.dry_run ? "true" : "false"},
           {"source", r.uses_slack() ? absl::StrCat("slack ", absl::StrJoin(r.channel_ids, ","))
                                     : r.config.inbox_path}});
  absl::StatusOr<PassSummary> summary =
      RunPass(*r.source, *r.pipeline, *r.state, env.clock(),
              PassOptions{r.holder, r.config.claim_lease, r.config.state_retention_days});
  if (!summary.ok())
    return Fail(absl::Status(summary.status().code(), absl::StrCat("pass: ", summary.status().message())));
  if (summary->lease_busy) {
    pass_metrics.Skip();  // the pass holding the lease pushes its own
    std::printf("another pass is running; nothing done\n");
    return 0;
  }
  pass_metrics.Succeeded(*summary);
  std::vector<std::string> counts;
  for (const auto& [outcome, count] : summary->outcomes) counts.push_back(absl::StrCat(outcome, "=", count));
  // The outbox is written in a dry run and by the local replier; a live pass on Slack posts instead.
  const bool wrote_outbox = r.config.dry_run || !r.uses_slack();
  std::printf("pass done: %d messages (%s)%s; %saudit %s\n", summary->items,
              absl::StrJoin(counts, ", ").c_str(), r.config.dry_run ? ", dry run" : "",
              wrote_outbox ? absl::StrCat("outbox ", r.config.outbox_path, ", ").c_str() : "",
              AuditLocation(r.config).c_str());
  if (summary->paused) {
    // Read, not answered: the read position stayed where it was, so the first pass after the resume answers
    // them (each once).
    std::printf("%s; nothing was claimed or posted: `creditbot resume`, and the next pass answers them\n",
                PauseLine(*summary->paused).c_str());
  }
  // Without an owner nobody was told of a failure but the log: the exit status tells the scheduler.
  if (r.config.slack_user_id.empty()) {
    int failed = 0;
    for (const char* outcome : {"failed", "refused"}) {
      if (auto it = summary->outcomes.find(outcome); it != summary->outcomes.end()) failed += it->second;
    }
    if (failed > 0) {
      std::fprintf(
          stderr,
          "creditbot: %d request%s failed and no owner is configured to be told (set SLACK_USER_ID); "
          "see the log\n",
          failed, failed == 1 ? "" : "s");
      return 1;
    }
  }
  return 0;
}

}  // namespace creditbot
