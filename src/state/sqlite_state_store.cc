// The SQLite state store.
#include "state/sqlite_state_store.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "state/ledger_charts.h"

namespace creditbot {
namespace {

// 2: the ledger tables (and the pause table, created by every open). 3: the same tables while the store is
// paused: a creditbot older than the pause switch refuses the file instead of answering through a pause
// (sqlite_state_store.h); it is written back to 2 by `resume`.
constexpr int kSchemaVersion = 3;
constexpr int kUnpausedSchemaVersion = 2;
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

// The pause row (id 1), or PauseState{} when the store was never paused.
absl::StatusOr<PauseState> ReadPause(SqliteDb& db) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt,
                             db.Prepare("SELECT paused, set_by, set_at, reason FROM pause WHERE id = 1"));
  CREDITBOT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  PauseState pause;
  if (!found) return pause;
  pause.paused = stmt.ColumnInt(0) != 0;
  pause.by = stmt.ColumnText(1);
  pause.since = absl::FromUnixSeconds(stmt.ColumnInt(2));
  pause.reason = stmt.ColumnText(3);
  return pause;
}

absl::Status WriteSchemaVersion(SqliteDb& db, bool paused) {
  return db.Exec(absl::StrCat("PRAGMA user_version = ", paused ? kSchemaVersion : kUnpausedSchemaVersion));
}

// Writes the pause row and the schema version that goes with it (inside the caller's transaction).
absl::Status WritePause(SqliteDb& db, const PauseState& pause) {
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement stmt,
      db.Prepare("INSERT OR REPLACE INTO pause (id, paused, set_by, set_at, reason) VALUES (1, ?, ?, ?, ?)"));
  stmt.Bind(1, int64_t{pause.paused ? 1 : 0})
      .Bind(2, pause.by)
      .Bind(3, absl::ToUnixSeconds(pause.since.value_or(absl::UnixEpoch())))
      .Bind(4, pause.reason);
  CREDITBOT_RETURN_IF_ERROR(stmt.Run());
  return WriteSchemaVersion(db, pause.paused);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStateStore>> SqliteStateStore::Open(const std::string& path,
                                                                         int parent_chart_sums_from) {
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
  // Reads through a memory map (no read() call and copy per page) and a 32 MB page cache: the dashboard's
  // paging and filtered charts walk an index and seek table rows at random, which SQLite's default 2 MB
  // cache turned into one system call per row at 100,000 entries. Writes are unchanged (WAL).
  CREDITBOT_RETURN_IF_ERROR(db->Exec("PRAGMA mmap_size = 268435456"));
  CREDITBOT_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size = -32768"));
  CREDITBOT_ASSIGN_OR_RETURN(std::string schema, ReadDataFile("sql/state/schema.sql"));
  {
    // One transaction, so a paused file never shows the schema's version 2 to another process.
    CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(*db));
    CREDITBOT_RETURN_IF_ERROR(db->Exec(schema));
    CREDITBOT_ASSIGN_OR_RETURN(PauseState pause, ReadPause(*db));
    if (pause.paused) CREDITBOT_RETURN_IF_ERROR(WriteSchemaVersion(*db, /*paused=*/true));
    CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  }
  std::unique_ptr<SqliteStateStore> store(
      new SqliteStateStore(std::move(db).value(), parent_chart_sums_from));
  CREDITBOT_RETURN_IF_ERROR(store->charts_.RebuildIfStale());
  return store;
}

absl::StatusOr<PauseState> SqliteStateStore::GetPause() { return ReadPause(db_); }

absl::StatusOr<PauseChange> SqliteStateStore::SetPause(const PauseState& next) {
  CREDITBOT_RETURN_IF_ERROR(ValidatePauseState(next));
  CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  PauseChange change;
  CREDITBOT_ASSIGN_OR_RETURN(change.before, ReadPause(db_));
  if (change.before.paused == next.paused) return change;
  CREDITBOT_RETURN_IF_ERROR(WritePause(db_, next));
  CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  change.applied = true;
  return change;
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
  CREDITBOT_ASSIGN_OR_RETURN(snapshot.ledger, SelectLedger(LedgerFilter{}));
  std::sort(snapshot.ledger.begin(), snapshot.ledger.end(),
            [](const LedgerEntry& a, const LedgerEntry& b) { return a.execution_id < b.execution_id; });
  CREDITBOT_ASSIGN_OR_RETURN(PauseState pause, ReadPause(db_));
  if (pause.since) snapshot.pause = pause;
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
  for (const LedgerEntry& entry : snapshot.ledger) {
    if (entry.execution_id.empty()) continue;
    CREDITBOT_ASSIGN_OR_RETURN(bool written, InsertLedgerEntry(entry));
    ++(written ? counts.ledger_imported : counts.ledger_already_present);
  }
  if (snapshot.pause && ValidatePauseState(*snapshot.pause).ok()) {
    CREDITBOT_ASSIGN_OR_RETURN(PauseState current, ReadPause(db_));
    if (!current.since) {
      CREDITBOT_RETURN_IF_ERROR(WritePause(db_, *snapshot.pause));
      counts.pause_imported = true;
    }
  }
  CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  return counts;
}

// --- The ledger ---

namespace {

constexpr absl::string_view kLedgerColumns =
    "execution_id, request_key, channel, ts, reply_ts, requester, parent_account_sid, product, fraud_start, "
    "fraud_end, cell_count, recommended_amount, currency, policy_name, policy_version, policy_sha256, "
    "dry_run, created_at, status, final_amount, decided_by, decided_at, reason, superseded_by, "
    "superseded_at, reply_updated";

std::optional<std::string> DayText(const std::optional<absl::CivilDay>& day) {
  if (!day) return std::nullopt;
  return absl::FormatCivilTime(*day);
}

std::optional<absl::CivilDay> ParseDay(const std::optional<std::string>& text) {
  absl::CivilDay day;
  if (!text || !absl::ParseCivilTime(*text, &day)) return std::nullopt;
  return day;
}

LedgerEntry ReadLedgerRow(const Statement& row) {
  LedgerEntry entry;
  entry.execution_id = row.ColumnText(0);
  entry.request_key = row.ColumnText(1);
  entry.channel = row.ColumnText(2);
  entry.ts = row.ColumnText(3);
  entry.reply_ts = row.ColumnText(4);
  entry.requester = row.ColumnText(5);
  entry.parent_account_sid = row.ColumnText(6);
  entry.product = row.ColumnText(7);
  entry.fraud_start = ParseDay(row.ColumnOptionalText(8));
  entry.fraud_end = ParseDay(row.ColumnOptionalText(9));
  // 10 is cell_count: the cells are read from ledger_cells.
  entry.recommended_amount = row.ColumnText(11);
  entry.currency = row.ColumnText(12);
  entry.policy_name = row.ColumnText(13);
  entry.policy_version = row.ColumnText(14);
  entry.policy_sha256 = row.ColumnText(15);
  entry.dry_run = row.ColumnInt(16) != 0;
  entry.created_at = absl::FromUnixMicros(row.ColumnInt(17));
  entry.status = ParseLedgerStatus(row.ColumnText(18)).value_or(LedgerStatus::kAwaiting);
  entry.final_amount = row.ColumnText(19);
  entry.decided_by = row.ColumnText(20);
  entry.decided_at = FromSeconds(row.ColumnOptionalInt(21));
  entry.reason = row.ColumnText(22);
  entry.superseded_by = row.ColumnText(23);
  entry.superseded_at = FromSeconds(row.ColumnOptionalInt(24));
  entry.reply_updated = row.ColumnInt(25) != 0;
  return entry;
}

// What follows "FROM ledger" for `filter` (an INDEXED BY and the WHERE clause, with a leading space, or "")
// and its parameters in order. Every condition
// is on an indexed column (schema.sql), so SQLite walks one index instead of the table.
constexpr char kReplyPendingCondition[] =
    "reply_updated = 0 AND status IN ('approved', 'rejected', 'adjusted')";

struct LedgerWhere {
  std::string sql;
  std::vector<std::string> texts;  // bound first, in order
  std::vector<int64_t> times;      // bound after the texts: since, until
};

LedgerWhere WhereOf(const LedgerFilter& filter) {
  LedgerWhere where;
  std::vector<std::string> conditions;
  auto text = [&](const char* column, const std::string& value) {
    conditions.push_back(absl::StrCat(column, " = ?"));
    where.texts.push_back(value);
  };
  if (filter.status) text("status", std::string(LedgerStatusName(*filter.status)));
  if (!filter.parent_account_sid.empty()) text("parent_account_sid", filter.parent_account_sid);
  if (!filter.product.empty()) text("product", filter.product);
  if (!filter.request_key.empty()) text("request_key", filter.request_key);
  // Written as the partial index ledger_reply_pending's own condition, so SQLite uses that index.
  if (filter.reply_pending) conditions.push_back(kReplyPendingCondition);
  if (filter.since) {
    conditions.push_back("created_at >= ?");
    where.times.push_back(absl::ToUnixMicros(*filter.since));
  }
  if (filter.until) {
    conditions.push_back("created_at < ?");
    where.times.push_back(absl::ToUnixMicros(*filter.until));
  }
  // Without statistics the planner prefers ledger_by_status for the IN and sorts; the partial index already
  // holds only the pending rows in the list order, so name it.
  if (filter.reply_pending) where.sql = " INDEXED BY ledger_reply_pending";
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    absl::StrAppend(&where.sql, i == 0 ? " WHERE " : " AND ", conditions[i]);
  }
  return where;
}

std::string ListSql(const LedgerWhere& where) {
  return absl::StrCat("SELECT ", kLedgerColumns, " FROM ledger", where.sql,
                      " ORDER BY created_at DESC, execution_id DESC LIMIT ? OFFSET ?");
}

// Binds `where`'s parameters from index 1; returns the next free index.
int BindWhere(Statement& stmt, const LedgerWhere& where) {
  int index = 1;
  for (const std::string& text : where.texts) stmt.Bind(index++, text);
  for (int64_t time : where.times) stmt.Bind(index++, time);
  return index;
}

// Reads entries' cells and breakdown with two statements prepared once: a page or a chart reads thousands.
class LedgerCellReader {
 public:
  static absl::StatusOr<LedgerCellReader> Prepare(SqliteDb& db) {
    CREDITBOT_ASSIGN_OR_RETURN(Statement cells,
                               db.Prepare("SELECT day, account_sid, service_sid, mcc, mnc, credited FROM "
                                          "ledger_cells WHERE execution_id = ? ORDER BY seq"));
    CREDITBOT_ASSIGN_OR_RETURN(
        Statement breakdown,
        db.Prepare("SELECT kind, label, credited FROM ledger_breakdown WHERE execution_id = ?"));
    return LedgerCellReader(std::move(cells), std::move(breakdown));
  }

  // Replaces `entry`'s cells and country and mode sums with those stored for its execution id.
  absl::Status Read(LedgerEntry& entry) {
    cells_.Reset();
    cells_.Bind(1, entry.execution_id);
    entry.cells.clear();
    while (true) {
      CREDITBOT_ASSIGN_OR_RETURN(bool row, cells_.Step());
      if (!row) break;
      LedgerCell cell;
      cell.day = ParseDay(cells_.ColumnText(0)).value_or(absl::CivilDay());
      cell.account_sid = cells_.ColumnText(1);
      cell.service_sid = cells_.ColumnText(2);
      cell.mcc = cells_.ColumnText(3);
      cell.mnc = cells_.ColumnText(4);
      cell.credited = cells_.ColumnText(5);
      entry.cells.push_back(std::move(cell));
    }
    breakdown_.Reset();
    breakdown_.Bind(1, entry.execution_id);
    entry.credited_by_country.clear();
    entry.credited_by_mode.clear();
    while (true) {
      CREDITBOT_ASSIGN_OR_RETURN(bool row, breakdown_.Step());
      if (!row) break;
      const std::string kind = breakdown_.ColumnText(0);
      if (kind == "country") entry.credited_by_country[breakdown_.ColumnText(1)] = breakdown_.ColumnText(2);
      if (kind == "mode") entry.credited_by_mode[breakdown_.ColumnText(1)] = breakdown_.ColumnText(2);
    }
    return absl::OkStatus();
  }

 private:
  LedgerCellReader(Statement cells, Statement breakdown)
      : cells_(std::move(cells)), breakdown_(std::move(breakdown)) {}
  Statement cells_;
  Statement breakdown_;
};

}  // namespace

absl::StatusOr<bool> SqliteStateStore::InsertLedgerEntry(const LedgerEntry& entry) {
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement insert, db_.Prepare(absl::StrCat(
                            "INSERT OR IGNORE INTO ledger (", kLedgerColumns,
                            ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                            "?, ?, ?)")));
  insert.Bind(1, entry.execution_id).Bind(2, entry.request_key).Bind(3, entry.channel).Bind(4, entry.ts);
  insert.Bind(5, entry.reply_ts).Bind(6, entry.requester).Bind(7, entry.parent_account_sid);
  insert.Bind(8, entry.product).BindOptional(9, DayText(entry.fraud_start));
  insert.BindOptional(10, DayText(entry.fraud_end)).Bind(11, static_cast<int64_t>(entry.cells.size()));
  insert.Bind(12, entry.recommended_amount).Bind(13, entry.currency).Bind(14, entry.policy_name);
  insert.Bind(15, entry.policy_version).Bind(16, entry.policy_sha256);
  insert.Bind(17, int64_t{entry.dry_run ? 1 : 0}).Bind(18, absl::ToUnixMicros(entry.created_at));
  insert.Bind(19, LedgerStatusName(entry.status)).Bind(20, entry.final_amount).Bind(21, entry.decided_by);
  insert.BindOptional(22, ToSeconds(entry.decided_at)).Bind(23, entry.reason).Bind(24, entry.superseded_by);
  insert.BindOptional(25, ToSeconds(entry.superseded_at)).Bind(26, int64_t{entry.reply_updated ? 1 : 0});
  CREDITBOT_RETURN_IF_ERROR(insert.Run());
  if (db_.Changes() == 0) return false;
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement cell,
      db_.Prepare("INSERT INTO ledger_cells (execution_id, seq, day, account_sid, service_sid, "
                  "mcc, mnc, credited) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  int64_t seq = 0;
  for (const LedgerCell& each : entry.cells) {
    cell.Reset();
    cell.Bind(1, entry.execution_id).Bind(2, seq++).Bind(3, absl::FormatCivilTime(each.day));
    cell.Bind(4, each.account_sid).Bind(5, each.service_sid).Bind(6, each.mcc).Bind(7, each.mnc);
    cell.Bind(8, each.credited);
    CREDITBOT_RETURN_IF_ERROR(cell.Run());
  }
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement breakdown,
      db_.Prepare("INSERT OR REPLACE INTO ledger_breakdown (execution_id, kind, label, credited) "
                  "VALUES (?, ?, ?, ?)"));
  for (const auto& [kind, sums] :
       {std::pair{"country", &entry.credited_by_country}, std::pair{"mode", &entry.credited_by_mode}}) {
    for (const auto& [label, credited] : *sums) {
      breakdown.Reset();
      breakdown.Bind(1, entry.execution_id).Bind(2, kind).Bind(3, label).Bind(4, credited);
      CREDITBOT_RETURN_IF_ERROR(breakdown.Run());
    }
  }
  CREDITBOT_RETURN_IF_ERROR(charts_.AddRecorded(entry));
  return true;
}

absl::Status SqliteStateStore::UpdateLedgerDecision(const LedgerEntry& before, const LedgerEntry& entry) {
  CREDITBOT_RETURN_IF_ERROR(charts_.Move(before, entry));
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement update,
      db_.Prepare(
          "UPDATE ledger SET status = ?, final_amount = ?, decided_by = ?, decided_at = ?, reason = ?, "
          "superseded_by = ?, superseded_at = ?, reply_updated = ? WHERE execution_id = ?"));
  update.Bind(1, LedgerStatusName(entry.status)).Bind(2, entry.final_amount).Bind(3, entry.decided_by);
  update.BindOptional(4, ToSeconds(entry.decided_at)).Bind(5, entry.reason).Bind(6, entry.superseded_by);
  update.BindOptional(7, ToSeconds(entry.superseded_at)).Bind(8, int64_t{entry.reply_updated ? 1 : 0});
  update.Bind(9, entry.execution_id);
  return update.Run();
}

absl::Status SqliteStateStore::ReadLedgerCells(LedgerEntry& entry) {
  CREDITBOT_ASSIGN_OR_RETURN(LedgerCellReader reader, LedgerCellReader::Prepare(db_));
  return reader.Read(entry);
}

absl::StatusOr<bool> SqliteStateStore::RecordLedgerEntry(const LedgerEntry& entry) {
  if (entry.execution_id.empty()) return absl::InvalidArgumentError("a ledger entry needs an execution id");
  CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  CREDITBOT_ASSIGN_OR_RETURN(bool written, InsertLedgerEntry(entry));
  if (!written) return false;
  CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  return true;
}

absl::StatusOr<std::optional<LedgerEntry>> SqliteStateStore::GetLedgerEntry(std::string_view execution_id) {
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement stmt,
      db_.Prepare(absl::StrCat("SELECT ", kLedgerColumns, " FROM ledger WHERE execution_id = ?")));
  stmt.Bind(1, execution_id);
  CREDITBOT_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (!found) return std::optional<LedgerEntry>();
  LedgerEntry entry = ReadLedgerRow(stmt);
  stmt.Reset();
  CREDITBOT_RETURN_IF_ERROR(ReadLedgerCells(entry));
  return std::optional<LedgerEntry>(std::move(entry));
}

absl::StatusOr<DecideResult> SqliteStateStore::Decide(std::string_view execution_id,
                                                      const Decision& decision) {
  CREDITBOT_RETURN_IF_ERROR(ValidateDecision(decision));
  CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  CREDITBOT_ASSIGN_OR_RETURN(std::optional<LedgerEntry> entry, GetLedgerEntry(execution_id));
  if (!entry) {
    return absl::NotFoundError(absl::StrCat("no ledger entry for execution '", ToAbsl(execution_id), "'"));
  }
  DecideResult result;
  const LedgerEntry before = *entry;
  result.applied = ApplyDecision(*entry, decision);
  if (result.applied) {
    CREDITBOT_RETURN_IF_ERROR(UpdateLedgerDecision(before, *entry));
    CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  }
  result.entry = *std::move(entry);
  return result;
}

absl::StatusOr<DecideResult> SqliteStateStore::Supersede(std::string_view execution_id,
                                                         std::string_view new_execution_id, absl::Time at) {
  CREDITBOT_ASSIGN_OR_RETURN(Transaction transaction, Transaction::Begin(db_));
  CREDITBOT_ASSIGN_OR_RETURN(std::optional<LedgerEntry> entry, GetLedgerEntry(execution_id));
  if (!entry) {
    return absl::NotFoundError(absl::StrCat("no ledger entry for execution '", ToAbsl(execution_id), "'"));
  }
  DecideResult result;
  const LedgerEntry before = *entry;
  result.applied = ApplySupersede(*entry, new_execution_id, at);
  if (result.applied) {
    CREDITBOT_RETURN_IF_ERROR(UpdateLedgerDecision(before, *entry));
    CREDITBOT_RETURN_IF_ERROR(transaction.Commit());
  }
  result.entry = *std::move(entry);
  return result;
}

absl::Status SqliteStateStore::MarkReplyUpdated(std::string_view execution_id) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt,
                             db_.Prepare("UPDATE ledger SET reply_updated = 1 WHERE execution_id = ?"));
  stmt.Bind(1, execution_id);
  CREDITBOT_RETURN_IF_ERROR(stmt.Run());
  if (db_.Changes() == 0) {
    CREDITBOT_ASSIGN_OR_RETURN(std::optional<LedgerEntry> entry, GetLedgerEntry(execution_id));
    if (!entry) {
      return absl::NotFoundError(absl::StrCat("no ledger entry for execution '", ToAbsl(execution_id), "'"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LedgerEntry>> SqliteStateStore::SelectLedger(const LedgerFilter& filter) {
  const LedgerWhere where = WhereOf(filter);
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(ListSql(where)));
  const int index = BindWhere(stmt, where);
  stmt.Bind(index, static_cast<int64_t>(filter.limit > 0 ? filter.limit : -1));
  stmt.Bind(index + 1, static_cast<int64_t>(filter.offset > 0 ? filter.offset : 0));
  std::vector<LedgerEntry> entries;
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    entries.push_back(ReadLedgerRow(stmt));
  }
  CREDITBOT_ASSIGN_OR_RETURN(LedgerCellReader cells, LedgerCellReader::Prepare(db_));
  for (LedgerEntry& entry : entries) CREDITBOT_RETURN_IF_ERROR(cells.Read(entry));
  return entries;
}

absl::Status SqliteStateStore::ForEachLedgerEntry(const LedgerFilter& filter,
                                                  const SqliteLedgerCharts::EntryVisitor& visit) {
  const LedgerWhere where = WhereOf(filter);
  CREDITBOT_ASSIGN_OR_RETURN(Statement rows,
                             db_.Prepare(absl::StrCat("SELECT ", kLedgerColumns, " FROM ledger", where.sql)));
  BindWhere(rows, where);
  CREDITBOT_ASSIGN_OR_RETURN(LedgerCellReader cells, LedgerCellReader::Prepare(db_));
  while (true) {
    CREDITBOT_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) return absl::OkStatus();
    LedgerEntry entry = ReadLedgerRow(rows);
    CREDITBOT_RETURN_IF_ERROR(cells.Read(entry));
    CREDITBOT_RETURN_IF_ERROR(visit(entry));
  }
}

absl::StatusOr<std::vector<LedgerEntry>> SqliteStateStore::ListLedger(const LedgerFilter& filter) {
  // No transaction needed: an entry's cells are written with it and never change.
  return SelectLedger(filter);
}

absl::StatusOr<int> SqliteStateStore::CountLedger(const LedgerFilter& filter) {
  const LedgerWhere where = WhereOf(filter);
  CREDITBOT_ASSIGN_OR_RETURN(Statement stmt,
                             db_.Prepare(absl::StrCat("SELECT count(*) FROM ledger", where.sql)));
  BindWhere(stmt, where);
  CREDITBOT_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? static_cast<int>(stmt.ColumnInt(0)) : 0;
}

absl::StatusOr<LedgerChartSums> SqliteStateStore::SumLedgerCharts(const LedgerFilter& filter) {
  return charts_.Sum(filter);
}

absl::StatusOr<std::vector<std::string>> SqliteStateStore::LedgerQueryPlan(const LedgerFilter& filter) {
  const LedgerWhere where = WhereOf(filter);
  std::vector<std::string> plan;
  for (const std::string& sql : {absl::StrCat("EXPLAIN QUERY PLAN ", ListSql(where)),
                                 absl::StrCat("EXPLAIN QUERY PLAN SELECT count(*) FROM ledger", where.sql)}) {
    CREDITBOT_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(sql));
    BindWhere(stmt, where);
    while (true) {
      CREDITBOT_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      plan.push_back(stmt.ColumnText(3));
    }
  }
  return plan;
}

}  // namespace creditbot
