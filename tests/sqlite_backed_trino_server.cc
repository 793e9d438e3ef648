// A Trino coordinator stand-in that runs queries on SQLite (see the header).
#include "tests/sqlite_backed_trino_server.h"

#include <httplib.h>

#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <vector>

#include "common/sqlite_db.h"

namespace creditbot::testing {

using Json = nlohmann::json;

struct SqliteBackedTrinoServer::Impl {
  std::string sqlite_path;
  int page_rows = 3;
  httplib::Server server;
  int port = 0;
  std::mutex mutex;
  int next_query = 0;
  int queries = 0;
  int pages = 0;
  struct Result {
    Json columns;
    std::vector<Json> rows;
    std::string error;
  };
  std::map<int, Result> results;

  // Trino answers "application/json"; with a charset: Debian's cpp-httplib 0.11 Brotli-compresses
  // "application/json" at quality 11 for a client that accepts it (libcurl does), ~40 s of this server's CPU
  // for a 200,000-row report (bench/calc_size/run.sh's Trino column), and does not compress this one.
  static constexpr char kContentType[] = "application/json; charset=utf-8";

  std::string Uri(int query, std::size_t page) const {
    return "http://127.0.0.1:" + std::to_string(port) + "/v1/statement/executing/q" + std::to_string(query) +
           "/" + std::to_string(page);
  }

  Result Run(const std::string& trino_sql) const {
    Result result;
    absl::StatusOr<SqliteDb> db = SqliteDb::Open(sqlite_path, SqliteDb::OpenMode::kReadOnly);
    if (!db.ok()) {
      result.error = std::string(db.status().message());
      return result;
    }
    absl::StatusOr<Statement> stmt = db->Prepare(ToSqlite(trino_sql));
    if (!stmt.ok()) {
      result.error = std::string(stmt.status().message());
      return result;
    }
    std::vector<std::string> types(static_cast<std::size_t>(stmt->ColumnCount()));
    while (true) {
      absl::StatusOr<bool> row = stmt->Step();
      if (!row.ok()) {
        result.error = std::string(row.status().message());
        return result;
      }
      if (!*row) break;
      Json values = Json::array();
      for (int i = 0; i < stmt->ColumnCount(); ++i) {
        std::string& type = types[static_cast<std::size_t>(i)];
        switch (stmt->ColumnType(i)) {
          case SQLITE_INTEGER:
            values.push_back(stmt->ColumnInt(i));
            if (type.empty()) type = "bigint";
            break;
          case SQLITE_FLOAT:
            values.push_back(stmt->ColumnDouble(i));
            if (type.empty()) type = "double";
            break;
          case SQLITE_NULL:
            values.push_back(nullptr);
            break;
          default:
            values.push_back(stmt->ColumnText(i));
            if (type.empty()) type = "varchar";
        }
      }
      result.rows.push_back(std::move(values));
    }
    result.columns = Json::array();
    for (int i = 0; i < stmt->ColumnCount(); ++i) {
      std::string type =
          types[static_cast<std::size_t>(i)].empty() ? "varchar" : types[static_cast<std::size_t>(i)];
      result.columns.push_back({{"name", stmt->ColumnName(i)}, {"type", type}});
    }
    return result;
  }

  void Post(const httplib::Request& request, httplib::Response& response) {
    Result result = Run(request.body);
    std::lock_guard<std::mutex> lock(mutex);
    ++queries;
    const int query = next_query++;
    results[query] = std::move(result);
    Json page = {
        {"id", "q" + std::to_string(query)}, {"stats", {{"state", "QUEUED"}}}, {"nextUri", Uri(query, 0)}};
    response.set_content(page.dump(), kContentType);
  }

  void Get(int query, std::size_t index, httplib::Response& response) {
    std::lock_guard<std::mutex> lock(mutex);
    ++pages;
    auto found = results.find(query);
    if (found == results.end()) {
      response.status = 404;
      return;
    }
    const Result& result = found->second;
    Json page = {{"id", "q" + std::to_string(query)}};
    if (!result.error.empty()) {
      page["stats"] = {{"state", "FAILED"}};
      page["error"] = {{"message", result.error}, {"errorName", "SYNTAX_ERROR"}, {"errorType", "USER_ERROR"}};
      response.set_content(page.dump(), kContentType);
      return;
    }
    page["columns"] = result.columns;
    const std::size_t begin = index * static_cast<std::size_t>(page_rows);
    Json data = Json::array();
    for (std::size_t i = begin; i < result.rows.size() && i < begin + static_cast<std::size_t>(page_rows);
         ++i) {
      data.push_back(result.rows[i]);
    }
    if (!data.empty()) page["data"] = std::move(data);
    const bool last = begin + static_cast<std::size_t>(page_rows) >= result.rows.size();
    page["stats"] = {{"state", last ? "FINISHED" : "RUNNING"}};
    if (!last) page["nextUri"] = Uri(query, index + 1);
    response.set_content(page.dump(), kContentType);
  }
};

std::string SqliteBackedTrinoServer::ToSqlite(const std::string& trino_sql) {
  static const std::regex kDateToTimestamp(R"(CAST\(\s*DATE\s+'([0-9-]+)'\s+AS\s+TIMESTAMP\(\d+\)\s*\))",
                                           std::regex::icase);
  static const std::regex kDateLiteral(R"(\bDATE\s+'([0-9-]+)')", std::regex::icase);
  static const std::regex kCastToDate(R"(CAST\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s+AS\s+DATE\s*\))",
                                      std::regex::icase);
  std::string sql = std::regex_replace(trino_sql, kDateToTimestamp, "'$1 00:00:00'");
  sql = std::regex_replace(sql, kDateLiteral, "'$1'");
  return std::regex_replace(sql, kCastToDate, "date($1)");
}

SqliteBackedTrinoServer::SqliteBackedTrinoServer(std::string sqlite_path, int page_rows)
    : impl_(std::make_unique<Impl>()) {
  impl_->sqlite_path = std::move(sqlite_path);
  impl_->page_rows = page_rows;
  impl_->server.Post("/v1/statement", [this](const httplib::Request& request, httplib::Response& response) {
    impl_->Post(request, response);
  });
  impl_->server.Get(R"(/v1/statement/executing/q(\d+)/(\d+))",
                    [this](const httplib::Request& request, httplib::Response& response) {
                      impl_->Get(std::stoi(request.matches[1]), std::stoul(request.matches[2]), response);
                    });
  impl_->server.Delete(R"(/v1/statement/.*)",
                       [](const httplib::Request&, httplib::Response& response) { response.status = 204; });
  impl_->server.set_keep_alive_max_count(1);
  impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

SqliteBackedTrinoServer::~SqliteBackedTrinoServer() {
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

std::string SqliteBackedTrinoServer::warehouse_url() const {
  return "trino://creditbot@127.0.0.1:" + std::to_string(impl_->port) + "/sample/default?ssl=false";
}

int SqliteBackedTrinoServer::queries() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->queries;
}

int SqliteBackedTrinoServer::pages() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->pages;
}

}  // namespace creditbot::testing
