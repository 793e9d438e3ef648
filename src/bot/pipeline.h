// Pipeline: one message end to end — triage, claim, resolve the Looker link, route to a policy, guard the
// SQL, execute, audit, reply exactly once, record (ARCHITECTURE.md "The data flow of one request").
//
// Handle never throws and never stops on a bad message: every failure ends as a state record (and, when a
// person must act, a private DM to the owner that links to the request). A request that fails for good
// (`failed` after its retries or at once, or `refused`) also gets one short reply in its thread, with no
// internals: that it failed, that the owner was told, and the reference the owner's DM shows too (the
// request key, stable across retries). That reply is exactly-once like every reply (PostOnce).
//
// Reactions (Replier::AddReaction): 👀 when the calculation starts (after routing and the SQL guard, so an
// ignored request never gets one); on a credit reply it gives way to ✅, on a failure for good to ❌; a
// request that is asked about or ignored ends with none of ours; a request waiting for a retry keeps 👀.
// The ledger (ARCHITECTURE.md "Decisions and the ledger"): a credit reply is recorded as a ledger entry
// (awaiting a decision, or approved by policy) before the request is finished as replied, so a crash in
// between records the same entry again (it is found by the reply's ts) instead of losing it. A reply in
// the thread of a request answered with a credit whose text is a decision command (`approve`, `reject
// <reason>`, `adjust <amount> <reason>`) goes to the DecisionDesk (set_decision_desk) once, keyed by the
// reply's own channel:ts; refusals (not an approver, malformed, already decided) are answered to its
// author alone (Replier::PostEphemeral). An approver's `recalculate` supersedes the current entry with
// a new execution id at once and reopens the request; its next handling (at once when this Pipeline has
// seen the request's message, else when the source delivers it again) computes under that id, posts a
// new reply (kind "recalc:<execution id>", exactly once like every reply), records its entry and marks
// the old reply superseded.
//
// Transient failures (kUnavailable, kDeadlineExceeded, kResourceExhausted, kAborted) are retried on later
// passes with exponential backoff up to max_attempts; so is a service refusing creditbot's own credentials
// (kUnauthenticated: an expired or rotated Slack token, a Looker or Trino 401), which is not the request's
// fault and ends as kCredentialsRefused so the pass stops (RunPass); anything else fails the request at once.
//
// One instance per pass; used by one thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "audit/audit_sink.h"
#include "bot/decision_desk.h"
#include "bot/pause_gate.h"
#include "bot/triage.h"
#include "common/clock.h"
#include "core/product_router.h"
#include "executor/executor.h"
#include "looker/look_resolver.h"
#include "slack/message_source.h"
#include "slack/replier.h"
#include "state/state_store.h"

namespace creditbot {

struct PipelineDeps {
  StateStore& state;
  LookResolver& looks;
  Executor& executor;
  AuditSink& audit;
  Replier& replier;
  const ProductRouter& router;
  const Clock& clock;
};

// How long a claim on a request (and the lease of a pass) holds unless configured: the default of
// CREDITBOT_CLAIM_LEASE_SECONDS, PipelineOptions::claim_lease and PassOptions::lease_ttl.
inline constexpr int kDefaultClaimLeaseSeconds = 600;

struct PipelineOptions {
  bool dry_run = true;
  std::string owner_user_id;  // SLACK_USER_ID; empty: owner alerts are only logged
  TriageConfig triage;
  int max_attempts = 5;
  absl::Duration retry_backoff = absl::Minutes(15);
  absl::Duration claim_lease = absl::Seconds(kDefaultClaimLeaseSeconds);
  std::string holder = "creditbot";  // names this process in claims
};

// What happened to one item, for the pass summary.
enum class ItemOutcome {
  kReplied,
  kAsked,
  kIgnored,
  kSkipped,
  kRefused,
  kFailed,
  kRetrying,
  kRejected,
  kDeleted,
  kAlreadyHandled,
  // Due again later like kRetrying, and the pass should stop: a service refused creditbot's credentials,
  // so the messages after this one would be refused too (credentials_refusal() says by whom).
  kCredentialsRefused,
  // A decision command read from a thread: handed to the DecisionDesk, or answered to its author.
  kCommand,
  // The pause switch is on (bot/pause_gate.h): the item was read and left alone — nothing claimed, recorded
  // or posted — so it is handled when a pass reads it again after `creditbot resume`.
  kPaused,
};
std::string_view ItemOutcomeName(ItemOutcome outcome);

class Pipeline {
 public:
  Pipeline(PipelineDeps deps, PipelineOptions options) : deps_(deps), options_(std::move(options)) {}

  ItemOutcome Handle(const InboxItem& item);

  // The desk thread commands go to; null (the default): decision commands in threads are skipped like
  // any conversation. Not owned; must outlive the pipeline.
  void set_decision_desk(DecisionDesk* desk) { desk_ = desk; }
  // The pause switch Handle asks before anything else (bot/pause_gate.h); null (the default): never paused.
  // Not owned; must outlive the pipeline.
  void set_pause_gate(PauseGate* gate) { pause_ = gate; }
  // The pause in force when a gate is set and the switch is on (PauseGate::Current); nullopt otherwise.
  std::optional<PauseState> PauseInForce();
  // DecisionDesk::FinishPendingUpdates: shows in Slack the decisions recorded but not yet shown (a crash
  // between the two). Returns how many; 0 without a desk. Called at the start of every pass.
  int FinishPendingDecisions();

  // What the last kCredentialsRefused outcome was refused with (OK before any).
  const absl::Status& credentials_refusal() const { return credentials_refusal_; }

 private:
  ItemOutcome HandleRejected(const InboxItem& item);
  ItemOutcome HandleDeleted(const SlackMessage& message);
  // A thread reply from the requester with a Looker link: processed as the thread's parent request when
  // that request is `asked`, else skipped.
  ItemOutcome HandleThreadLink(const SlackMessage& reply, const TriageDecision& decision);
  // A decision command in a thread (TriageDecision::kThreadCommand): see the file comment.
  ItemOutcome HandleThreadCommand(const SlackMessage& reply, const TriageDecision& decision);
  // An approver's `recalculate`: supersedes the request's current entry by a new execution id (unless a
  // recalculation is already pending) and reopens the request. Returns what to tell the approver ("" when
  // the new reply in the thread is the answer).
  absl::StatusOr<std::string> AskRecalculation(const SlackMessage& reply, const std::string& request_key,
                                               const std::vector<LedgerEntry>& entries);
  // The request's ledger entries, newest first.
  absl::StatusOr<std::vector<LedgerEntry>> EntriesOf(const std::string& request_key);
  // Records the ledger entry of the credit reply `reply_ts` unless one is already recorded for that reply
  // (then adopts its execution id in `record`): the entry whose reply_ts it is, or the one of the execution
  // id the reply an earlier attempt posted carries (`found`), or, for a found first credit reply that
  // carries none, the request's first entry of this mode. A live reply an earlier attempt posted but did
  // not record gets its entry under the execution id it carries, the one its buttons decide. A live entry
  // supersedes the request's dry-run entries.
  absl::Status RecordLedger(const SlackMessage& message, RequestRecord& record, const CreditReport& report,
                            const std::string& reply_ts, const std::optional<OurReply>& found,
                            bool first_reply);
  // After a recalculation's entry is recorded: the entries it superseded get their reply marked superseded.
  void MarkSupersededReplies(const RequestRecord& record);
  // Tells the author of `reply` alone (chat.postEphemeral, in its thread).
  void AnswerAuthor(const SlackMessage& reply, std::string_view text);
  // The execution id a pending recalculation of the request runs under: an entry superseded by an id that
  // has no entry yet. "" when none (or the ledger cannot be read: logged).
  std::string PendingRecalculation(const std::string& request_key);
  // Keeps `message` (top-level) in requests_seen_.
  void Remember(const SlackMessage& message);
  ItemOutcome HandleClaimed(const SlackMessage& message, const TriageDecision& decision,
                            RequestRecord record);
  ItemOutcome Calculate(const SlackMessage& message, const TriageDecision& decision, RequestRecord& record);
  // The SQL failed the read-only guard (`guard`): tells the owner and the requester, records `refused`.
  ItemOutcome RefuseSql(const SlackMessage& message, RequestRecord& record, const ResolvedSql& resolved,
                        const absl::Status& guard);
  // Writes the audit record of `report`; returns where. Draws a new execution id (in `record`) when one is
  // already taken, up to three times.
  // `pinned` (a recalculation's id, chosen when it was asked for): never redrawn; a record an earlier
  // attempt wrote under it is kept.
  absl::StatusOr<std::string> WriteAudit(const SlackMessage& message, RequestRecord& record,
                                         const CreditReport& report, const std::string& looker_url,
                                         const std::string& sql, absl::Time now, bool pinned = false);
  // Posts the credit reply for `link` (naming the message's other report links) as `kind` ("credit", or
  // "recalc:<execution id>"), records its ledger entry, then records `replied`.
  ItemOutcome ReplyWithCredit(const SlackMessage& message, const TriageDecision& decision,
                              const LookerRef& link, RequestRecord& record, const CreditReport& report,
                              const std::string& audit, const std::string& kind = "credit");
  ItemOutcome Fail(RequestRecord& record, const absl::Status& status, std::string_view what);
  // Answers in the thread with what the requester can fix (a status marked with AskRequester); `asked`.
  ItemOutcome AskToFix(const SlackMessage& message, RequestRecord& record, std::string_view url,
                       const absl::Status& status);
  // Posts `reply` unless a live reply of ours for the request is already in the thread. Returns its ts.
  // `thread_known_empty` (SlackMessage::no_replies_when_read of a first claim) skips the thread lookup.
  // `found` (optional) gets the reply when it was already there (an earlier attempt posted it).
  absl::StatusOr<std::string> PostOnce(const Reply& reply, bool thread_known_empty,
                                       std::optional<OurReply>* found = nullptr);
  // The failure reply in the request's thread, exactly once (kind "failure"); false when it could not be
  // posted. True without posting for a record that names no message.
  bool TellRequester(RequestRecord& record);
  // Ends the request's reactions: takes our 👀 off when it may be on, then puts `final_reaction` on (none
  // when empty).
  void SettleReactions(const RequestRecord& record, std::string_view final_reaction);
  // DMs the owner, with a link to the request and its reference (the key) when `channel` is set; false when
  // the DM could not be sent (true when no owner is configured).
  bool AlertOwner(std::string_view channel, std::string_view ts, std::string_view key,
                  std::string_view headline, std::string_view what);
  // A record for a message never seen before: key, channel, ts, first seen now, this pass's dry_run.
  RequestRecord NewRecord(std::string_view channel, std::string_view ts) const;
  absl::Status Finish(RequestRecord& record, RequestStatus status, std::string_view outcome,
                      std::string_view detail);

  PipelineDeps deps_;
  PipelineOptions options_;
  absl::Status credentials_refusal_;
  bool seen_on_ = false;  // this Handle put 👀 on the request
  DecisionDesk* desk_ = nullptr;
  // Top-level messages handled lately (by request key, at most kMaxRemembered), so a `recalculate` read
  // after its request's message is recalculated at once.
  std::map<std::string, SlackMessage> requests_seen_;
  PauseGate* pause_ = nullptr;
};

}  // namespace creditbot
