// One request end to end.
#include "bot/pipeline.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "bot/due_requests.h"
#include "bot/earlier_credits.h"
#include "common/cap_text.h"
#include "common/logging.h"
#include "common/metrics.h"
#include "common/requester_error.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "core/largest_remainder.h"
#include "core/mode.h"
#include "core/reply_renderer.h"
#include "core/report_json.h"
#include "core/sql_guard.h"
#include "evidence/frozen_evidence.h"

namespace creditbot {
namespace {

bool IsTransient(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kResourceExhausted || code == absl::StatusCode::kAborted;
}

// The claim date is the day (UTC) the request was posted: the integer part of its Slack ts.
absl::CivilDay ClaimDateOf(std::string_view ts) {
  int64_t seconds = 0;
  std::string_view whole = ts.substr(0, ts.find('.'));
  if (!absl::SimpleAtoi(ToAbsl(whole), &seconds)) return absl::CivilDay(1970, 1, 1);
  return absl::ToCivilDay(absl::FromUnixSeconds(seconds), absl::UTCTimeZone());
}

// The first link that is a report (a Look, an Explore or a dashboard); null when none is.
const LookerRef* FirstReportLink(const std::vector<LookerRef>& links) {
  for (const LookerRef& ref : links) {
    if (ref.kind != LinkKind::kLookerOther) return &ref;
  }
  return nullptr;
}

// Counts a calculation, and the credit it came to.
void CountCalculation(const std::string& product, const absl::StatusOr<CreditReport>& report, bool dry_run) {
  GlobalMetrics().Increment(kMetricCalculationsTotal,
                            {{"product", product}, {"outcome", report.ok() ? "computed" : "failed"}});
  if (!report.ok()) return;
  double credited = 0;
  if (absl::SimpleAtod(report->credit_amount.ToFixed(2), &credited))
    GlobalMetrics().Increment(kMetricCreditAmountUsdTotal,
                              {{"product", product}, {"dry_run", dry_run ? "true" : "false"}}, credited);
}

// How many top-level messages a Pipeline remembers for a recalculation asked for later in their thread.
constexpr std::size_t kMaxRemembered = 2000;

// The id a pending recalculation runs under: an entry superseded by an id that has no entry yet (the
// newest such). "" when none. `entries` are one request's.
std::string PendingIn(const std::vector<LedgerEntry>& entries) {
  for (const LedgerEntry& entry : entries) {
    if (entry.status != LedgerStatus::kSuperseded || entry.superseded_by.empty()) continue;
    const bool recorded = std::any_of(entries.begin(), entries.end(), [&](const LedgerEntry& other) {
      return other.execution_id == entry.superseded_by;
    });
    if (!recorded) return entry.superseded_by;
  }
  return "";
}

// The entry a decision in the thread applies to: the newest one not superseded. Null when none.
const LedgerEntry* CurrentIn(const std::vector<LedgerEntry>& entries) {
  for (const LedgerEntry& entry : entries) {
    if (entry.status != LedgerStatus::kSuperseded) return &entry;
  }
  return nullptr;
}

// The report's (day, account, service, MCC, MNC) cells and what each was credited; lines of one cell
// (should a report repeat one) are summed. Lines of one cell are found by sorting the lines' positions by
// cell (a few bytes a line), not by searching (that took minutes for 200,000 lines: issue 20's pass
// benchmark) nor by a hash map (80 bytes a line).
std::vector<LedgerCell> CellsOf(const CreditReport& report) {
  const std::vector<CreditLine>& lines = report.lines;
  const auto key = [&](uint32_t i) {
    const CreditLine& line = lines[i];
    return std::make_tuple(line.day, std::string_view(line.account_sid()),
                           std::string_view(line.service_sid()), std::string_view(line.mcc()),
                           std::string_view(line.mnc()));
  };
  std::vector<uint32_t> order(lines.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  std::vector<uint32_t> first(lines.size());  // the first line of each line's cell
  for (std::size_t k = 0; k < order.size(); ++k) {
    first[order[k]] = k > 0 && key(order[k]) == key(order[k - 1]) ? first[order[k - 1]] : order[k];
  }
  std::vector<uint32_t>().swap(order);
  std::vector<uint32_t> cell_of(lines.size());  // the cell of each first line, in the report's order
  std::vector<LedgerCell> cells;
  std::vector<Decimal> credited;
  cells.reserve(lines.size());
  credited.reserve(lines.size());
  for (uint32_t i = 0; i < lines.size(); ++i) {
    const CreditLine& line = lines[i];
    if (first[i] != i) {
      credited[cell_of[first[i]]] += line.credited;
      continue;
    }
    cell_of[i] = static_cast<uint32_t>(cells.size());
    cells.push_back({line.day, line.account_sid(), line.service_sid(), line.mcc(), line.mnc(), ""});
    credited.push_back(line.credited);
  }
  for (std::size_t i = 0; i < cells.size(); ++i) cells[i].credited = credited[i].ToFixed(2);
  return cells;
}

// `values` in cents for people to read, adding up to `total` (core/largest_remainder.h, the rule the reply's
// breakdown follows); each rounded on its own only where that rule refuses (e.g. a total with nothing to
// show it against).
std::vector<std::string> CentsAddingUpTo(const std::vector<Decimal>& values, Decimal total) {
  absl::StatusOr<std::vector<Decimal>> shown = LargestRemainderRound(values, total, 2);
  std::vector<std::string> cents;
  for (std::size_t i = 0; i < values.size(); ++i) {
    cents.push_back((shown.ok() ? (*shown)[i] : values[i]).ToFixed(2));
  }
  return cents;
}

// What the calculation credited per country of its lines and per mode, for the ledger entry (the
// dashboard's charts sum them instead of reading audit records). Each adds up to the credit, as the reply's
// breakdown does.
void SetCreditedBreakdown(const CreditReport& report, LedgerEntry& entry) {
  std::map<std::string, Decimal> by_country;
  for (const CreditLine& line : report.lines) {
    by_country[line.country().empty() ? "unknown" : line.country()] += line.credited;
  }
  std::vector<Decimal> country_values;
  for (const auto& [country, credited] : by_country) country_values.push_back(credited);
  const std::vector<std::string> country_cents = CentsAddingUpTo(country_values, report.credit_amount);
  std::size_t i = 0;
  for (const auto& [country, credited] : by_country) entry.credited_by_country[country] = country_cents[i++];
  std::vector<Decimal> mode_values;
  for (const ModeBreakdown& mode : report.output_df) mode_values.push_back(mode.credit_in_mode);
  const std::vector<std::string> mode_cents = CentsAddingUpTo(mode_values, report.credit_amount);
  for (std::size_t m = 0; m < report.output_df.size(); ++m) {
    entry.credited_by_mode[std::string(ModeName(report.output_df[m].mode))] = mode_cents[m];
  }
}

// The blocks of a superseded reply: its own without the buttons, and a line saying what replaced it.
std::string SupersededBlocks(const std::string& blocks_json, const std::string& new_execution_id) {
  nlohmann::json blocks = nlohmann::json::parse(blocks_json, nullptr, /*allow_exceptions=*/false);
  nlohmann::json kept = nlohmann::json::array();
  if (blocks.is_array()) {
    for (nlohmann::json& block : blocks) {
      if (!block.is_object() || block.value("type", "") != "actions") kept.push_back(std::move(block));
    }
  }
  kept.push_back(
      {{"type", "context"},
       {"elements",
        {{{"type", "mrkdwn"},
          {"text", absl::StrCat(":arrows_counterclockwise: Superseded by a recalculation (execution ",
                                new_execution_id, "): see the newer reply in this thread.")}}}}});
  return kept.dump();
}

}  // namespace

std::string_view ItemOutcomeName(ItemOutcome outcome) {
  switch (outcome) {
    case ItemOutcome::kReplied:
      return "replied";
    case ItemOutcome::kAsked:
      return "asked";
    case ItemOutcome::kIgnored:
      return "ignored";
    case ItemOutcome::kSkipped:
      return "skipped";
    case ItemOutcome::kRefused:
      return "refused";
    case ItemOutcome::kFailed:
      return "failed";
    case ItemOutcome::kRetrying:
      return "retrying";
    case ItemOutcome::kRejected:
      return "rejected";
    case ItemOutcome::kDeleted:
      return "deleted";
    case ItemOutcome::kAlreadyHandled:
      return "already_handled";
    case ItemOutcome::kCredentialsRefused:
      return "credentials_refused";
    case ItemOutcome::kCommand:
      return "command";
    case ItemOutcome::kPaused:
      return "paused";
  }
  return "failed";
}

RequestRecord Pipeline::NewRecord(std::string_view channel, std::string_view ts) const {
  RequestRecord record;
  record.key = RequestKey(channel, ts);
  record.channel = std::string(channel);
  record.ts = std::string(ts);
  record.first_seen_at = record.updated_at = deps_.clock.Now();
  record.dry_run = options_.dry_run;
  return record;
}

absl::Status Pipeline::Finish(RequestRecord& record, RequestStatus status, std::string_view outcome,
                              std::string_view detail) {
  record.status = status;
  record.outcome = std::string(outcome);
  record.detail = CapText(Redact(detail), kMaxStateDetailBytes);
  record.updated_at = deps_.clock.Now();
  if (status != RequestStatus::kFailed) record.next_retry_at.reset();
  absl::Status written = deps_.state.Finish(record);
  if (!written.ok()) {
    LogError("could not record the outcome",
             {{"status", std::string(RequestStatusName(status))}, {"error", std::string(written.message())}});
  }
  return written;
}

std::optional<PauseState> Pipeline::PauseInForce() {
  if (pause_ == nullptr) return std::nullopt;
  PauseState pause = pause_->Current();
  if (!pause.paused) return std::nullopt;
  return pause;
}

ItemOutcome Pipeline::Handle(const InboxItem& item) {
  // The one gate of every mode (bot/pause_gate.h): before an unreadable line is recorded or its owner told,
  // before a claim, a post or a decision.
  if (PauseInForce()) return ItemOutcome::kPaused;
  if (!item.message) return HandleRejected(item);
  const SlackMessage& message = *item.message;
  ScopedLogContext context({{"request", RequestKey(message.channel, message.ts)}});
  seen_on_ = false;
  if (!message.IsThreadReply() && message.subtype != "message_deleted") Remember(message);
  try {
    TriageDecision decision = Triage(message, options_.triage);
    switch (decision.action) {
      case TriageDecision::kSkip: {
        RequestRecord record = NewRecord(message.channel, message.ts);
        record.status = RequestStatus::kSkipped;
        record.outcome = decision.reason;
        absl::StatusOr<bool> written = deps_.state.RecordIfAbsent(record);
        if (!written.ok())
          LogError("could not record a skipped message",
                   {{"error", std::string(written.status().message())}});
        LogDebug("skipped", {{"reason", decision.reason}});
        return ItemOutcome::kSkipped;
      }
      case TriageDecision::kDeleted:
        return HandleDeleted(message);
      case TriageDecision::kThreadLink:
        return HandleThreadLink(message, decision);
      case TriageDecision::kThreadCommand:
        return HandleThreadCommand(message, decision);
      case TriageDecision::kAskForLink:
      case TriageDecision::kRequest:
        break;
    }
    ClaimContext claim_context{deps_.clock.Now(), options_.dry_run,
                               decision.is_edit && decision.action == TriageDecision::kRequest};
    absl::StatusOr<ClaimResult> claim = ClaimIfDue(deps_.state, message.channel, message.ts, claim_context,
                                                   options_.claim_lease, options_.holder);
    if (!claim.ok()) {
      LogError("could not claim the request; it stays for the next pass",
               {{"error", std::string(claim.status().message())}});
      return ItemOutcome::kRetrying;
    }
    if (!claim->claimed) {
      LogDebug("already handled", {{"status", std::string(RequestStatusName(claim->record.status))}});
      return ItemOutcome::kAlreadyHandled;
    }
    // The thread lookup before posting may be skipped only for a request nobody ever claimed before
    // (no earlier pass can have posted) whose thread was empty when read (see PostOnce).
    SlackMessage request = message;
    request.no_replies_when_read = message.no_replies_when_read && !claim->existed;
    return HandleClaimed(request, decision, claim->record);
  } catch (const std::exception& error) {
    // A bug or absurd input: never let one message stop the pass.
    RequestRecord record = NewRecord(message.channel, message.ts);
    if (absl::StatusOr<std::optional<RequestRecord>> existing = deps_.state.Get(record.key);
        existing.ok() && *existing) {
      record = **existing;
    }
    return Fail(record, absl::InternalError(absl::StrCat("internal error: ", error.what())),
                "creditbot crashed on this request");
  }
}

ItemOutcome Pipeline::HandleRejected(const InboxItem& item) {
  RequestRecord record;
  record.key = absl::StrCat("rejected:", item.digest.substr(0, 16));
  record.status = RequestStatus::kRejected;
  record.outcome = "unreadable";
  record.detail = Redact(absl::StrCat(item.origin, ": ", item.error));
  record.first_seen_at = record.updated_at = deps_.clock.Now();
  record.dry_run = options_.dry_run;
  absl::StatusOr<bool> written = deps_.state.RecordIfAbsent(record);
  if (!written.ok()) {
    LogError("could not record an unreadable message", {{"origin", item.origin}, {"error", item.error}});
    return ItemOutcome::kRejected;
  }
  if (*written) {
    LogError("unreadable message", {{"origin", item.origin}, {"error", item.error}});
    AlertOwner("", "", record.key,
               item.alert_headline.empty() ? "A message could not be read" : item.alert_headline,
               record.detail);
  }
  return ItemOutcome::kRejected;
}

ItemOutcome Pipeline::HandleDeleted(const SlackMessage& message) {
  std::string ts = message.deleted_ts.empty() ? message.ts : message.deleted_ts;
  std::string key = RequestKey(message.channel, ts);
  absl::StatusOr<std::optional<RequestRecord>> existing = deps_.state.Get(key);
  if (!existing.ok()) {
    LogError("could not read state for a deleted message",
             {{"error", std::string(existing.status().message())}});
    return ItemOutcome::kRetrying;
  }
  if (*existing &&
      ((*existing)->status == RequestStatus::kReplied || (*existing)->status == RequestStatus::kAsked)) {
    LogInfo("a request we already answered was deleted; the answer stays", {{"deleted", key}});
    return ItemOutcome::kAlreadyHandled;
  }
  RequestRecord record = existing->has_value() ? **existing : NewRecord(message.channel, ts);
  record.dry_run = options_.dry_run;
  (void)Finish(record, RequestStatus::kDeleted, "deleted", "the message was deleted before it was answered");
  LogInfo("deleted before it was answered; not answering", {{"deleted", key}});
  return ItemOutcome::kDeleted;
}

ItemOutcome Pipeline::HandleThreadLink(const SlackMessage& reply, const TriageDecision& decision) {
  // The request is the thread's parent; this reply only brings its link.
  SlackMessage request = reply;
  request.ts = reply.thread_ts;
  request.thread_ts.clear();
  request.user = reply.parent_user_id;
  const std::string parent_key = RequestKey(request.channel, request.ts);
  absl::StatusOr<std::optional<RequestRecord>> parent = deps_.state.Get(parent_key);
  if (!parent.ok()) {
    LogError("could not read the state of a thread's request; it stays for the next pass",
             {{"error", std::string(parent.status().message())}});
    return ItemOutcome::kRetrying;
  }
  if (!parent->has_value() || (*parent)->status != RequestStatus::kAsked) {
    RequestRecord record = NewRecord(reply.channel, reply.ts);
    record.status = RequestStatus::kSkipped;
    record.outcome = "thread_reply";
    (void)deps_.state.RecordIfAbsent(record);
    LogDebug("a thread reply with a link, but its thread is not waiting for one; skipped");
    return ItemOutcome::kSkipped;
  }
  ScopedLogContext context({{"request", parent_key}, {"thread_reply", reply.ts}});
  absl::StatusOr<ClaimResult> claim =
      ClaimIfDue(deps_.state, request.channel, request.ts,
                 ClaimContext{deps_.clock.Now(), options_.dry_run, /*reopen_asked=*/true},
                 options_.claim_lease, options_.holder);
  if (!claim.ok()) {
    LogError("could not claim the request; it stays for the next pass",
             {{"error", std::string(claim.status().message())}});
    return ItemOutcome::kRetrying;
  }
  if (!claim->claimed) return ItemOutcome::kAlreadyHandled;
  LogInfo("the requester answered in the thread with a Looker link");
  claim->record.dry_run = options_.dry_run;
  return Calculate(request, decision, claim->record);
}

ItemOutcome Pipeline::HandleClaimed(const SlackMessage& message, const TriageDecision& decision,
                                    RequestRecord record) {
  record.dry_run = options_.dry_run;
  if (decision.action == TriageDecision::kAskForLink) {
    RenderedMessage ask = RenderAskForLink(message.user);
    Reply reply{message.channel, message.ts, record.key, "ask_link", ask.text, ask.blocks_json, ""};
    absl::StatusOr<std::string> posted = PostOnce(reply, message.no_replies_when_read);
    if (!posted.ok()) return Fail(record, posted.status(), "could not ask for the Looker link");
    record.reply_ts = *posted;
    (void)Finish(record, RequestStatus::kAsked, "ask_link", "no Looker link; asked for one");
    LogInfo("asked for a Looker link");
    return ItemOutcome::kAsked;
  }
  return Calculate(message, decision, record);
}

ItemOutcome Pipeline::Calculate(const SlackMessage& message, const TriageDecision& decision,
                                RequestRecord& record) {
  ++record.attempts;
  const LookerRef* link = FirstReportLink(decision.looker_links);
  if (link == nullptr) {
    return AskToFix(message, record, decision.looker_links.front().url,
                    absl::UnimplementedError("it is not a Look, an Explore or a dashboard"));
  }
  absl::Time now = deps_.clock.Now();
  // A recalculation asked for in the thread runs under the id its request chose (the entry it replaces is
  // already superseded by it), so every attempt posts, records and supersedes as the same execution.
  const std::string recalculation = PendingRecalculation(record.key);
  record.execution_id = recalculation.empty() ? MakeExecutionId(now, record.key) : recalculation;
  ScopedLogContext context({{"execution_id", record.execution_id}});

  absl::StatusOr<ResolvedSql> resolved = deps_.looks.Resolve(*link);
  if (!resolved.ok()) {
    if (ShouldAskRequester(resolved.status())) return AskToFix(message, record, link->url, resolved.status());
    return Fail(record, resolved.status(), absl::StrCat("could not get the SQL behind ", link->url));
  }

  const CreditPolicy* policy = deps_.router.Route(resolved->sql);
  if (policy == nullptr) {
    SettleReactions(record, "");
    (void)Finish(record, RequestStatus::kIgnored, "no_policy",
                 absl::StrCat(resolved->description, " matches no enabled credit policy"));
    LogInfo("no enabled policy matches this request's SQL; ignored", {{"sql", resolved->description}});
    return ItemOutcome::kIgnored;
  }
  record.product = policy->name;
  if (absl::Status guard = CheckReadOnlySql(resolved->sql); !guard.ok()) {
    return RefuseSql(message, record, *resolved, guard);
  }
  // From here the request is being calculated: 👀 until it is answered or fails for good.
  seen_on_ = deps_.replier.AddReaction(message.channel, message.ts, kSeenReaction);

  absl::CivilDay claim_date = ClaimDateOf(message.ts);
  CalcRequest calc{resolved->sql, policy, claim_date, record.execution_id, nullptr};
  // The ledger of the report's parent (once the executor knows it): no fraud credited twice.
  calc.earlier_credits = [&](const std::string& parent) {
    return LoadEarlierCredits(deps_.state, deps_.replier, parent, record.key, policy->name, options_.dry_run);
  };
  // What the calculation knew, kept beside its audit record so a replay recomputes it exactly
  // (evidence/frozen_evidence.h); encoded before the engine runs, from the evidence in place.
  absl::StatusOr<std::string> frozen = std::string();
  std::string frozen_sha256;
  calc.on_evidence = [&](const Evidence& evidence, const EarlierCredits* earlier) {
    frozen = EncodeFrozenEvidence(resolved->sql, evidence, earlier, &frozen_sha256);
  };
  absl::StatusOr<CreditReport> report = deps_.executor.Execute(calc);
  CountCalculation(policy->name, report, options_.dry_run);
  if (!report.ok()) return Fail(record, report.status(), "the calculation failed");
  if (!frozen.ok()) return Fail(record, frozen.status(), "could not encode the calculation's evidence");

  absl::StatusOr<std::string> audit =
      WriteAudit(message, record, *report, link->url, resolved->sql, now, !recalculation.empty());
  if (!audit.ok())
    return Fail(record, absl::UnavailableError(audit.status().message()), "could not write the audit record");
  if (!frozen->empty()) {
    absl::StatusOr<std::string> kept =
        deps_.audit.WriteArtifact(record.execution_id, kEvidenceArtifact, *frozen);
    if (absl::IsAlreadyExists(kept.status())) {
      // An earlier attempt of this pinned recalculation kept its audit record and the evidence it used.
      LogWarn("the evidence of this execution was kept by an earlier attempt; kept as it is");
    } else if (!kept.ok()) {
      return Fail(record, absl::UnavailableError(kept.status().message()),
                  "could not write the evidence beside the audit record");
    } else {
      LogInfo("evidence kept", {{"where", *kept}, {"sha256", frozen_sha256}});
    }
  }
  return ReplyWithCredit(message, decision, *link, record, *report, *audit,
                         recalculation.empty() ? "credit" : absl::StrCat("recalc:", recalculation));
}

ItemOutcome Pipeline::RefuseSql(const SlackMessage& message, RequestRecord& record,
                                const ResolvedSql& resolved, const absl::Status& guard) {
  LogWarn("SQL refused; not run", {{"sql", resolved.description}, {"reason", std::string(guard.message())}});
  // Told before recorded, as a failure: a crash in between repeats the DM; the thread reply is once.
  AlertOwner(message.channel, message.ts, record.key, "The SQL behind a request was refused and not run",
             absl::StrCat(resolved.description, ": ", guard.message()));
  (void)TellRequester(record);
  SettleReactions(record, kFailedReaction);
  (void)Finish(record, RequestStatus::kRefused, "sql_refused", ToStd(guard.message()));
  return ItemOutcome::kRefused;
}

absl::StatusOr<std::string> Pipeline::WriteAudit(const SlackMessage& message, RequestRecord& record,
                                                 const CreditReport& report, const std::string& looker_url,
                                                 const std::string& sql, absl::Time now, bool pinned) {
  ExecutionMeta meta;
  meta.execution_id = record.execution_id;
  meta.timestamp = now;
  meta.source_channel = message.channel;
  meta.source_ts = message.ts;
  meta.looker_url = looker_url;
  meta.sql_sha256 = Sha256Hex(sql);
  meta.dry_run = options_.dry_run;
  // Streamed to the sink as it is written (issue 20): a report of a million lines is never held as text.
  const auto write_result = [&](std::FILE* out) { return WriteResultJson(report, meta, out); };
  absl::StatusOr<std::string> audit = deps_.audit.WriteStreamed(record.execution_id, write_result);
  if (pinned && absl::IsAlreadyExists(audit.status())) {
    LogInfo("the audit record of this recalculation was written by an earlier attempt; kept");
    return absl::StrCat(record.execution_id, "/result.json");
  }
  for (int draw = 0; draw < 3 && absl::IsAlreadyExists(audit.status()); ++draw) {
    record.execution_id = meta.execution_id = MakeExecutionId(now, record.key);
    audit = deps_.audit.WriteStreamed(record.execution_id, write_result);
  }
  return audit;
}

ItemOutcome Pipeline::ReplyWithCredit(const SlackMessage& message, const TriageDecision& decision,
                                      const LookerRef& link, RequestRecord& record,
                                      const CreditReport& report, const std::string& audit,
                                      const std::string& kind) {
  // A message with several report links is answered for the first one; the reply names the others and
  // asks for one request per report (never silently reduced to one).
  CreditReplyContext reply_context;
  reply_context.looker_url = link.url;
  for (const LookerRef& ref : decision.looker_links) {
    if (&ref != &link && ref.kind != LinkKind::kLookerOther)
      reply_context.other_report_urls.push_back(ref.url);
  }
  RenderedMessage rendered = RenderCreditReply(report, record.execution_id, reply_context);
  Reply reply{message.channel, message.ts,           record.key,         kind,
              rendered.text,   rendered.blocks_json, record.execution_id};
  std::optional<OurReply> found;
  absl::StatusOr<std::string> posted = PostOnce(reply, message.no_replies_when_read, &found);
  if (!posted.ok()) return Fail(record, posted.status(), "could not post the reply");
  record.reply_ts = *posted;
  record.credit_amount = report.credit_amount.ToFixed(2);
  // Recorded before the request is finished: a crash in between finds this reply again on the next
  // attempt and its entry with it, so the entry is neither lost nor recorded twice.
  if (absl::Status recorded = RecordLedger(message, record, report, *posted, found, kind == "credit");
      !recorded.ok())
    return Fail(record, absl::UnavailableError(recorded.message()), "could not record the ledger entry");
  if (kind != "credit") MarkSupersededReplies(record);
  SettleReactions(record, kCreditedReaction);
  (void)Finish(record, RequestStatus::kReplied, "credit",
               absl::StrCat("credit ", FormatUsd(report.credit_amount),
                            report.needs_approval ? ", needs approval" : "", "; audit ", audit));
  LogInfo("replied", {{"credit", record.credit_amount}, {"audit", audit}});
  return ItemOutcome::kReplied;
}

ItemOutcome Pipeline::Fail(RequestRecord& record, const absl::Status& status, std::string_view what) {
  std::string reason = Redact(ToStd(status.message()));
  // Our own credentials refused is no fault of the request: a token expired or was rotated mid-pass, or
  // the configuration is wrong. Either way the request waits (bounded by max_attempts, then the owner is
  // told as for any failure) and the pass stops, so the error is the run's, not one requester's.
  const bool refused = absl::IsUnauthenticated(status);
  if ((IsTransient(status.code()) || refused) && record.attempts < options_.max_attempts) {
    record.next_retry_at = deps_.clock.Now() + RetryDelay(options_.retry_backoff, record.attempts);
    (void)Finish(record, RequestStatus::kFailed, "retrying", absl::StrCat(ToAbsl(what), ": ", reason));
    LogWarn("will retry", {{"what", std::string(what)},
                           {"error", reason},
                           {"attempts", std::to_string(record.attempts)},
                           {"next_retry_at", absl::FormatTime(*record.next_retry_at)}});
    if (refused) {
      credentials_refusal_ = absl::UnauthenticatedError(absl::StrCat(ToAbsl(what), ": ", reason));
      LogError("a service refused creditbot's credentials; the request waits and the pass stops",
               {{"error", reason}});
      return ItemOutcome::kCredentialsRefused;
    }
    return ItemOutcome::kRetrying;
  }
  record.next_retry_at.reset();
  std::string detail = IsTransient(status.code()) || refused
                           ? absl::StrCat(ToAbsl(what), " after ", record.attempts, " attempts: ", reason)
                           : absl::StrCat(ToAbsl(what), ": ", reason);
  LogError("failed", {{"error", detail}});
  // The owner and the requester are told before the failure is recorded: a crash in between repeats the DM
  // rather than losing it (the thread reply is exactly-once). A DM or reply that cannot be sent keeps the
  // request due on the next pass, which fails it again and tells them then (bounded, so a wrong
  // SLACK_USER_ID does not retry for ever); an owner already told on an earlier pass is not told again.
  const bool owner_told_before = record.outcome == "failed_unanswered";
  const bool owner_told = owner_told_before || AlertOwner(record.channel, record.ts, record.key,
                                                          "A credit request failed", detail);
  const bool requester_told = TellRequester(record);
  if ((!owner_told || !requester_told) && record.attempts < 2 * options_.max_attempts) {
    record.next_retry_at = deps_.clock.Now();
    (void)Finish(record, RequestStatus::kFailed, owner_told ? "failed_unanswered" : "failed_unreported",
                 detail);
    LogWarn(owner_told ? "the requester could not be told of the failure; trying again next pass"
                       : "the owner could not be told of the failure; trying again next pass");
    return ItemOutcome::kFailed;
  }
  SettleReactions(record, kFailedReaction);
  (void)Finish(record, RequestStatus::kFailed, "failed", detail);
  return ItemOutcome::kFailed;
}

ItemOutcome Pipeline::AskToFix(const SlackMessage& message, RequestRecord& record, std::string_view url,
                               const absl::Status& status) {
  const std::string what = Redact(ToStd(status.message()));
  RenderedMessage ask = RenderAskToFix(message.user, url, what);
  Reply reply{message.channel, message.ts, record.key, "ask_fix", ask.text, ask.blocks_json, ""};
  absl::StatusOr<std::string> posted = PostOnce(reply, message.no_replies_when_read);
  if (!posted.ok()) return Fail(record, posted.status(), "could not ask the requester for a usable link");
  record.reply_ts = *posted;
  SettleReactions(record, "");
  (void)Finish(record, RequestStatus::kAsked, "ask_fix", what);
  LogInfo("asked the requester for a usable link", {{"reason", what}});
  return ItemOutcome::kAsked;
}

absl::StatusOr<std::string> Pipeline::PostOnce(const Reply& reply, bool thread_known_empty,
                                               std::optional<OurReply>* found) {
  if (found != nullptr) found->reset();
  if (thread_known_empty) {
    // A first claim of a message whose thread was empty when this pass read it: no reply of ours can be
    // there, so the lookup (Tier 3, 50 a minute) is skipped. Every later attempt (a retry, a lease taken
    // over after a crash, a lost answer to a post) has a record and looks first.
    LogDebug("first post to an empty thread; no lookup");
    return deps_.replier.Post(reply);
  }
  absl::StatusOr<std::optional<OurReply>> existing =
      deps_.replier.FindOurReply(reply.channel, reply.thread_ts, reply.request_key, reply.kind);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    LogInfo("a reply of ours is already in the thread; recording it instead of posting again");
    if (found != nullptr) *found = **existing;
    return (*existing)->ts;
  }
  return deps_.replier.Post(reply);
}

bool Pipeline::TellRequester(RequestRecord& record) {
  if (record.channel.empty() || record.ts.empty()) return true;
  RenderedMessage failure = RenderFailureReply(options_.owner_user_id, record.key);
  Reply reply{record.channel, record.ts, record.key, "failure", failure.text, failure.blocks_json, ""};
  absl::StatusOr<std::string> posted = PostOnce(reply, /*thread_known_empty=*/false);
  if (!posted.ok()) {
    LogError("could not tell the requester that the request failed",
             {{"error", std::string(posted.status().message())}});
    return false;
  }
  record.reply_ts = *posted;
  return true;
}

void Pipeline::SettleReactions(const RequestRecord& record, std::string_view final_reaction) {
  if (record.channel.empty() || record.ts.empty()) return;
  // An earlier attempt (another pass) may have put the 👀 on; taking off one that is not there is harmless.
  if (seen_on_ || record.attempts > 1) deps_.replier.RemoveReaction(record.channel, record.ts, kSeenReaction);
  seen_on_ = false;
  if (!final_reaction.empty()) (void)deps_.replier.AddReaction(record.channel, record.ts, final_reaction);
}

bool Pipeline::AlertOwner(std::string_view channel, std::string_view ts, std::string_view key,
                          std::string_view headline, std::string_view what) {
  if (options_.owner_user_id.empty()) return true;  // warned once at start; the log line above has the detail
  const std::string permalink = channel.empty() ? std::string() : deps_.replier.Permalink(channel, ts);
  RenderedMessage alert = RenderOwnerAlert(channel, ts, headline, Redact(what), permalink,
                                           channel.empty() ? std::string_view() : key);
  Reply reply{options_.owner_user_id, "", std::string(key), "owner_alert", alert.text, "", ""};
  absl::StatusOr<std::string> posted = deps_.replier.Post(reply);
  if (!posted.ok())
    LogError("could not alert the owner", {{"error", std::string(posted.status().message())}});
  return posted.ok();
}

int Pipeline::FinishPendingDecisions() {
  if (desk_ == nullptr) return 0;
  try {
    const int finished = desk_->FinishPendingUpdates();
    if (finished > 0) LogInfo("finished showing decisions in Slack", {{"count", std::to_string(finished)}});
    return finished;
  } catch (const std::exception& error) {
    LogError("could not finish showing decisions in Slack", {{"error", error.what()}});
    return 0;
  }
}

void Pipeline::Remember(const SlackMessage& message) {
  std::string key = RequestKey(message.channel, message.ts);
  if (requests_seen_.size() >= kMaxRemembered && requests_seen_.count(key) == 0)
    requests_seen_.erase(requests_seen_.begin());
  requests_seen_[std::move(key)] = message;
}

absl::StatusOr<std::vector<LedgerEntry>> Pipeline::EntriesOf(const std::string& request_key) {
  LedgerFilter filter;
  filter.request_key = request_key;
  return deps_.state.ListLedger(filter);
}

std::string Pipeline::PendingRecalculation(const std::string& request_key) {
  absl::StatusOr<std::vector<LedgerEntry>> entries = EntriesOf(request_key);
  if (!entries.ok()) {
    LogWarn("could not read the request's ledger entries; calculating as a first answer",
            {{"error", std::string(entries.status().message())}});
    return "";
  }
  return PendingIn(*entries);
}

absl::Status Pipeline::RecordLedger(const SlackMessage& message, RequestRecord& record,
                                    const CreditReport& report, const std::string& reply_ts,
                                    const std::optional<OurReply>& found, bool first_reply) {
  CREDITBOT_ASSIGN_OR_RETURN(std::vector<LedgerEntry> entries, EntriesOf(record.key));
  // An earlier attempt posted this reply and recorded its entry, then stopped before finishing.
  const LedgerEntry* recorded = nullptr;
  for (const LedgerEntry& entry : entries) {  // newest first: the last match is the first entry
    if (entry.dry_run != options_.dry_run) continue;
    if ((!reply_ts.empty() && entry.reply_ts == reply_ts) ||
        (found && !found->execution_id.empty() && entry.execution_id == found->execution_id)) {
      recorded = &entry;
      break;
    }
    if (found && found->execution_id.empty() && first_reply) recorded = &entry;
  }
  if (recorded != nullptr) {
    if (recorded->execution_id != record.execution_id) {
      LogInfo("the ledger entry of this reply was recorded by an earlier attempt; keeping it",
              {{"recorded", recorded->execution_id}});
      record.execution_id = recorded->execution_id;
    }
    return absl::OkStatus();
  }
  if (!options_.dry_run && found && !found->execution_id.empty() &&
      found->execution_id != record.execution_id) {
    // An earlier attempt posted this reply and stopped before recording it: its buttons carry that
    // attempt's execution id (whose audit record it wrote before posting), so the entry takes it.
    LogInfo("the reply an earlier attempt posted was not recorded; recording it under its execution id",
            {{"posted", found->execution_id}, {"this_attempt", record.execution_id}});
    record.execution_id = found->execution_id;
  }
  LedgerEntry entry;
  entry.execution_id = record.execution_id;
  entry.request_key = record.key;
  entry.channel = message.channel;
  entry.ts = message.ts;
  entry.reply_ts = reply_ts;
  entry.requester = message.user;
  entry.parent_account_sid = report.parent_account_sid;
  entry.product = report.product;
  entry.fraud_start = report.fraud_start;
  entry.fraud_end = report.fraud_end;
  entry.cells = CellsOf(report);
  SetCreditedBreakdown(report, entry);
  entry.recommended_amount = report.credit_amount.ToFixed(2);
  entry.currency = report.currency;
  entry.policy_name = report.policy_name;
  entry.policy_version = report.policy_version;
  entry.policy_sha256 = report.policy_sha256;
  entry.dry_run = options_.dry_run;
  entry.created_at = deps_.clock.Now();
  if (report.needs_approval) {
    entry.status = LedgerStatus::kAwaiting;
  } else {
    // Within the policy's limit (a zero credit included: it is what the policy decided, recorded so the
    // ledger shows every answer).
    entry.status = LedgerStatus::kAutoApproved;
    entry.final_amount = entry.recommended_amount;
    entry.decided_by = "policy";
    entry.decided_at = entry.created_at;
  }
  // The reply as posted shows the entry as it stands (buttons, or approved by policy).
  entry.reply_updated = true;
  CREDITBOT_ASSIGN_OR_RETURN(bool written, deps_.state.RecordLedgerEntry(entry));
  LogInfo(written ? "ledger entry recorded" : "ledger entry already recorded",
          {{"status", std::string(LedgerStatusName(entry.status))}, {"amount", entry.recommended_amount}});
  if (options_.dry_run) return absl::OkStatus();
  // A live answer replaces what a dry run only previewed: those entries no longer hold their cells.
  for (const LedgerEntry& earlier : entries) {
    if (!earlier.dry_run || earlier.status == LedgerStatus::kSuperseded) continue;
    absl::StatusOr<DecideResult> superseded =
        deps_.state.Supersede(earlier.execution_id, entry.execution_id, entry.created_at);
    if (!superseded.ok())
      LogWarn("could not supersede a dry run's ledger entry",
              {{"entry", earlier.execution_id}, {"error", std::string(superseded.status().message())}});
  }
  return absl::OkStatus();
}

void Pipeline::MarkSupersededReplies(const RequestRecord& record) {
  absl::StatusOr<std::vector<LedgerEntry>> entries = EntriesOf(record.key);
  if (!entries.ok()) {
    LogWarn("could not read the entries this recalculation superseded; their replies stay as they were",
            {{"error", std::string(entries.status().message())}});
    return;
  }
  for (const LedgerEntry& old : *entries) {
    if (old.superseded_by != record.execution_id || old.reply_ts.empty() || old.dry_run != options_.dry_run)
      continue;
    absl::StatusOr<std::string> blocks = deps_.replier.MessageBlocks(old.channel, old.ts, old.reply_ts);
    const std::string updated = SupersededBlocks(blocks.ok() ? *blocks : "", record.execution_id);
    absl::Status shown = deps_.replier.Update(
        old.channel, old.reply_ts,
        absl::StrCat("Superseded by a recalculation (execution ", record.execution_id, ")"), updated);
    if (!shown.ok())
      LogWarn("could not mark the superseded reply",
              {{"entry", old.execution_id}, {"error", std::string(shown.message())}});
  }
}

void Pipeline::AnswerAuthor(const SlackMessage& reply, std::string_view text) {
  absl::Status posted = deps_.replier.PostEphemeral(reply.channel, reply.user, text, reply.thread_ts);
  if (!posted.ok())
    LogWarn("could not answer the author of a thread command", {{"error", std::string(posted.message())}});
}

ItemOutcome Pipeline::HandleThreadCommand(const SlackMessage& reply, const TriageDecision& decision) {
  const std::string request_key = RequestKey(reply.channel, reply.thread_ts);
  ScopedLogContext context({{"request", request_key}, {"thread_reply", reply.ts}});
  auto skip = [&](std::string_view why) {
    RequestRecord record = NewRecord(reply.channel, reply.ts);
    record.status = RequestStatus::kSkipped;
    record.outcome = "thread_reply";
    (void)deps_.state.RecordIfAbsent(record);
    LogDebug(why);
    return ItemOutcome::kSkipped;
  };
  if (desk_ == nullptr) return skip("a decision command in a thread, but no decision desk here; skipped");
  absl::StatusOr<std::vector<LedgerEntry>> entries = EntriesOf(request_key);
  if (!entries.ok()) {
    LogError("could not read the ledger of a thread's request; the command stays for the next pass",
             {{"error", std::string(entries.status().message())}});
    return ItemOutcome::kRetrying;
  }
  if (entries->empty()) return skip("a decision command in a thread without a credit; skipped");
  absl::StatusOr<ClaimResult> claim = ClaimIfDue(deps_.state, reply.channel, reply.ts,
                                                 ClaimContext{deps_.clock.Now(), options_.dry_run, false},
                                                 options_.claim_lease, options_.holder);
  if (!claim.ok()) {
    LogError("could not claim the thread command; it stays for the next pass",
             {{"error", std::string(claim.status().message())}});
    return ItemOutcome::kRetrying;
  }
  if (!claim->claimed) return ItemOutcome::kAlreadyHandled;
  RequestRecord record = claim->record;
  // The decision is recorded in the ledger for real in a dry run too (only Slack is spared), so a later
  // live pass must not read the command again.
  record.dry_run = false;
  ++record.attempts;
  // The store could not record the command's effect: tried again later, then told to its author.
  auto retry = [&](const absl::Status& status) {
    const std::string why = Redact(ToStd(status.message()));
    if (record.attempts < options_.max_attempts) {
      record.next_retry_at = deps_.clock.Now() + RetryDelay(options_.retry_backoff, record.attempts);
      (void)Finish(record, RequestStatus::kFailed, "retrying", why);
      LogWarn("a thread command could not be recorded; will retry", {{"error", why}});
      return ItemOutcome::kRetrying;
    }
    AnswerAuthor(reply, absl::StrCat("creditbot could not record this (", why, "); please try again."));
    (void)Finish(record, RequestStatus::kFailed, "failed", why);
    return ItemOutcome::kFailed;
  };

  std::string answer;  // to the author alone; "" when the reply in the thread is the answer
  std::string outcome = "command_malformed";
  bool recalculating = false;
  if (!decision.command.has_value()) {
    answer = decision.command_error;
  } else if (decision.command->verb == DecisionVerb::kRecalculate) {
    outcome = "recalculate";
    if (!desk_->IsApprover(reply.user)) {
      outcome = "not_approver";
      answer = absl::StrCat("Only ", desk_->WhoCanDecide(), " can ask for a recalculation.");
    } else {
      absl::StatusOr<std::string> asked = AskRecalculation(reply, request_key, *entries);
      if (!asked.ok()) return retry(asked.status());
      answer = *asked;
      recalculating = true;
    }
  } else if (const LedgerEntry* current = CurrentIn(*entries); current == nullptr) {
    outcome = "recalculating";
    answer = "A recalculation of this request is under way: decide on its new reply.";
  } else {
    DecisionAnswer result =
        desk_->Decide(DecisionRequest{current->execution_id, *decision.command, reply.user, "thread"});
    switch (result.kind) {
      case DecisionAnswer::Kind::kDecided:
        outcome = std::string(DecisionVerbName(decision.command->verb));
        break;
      case DecisionAnswer::Kind::kFailed:
        return retry(absl::UnavailableError(result.message));
      case DecisionAnswer::Kind::kAlreadyDecided:
        outcome = "already_decided";
        answer = result.message;
        break;
      case DecisionAnswer::Kind::kNotApprover:
        outcome = "not_approver";
        answer = result.message;
        break;
      case DecisionAnswer::Kind::kRefused:
        outcome = "refused";
        answer = result.message;
        break;
    }
  }
  if (!answer.empty()) AnswerAuthor(reply, answer);
  (void)Finish(record, RequestStatus::kReplied, outcome, answer.empty() ? outcome : answer);
  LogInfo("thread command handled", {{"outcome", outcome}, {"by", reply.user}});
  if (recalculating) {
    if (auto seen = requests_seen_.find(request_key); seen != requests_seen_.end()) {
      InboxItem item;
      item.message = seen->second;
      item.origin = "recalculation of " + request_key;
      (void)Handle(item);
    }
  }
  return ItemOutcome::kCommand;
}

absl::StatusOr<std::string> Pipeline::AskRecalculation(const SlackMessage& reply,
                                                       const std::string& request_key,
                                                       const std::vector<LedgerEntry>& entries) {
  const absl::Time now = deps_.clock.Now();
  std::string pending = PendingIn(entries);
  if (pending.empty()) {
    const LedgerEntry* current = CurrentIn(entries);
    if (current == nullptr) return std::string("There is no credit in this thread to recalculate.");
    pending = MakeExecutionId(now, request_key);
    CREDITBOT_ASSIGN_OR_RETURN(DecideResult superseded,
                               deps_.state.Supersede(current->execution_id, pending, now));
    // Lost to a recalculation asked at the same moment: that one runs.
    if (!superseded.applied) pending = superseded.entry.superseded_by;
    LogInfo("recalculation asked for",
            {{"by", reply.user}, {"replaces", current->execution_id}, {"execution_id", pending}});
  }
  // Reopens the request (unless a pass is already at it): due at once, attempts counted afresh.
  CREDITBOT_ASSIGN_OR_RETURN(std::optional<RequestRecord> request, deps_.state.Get(request_key));
  if (request.has_value() && IsFinal(*request)) {
    request->attempts = 0;
    request->next_retry_at = now;
    CREDITBOT_RETURN_IF_ERROR(Finish(*request, RequestStatus::kFailed, "recalculate",
                                     absl::StrCat("recalculation ", pending, " asked by ", reply.user)));
  }
  if (requests_seen_.count(request_key) != 0) return std::string();
  return std::string("Recalculating: the new reply follows in this thread on the next pass.");
}

}  // namespace creditbot
