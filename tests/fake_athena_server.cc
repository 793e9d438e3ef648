// Amazon Athena on loopback, answering from SQLite (see the header).
#include "tests/fake_athena_server.h"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "common/sqlite_db.h"
#include "tests/fake_aws_server.h"
#include "tests/sqlite_backed_trino_server.h"

namespace creditbot::testing {

using Json = nlohmann::json;

struct FakeAthenaServer::Impl {
  struct Query {
    std::string id;
    std::string sql;
    std::string work_group;
    std::string output_location;
    Json context;
    std::vector<std::string> script;  // states still to report; the last one sticks
    std::string state = "QUEUED";
    std::string error;       // SQLite's message when the query fails
    Json columns;            // ColumnInfo
    std::vector<Json> rows;  // each a Row ({"Data": […]}), the header row first
  };
  struct WorkGroup {
    std::string state = "ENABLED";
    bool enforce = false;
    std::string output_location;
  };

  std::string sqlite_path;
  int page_rows = 3;
  httplib::Server server;
  int port = 0;
  mutable std::mutex mutex;
  std::map<std::string, WorkGroup> work_groups = {{"primary", {}}};
  std::vector<std::string> hang_texts;
  std::map<std::string, Query> queries;
  std::map<std::string, std::string> tokens;  // ClientRequestToken → id
  std::map<std::string, int> counts;
  std::vector<std::string> stopped;
  std::vector<std::string> start_bodies;
  std::vector<std::string> refused;
  int next_id = 1;

  static void Error(httplib::Response& response, int status, const std::string& type,
                    const std::string& message) {
    response.status = status;
    response.set_header("x-amzn-RequestId", "fake-athena-request-0001");
    response.set_content(Json{{"__type", type}, {"Message", message}}.dump(), "application/x-amz-json-1.1");
  }
  static void Answer(httplib::Response& response, const Json& body) {
    response.status = 200;
    response.set_header("x-amzn-RequestId", "fake-athena-request-0001");
    response.set_content(body.dump(), "application/x-amz-json-1.1");
  }

  // Runs `query.sql` on SQLite into columns and rows (the header row first), or sets `query.error`.
  void Run(Query& query) const {
    absl::StatusOr<SqliteDb> db = SqliteDb::Open(sqlite_path, SqliteDb::OpenMode::kReadOnly);
    if (!db.ok()) {
      query.error = std::string(db.status().message());
      return;
    }
    absl::StatusOr<Statement> stmt = db->Prepare(SqliteBackedTrinoServer::ToSqlite(query.sql));
    if (!stmt.ok()) {
      query.error = std::string(stmt.status().message());
      return;
    }
    const int width = stmt->ColumnCount();
    std::vector<std::string> types(static_cast<std::size_t>(width));
    std::vector<Json> rows;
    while (true) {
      absl::StatusOr<bool> row = stmt->Step();
      if (!row.ok()) {
        query.error = std::string(row.status().message());
        return;
      }
      if (!*row) break;
      Json data = Json::array();
      for (int i = 0; i < width; ++i) {
        std::string& type = types[static_cast<std::size_t>(i)];
        switch (stmt->ColumnType(i)) {
          case SQLITE_INTEGER:
            data.push_back({{"VarCharValue", std::to_string(stmt->ColumnInt(i))}});
            if (type.empty()) type = "bigint";
            break;
          case SQLITE_FLOAT: {
            char text[64];
            std::snprintf(text, sizeof text, "%.17g", stmt->ColumnDouble(i));
            data.push_back({{"VarCharValue", text}});
            if (type.empty()) type = "double";
            break;
          }
          case SQLITE_NULL:
            data.push_back(Json::object());  // Athena's NULL: a Datum without VarCharValue
            break;
          default:
            data.push_back({{"VarCharValue", stmt->ColumnText(i)}});
            if (type.empty()) type = "varchar";
        }
      }
      rows.push_back({{"Data", std::move(data)}});
    }
    query.columns = Json::array();
    Json header = Json::array();
    for (int i = 0; i < width; ++i) {
      const std::string name = stmt->ColumnName(i);
      const std::string& type = types[static_cast<std::size_t>(i)];
      query.columns.push_back({{"CatalogName", "hive"},
                               {"SchemaName", ""},
                               {"TableName", ""},
                               {"Name", name},
                               {"Label", name},
                               {"Type", type.empty() ? "varchar" : type},
                               {"Precision", type == "bigint" ? 19 : (type == "double" ? 17 : 2147483647)},
                               {"Scale", 0},
                               {"Nullable", "UNKNOWN"},
                               {"CaseSensitive", type.empty() || type == "varchar"}});
      header.push_back({{"VarCharValue", name}});
    }
    query.rows.push_back({{"Data", std::move(header)}});
    for (Json& row : rows) query.rows.push_back(std::move(row));
  }

  // Checks the signature and target; answers and returns "" when the request is refused.
  std::string Operation(const httplib::Request& request, httplib::Response& response) {
    const std::string target = request.get_header_value("X-Amz-Target");
    if (request.get_header_value("Authorization").empty()) {
      refused.push_back(target);
      Error(response, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
      return "";
    }
    SigV4Request wire{request.method, request.target, {}, request.body};
    for (const auto& [name, value] : request.headers) {
      if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT")
        continue;
      wire.headers.emplace_back(name, value);
    }
    SigV4Result signature = VerifySigV4(
        wire,
        [](const std::string& key) -> std::optional<std::string> {
          if (key == FakeAwsServer::kAccessKeyId) return std::string(FakeAwsServer::kSecretAccessKey);
          return std::nullopt;
        },
        /*s3=*/false, std::nullopt);
    if (!signature.ok || signature.service != "athena" || signature.region != FakeAwsServer::kRegion) {
      refused.push_back(target);
      Error(response, 403, "InvalidSignatureException",
            signature.ok ? "Credential should be scoped to a valid region and service athena"
                         : signature.error_code + ": " + signature.error_message);
      return "";
    }
    const std::string prefix = "AmazonAthena.";
    if (target.rfind(prefix, 0) != 0 ||
        request.get_header_value("Content-Type") != "application/x-amz-json-1.1") {
      refused.push_back(target);
      Error(response, 400, "UnknownOperationException", "");
      return "";
    }
    return target.substr(prefix.size());
  }

  void Start(const Json& body, httplib::Response& response) {
    const std::string sql = body.value("QueryString", "");
    const std::string token = body.value("ClientRequestToken", "");
    const std::string group_name = body.value("WorkGroup", "primary");
    if (sql.empty()) return Error(response, 400, "InvalidRequestException", "QueryString is required");
    if (token.size() < 32 || token.size() > 128) {
      return Error(response, 400, "InvalidRequestException",
                   "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: "
                   "Member must have length greater than or equal to 32");
    }
    auto group = work_groups.find(group_name);
    if (group == work_groups.end()) {
      return Error(response, 400, "InvalidRequestException", "WorkGroup " + group_name + " is not found.");
    }
    if (group->second.state != "ENABLED") {
      return Error(response, 400, "InvalidRequestException", "WorkGroup " + group_name + " is disabled.");
    }
    if (auto known = tokens.find(token); known != tokens.end()) {
      return Answer(response, {{"QueryExecutionId", known->second}});
    }
    std::string output = body.contains("ResultConfiguration")
                             ? body["ResultConfiguration"].value("OutputLocation", "")
                             : std::string();
    if (group->second.enforce || output.empty()) output = group->second.output_location;
    if (output.rfind("s3://", 0) != 0) {
      return Error(response, 400, "InvalidRequestException",
                   "No output location provided. An output location is required either through the Workgroup "
                   "result configuration setting or as an API input.");
    }
    Query query;
    char id[64];
    std::snprintf(id, sizeof id, "c0ffee00-0000-4000-8000-%012d", next_id++);
    query.id = id;
    query.sql = sql;
    query.work_group = group_name;
    query.output_location = output;
    query.context = body.value("QueryExecutionContext", Json::object());
    bool hang = false;
    for (const std::string& text : hang_texts) hang = hang || sql.find(text) != std::string::npos;
    if (hang) {
      query.script = {"QUEUED", "RUNNING"};
    } else {
      Run(query);
      query.script = {"QUEUED", "RUNNING", query.error.empty() ? "SUCCEEDED" : "FAILED"};
    }
    tokens[token] = query.id;
    queries[query.id] = std::move(query);
    Answer(response, {{"QueryExecutionId", id}});
  }

  void Get(const Json& body, httplib::Response& response) {
    auto found = queries.find(body.value("QueryExecutionId", ""));
    if (found == queries.end()) {
      return Error(response, 400, "InvalidRequestException", "QueryExecution was not found");
    }
    Query& query = found->second;
    if (!query.script.empty()) {
      query.state = query.script.front();
      if (query.script.size() > 1) query.script.erase(query.script.begin());
    }
    Json status = {{"State", query.state}, {"SubmissionDateTime", 1752588191.123}};
    if (query.state == "FAILED") {
      status["StateChangeReason"] = "SYNTAX_ERROR: line 1:1: " + query.error;
      status["AthenaError"] = {{"ErrorCategory", 2},
                               {"ErrorType", 1006},
                               {"Retryable", false},
                               {"ErrorMessage", "SYNTAX_ERROR: line 1:1: " + query.error}};
    } else if (query.state == "CANCELLED") {
      status["StateChangeReason"] = "Query cancelled by user";
    }
    if (query.state == "SUCCEEDED" || query.state == "FAILED" || query.state == "CANCELLED") {
      status["CompletionDateTime"] = 1752588193.456;
    }
    Answer(
        response,
        {{"QueryExecution",
          {{"QueryExecutionId", query.id},
           {"Query", query.sql},
           {"StatementType", "DML"},
           {"ResultConfiguration", {{"OutputLocation", query.output_location + query.id + ".csv"}}},
           {"QueryExecutionContext", query.context},
           {"Status", status},
           {"WorkGroup", query.work_group},
           {"EngineVersion",
            {{"SelectedEngineVersion", "AUTO"}, {"EffectiveEngineVersion", "Athena engine version 3"}}}}}});
  }

  void Results(const Json& body, httplib::Response& response) {
    auto found = queries.find(body.value("QueryExecutionId", ""));
    if (found == queries.end()) {
      return Error(response, 400, "InvalidRequestException", "QueryExecution was not found");
    }
    const Query& query = found->second;
    if (query.state != "SUCCEEDED") {
      return Error(response, 400, "InvalidRequestException",
                   "Query has not yet finished. Current state: " + query.state);
    }
    const int max_results = body.value("MaxResults", 1000);
    const std::size_t size = static_cast<std::size_t>(std::min(max_results, page_rows));
    std::size_t begin = 0;
    const std::string token = body.value("NextToken", "");
    const std::string token_prefix = "fake-token-" + query.id + "-";
    if (!token.empty()) {
      if (token.rfind(token_prefix, 0) != 0) {
        return Error(response, 400, "InvalidRequestException", "The NextToken is invalid");
      }
      begin = std::stoul(token.substr(token_prefix.size()));
    }
    Json rows = Json::array();
    for (std::size_t i = begin; i < query.rows.size() && i < begin + size; ++i) rows.push_back(query.rows[i]);
    Json answer = {
        {"UpdateCount", 0},
        {"ResultSet", {{"Rows", std::move(rows)}, {"ResultSetMetadata", {{"ColumnInfo", query.columns}}}}}};
    if (begin + size < query.rows.size()) answer["NextToken"] = token_prefix + std::to_string(begin + size);
    Answer(response, answer);
  }

  void Stop(const Json& body, httplib::Response& response) {
    const std::string id = body.value("QueryExecutionId", "");
    auto found = queries.find(id);
    if (found == queries.end()) {
      return Error(response, 400, "InvalidRequestException", "QueryExecution was not found");
    }
    stopped.push_back(id);
    Query& query = found->second;
    if (query.state == "QUEUED" || query.state == "RUNNING") {
      query.state = "CANCELLED";
      query.script = {"CANCELLED"};
    }
    Answer(response, Json::object());
  }

  void GetWorkGroup(const Json& body, httplib::Response& response) {
    const std::string name = body.value("WorkGroup", "");
    auto found = work_groups.find(name);
    if (found == work_groups.end()) {
      return Error(response, 400, "InvalidRequestException", "WorkGroup " + name + " is not found.");
    }
    Json configuration = {
        {"EnforceWorkGroupConfiguration", found->second.enforce},
        {"PublishCloudWatchMetricsEnabled", true},
        {"RequesterPaysEnabled", false},
        {"EngineVersion",
         {{"SelectedEngineVersion", "AUTO"}, {"EffectiveEngineVersion", "Athena engine version 3"}}}};
    if (!found->second.output_location.empty()) {
      configuration["ResultConfiguration"] = {{"OutputLocation", found->second.output_location}};
    }
    Answer(response, {{"WorkGroup",
                       {{"Name", name},
                        {"State", found->second.state},
                        {"Configuration", configuration},
                        {"Description", ""},
                        {"CreationTime", 1700000000.0}}}});
  }

  void Handle(const httplib::Request& request, httplib::Response& response) {
    std::lock_guard<std::mutex> lock(mutex);
    const std::string operation = Operation(request, response);
    if (operation.empty()) return;
    ++counts[operation];
    const Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) return Error(response, 400, "SerializationException", "body is not a JSON object");
    if (operation == "StartQueryExecution") {
      start_bodies.push_back(request.body);
      return Start(body, response);
    }
    if (operation == "GetQueryExecution") return Get(body, response);
    if (operation == "GetQueryResults") return Results(body, response);
    if (operation == "StopQueryExecution") return Stop(body, response);
    if (operation == "GetWorkGroup") return GetWorkGroup(body, response);
    Error(response, 400, "UnknownOperationException", "");
  }
};

FakeAthenaServer::FakeAthenaServer(std::string sqlite_path, int page_rows) : impl_(std::make_unique<Impl>()) {
  impl_->sqlite_path = std::move(sqlite_path);
  impl_->page_rows = page_rows;
  impl_->server.Post("/", [this](const httplib::Request& request, httplib::Response& response) {
    impl_->Handle(request, response);
  });
  impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeAthenaServer::~FakeAthenaServer() {
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeAthenaServer::base_url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

void FakeAthenaServer::SetWorkGroup(const std::string& name, const std::string& state, bool enforce,
                                    const std::string& output_location) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->work_groups[name] = Impl::WorkGroup{state, enforce, output_location};
}

void FakeAthenaServer::HangQueriesContaining(const std::string& text) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->hang_texts.push_back(text);
}

int FakeAthenaServer::Count(const std::string& operation) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto found = impl_->counts.find(operation);
  return found == impl_->counts.end() ? 0 : found->second;
}

std::vector<std::string> FakeAthenaServer::stopped() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->stopped;
}

std::vector<std::string> FakeAthenaServer::start_bodies() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->start_bodies;
}

std::vector<std::string> FakeAthenaServer::refused() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->refused;
}

}  // namespace creditbot::testing
