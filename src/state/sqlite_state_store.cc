// The SQLite state store.
#include "state/sqlite_state_store.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
namespace {

constexpr int kSchemaVersion = 1;
constexpr absl::string_view kColumns =
    "request_key, channel, ts, status, attempts, first_seen_at, updated_at, next_retry_at, lease_until, "
    "lease_holder, dry_run, outcome, detail, reply_ts, execution_id, product, credit_amount";

std::optional<int64_t> ToSeconds(const std::optional<absl::Time>& time) {
  if (!time) return std::nullopt;
  return absl::ToUnixSeconds(*time);
}

std::optional<absl::Time> FromSeconds(std::optional<int64_t> seconds) {
  if (!seconds) return std::nullopt;
  return absl::FromUnixSeconds(*seconds);
}

RequestRecord ReadRecord(const Statement& row) {
  RequestRecord record;
  record.key = row.ColumnText(0);
  record.channel = row.ColumnText(1);
  record.ts = row.ColumnText(2);
  record.status = ParseRequestStatus(row.ColumnText(3)).value_or(RequestStatus::kFailed);
  record.attempts = static_cast<int>(row.ColumnInt(4));
  record.first_seen_at = absl::FromUnixSeconds(row.ColumnInt(5));
  record.updated_at = absl::FromUnixSeconds(row.ColumnInt(6));
  record.next_retry_at = FromSeconds(row.ColumnOptionalInt(7));
  record.lease_until = FromSeconds(row.ColumnOptionalInt(8));
  record.lease_holder = row.ColumnText(9);
  record.dry_run = row.ColumnInt(10) != 0;
  record.outcome = row.ColumnText(11);
  record.detail = row.ColumnText(12);
  record.reply_ts = row.ColumnText(13);
  record.execution_id = row.ColumnText(14);
  record.product = row.ColumnText(15);
  record.credit_amount = row.ColumnText(16);
  return record;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStateStore>> SqliteStateStore::Open(const std::string& path) {
  std::filesystem::path file(path);
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  absl::StatusOr<SqliteDb> db = SqliteDb::Open(path, SqliteDb::OpenMode::kReadWriteCreate);
  if (!db.ok()) {
    return absl::Status(
        db.status().code(),
        absl::StrCat("state store ", path, " is unreadable (left untouched): ", db.status().message()));
  }
  CREDITBOT_ASSIGN_OR_RETURN(Statement version, db->Prepare("PRAGMA user_version"));
  CREDITBOT_ASSIGN_OR_RETURN(bool has_row, version.Step());
  const int64_t found_version = has_row ? version.ColumnInt(0) : 0;
  version.Reset();
  if (found_version > kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("state store ", path, " has schema version ", found_version,
                     ", newer than this creditbot understands (", kSchemaVersion, ")"));
  }
  CREDITBOT_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode = WAL"));
  // A commit is durable once it is in the WAL file: a killed process (SIGKILL, OOM, a pod deleted) never
  // loses it. Only an OS crash or power loss can roll back the last commits, and the exactly-once rule does
  // not depend on them: a reply whose record was rolled back shows in its thread's reply_count, so the thread
  // is looked up before anything is posted again. Not fsyncing every commit takes 1-30 ms off each claim.
  CREDITBOT_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = NORMAL"));
  CREDITBOT_ASSIGN_OR_RETURN(std::string schema, ReadDataFile("sql/state/schema.sql"));
  CREDITBOT_RETURN_IF_ERROR(db->Exec(schema));
  return std::unique_ptr<SqliteStateStore>(new SqliteStateStore(std::move(db).value()));
}

absl::StatusOr<std::optional<RequestRecord>> SqliteStateStore::Get(std::string_view key) {
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement stmt, db_.Prepare(absl::StrCat("SELECT ", kColumns, " FROM requests WHERE request_key = ?")));
  stmt.Bind(1, key);
  CREDITBOT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::nullopt;
  return ReadRecord(stmt);
}

absl::Status SqliteStateStore::Upsert(const RequestRecord& record) {
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement stmt,
      db_.Prepare(absl::StrCat("INSERT OR REPLACE INTO requests (", kColumns,
                               ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")));
  stmt.Bind(1, record.key)
      .Bind(2, record.channel)
      .Bind(3, record.ts)
      .Bind(4, RequestStatusName(record.status));
  stmt.Bind(5, static_cast<int64_t>(record.attempts)).Bind(6, absl::ToUnixSeconds(record.first_seen_at));
  stmt.Bind(7, absl::ToUnixSeconds(record.updated_at)).BindOptional(8, ToSeconds(record.next_retry_at));
  stmt.BindOptional(9, ToSeconds(record.lease_until))
      .Bind(10, record.lease_holder)
      .Bind(11, int64_t{record.dry_run ? 1 : 0});
  stmt.Bind(12, record.outcome)
      .Bind(13, record.detail)
      .Bind(14, record.reply_ts)
      .Bind(15, record.execution_id);
  stmt.Bind(16, record.product).Bind(17, record.credit_amount);
  return stmt.Run();
}

absl::StatusOr<ClaimResult> SqliteStateStore::Claim(std::string_view channel, std::string_view ts,
                                                    absl::Time now, const ClaimRule& may_claim,
                                                    absl::Duration lease, std::string_view holder) {
  CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  CREDITBOT_ASSIGN_OR_RETURN(std::optional<RequestRecord> existing, Get(RequestKey(channel, ts)));
  ClaimResult result =
      ApplyClaim(existing ? &*existing : nullptr, channel, ts, now, may_claim, lease, holder);
  if (!result.claimed) return result;
  CREDITBOT_RETURN_IF_ERROR(Upsert(result.record));
  CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  return result;
}

absl::Status SqliteStateStore::Finish(const RequestRecord& record) {
  RequestRecord final_record = record;
  final_record.lease_until.reset();
  final_record.lease_holder.clear();
  return Upsert(final_record);
}

absl::StatusOr<bool> SqliteStateStore::RecordIfAbsent(const RequestRecord& record) {
  CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  CREDITBOT_ASSIGN_OR_RETURN(std::optional<RequestRecord> existing, Get(record.key));
  if (existing) return false;
  CREDITBOT_RETURN_IF_ERROR(Upsert(record));
  CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  return true;
}

absl::StatusOr<StateStats> SqliteStateStore::Stats() {
  StateStats stats;
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt,
                             db_.Prepare("SELECT status, count(*), max(updated_at), "
                                         "sum(next_retry_at IS NOT NULL) FROM requests GROUP BY status"));
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    int count = static_cast<int>(stmt.ColumnInt(1));
    stats.by_status[stmt.ColumnText(0)] = count;
    stats.total += count;
    if (stmt.ColumnText(0) == "failed") stats.pending_retries += static_cast<int>(stmt.ColumnInt(3));
    absl::Time updated = absl::FromUnixSeconds(stmt.ColumnInt(2));
    if (!stats.last_update || updated > *stats.last_update) stats.last_update = updated;
  }
  return stats;
}

absl::StatusOr<std::vector<RequestRecord>> SqliteStateStore::List(std::optional<RequestStatus> status,
                                                                  int limit) {
  std::string sql = absl::StrCat("SELECT ", kColumns, " FROM requests ", status ? "WHERE status = ? " : "",
                                 "ORDER BY updated_at DESC, request_key DESC LIMIT ?");
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
  int index = 1;
  if (status) stmt.Bind(index++, RequestStatusName(*status));
  stmt.Bind(index, static_cast<int64_t>(limit));
  std::vector<RequestRecord> records;
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    records.push_back(ReadRecord(stmt));
  }
  return records;
}

absl::StatusOr<int> SqliteStateStore::Cleanup(absl::Time before) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt,
                             db_.Prepare("DELETE FROM requests WHERE updated_at < ? AND status != 'claimed' "
                                         "AND NOT (status = 'failed' AND next_retry_at IS NOT NULL)"));
  stmt.Bind(1, absl::ToUnixSeconds(before));
  CREDITBOT_RETURN_IF_ERROR(stmt.Run());
  return static_cast<int>(db_.Changes());
}

absl::StatusOr<bool> SqliteStateStore::AcquireLease(std::string_view name, std::string_view holder,
                                                    absl::Time now, absl::Duration ttl) {
  CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  CREDITBOT_ASSIGN_OR_RETURN(Statement read,
                             db_.Prepare("SELECT holder, expires_at FROM leases WHERE name = ?"));
  read.Bind(1, name);
  CREDITBOT_ASSIGN_OR_RETURN(bool found, read.Step());
  const bool held_by_other =
      found && read.ColumnText(0) != holder && absl::FromUnixSeconds(read.ColumnInt(1)) > now;
  read.Reset();
  if (held_by_other) return false;
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement write,
      db_.Prepare("INSERT OR REPLACE INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"));
  write.Bind(1, name).Bind(2, holder).Bind(3, absl::ToUnixSeconds(now + ttl));
  CREDITBOT_RETURN_IF_ERROR(write.Run());
  CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  return true;
}

absl::Status SqliteStateStore::ReleaseLease(std::string_view name, std::string_view holder) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("DELETE FROM leases WHERE name = ? AND holder = ?"));
  stmt.Bind(1, name).Bind(2, holder);
  return stmt.Run();
}

absl::StatusOr<std::optional<std::string>> SqliteStateStore::GetCursor(std::string_view name) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT value FROM cursors WHERE name = ?"));
  stmt.Bind(1, name);
  CREDITBOT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<std::string>();
  return std::optional<std::string>(stmt.ColumnText(0));
}

absl::Status SqliteStateStore::SetCursor(std::string_view name, std::string_view value) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt,
                             db_.Prepare("INSERT OR REPLACE INTO cursors (name, value) VALUES (?, ?)"));
  stmt.Bind(1, name).Bind(2, value);
  return stmt.Run();
}

absl::Status SqliteStateStore::Forget(std::string_view key) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("DELETE FROM requests WHERE request_key = ?"));
  stmt.Bind(1, key);
  CREDITBOT_RETURN_IF_ERROR(stmt.Run());
  if (db_.Changes() == 0) {
    return absl::NotFoundError(absl::StrCat("no state record for '", ToAbsl(key), "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<StateSnapshot> SqliteStateStore::Export() {
  // One read transaction, so records, leases and cursors are from the same moment.
  CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  StateSnapshot snapshot;
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement records,
      db_.Prepare(absl::StrCat("SELECT ", kColumns, " FROM requests ORDER BY request_key")));
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool row, records.Step());
    if (!row) break;
    snapshot.records.push_back(ReadRecord(records));
  }
  CREDITBOT_ASSIGN_OR_RETURN(Statement leases, db_.Prepare("SELECT name, holder, expires_at FROM leases"));
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool row, leases.Step());
    if (!row) break;
    snapshot.leases[leases.ColumnText(0)] =
        StateLease{leases.ColumnText(1), absl::FromUnixSeconds(leases.ColumnInt(2))};
  }
  CREDITBOT_ASSIGN_OR_RETURN(Statement cursors, db_.Prepare("SELECT name, value FROM cursors"));
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool row, cursors.Step());
    if (!row) break;
    snapshot.cursors[cursors.ColumnText(0)] = cursors.ColumnText(1);
  }
  CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  return snapshot;
}

absl::StatusOr<ImportCounts> SqliteStateStore::Import(const StateSnapshot& snapshot) {
  CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  ImportCounts counts;
  for (const RequestRecord& record : snapshot.records) {
    CREDITBOT_ASSIGN_OR_RETURN(std::optional<RequestRecord> existing, Get(record.key));
    if (existing) {
      ++counts.already_present;
      continue;
    }
    CREDITBOT_RETURN_IF_ERROR(Upsert(record));
    ++counts.imported;
  }
  for (const auto& [name, value] : snapshot.cursors) {
    CREDITBOT_ASSIGN_OR_RETURN(Statement stmt,
                               db_.Prepare("INSERT OR IGNORE INTO cursors (name, value) VALUES (?, ?)"));
    stmt.Bind(1, name).Bind(2, value);
    CREDITBOT_RETURN_IF_ERROR(stmt.Run());
    counts.cursors_imported += static_cast<int>(db_.Changes());
  }
  CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  return counts;
}

}  // namespace creditbot
