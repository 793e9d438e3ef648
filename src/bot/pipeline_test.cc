// Tests of the pipeline's retry rule: transient failures come back with exponential backoff up to the
// attempt limit, then fail with one DM to the owner; permanent failures fail at once; refused credentials
// wait like transient failures and stop the pass (RunPass) without losing the messages after them. Every
// requester hears back: a failure for good gets one reply in the thread (never two, whatever crashes), the
// owner's DM links to the request, and the reactions say where the request stands (👀 while worked on, ✅ on
// a credit, ❌ on a failure, none on an ignored request). Every credit reply is a ledger entry, and decision
// commands in a request's thread reach the DecisionDesk once (issue 17; the desk is a recording stand-in).
// The executor is a scripted stand-in for the Executor seam; everything else is the real code on temporary
// files.
#include "bot/pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "bot/decision_desk.h"
#include "bot/pass.h"
#include "state/sqlite_state_store.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Json = nlohmann::json;

constexpr char kKey[] = "C1:1752588191.000100";
// RenderFailureReply's words, written out by hand: the owner mentioned, the request key as reference.
constexpr char kFailureReply[] =
    "I could not calculate this credit; <@U0OWNER> has been told, reference C1:1752588191.000100.";

// A replier that refuses the next `refuse_failure_replies` posts of kind "failure", then posts through.
class RefusingReplier final : public Replier {
 public:
  explicit RefusingReplier(Replier& inner) : inner_(inner) {}
  absl::StatusOr<std::optional<OurReply>> FindOurReply(std::string_view channel, std::string_view thread_ts,
                                                       std::string_view request_key,
                                                       std::string_view kind) override {
    return inner_.FindOurReply(channel, thread_ts, request_key, kind);
  }
  absl::StatusOr<std::string> Post(const Reply& reply) override {
    if (reply.kind == "failure" && refuse_failure_replies > 0) {
      --refuse_failure_replies;
      return absl::UnavailableError("Slack chat.postMessage: service_unavailable");
    }
    return inner_.Post(reply);
  }
  bool AddReaction(std::string_view channel, std::string_view ts, std::string_view name) override {
    return inner_.AddReaction(channel, ts, name);
  }
  void RemoveReaction(std::string_view channel, std::string_view ts, std::string_view name) override {
    inner_.RemoveReaction(channel, ts, name);
  }
  int refuse_failure_replies = 0;

 private:
  Replier& inner_;
};

class ScriptedExecutor final : public Executor {
 public:
  absl::StatusOr<CreditReport> Execute(const CalcRequest&) override {
    ++calls;
    if (results.empty()) return report;
    absl::Status next = results.front();
    results.pop_front();
    if (next.ok()) return report;
    return next;
  }
  std::deque<absl::Status> results;
  CreditReport report;  // what an OK execution returns
  int calls = 0;
};

class PipelineRetryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteFile(dir_.File("looks/101.sql"), "SELECT 1 AS authy_day");
    state_ = std::move(SqliteStateStore::Open(dir_.File("state.db"))).value();
    router_ = std::make_unique<ProductRouter>(std::move(ProductRouter::Create({CreditPolicy{}})).value());
    looks_ = std::make_unique<LookCatalog>(dir_.File("looks"));
    audit_ = std::make_unique<FolderAuditSink>(dir_.File("audit"));
    outbox_ = std::make_unique<LocalOutbox>(dir_.File("outbox.jsonl"));
    options_.dry_run = false;
    options_.owner_user_id = "U0OWNER";
    options_.triage.looker = *ParseLookerBase("https://looker.example.com");
    options_.max_attempts = 3;
    options_.retry_backoff = absl::Minutes(15);
  }
  ItemOutcome HandleLine(const std::string& line) {
    Replier& replier = replier_ != nullptr ? *replier_ : *outbox_;
    Pipeline pipeline({*state_, *looks_, executor_, *audit_, replier, *router_, clock_}, options_);
    InboxItem item;
    item.message = *ParseSlackMessageLine(line, "");
    return pipeline.Handle(item);
  }
  ItemOutcome HandleRequest() {
    return HandleLine(
        R"({"type":"message","channel":"C1","user":"U1","ts":"1752588191.000100","text":"<https://looker.example.com/looks/101>"})");
  }
  RequestRecord Record() { return **state_->Get("C1:1752588191.000100"); }
  // The chat.postMessage payloads of the outbox (its lines without "method").
  std::vector<Json> Posts() {
    std::vector<Json> posts;
    for (const std::string& line : testing::ReadLines(dir_.File("outbox.jsonl"))) {
      Json payload = Json::parse(line);
      if (!payload.contains("method")) posts.push_back(std::move(payload));
    }
    return posts;
  }
  std::vector<Json> PostsOfKind(const std::string& kind) {
    std::vector<Json> posts;
    for (Json& post : Posts()) {
      if (post["metadata"]["event_payload"]["kind"] == kind) posts.push_back(std::move(post));
    }
    return posts;
  }
  int OwnerDms() {
    int dms = 0;
    for (const Json& post : Posts()) dms += post["channel"] == "U0OWNER";
    return dms;
  }
  // The outbox's reaction lines on the request, as "add eyes", "remove eyes"…, in order.
  std::vector<std::string> Reactions() {
    std::vector<std::string> reactions;
    for (const std::string& line : testing::ReadLines(dir_.File("outbox.jsonl"))) {
      Json entry = Json::parse(line);
      if (!entry.contains("method")) continue;
      EXPECT_EQ(entry["channel"], "C1");
      EXPECT_EQ(entry["timestamp"], "1752588191.000100");
      const std::string method = entry["method"];
      reactions.push_back((method == "reactions.add"      ? "add "
                           : method == "reactions.remove" ? "remove "
                                                          : "? ") +
                          entry["name"].get<std::string>());
    }
    return reactions;
  }

  testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1752600000)};
  ScriptedExecutor executor_;
  std::unique_ptr<SqliteStateStore> state_;
  std::unique_ptr<ProductRouter> router_;
  std::unique_ptr<LookCatalog> looks_;
  std::unique_ptr<FolderAuditSink> audit_;
  std::unique_ptr<LocalOutbox> outbox_;
  Replier* replier_ = nullptr;  // when set, used instead of outbox_
  PipelineOptions options_;
};

TEST_F(PipelineRetryTest, TransientFailuresBackOffThenFailWithOneDm) {
  executor_.results = {absl::UnavailableError("warehouse busy"), absl::DeadlineExceededError("timeout"),
                       absl::UnavailableError("warehouse busy")};
  const absl::Time start = clock_.Now();
  EXPECT_EQ(HandleRequest(), ItemOutcome::kRetrying);
  EXPECT_EQ(Record().next_retry_at, start + absl::Minutes(15));
  EXPECT_EQ(OwnerDms(), 0);

  clock_.Advance(absl::Minutes(10));  // not yet due
  EXPECT_EQ(HandleRequest(), ItemOutcome::kAlreadyHandled);
  EXPECT_EQ(executor_.calls, 1);

  clock_.Set(start + absl::Minutes(15));
  EXPECT_EQ(HandleRequest(), ItemOutcome::kRetrying);
  EXPECT_EQ(Record().next_retry_at, start + absl::Minutes(15) + absl::Minutes(30));

  clock_.Set(start + absl::Minutes(45));
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  RequestRecord record = Record();
  EXPECT_EQ(record.status, RequestStatus::kFailed);
  EXPECT_EQ(record.attempts, 3);
  EXPECT_FALSE(record.next_retry_at.has_value());
  EXPECT_THAT(record.detail, HasSubstr("after 3 attempts"));
  EXPECT_EQ(OwnerDms(), 1);

  clock_.Advance(absl::Hours(48));
  EXPECT_EQ(HandleRequest(), ItemOutcome::kAlreadyHandled);
  EXPECT_EQ(executor_.calls, 3);
}

TEST_F(PipelineRetryTest, PermanentFailuresFailAtOnce) {
  executor_.results = {absl::FailedPreconditionError("rows span two parent accounts: ACa, ACb")};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  EXPECT_THAT(Record().detail, HasSubstr("ACa, ACb"));
  EXPECT_EQ(OwnerDms(), 1);
}

TEST_F(PipelineRetryTest, AHugeErrorIsCutInTheOwnersDmAndInTheStateSayingHowMuch) {
  // 5,000,000 bytes of error (a server's answer echoed whole): the DM keeps to Slack's 40,000-character
  // limit and the state's detail to 2,000 bytes, each ending with the note of what was cut.
  executor_.results = {absl::FailedPreconditionError(std::string(5'000'000, 'x'))};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  const std::string detail = Record().detail;
  EXPECT_LE(detail.size(), 2000u);
  EXPECT_THAT(detail, HasSubstr(" bytes]"));
  EXPECT_THAT(detail, HasSubstr(" …[cut "));
  int dms = 0;
  for (const Json& post : Posts()) {
    if (post["channel"] != "U0OWNER") continue;
    ++dms;
    const std::string text = post["text"];
    EXPECT_LE(text.size(), 40000u);
    EXPECT_THAT(text, HasSubstr(" …[cut "));
  }
  EXPECT_EQ(dms, 1);
}

TEST_F(PipelineRetryTest, AMessageWithTwoReportLinksIsAnsweredForTheFirstAndNamesTheOther) {
  // Issue 15: never silently reduced to one report. One calculation (look 101), one reply, which names
  // look 102 and asks for a request of its own.
  EXPECT_EQ(
      HandleLine(
          R"({"type":"message","channel":"C1","user":"U1","ts":"1752588191.000100",)"
          R"("text":"<https://looker.example.com/looks/101> and <https://looker.example.com/looks/102>"})"),
      ItemOutcome::kReplied);
  EXPECT_EQ(executor_.calls, 1);
  const std::vector<Json> posts = Posts();
  ASSERT_EQ(posts.size(), 1u);
  const std::string text = posts[0]["text"];
  EXPECT_THAT(text,
              HasSubstr("this message links 2 reports. I calculated the credit for the first one only"));
  EXPECT_THAT(text, HasSubstr("https://looker.example.com/looks/102"));
}

TEST_F(PipelineRetryTest, SucceedsOnARetryAndRepliesOnce) {
  executor_.results = {absl::UnavailableError("warehouse busy"), absl::OkStatus()};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kRetrying);
  clock_.Advance(absl::Minutes(15));
  EXPECT_EQ(HandleRequest(), ItemOutcome::kReplied);
  EXPECT_EQ(Record().status, RequestStatus::kReplied);
  EXPECT_EQ(Posts().size(), 1u);
}

TEST_F(PipelineRetryTest, ALinkTheRequesterCanFixIsAskedAboutInTheThreadThenTheEditIsAnswered) {
  // The local catalog cannot open dashboards: the requester is asked for the tile's link, the owner is not.
  EXPECT_EQ(HandleLine(R"({"type":"message","channel":"C1","user":"U1","ts":"1752588191.000100",)"
                       R"("text":"<https://looker.example.com/dashboards/7>"})"),
            ItemOutcome::kAsked);
  std::vector<std::string> lines = testing::ReadLines(dir_.File("outbox.jsonl"));
  ASSERT_EQ(lines.size(), 1u);  // the question; no reaction (the calculation never started)
  EXPECT_THAT(lines[0], HasSubstr("\"thread_ts\":\"1752588191.000100\""));
  EXPECT_THAT(lines[0], HasSubstr("link the tile's Look or Explore instead"));
  EXPECT_THAT(lines[0], HasSubstr("\"kind\":\"ask_fix\""));
  EXPECT_EQ(OwnerDms(), 0);
  EXPECT_EQ(Record().status, RequestStatus::kAsked);
  EXPECT_EQ(executor_.calls, 0);

  // The requester edits the message to link the tile's Look: the request is reopened and answered.
  EXPECT_EQ(
      HandleLine(R"({"type":"message","subtype":"message_changed","channel":"C1","ts":"1752590000.000001",)"
                 R"("message":{"type":"message","user":"U1","ts":"1752588191.000100",)"
                 R"("text":"<https://looker.example.com/looks/101>"},)"
                 R"("previous_message":{"type":"message","user":"U1","ts":"1752588191.000100",)"
                 R"("text":"<https://looker.example.com/dashboards/7>"}})"),
      ItemOutcome::kReplied);
  EXPECT_EQ(Record().status, RequestStatus::kReplied);
}

TEST_F(PipelineRetryTest, RefusedCredentialsWaitWithoutADmThenFailWithOne) {
  executor_.results = {absl::UnauthenticatedError("Trino answered 401"), absl::UnauthenticatedError("401"),
                       absl::UnauthenticatedError("Trino answered 401 again")};
  const absl::Time start = clock_.Now();
  Pipeline pipeline({*state_, *looks_, executor_, *audit_, *outbox_, *router_, clock_}, options_);
  EXPECT_TRUE(pipeline.credentials_refusal().ok());
  InboxItem item;
  item.message = *ParseSlackMessageLine(
      R"({"type":"message","channel":"C1","user":"U1","ts":"1752588191.000100","text":"<https://looker.example.com/looks/101>"})",
      "");
  EXPECT_EQ(pipeline.Handle(item), ItemOutcome::kCredentialsRefused);
  EXPECT_EQ(pipeline.credentials_refusal().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(pipeline.credentials_refusal().message(), HasSubstr("Trino answered 401"));
  EXPECT_EQ(Record().next_retry_at, start + absl::Minutes(15));
  EXPECT_EQ(Record().outcome, "retrying");
  EXPECT_EQ(OwnerDms(), 0);

  clock_.Set(start + absl::Minutes(15));
  EXPECT_EQ(pipeline.Handle(item), ItemOutcome::kCredentialsRefused);
  clock_.Set(start + absl::Minutes(45));
  EXPECT_EQ(pipeline.Handle(item), ItemOutcome::kFailed);  // the third of max_attempts = 3
  EXPECT_THAT(Record().detail, HasSubstr("after 3 attempts: Trino answered 401 again"));
  EXPECT_EQ(OwnerDms(), 1);
  EXPECT_EQ(ItemOutcomeName(ItemOutcome::kCredentialsRefused), "credentials_refused");
}

TEST_F(PipelineRetryTest, APassStopsAtRefusedCredentialsAndTheRestAreHandledOnALaterPass) {
  // Three requests; the warehouse refuses the credentials on the first one's query, then accepts them.
  const std::string inbox = dir_.File("inbox.jsonl");
  testing::WriteFile(
      inbox,
      R"({"type":"message","channel":"C1","user":"U1","ts":"1752588191.000100","text":"<https://looker.example.com/looks/101>"})"
      "\n"
      R"({"type":"message","channel":"C1","user":"U1","ts":"1752588192.000100","text":"<https://looker.example.com/looks/101>"})"
      "\n"
      R"({"type":"message","channel":"C1","user":"U1","ts":"1752588193.000100","text":"<https://looker.example.com/looks/101>"})"
      "\n");
  executor_.results = {absl::UnauthenticatedError("Trino answered 401 (user creditbot)")};
  LocalInbox source(inbox, "");
  Pipeline pipeline({*state_, *looks_, executor_, *audit_, *outbox_, *router_, clock_}, options_);
  absl::StatusOr<PassSummary> first = RunPass(source, pipeline, *state_, clock_, PassOptions{});
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(first.status().message(), HasSubstr("Trino answered 401 (user creditbot)"));
  EXPECT_EQ(executor_.calls, 1);  // the two after it were not tried
  EXPECT_FALSE(state_->Get("C1:1752588192.000100")->has_value());
  EXPECT_EQ(OwnerDms(), 0);

  // The lease was released: the next pass (once the first request is due) answers all three, once each.
  clock_.Advance(absl::Minutes(15));
  absl::StatusOr<PassSummary> second = RunPass(source, pipeline, *state_, clock_, PassOptions{});
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->outcomes, (std::map<std::string, int>{{"replied", 3}}));
  EXPECT_EQ(Posts().size(), 3u);
  EXPECT_EQ(OwnerDms(), 0);
}

TEST_F(PipelineRetryTest, AFailureForGoodRepliesOnceInTheThreadWithoutInternals) {
  executor_.results = {absl::FailedPreconditionError("rows span two parent accounts: ACa, ACb")};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  std::vector<Json> failures = PostsOfKind("failure");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0]["channel"], "C1");
  EXPECT_EQ(failures[0]["thread_ts"], "1752588191.000100");
  EXPECT_EQ(failures[0]["text"], kFailureReply);
  EXPECT_EQ(failures[0]["metadata"]["event_payload"]["request_key"], kKey);
  EXPECT_EQ(Record().outcome, "failed");
  EXPECT_EQ(OwnerDms(), 1);

  // The state is lost (or the pass crashed before recording): the request fails again, the owner may be
  // told again (at least once), but the thread already has our failure reply and gets no second one.
  std::filesystem::remove(dir_.File("state.db"));
  state_ = std::move(SqliteStateStore::Open(dir_.File("state.db"))).value();
  outbox_ = std::make_unique<LocalOutbox>(dir_.File("outbox.jsonl"));  // a new process
  executor_.results = {absl::FailedPreconditionError("rows span two parent accounts: ACa, ACb")};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  EXPECT_EQ(PostsOfKind("failure").size(), 1u);
  EXPECT_EQ(Record().status, RequestStatus::kFailed);
}

TEST_F(PipelineRetryTest, TheFailureReplyComesOnlyAfterTheLastRetry) {
  executor_.results = {absl::UnavailableError("warehouse busy"), absl::UnavailableError("warehouse busy"),
                       absl::UnavailableError("warehouse busy")};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kRetrying);
  EXPECT_THAT(PostsOfKind("failure"), IsEmpty());
  clock_.Advance(absl::Minutes(15));
  EXPECT_EQ(HandleRequest(), ItemOutcome::kRetrying);
  EXPECT_THAT(PostsOfKind("failure"), IsEmpty());
  clock_.Advance(absl::Minutes(30));
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  ASSERT_EQ(PostsOfKind("failure").size(), 1u);
  EXPECT_EQ(PostsOfKind("failure")[0]["text"], kFailureReply);
}

TEST_F(PipelineRetryTest, WithoutAnOwnerTheFailureReplyMentionsNobody) {
  options_.owner_user_id.clear();
  executor_.results = {absl::FailedPreconditionError("rows span two parent accounts: ACa, ACb")};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  std::vector<Json> failures = PostsOfKind("failure");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0]["text"],
            "I could not calculate this credit; the team running creditbot can look it up with reference "
            "C1:1752588191.000100.");
  EXPECT_EQ(OwnerDms(), 0);
}

TEST_F(PipelineRetryTest, TheOwnersDmLinksToTheRequestAndShowsTheReference) {
  executor_.results = {absl::FailedPreconditionError("rows span two parent accounts: ACa, ACb")};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  std::vector<Json> dms = PostsOfKind("owner_alert");
  ASSERT_EQ(dms.size(), 1u);
  const std::string text = dms[0]["text"];
  // The local mode knows no workspace: slack.com, channel C1, ts 1752588191.000100 without its dot.
  EXPECT_THAT(text, HasSubstr("https://slack.com/archives/C1/p1752588191000100"));
  EXPECT_THAT(text, HasSubstr("reference C1:1752588191.000100"));
  EXPECT_THAT(text, HasSubstr("ACa, ACb"));  // the owner gets the internals; the requester does not
}

TEST_F(PipelineRetryTest, AFailureReplyThatCannotBePostedIsTriedAgainWithoutASecondDm) {
  RefusingReplier refusing(*outbox_);
  refusing.refuse_failure_replies = 1;
  replier_ = &refusing;
  executor_.results = {absl::FailedPreconditionError("rows span two parent accounts: ACa, ACb"),
                       absl::FailedPreconditionError("rows span two parent accounts: ACa, ACb")};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  EXPECT_EQ(Record().outcome, "failed_unanswered");
  EXPECT_EQ(Record().next_retry_at, clock_.Now());
  EXPECT_THAT(PostsOfKind("failure"), IsEmpty());
  EXPECT_EQ(OwnerDms(), 1);

  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  EXPECT_EQ(PostsOfKind("failure").size(), 1u);
  EXPECT_EQ(OwnerDms(), 1);  // told on the first pass; not told twice
  EXPECT_EQ(Record().outcome, "failed");
  EXPECT_THAT(Reactions(), ElementsAre("add eyes", "remove eyes", "add x"));
}

TEST_F(PipelineRetryTest, ACreditSwapsTheEyesForACheckMark) {
  EXPECT_EQ(HandleRequest(), ItemOutcome::kReplied);
  EXPECT_THAT(Reactions(), ElementsAre("add eyes", "remove eyes", "add white_check_mark"));
}

TEST_F(PipelineRetryTest, ARetryKeepsTheEyesUntilTheRequestIsAnswered) {
  executor_.results = {absl::UnavailableError("warehouse busy"), absl::OkStatus()};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kRetrying);
  EXPECT_THAT(Reactions(), ElementsAre("add eyes"));
  clock_.Advance(absl::Minutes(15));
  outbox_ = std::make_unique<LocalOutbox>(dir_.File("outbox.jsonl"));  // the next pass is a new process
  EXPECT_EQ(HandleRequest(), ItemOutcome::kReplied);
  EXPECT_THAT(Reactions(), ElementsAre("add eyes", "remove eyes", "add white_check_mark"));
}

TEST_F(PipelineRetryTest, AFailureForGoodEndsWithACross) {
  executor_.results = {absl::FailedPreconditionError("rows span two parent accounts: ACa, ACb")};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kFailed);
  EXPECT_THAT(Reactions(), ElementsAre("add eyes", "remove eyes", "add x"));
}

TEST_F(PipelineRetryTest, AnIgnoredRequestEndsWithNoReactionOfOurs) {
  // SQL the default policy's "(?i)authy" does not match: routed to no policy, ignored.
  testing::WriteFile(dir_.File("looks/102.sql"), "SELECT 1 AS psms_day");
  EXPECT_EQ(HandleLine(R"({"type":"message","channel":"C1","user":"U1","ts":"1752588191.000100",)"
                       R"("text":"<https://looker.example.com/looks/102>"})"),
            ItemOutcome::kIgnored);
  EXPECT_THAT(Reactions(), IsEmpty());
  EXPECT_THAT(Posts(), IsEmpty());
}

TEST_F(PipelineRetryTest, RefusedSqlTellsTheRequesterAndTheOwner) {
  testing::WriteFile(dir_.File("looks/103.sql"), "DELETE FROM authy_attempts");
  EXPECT_EQ(HandleLine(R"({"type":"message","channel":"C1","user":"U1","ts":"1752588191.000100",)"
                       R"("text":"<https://looker.example.com/looks/103>"})"),
            ItemOutcome::kRefused);
  ASSERT_EQ(PostsOfKind("failure").size(), 1u);
  EXPECT_EQ(PostsOfKind("failure")[0]["text"], kFailureReply);
  EXPECT_THAT(PostsOfKind("failure")[0]["text"].get<std::string>(), Not(HasSubstr("DELETE")));
  EXPECT_EQ(OwnerDms(), 1);
  EXPECT_THAT(Reactions(), ElementsAre("add x"));  // never calculated: no eyes
  EXPECT_EQ(executor_.calls, 0);
}

// --- the ledger and decisions in the thread (issue 17) ------------------------------------------------
// Every credit reply becomes a ledger entry (awaiting a decision above the policy's limit, approved by
// policy within it), recorded once even when the request is handled again; decision commands in a
// request's thread go to the DecisionDesk once each, and what the desk refuses is answered to the
// command's author alone; `recalculate` supersedes the entry and posts a new reply, once. The desk is a
// recording stand-in (its own rules are LedgerDecisionDesk's tests').

constexpr char kRequestLine[] =
    R"({"type":"message","channel":"C1","user":"U0ANALYST","ts":"1752588191.000100",)"
    R"("text":"<https://looker.example.com/looks/101>"})";

// A thread reply in the request's thread.
std::string ThreadLine(const std::string& ts, const std::string& user, const std::string& text) {
  return Json{{"type", "message"},
              {"channel", "C1"},
              {"user", user},
              {"ts", ts},
              {"thread_ts", "1752588191.000100"},
              {"parent_user_id", "U0ANALYST"},
              {"text", text}}
      .dump();
}

// Two lines of one cell and one of another: a report the ledger's cells can be checked on by hand.
CreditReport Report(bool needs_approval) {
  CreditReport report;
  report.product = "verify";
  report.policy_name = "verify";
  report.policy_version = "2025-07";
  report.policy_sha256 = "ab12";
  report.parent_account_sid = "ACparent";
  report.fraud_start = absl::CivilDay(2025, 7, 1);
  report.fraud_end = absl::CivilDay(2025, 7, 2);
  report.credit_amount = *Decimal::Parse("255.00");
  report.needs_approval = needs_approval;
  auto text = std::make_shared<const LineText>(LineText{"ACchild", "VAservice", "310", "260", "US"});
  auto other = std::make_shared<const LineText>(LineText{"ACchild", "VAservice", "234", "", "GB"});
  for (auto [day, line_text, credited] :
       std::vector<std::tuple<int, std::shared_ptr<const LineText>, const char*>>{
           {1, text, "100.00"}, {1, text, "55.00"}, {2, other, "100.00"}}) {
    CreditLine line;
    line.day = absl::CivilDay(2025, 7, day);
    line.text = line_text;
    line.credited = *Decimal::Parse(credited);
    report.lines.push_back(line);
  }
  return report;
}

// Records what it is asked; answers as scripted.
class RecordingDesk final : public DecisionDesk {
 public:
  bool IsApprover(const std::string& user) override { return user == "U0APPROVER"; }
  std::string WhoCanDecide() override { return "<@U0APPROVER>"; }
  DecisionAnswer Decide(const DecisionRequest& request) override {
    requests.push_back(request);
    DecisionAnswer answer;
    if (!IsApprover(request.actor)) {
      answer.kind = DecisionAnswer::Kind::kNotApprover;
      answer.message = "Only <@U0APPROVER> can decide on this credit.";
      return answer;
    }
    answer.kind = answers.empty() ? DecisionAnswer::Kind::kDecided : answers.front();
    if (!answers.empty()) answers.pop_front();
    answer.message =
        answer.kind == DecisionAnswer::Kind::kAlreadyDecided ? "already approved by <@U0APPROVER>" : "";
    return answer;
  }
  int FinishPendingUpdates() override { return ++finish_calls; }

  std::vector<DecisionRequest> requests;
  std::deque<DecisionAnswer::Kind> answers;
  int finish_calls = 0;
};

// The retry fixture's files, one pipeline kept across items (as in a pass) and a recording desk.
class PipelineLedgerTest : public PipelineRetryTest {
 protected:
  void SetUp() override {
    PipelineRetryTest::SetUp();
    options_.max_attempts = 5;
    executor_.report = Report(/*needs_approval=*/true);
    NewPipeline();
  }
  // A new process: a new pipeline (it remembers nothing) on the same files.
  void NewPipeline() {
    pipeline_ = std::make_unique<Pipeline>(
        PipelineDeps{*state_, *looks_, executor_, *audit_, *outbox_, *router_, clock_}, options_);
    pipeline_->set_decision_desk(&desk_);
  }
  ItemOutcome Handle(const std::string& line) {
    InboxItem item;
    item.message = *ParseSlackMessageLine(line, "");
    return pipeline_->Handle(item);
  }
  std::vector<LedgerEntry> Ledger() {
    LedgerFilter filter;
    filter.request_key = kKey;
    std::vector<LedgerEntry> entries = *state_->ListLedger(filter);
    return {entries.rbegin(), entries.rend()};  // oldest first
  }
  std::vector<Json> Lines(const std::string& method) {
    std::vector<Json> lines;
    for (const std::string& line : testing::ReadLines(dir_.File("outbox.jsonl"))) {
      Json entry = Json::parse(line);
      if (entry.value("method", "") == method) lines.push_back(std::move(entry));
    }
    return lines;
  }

  RecordingDesk desk_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(PipelineLedgerTest, ACreditThatNeedsApprovalIsRecordedAwaiting) {
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  std::vector<LedgerEntry> ledger = Ledger();
  ASSERT_EQ(ledger.size(), 1u);
  const LedgerEntry& entry = ledger[0];
  const RequestRecord record = **state_->Get(kKey);
  EXPECT_EQ(entry.execution_id, record.execution_id);
  EXPECT_EQ(entry.reply_ts, record.reply_ts);
  EXPECT_EQ(entry.request_key, kKey);
  EXPECT_EQ(entry.channel, "C1");
  EXPECT_EQ(entry.ts, "1752588191.000100");
  EXPECT_EQ(entry.requester, "U0ANALYST");
  EXPECT_EQ(entry.parent_account_sid, "ACparent");
  EXPECT_EQ(entry.product, "verify");
  EXPECT_EQ(entry.fraud_start, absl::CivilDay(2025, 7, 1));
  EXPECT_EQ(entry.fraud_end, absl::CivilDay(2025, 7, 2));
  EXPECT_EQ(entry.recommended_amount, "255.00");
  EXPECT_EQ(entry.policy_name, "verify");
  EXPECT_EQ(entry.policy_version, "2025-07");
  EXPECT_EQ(entry.policy_sha256, "ab12");
  EXPECT_FALSE(entry.dry_run);
  EXPECT_EQ(entry.created_at, clock_.Now());
  EXPECT_EQ(entry.status, LedgerStatus::kAwaiting);
  EXPECT_EQ(entry.final_amount, "");
  EXPECT_EQ(entry.decided_by, "");
  // Two cells: July 1st's two lines summed (100.00 + 55.00), July 2nd's line.
  ASSERT_EQ(entry.cells.size(), 2u);
  EXPECT_EQ(entry.cells[0].day, absl::CivilDay(2025, 7, 1));
  EXPECT_EQ(entry.cells[0].account_sid, "ACchild");
  EXPECT_EQ(entry.cells[0].service_sid, "VAservice");
  EXPECT_EQ(entry.cells[0].mcc, "310");
  EXPECT_EQ(entry.cells[0].mnc, "260");
  EXPECT_EQ(entry.cells[0].credited, "155.00");
  EXPECT_EQ(entry.cells[1].day, absl::CivilDay(2025, 7, 2));
  EXPECT_EQ(entry.cells[1].mcc, "234");
  EXPECT_EQ(entry.cells[1].mnc, "");
  EXPECT_EQ(entry.cells[1].credited, "100.00");
}

// Three countries credited a third of 1.00 each: rounded one by one they would show 0.33 three times beside
// a credit of 1.00; the entry's country and mode sums add up to the credit, as the reply's breakdown does.
TEST_F(PipelineLedgerTest, TheCountryAndModeSumsAddUpToTheCredit) {
  CreditReport report = Report(/*needs_approval=*/true);
  report.credit_amount = *Decimal::Parse("1.00");
  report.lines.clear();
  const Decimal third = *Decimal::Parse("0.333333333333");
  for (const char* country : {"AZ", "GB", "US"}) {
    CreditLine line;
    line.day = absl::CivilDay(2025, 7, 1);
    line.text = std::make_shared<const LineText>(LineText{"ACchild", "VAservice", "310", "260", country});
    line.credited = third;
    report.lines.push_back(line);
  }
  report.output_df = FraudGuardBreakdown();
  for (ModeBreakdown& mode : report.output_df) {
    if (mode.mode != Mode::kOff) mode.credit_in_mode = third;
  }
  executor_.report = report;
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  const LedgerEntry entry = Ledger().at(0);
  // The largest remainders (ties: the earlier) take the missing cent: AZ, and basic.
  EXPECT_EQ(entry.credited_by_country,
            (std::map<std::string, std::string>{{"AZ", "0.34"}, {"GB", "0.33"}, {"US", "0.33"}}));
  EXPECT_EQ(entry.credited_by_mode,
            (std::map<std::string, std::string>{
                {"off", "0.00"}, {"basic", "0.34"}, {"standard", "0.33"}, {"max", "0.33"}}));
}

// Lines of one cell apart from each other (as a remote executor may give them) are summed into the cell's
// first place; the cells keep the order of the report, not a sorted one. Sums by hand: 1.00 + 0.10 on July
// 2nd's GB cell, 2.00 + 0.20 on July 1st's US cell.
TEST_F(PipelineLedgerTest, LinesOfOneCellApartAreSummedInTheOrderOfTheReport) {
  CreditReport report = Report(/*needs_approval=*/true);
  report.lines.clear();
  auto us = std::make_shared<const LineText>(LineText{"ACchild", "VAservice", "310", "260", "US"});
  auto gb = std::make_shared<const LineText>(LineText{"ACchild", "VAservice", "234", "", "GB"});
  for (auto [day, line_text, credited] :
       std::vector<std::tuple<int, std::shared_ptr<const LineText>, const char*>>{
           {2, gb, "1.00"}, {1, us, "2.00"}, {2, gb, "0.10"}, {1, us, "0.20"}}) {
    CreditLine line;
    line.day = absl::CivilDay(2025, 7, day);
    line.text = line_text;
    line.credited = *Decimal::Parse(credited);
    report.lines.push_back(line);
  }
  executor_.report = report;
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  const LedgerEntry entry = Ledger().at(0);
  ASSERT_EQ(entry.cells.size(), 2u);
  EXPECT_EQ(entry.cells[0].day, absl::CivilDay(2025, 7, 2));
  EXPECT_EQ(entry.cells[0].mcc, "234");
  EXPECT_EQ(entry.cells[0].credited, "1.10");
  EXPECT_EQ(entry.cells[1].day, absl::CivilDay(2025, 7, 1));
  EXPECT_EQ(entry.cells[1].mcc, "310");
  EXPECT_EQ(entry.cells[1].credited, "2.20");
}

TEST_F(PipelineLedgerTest, ACreditWithinTheLimitIsApprovedByPolicy) {
  executor_.report = Report(/*needs_approval=*/false);
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  std::vector<LedgerEntry> ledger = Ledger();
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].status, LedgerStatus::kAutoApproved);
  EXPECT_EQ(ledger[0].decided_by, "policy");
  EXPECT_EQ(ledger[0].final_amount, "255.00");
  EXPECT_EQ(ledger[0].decided_at, clock_.Now());
}

TEST_F(PipelineLedgerTest, ARequestHandledAgainAfterALostFinishKeepsItsOneEntry) {
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  const std::string first = Ledger()[0].execution_id;
  ASSERT_TRUE(state_->Forget(kKey).ok());  // as if the pass died between the entry and the record
  clock_.Advance(absl::Seconds(5));
  outbox_ = std::make_unique<LocalOutbox>(dir_.File("outbox.jsonl"));
  NewPipeline();
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  ASSERT_EQ(Ledger().size(), 1u);
  EXPECT_EQ(Ledger()[0].execution_id, first);
  EXPECT_EQ((**state_->Get(kKey)).execution_id, first);
  EXPECT_EQ(Lines("").size(), 1u);  // one reply
}

TEST_F(PipelineLedgerTest, AReplyPostedButNotRecordedIsRecordedUnderTheExecutionIdItsButtonsCarry) {
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  const std::string posted = Ledger()[0].execution_id;
  const std::string posted_ts = Ledger()[0].reply_ts;
  // As if the first attempt died between posting the reply and recording anything: a state without the
  // entry or the record, the same outbox (the reply is there, its buttons carrying `posted`).
  state_ = std::move(SqliteStateStore::Open(dir_.File("state-after-crash.db"))).value();
  clock_.Advance(absl::Seconds(5));
  outbox_ = std::make_unique<LocalOutbox>(dir_.File("outbox.jsonl"));
  NewPipeline();
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  std::vector<LedgerEntry> ledger = Ledger();
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].execution_id, posted);  // what Approve on that reply names
  EXPECT_EQ(ledger[0].reply_ts, posted_ts);   // the post's own line, as Post named it
  EXPECT_EQ((**state_->Get(kKey)).execution_id, posted);
  EXPECT_EQ(Lines("").size(), 1u);  // still one reply
}

TEST_F(PipelineLedgerTest, AThreadCommandGoesToTheDeskOnce) {
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  const std::string approve = ThreadLine("1752600000.000010", "U0APPROVER", "approve");
  EXPECT_EQ(Handle(approve), ItemOutcome::kCommand);
  EXPECT_EQ(Handle(approve), ItemOutcome::kAlreadyHandled);
  NewPipeline();
  EXPECT_EQ(Handle(approve), ItemOutcome::kAlreadyHandled);
  ASSERT_EQ(desk_.requests.size(), 1u);
  EXPECT_EQ(desk_.requests[0].execution_id, Ledger()[0].execution_id);
  EXPECT_EQ(desk_.requests[0].command.verb, DecisionVerb::kApprove);
  EXPECT_EQ(desk_.requests[0].actor, "U0APPROVER");
  EXPECT_EQ(desk_.requests[0].via, "thread");
  EXPECT_TRUE(Lines("chat.postEphemeral").empty());  // the desk's update of the reply is the answer
  EXPECT_EQ((**state_->Get("C1:1752600000.000010")).outcome, "approve");
}

TEST_F(PipelineLedgerTest, RefusalsAndMalformedCommandsAreAnsweredToTheirAuthorAlone) {
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  EXPECT_EQ(Handle(ThreadLine("1752600000.000010", "U0BYSTANDER", "approve")), ItemOutcome::kCommand);
  EXPECT_EQ(Handle(ThreadLine("1752600000.000011", "U0APPROVER", "adjust -5 oops")), ItemOutcome::kCommand);
  desk_.answers = {DecisionAnswer::Kind::kAlreadyDecided};
  EXPECT_EQ(Handle(ThreadLine("1752600000.000012", "U0APPROVER", "approve")), ItemOutcome::kCommand);
  std::vector<Json> answers = Lines("chat.postEphemeral");
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0]["user"], "U0BYSTANDER");
  EXPECT_EQ(answers[0]["text"], "Only <@U0APPROVER> can decide on this credit.");
  EXPECT_EQ(answers[0]["channel"], "C1");
  EXPECT_EQ(answers[0]["thread_ts"], "1752588191.000100");
  EXPECT_EQ(answers[1]["user"], "U0APPROVER");
  EXPECT_NE(answers[1]["text"], "");  // ParseDecisionCommand's words for a negative amount
  EXPECT_EQ(answers[2]["text"], "already approved by <@U0APPROVER>");
  EXPECT_EQ(desk_.requests.size(), 2u);  // the malformed one never reached the desk
}

TEST_F(PipelineLedgerTest, ConversationAndCommandsInThreadsWithoutACreditAreSkipped) {
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  EXPECT_EQ(Handle(ThreadLine("1752600000.000010", "U0APPROVER", "thanks, will look")),
            ItemOutcome::kSkipped);
  // "approve" in the thread of a message creditbot never answered with a credit.
  std::string elsewhere = ThreadLine("1752600000.000011", "U0APPROVER", "approve");
  elsewhere.replace(elsewhere.find("1752588191.000100"), 17, "1752500000.000001");
  EXPECT_EQ(Handle(elsewhere), ItemOutcome::kSkipped);
  EXPECT_TRUE(desk_.requests.empty());
  EXPECT_TRUE(Lines("chat.postEphemeral").empty());
}

TEST_F(PipelineLedgerTest, RecalculateSupersedesTheEntryAndPostsOnce) {
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  const LedgerEntry first = Ledger()[0];
  clock_.Advance(absl::Minutes(10));
  // A non-approver cannot; an approver can, and the request is recalculated at once (this pipeline saw it).
  EXPECT_EQ(Handle(ThreadLine("1752600000.000010", "U0BYSTANDER", "recalculate")), ItemOutcome::kCommand);
  EXPECT_EQ(Ledger().size(), 1u);
  EXPECT_EQ(Handle(ThreadLine("1752600000.000011", "U0APPROVER", "recalculate")), ItemOutcome::kCommand);
  EXPECT_EQ(executor_.calls, 2);

  std::vector<LedgerEntry> ledger = Ledger();
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].execution_id, first.execution_id);
  EXPECT_EQ(ledger[0].status, LedgerStatus::kSuperseded);
  EXPECT_EQ(ledger[0].superseded_by, ledger[1].execution_id);
  EXPECT_EQ(ledger[1].status, LedgerStatus::kAwaiting);
  const RequestRecord record = **state_->Get(kKey);
  EXPECT_EQ(record.status, RequestStatus::kReplied);
  EXPECT_EQ(record.execution_id, ledger[1].execution_id);
  EXPECT_EQ(record.reply_ts, ledger[1].reply_ts);

  std::vector<Json> posts = Lines("");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1]["metadata"]["event_payload"]["kind"], "recalc:" + ledger[1].execution_id);
  EXPECT_EQ(posts[1]["thread_ts"], "1752588191.000100");
  std::vector<Json> updates = Lines("chat.update");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0]["ts"], first.reply_ts);
  EXPECT_THAT(updates[0].dump(),
              HasSubstr("Superseded by a recalculation (execution " + ledger[1].execution_id + ")"));
  std::vector<Json> answers = Lines("chat.postEphemeral");
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0]["user"], "U0BYSTANDER");
  EXPECT_EQ(answers[0]["text"], "Only <@U0APPROVER> can ask for a recalculation.");

  // Handled again (the next pass reads the same lines): nothing more.
  NewPipeline();
  EXPECT_EQ(Handle(kRequestLine), ItemOutcome::kAlreadyHandled);
  EXPECT_EQ(Handle(ThreadLine("1752600000.000011", "U0APPROVER", "recalculate")),
            ItemOutcome::kAlreadyHandled);
  EXPECT_EQ(Ledger().size(), 2u);
  EXPECT_EQ(Lines("").size(), 2u);
}

TEST_F(PipelineLedgerTest, ARecalculationAskedForInAnotherProcessRunsWhenTheRequestComesBack) {
  ASSERT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  clock_.Advance(absl::Minutes(10));  // the ledger lists by creation time
  NewPipeline();                      // serve, say, after a restart: it has not seen the request's message
  EXPECT_EQ(Handle(ThreadLine("1752600000.000011", "U0APPROVER", "recalculate")), ItemOutcome::kCommand);
  std::vector<Json> answers = Lines("chat.postEphemeral");
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_THAT(answers[0]["text"].get<std::string>(), HasSubstr("Recalculating"));
  std::vector<LedgerEntry> ledger = Ledger();
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger[0].status, LedgerStatus::kSuperseded);
  const std::string pending = ledger[0].superseded_by;
  // A decision meanwhile is told the recalculation is under way.
  EXPECT_EQ(Handle(ThreadLine("1752600000.000012", "U0APPROVER", "approve")), ItemOutcome::kCommand);
  EXPECT_TRUE(desk_.requests.empty());
  // The request's message comes back (the next pass, the catch-up): recalculated under the pending id.
  EXPECT_EQ(Handle(kRequestLine), ItemOutcome::kReplied);
  ledger = Ledger();
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[1].execution_id, pending);
  EXPECT_EQ(Lines("chat.update").size(), 1u);
}

TEST_F(PipelineLedgerTest, FinishPendingDecisionsAsksTheDesk) {
  EXPECT_EQ(pipeline_->FinishPendingDecisions(), 1);
  pipeline_->set_decision_desk(nullptr);
  EXPECT_EQ(pipeline_->FinishPendingDecisions(), 0);
}

TEST(LocalOutboxReactions, DryRunReactionsAreMarkedAndNeverRepeated) {
  testing::TempDir dir;
  LocalOutbox outbox(dir.File("outbox.jsonl"), /*mark_dry_run=*/true);
  EXPECT_TRUE(outbox.AddReaction("C1", "1.2", "eyes"));
  EXPECT_TRUE(outbox.AddReaction("C1", "1.2", "eyes"));  // already there: no second line
  outbox.RemoveReaction("C1", "1.2", "eyes");
  outbox.RemoveReaction("C1", "1.2", "eyes");  // not there: no line
  outbox.RemoveReaction("C1", "1.3", "x");     // never added: no line
  std::vector<std::string> lines = testing::ReadLines(dir.File("outbox.jsonl"));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Json::parse(lines[0]),
            Json::parse(R"({"method":"reactions.add","channel":"C1","timestamp":"1.2","name":"eyes",)"
                        R"("dry_run":true})"));
  EXPECT_EQ(Json::parse(lines[1]),
            Json::parse(R"({"method":"reactions.remove","channel":"C1","timestamp":"1.2","name":"eyes",)"
                        R"("dry_run":true})"));
  // A live outbox on the same file sees no live reaction: dry-run lines are not Slack's state.
  LocalOutbox live(dir.File("outbox.jsonl"));
  live.RemoveReaction("C1", "1.2", "eyes");
  EXPECT_EQ(testing::ReadLines(dir.File("outbox.jsonl")).size(), 2u);
}

TEST(Permalink, IsTheWorkspaceArchiveLinkOfTheMessage) {
  // Slack's documented example: ghostbusters.slack.com, C1H9RESGA, ts 1358546515.000008.
  EXPECT_EQ(BuildPermalink("https://ghostbusters.slack.com/", "C1H9RESGA", "1358546515.000008"),
            "https://ghostbusters.slack.com/archives/C1H9RESGA/p1358546515000008");
  EXPECT_EQ(BuildPermalink("https://ghostbusters.slack.com", "C1H9RESGA", "1358546515.000008"),
            "https://ghostbusters.slack.com/archives/C1H9RESGA/p1358546515000008");
  EXPECT_EQ(BuildPermalink("", "C1", "1.2"), "");
}

}  // namespace
}  // namespace creditbot
