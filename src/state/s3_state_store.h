// S3StateStore: the StateStore of production runners, one S3 object (S3_BUCKET / S3_STATE_KEY, default
// state/processed_messages.json) holding every request record, lease and cursor as one JSON document.
//
// Every mutation is an optimistic transaction: GET the object (body + ETag), apply a pure change to the
// parsed document, PUT it back conditionally (If-Match: the ETag; If-None-Match: * when the object does
// not exist yet). When another runner wrote in between, S3 answers 412 PreconditionFailed (or 409
// ConditionalRequestConflict); the store then re-reads and re-applies the same change to the new document,
// so the other runner's update is kept, never lost. Claim applies the caller's rule (state/claim.h) to the
// freshly read document inside that step, so two runners never both claim one request. Retries are bounded
// (max_attempts rounds, jittered exponential backoff through the Sleeper); after the last lost round the
// call fails with kAborted. A write whose answer was lost (the S3 client retried it and got 412) is
// recognised on the re-read: the object then holds exactly the body we sent (each body carries this
// instance's random writer id and a new revision), so the change is not applied twice.
//
// Nothing is cached between calls: each call reads the object once (and again only after a lost race).
//
// The object (written by SerializeStateDocument; readable with `jq`, one record per line):
//
//   {
//     "format": "creditbot-state",           the marker that makes an object creditbot state
//     "version": 1,                          a newer version is refused (never overwritten); 2 while paused
//     "revision": 42,                        +1 on every write
//     "writer": "9f1c2e…",                   random id of the store instance that wrote it last
//     "written_at": "2026-01-15T12:34:56Z",
//     "pause": {"paused": true, "by": "U…", "since": "…Z", "reason": "…"},   the pause switch
//     (state/pause.h);
//                                            absent until the store is first paused
//     "records": {                           by request key "channel:ts"
//       "C0123:1752588191.000100": {"channel": "C0123", "ts": "1752588191.000100", "status": "replied",
//           "attempts": 1, "first_seen_at": "…Z", "updated_at": "…Z", "dry_run": false, "outcome": "credit",
//           "detail": "…", "reply_ts": "…", "execution_id": "…", "product": "verify", "credit_amount":
//           "255.00", "next_retry_at": "…Z", "lease_until": "…Z", "lease_holder": "pid-1"},
//       …
//     },
//     "leases": {"pass": {"holder": "pid-1", "expires_at": "…Z"}},
//     "cursors": {"slack_history:C0123": "1752588191.000100"}
//   }
//
// The ledger (state/ledger.h) lives in a second object beside it, the ledger object (S3StateStoreOptions::
// ledger_key; default: the state key with ".json" replaced by ".ledger.json", e.g.
// state/processed_messages.ledger.json). It has the same format with empty records, leases and cursors and
// one more section, keyed by execution id:
//
//     "ledger": {
//       "20260115T123456Z-ab12": {"request_key": "C0123:1752588191.000100", "channel": "C0123", "ts": "…",
//           "reply_ts": "…", "requester": "U…", "parent_account_sid": "AC…", "product": "verify",
//           "fraud_start": "2026-01-01", "fraud_end": "2026-01-07",
//           "cells": [["2026-01-01", "AC…", "VA…", "310", "260", "12.50"], …],   day, account, service, MCC,
//                                                                              MNC, credited
//           "recommended_amount": "255.00", "currency": "USD", "policy_name": "…", "policy_version": "…",
//           "policy_sha256": "…", "dry_run": false, "created_at": "…Z", "status": "approved",
//           "final_amount": "255.00", "decided_by": "U…", "decided_at": "…Z", "reason": "…",
//           "superseded_by": "…", "superseded_at": "…Z", "reply_updated": true},
//       …
//     }
//
// The pause switch is a member of the state object (SetPause: the same conditional read-apply-write round as
// Claim, so a claim and a pause never both win on one revision: a claim read before the pause landed either
// wins its write before it or re-reads and sees it). While paused the object is written as version 2, which
// a creditbot older than the pause refuses (it would answer through the pause and drop the member on its next
// write); unpaused it stays version 1, readable by such a creditbot.
//
// Why a second object: the state object is read and rewritten by every claim and finish, and ledger
// entries (with their cells) are kept forever, so inside it they would make every claim slower as the
// ledger grows; beside it, claims stay small and a decision races only with other ledger writes. Decide,
// Supersede, RecordLedgerEntry and MarkReplyUpdated are the same conditional read-apply-write rounds on the
// ledger object, so two runners never both decide one entry. `state export` writes one document holding
// both (the "ledger" section after the cursors); an export without it imports as before.
//
// Times are UTC RFC 3339 to the second (the SQLite store's precision). status is one of RequestStatusName's
// words. Empty strings and absent optional times are left out; a missing field reads as empty / absent /
// 0 / false.
//
// Failure modes:
//   kFailedPrecondition — the object exists but is not creditbot state (not JSON, no "format" marker, a
//                         record that cannot be read, a newer version, e.g. the old prototype's
//                         processed_messages.json): the message names s3://bucket/key and the object is
//                         NEVER overwritten (an empty state would answer every request again). Also a
//                         missing bucket.
//   kAborted            — max_attempts conditional writes in a row lost to other writers; try again later.
//   anything else       — the S3 client's error (kPermissionDenied, kUnavailable, …; see s3_client.h),
//                         prefixed with "state store s3://bucket/key".
//
// Thread-compatible (StateStore's rule: one thread at a time). Several processes (or instances, each with
// its own S3Client) may share one object. The S3 client, clock and sleeper must outlive the store (a factory
// that owns the client may derive from the store to keep them together).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aws/s3_client.h"
#include "common/clock.h"
#include "state/state_store.h"

namespace creditbot {

// The parsed state object (see the header comment for its JSON).
struct StateDocument {
  int64_t revision = 0;
  std::optional<PauseState> pause;  // nullopt: never paused
  std::string writer;
  std::optional<absl::Time> written_at;
  std::map<std::string, RequestRecord> records;  // by key; each record's key equals its map key
  std::map<std::string, StateLease> leases;
  std::map<std::string, std::string> cursors;
  std::map<std::string, LedgerEntry> ledger;  // by execution id; each entry's id equals its map key

  StateSnapshot ToSnapshot() const;
  static StateDocument FromSnapshot(const StateSnapshot& snapshot);
};

// The JSON text of `document` (format above), ending in a newline. Strings that are not valid UTF-8 are
// written with U+FFFD in place of the bad bytes.
std::string SerializeStateDocument(const StateDocument& document);

// Parses a state object. With `unreadable` null (the store's own object) any entry that cannot be read
// fails the whole parse; otherwise (imports) such records and cursors are skipped and each is described in
// `unreadable`. Errors: kInvalidArgument — not JSON, not an object, no "format": "creditbot-state"
// marker, or (strict) a bad entry, with the reason (a "pause" member that cannot be read fails even an
// import); kFailedPrecondition — a version newer than 2.
absl::StatusOr<StateDocument> ParseStateDocument(std::string_view json,
                                                 std::vector<std::string>* unreadable = nullptr);

// The old prototype's processed_messages.json, converted to records that say "answered": status replied,
// outcome "imported", dry_run false, first_seen_at = updated_at = `now`. Nothing in the shared design
// describes the prototype's file, so these shapes are accepted (the assumption, documented):
//   - an array of entries: a string "CHANNEL:TS" or a bare Slack ts "1752588191.000100", or an object with
//     "ts" (or "message_ts") and "channel" (or "channel_id");
//   - an object keyed by "CHANNEL:TS" or by a bare ts, any value (a value that is an object may carry
//     "channel");
//   - either of those under a single wrapper key "processed_messages", "processed" or "messages".
// A bare ts takes `default_channel` (kept as unreadable when that is empty). Entries that are none of these
// are described in `unreadable`; duplicates are kept once. kInvalidArgument when the text is not JSON or
// not one of these shapes (e.g. a creditbot state document).
struct PrototypeImport {
  std::vector<RequestRecord> records;
  std::vector<std::string> unreadable;
  int bare_ts_without_channel = 0;  // entries of `unreadable` that only lack their channel
};
absl::StatusOr<PrototypeImport> ParsePrototypeState(std::string_view json, std::string_view default_channel,
                                                    absl::Time now);

// The state object's key unless configured: the default of S3_STATE_KEY and S3StateStoreOptions::key.
inline constexpr char kDefaultS3StateKey[] = "state/processed_messages.json";

struct S3StateStoreOptions {
  std::string bucket;                    // S3_BUCKET (required)
  std::string key = kDefaultS3StateKey;  // Default: S3_STATE_KEY's
  std::string ledger_key;  // Default (empty): `key` with ".json" replaced by ".ledger.json" (or appended)
  S3ServerSideEncryption encryption = S3ServerSideEncryption::kAes256;  // Default: SSE-S3 on every write
  int max_attempts = 10;                               // Default: 10 read-apply-write rounds per mutation
  absl::Duration base_delay = absl::Milliseconds(50);  // Default: 50 ms before the 2nd round, doubled…
  absl::Duration max_delay = absl::Seconds(2);  // Default: …up to 2 s; each delay jittered 50–100 %
  // Tests only: runs after the read and before the conditional write of every round (to stage a race).
  std::function<void()> before_write;
};

class S3StateStore : public StateStore {
 public:
  S3StateStore(S3Client& s3, const Clock& clock, Sleeper& sleeper, S3StateStoreOptions options);

  // Reads the object once: OK when it is absent or valid state (the factory calls this at start, so an
  // unreadable state or a missing permission stops the process before any work).
  absl::Status Check();

  // "s3://bucket/key".
  std::string uri() const;
  // Conditional writes lost to another writer so far (each one re-read and re-applied).
  int conflicts() const { return conflicts_; }

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

  absl::StatusOr<bool> RecordLedgerEntry(const LedgerEntry& entry) override;
  absl::StatusOr<std::optional<LedgerEntry>> GetLedgerEntry(std::string_view execution_id) override;
  absl::StatusOr<DecideResult> Decide(std::string_view execution_id, const Decision& decision) override;
  absl::StatusOr<DecideResult> Supersede(std::string_view execution_id, std::string_view new_execution_id,
                                         absl::Time at) override;
  absl::Status MarkReplyUpdated(std::string_view execution_id) override;
  absl::StatusOr<std::vector<LedgerEntry>> ListLedger(const LedgerFilter& filter) override;
  absl::StatusOr<int> CountLedger(const LedgerFilter& filter) override;
  // Computed on read: the ledger object is read whole by every ledger call anyway (one GET), and the sums
  // of its matching entries cost less than that read.
  absl::StatusOr<LedgerChartSums> SumLedgerCharts(const LedgerFilter& filter) override;
  absl::StatusOr<PauseState> GetPause() override;
  absl::StatusOr<PauseChange> SetPause(const PauseState& next) override;

  // "s3://bucket/ledger_key".
  std::string ledger_uri() const;

 private:
  struct Loaded {
    StateDocument document;
    std::optional<std::string> etag;  // nullopt: the object does not exist
    std::string body;
  };
  // A pure change: edits `document` and returns true when it must be written, false to leave it as is.
  using Change = std::function<absl::StatusOr<bool>(StateDocument& document)>;

  // Reads the object at `key` (the state object or the ledger object).
  absl::StatusOr<Loaded> Load(const std::string& key);
  absl::StatusOr<Loaded> Load() { return Load(options_.key); }
  // The read → apply → conditional write loop (see the header comment) on the object at `key`.
  absl::Status Mutate(const std::string& key, std::string_view what, const Change& change);
  absl::Status Mutate(std::string_view what, const Change& change) {
    return Mutate(options_.key, what, change);
  }
  // The ledger entry of `execution_id` in `document`, or kNotFound naming it.
  absl::StatusOr<LedgerEntry*> FindEntry(StateDocument& document, std::string_view execution_id) const;
  absl::Status In(const absl::Status& status) const { return In(options_.key, status); }
  absl::Status In(const std::string& key, const absl::Status& status) const;

  S3Client& s3_;
  const Clock& clock_;
  Sleeper& sleeper_;
  S3StateStoreOptions options_;
  std::string writer_id_;
  absl::BitGen random_;
  int conflicts_ = 0;
};

}  // namespace creditbot
