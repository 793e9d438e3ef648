// StateStore: the durable record of every request and the pass lease. The state write is the commit
// point of a request (ARCHITECTURE.md "Exactly one reply per request"): claim → work → reply → Finish.
// Implemented by SqliteStateStore (the embedded default) and S3StateStore (one S3 object with conditional
// writes).
//
// Implementations are safe against other processes using the same store at the same time (several
// runners); one instance is used by one thread at a time.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "state/claim.h"
#include "state/ledger.h"
#include "state/ledger_charts.h"
#include "state/pause.h"
#include "state/request_record.h"

namespace creditbot {

// One lease as stored (the pass lease "pass" → the holder and until when).
struct StateLease {
  std::string holder;
  absl::Time expires_at;
};

// Everything a store holds, for `creditbot state export|import`.
struct StateSnapshot {
  std::vector<RequestRecord> records;  // ordered by key
  std::map<std::string, StateLease> leases;
  std::map<std::string, std::string> cursors;
  std::vector<LedgerEntry> ledger;  // ordered by execution id
  std::optional<PauseState> pause;  // the pause switch; nullopt when the store was never paused
};

// What Import did.
struct ImportCounts {
  int imported = 0;                // records written (their key had no record)
  int already_present = 0;         // records left alone (their key already had one)
  int cursors_imported = 0;        // cursors written (the store had none of that name)
  int ledger_imported = 0;         // ledger entries written (their execution id had none)
  int ledger_already_present = 0;  // ledger entries left alone (RecordLedgerEntry's rule)
  bool pause_imported = false;     // the snapshot's pause written (the store had never been paused)
};

struct StateStats {
  std::map<std::string, int> by_status;
  int total = 0;
  int pending_retries = 0;
  std::optional<absl::Time> last_update;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual absl::StatusOr<std::optional<RequestRecord>> Get(std::string_view key) = 0;

  // Atomically: read the record, ask `may_claim` (the caller's rule: bot/due_requests.h) about it, and if
  // allowed write the claim ApplyClaim makes (state/claim.h): status claimed with lease_until = now + lease
  // and holder `holder`, attempts unchanged.
  virtual absl::StatusOr<ClaimResult> Claim(std::string_view channel, std::string_view ts, absl::Time now,
                                            const ClaimRule& may_claim, absl::Duration lease,
                                            std::string_view holder) = 0;

  // Writes the final (or retry) outcome of a request, clearing the lease. Inserts the record when it
  // does not exist (skips and rejects are recorded without a claim).
  virtual absl::Status Finish(const RequestRecord& record) = 0;

  // Records `record` only when no record exists for its key (a skip must never overwrite an answer).
  // Returns true when it was written.
  virtual absl::StatusOr<bool> RecordIfAbsent(const RequestRecord& record) = 0;

  virtual absl::StatusOr<StateStats> Stats() = 0;
  // The newest `limit` records (by updated_at), optionally only those of `status`.
  virtual absl::StatusOr<std::vector<RequestRecord>> List(std::optional<RequestStatus> status, int limit) = 0;

  // Removes final records not updated since `before`. Returns how many.
  virtual absl::StatusOr<int> Cleanup(absl::Time before) = 0;

  // The pass lease: true when `holder` now holds `name` until now + ttl (it was free, expired or ours).
  virtual absl::StatusOr<bool> AcquireLease(std::string_view name, std::string_view holder, absl::Time now,
                                            absl::Duration ttl) = 0;
  virtual absl::Status ReleaseLease(std::string_view name, std::string_view holder) = 0;

  // Small named values kept between passes, e.g. how far a channel's history has been read
  // ("slack_history:C123" → a Slack ts). nullopt when never set. SetCursor overwrites.
  virtual absl::StatusOr<std::optional<std::string>> GetCursor(std::string_view name) = 0;
  virtual absl::Status SetCursor(std::string_view name, std::string_view value) = 0;

  // Removes the record of `key` (`creditbot state forget`), so the next pass treats the message as never
  // seen. kNotFound when there is none. (The reply-metadata check still keeps a posted answer from being
  // posted twice.)
  virtual absl::Status Forget(std::string_view key) = 0;

  // Every record, lease, cursor and ledger entry. SQLite reads them in one consistent step; S3 reads the
  // state object, then the ledger object beside it (s3_state_store.h).
  virtual absl::StatusOr<StateSnapshot> Export() = 0;

  // Merges `snapshot` in one atomic step: each record whose key has no record yet is written as given;
  // an existing record is never overwritten (RecordIfAbsent's rule); each cursor is written only when the
  // store has none of that name; each ledger entry only when its execution id has none (never overwriting a
  // decision); leases are not imported (they belong to running passes); the pause only when the store was
  // never paused or resumed (so moving a paused store keeps it paused, and a switch set here is never
  // undone).
  virtual absl::StatusOr<ImportCounts> Import(const StateSnapshot& snapshot) = 0;

  // --- The pause switch (state/pause.h) ---
  // The flag as stored; PauseState{} when the store was never paused. Cheap (one row, or the state object).
  virtual absl::StatusOr<PauseState> GetPause() = 0;
  // Atomically: when the stored flag differs from `next.paused`, writes `next` (paused or not, by, since,
  // reason) and returns applied with the state before; otherwise changes nothing and returns not applied
  // with the state as it stands (a second `pause` is told who paused first). kInvalidArgument when `next`
  // has no time, or pauses without a reason.
  virtual absl::StatusOr<PauseChange> SetPause(const PauseState& next) = 0;

  // --- The credit ledger (state/ledger.h) ---
  // Decide and Supersede apply state/ledger.h's rules inside the store's atomic step (a transaction, a
  // conditional write), so two processes never both decide one entry.

  // Records `entry` when no entry has its execution id; an existing one is left as it is (OK either way:
  // a pass that crashed after recording records again). Returns true when it was written.
  // kInvalidArgument when the entry has no execution id.
  virtual absl::StatusOr<bool> RecordLedgerEntry(const LedgerEntry& entry) = 0;
  // The entry of `execution_id` with its cells; nullopt when there is none.
  virtual absl::StatusOr<std::optional<LedgerEntry>> GetLedgerEntry(std::string_view execution_id) = 0;
  // Atomically: the entry of `execution_id` is awaiting → records `decision` (ApplyDecision: status
  // approved, rejected or adjusted; final amount, decided_by/at, reason; reply_updated false) and returns
  // applied. When it is not awaiting, nothing changes and the entry is returned as it stands (not applied):
  // the caller says "already approved by …". kInvalidArgument when ValidateDecision refuses `decision`
  // (checked first); kNotFound when there is no such entry.
  virtual absl::StatusOr<DecideResult> Decide(std::string_view execution_id, const Decision& decision) = 0;
  // Atomically marks the entry superseded by `new_execution_id` at `at` unless it is already superseded
  // (then not applied, the entry as it stands). A decided entry may be superseded (a recalculation after a
  // fix). kNotFound when there is no such entry.
  virtual absl::StatusOr<DecideResult> Supersede(std::string_view execution_id,
                                                 std::string_view new_execution_id, absl::Time at) = 0;
  // Sets reply_updated (the decision is shown in Slack). kNotFound when there is no such entry.
  virtual absl::Status MarkReplyUpdated(std::string_view execution_id) = 0;
  // The entries matching `filter`, newest first (created_at, then execution id, descending), with their
  // cells, from `filter.offset` on, at most `filter.limit` (0: all).
  virtual absl::StatusOr<std::vector<LedgerEntry>> ListLedger(const LedgerFilter& filter) = 0;
  // How many entries match `filter` (its limit and offset ignored): for paging.
  virtual absl::StatusOr<int> CountLedger(const LedgerFilter& filter) = 0;
  // The dashboard's chart sums (state/ledger_charts.h: LedgerChartRowsOf summed) of the entries matching
  // `filter` (its limit and offset ignored). SQLite keeps them summed per UTC day as entries are written, so
  // a filter of at most since/until on UTC midnights reads a few rows per day; S3 sums the entries it reads.
  virtual absl::StatusOr<LedgerChartSums> SumLedgerCharts(const LedgerFilter& filter) = 0;
};

}  // namespace creditbot
