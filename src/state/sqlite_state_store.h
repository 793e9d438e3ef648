// SqliteStateStore: the embedded default StateStore, one SQLite file (WAL mode, so `creditbot state`
// can read while a pass writes). Claims run inside BEGIN IMMEDIATE transactions, so two processes never
// both claim one request.
//
// Open fails, without touching the file, when it exists but is not a readable state database: an
// unreadable state file must never be replaced by an empty one (that would answer everything twice).
#pragma once

#include <memory>
#include <string>

#include "common/sqlite_db.h"
#include "state/state_store.h"

namespace creditbot {

class SqliteStateStore final : public StateStore {
 public:
  // Opens or creates the store at `path` (parent folders are created). kFailedPrecondition naming the
  // file when it is not a SQLite database or has a newer schema; kPermissionDenied when unreadable.
  static absl::StatusOr<std::unique_ptr<SqliteStateStore>> Open(const std::string& path);

  absl::StatusOr<std::optional<RequestRecord>> Get(std::string_view key) override;
  absl::StatusOr<ClaimResult> Claim(std::string_view channel, std::string_view ts, absl::Time now,
                                    const ClaimRule& may_claim, absl::Duration lease,
                                    std::string_view holder) override;
  absl::Status Finish(const RequestRecord& record) override;
  absl::StatusOr<bool> RecordIfAbsent(const RequestRecord& record) override;
  absl::StatusOr<StateStats> Stats() override;
  absl::StatusOr<std::vector<RequestRecord>> List(std::optional<RequestStatus> status, int limit) override;
  absl::StatusOr<int> Cleanup(absl::Time before) override;
  absl::StatusOr<bool> AcquireLease(std::string_view name, std::string_view holder, absl::Time now,
                                    absl::Duration ttl) override;
  absl::Status ReleaseLease(std::string_view name, std::string_view holder) override;
  absl::StatusOr<std::optional<std::string>> GetCursor(std::string_view name) override;
  absl::Status SetCursor(std::string_view name, std::string_view value) override;
  absl::Status Forget(std::string_view key) override;
  absl::StatusOr<StateSnapshot> Export() override;
  absl::StatusOr<ImportCounts> Import(const StateSnapshot& snapshot) override;

 private:
  explicit SqliteStateStore(SqliteDb db) : db_(std::move(db)) {}
  absl::Status Upsert(const RequestRecord& record);
  SqliteDb db_;
};

}  // namespace creditbot
