// The fake Looker API server of the resolver tests; see fake_looker_server.h.
#include "tests/fake_looker_server.h"

#include <chrono>
#include <cstddef>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using Json = nlohmann::json;

constexpr const char* kApi = "/api/4.0";

// The columns of the fraud report (data/sample/looks/101.sql) as Looker fields.
const Json& FraudReportFields() {
  static const Json fields = Json::array(
      {"authy_fraud_report.day", "authy_fraud_report.account_sid", "authy_fraud_report.service_sid",
       "authy_fraud_report.mcc", "authy_fraud_report.attempts_sent", "authy_fraud_report.attempts_blocked",
       "authy_fraud_report.fraud_charges_usd"});
  return fields;
}

// Strict application/x-www-form-urlencoded decoding of one value.
std::string FormDecode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size()) {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> form;
  std::stringstream stream(body);
  std::string pair;
  while (std::getline(stream, pair, '&')) {
    const std::size_t eq = pair.find('=');
    if (eq == std::string::npos) continue;
    form[FormDecode(pair.substr(0, eq))] = FormDecode(pair.substr(eq + 1));
  }
  return form;
}

void SetFraudFields(Json& query) { query["fields"] = FraudReportFields(); }

// Dashboard 7 is constructed_api40_dashboard_200.json with one change: tile 101's query (element.query and
// result_maker.query) has the fraud-report fields instead of accounts.account_id/payments.days_late_avg, so
// exactly one tile fits. Dashboard 8 additionally gives the Look tile 102 (look.query) the fraud-report
// fields, so two tiles fit. Dashboard 9 is the fixture unchanged apart from its id: no tile fits (101 and 102
// have credit fields, 103 is merged results, 104 is text).
std::string Dashboard(const std::string& id) {
  Json dashboard = Json::parse(FakeLookerServer::Fixture("constructed_api40_dashboard_200.json"));
  dashboard["id"] = id;
  Json& elements = dashboard["dashboard_elements"];
  if (id == "7" || id == "8") {
    SetFraudFields(elements[0]["query"]);
    SetFraudFields(elements[0]["result_maker"]["query"]);
  }
  if (id == "8") SetFraudFields(elements[1]["look"]["query"]);
  return dashboard.dump();
}

// The LookML dashboard fixture with its one tile's query given the fraud-report fields.
std::string LookmlDashboard() {
  Json dashboard = Json::parse(FakeLookerServer::Fixture("constructed_api40_lookml_dashboard_200.json"));
  SetFraudFields(dashboard["dashboard_elements"][0]["query"]);
  return dashboard.dump();
}

}  // namespace

std::string LookerRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string FakeLookerServer::Fixture(const std::string& name) {
  return testing::ReadFixture("looker/" + name);
}

FakeLookerServer::FakeLookerServer() {
  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    Handle(request, response);
  };
  server_.Get(".*", handler);
  server_.Post(".*", handler);
  server_.Put(".*", handler);
  server_.Delete(".*", handler);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("FakeLookerServer: cannot bind to 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop runs, so a server destroyed at once would never
  // stop: wait for the loop (a few milliseconds at most).
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeLookerServer::~FakeLookerServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeLookerServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<LookerRequest> FakeLookerServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

int FakeLookerServer::Count(const std::string& method, const std::string& path) const {
  std::lock_guard<std::mutex> lock(mutex_);
  int count = 0;
  for (const LookerRequest& request : requests_) {
    if (request.method == method && request.path == path) ++count;
  }
  return count;
}

void FakeLookerServer::ExpireToken() {
  std::lock_guard<std::mutex> lock(mutex_);
  token_valid_ = false;
}

void FakeLookerServer::RateLimitNext(int times, const std::string& retry_after) {
  std::lock_guard<std::mutex> lock(mutex_);
  rate_limited_ = times;
  retry_after_ = retry_after;
}

void FakeLookerServer::SetResponse(const std::string& method, const std::string& path, int status,
                                   std::string body, std::string content_type, int times) {
  std::lock_guard<std::mutex> lock(mutex_);
  scripted_[method + " " + path] =
      ScriptedLookerResponse{status, std::move(body), std::move(content_type), times};
}

void FakeLookerServer::Handle(const httplib::Request& request, httplib::Response& response) {
  std::lock_guard<std::mutex> lock(mutex_);
  requests_.push_back(
      LookerRequest{request.method, request.path, request.target, request.body, request.headers});
  if (rate_limited_ > 0) {
    --rate_limited_;
    if (!retry_after_.empty()) response.set_header("Retry-After", retry_after_);
    response.status = 429;
    response.set_content(Fixture("constructed_api40_error_429_too_many_requests.json"), "application/json");
    return;
  }
  if (auto it = scripted_.find(request.method + " " + request.path); it != scripted_.end()) {
    ScriptedLookerResponse& scripted = it->second;
    response.status = scripted.status;
    response.set_content(scripted.body, scripted.content_type);
    if (--scripted.times <= 0) scripted_.erase(it);
    return;
  }
  Route(request, response);
}

void FakeLookerServer::Route(const httplib::Request& request, httplib::Response& response) {
  const std::string api = kApi;
  auto json = [&response](int status, const std::string& body) {
    response.status = status;
    response.set_content(body, "application/json");
  };
  auto not_found = [&json] { json(404, Fixture("constructed_api40_error_404_not_found.json")); };
  if (request.path.rfind(api + "/", 0) != 0) return not_found();
  const std::string path = request.path.substr(api.size());

  if (request.method == "POST" && path == "/login") {
    std::map<std::string, std::string> form = ParseForm(request.body);
    if (request.get_header_value("Content-Type") == "application/x-www-form-urlencoded" &&
        form["client_id"] == kClientId && form["client_secret"] == kClientSecret) {
      token_valid_ = true;
      return json(200, Fixture("constructed_api40_login_200.json"));
    }
    // The recorded reply of a real Looker to bad credentials.
    Json exchange = Json::parse(Fixture("recorded_api31_login_404_bad_credentials.exchange.json"));
    return json(exchange["response"]["status"].get<int>(), exchange["response"]["body"].dump());
  }
  if (!token_valid_ || request.get_header_value("Authorization") != std::string("token ") + kToken) {
    return json(401, Fixture("constructed_api40_error_401_requires_authentication.json"));
  }
  if (request.method != "GET") return not_found();

  const std::string run_sql = "/run/sql";
  const bool is_run_sql = path.size() > run_sql.size() && path.ends_with(run_sql);
  if (path == "/looks/42") return json(200, Fixture("constructed_api40_look_200.json"));
  if (path == "/queries/slug/kQ7dP2x" || path == "/queries/slug/Zq3hV7kLm2NpR8sTu4WxY1" ||
      path == "/queries/48213") {
    return json(200, Fixture("constructed_api40_query_200.json"));
  }
  if ((path == "/queries/48213/run/sql" || path == "/queries/48990/run/sql") ||
      (is_run_sql && path.rfind("/queries/models/", 0) == 0)) {
    response.status = 200;
    response.set_content(Fixture("recorded_api31_run_query_sql_200.body.sql"), "application/sql");
    return;
  }
  if (path == "/dashboards/7" || path == "/dashboards/8" || path == "/dashboards/9") {
    return json(200, Dashboard(path.substr(std::string("/dashboards/").size())));
  }
  if (path == "/dashboards/finance::credit_overview") return json(200, LookmlDashboard());
  return not_found();
}

}  // namespace creditbot::testing
