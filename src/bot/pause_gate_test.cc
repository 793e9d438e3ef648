// Tests of the pause switch as the pass and the pipeline honour it (issue 22): the gate reads the store at
// most every max_age (never beyond 5 s) and exports creditbot_paused; a pass while paused reads its messages
// but records, posts and commits nothing, and the pass after the resume handles each of them once. The real
// SQLite store, look catalog, audit folder and outbox on temporary files; the executor is a stand-in that
// refuses every calculation (a permanent failure), so "handled" shows as a record and a failure reply.
#include "bot/pause_gate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "bot/pass.h"
#include "bot/pipeline.h"
#include "common/metrics.h"
#include "common/sqlite_db.h"
#include "state/sqlite_state_store.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1752588191);

PauseState Paused(const std::string& reason) { return PauseState{true, "U0OPS", kNow, reason}; }

class PauseGateTest : public ::testing::Test {
 protected:
  void SetUp() override { state_ = std::move(SqliteStateStore::Open(dir_.File("state.db"))).value(); }
  // Another process switching the store.
  void Switch(const PauseState& next) {
    std::unique_ptr<SqliteStateStore> other =
        std::move(SqliteStateStore::Open(dir_.File("state.db"))).value();
    ASSERT_TRUE(other->SetPause(next)->applied);
  }

  testing::TempDir dir_;
  std::unique_ptr<SqliteStateStore> state_;
  FakeClock clock_{kNow};
};

TEST_F(PauseGateTest, ReadsTheStoreAgainOnlyOnceTheLastReadIsMaxAgeOld) {
  PauseGate gate(*state_, clock_, PauseGateOptions{absl::Seconds(2)});
  EXPECT_FALSE(gate.Paused());
  Switch(Paused("incident 42"));
  clock_.Advance(absl::Milliseconds(1999));
  EXPECT_FALSE(gate.Paused());  // the read of 1.999 s ago still holds
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_EQ(gate.Current(), Paused("incident 42"));
  Switch(PauseState{false, "U0OPS", kNow + absl::Seconds(3), ""});
  gate.Invalidate();  // e.g. this process switched it: read at once
  EXPECT_FALSE(gate.Paused());
}

TEST_F(PauseGateTest, NoPauseGoesUnnoticedForMoreThanFiveSeconds) {
  PauseGate gate(*state_, clock_, PauseGateOptions{absl::Minutes(10)});
  EXPECT_FALSE(gate.Paused());
  Switch(Paused("incident 42"));
  clock_.Advance(absl::Milliseconds(4999));
  EXPECT_FALSE(gate.Paused());
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_TRUE(gate.Paused());
}

TEST_F(PauseGateTest, EveryReadSetsTheGauge) {
  PauseGate gate(*state_, clock_, PauseGateOptions{absl::ZeroDuration()});
  EXPECT_FALSE(gate.Paused());
  EXPECT_THAT(GlobalMetrics().Render(), HasSubstr("\ncreditbot_paused 0\n"));
  Switch(Paused("incident 42"));
  EXPECT_TRUE(gate.Paused());
  EXPECT_THAT(GlobalMetrics().Render(), HasSubstr("\ncreditbot_paused 1\n"));
  Switch(PauseState{false, "U0OPS", kNow, ""});
  EXPECT_FALSE(gate.Paused());
  EXPECT_THAT(GlobalMetrics().Render(), HasSubstr("\ncreditbot_paused 0\n"));
}

TEST_F(PauseGateTest, AFlagThatCannotBeReadCountsAsPaused) {
  {
    absl::StatusOr<SqliteDb> db = SqliteDb::Open(dir_.File("state.db"), SqliteDb::OpenMode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("DROP TABLE pause").ok());  // a store that cannot answer
  }
  PauseGate gate(*state_, clock_);
  const PauseState state = gate.Current();
  EXPECT_TRUE(state.paused);
  EXPECT_THAT(state.reason, ::testing::StartsWith("the pause switch could not be read: "));
  EXPECT_THAT(state.reason, HasSubstr("no such table: pause"));
}

// Refuses every calculation for good, so a handled request ends `failed` with a record and one reply.
class RefusingExecutor final : public Executor {
 public:
  absl::StatusOr<CreditReport> Execute(const CalcRequest&) override {
    ++calls;
    return absl::InvalidArgumentError("refused by the test");
  }
  int calls = 0;
};

// Two requests, and how often the pass committed its read position.
class TwoRequests final : public MessageSource {
 public:
  absl::StatusOr<std::vector<InboxItem>> Fetch() override {
    std::vector<InboxItem> items;
    for (const char* ts : {"1752588191.000100", "1752588192.000100"}) {
      InboxItem item;
      item.message =
          *ParseSlackMessageLine(absl::StrCat(R"({"type":"message","channel":"C1","user":"U1","ts":")", ts,
                                              R"(","text":"<https://looker.example.com/looks/101>"})"),
                                 "");
      item.origin = ts;
      items.push_back(std::move(item));
    }
    return items;
  }
  absl::Status Commit() override {
    ++commits;
    return absl::OkStatus();
  }
  int commits = 0;
};

class PausedPassTest : public PauseGateTest {
 protected:
  void SetUp() override {
    PauseGateTest::SetUp();
    testing::WriteFile(dir_.File("looks/101.sql"), "SELECT 1 AS authy_day");
    router_ = std::make_unique<ProductRouter>(std::move(ProductRouter::Create({CreditPolicy{}})).value());
    looks_ = std::make_unique<LookCatalog>(dir_.File("looks"));
    audit_ = std::make_unique<FolderAuditSink>(dir_.File("audit"));
    outbox_ = std::make_unique<LocalOutbox>(dir_.File("outbox.jsonl"));
    options_.dry_run = false;
    options_.triage.looker = *ParseLookerBase("https://looker.example.com");
  }
  absl::StatusOr<PassSummary> Pass() {
    Pipeline pipeline({*state_, *looks_, executor_, *audit_, *outbox_, *router_, clock_}, options_);
    PauseGate gate(*state_, clock_);
    pipeline.set_pause_gate(&gate);
    return RunPass(source_, pipeline, *state_, clock_, PassOptions{});
  }
  std::vector<std::string> OutboxLines() { return testing::ReadLines(dir_.File("outbox.jsonl")); }

  std::unique_ptr<ProductRouter> router_;
  std::unique_ptr<LookCatalog> looks_;
  std::unique_ptr<FolderAuditSink> audit_;
  std::unique_ptr<LocalOutbox> outbox_;
  RefusingExecutor executor_;
  PipelineOptions options_;
  TwoRequests source_;
};

TEST_F(PausedPassTest,
       WhilePausedAPassReadsButRecordsPostsAndCommitsNothingAndAfterTheResumeHandlesEachOnce) {
  Switch(Paused("warehouse migration"));
  absl::StatusOr<PassSummary> paused = Pass();
  ASSERT_TRUE(paused.ok()) << paused.status();
  EXPECT_EQ(paused->items, 2);
  EXPECT_EQ(paused->outcomes, (std::map<std::string, int>{{"paused", 2}}));
  ASSERT_TRUE(paused->paused.has_value());
  EXPECT_EQ(*paused->paused, Paused("warehouse migration"));
  EXPECT_EQ(source_.commits, 0);
  EXPECT_EQ(executor_.calls, 0);
  EXPECT_EQ(state_->Stats()->total, 0);  // nothing claimed or recorded
  EXPECT_TRUE(OutboxLines().empty());    // nothing posted
  // The lease was given back: the next pass is not kept out.
  EXPECT_TRUE(*state_->AcquireLease("pass", "other", kNow, absl::Minutes(1)));
  ASSERT_TRUE(state_->ReleaseLease("pass", "other").ok());

  Switch(PauseState{false, "U0OPS", kNow + absl::Minutes(1), ""});
  absl::StatusOr<PassSummary> resumed = Pass();
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_FALSE(resumed->paused.has_value());
  EXPECT_EQ(resumed->outcomes, (std::map<std::string, int>{{"failed", 2}}));
  EXPECT_EQ(source_.commits, 1);
  EXPECT_EQ(executor_.calls, 2);
  EXPECT_EQ(state_->Stats()->total, 2);

  // A third pass reads the same two again (the test source always returns them): already handled, once.
  absl::StatusOr<PassSummary> again = Pass();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->outcomes, (std::map<std::string, int>{{"already_handled", 2}}));
  EXPECT_EQ(executor_.calls, 2);
}

}  // namespace
}  // namespace creditbot
