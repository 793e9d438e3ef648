// FakeLookerServer: a Looker API 4.0 stand-in on loopback for the resolver tests, so the real client code
// (LookerApiResolver over the libcurl transport) runs against real HTTP. Bodies come from the shared
// fixtures (tests/fixtures/looker, see its README); the dashboards are adapted copies (see the .cc).
//
// It serves, under /api/4.0:
//   POST /login                         200 constructed_api40_login_200.json for the expected credentials
//                                       (form-encoded), else 404 with the recorded bad-credentials body
//   GET  /looks/42                      constructed_api40_look_200.json (query_id 48213)
//   GET  /queries/slug/{kQ7dP2x, Zq3hV7kLm2NpR8sTu4WxY1}   constructed_api40_query_200.json (id 48213)
//   GET  /queries/48213                 constructed_api40_query_200.json
//   GET  /queries/{48213,48990}/run/sql recorded_api31_run_query_sql_200.body.sql, application/sql
//   GET  /queries/models/{m}/views/{v}/run/sql   the same SQL (run_url_encoded_query)
//   GET  /dashboards/{7,8,9}            dashboards with one / two / no fraud-report tile
//   GET  /dashboards/finance::credit_overview   the LookML dashboard, its tile with fraud-report fields
//   anything else                       404 with constructed_api40_error_404_not_found.json
// Every request but /login needs `Authorization: token <the fixture token>` (else 401 with the fixture
// body). Scripted answers (SetResponse) and 429s (RateLimitNext) take precedence over the above.
//
// Thread-safe: the server thread and the test thread share state under a mutex.
#pragma once

#include <httplib.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace creditbot::testing {

struct LookerRequest {
  std::string method;
  std::string path;    // decoded path, e.g. "/api/4.0/looks/42"
  std::string target;  // path and raw query, as sent
  std::string body;
  httplib::Headers headers;
  std::string Header(const std::string& name) const;  // "" when absent
};

struct ScriptedLookerResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  int times = 1;  // answered this many times, then the normal behaviour resumes
};

class FakeLookerServer {
 public:
  static constexpr const char* kClientId = "creditbot-test-id";
  static constexpr const char* kClientSecret = "s3cr3t/Pass+word&=%";                // needs form-encoding
  static constexpr const char* kToken = "4QDkCyCtZzYgj4C2p2cj3csJH7zqS5RzKs2kTnG4";  // from the fixture

  FakeLookerServer();
  ~FakeLookerServer();
  FakeLookerServer(const FakeLookerServer&) = delete;
  FakeLookerServer& operator=(const FakeLookerServer&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:PORT"
  int port() const { return port_; }

  // The fixture text of `name` in the shared Looker fixtures folder.
  static std::string Fixture(const std::string& name);

  std::vector<LookerRequest> requests() const;
  int Count(const std::string& method, const std::string& path) const;

  // The token currently issued is refused (401) from now on, until the next successful login.
  void ExpireToken();
  // The next `times` requests (any path, login included) answer 429 with this Retry-After ("" = none).
  void RateLimitNext(int times, const std::string& retry_after);
  // Requests to exactly `method path` (path without query) get this answer, `times` times.
  void SetResponse(const std::string& method, const std::string& path, int status, std::string body,
                   std::string content_type = "application/json", int times = 1);

 private:
  void Handle(const httplib::Request& request, httplib::Response& response);
  void Route(const httplib::Request& request, httplib::Response& response);

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<LookerRequest> requests_;
  bool token_valid_ = false;
  int rate_limited_ = 0;
  std::string retry_after_;
  std::map<std::string, ScriptedLookerResponse> scripted_;
};

}  // namespace creditbot::testing
