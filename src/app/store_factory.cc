// Choosing and opening the state store and the audit sink; see store_factory.h.
#include "app/store_factory.h"

#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "app/s3_connection.h"
#include "audit/s3_audit_sink.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "net/http_transport.h"
#include "state/s3_state_store.h"
#include "state/sqlite_state_store.h"

namespace creditbot {
namespace {

// The connection of a store or sink that owns it: derived from first, so it is built before the store that
// uses it and destroyed after it (bases are built in the order they are listed).
struct HasS3Connection {
  std::unique_ptr<S3Connection> connection;
};

class OwningS3StateStore final : private HasS3Connection, public S3StateStore {
 public:
  OwningS3StateStore(std::unique_ptr<S3Connection> s3, const Environment& env, S3StateStoreOptions options)
      : HasS3Connection{std::move(s3)},
        S3StateStore(connection->client, env.clock(), env.sleeper(), std::move(options)) {}
};

class OwningS3AuditSink final : private HasS3Connection, public S3AuditSink {
 public:
  OwningS3AuditSink(std::unique_ptr<S3Connection> s3, S3AuditSinkOptions options)
      : HasS3Connection{std::move(s3)}, S3AuditSink(connection->client, std::move(options)) {}
};

struct StateChoice {
  std::optional<std::pair<std::string, std::string>> s3;  // bucket, key
  std::string sqlite_path;
};

absl::StatusOr<StateChoice> ChooseState(const Config& config) {
  StateChoice choice;
  absl::string_view url = config.state_url;
  if (absl::ConsumePrefix(&url, "s3://")) {
    const std::size_t slash = url.find('/');
    if (slash == absl::string_view::npos || slash == 0 || slash + 1 == url.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("CREDITBOT_STATE='", config.state_url, "': expected sqlite:PATH or s3://BUCKET/KEY"));
    }
    choice.s3.emplace(std::string(url.substr(0, slash)), std::string(url.substr(slash + 1)));
    return choice;
  }
  if (!config.s3_bucket.empty() && config.state_url == "sqlite:" + config.work_dir + "/state.db") {
    if (config.s3_state_key.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("S3_STATE_KEY is empty: name the state object (default ", kDefaultS3StateKey, ")"));
    }
    choice.s3.emplace(config.s3_bucket, config.s3_state_key);
    return choice;
  }
  if (!absl::StartsWith(config.state_url, "sqlite:")) {
    return absl::InvalidArgumentError(
        absl::StrCat("CREDITBOT_STATE='", config.state_url, "': expected sqlite:PATH or s3://BUCKET/KEY"));
  }
  CREDITBOT_ASSIGN_OR_RETURN(choice.sqlite_path, SqlitePathFromUrl(config.state_url, "CREDITBOT_STATE"));
  return choice;
}

struct AuditChoice {
  std::optional<std::pair<std::string, std::string>> s3;  // bucket, prefix
  std::string folder;
};

// Slashes around an S3 prefix trimmed.
std::string TrimSlashes(absl::string_view prefix) {
  while (absl::ConsumePrefix(&prefix, "/")) {
  }
  while (absl::ConsumeSuffix(&prefix, "/")) {
  }
  return std::string(prefix);
}

absl::StatusOr<AuditChoice> ChooseAudit(const Config& config) {
  AuditChoice choice;
  absl::string_view url = config.audit_dir;
  if (absl::ConsumePrefix(&url, "s3://")) {
    const std::size_t slash = url.find('/');
    const absl::string_view bucket = url.substr(0, slash);
    if (bucket.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("CREDITBOT_AUDIT_DIR='", config.audit_dir,
                                                     "': expected s3://BUCKET/PREFIX/ or a local folder"));
    }
    choice.s3.emplace(std::string(bucket),
                      slash == absl::string_view::npos ? "" : TrimSlashes(url.substr(slash + 1)));
    return choice;
  }
  if (absl::StrContains(config.audit_dir, "://") || absl::StartsWith(config.audit_dir, "s3:") ||
      absl::StartsWith(config.audit_dir, "sqlite:")) {
    return absl::InvalidArgumentError(absl::StrCat("CREDITBOT_AUDIT_DIR='", config.audit_dir,
                                                   "': expected a local folder PATH or s3://BUCKET/PREFIX/"));
  }
  if (!config.s3_bucket.empty() && config.audit_dir == config.work_dir + "/audit") {
    choice.s3.emplace(config.s3_bucket, TrimSlashes(config.s3_output_prefix));
    return choice;
  }
  choice.folder = config.audit_dir;
  return choice;
}

}  // namespace

absl::StatusOr<std::string> StateStoreLocation(const Config& config) {
  CREDITBOT_ASSIGN_OR_RETURN(StateChoice choice, ChooseState(config));
  if (choice.s3) return absl::StrCat("s3://", choice.s3->first, "/", choice.s3->second);
  return choice.sqlite_path;
}

std::string AuditLocation(const Config& config) {
  absl::StatusOr<AuditChoice> chosen = ChooseAudit(config);
  if (!chosen.ok()) return config.audit_dir;
  const AuditChoice& choice = *chosen;
  if (!choice.s3) return choice.folder;
  const std::string& prefix = choice.s3->second;
  return absl::StrCat("s3://", choice.s3->first, "/", prefix, prefix.empty() ? "" : "/");
}

absl::StatusOr<std::unique_ptr<StateStore>> OpenStateStore(const Config& config, const Environment& env) {
  CREDITBOT_ASSIGN_OR_RETURN(StateChoice choice, ChooseState(config));
  if (!choice.s3) {
    CREDITBOT_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStateStore> store,
                               SqliteStateStore::Open(choice.sqlite_path));
    return std::unique_ptr<StateStore>(std::move(store));
  }
  CREDITBOT_ASSIGN_OR_RETURN(std::unique_ptr<S3Connection> s3, ConnectS3(env));
  S3StateStoreOptions options;
  options.bucket = choice.s3->first;
  options.key = choice.s3->second;
  auto store = std::make_unique<OwningS3StateStore>(std::move(s3), env, std::move(options));
  CREDITBOT_RETURN_IF_ERROR(store->Check());
  return std::unique_ptr<StateStore>(std::move(store));
}

absl::StatusOr<std::unique_ptr<AuditSink>> OpenAuditSink(const Config& config, const Environment& env) {
  CREDITBOT_ASSIGN_OR_RETURN(AuditChoice choice, ChooseAudit(config));
  if (!choice.s3) return std::unique_ptr<AuditSink>(std::make_unique<FolderAuditSink>(choice.folder));
  CREDITBOT_ASSIGN_OR_RETURN(std::unique_ptr<S3Connection> s3, ConnectS3(env));
  S3AuditSinkOptions options;
  options.bucket = choice.s3->first;
  options.prefix = choice.s3->second;
  return std::unique_ptr<AuditSink>(std::make_unique<OwningS3AuditSink>(std::move(s3), std::move(options)));
}

}  // namespace creditbot
