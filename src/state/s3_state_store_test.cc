// Tests of what only the S3 state store does, against the fake S3 on loopback (every request's SigV4
// signature and payload hash verified by the fake): conditional writes, lost races, refused objects; the
// state document and the prototype's processed_messages.json parser. The StateStore behaviour both stores
// share is state_store_contract_test.cc.
#include "state/s3_state_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "bot/due_requests.h"
#include "state/s3_state_store_test_runner.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeAwsServer;
using ::creditbot::testing::FakeAwsService;
using ::creditbot::testing::S3Runner;
using ::testing::HasSubstr;

constexpr const char* kBucket = testing::kStateBucket;
constexpr const char* kKey = testing::kStateKey;
const absl::Time kNow = absl::FromUnixSeconds(1752588191);

// ---- S3 only (the behaviour both stores share is state_store_contract_test.cc). ----

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
  StaticAwsCredentialsProvider credentials_{testing::FakeLongTermCredentials()};
};

TEST_F(S3StateStoreTest, WritesAreConditionalEncryptedJsonAnOperatorCanRead) {
  auto runner = Runner();
  ASSERT_TRUE(ClaimIfDue(runner->store, "C1", "1.1", {kNow, false, false}, absl::Minutes(10), "me").ok());
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
    ASSERT_TRUE(ClaimIfDue(other->store, "C1", "9.9", {kNow, false, false}, absl::Minutes(10), "other").ok());
  };
  auto runner = Runner(options);
  absl::StatusOr<ClaimResult> claim =
      ClaimIfDue(runner->store, "C1", "1.1", {kNow, false, false}, absl::Minutes(10), "me");
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
        ClaimIfDue(other->store, "C1", "1.1", {kNow, false, false}, absl::Minutes(10), "other");
    ASSERT_TRUE(theirs.ok() && theirs->claimed);
  };
  auto runner = Runner(options);
  absl::StatusOr<ClaimResult> mine =
      ClaimIfDue(runner->store, "C1", "1.1", {kNow, false, false}, absl::Minutes(10), "me");
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
        ClaimIfDue(runner->store, "C1", "1.1", {kNow, false, false}, absl::Minutes(10), "me");
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
  // Version 2 is a paused store (ThePausedObjectIsVersion2WithItsPauseMember): 3 is the first unknown one.
  server_.PutObjectDirect(kBucket, kKey, "{\"format\": \"creditbot-state\", \"version\": 3}");
  auto runner = Runner();
  absl::Status status = runner->store.SetCursor("c", "1");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("newer"));
}

// A creditbot older than the pause refuses version 2 (above), so it never answers through a pause nor drops
// the "pause" member on its next write; unpaused, the object is version 1 again, readable by it.
TEST_F(S3StateStoreTest, ThePausedObjectIsVersion2WithItsPauseMemberAndVersion1OnceResumed) {
  auto runner = Runner();
  ASSERT_TRUE(runner->store.SetPause(PauseState{true, "U1", kNow, "incident \"42\""})->applied);
  std::string body = server_.Object(kBucket, kKey)->body;
  EXPECT_THAT(body, HasSubstr("  \"version\": 2,\n"));
  EXPECT_THAT(body,
              HasSubstr("  \"pause\": {\"paused\":true,\"by\":\"U1\",\"since\":\"2025-07-15T14:03:11Z\","
                        "\"reason\":\"incident \\\"42\\\"\"},\n"));
  ASSERT_TRUE(runner->store.SetPause(PauseState{false, "U2", kNow + absl::Minutes(1), ""})->applied);
  body = server_.Object(kBucket, kKey)->body;
  EXPECT_THAT(body, HasSubstr("  \"version\": 1,\n"));
  EXPECT_THAT(
      body, HasSubstr("  \"pause\": {\"paused\":false,\"by\":\"U2\",\"since\":\"2025-07-15T14:04:11Z\"},\n"));
}

// A pause member that cannot be read must never read as "not paused", not even in an import.
TEST(S3StateDocument, AnUnreadablePauseFailsTheParseEvenForAnImport) {
  std::vector<std::string> unreadable;
  absl::StatusOr<StateDocument> parsed = ParseStateDocument(
      "{\"format\": \"creditbot-state\", \"version\": 2, \"pause\": {\"paused\": \"yes\"}}", &unreadable);
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(), "\"pause\" has no \"paused\": true or false");
}

TEST_F(S3StateStoreTest, ExpiredCredentialsMidPassAreRefreshed) {
  EnvironmentMap env = {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server_.base_url() + "/v1/credentials"}};
  SystemClock clock;
  SystemSleeper sleeper;
  absl::StatusOr<std::unique_ptr<AwsCredentialsProvider>> chain =
      MakeAwsCredentialsChain(env, MakeCurlTransport(), clock, sleeper);
  ASSERT_TRUE(chain.ok()) << chain.status();
  S3Runner runner(server_, **chain, sleeper_);
  ASSERT_TRUE(ClaimIfDue(runner.store, "C1", "1.1", {kNow, false, false}, absl::Minutes(10), "me").ok());
  ASSERT_EQ(server_.issued_access_key_ids().size(), 1u);
  server_.ExpireAllIssuedCredentials();
  absl::StatusOr<ClaimResult> second =
      ClaimIfDue(runner.store, "C1", "1.2", {kNow, false, false}, absl::Minutes(10), "me");
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
            ClaimIfDue(store, "C1", ts, {now, false, false}, absl::Minutes(10), name);
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
