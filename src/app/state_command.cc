// `creditbot state stats|list`: read the state store.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "app/commands.h"
#include "app/logging.h"
#include "common/strings.h"
#include "state/sqlite_state_store.h"

namespace creditbot {
namespace {

std::string FormatTime(std::optional<absl::Time> time) {
  return time ? absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *time, absl::UTCTimeZone()) : "";
}

}  // namespace

int StateCommand(const GlobalOptions& global, const StateOptions& options) {
  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok()) {
    std::fprintf(stderr, "creditbot state: configuration: %s\n",
                 Redact(ToStd(config.status().message())).c_str());
    return 2;
  }
  absl::StatusOr<std::string> path = SqlitePathFromUrl(config->state_url, "CREDITBOT_STATE");
  if (!path.ok()) {
    std::fprintf(stderr, "creditbot state: %s\n", std::string(path.status().message()).c_str());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(*path);
  if (!store.ok()) {
    std::fprintf(stderr, "creditbot state: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  if (options.action == "stats") {
    absl::StatusOr<StateStats> stats = (*store)->Stats();
    if (!stats.ok()) {
      std::fprintf(stderr, "creditbot state: %s\n", std::string(stats.status().message()).c_str());
      return 1;
    }
    if (options.json) {
      nlohmann::ordered_json json = {{"total", stats->total},
                                     {"by_status", stats->by_status},
                                     {"pending_retries", stats->pending_retries},
                                     {"last_update", FormatTime(stats->last_update)}};
      std::printf("%s\n", json.dump().c_str());
    } else {
      std::printf("%d requests in %s\n", stats->total, path->c_str());
      for (const auto& [status, count] : stats->by_status) std::printf("  %-10s %d\n", status.c_str(), count);
      std::printf("pending retries: %d\nlast update: %s\n", stats->pending_retries,
                  FormatTime(stats->last_update).c_str());
    }
    return 0;
  }
  std::optional<RequestStatus> status;
  if (!options.status.empty()) {
    status = ParseRequestStatus(options.status);
    if (!status) {
      std::fprintf(stderr, "creditbot state list: unknown status '%s'\n", options.status.c_str());
      return 2;
    }
  }
  absl::StatusOr<std::vector<RequestRecord>> records = (*store)->List(status, options.limit);
  if (!records.ok()) {
    std::fprintf(stderr, "creditbot state: %s\n", std::string(records.status().message()).c_str());
    return 1;
  }
  for (const RequestRecord& r : *records) {
    if (options.json) {
      nlohmann::ordered_json json = {{"key", r.key},
                                     {"status", RequestStatusName(r.status)},
                                     {"outcome", r.outcome},
                                     {"attempts", r.attempts},
                                     {"dry_run", r.dry_run},
                                     {"updated_at", FormatTime(r.updated_at)},
                                     {"next_retry_at", FormatTime(r.next_retry_at)},
                                     {"product", r.product},
                                     {"credit_amount", r.credit_amount},
                                     {"execution_id", r.execution_id},
                                     {"reply_ts", r.reply_ts},
                                     {"detail", r.detail}};
      std::printf("%s\n", json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("%-32s %-9s %-14s %s%s\n", r.key.c_str(), std::string(RequestStatusName(r.status)).c_str(),
                  r.outcome.c_str(), r.dry_run ? "[dry run] " : "", r.detail.c_str());
    }
  }
  return 0;
}

}  // namespace creditbot
