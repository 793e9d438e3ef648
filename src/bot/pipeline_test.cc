// Tests of the pipeline's retry rule: transient failures come back with exponential backoff up to the
// attempt limit, then fail with one DM to the owner; permanent failures fail at once; refused credentials
// wait like transient failures and stop the pass (RunPass) without losing the messages after them. The
// executor is a scripted stand-in for the Executor seam; everything else is the real code on temporary files.
#include "bot/pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>

#include "bot/pass.h"
#include "state/sqlite_state_store.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;

class ScriptedExecutor final : public Executor {
 public:
  absl::StatusOr<CreditReport> Execute(const CalcRequest&) override {
    ++calls;
    if (results.empty()) return CreditReport{};
    absl::Status next = results.front();
    results.pop_front();
    if (next.ok()) return CreditReport{};
    return next;
  }
  std::deque<absl::Status> results;
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
    Pipeline pipeline({*state_, *looks_, executor_, *audit_, *outbox_, *router_, clock_}, options_);
    InboxItem item;
    item.message = *ParseSlackMessageLine(line, "");
    return pipeline.Handle(item);
  }
  ItemOutcome HandleRequest() {
    return HandleLine(
        R"({"type":"message","channel":"C1","user":"U1","ts":"1752588191.000100","text":"<https://looker.example.com/looks/101>"})");
  }
  RequestRecord Record() { return **state_->Get("C1:1752588191.000100"); }
  int OwnerDms() {
    int dms = 0;
    for (const std::string& line : testing::ReadLines(dir_.File("outbox.jsonl")))
      dms += line.find("U0OWNER") != std::string::npos;
    return dms;
  }

  testing::TempDir dir_;
  FakeClock clock_{absl::FromUnixSeconds(1752600000)};
  ScriptedExecutor executor_;
  std::unique_ptr<SqliteStateStore> state_;
  std::unique_ptr<ProductRouter> router_;
  std::unique_ptr<LookCatalog> looks_;
  std::unique_ptr<FolderAuditSink> audit_;
  std::unique_ptr<LocalOutbox> outbox_;
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

TEST_F(PipelineRetryTest, SucceedsOnARetryAndRepliesOnce) {
  executor_.results = {absl::UnavailableError("warehouse busy"), absl::OkStatus()};
  EXPECT_EQ(HandleRequest(), ItemOutcome::kRetrying);
  clock_.Advance(absl::Minutes(15));
  EXPECT_EQ(HandleRequest(), ItemOutcome::kReplied);
  EXPECT_EQ(Record().status, RequestStatus::kReplied);
  EXPECT_EQ(testing::ReadLines(dir_.File("outbox.jsonl")).size(), 1u);
}

TEST_F(PipelineRetryTest, ALinkTheRequesterCanFixIsAskedAboutInTheThreadThenTheEditIsAnswered) {
  // The local catalog cannot open dashboards: the requester is asked for the tile's link, the owner is not.
  EXPECT_EQ(HandleLine(R"({"type":"message","channel":"C1","user":"U1","ts":"1752588191.000100",)"
                       R"("text":"<https://looker.example.com/dashboards/7>"})"),
            ItemOutcome::kAsked);
  std::vector<std::string> lines = testing::ReadLines(dir_.File("outbox.jsonl"));
  ASSERT_EQ(lines.size(), 1u);
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
  EXPECT_EQ(testing::ReadLines(dir_.File("outbox.jsonl")).size(), 3u);
  EXPECT_EQ(OwnerDms(), 0);
}

}  // namespace
}  // namespace creditbot
