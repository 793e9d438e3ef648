// `creditbot state stats|list|export|import|forget`: read and maintain the configured state store (SQLite
// or S3, see app/store_factory.h).
//
//   export [--output FILE]   every record, lease and cursor as the S3 state JSON (state/s3_state_store.h)
//   import FILE [--format creditbot|prototype] [--channel ID]
//                            merges records into the store in one atomic step, never overwriting a record
//                            (and cursors the store lacks); prints imported / already present / unreadable
//                            counts; exit 1 when some entries could not be read (the rest is imported)
//   forget KEY               removes one record so the next pass processes the message again
#include <cstdio>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "app/commands.h"
#include "app/store_factory.h"
#include "common/embedded_files.h"
#include "common/logging.h"
#include "common/strings.h"
#include "slack/slack_ids.h"
#include "state/s3_state_store.h"

namespace creditbot {
namespace {

std::string FormatTime(std::optional<absl::Time> time) {
  return time ? absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", *time, absl::UTCTimeZone()) : "";
}

int Fail(const absl::Status& status, int code = 1) {
  std::fprintf(stderr, "creditbot state: %s\n", Redact(ToStd(status.message())).c_str());
  return code;
}

int Stats(StateStore& store, const std::string& location, const StateOptions& options) {
  absl::StatusOr<StateStats> stats = store.Stats();
  if (!stats.ok()) return Fail(stats.status());
  if (options.json) {
    nlohmann::ordered_json json = {{"total", stats->total},
                                   {"by_status", stats->by_status},
                                   {"pending_retries", stats->pending_retries},
                                   {"last_update", FormatTime(stats->last_update)}};
    std::printf("%s\n", json.dump().c_str());
  } else {
    std::printf("%d requests in %s\n", stats->total, location.c_str());
    for (const auto& [status, count] : stats->by_status) std::printf("  %-10s %d\n", status.c_str(), count);
    std::printf("pending retries: %d\nlast update: %s\n", stats->pending_retries,
                FormatTime(stats->last_update).c_str());
  }
  return 0;
}

// Whether a request in `status` had creditbot post (or, in a dry run, preview) a message: only those are
// tagged "[dry run]"; a skipped, ignored or deleted message had nothing to say either way.
bool SaysSomething(RequestStatus status) {
  switch (status) {
    case RequestStatus::kReplied:
    case RequestStatus::kAsked:
    case RequestStatus::kRefused:
    case RequestStatus::kFailed:
      return true;
    case RequestStatus::kClaimed:
    case RequestStatus::kIgnored:
    case RequestStatus::kSkipped:
    case RequestStatus::kRejected:
    case RequestStatus::kDeleted:
      return false;
  }
  return false;
}

int List(StateStore& store, const StateOptions& options) {
  std::optional<RequestStatus> status;
  if (!options.status.empty()) {
    status = ParseRequestStatus(options.status);
    if (!status) {
      std::fprintf(stderr, "creditbot state list: unknown status '%s'; the statuses are %s\n",
                   options.status.c_str(), RequestStatusNameList().c_str());
      return 2;
    }
  }
  absl::StatusOr<std::vector<RequestRecord>> records = store.List(status, options.limit);
  if (!records.ok()) return Fail(records.status());
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
                  r.outcome.c_str(), r.dry_run && SaysSomething(r.status) ? "[dry run] " : "",
                  r.detail.c_str());
    }
  }
  return 0;
}

int Export(StateStore& store, const std::string& location, const StateOptions& options) {
  absl::StatusOr<StateSnapshot> snapshot = store.Export();
  if (!snapshot.ok()) return Fail(snapshot.status());
  StateDocument document = StateDocument::FromSnapshot(*snapshot);
  document.writer = "creditbot state export";
  document.written_at = absl::Now();
  const std::string text = SerializeStateDocument(document);
  const std::string summary =
      absl::StrCat("exported ", snapshot->records.size(), " records, ", snapshot->leases.size(), " leases, ",
                   snapshot->cursors.size(), " cursors from ", location);
  if (options.output.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fprintf(stderr, "%s\n", summary.c_str());
    return 0;
  }
  if (absl::Status written = WriteFileAtomically(options.output, text); !written.ok()) return Fail(written);
  std::printf("%s to %s\n", summary.c_str(), options.output.c_str());
  return 0;
}

int Import(StateStore& store, const Config& config, const std::string& location,
           const StateOptions& options) {
  absl::StatusOr<std::string> text = ReadFileToString(options.input);
  if (!text.ok()) return Fail(text.status());
  StateSnapshot snapshot;
  std::vector<std::string> unreadable;
  if (options.format == "prototype") {
    std::string channel = options.channel;
    if (channel.empty() && config.slack_channels.size() == 1 && LooksLikeChannelId(config.slack_channels[0]))
      channel = config.slack_channels[0];
    absl::StatusOr<PrototypeImport> parsed = ParsePrototypeState(*text, channel, absl::Now());
    if (!parsed.ok()) {
      return Fail(absl::InvalidArgumentError(absl::StrCat(options.input, ": ", parsed.status().message())));
    }
    if (parsed->bare_ts_without_channel > 0) {
      return Fail(absl::InvalidArgumentError(absl::StrCat(
                      options.input, ": ", parsed->bare_ts_without_channel,
                      " entries are a bare ts without their channel; name the channel the prototype served "
                      "with --channel C0123ABCD (or set CREDITBOT_SLACK_CHANNELS to that one channel id). "
                      "Nothing was imported")),
                  2);
    }
    snapshot.records = std::move(parsed->records);
    unreadable = std::move(parsed->unreadable);
  } else {
    absl::StatusOr<StateDocument> parsed = ParseStateDocument(*text, &unreadable);
    if (!parsed.ok()) {
      return Fail(absl::Status(
          parsed.status().code(),
          absl::StrCat(options.input, ": not a creditbot state file (", parsed.status().message(),
                       "); the prototype's processed_messages.json takes --format prototype")));
    }
    snapshot = parsed->ToSnapshot();
    snapshot.leases.clear();  // leases belong to passes that ran elsewhere
  }
  absl::StatusOr<ImportCounts> counts = store.Import(snapshot);
  if (!counts.ok()) return Fail(counts.status());
  std::printf("imported %d records into %s, %d already present, %zu unreadable", counts->imported,
              location.c_str(), counts->already_present, unreadable.size());
  if (counts->cursors_imported > 0) std::printf(", %d cursors", counts->cursors_imported);
  if (counts->pause_imported)
    std::printf(", and the pause switch (now %s)", PauseLine(*snapshot.pause).c_str());
  std::printf("\n");
  constexpr std::size_t kShown = 20;
  for (std::size_t i = 0; i < unreadable.size() && i < kShown; ++i) {
    std::fprintf(stderr, "creditbot state import: %s: unreadable %s\n", options.input.c_str(),
                 Redact(unreadable[i]).c_str());
  }
  if (unreadable.size() > kShown) {
    std::fprintf(stderr, "creditbot state import: … and %zu more unreadable entries\n",
                 unreadable.size() - kShown);
  }
  return unreadable.empty() ? 0 : 1;
}

int Forget(StateStore& store, const std::string& location, const StateOptions& options) {
  if (absl::Status forgotten = store.Forget(options.key); !forgotten.ok()) return Fail(forgotten);
  std::printf(
      "forgot %s in %s: the next pass processes it again (a reply already in the thread is still "
      "found, so it is not posted twice)\n",
      options.key.c_str(), location.c_str());
  return 0;
}

}  // namespace

int StateCommand(const Environment& env, const GlobalOptions& global, const StateOptions& options) {
  absl::StatusOr<Config> config = LoadConfig(global);
  if (!config.ok())
    return Fail(
        absl::Status(config.status().code(), absl::StrCat("configuration: ", config.status().message())), 2);
  absl::StatusOr<std::string> location = StateStoreLocation(*config);
  if (!location.ok()) return Fail(location.status(), 2);
  absl::StatusOr<std::unique_ptr<StateStore>> store = OpenStateStore(*config, env);
  if (!store.ok()) return Fail(store.status());
  if (options.action == "stats") return Stats(**store, *location, options);
  if (options.action == "export") return Export(**store, *location, options);
  if (options.action == "import") return Import(**store, *config, *location, options);
  if (options.action == "forget") return Forget(**store, *location, options);
  return List(**store, options);
}

}  // namespace creditbot
