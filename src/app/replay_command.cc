// `creditbot replay`: recorded calculations recomputed under a candidate policy, or on another executor
// (replay/replayer.h), and the report written as CSV, JSON and HTML (replay/replay_report.h). Reads the audit
// records (the audit folder, or S3 with the ledger naming the executions), the frozen evidence beside them,
// and with --requery (or for records without evidence) today's warehouse. Never posts to Slack, never writes
// state or audit.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "app/commands.h"
#include "app/executor_factory.h"
#include "app/policies.h"
#include "app/s3_connection.h"
#include "app/store_factory.h"
#include "app/warehouse_factory.h"
#include "audit/audit_reader.h"
#include "common/embedded_files.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utc_time.h"
#include "core/looker_url.h"
#include "looker/look_resolver.h"
#include "looker/looker_api_resolver.h"
#include "replay/replay_archive.h"
#include "replay/replay_report.h"
#include "replay/replayer.h"

namespace creditbot {
namespace {

int Fail(std::string_view what, const absl::Status& status, int code = 1) {
  std::fprintf(stderr, "creditbot replay: %s: %s\n", std::string(what).c_str(),
               Redact(ToStd(status.message())).c_str());
  return code;
}

// --policy FILE (one policy) or DIR (its *.toml); empty: the configured policies.
absl::StatusOr<ProductRouter> CandidatePolicies(const ReplayCommandOptions& options, const Config& config) {
  std::vector<CreditPolicy> policies;
  std::error_code ec;
  if (options.policy.empty() || std::filesystem::is_directory(options.policy, ec)) {
    CREDITBOT_ASSIGN_OR_RETURN(policies,
                               LoadPolicies(options.policy.empty() ? config.policy_dir : options.policy));
  } else {
    CREDITBOT_ASSIGN_OR_RETURN(CreditPolicy policy, LoadPolicyFile(options.policy));
    policies.push_back(std::move(policy));
  }
  return ProductRouter::Create(std::move(policies));
}

// --since / --until: YYYY-MM-DD (a UTC day; --until includes it) or RFC 3339.
absl::StatusOr<std::optional<absl::Time>> ParseBound(const std::string& text, bool until) {
  if (text.empty()) return std::optional<absl::Time>();
  absl::CivilDay day;
  if (absl::ParseCivilTime(text, &day) && absl::FormatCivilTime(day) == text) {
    return std::optional<absl::Time>(absl::FromCivil(until ? day + 1 : day, absl::UTCTimeZone()));
  }
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return std::optional<absl::Time>(time);
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not YYYY-MM-DD or an RFC 3339 time"));
}

// The time an execution id starts with ("YYYYMMDDTHHMMSSZ-…"); nullopt for another id.
std::optional<absl::Time> TimeOfExecution(const std::string& id) {
  absl::Time time;
  std::string error;
  if (id.size() < 16 || !absl::ParseTime("%Y%m%dT%H%M%SZ", id.substr(0, 16), &time, &error))
    return std::nullopt;
  return time;
}

// Where the records are: an S3 bucket and prefix, or a folder.
struct AuditPlace {
  std::optional<S3AuditSinkOptions> s3;
  std::string folder;
};

AuditPlace PlaceOf(const Config& config) {
  AuditPlace place;
  std::string location = AuditLocation(config);
  absl::string_view rest = location;
  if (!absl::ConsumePrefix(&rest, "s3://")) {
    place.folder = location;
    return place;
  }
  S3AuditSinkOptions s3;
  const std::size_t slash = rest.find('/');
  s3.bucket = std::string(rest.substr(0, slash));
  s3.prefix = slash == absl::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  while (absl::EndsWith(s3.prefix, "/")) s3.prefix.pop_back();
  place.s3 = s3;
  return place;
}

// An S3 audit reader that owns its connection (one per worker: a client is one-thread-at-a-time).
class OwningS3AuditReader final : public AuditReader {
 public:
  OwningS3AuditReader(std::unique_ptr<S3Connection> s3, S3AuditSinkOptions options)
      : s3_(std::move(s3)), reader_(s3_->client, std::move(options)) {}
  absl::StatusOr<std::vector<std::string>> ListExecutions() override { return reader_.ListExecutions(); }
  absl::StatusOr<std::string> Read(std::string_view id, std::string_view name) override {
    return reader_.Read(id, name);
  }
  std::string Where(std::string_view id, std::string_view name) const override {
    return reader_.Where(id, name);
  }

 private:
  std::unique_ptr<S3Connection> s3_;
  S3AuditReader reader_;
};

// An executor with the warehouse it queries (one per worker).
class OwningExecutor final : public Executor {
 public:
  OwningExecutor(std::unique_ptr<Warehouse> warehouse, std::unique_ptr<Executor> executor)
      : warehouse_(std::move(warehouse)), executor_(std::move(executor)) {}
  absl::StatusOr<CreditReport> Execute(const CalcRequest& request) override {
    return executor_->Execute(request);
  }

 private:
  std::unique_ptr<Warehouse> warehouse_;
  std::unique_ptr<Executor> executor_;
};

// The execution ids to replay: the folder's records, or (S3, which the client cannot list) the ledger's
// entries; within --since/--until by the time the id starts with.
absl::StatusOr<std::vector<std::string>> ExecutionsToReplay(const Environment& env, const Config& config,
                                                            const AuditPlace& place,
                                                            const ReplayCommandOptions& options,
                                                            std::optional<absl::Time> since,
                                                            std::optional<absl::Time> until) {
  std::vector<std::string> ids;
  if (!place.s3) {
    CREDITBOT_ASSIGN_OR_RETURN(ids, FolderAuditReader(place.folder).ListExecutions());
  } else {
    CREDITBOT_ASSIGN_OR_RETURN(std::unique_ptr<StateStore> state, OpenStateStore(config, env));
    std::set<std::string> unique;
    std::vector<std::string> keys =
        options.requests.empty() ? std::vector<std::string>{""} : options.requests;
    for (const std::string& key : keys) {
      LedgerFilter filter;
      filter.since = since;
      filter.until = until;
      filter.request_key = key;
      CREDITBOT_ASSIGN_OR_RETURN(std::vector<LedgerEntry> entries, state->ListLedger(filter));
      for (const LedgerEntry& entry : entries) unique.insert(entry.execution_id);
    }
    ids.assign(unique.begin(), unique.end());
  }
  std::vector<std::string> kept;
  for (std::string& id : ids) {
    const std::optional<absl::Time> time = TimeOfExecution(id);
    if ((since || until) && !time) continue;
    if (since && *time < *since) continue;
    if (until && *time >= *until) continue;
    kept.push_back(std::move(id));
  }
  return kept;
}

// A progress bar with an ETA on a terminal; a log line every 5 seconds otherwise. Thread-safe.
class Progress {
 public:
  Progress() : tty_(isatty(STDERR_FILENO) == 1), start_(absl::Now()) {}

  void Update(std::size_t done, std::size_t total) {
    std::lock_guard<std::mutex> lock(mutex_);
    const absl::Time now = absl::Now();
    const bool last = done == total;
    if (!last && now - shown_ < (tty_ ? absl::Milliseconds(100) : absl::Seconds(5))) return;
    shown_ = now;
    const double elapsed = absl::ToDoubleSeconds(now - start_);
    const double eta =
        done == 0 ? 0 : elapsed / static_cast<double>(done) * static_cast<double>(total - done);
    const int percent = total == 0 ? 100 : static_cast<int>(100 * done / total);
    if (tty_) {
      const int filled = percent * 30 / 100;
      std::fprintf(stderr, "\rreplay [%s%s] %zu/%zu %3d%% ETA %s ",
                   std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(30 - filled), '.').c_str(), done, total, percent,
                   absl::FormatDuration(absl::Seconds(static_cast<int64_t>(eta))).c_str());
      if (last) std::fputc('\n', stderr);
    } else {
      LogInfo("replay progress", {{"done", std::to_string(done)},
                                  {"total", std::to_string(total)},
                                  {"eta_seconds", absl::StrFormat("%.0f", eta)}});
    }
  }

 private:
  std::mutex mutex_;
  const bool tty_;
  const absl::Time start_;
  absl::Time shown_ = absl::InfinitePast();
};

absl::Status WriteReport(const std::string& out, const std::vector<ReplayedRequest>& results,
                         const ReplaySummary& summary, const ReplayRunInfo& info) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(out) / "results", ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", out, ": ", ec.message()));
  const std::filesystem::path dir(out);
  CREDITBOT_RETURN_IF_ERROR(WriteFileAtomically((dir / "replay.csv").string(), ReplayCsv(results)));
  CREDITBOT_RETURN_IF_ERROR(
      WriteFileAtomically((dir / "replay.json").string(), ReplayJson(results, summary, info)));
  CREDITBOT_RETURN_IF_ERROR(
      WriteFileAtomically((dir / "replay.html").string(), ReplayHtml(results, summary, info)));
  for (const ReplayedRequest& result : results) {
    if (!result.ok()) continue;
    CREDITBOT_RETURN_IF_ERROR(WriteFileAtomically(
        (dir / "results" / absl::StrCat(result.execution_id, ".json")).string(), result.new_result_json));
  }
  return absl::OkStatus();
}

}  // namespace

int ReplayCommand(const Environment& env, const GlobalOptions& global, const ReplayCommandOptions& options) {
  absl::StatusOr<Config> loaded = LoadConfig(global);
  if (!loaded.ok()) return Fail("configuration", loaded.status(), 2);
  Config config = *std::move(loaded);
  if (options.executor != "native" && options.executor != "notebook" && options.executor != "sagemaker") {
    return Fail("--executor", absl::InvalidArgumentError("expected native, notebook or sagemaker"), 2);
  }
  absl::StatusOr<ProductRouter> policies = CandidatePolicies(options, config);
  if (!policies.ok()) return Fail("--policy", policies.status(), 2);
  absl::StatusOr<std::optional<absl::Time>> since = ParseBound(options.since, false);
  if (!since.ok()) return Fail("--since", since.status(), 2);
  absl::StatusOr<std::optional<absl::Time>> until = ParseBound(options.until, true);
  if (!until.ok()) return Fail("--until", until.status(), 2);

  const AuditPlace place = PlaceOf(config);
  absl::StatusOr<std::vector<std::string>> ids =
      ExecutionsToReplay(env, config, place, options, *since, *until);
  if (!ids.ok()) return Fail("audit records", ids.status());

  ReplayDeps deps;
  deps.policies = &*policies;
  deps.open_reader = [&]() -> absl::StatusOr<std::unique_ptr<AuditReader>> {
    if (!place.s3) return std::unique_ptr<AuditReader>(std::make_unique<FolderAuditReader>(place.folder));
    CREDITBOT_ASSIGN_OR_RETURN(std::unique_ptr<S3Connection> s3, ConnectS3(env));
    return std::unique_ptr<AuditReader>(std::make_unique<OwningS3AuditReader>(std::move(s3), *place.s3));
  };
  Config executor_config = config;
  executor_config.executor.kind = options.executor;
  deps.open_executor = [&]() -> absl::StatusOr<std::unique_ptr<Executor>> {
    CREDITBOT_RETURN_IF_ERROR(RequireNoStandIns(config, {StandIn::kWarehouse}));
    CREDITBOT_ASSIGN_OR_RETURN(std::unique_ptr<Warehouse> warehouse,
                               OpenWarehouse(config.warehouse_url, "CREDITBOT_WAREHOUSE",
                                             IsEmbeddedDefaultWarehouse(config), config.trino, env));
    CREDITBOT_ASSIGN_OR_RETURN(std::unique_ptr<Executor> executor,
                               OpenExecutor(executor_config, *warehouse, env));
    return std::unique_ptr<Executor>(
        std::make_unique<OwningExecutor>(std::move(warehouse), std::move(executor)));
  };
  // Records written before frozen evidence: their SQL from their Looker link, one lookup at a time.
  std::mutex looks_mutex;
  std::unique_ptr<HttpTransport> looker_transport;
  std::unique_ptr<LookResolver> looks;
  deps.sql_of = [&](const RecordedResult& old) -> absl::StatusOr<std::string> {
    std::lock_guard<std::mutex> lock(looks_mutex);
    if (looks == nullptr) {
      if (config.looker_client_id.empty()) {
        CREDITBOT_RETURN_IF_ERROR(RequireNoStandIns(config, {StandIn::kLookSource}));
        looks = std::make_unique<LookCatalog>(config.look_catalog_dir);
      } else {
        LookerApiOptions api{config.looker_api_url, config.looker_client_id, config.looker_client_secret};
        looker_transport = env.NewHttpTransport();
        looks = std::make_unique<LookerApiResolver>(*looker_transport, env.clock(), env.sleeper(), api);
      }
    }
    CREDITBOT_ASSIGN_OR_RETURN(LookerBase base, ParseLookerBase(config.looker_base_url));
    CREDITBOT_ASSIGN_OR_RETURN(ResolvedSql resolved, looks->Resolve(ClassifyLink(old.meta.looker_url, base)));
    return resolved.sql;
  };
  Progress progress;
  deps.on_progress = [&](std::size_t done, std::size_t total) { progress.Update(done, total); };

  ReplayOptions run;
  run.requery = options.requery;
  run.executor = options.executor;
  run.threads = options.threads;
  if (!options.requests.empty()) {
    const std::set<std::string> wanted(options.requests.begin(), options.requests.end());
    run.select = [wanted](const RecordedResult& old) { return wanted.count(old.RequestKey()) != 0; };
  }
  LogInfo("replaying", {{"records", std::to_string(ids->size())},
                        {"executor", options.executor},
                        {"inputs", options.requery ? "requery" : "frozen"}});
  absl::StatusOr<std::vector<ReplayedRequest>> results = Replay(*ids, deps, run);
  if (!results.ok()) return Fail("replay", results.status());
  const ReplaySummary summary = Summarize(*results);
  ReplayRunInfo info{options.policy, options.executor, options.requery,
                     place.s3 ? AuditLocation(config) : place.folder, Rfc3339Utc(env.clock().Now())};
  // Without --out: a new folder in the reports folder ($CREDITBOT_HOME/replays/<UTC time>-<short id>/, which
  // the dashboard's Replays page lists), written under a hidden name and renamed into place when complete.
  std::string out = options.out;
  if (out.empty()) {
    const ReplayArchive archive = ReplayArchive::InHome(config.work_dir);
    std::string name;
    absl::StatusOr<std::string> partial = archive.BeginReport(env.clock().Now(), &name);
    if (!partial.ok()) return Fail("replay reports folder", partial.status());
    absl::Status written = WriteReport(*partial, *results, summary, info);
    absl::StatusOr<std::string> published =
        written.ok() ? archive.PublishReport(*partial, name) : absl::StatusOr<std::string>(written);
    if (!published.ok()) {
      std::error_code ec;
      std::filesystem::remove_all(*partial, ec);
      return Fail("replay reports folder", published.status());
    }
    out = *std::move(published);
  } else if (absl::Status written = WriteReport(out, *results, summary, info); !written.ok()) {
    return Fail("--out", written);
  }
  std::printf(
      "replayed %zu requests (%zu frozen, %zu queried again, %zu without frozen evidence): %zu changed, %zu "
      "by "
      "more than 1%%, %zu approvals changed, %zu byte-identical, %zu failed; total %s -> %s (delta %s)\n",
      summary.requests, summary.frozen, summary.requeried, summary.without_evidence, summary.changed,
      summary.over_one_percent, summary.approval_changed, summary.identical, summary.failed,
      summary.old_total.ToFixed(2).c_str(), summary.new_total.ToFixed(2).c_str(),
      summary.total_delta.ToFixed(2).c_str());
  std::printf("report: %s/replay.html, replay.csv, replay.json, results/\n", out.c_str());
  for (const ReplayedRequest& result : *results) {
    if (!result.ok())
      std::fprintf(stderr, "%s: %s\n", result.execution_id.c_str(), Redact(result.error).c_str());
  }
  return summary.failed == 0 ? 0 : 1;
}

}  // namespace creditbot
