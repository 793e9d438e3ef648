// Tests for the Events API receiver logic: signature v0 against Slack's published test vector
// (fixtures/slack/events/signature_v0_test_vector.json), the answer to each kind of delivery on the
// fixture bodies, and the RecentIds dedupe set. Expected values are read off the fixtures.
#include "slack/events_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::ReadFixture;
using ::testing::HasSubstr;
using ::testing::Not;

// Slack's published vector, read from the fixture.
struct TestVector {
  std::string secret;
  std::string timestamp;
  std::string body;
  std::string signature;
  absl::Time now;
};

const TestVector& Vector() {
  static const TestVector vector = [] {
    const nlohmann::json fixture =
        nlohmann::json::parse(ReadFixture("slack/events/signature_v0_test_vector.json"));
    TestVector loaded;
    loaded.secret = fixture.at("signing_secret").get<std::string>();
    loaded.timestamp = fixture.at("x_slack_request_timestamp").get<std::string>();
    loaded.body = fixture.at("body").get<std::string>();
    loaded.signature = fixture.at("x_slack_signature").get<std::string>();
    loaded.now = absl::FromUnixSeconds(1531420618);
    return loaded;
  }();
  return vector;
}

void ExpectUnauthenticated(const absl::Status& status, const std::string& message) {
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
  EXPECT_EQ(status.message(), message);
}

// A JSON delivery signed with the test secret at the test vector's time.
EventsApiRequest SignedJson(const std::string& body) {
  EventsApiRequest request;
  request.content_type = "application/json";
  request.request_timestamp = Vector().timestamp;
  request.body = body;
  request.signature = ComputeSlackSignature(Vector().secret, request.request_timestamp, body);
  return request;
}

EventsApiResult Handle(const EventsApiRequest& request) {
  return HandleEventsApiRequest(request, Vector().secret, Vector().now);
}

// The payload of the Socket Mode app_mention envelope: a full event_callback with event_id "Ev111".
std::string AppMentionCallback() {
  const nlohmann::json envelope = nlohmann::json::parse(
      ReadFixture("slack/socket_mode/envelope.events_api.app_mention.python-sdk-mock.json"));
  return envelope.at("payload").dump();
}

void ExpectBadRequest(const std::string& body, const std::string& message) {
  const EventsApiResult result = Handle(SignedJson(body));
  EXPECT_EQ(result.http_status, 400) << body;
  EXPECT_EQ(result.body, message) << body;
  EXPECT_EQ(result.result, "bad_request");
  EXPECT_FALSE(result.envelope.has_value());
}

TEST(EventsApiSignature, PublishedTestVectorVerifies) {
  const TestVector& vector = Vector();
  EXPECT_EQ(ComputeSlackSignature(vector.secret, vector.timestamp, vector.body),
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
  EXPECT_TRUE(
      VerifySlackSignature(vector.secret, vector.timestamp, vector.signature, vector.body, vector.now).ok());
}

TEST(EventsApiSignature, UppercaseHexSignatureVerifies) {
  const TestVector& vector = Vector();
  EXPECT_TRUE(VerifySlackSignature(vector.secret, vector.timestamp,
                                   "v0=A2114D57B48EAC39B9AD189DD8316235A7B4A8D21A10BD27519666489C69B503",
                                   vector.body, vector.now)
                  .ok());
}

TEST(EventsApiSignature, OneByteChangeInBodyIsRejected) {
  const TestVector& vector = Vector();
  std::string body = vector.body;
  body[body.find("roadrunner")] = 'R';
  ExpectUnauthenticated(
      VerifySlackSignature(vector.secret, vector.timestamp, vector.signature, body, vector.now),
      "X-Slack-Signature does not match the body (wrong signing secret, or the body was altered)");
}

TEST(EventsApiSignature, WrongSecretIsRejected) {
  const TestVector& vector = Vector();
  const absl::Status status = VerifySlackSignature("8f742231b10e8888abcd99yyyzzz85a6", vector.timestamp,
                                                   vector.signature, vector.body, vector.now);
  ExpectUnauthenticated(
      status, "X-Slack-Signature does not match the body (wrong signing secret, or the body was altered)");
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("8f742231")));
}

TEST(EventsApiSignature, StaleBy301SecondsIsRejected) {
  const TestVector& vector = Vector();
  ExpectUnauthenticated(
      VerifySlackSignature(vector.secret, vector.timestamp, vector.signature, vector.body,
                           vector.now + absl::Seconds(301)),
      "X-Slack-Request-Timestamp is 301 s old (limit 300 s): a delayed or replayed request");
}

TEST(EventsApiSignature, FutureBy301SecondsIsRejected) {
  const TestVector& vector = Vector();
  ExpectUnauthenticated(
      VerifySlackSignature(vector.secret, vector.timestamp, vector.signature, vector.body,
                           vector.now - absl::Seconds(301)),
      "X-Slack-Request-Timestamp is 301 s in the future (limit 300 s): check the server clock");
}

TEST(EventsApiSignature, ExactlyAtTheWindowEdgeIsAccepted) {
  const TestVector& vector = Vector();
  EXPECT_TRUE(VerifySlackSignature(vector.secret, vector.timestamp, vector.signature, vector.body,
                                   vector.now + absl::Seconds(300))
                  .ok());
  EXPECT_TRUE(VerifySlackSignature(vector.secret, vector.timestamp, vector.signature, vector.body,
                                   vector.now - absl::Seconds(300))
                  .ok());
}

TEST(EventsApiSignature, MissingHeadersAreRejected) {
  const TestVector& vector = Vector();
  ExpectUnauthenticated(VerifySlackSignature(vector.secret, "", vector.signature, vector.body, vector.now),
                        "missing X-Slack-Request-Timestamp header");
  ExpectUnauthenticated(VerifySlackSignature(vector.secret, vector.timestamp, "", vector.body, vector.now),
                        "missing X-Slack-Signature header");
}

TEST(EventsApiSignature, NonNumericTimestampIsRejected) {
  const TestVector& vector = Vector();
  for (const char* timestamp : {"abc", "1531420618.5", "-1531420618", "+1531420618", " 1531420618",
                                "1531420618 ", "1234567890123456789"}) {
    ExpectUnauthenticated(
        VerifySlackSignature(vector.secret, timestamp, vector.signature, vector.body, vector.now),
        "X-Slack-Request-Timestamp is not an integer");
  }
}

TEST(EventsApiSignature, MalformedSignatureIsRejected) {
  const TestVector& vector = Vector();
  const std::string hex = vector.signature.substr(3);
  for (const std::string& signature : {hex, "v1=" + hex, "v0=" + hex.substr(1), "v0=" + hex + "0",
                                       "v0=" + hex.substr(1) + "g", std::string("v0=")}) {
    ExpectUnauthenticated(
        VerifySlackSignature(vector.secret, vector.timestamp, signature, vector.body, vector.now),
        "X-Slack-Signature is malformed (expected v0= and 64 hex digits)");
  }
}

TEST(EventsApiSignature, EmptySecretIsAConfigurationError) {
  const TestVector& vector = Vector();
  const absl::Status status =
      VerifySlackSignature("", vector.timestamp, vector.signature, vector.body, vector.now);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "no Slack signing secret is configured");
}

TEST(EventsApiRequest, UrlVerificationAnswersTheChallengeAsJson) {
  const EventsApiResult result =
      Handle(SignedJson(ReadFixture("slack/events/url_verification.java-sdk-test.json")));
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.content_type, "application/json");
  EXPECT_EQ(result.body, R"({"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})");
  EXPECT_EQ(result.result, "url_verification");
  EXPECT_FALSE(result.envelope.has_value());
}

TEST(EventsApiRequest, UrlVerificationMustBeSignedToo) {
  EventsApiRequest request =
      SignedJson(ReadFixture("slack/events/url_verification.python-slack-events-api.json"));
  request.signature = ComputeSlackSignature("another secret", request.request_timestamp, request.body);
  const EventsApiResult result = Handle(request);
  EXPECT_EQ(result.http_status, 401);
  EXPECT_EQ(result.body,
            "X-Slack-Signature does not match the body (wrong signing secret, or the body was altered)");
  EXPECT_EQ(result.result, "unauthenticated");
}

TEST(EventsApiRequest, EventCallbackReturnsTheEnvelopeAndEventId) {
  const EventsApiResult result = Handle(SignedJson(AppMentionCallback()));
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.body, "");
  EXPECT_EQ(result.result, "event");
  EXPECT_EQ(result.event_id, "Ev111");
  ASSERT_TRUE(result.envelope.has_value());
  EXPECT_EQ(result.envelope->at("type"), "event_callback");
  EXPECT_EQ(result.envelope->at("event").at("type"), "app_mention");
  EXPECT_EQ(result.envelope->at("event").at("ts"), "1610241741.000200");
  EXPECT_EQ(result.envelope->at("authorizations")[0].at("user_id"), "U222");
  EXPECT_EQ(result.retry_num, 0);
  EXPECT_EQ(result.retry_reason, "");
}

TEST(EventsApiRequest, RetryHeadersAreParsed) {
  EventsApiRequest request = SignedJson(AppMentionCallback());
  request.retry_num = "2";
  request.retry_reason = "http_error";
  const EventsApiResult result = Handle(request);
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.retry_num, 2);
  EXPECT_EQ(result.retry_reason, "http_error");

  request.retry_num = "two";
  EXPECT_EQ(Handle(request).retry_num, 0);
}

TEST(EventsApiRequest, SslCheckIsAnswered200) {
  EventsApiRequest request;
  request.content_type = "application/x-www-form-urlencoded";
  request.request_timestamp = Vector().timestamp;
  request.body = "ssl_check=1&token=Jhj5dZrVaK7ZwHHjRyZWjbDl";
  request.signature = ComputeSlackSignature(Vector().secret, request.request_timestamp, request.body);
  const EventsApiResult result = Handle(request);
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.body, "");
  EXPECT_EQ(result.result, "ssl_check");
  EXPECT_FALSE(result.envelope.has_value());
}

TEST(EventsApiRequest, SlashCommandFormIsVerifiedThenRefused) {
  // The test vector's body is a slash command: signed correctly, but creditbot handles no commands.
  EventsApiRequest request;
  request.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  request.request_timestamp = Vector().timestamp;
  request.signature = Vector().signature;
  request.body = Vector().body;
  const EventsApiResult result = Handle(request);
  EXPECT_EQ(result.http_status, 400);
  EXPECT_EQ(
      result.body,
      "form-encoded requests other than ssl_check are not handled (slash commands and interactivity are "
      "not enabled)");
}

TEST(EventsApiRequest, AppRateLimitedIsAcknowledged) {
  // The fields Slack documents for app_rate_limited (shared/research/slack.md §3).
  const EventsApiResult result = Handle(
      SignedJson(R"({"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","type":"app_rate_limited","team_id":"T123456",)"
                 R"("minute_rate_limited":1518467820,"api_app_id":"A123456"})"));
  EXPECT_EQ(result.http_status, 200);
  EXPECT_EQ(result.result, "app_rate_limited");
  EXPECT_FALSE(result.envelope.has_value());
}

TEST(EventsApiRequest, BodyOverTheLimitIs413) {
  const std::string body(kDefaultEventsApiMaxBodyBytes + 1, ' ');
  const EventsApiResult result = Handle(SignedJson(body));
  EXPECT_EQ(result.http_status, 413);
  EXPECT_EQ(result.body, "request body is 1048577 bytes; the limit is 1048576");
  EXPECT_EQ(result.result, "too_large");

  // At the limit it is read (and here refused as JSON).
  EXPECT_EQ(Handle(SignedJson(std::string(kDefaultEventsApiMaxBodyBytes, ' '))).http_status, 400);
}

TEST(EventsApiRequest, MalformedBodiesAre400WithTheReason) {
  ExpectBadRequest("token=abc", "body is not JSON");
  ExpectBadRequest("", "body is not JSON");
  ExpectBadRequest(R"({"type":"event_callback")", "body is not JSON");
  ExpectBadRequest(R"(["event_callback"])", "body is not a JSON object");
  ExpectBadRequest(R"({"token":"x"})", "body has no string \"type\"");
  ExpectBadRequest(R"({"type":7})", "body has no string \"type\"");
  ExpectBadRequest(R"({"type":"block_actions"})", "unsupported Events API type \"block_actions\"");
  ExpectBadRequest(R"({"type":"url_verification"})", "url_verification has no string \"challenge\"");
  ExpectBadRequest(R"({"type":"event_callback","event":{"type":"message"}})",
                   "event_callback has no string \"event_id\"");
  ExpectBadRequest(R"({"type":"event_callback","event_id":"","event":{"type":"message"}})",
                   "event_callback has no string \"event_id\"");
  ExpectBadRequest(R"({"type":"event_callback","event_id":"Ev1","event":"message"})",
                   "event_callback has no \"event\" object");
  const std::string deep = std::string(200, '[') + std::string(200, ']');
  ExpectBadRequest(R"({"type":"event_callback","event_id":"Ev1","event":{"x":)" + deep + "}}",
                   "body JSON is nested deeper than 128 levels");
}

TEST(EventsApiRequest, PythonFixtureWithoutEventIdIsRefused) {
  // python-slack-events-api's reaction_added test body has no event_id (Slack always sends one): it cannot be
  // deduplicated, so it is refused rather than risk a double reply.
  ExpectBadRequest(ReadFixture("slack/events/event_callback.reaction_added.python-slack-events-api.json"),
                   "event_callback has no string \"event_id\"");
}

TEST(EventsApiRequest, SignatureIsCheckedBeforeTheBodyIsRead) {
  EventsApiRequest request = SignedJson("not json at all");
  request.signature[5] = request.signature[5] == '0' ? '1' : '0';
  EXPECT_EQ(Handle(request).http_status, 401);
  request.request_timestamp = "";
  const EventsApiResult result = Handle(request);
  EXPECT_EQ(result.http_status, 401);
  EXPECT_EQ(result.body, "missing X-Slack-Request-Timestamp header");
}

TEST(EventsApiRequest, OnlyPostIsAllowed) {
  EventsApiRequest request = SignedJson(AppMentionCallback());
  request.method = "GET";
  const EventsApiResult result = Handle(request);
  EXPECT_EQ(result.http_status, 405);
  EXPECT_FALSE(result.envelope.has_value());
}

TEST(EventsApiRequest, EmptySecretIs500NotConfigured) {
  const EventsApiResult result = HandleEventsApiRequest(SignedJson(AppMentionCallback()), "", Vector().now);
  EXPECT_EQ(result.http_status, 500);
  EXPECT_EQ(result.result, "not_configured");
  EXPECT_EQ(result.body, "no Slack signing secret is configured");
}

TEST(RecentIds, SecondSightingIsNotFirst) {
  RecentIds ids;
  const absl::Time now = absl::FromUnixSeconds(1610241741);
  EXPECT_TRUE(ids.FirstSeen("Ev111", now));
  EXPECT_FALSE(ids.FirstSeen("Ev111", now + absl::Seconds(60)));
  EXPECT_TRUE(ids.FirstSeen("Ev222", now));
  EXPECT_EQ(ids.size(), 2u);
}

TEST(RecentIds, EmptyIdIsAlwaysFirstAndNotKept) {
  RecentIds ids;
  const absl::Time now = absl::FromUnixSeconds(1610241741);
  EXPECT_TRUE(ids.FirstSeen("", now));
  EXPECT_TRUE(ids.FirstSeen("", now));
  EXPECT_EQ(ids.size(), 0u);
}

TEST(RecentIds, OldestIsEvictedOverCapacity) {
  RecentIds ids(/*capacity=*/3, absl::Hours(1));
  const absl::Time now = absl::FromUnixSeconds(1610241741);
  EXPECT_TRUE(ids.FirstSeen("Ev1", now));
  EXPECT_TRUE(ids.FirstSeen("Ev2", now));
  EXPECT_TRUE(ids.FirstSeen("Ev3", now));
  EXPECT_TRUE(ids.FirstSeen("Ev4", now));  // evicts Ev1
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_FALSE(ids.FirstSeen("Ev2", now));
  EXPECT_FALSE(ids.FirstSeen("Ev4", now));
  EXPECT_TRUE(ids.FirstSeen("Ev1", now));  // forgotten, so new again (and evicts Ev2)
  EXPECT_TRUE(ids.FirstSeen("Ev2", now));
}

TEST(RecentIds, IdsExpireAfterTheTtl) {
  RecentIds ids(/*capacity=*/100, absl::Hours(1));
  const absl::Time start = absl::FromUnixSeconds(1610241741);
  EXPECT_TRUE(ids.FirstSeen("Ev1", start));
  EXPECT_TRUE(ids.FirstSeen("Ev2", start + absl::Minutes(30)));
  EXPECT_FALSE(ids.FirstSeen("Ev1", start + absl::Minutes(59)));  // a repeat does not extend the life
  EXPECT_TRUE(ids.FirstSeen("Ev1", start + absl::Hours(1)));
  EXPECT_FALSE(ids.FirstSeen("Ev2", start + absl::Hours(1)));
  EXPECT_TRUE(ids.FirstSeen("Ev2", start + absl::Minutes(90)));
}

TEST(RecentIds, ForgottenIdIsFirstAgain) {
  RecentIds ids(/*capacity=*/2, absl::Hours(1));
  const absl::Time now = absl::FromUnixSeconds(1610241741);
  EXPECT_TRUE(ids.FirstSeen("Ev1", now));
  ids.Forget("Ev1");
  EXPECT_EQ(ids.size(), 0u);
  EXPECT_TRUE(ids.FirstSeen("Ev1", now));
  // The stale first entry of Ev1 must not evict the live one.
  EXPECT_TRUE(ids.FirstSeen("Ev2", now));
  EXPECT_FALSE(ids.FirstSeen("Ev1", now));
  EXPECT_EQ(ids.size(), 2u);
  for (int i = 0; i < 100; ++i) {  // repeated forget/see cycles stay bounded and correct
    ids.Forget("Ev1");
    EXPECT_TRUE(ids.FirstSeen("Ev1", now));
  }
  EXPECT_FALSE(ids.FirstSeen("Ev2", now));
  EXPECT_EQ(ids.size(), 2u);
}

}  // namespace
}  // namespace creditbot
