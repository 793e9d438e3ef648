// `creditbot ledger list|export`: the credit ledger (state/ledger.h) of the configured state store
// (SQLite or S3, app/store_factory.h), for people and for finance.
//
//   list   [filters] [--limit N (default 50)] [--json]   newest first; a line per entry (or a JSON object)
//   export --format csv [filters] [--limit N] [--output FILE]
//                                                        every matching entry as CSV (state/ledger_csv.h)
// Filters: --since DATE, --until DATE, --status S, --parent AC…, --product P. A DATE is a day (YYYY-MM-DD,
// UTC: --since from its start, --until through its end) or an RFC 3339 time (--until exclusive).
// Exit 0 done, 1 the store could not be read, 2 a bad option or configuration (the message names it).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "app/commands.h"
#include "app/store_factory.h"
#include "common/embedded_files.h"
#include "common/logging.h"
#include "common/strings.h"
#include "common/utc_time.h"
#include "slack/replier.h"
#include "state/ledger_csv.h"
#include "state/ledger_json.h"
#include "state/state_store.h"

namespace creditbot {
namespace {

int Fail(const std::string& action, const absl::Status& status, int code) {
  std::fprintf(stderr, "creditbot ledger %s: %s\n", action.c_str(), Redact(ToStd(status.message())).c_str());
  return code;
}

// `text` as the bound of --since (`until` false) or --until (`until` true); see the file comment.
absl::StatusOr<absl::Time> ParseBound(const std::string& option, const std::string& text, bool until) {
  absl::CivilDay day;
  if (text.size() == 10 && absl::ParseCivilTime(text, &day)) {
    return absl::FromCivil(until ? day + 1 : day, absl::UTCTimeZone());
  }
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return time;
  return absl::InvalidArgumentError(absl::StrCat(option, " '", text,
                                                 "' is not a date: expected YYYY-MM-DD (a UTC day) or an "
                                                 "RFC 3339 time such as 2026-01-15T14:02:00Z"));
}

absl::StatusOr<LedgerFilter> FilterOf(const LedgerOptions& options) {
  LedgerFilter filter;
  if (!options.since.empty()) {
    absl::StatusOr<absl::Time> since = ParseBound("--since", options.since, false);
    if (!since.ok()) return since.status();
    filter.since = *since;
  }
  if (!options.until.empty()) {
    absl::StatusOr<absl::Time> until = ParseBound("--until", options.until, true);
    if (!until.ok()) return until.status();
    filter.until = *until;
  }
  if (!options.status.empty()) {
    filter.status = ParseLedgerStatus(options.status);
    if (!filter.status) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown status '", options.status, "'; the statuses are ", LedgerStatusNameList()));
    }
  }
  filter.parent_account_sid = options.parent;
  filter.product = options.product;
  if (options.limit < 0) return absl::InvalidArgumentError("--limit must be 0 (all) or more");
  filter.limit = options.limit;
  return filter;
}

// The request's thread in Slack, or "" when the entry does not say where it was.
std::string ThreadLink(const LedgerEntry& entry) {
  if (entry.channel.empty() || entry.ts.empty()) return "";
  return BuildPermalink("https://slack.com/", entry.channel, entry.ts);
}

std::string ListLine(const LedgerEntry& e) {
  return absl::StrCat(
      Rfc3339UtcOrEmpty(e.created_at), "  ", e.execution_id, "  ", ToAbsl(LedgerStatusName(e.status)), "  ",
      e.parent_account_sid.empty() ? "-" : e.parent_account_sid, "  ", e.product.empty() ? "-" : e.product,
      "  ", e.recommended_amount, " → ", e.final_amount.empty() ? "-" : e.final_amount, " ", e.currency, "  ",
      e.decided_by.empty() ? "-" : e.decided_by, "  ", e.request_key, e.dry_run ? "  [dry run]" : "");
}

int List(StateStore& store, const LedgerFilter& filter, const LedgerOptions& options) {
  absl::StatusOr<std::vector<LedgerEntry>> entries = store.ListLedger(filter);
  if (!entries.ok()) return Fail("list", entries.status(), 1);
  for (const LedgerEntry& entry : *entries) {
    const std::string line = options.json
                                 ? LedgerEntryJson(entry, ThreadLink(entry))
                                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                                 : ListLine(entry);
    std::printf("%s\n", line.c_str());
  }
  if (filter.limit > 0 && static_cast<int>(entries->size()) == filter.limit) {
    absl::StatusOr<int> total = store.CountLedger(filter);
    if (total.ok() && *total > filter.limit) {
      std::fprintf(stderr, "creditbot ledger list: the newest %d of %d entries (--limit 0 shows all)\n",
                   filter.limit, *total);
    }
  }
  return 0;
}

int Export(StateStore& store, const LedgerFilter& filter, const LedgerOptions& options) {
  if (options.format != "csv") {
    return Fail("export",
                absl::InvalidArgumentError(
                    absl::StrCat("unknown --format '", options.format, "'; the formats are csv")),
                2);
  }
  absl::StatusOr<std::vector<LedgerEntry>> entries = store.ListLedger(filter);
  if (!entries.ok()) return Fail("export", entries.status(), 1);
  std::string csv = LedgerCsvHeader();
  for (const LedgerEntry& entry : *entries) csv += LedgerCsvRow(entry, ThreadLink(entry));
  if (options.output.empty()) {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
    return 0;
  }
  if (absl::Status written = WriteFileAtomically(options.output, csv); !written.ok()) {
    return Fail("export", written, 1);
  }
  std::printf("exported %zu ledger entries to %s\n", entries->size(), options.output.c_str());
  return 0;
}

}  // namespace

int LedgerCommand(const Environment& env, const GlobalOptions& global, const LedgerOptions& options) {
  LedgerOptions effective = options;
  if (effective.limit == LedgerOptions::kDefaultLimit) effective.limit = options.action == "list" ? 50 : 0;
  absl::StatusOr<LedgerFilter> filter = FilterOf(effective);
  if (!filter.ok()) return Fail(options.action, filter.status(), 2);
  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok()) {
    return Fail(
        options.action,
        absl::Status(config.status().code(), absl::StrCat("configuration: ", config.status().message())), 2);
  }
  absl::StatusOr<std::unique_ptr<StateStore>> store = OpenStateStore(*config, env);
  if (!store.ok()) return Fail(options.action, store.status(), 1);
  if (options.action == "export") return Export(**store, *filter, effective);
  return List(**store, *filter, effective);
}

}  // namespace creditbot
