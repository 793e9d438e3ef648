// Tests of the Trino client: the real client and libcurl against FakeTrinoServer replaying the recorded
// pages of tests/fixtures/trino/, plus the page decoder and the URL form on their own.
#include "warehouse/trino_warehouse.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/embedded_files.h"
#include "core/credit_policy.h"
#include "core/decimal.h"
#include "core/mode.h"
#include "evidence/evidence_loader.h"
#include "net/http_transport.h"
#include "tests/fake_trino_server.h"

namespace creditbot {
namespace {

using ::creditbot::testing::FakeReply;
using ::creditbot::testing::FakeTrinoServer;
using ::creditbot::testing::ReadTrinoFixture;
using ::creditbot::testing::RecordedRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RecordingSink final : public RowSink {
 public:
  explicit RecordingSink(const FakeTrinoServer* server = nullptr) : server_(server) {}
  absl::Status OnColumns(const std::vector<Column>& columns) override {
    ++column_calls;
    columns_ = columns;
    return absl::OkStatus();
  }
  absl::Status OnRow(const std::vector<Value>& row) override {
    rows.push_back(row);
    if (server_ != nullptr) gets_seen_at_row.push_back(server_->count("GET"));
    if (fail_at_row > 0 && static_cast<int>(rows.size()) == fail_at_row) {
      return absl::CancelledError("the sink has had enough");
    }
    return absl::OkStatus();
  }
  const std::vector<Column>& columns() const { return columns_; }

  int column_calls = 0;
  std::vector<std::vector<Value>> rows;
  std::vector<int> gets_seen_at_row;
  int fail_at_row = 0;

 private:
  const FakeTrinoServer* server_;
  std::vector<Column> columns_;
};

// The path of a fixture page's nextUri (what the client must GET next, as recorded).
std::string NextPathOf(const std::string& fixture) {
  const nlohmann::json page = nlohmann::json::parse(ReadTrinoFixture(fixture));
  const std::string uri = page.at("nextUri").get<std::string>();
  return uri.substr(uri.find('/', uri.find("://") + 3));
}

std::vector<FakeReply> PrestinoSequence() {
  std::vector<FakeReply> replies;
  for (const char* name :
       {"prestino_select_sequence_01_post_queued.json", "prestino_select_sequence_02_get_queued.json",
        "prestino_select_sequence_03_get_queued_to_executing.json",
        "prestino_select_sequence_04_get_running_columns_no_data.json",
        "prestino_select_sequence_05_get_running_with_data.json",
        "prestino_select_sequence_06_get_finished_no_nexturi.json"}) {
    replies.push_back(FakeTrinoServer::Fixture(name));
  }
  return replies;
}

class TrinoWarehouseTest : public ::testing::Test {
 protected:
  TrinoWarehouseTest() : transport_(MakeCurlTransport()) {
    options_.base_url = server_.base_url();
    options_.user = "creditbot-test";
    options_.catalog = "hive";
    options_.schema = "fraud";
  }

  std::unique_ptr<TrinoWarehouse> Make() {
    absl::StatusOr<std::unique_ptr<TrinoWarehouse>> warehouse =
        TrinoWarehouse::Create(*transport_, clock_, sleeper_, options_);
    EXPECT_TRUE(warehouse.ok()) << warehouse.status();
    return warehouse.ok() ? *std::move(warehouse) : nullptr;
  }

  std::vector<std::string> Paths(const std::string& method) const {
    std::vector<std::string> paths;
    for (const RecordedRequest& request : server_.requests()) {
      if (request.method == method) paths.push_back(request.path);
    }
    return paths;
  }

  FakeTrinoServer server_;
  std::unique_ptr<HttpTransport> transport_;
  FakeClock clock_{absl::FromUnixSeconds(1'700'000'000)};
  FakeSleeper sleeper_{clock_};
  TrinoOptions options_;
};

TEST_F(TrinoWarehouseTest, FollowsTheRecordedSixPageSequenceAndTakesRowsOnlyFromTheDataPage) {
  server_.Script(PrestinoSequence());
  RecordingSink sink;
  ASSERT_TRUE(Make()->Query("SELECT 1 AS a", sink).ok());
  EXPECT_EQ(sink.column_calls, 1);
  ASSERT_EQ(sink.columns().size(), 1u);
  EXPECT_EQ(sink.columns()[0].name, "a");
  EXPECT_EQ(sink.columns()[0].type, "integer");
  ASSERT_EQ(sink.rows.size(), 1u);
  EXPECT_EQ(sink.rows[0], (std::vector<Value>{int64_t{1}}));
  EXPECT_THAT(Paths("POST"), ElementsAre("/v1/statement"));
  EXPECT_THAT(Paths("GET"),
              ElementsAre(NextPathOf("prestino_select_sequence_01_post_queued.json"),
                          NextPathOf("prestino_select_sequence_02_get_queued.json"),
                          NextPathOf("prestino_select_sequence_03_get_queued_to_executing.json"),
                          NextPathOf("prestino_select_sequence_04_get_running_columns_no_data.json"),
                          NextPathOf("prestino_select_sequence_05_get_running_with_data.json")));
  EXPECT_EQ(server_.count("DELETE"), 0);  // a finished query is never cancelled
  EXPECT_EQ(server_.requests()[0].body, "SELECT 1 AS a");
}

TEST_F(TrinoWarehouseTest, DecodesTheManyTypesPageExactly) {
  server_.Script({FakeTrinoServer::Fixture("many_types_columns_and_data_trino_2022.json")});
  RecordingSink sink;
  ASSERT_TRUE(Make()->Query("SELECT many types", sink).ok());
  ASSERT_EQ(sink.rows.size(), 1u);
  const std::vector<Value>& row = sink.rows[0];
  ASSERT_EQ(row.size(), sink.columns().size());
  auto cell = [&](const std::string& name) -> const Value& {
    for (std::size_t i = 0; i < sink.columns().size(); ++i) {
      if (sink.columns()[i].name == name) return row[i];
    }
    ADD_FAILURE() << "no column " << name;
    static const Value kMissing;
    return kMissing;
  };
  auto type = [&](const std::string& name) {
    for (const Column& column : sink.columns()) {
      if (column.name == name) return column.type;
    }
    return std::string("(missing)");
  };
  EXPECT_EQ(cell("col_bigint"), Value(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(cell("col_bigint_min"), Value(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(cell("col_integer_min"), Value(int64_t{-2147483648}));
  EXPECT_EQ(cell("col_tinyint_min"), Value(int64_t{-128}));
  EXPECT_EQ(cell("col_bool"), Value(int64_t{0}));
  EXPECT_EQ(cell("col_bool_null"), Value(Null{}));
  EXPECT_EQ(cell("col_bigint_null"), Value(Null{}));
  EXPECT_EQ(cell("col_decimal"), Value(std::string("10.3")));
  EXPECT_EQ(cell("col_decimal18"), Value(std::string("0.123456789123456789")));
  EXPECT_EQ(cell("col_decimal38"), Value(std::string("10")));
  EXPECT_EQ(cell("col_decimal_null"), Value(Null{}));
  EXPECT_EQ(type("col_decimal"), "decimal(3, 1)");
  EXPECT_EQ(type("col_int_year"), "interval year to month");  // lower-cased
  EXPECT_EQ(cell("col_double"), Value(1.7976931348623157e308));
  EXPECT_EQ(cell("col_double_min"), Value(5e-324));
  EXPECT_EQ(cell("col_real"), Value(3.4028235e38));
  ASSERT_TRUE(std::holds_alternative<double>(cell("col_double_nan")));
  EXPECT_TRUE(std::isnan(std::get<double>(cell("col_double_nan"))));
  EXPECT_TRUE(std::isnan(std::get<double>(cell("col_real_nan"))));
  EXPECT_EQ(cell("col_double_inf"), Value(std::numeric_limits<double>::infinity()));
  EXPECT_EQ(cell("col_real_ninf"), Value(-std::numeric_limits<double>::infinity()));
  EXPECT_EQ(cell("col_varchar_uni"), Value(std::string("Hello winter \u2603 !")));
  EXPECT_EQ(cell("col_char"), Value(std::string("c")));
  EXPECT_EQ(cell("col_date"), Value(std::string("2001-08-22")));
  EXPECT_EQ(cell("col_ts6"), Value(std::string("2001-08-22 01:23:45.123456")));
  EXPECT_EQ(cell("col_tstz"), Value(std::string("2001-08-22 01:23:45.123 -08:00")));
  EXPECT_EQ(cell("col_int_day"), Value(std::string("2 00:00:00.000")));
  EXPECT_EQ(cell("col_varbinary"), Value(std::string("ZWg/")));
  EXPECT_EQ(cell("col_json"), Value(std::string("\"{}\"")));
  EXPECT_EQ(cell("col_array"), Value(std::string(R"(["a","b",null])")));
  EXPECT_EQ(cell("col_map"), Value(std::string(R"({"a":1,"b":null})")));
  EXPECT_EQ(cell("col_row"), Value(std::string("[1,2.0]")));
  EXPECT_EQ(cell("col_uuid"), Value(std::string("12151fd2-7586-11e9-8f9e-2a86e4085a59")));
  EXPECT_EQ(cell("col_tdigest_null"), Value(Null{}));
}

TEST_F(TrinoWarehouseTest, StreamsEachPageToTheSinkBeforeFetchingTheNext) {
  constexpr int kPages = 40;
  std::vector<FakeReply> replies;
  const std::string columns = R"([{"name":"n","type":"bigint"},{"name":"s","type":"varchar"}])";
  replies.push_back(FakeTrinoServer::Page(columns, "", "/v1/statement/executing/q/0"));
  for (int page = 0; page < kPages; ++page) {
    const std::string data = "[[" + std::to_string(page * 3) + ",\"x\"],[" + std::to_string(page * 3 + 1) +
                             ",\"y\"],[" + std::to_string(page * 3 + 2) + ",null]]";
    replies.push_back(
        FakeTrinoServer::Page(columns, data, "/v1/statement/executing/q/" + std::to_string(page + 1)));
  }
  replies.push_back(FakeTrinoServer::Page(columns, "", ""));
  server_.Script(replies);
  RecordingSink sink(&server_);
  ASSERT_TRUE(Make()->Query("SELECT n, s FROM big", sink).ok());
  EXPECT_EQ(sink.column_calls, 1);
  ASSERT_EQ(sink.rows.size(), static_cast<std::size_t>(kPages * 3));
  for (int i = 0; i < kPages * 3; ++i) {
    EXPECT_EQ(sink.rows[static_cast<std::size_t>(i)][0], Value(int64_t{i}));
    // Rows of page p reach the sink after p + 1 GETs and before the next one: nothing is collected first.
    EXPECT_EQ(sink.gets_seen_at_row[static_cast<std::size_t>(i)], i / 3 + 1) << "row " << i;
  }
  EXPECT_EQ(server_.count("GET"), kPages + 1);
}

TEST_F(TrinoWarehouseTest, RidesOutA503StormOnNextUriWithExponentialBackoff) {
  std::vector<FakeReply> replies = PrestinoSequence();
  const FakeReply unavailable{503, "<html>503 Service Unavailable</html>", {}, {}};
  replies.insert(replies.begin() + 1, {unavailable, unavailable, unavailable});
  server_.Script(replies);
  RecordingSink sink;
  ASSERT_TRUE(Make()->Query("SELECT 1 AS a", sink).ok());
  ASSERT_EQ(sink.rows.size(), 1u);
  // Documented policy: the POST's answer is followed at once; retries 100 ms, 200 ms, 400 ms; then a
  // 10 ms pause after each empty page, doubling (pages 02, 03 and 04 of the sequence have no rows).
  EXPECT_THAT(sleeper_.sleeps(),
              ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200), absl::Milliseconds(400),
                          absl::Milliseconds(10), absl::Milliseconds(20), absl::Milliseconds(40)));
  EXPECT_EQ(server_.count("POST"), 1);
  // The same nextUri was fetched four times.
  const std::vector<std::string> gets = Paths("GET");
  ASSERT_GE(gets.size(), 4u);
  EXPECT_EQ(gets[0], gets[3]);
}

TEST_F(TrinoWarehouseTest, GivesUpWithUnavailableAfterMaxRetriesOfA503ThatNeverEnds) {
  options_.max_retries = 3;
  server_.Script(
      {FakeTrinoServer::Fixture("prestino_select_sequence_01_post_queued.json"), FakeReply{503, "", {}, {}}},
      /*repeat_last=*/true);
  RecordingSink sink;
  absl::Status status = Make()->Query("SELECT 1", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_THAT(status.message(), HasSubstr("503"));
  EXPECT_THAT(status.message(), HasSubstr("3 retries"));
  EXPECT_EQ(server_.count("GET"), 4);  // the first try and 3 retries
  // No pause after the POST's answer; then the three retries' backoff.
  EXPECT_THAT(sleeper_.sleeps(),
              ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200), absl::Milliseconds(400)));
  EXPECT_EQ(server_.count("DELETE"), 1);  // best-effort cancel
}

TEST_F(TrinoWarehouseTest, HonoursRetryAfterOnA429) {
  std::vector<FakeReply> replies = PrestinoSequence();
  replies.insert(replies.begin() + 1, FakeReply{429, "slow down", {{"Retry-After", "7"}}, {}});
  server_.Script(replies);
  RecordingSink sink;
  ASSERT_TRUE(Make()->Query("SELECT 1 AS a", sink).ok());
  ASSERT_GE(sleeper_.sleeps().size(), 1u);
  EXPECT_EQ(sleeper_.sleeps()[0], absl::Seconds(7));  // no pause after the POST's answer comes first
}

TEST_F(TrinoWarehouseTest, ReportsASyntaxErrorWithItsNameAndPosition) {
  server_.Script({FakeTrinoServer::Fixture("syntax_error_trino402.json")});
  RecordingSink sink;
  absl::Status status = Make()->Query("SELECT bad", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_THAT(status.message(), HasSubstr("SYNTAX_ERROR"));
  EXPECT_THAT(status.message(), HasSubstr("line 5:14"));
  EXPECT_THAT(status.message(), HasSubstr("mismatched input 'BOOLEAN'"));
  EXPECT_EQ(server_.count("DELETE"), 0);
}

TEST_F(TrinoWarehouseTest, AnInternalErrorIsInternalAndInsufficientResourcesIsUnavailable) {
  const std::string internal =
      R"({"id":"q","stats":{"state":"FAILED"},"error":{"message":"boom","errorCode":65536,)"
      R"("errorName":"GENERIC_INTERNAL_ERROR","errorType":"INTERNAL_ERROR"}})";
  server_.Script({FakeReply{200, internal, {}, {}}});
  RecordingSink sink;
  absl::Status status = Make()->Query("SELECT 1", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(status.message(), HasSubstr("GENERIC_INTERNAL_ERROR"));

  const std::string resources =
      R"({"id":"q","stats":{"state":"FAILED"},"error":{"message":"Query exceeded limit","errorCode":131079,)"
      R"("errorName":"EXCEEDED_GLOBAL_MEMORY_LIMIT","errorType":"INSUFFICIENT_RESOURCES"}})";
  server_.Script({FakeReply{200, resources, {}, {}}});
  status = Make()->Query("SELECT 1", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST_F(TrinoWarehouseTest, CancelsAQueryThatNeverFinishesWhenQueryTimeoutPasses) {
  options_.query_timeout = absl::Seconds(10);
  server_.Script({FakeTrinoServer::Fixture("prestino_select_sequence_01_post_queued.json"),
                  FakeTrinoServer::Fixture("prestino_select_sequence_02_get_queued.json")},
                 /*repeat_last=*/true);
  const absl::Time start = clock_.Now();
  RecordingSink sink;
  absl::Status status = Make()->Query("SELECT forever", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded) << status;
  EXPECT_THAT(status.message(), HasSubstr("cancelled"));
  EXPECT_THAT(Paths("DELETE"), ElementsAre(NextPathOf("prestino_select_sequence_02_get_queued.json")));
  EXPECT_GE(clock_.Now() - start, absl::Seconds(9));  // the fake clock, moved only by the sleeper
  EXPECT_LT(server_.count("GET"), 40);                // pauses, not a tight loop
}

TEST_F(TrinoWarehouseTest, CancelsTheQueryWhenTheSinkFails) {
  server_.Script({FakeTrinoServer::Fixture("prestino_select_sequence_04_get_running_columns_no_data.json"),
                  FakeTrinoServer::Fixture("prestino_select_sequence_05_get_running_with_data.json"),
                  FakeTrinoServer::Fixture("prestino_select_sequence_06_get_finished_no_nexturi.json")});
  RecordingSink sink;
  sink.fail_at_row = 1;
  absl::Status status = Make()->Query("SELECT 1 AS a", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kCancelled) << status;
  EXPECT_EQ(status.message(), "the sink has had enough");  // unchanged
  EXPECT_THAT(Paths("DELETE"),
              ElementsAre(NextPathOf("prestino_select_sequence_05_get_running_with_data.json")));
  EXPECT_EQ(server_.count("GET"), 1);
}

TEST_F(TrinoWarehouseTest, SendsTheSessionHeadersAndNeverAsksForSpooling) {
  options_.session_properties = {{"query_max_run_time", "10m"}, {"time_zone_id", "America/New York"}};
  server_.Script(PrestinoSequence());
  RecordingSink sink;
  ASSERT_TRUE(Make()->Query("SELECT 1 AS a", sink).ok());
  const std::vector<RecordedRequest> requests = server_.requests();
  ASSERT_EQ(requests.size(), 6u);
  const RecordedRequest& post = requests[0];
  EXPECT_EQ(post.Header("X-Trino-User"), "creditbot-test");
  EXPECT_EQ(post.Header("X-Trino-Source"), "creditbot");
  EXPECT_EQ(post.Header("X-Trino-Catalog"), "hive");
  EXPECT_EQ(post.Header("X-Trino-Schema"), "fraud");
  EXPECT_EQ(post.Header("Content-Type"), "text/plain; charset=utf-8");
  std::vector<std::string> sessions;
  for (const auto& [name, value] : post.headers) {
    if (name == "X-Trino-Session") sessions.push_back(value);
  }
  // cpp-httplib percent-decodes header values; the encoded form on the wire is checked in
  // TrinoWarehouseAuth.SendsBasicCredentialsOverHttps.
  EXPECT_THAT(sessions, ElementsAre("query_max_run_time=10m", "time_zone_id=America/New York"));
  for (const RecordedRequest& request : requests) {
    EXPECT_FALSE(request.HasHeader("X-Trino-Query-Data-Encoding")) << request.method << " " << request.path;
    EXPECT_FALSE(request.HasHeader("Authorization"));  // plain http: no credentials configured or sent
    EXPECT_FALSE(request.HasHeader("X-Presto-User"));
    EXPECT_EQ(request.Header("X-Trino-User"), "creditbot-test");
  }
}

TEST_F(TrinoWarehouseTest, SendsPrestoHeadersWhenAskedTo) {
  options_.presto_headers = true;
  server_.Script(PrestinoSequence());
  RecordingSink sink;
  ASSERT_TRUE(Make()->Query("SELECT 1 AS a", sink).ok());
  for (const RecordedRequest& request : server_.requests()) {
    EXPECT_EQ(request.Header("X-Presto-User"), "creditbot-test");
    for (const auto& [name, value] : request.headers) EXPECT_THAT(name, ::testing::Not(HasSubstr("Trino")));
  }
  EXPECT_EQ(server_.requests()[0].Header("X-Presto-Catalog"), "hive");
  EXPECT_EQ(server_.requests()[0].Header("X-Presto-Source"), "creditbot");
}

TEST_F(TrinoWarehouseTest, RefusesASpooledDataObject) {
  const nlohmann::json sequence =
      nlohmann::json::parse(ReadTrinoFixture("python_client_mock_spooled_inline_update_sequence.json"));
  server_.Script({FakeReply{200, sequence.at("sequence")[0].at("response").dump(), {}, {}},
                  FakeReply{200, sequence.at("sequence")[1].at("response").dump(), {}, {}}});
  RecordingSink sink;
  absl::Status status = Make()->Query("INSERT", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  EXPECT_THAT(status.message(), HasSubstr("spooling protocol is not supported"));
}

TEST_F(TrinoWarehouseTest, RefusesToFollowANextUriToAnotherOrigin) {
  // The recorded python-client page points at "coordinator:8080/…", not at the server we called.
  server_.Script({FakeTrinoServer::Fixture("python_client_trino360_get_response_data_null.json")});
  RecordingSink sink;
  absl::Status status = Make()->Query("SELECT 1", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(server_.count("GET"), 0);
}

TEST_F(TrinoWarehouseTest, RetriesAPostAnswered503ButNeverA502) {
  std::vector<FakeReply> replies = PrestinoSequence();
  replies.insert(replies.begin(), FakeReply{503, "", {}, {}});
  server_.Script(replies);
  RecordingSink sink;
  ASSERT_TRUE(Make()->Query("SELECT 1 AS a", sink).ok());
  EXPECT_EQ(server_.count("POST"), 2);

  FakeTrinoServer other;
  other.Script(
      {FakeReply{502, "", {}, {}}, FakeTrinoServer::Fixture("prestino_select_sequence_01_post_queued.json")});
  options_.base_url = other.base_url();
  absl::Status status = Make()->Query("SELECT 1 AS a", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(other.count("POST"), 1);  // a gateway may have forwarded it: not resubmitted
}

// A 500 is tried again on a later pass (kUnavailable), never within the call: the POST may have started the
// query, and a nextUri may not be fetched twice.
TEST_F(TrinoWarehouseTest, A500IsUnavailableAndNotRetriedWithinTheCall) {
  server_.Script({FakeReply{500, "", {}, {}}});
  RecordingSink sink;
  absl::Status status = Make()->Query("SELECT 1 AS a", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_THAT(std::string(status.message()), HasSubstr("HTTP 500"));
  EXPECT_EQ(server_.count("POST"), 1);

  FakeTrinoServer other;
  other.Script(
      {FakeTrinoServer::Fixture("prestino_select_sequence_01_post_queued.json"), FakeReply{500, "", {}, {}}});
  options_.base_url = other.base_url();
  status = Make()->Query("SELECT 1 AS a", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(other.count("GET"), 1);
}

TEST_F(TrinoWarehouseTest, ARefusedConnectionIsUnavailable) {
  std::string base_url;
  {
    FakeTrinoServer gone;
    base_url = gone.base_url();
  }
  options_.base_url = base_url;
  RecordingSink sink;
  absl::Status status = Make()->Query("SELECT 1", sink);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST_F(TrinoWarehouseTest, MapsAuthenticationFailureOnThePost) {
  server_.Script({FakeReply{401, "Unauthorized", {}, {}}});
  RecordingSink sink;
  EXPECT_EQ(Make()->Query("SELECT 1", sink).code(), absl::StatusCode::kUnauthenticated);
}

// A transport that answers from a script without a network, for https-only behaviour.
class ScriptedTransport final : public HttpTransport {
 public:
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    requests.push_back(request);
    HttpResponse response;
    response.status = 200;
    response.body = ReadTrinoFixture("trino_client_golden_query_results_finished.json");
    return response;
  }
  std::vector<HttpRequest> requests;
};

TEST(TrinoWarehouseAuth, SendsBasicCredentialsOverHttps) {
  ScriptedTransport transport;
  FakeClock clock(absl::FromUnixSeconds(0));
  FakeSleeper sleeper(clock);
  TrinoOptions options;
  options.base_url = "https://trino.example.com:8443";
  options.user = "Aladdin";
  options.password = "open sesame";
  options.session_properties = {{"time_zone_id", "America/New York"}};
  absl::StatusOr<std::unique_ptr<TrinoWarehouse>> warehouse =
      TrinoWarehouse::Create(transport, clock, sleeper, options);
  ASSERT_TRUE(warehouse.ok()) << warehouse.status();
  RecordingSink sink;
  ASSERT_TRUE((*warehouse)->Query("SELECT 123", sink).ok());
  EXPECT_EQ(sink.rows, (std::vector<std::vector<Value>>{{int64_t{123}}}));  // the golden page
  ASSERT_EQ(transport.requests.size(), 1u);
  EXPECT_EQ(transport.requests[0].url, "https://trino.example.com:8443/v1/statement");
  bool found = false;
  for (const auto& [name, value] : transport.requests[0].headers) {
    if (name == "Authorization") {
      found = true;
      EXPECT_EQ(value, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");  // RFC 7617's example
    }
  }
  EXPECT_TRUE(found);
  EXPECT_THAT(transport.requests[0].headers, ::testing::Contains(std::pair<std::string, std::string>(
                                                 "X-Trino-Session", "time_zone_id=America%2FNew%20York")));
}

TEST(TrinoWarehouseAuth, RefusesCredentialsOverPlainHttpAtCreation) {
  ScriptedTransport transport;
  FakeClock clock(absl::FromUnixSeconds(0));
  FakeSleeper sleeper(clock);
  TrinoOptions options;
  options.base_url = "http://trino.example.com:8080";
  options.user = "alice";
  options.password = "secret";
  absl::StatusOr<std::unique_ptr<TrinoWarehouse>> warehouse =
      TrinoWarehouse::Create(transport, clock, sleeper, options);
  EXPECT_EQ(warehouse.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(warehouse.status().message(), HasSubstr("https"));
  EXPECT_THAT(warehouse.status().message(), ::testing::Not(HasSubstr("secret")));
  options.password.clear();
  options.bearer_token = "jwt";
  EXPECT_EQ(TrinoWarehouse::Create(transport, clock, sleeper, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.bearer_token.clear();
  options.user.clear();
  EXPECT_EQ(TrinoWarehouse::Create(transport, clock, sleeper, options).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport.requests.empty());
}

TEST(TrinoPage, DecodesTheGoldenFinishedPageWithTheOldTypeSignature) {
  absl::StatusOr<TrinoPage> page =
      ParseTrinoPage(ReadTrinoFixture("trino_client_golden_query_results_finished.json"));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->id, "20160128_214710_00012_rk68b");
  EXPECT_EQ(page->state, "FINISHED");
  EXPECT_FALSE(page->next_uri.has_value());
  ASSERT_EQ(page->columns.size(), 1u);
  EXPECT_EQ(page->columns[0].type, "bigint");
  EXPECT_EQ(page->rows, (std::vector<std::vector<Value>>{{int64_t{123}}}));
}

TEST(TrinoPage, AcceptsNullDataAndEmptyColumns) {
  absl::StatusOr<TrinoPage> page =
      ParseTrinoPage(ReadTrinoFixture("python_client_trino360_get_response_data_null.json"));
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(page->rows.empty());
  EXPECT_TRUE(page->columns.empty());
  EXPECT_TRUE(page->next_uri.has_value());
}

TEST(TrinoPage, DecodesRowsWithColumnsFromAnEarlierPage) {
  absl::StatusOr<TrinoPage> page = ParseTrinoPage(R"({"id":"q","data":[[5]]})", {Column{"n", "bigint"}});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->rows, (std::vector<std::vector<Value>>{{int64_t{5}}}));
}

TEST(TrinoPage, RefusesWhatBreaksTheProtocol) {
  const std::vector<std::string> bad = {
      "[1]",
      R"({"data":[[1]]})",                                                             // data without columns
      R"({"columns":[{"name":"n","type":"bigint"}],"data":[[1,2]]})",                  // row width
      R"({"columns":[{"name":"n","type":"bigint"}],"data":[[9223372036854775808]]})",  // beyond int64
      R"({"columns":[{"name":"n","type":"bigint"}],"data":[[1.5]]})",
      R"({"columns":[{"name":"d","type":"double"}],"data":[["nan"]]})",
      R"({"columns":[{"name":"n","type":"bigint"}],"data":{"encoding":"json","segments":[]}})",
      R"({"nextUri":42})",
  };
  for (const std::string& text : bad) {
    absl::StatusOr<TrinoPage> page = ParseTrinoPage(text);
    EXPECT_EQ(page.status().code(), absl::StatusCode::kInternal) << text;
  }
  // Not JSON at all (half a page, a proxy's HTML) is damage on the way, tried again later.
  for (const std::string& text : {std::string("not json"), std::string(R"({"id":"q","columns":[{"na)")}) {
    EXPECT_EQ(ParseTrinoPage(text).status().code(), absl::StatusCode::kUnavailable) << text;
  }
  absl::StatusOr<TrinoPage> wrong =
      ParseTrinoPage(R"({"columns":[{"name":"n","type":"bigint"}],"data":[["7"]]})");
  EXPECT_THAT(wrong.status().message(), HasSubstr("column 'n' (bigint)"));
}

TEST(TrinoUrl, ParsesTheDocumentedForms) {
  absl::StatusOr<TrinoOptions> options = ParseTrinoUrl("trino://alice@trino.example.com:8443/hive/fraud");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->base_url, "https://trino.example.com:8443");
  EXPECT_EQ(options->user, "alice");
  EXPECT_EQ(options->catalog, "hive");
  EXPECT_EQ(options->schema, "fraud");
  EXPECT_FALSE(options->presto_headers);

  options = ParseTrinoUrl("presto://bob%40corp@presto.internal?ssl=false");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->base_url, "http://presto.internal:8080");
  EXPECT_EQ(options->user, "bob@corp");
  EXPECT_TRUE(options->catalog.empty());
  EXPECT_TRUE(options->presto_headers);

  options = ParseTrinoUrl("trino://carol@Trino.Example.com/hive");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->base_url, "https://trino.example.com:443");
  EXPECT_EQ(options->catalog, "hive");
  EXPECT_TRUE(options->schema.empty());

  options = ParseTrinoUrl("trino://dan@[::1]:8080/c/s?ssl=false");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->base_url, "http://[::1]:8080");
}

TEST(TrinoUrl, RefusesPasswordsAndMalformedUrls) {
  absl::StatusOr<TrinoOptions> with_password = ParseTrinoUrl("trino://alice:hunter2@host:443/c/s");
  EXPECT_EQ(with_password.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(with_password.status().message(), HasSubstr("PRESTO_PASSWORD"));
  EXPECT_THAT(with_password.status().message(), ::testing::Not(HasSubstr("hunter2")));
  for (const char* url :
       {"sqlite:/tmp/x.db", "trino://", "trino://alice@", "trino://alice@host:0", "trino://alice@host:99999",
        "trino://alice@host/a/b/c", "trino://alice@host?tls=off", "trino://alice@ho st",
        "trino://al%0Aice@host", "https://alice@host"}) {
    EXPECT_EQ(ParseTrinoUrl(url).status().code(), absl::StatusCode::kInvalidArgument) << url;
  }
}

// The whole evidence load on Trino: every follow-up runs from sql/trino/ through the real client, each as a
// queued POST reply (the recorded page 01) then a final page of Trino-typed values.
TEST_F(TrinoWarehouseTest, LoadsEvidenceWithTheTrinoDialectAndTrinoTypes) {
  const FakeReply queued = FakeTrinoServer::Fixture("prestino_select_sequence_01_post_queued.json");
  auto answer = [&](const std::string& columns, const std::string& data) {
    return std::vector<FakeReply>{queued, FakeTrinoServer::Page(columns, data, "")};
  };
  // "[name type, …]" → the JSON columns array.
  auto cols = [](const std::vector<std::pair<std::string, std::string>>& list) {
    nlohmann::json columns = nlohmann::json::array();
    for (const auto& [name, type] : list) columns.push_back({{"name", name}, {"type", type}});
    return columns.dump();
  };
  const std::string r = "authy_fraud_report.";
  std::vector<std::vector<FakeReply>> queries = {
      // The day as a timestamp with time zone: the second row, 23:30 at UTC−5 on 07-02, is 07-03 in UTC.
      answer(cols({{r + "day", "timestamp(3) with time zone"},
                   {r + "account_sid", "varchar"},
                   {r + "service_sid", "varchar"},
                   {r + "mcc", "varchar"},
                   {r + "mnc", "varchar"},
                   {r + "to_country", "varchar"},
                   {r + "attempts_sent", "bigint"},
                   {r + "attempts_blocked", "bigint"},
                   {r + "fraud_charges_usd", "decimal(38, 5)"}}),
             R"j([["2025-07-01 00:00:00.000 UTC","ACs1","VA1","400","01","AZ",1000,500,"300.00000"],
                  ["2025-07-02 23:30:00.000 -05:00","ACs1","VA1","400","01","AZ",300,1700,"90.00000"]])j"),
      answer(cols({{"account_sid", "varchar"}, {"parent_account_sid", "varchar"}, {"status", "varchar"}}),
             R"j([["ACs1","ACp","active"]])j"),
      answer(cols({{"service_sid", "varchar"},
                   {"account_sid", "varchar"},
                   {"custom_code_enabled", "boolean"},
                   {"api_version", "varchar"}}),
             R"j([["VA1","ACs1",true,"verify_v2"]])j"),
      answer(cols({{"service_sid", "varchar"},
                   {"account_sid", "varchar"},
                   {"protection_mode", "varchar"},
                   {"effective_from", "timestamp(3)"},
                   {"effective_to", "timestamp(3)"}}),
             R"j([["VA1","ACs1","basic","2025-06-01 08:30:00.000",null]])j"),
      answer(cols({{"account_sid", "varchar"},
                   {"iso_country", "varchar"},
                   {"permission", "varchar"},
                   {"effective_from", "timestamp(3)"},
                   {"effective_to", "timestamp(3)"}}),
             ""),  // no rows: Trino sends no data at all
      answer(cols({{"mcc", "varchar"},
                   {"mnc", "varchar"},
                   {"cost_usd_per_sms", "decimal(10, 5)"},
                   {"effective_from", "date"},
                   {"effective_to", "date"}}),
             R"j([["400",null,"0.05000","2025-01-01",null]])j"),
      answer(cols({{"protection_mode", "varchar"}, {"mcc", "varchar"}, {"block_rate", "double"}}),
             R"j([["basic","400",0.5]])j"),
      answer(cols({{"month", "date"}, {"mrr_usd", "decimal(12, 2)"}}), R"j([["2025-07-01","1000.00"]])j"),
      answer(cols({{"created_at", "timestamp(3)"},
                   {"credit_amount", "decimal(12, 2)"},
                   {"status", "varchar"},
                   {"product", "varchar"}}),
             R"j([["2025-01-15 12:00:00.000","50.00","issued","Verify"]])j"),
  };
  std::vector<FakeReply> script;
  for (const std::vector<FakeReply>& query : queries) script.insert(script.end(), query.begin(), query.end());
  server_.Script(script);

  std::unique_ptr<TrinoWarehouse> warehouse = Make();
  CreditPolicy policy;
  EvidenceLoader loader(*warehouse, policy);
  absl::StatusOr<Evidence> evidence =
      loader.Load(EvidenceRequest{"SELECT report", absl::CivilDay(2025, 7, 15), ""});
  ASSERT_TRUE(evidence.ok()) << evidence.status();
  ASSERT_EQ(evidence->report.rows.size(), 2u);
  EXPECT_EQ(evidence->report.rows[1].day, absl::CivilDay(2025, 7, 3));
  EXPECT_EQ(evidence->report.rows[1].attempts_blocked, 1700);
  EXPECT_EQ(evidence->report.rows[0].fraud_charges, *Decimal::Parse("300"));
  ASSERT_EQ(evidence->services.size(), 1u);
  EXPECT_TRUE(evidence->services[0].custom_code_enabled);  // Trino boolean true
  ASSERT_EQ(evidence->modes.size(), 1u);
  EXPECT_EQ(evidence->modes[0].mode, Mode::kBasic);
  EXPECT_EQ(evidence->modes[0].from,
            absl::FromCivil(absl::CivilSecond(2025, 6, 1, 8, 30, 0), absl::UTCTimeZone()));
  EXPECT_FALSE(evidence->modes[0].to.has_value());
  EXPECT_TRUE(evidence->geo_permissions.empty());
  ASSERT_EQ(evidence->costs.size(), 1u);
  EXPECT_EQ(evidence->costs[0].cost_usd_per_sms, *Decimal::Parse("0.05"));
  EXPECT_EQ(evidence->costs[0].from, absl::CivilDay(2025, 1, 1));
  ASSERT_EQ(evidence->block_rates.size(), 1u);
  EXPECT_EQ(evidence->block_rates[0].rate, *Decimal::Parse("0.5"));
  ASSERT_TRUE(evidence->mrr.has_value());
  EXPECT_EQ(*evidence->mrr, *Decimal::Parse("1000"));
  ASSERT_EQ(evidence->prior_credits.size(), 1u);
  EXPECT_EQ(evidence->prior_credits[0].created, absl::CivilDay(2025, 1, 15));
  EXPECT_EQ(evidence->prior_credits[0].product, "Verify");

  std::vector<std::string> posted;
  for (const RecordedRequest& request : server_.requests()) {
    if (request.method == "POST") posted.push_back(request.body);
  }
  ASSERT_EQ(posted.size(), 9u);
  EXPECT_EQ(posted[0], "SELECT report");
  // The report covers 2025-07-01..03, so the window is ['2025-07-01', '2025-07-04'), as Trino literals.
  EXPECT_THAT(posted[3], HasSubstr("effective_from < CAST(DATE '2025-07-04' AS TIMESTAMP(3))"));
  EXPECT_THAT(posted[3], HasSubstr("effective_to > CAST(DATE '2025-07-01' AS TIMESTAMP(3))"));
  EXPECT_THAT(posted[3], HasSubstr("service_sid IN ('VA1')"));
  EXPECT_THAT(posted[7], HasSubstr("month <= DATE '2025-07-15'"));
  EXPECT_THAT(posted[8], HasSubstr("CAST(created_at AS DATE) <= DATE '2025-07-15'"));
}

// The SQL without its comment lines (no file puts a comment after code on a line).
std::string SqlBody(const std::string& sql) {
  std::string body;
  for (absl::string_view line : absl::StrSplit(sql, '\n')) {
    if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "--")) continue;
    absl::StrAppend(&body, line, "\n");
  }
  return body;
}

std::set<std::string> PlaceholdersOf(const std::string& body) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != ':' || i + 1 >= body.size() ||
        !(absl::ascii_isalpha(static_cast<unsigned char>(body[i + 1])) || body[i + 1] == '_')) {
      continue;
    }
    std::size_t end = i + 1;
    while (end < body.size() &&
           (absl::ascii_isalnum(static_cast<unsigned char>(body[end])) || body[end] == '_'))
      ++end;
    names.insert(body.substr(i + 1, end - i - 1));
  }
  return names;
}

// The "-- Placeholders: :a :b" header line's names.
std::set<std::string> DeclaredPlaceholdersOf(const std::string& sql) {
  const std::size_t at = sql.find("-- Placeholders:");
  if (at == std::string::npos) return {};
  const std::string line = sql.substr(at, sql.find('\n', at) - at);
  return PlaceholdersOf(line.substr(line.find(':') + 1));
}

// The result column names: the last word of each item between the first SELECT and its FROM.
std::vector<std::string> ResultColumnsOf(const std::string& body) {
  const std::size_t select = body.find("SELECT");
  const std::size_t from = body.find("FROM", select);
  if (select == std::string::npos || from == std::string::npos) return {};
  std::vector<std::string> names;
  for (absl::string_view item : absl::StrSplit(body.substr(select + 6, from - select - 6), ',')) {
    const absl::string_view trimmed = absl::StripAsciiWhitespace(item);
    const std::size_t space = trimmed.find_last_of(" \t\n)");
    names.emplace_back(space == absl::string_view::npos ? trimmed : trimmed.substr(space + 1));
  }
  return names;
}

TEST(TrinoDialectSql, EverySqliteFileHasATrinoTwinWithTheSamePlaceholdersAndColumns) {
  const std::filesystem::path root = CREDITBOT_SOURCE_DIR;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root / "sql" / "sqlite")) {
    if (entry.path().extension() != ".sql") continue;
    ++files;
    const std::string name = entry.path().filename().string();
    const absl::StatusOr<std::string> sqlite = ReadDataFile("sql/sqlite/" + name, "");
    const absl::StatusOr<std::string> trino = ReadDataFile("sql/trino/" + name, "");  // embedded too
    ASSERT_TRUE(sqlite.ok()) << sqlite.status();
    ASSERT_TRUE(trino.ok()) << name << ": " << trino.status();
    const std::string sqlite_body = SqlBody(*sqlite), trino_body = SqlBody(*trino);
    EXPECT_EQ(PlaceholdersOf(trino_body), PlaceholdersOf(sqlite_body)) << name;
    EXPECT_EQ(DeclaredPlaceholdersOf(*trino), PlaceholdersOf(trino_body)) << name << ": header comment";
    EXPECT_FALSE(ResultColumnsOf(sqlite_body).empty()) << name;
    EXPECT_EQ(ResultColumnsOf(trino_body), ResultColumnsOf(sqlite_body)) << name;
    EXPECT_EQ(trino_body.find(';'), std::string::npos) << name << ": Trino takes one statement, no ';'";
  }
  EXPECT_GE(files, 8);
}

}  // namespace
}  // namespace creditbot
