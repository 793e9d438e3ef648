// Tests of the S3 state store against the fake S3 on loopback (every request's SigV4 signature and payload
// hash verified by the fake), the shared StateStore behaviour run on both stores (SQLite and S3), the state
// document and the prototype's processed_messages.json parser.
#include "state/s3_state_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "state/sqlite_state_store.h"
#include "tests/fake_aws_server.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeAwsServer;
using ::creditbot::testing::FakeAwsService;
using ::testing::HasSubstr;

constexpr const char* kBucket = "creditbot-state";
constexpr const char* kKey = "state/processed_messages.json";
const absl::Time kNow = absl::FromUnixSeconds(1752588191);

AwsCredentials LongTermCredentials() {
  return AwsCredentials{FakeAwsServer::kAccessKeyId, FakeAwsServer::kSecretAccessKey, "", std::nullopt,
                        "test"};
}

// One S3 runner: its own transport, client and store (as a separate process would have).
struct S3Runner {
  S3Runner(const FakeAwsServer& server, AwsCredentialsProvider& credentials, Sleeper& sleeper_in,
           S3StateStoreOptions options = {})
      : transport(MakeCurlTransport()),
        client(*transport, credentials, clock, sleeper_in,
               S3ClientOptions{AwsEndpoint{server.base_url(), true, "AWS_ENDPOINT_URL_S3"},
                               FakeAwsServer::kRegion, AwsRetryOptions{}, absl::Seconds(30)}),
        store(client, clock, sleeper_in, WithBucket(std::move(options))) {}
  static S3StateStoreOptions WithBucket(S3StateStoreOptions options) {
    options.bucket = kBucket;
    options.key = kKey;
    return options;
  }
  SystemClock clock;
  std::unique_ptr<HttpTransport> transport;
  S3Client client;
  S3StateStore store;
};

// ---- The StateStore behaviour both stores share. ----

class StateStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_.CreateBucket(kBucket);
    store_ = Open();
  }
  std::unique_ptr<StateStore> Open() {
    if (GetParam() == "sqlite") {
      absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir_.File("state.db"));
      EXPECT_TRUE(store.ok()) << store.status();
      return store.ok() ? *std::move(store) : nullptr;
    }
    runners_.push_back(std::make_unique<S3Runner>(server_, credentials_, sleeper_));
    S3StateStore* store = &runners_.back()->store;
    // A non-owning handle: the runner owns the store.
    return std::unique_ptr<StateStore>(new Borrowed(*store));
  }
  ClaimResult Claim(const std::string& ts, absl::Time now, bool dry_run = false, bool reopen = false) {
    absl::StatusOr<ClaimResult> result =
        store_->Claim("C1", ts, {now, dry_run, reopen}, absl::Minutes(10), "me");
    EXPECT_TRUE(result.ok()) << result.status();
    return result.value_or(ClaimResult{});
  }

  // Forwards every call to a store owned elsewhere.
  class Borrowed final : public StateStore {
   public:
    explicit Borrowed(StateStore& inner) : inner_(inner) {}
    absl::StatusOr<std::optional<RequestRecord>> Get(std::string_view key) override {
      return inner_.Get(key);
    }
    absl::StatusOr<ClaimResult> Claim(std::string_view channel, std::string_view ts,
                                      const ClaimContext& context, absl::Duration lease,
                                      std::string_view holder) override {
      return inner_.Claim(channel, ts, context, lease, holder);
    }
    absl::Status Finish(const RequestRecord& record) override { return inner_.Finish(record); }
    absl::StatusOr<bool> RecordIfAbsent(const RequestRecord& record) override {
      return inner_.RecordIfAbsent(record);
    }
    absl::StatusOr<StateStats> Stats() override { return inner_.Stats(); }
    absl::StatusOr<std::vector<RequestRecord>> List(std::optional<RequestStatus> status, int limit) override {
      return inner_.List(status, limit);
    }
    absl::StatusOr<int> Cleanup(absl::Time before) override { return inner_.Cleanup(before); }
    absl::StatusOr<bool> AcquireLease(std::string_view name, std::string_view holder, absl::Time now,
                                      absl::Duration ttl) override {
      return inner_.AcquireLease(name, holder, now, ttl);
    }
    absl::Status ReleaseLease(std::string_view name, std::string_view holder) override {
      return inner_.ReleaseLease(name, holder);
    }
    absl::StatusOr<std::optional<std::string>> GetCursor(std::string_view name) override {
      return inner_.GetCursor(name);
    }
    absl::Status SetCursor(std::string_view name, std::string_view value) override {
      return inner_.SetCursor(name, value);
    }
    absl::Status Forget(std::string_view key) override { return inner_.Forget(key); }
    absl::StatusOr<StateSnapshot> Export() override { return inner_.Export(); }
    absl::StatusOr<ImportCounts> Import(const StateSnapshot& snapshot) override {
      return inner_.Import(snapshot);
    }

   private:
    StateStore& inner_;
  };

  FakeAwsServer server_;
  testing::TempDir dir_;
  FakeClock fake_clock_{kNow};
  FakeSleeper sleeper_{fake_clock_};
  StaticAwsCredentialsProvider credentials_{LongTermCredentials()};
  std::vector<std::unique_ptr<S3Runner>> runners_;
  std::unique_ptr<StateStore> store_;
};

INSTANTIATE_TEST_SUITE_P(SqliteAndS3, StateStoreContract, ::testing::Values("sqlite", "s3"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

TEST_P(StateStoreContract, ClaimsANewRequestOnceWhileItsLeaseHolds) {
  ClaimResult first = Claim("1.1", kNow);
  EXPECT_TRUE(first.claimed);
  EXPECT_FALSE(first.existed);
  EXPECT_EQ(first.record.lease_holder, "me");
  ClaimResult second = Claim("1.1", kNow + absl::Minutes(5));
  EXPECT_FALSE(second.claimed);
  EXPECT_TRUE(second.existed);
  EXPECT_EQ(second.record.status, RequestStatus::kClaimed);
  EXPECT_TRUE(Claim("1.1", kNow + absl::Minutes(11)).claimed);
}

TEST_P(StateStoreContract, FinishedRequestsAreNotClaimedAgain) {
  ClaimResult claim = Claim("1.2", kNow);
  claim.record.status = RequestStatus::kReplied;
  claim.record.execution_id = "20260101T000000Z-abcd";
  claim.record.credit_amount = "255.00";
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  EXPECT_FALSE(Claim("1.2", kNow + absl::Hours(1)).claimed);
  absl::StatusOr<std::optional<RequestRecord>> record = store_->Get("C1:1.2");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->status, RequestStatus::kReplied);
  EXPECT_EQ((*record)->channel, "C1");
  EXPECT_EQ((*record)->ts, "1.2");
  EXPECT_EQ((*record)->execution_id, "20260101T000000Z-abcd");
  EXPECT_EQ((*record)->credit_amount, "255.00");
  EXPECT_EQ((*record)->first_seen_at, kNow);
  EXPECT_FALSE((*record)->lease_until.has_value());
  EXPECT_EQ((*record)->lease_holder, "");
}

TEST_P(StateStoreContract, FailedRequestsAreRetriedOnlyWhenTheirTimeComes) {
  ClaimResult claim = Claim("1.3", kNow);
  claim.record.status = RequestStatus::kFailed;
  claim.record.attempts = 1;
  claim.record.next_retry_at = kNow + absl::Minutes(15);
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  EXPECT_FALSE(Claim("1.3", kNow + absl::Minutes(14)).claimed);
  ClaimResult retry = Claim("1.3", kNow + absl::Minutes(15));
  EXPECT_TRUE(retry.claimed);
  EXPECT_EQ(retry.record.attempts, 1);
  retry.record.status = RequestStatus::kFailed;
  retry.record.next_retry_at.reset();
  ASSERT_TRUE(store_->Finish(retry.record).ok());
  EXPECT_FALSE(Claim("1.3", kNow + absl::Hours(100)).claimed);
}

TEST_P(StateStoreContract, DryRunAnswersAreRedoneByALivePassOnly) {
  ClaimResult claim = Claim("1.4", kNow, /*dry_run=*/true);
  claim.record.status = RequestStatus::kReplied;
  claim.record.dry_run = true;
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  EXPECT_FALSE(Claim("1.4", kNow, /*dry_run=*/true).claimed);
  EXPECT_TRUE(Claim("1.4", kNow, /*dry_run=*/false).claimed);
}

TEST_P(StateStoreContract, AnAskedRequestIsReopenedByTheEditThatAddsTheLink) {
  ClaimResult claim = Claim("1.5", kNow);
  claim.record.status = RequestStatus::kAsked;
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  EXPECT_FALSE(Claim("1.5", kNow).claimed);
  EXPECT_TRUE(Claim("1.5", kNow, false, /*reopen=*/true).claimed);
}

TEST_P(StateStoreContract, RecordIfAbsentNeverOverwritesAnAnswer) {
  ClaimResult claim = Claim("1.6", kNow);
  claim.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  RequestRecord skip;
  skip.key = "C1:1.6";
  skip.status = RequestStatus::kSkipped;
  EXPECT_FALSE(*store_->RecordIfAbsent(skip));
  EXPECT_EQ((*store_->Get("C1:1.6"))->status, RequestStatus::kReplied);
  skip.key = "C1:1.7";
  EXPECT_TRUE(*store_->RecordIfAbsent(skip));
  EXPECT_EQ((*store_->Get("C1:1.7"))->status, RequestStatus::kSkipped);
}

TEST_P(StateStoreContract, PassLeaseKeepsPassesFromOverlapping) {
  EXPECT_TRUE(*store_->AcquireLease("pass", "a", kNow, absl::Minutes(10)));
  EXPECT_FALSE(*store_->AcquireLease("pass", "b", kNow + absl::Minutes(1), absl::Minutes(10)));
  ASSERT_TRUE(store_->ReleaseLease("pass", "b").ok());  // not b's: nothing happens
  EXPECT_FALSE(*store_->AcquireLease("pass", "b", kNow + absl::Minutes(2), absl::Minutes(10)));
  EXPECT_TRUE(*store_->AcquireLease("pass", "b", kNow + absl::Minutes(11), absl::Minutes(10)));
  ASSERT_TRUE(store_->ReleaseLease("pass", "b").ok());
  EXPECT_TRUE(*store_->AcquireLease("pass", "c", kNow + absl::Minutes(12), absl::Minutes(10)));
}

TEST_P(StateStoreContract, CursorsKeepTheLastValueAcrossReopening) {
  EXPECT_EQ(*store_->GetCursor("slack_history:C1"), std::nullopt);
  ASSERT_TRUE(store_->SetCursor("slack_history:C1", "1700000000.000100").ok());
  ASSERT_TRUE(store_->SetCursor("slack_history:C1", "1700000001.000200").ok());
  ASSERT_TRUE(store_->SetCursor("slack_history:C2", "1").ok());
  store_.reset();
  std::unique_ptr<StateStore> reopened = Open();
  EXPECT_EQ(*reopened->GetCursor("slack_history:C1"), "1700000001.000200");
  EXPECT_EQ(*reopened->GetCursor("slack_history:C2"), "1");
}

TEST_P(StateStoreContract, CleanupRemovesOnlyOldFinalRecords) {
  ClaimResult old_done = Claim("2.1", kNow);
  old_done.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(store_->Finish(old_done.record).ok());
  ClaimResult old_retry = Claim("2.2", kNow);
  old_retry.record.status = RequestStatus::kFailed;
  old_retry.record.next_retry_at = kNow + absl::Hours(1);
  ASSERT_TRUE(store_->Finish(old_retry.record).ok());
  Claim("2.3", kNow);  // still claimed
  ClaimResult recent = Claim("2.4", kNow + absl::Hours(30));
  recent.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(store_->Finish(recent.record).ok());
  absl::StatusOr<int> removed = store_->Cleanup(kNow + absl::Hours(24));
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 1);
  EXPECT_FALSE(store_->Get("C1:2.1")->has_value());
  EXPECT_TRUE(store_->Get("C1:2.2")->has_value());
  EXPECT_TRUE(store_->Get("C1:2.3")->has_value());
  EXPECT_TRUE(store_->Get("C1:2.4")->has_value());
  EXPECT_EQ(*store_->Cleanup(kNow + absl::Hours(24)), 0);
}

TEST_P(StateStoreContract, StatsAndListCountWhatIsThere) {
  ClaimResult a = Claim("3.1", kNow);
  a.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(store_->Finish(a.record).ok());
  ClaimResult b = Claim("3.2", kNow + absl::Minutes(1));
  b.record.status = RequestStatus::kFailed;
  b.record.updated_at = kNow + absl::Minutes(1);
  b.record.next_retry_at = kNow + absl::Hours(1);
  ASSERT_TRUE(store_->Finish(b.record).ok());
  absl::StatusOr<StateStats> stats = store_->Stats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->total, 2);
  EXPECT_EQ(stats->by_status["replied"], 1);
  EXPECT_EQ(stats->by_status["failed"], 1);
  EXPECT_EQ(stats->pending_retries, 1);
  absl::StatusOr<std::vector<RequestRecord>> all = store_->List(std::nullopt, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].key, "C1:3.2");  // newest first
  absl::StatusOr<std::vector<RequestRecord>> failed = store_->List(RequestStatus::kFailed, 10);
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ(store_->List(std::nullopt, 1)->size(), 1u);
}

TEST_P(StateStoreContract, ListShowsTheNewestRequestsFirstWhenUpdatedInTheSameSecond) {
  // One pass finishes several requests within a second; `state list --limit 1` must show the latest message.
  for (const char* ts : {"4.1", "4.3", "4.2"}) {
    ClaimResult claimed = Claim(ts, kNow);
    claimed.record.status = RequestStatus::kReplied;
    claimed.record.updated_at = kNow;
    ASSERT_TRUE(store_->Finish(claimed.record).ok());
  }
  absl::StatusOr<std::vector<RequestRecord>> newest = store_->List(std::nullopt, 2);
  ASSERT_TRUE(newest.ok()) << newest.status();
  ASSERT_EQ(newest->size(), 2u);
  EXPECT_EQ((*newest)[0].key, "C1:4.3");
  EXPECT_EQ((*newest)[1].key, "C1:4.2");
}

TEST_P(StateStoreContract, ForgetRemovesOneRecordSoItIsClaimedAgain) {
  ClaimResult claim = Claim("4.1", kNow);
  claim.record.status = RequestStatus::kReplied;
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  ASSERT_TRUE(store_->Forget("C1:4.1").ok());
  EXPECT_FALSE(store_->Get("C1:4.1")->has_value());
  EXPECT_EQ(store_->Forget("C1:4.1").code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Claim("4.1", kNow).claimed);
}

TEST_P(StateStoreContract, ImportNeverOverwritesAndExportReturnsEverything) {
  ClaimResult claim = Claim("5.1", kNow);
  claim.record.status = RequestStatus::kReplied;
  claim.record.outcome = "credit";
  ASSERT_TRUE(store_->Finish(claim.record).ok());
  ASSERT_TRUE(store_->SetCursor("slack_history:C1", "5.0").ok());
  ASSERT_TRUE(*store_->AcquireLease("pass", "me", kNow, absl::Minutes(10)));

  StateSnapshot incoming;
  RequestRecord other = claim.record;
  other.outcome = "imported";  // same key: must not replace the answer
  incoming.records.push_back(other);
  RequestRecord fresh = other;
  fresh.key = "C1:5.2";
  fresh.ts = "5.2";
  incoming.records.push_back(fresh);
  incoming.cursors["slack_history:C1"] = "9.9";  // the store has one: kept
  incoming.cursors["slack_history:C2"] = "7.7";
  absl::StatusOr<ImportCounts> counts = store_->Import(incoming);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->imported, 1);
  EXPECT_EQ(counts->already_present, 1);
  EXPECT_EQ(counts->cursors_imported, 1);
  EXPECT_EQ((*store_->Get("C1:5.1"))->outcome, "credit");
  EXPECT_EQ((*store_->Get("C1:5.2"))->outcome, "imported");

  absl::StatusOr<StateSnapshot> exported = store_->Export();
  ASSERT_TRUE(exported.ok()) << exported.status();
  ASSERT_EQ(exported->records.size(), 2u);
  EXPECT_EQ(exported->records[0].key, "C1:5.1");
  EXPECT_EQ(exported->cursors.at("slack_history:C1"), "5.0");
  EXPECT_EQ(exported->cursors.at("slack_history:C2"), "7.7");
  ASSERT_EQ(exported->leases.count("pass"), 1u);
  EXPECT_EQ(exported->leases.at("pass").holder, "me");
  EXPECT_EQ(exported->leases.at("pass").expires_at, kNow + absl::Minutes(10));
}

// ---- S3 only. ----

class S3StateStoreTest : public ::testing::Test {
 protected:
  S3StateStoreTest() { server_.CreateBucket(kBucket); }
  std::unique_ptr<S3Runner> Runner(S3StateStoreOptions options = {}) {
    return std::make_unique<S3Runner>(server_, credentials_, sleeper_, std::move(options));
  }
  int CountPuts() const {
    int puts = 0;
    for (const auto& request : server_.requests()) puts += request.method == "PUT" ? 1 : 0;
    return puts;
  }

  FakeAwsServer server_;
  FakeClock fake_clock_{kNow};
  FakeSleeper sleeper_{fake_clock_};
  StaticAwsCredentialsProvider credentials_{LongTermCredentials()};
};

TEST_F(S3StateStoreTest, WritesAreConditionalEncryptedJsonAnOperatorCanRead) {
  auto runner = Runner();
  ASSERT_TRUE(runner->store.Claim("C1", "1.1", {kNow, false, false}, absl::Minutes(10), "me").ok());
  ASSERT_TRUE(runner->store.SetCursor("slack_history:C1", "1.1").ok());
  std::vector<testing::FakeAwsRequest> puts;
  for (const auto& request : server_.requests()) {
    EXPECT_EQ(request.signature_error, "");
    if (request.method == "PUT") puts.push_back(request);
  }
  ASSERT_EQ(puts.size(), 2u);
  EXPECT_EQ(puts[0].Header("If-None-Match"), "*");  // created
  EXPECT_EQ(puts[0].Header("If-Match"), "");
  EXPECT_THAT(puts[1].Header("If-Match"), ::testing::StartsWith("\""));  // compare-and-swap
  for (const auto& put : puts) {
    EXPECT_EQ(put.Header("x-amz-server-side-encryption"), "AES256");
    EXPECT_EQ(put.Header("Content-Type"), "application/json");
  }
  std::optional<testing::FakeS3Object> object = server_.Object(kBucket, kKey);
  ASSERT_TRUE(object.has_value());
  EXPECT_EQ(object->server_side_encryption, "AES256");
  EXPECT_THAT(object->body, HasSubstr("\"format\": \"creditbot-state\""));
  EXPECT_THAT(object->body, HasSubstr("\"revision\": 2"));
  EXPECT_THAT(object->body,
              HasSubstr("\"C1:1.1\": {\"channel\":\"C1\",\"ts\":\"1.1\",\"status\":\"claimed\""));
  absl::StatusOr<StateDocument> document = ParseStateDocument(object->body);
  ASSERT_TRUE(document.ok()) << document.status();
  EXPECT_EQ(document->records.at("C1:1.1").lease_until, kNow + absl::Minutes(10));
  EXPECT_EQ(document->cursors.at("slack_history:C1"), "1.1");
}

TEST_F(S3StateStoreTest, ALost412RaceIsRetriedAndKeepsTheOtherRunnersUpdate) {
  auto other = Runner();
  bool raced = false;
  S3StateStoreOptions options;
  options.before_write = [&] {
    if (raced) return;
    raced = true;  // the other runner writes between our read and our write
    ASSERT_TRUE(other->store.Claim("C1", "9.9", {kNow, false, false}, absl::Minutes(10), "other").ok());
  };
  auto runner = Runner(options);
  absl::StatusOr<ClaimResult> claim =
      runner->store.Claim("C1", "1.1", {kNow, false, false}, absl::Minutes(10), "me");
  ASSERT_TRUE(claim.ok()) << claim.status();
  EXPECT_TRUE(claim->claimed);
  EXPECT_EQ(runner->store.conflicts(), 1);
  EXPECT_EQ(sleeper_.sleeps().size(), 1u);  // one jittered backoff
  EXPECT_EQ((*runner->store.Get("C1:9.9"))->lease_holder, "other");
  EXPECT_EQ((*runner->store.Get("C1:1.1"))->lease_holder, "me");
}

TEST_F(S3StateStoreTest, TwoRunnersRacingForOneRequestNeverBothClaimIt) {
  auto other = Runner();
  bool raced = false;
  S3StateStoreOptions options;
  options.before_write = [&] {
    if (raced) return;
    raced = true;
    absl::StatusOr<ClaimResult> theirs =
        other->store.Claim("C1", "1.1", {kNow, false, false}, absl::Minutes(10), "other");
    ASSERT_TRUE(theirs.ok() && theirs->claimed);
  };
  auto runner = Runner(options);
  absl::StatusOr<ClaimResult> mine =
      runner->store.Claim("C1", "1.1", {kNow, false, false}, absl::Minutes(10), "me");
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_FALSE(mine->claimed);  // MayClaim on the re-read state: the other runner's lease holds
  EXPECT_TRUE(mine->existed);
  EXPECT_EQ(mine->record.lease_holder, "other");
  EXPECT_EQ((*runner->store.Get("C1:1.1"))->lease_holder, "other");
}

TEST_F(S3StateStoreTest, A409ConflictIsRetried) {
  S3StateStoreOptions options;
  bool injected = false;
  options.before_write = [&] {
    if (injected) return;
    injected = true;
    server_.FailNext(FakeAwsService::kS3, 1, 409, "ConditionalRequestConflict");
  };
  auto runner = Runner(options);
  ASSERT_TRUE(runner->store.SetCursor("c", "1").ok());
  EXPECT_EQ(runner->store.conflicts(), 1);
  EXPECT_EQ(*runner->store.GetCursor("c"), "1");
}

TEST_F(S3StateStoreTest, GivesUpWithAbortedAfterTheLastLostRound) {
  auto other = Runner();
  int writes = 0;
  S3StateStoreOptions options;
  options.max_attempts = 3;
  options.before_write = [&] { ASSERT_TRUE(other->store.SetCursor("other", std::to_string(++writes)).ok()); };
  auto runner = Runner(options);
  absl::Status status = runner->store.SetCursor("mine", "1");
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_THAT(status.message(), HasSubstr("s3://creditbot-state/state/processed_messages.json"));
  EXPECT_EQ(sleeper_.sleeps().size(), 2u);
  EXPECT_EQ(*runner->store.GetCursor("other"), "3");  // every write of the other runner is there
  EXPECT_EQ(*runner->store.GetCursor("mine"), std::nullopt);
}

TEST_F(S3StateStoreTest, ACorruptObjectIsRefusedAndLeftUnchanged) {
  const std::string corrupt =
      "{\"format\": \"creditbot-state\", \"version\": 1, \"records\": {\"C1:1.1\": 7}}";
  for (const std::string& body : {std::string("not json {"), std::string(""), corrupt}) {
    server_.PutObjectDirect(kBucket, kKey, body);
    auto runner = Runner();
    const int puts_before = CountPuts();
    absl::StatusOr<ClaimResult> claim =
        runner->store.Claim("C1", "1.1", {kNow, false, false}, absl::Minutes(10), "me");
    ASSERT_FALSE(claim.ok());
    EXPECT_EQ(claim.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(claim.status().message(), HasSubstr("s3://creditbot-state/state/processed_messages.json"));
    EXPECT_EQ(runner->store.Check().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(runner->store.Finish(claim.value_or(ClaimResult{}).record).code(),
              absl::StatusCode::kInvalidArgument);  // no key
    EXPECT_EQ(runner->store.SetCursor("c", "1").code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(CountPuts(), puts_before);
    EXPECT_EQ(server_.Object(kBucket, kKey)->body, body);
  }
}

TEST_F(S3StateStoreTest, ThePrototypesObjectIsRefusedWithTheWayToImportIt) {
  server_.PutObjectDirect(kBucket, kKey, "[\"C0CREDITREQ:1752588191.000100\"]");
  auto runner = Runner();
  absl::Status status = runner->store.Check();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("--format prototype"));
  EXPECT_EQ(server_.Object(kBucket, kKey)->body, "[\"C0CREDITREQ:1752588191.000100\"]");
}

TEST_F(S3StateStoreTest, ANewerVersionIsRefused) {
  server_.PutObjectDirect(kBucket, kKey, "{\"format\": \"creditbot-state\", \"version\": 2}");
  auto runner = Runner();
  absl::Status status = runner->store.SetCursor("c", "1");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("newer"));
}

TEST_F(S3StateStoreTest, ExpiredCredentialsMidPassAreRefreshed) {
  EnvironmentMap env = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.base_url() + "/v1/credentials"}};
  SystemClock clock;
  SystemSleeper sleeper;
  absl::StatusOr<std::unique_ptr<AwsCredentialsProvider>> chain =
      MakeAwsCredentialsChain(env, MakeCurlTransport(), clock, sleeper);
  ASSERT_TRUE(chain.ok()) << chain.status();
  S3Runner runner(server_, **chain, sleeper_);
  ASSERT_TRUE(runner.store.Claim("C1", "1.1", {kNow, false, false}, absl::Minutes(10), "me").ok());
  ASSERT_EQ(server_.issued_access_key_ids().size(), 1u);
  server_.ExpireAllIssuedCredentials();
  absl::StatusOr<ClaimResult> second =
      runner.store.Claim("C1", "1.2", {kNow, false, false}, absl::Minutes(10), "me");
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->claimed);
  EXPECT_EQ(server_.issued_access_key_ids().size(), 2u);
  EXPECT_TRUE((*runner.store.Get("C1:1.1")).has_value());
}

// Two runners (threads, each with its own client and store) work through 200 requests over 5 rounds: each
// round opens 40 requests to both, each runner claims what it can and finishes it as replied, and keeps its
// own cursor. Every request must be claimed exactly once and nothing either runner wrote may be lost.
TEST_F(S3StateStoreTest, TwoConcurrentRunnersClaimEachRequestOnceAndLoseNoUpdate) {
  constexpr int kRequests = 200;
  constexpr int kRounds = 5;
  SystemSleeper real_sleeper;  // real (short) jittered waits, so the two threads interleave
  S3StateStoreOptions options;
  options.max_attempts = 50;
  options.base_delay = absl::Milliseconds(1);
  // Backoff must be able to grow past a round trip, or on a loaded machine (ASan, parallel ctest) one runner
  // can keep losing the race: a fresh-clone CI run saw 50 lost rounds in a row with a 5 ms cap.
  options.max_delay = absl::Milliseconds(100);
  S3Runner a(server_, credentials_, real_sleeper, options);
  S3Runner b(server_, credentials_, real_sleeper, options);
  std::vector<int> claims_a, claims_b;
  std::vector<std::string> errors_a, errors_b;
  auto work = [](S3StateStore& store, const std::string& name, int direction, std::vector<int>& claimed,
                 std::vector<std::string>& errors) {
    for (int round = 0; round < kRounds; ++round) {
      const int begin = round * (kRequests / kRounds);
      for (int i = 0; i < kRequests / kRounds; ++i) {
        const int n = begin + (direction > 0 ? i : kRequests / kRounds - 1 - i);
        const std::string ts = absl::StrCat(1700000000 + n, ".000100");
        const absl::Time now = kNow + absl::Minutes(round);
        absl::StatusOr<ClaimResult> claim =
            store.Claim("C1", ts, {now, false, false}, absl::Minutes(10), name);
        if (!claim.ok()) {
          errors.push_back(std::string(claim.status().message()));
          continue;
        }
        if (!claim->claimed) continue;
        claimed.push_back(n);
        RequestRecord done = claim->record;
        done.status = RequestStatus::kReplied;
        done.execution_id = name;
        done.updated_at = now;
        if (absl::Status finished = store.Finish(done); !finished.ok())
          errors.push_back(std::string(finished.message()));
      }
      if (absl::Status set = store.SetCursor("runner:" + name, std::to_string(round)); !set.ok())
        errors.push_back(std::string(set.message()));
    }
  };
  std::thread thread_a([&] { work(a.store, "a", +1, claims_a, errors_a); });
  std::thread thread_b([&] { work(b.store, "b", -1, claims_b, errors_b); });
  thread_a.join();
  thread_b.join();
  EXPECT_THAT(errors_a, ::testing::IsEmpty());
  EXPECT_THAT(errors_b, ::testing::IsEmpty());
  std::vector<int> all = claims_a;
  all.insert(all.end(), claims_b.begin(), claims_b.end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), static_cast<std::size_t>(kRequests));  // exactly once each…
  for (int n = 0; n < kRequests; ++n) EXPECT_EQ(all[static_cast<std::size_t>(n)], n);

  absl::StatusOr<StateSnapshot> state = a.store.Export();
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_EQ(state->records.size(), static_cast<std::size_t>(kRequests));  // …and no update lost
  std::set<std::string> by_a;
  for (int n : claims_a) by_a.insert(absl::StrCat("C1:", 1700000000 + n, ".000100"));
  for (const RequestRecord& record : state->records) {
    EXPECT_EQ(record.status, RequestStatus::kReplied) << record.key;
    EXPECT_EQ(record.execution_id, by_a.count(record.key) ? "a" : "b") << record.key;
  }
  EXPECT_EQ(state->cursors.at("runner:a"), std::to_string(kRounds - 1));
  EXPECT_EQ(state->cursors.at("runner:b"), std::to_string(kRounds - 1));
  RecordProperty("conflicts", a.store.conflicts() + b.store.conflicts());
}

// ---- The document and the prototype's file. ----

TEST(StateDocument, RoundTripsEveryField) {
  StateDocument document;
  document.revision = 7;
  document.writer = "w";
  RequestRecord record;
  record.key = "C1:1.1";
  record.channel = "C1";
  record.ts = "1.1";
  record.status = RequestStatus::kFailed;
  record.attempts = 3;
  record.first_seen_at = kNow;
  record.updated_at = kNow + absl::Seconds(5);
  record.next_retry_at = kNow + absl::Hours(1);
  record.lease_until = kNow + absl::Minutes(10);
  record.lease_holder = "pid-1";
  record.dry_run = true;
  record.outcome = "warehouse_error";
  record.detail = "quote \" and ünïcode";
  record.reply_ts = "2.2";
  record.execution_id = "x";
  record.product = "verify";
  record.credit_amount = "1.00";
  document.records[record.key] = record;
  document.leases["pass"] = StateLease{"pid-1", kNow};
  document.cursors["slack_history:C1"] = "1.1";
  absl::StatusOr<StateDocument> parsed = ParseStateDocument(SerializeStateDocument(document));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->revision, 7);
  const RequestRecord& back = parsed->records.at("C1:1.1");
  EXPECT_EQ(back.status, RequestStatus::kFailed);
  EXPECT_EQ(back.attempts, 3);
  EXPECT_EQ(back.first_seen_at, kNow);
  EXPECT_EQ(back.updated_at, kNow + absl::Seconds(5));
  EXPECT_EQ(back.next_retry_at, kNow + absl::Hours(1));
  EXPECT_EQ(back.lease_until, kNow + absl::Minutes(10));
  EXPECT_EQ(back.lease_holder, "pid-1");
  EXPECT_TRUE(back.dry_run);
  EXPECT_EQ(back.detail, "quote \" and ünïcode");
  EXPECT_EQ(back.credit_amount, "1.00");
  EXPECT_EQ(parsed->leases.at("pass").holder, "pid-1");
  EXPECT_EQ(parsed->cursors.at("slack_history:C1"), "1.1");
}

TEST(StateDocument, StrictParsingRefusesABadRecordLenientParsingSkipsIt) {
  const std::string text =
      "{\"format\":\"creditbot-state\",\"version\":1,\"records\":{\"C1:1.1\":{\"status\":\"replied\"},"
      "\"C1:1.2\":{\"status\":\"bogus\"}}}";
  absl::StatusOr<StateDocument> strict = ParseStateDocument(text);
  EXPECT_EQ(strict.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(strict.status().message(), HasSubstr("C1:1.2"));
  std::vector<std::string> unreadable;
  absl::StatusOr<StateDocument> lenient = ParseStateDocument(text, &unreadable);
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  EXPECT_EQ(lenient->records.size(), 1u);
  ASSERT_EQ(unreadable.size(), 1u);
  EXPECT_THAT(unreadable[0], HasSubstr("bogus"));
  EXPECT_EQ(ParseStateDocument("[1,2]").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseStateDocument("{\"records\":{}}").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PrototypeState, ReadsTheAcceptedShapesAsRepliedRecords) {
  absl::StatusOr<PrototypeImport> array = ParsePrototypeState(
      "[\"C0A:1.1\", \"2.2\", {\"ts\":\"3.3\",\"channel\":\"C0B\"}, 5, \"junk\", \"C0A:1.1\"]", "C0DEF",
      kNow);
  ASSERT_TRUE(array.ok()) << array.status();
  ASSERT_EQ(array->records.size(), 3u);
  EXPECT_EQ(array->records[0].key, "C0A:1.1");
  EXPECT_EQ(array->records[1].key, "C0DEF:2.2");
  EXPECT_EQ(array->records[2].key, "C0B:3.3");
  EXPECT_EQ(array->unreadable.size(), 2u);  // 5 and "junk"; the duplicate is kept once
  for (const RequestRecord& record : array->records) {
    EXPECT_EQ(record.status, RequestStatus::kReplied);
    EXPECT_EQ(record.outcome, "imported");
    EXPECT_FALSE(record.dry_run);
    EXPECT_EQ(record.updated_at, kNow);
  }
  absl::StatusOr<PrototypeImport> keyed =
      ParsePrototypeState("{\"processed_messages\": {\"1.1\": true, \"C0A:2.2\": \"2025-07-01\"}}", "", kNow);
  ASSERT_TRUE(keyed.ok()) << keyed.status();
  ASSERT_EQ(keyed->records.size(), 1u);  // the bare ts has no channel
  EXPECT_EQ(keyed->records[0].key, "C0A:2.2");
  EXPECT_EQ(keyed->unreadable.size(), 1u);
  EXPECT_EQ(ParsePrototypeState("\"x\"", "", kNow).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParsePrototypeState("{\"format\":\"creditbot-state\"}", "", kNow).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace creditbot
