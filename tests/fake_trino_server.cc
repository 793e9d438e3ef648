// The loopback Trino coordinator of fake_trino_server.h, on cpp-httplib.
#include "tests/fake_trino_server.h"

#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/test_support.h"

namespace creditbot::testing {

struct FakeTrinoServer::Impl {
  httplib::Server server;
  mutable std::mutex mutex;
  std::vector<FakeReply> script;
  bool repeat_last = false;
  std::size_t next_reply = 0;
  std::vector<RecordedRequest> requests;
  std::string base_url;

  // Moves an absolute URI of the recording onto this server, keeping its path.
  std::string Rehome(const std::string& uri) const {
    std::size_t scheme = uri.find("://");
    if (scheme == std::string::npos) return uri;  // e.g. "coordinator:8080/…": left as recorded
    std::size_t path = uri.find('/', scheme + 3);
    return base_url + (path == std::string::npos ? "" : uri.substr(path));
  }

  std::string RehomeBody(const std::string& body) const {
    nlohmann::json page = nlohmann::json::parse(body, nullptr, false);
    if (page.is_discarded() || !page.is_object()) return body;
    for (const char* key : {"nextUri", "infoUri", "partialCancelUri"}) {
      auto it = page.find(key);
      if (it != page.end() && it->is_string()) *it = Rehome(it->get<std::string>());
    }
    return page.dump();
  }

  void Handle(const httplib::Request& request, httplib::Response& response) {
    std::chrono::milliseconds delay{0};
    Answer(request, response, delay);
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
  }

  void Answer(const httplib::Request& request, httplib::Response& response,
              std::chrono::milliseconds& delay) {
    std::lock_guard<std::mutex> lock(mutex);
    RecordedRequest recorded;
    recorded.method = request.method;
    recorded.path = request.path;
    for (const auto& [name, value] : request.headers) recorded.headers.emplace_back(name, value);
    recorded.body = request.body;
    requests.push_back(std::move(recorded));
    if (request.method == "DELETE") {
      response.status = 204;
      return;
    }
    if (script.empty() || (next_reply >= script.size() && !repeat_last)) {
      response.status = 500;
      response.set_content("fake Trino: script exhausted", "text/plain");
      return;
    }
    const FakeReply& reply = script[std::min(next_reply, script.size() - 1)];
    ++next_reply;
    delay = reply.delay;
    response.status = reply.status;
    for (const auto& [name, value] : reply.headers) response.set_header(name, value);
    response.set_content(reply.status == 200 ? RehomeBody(reply.body) : reply.body, "application/json");
  }
};

std::string RecordedRequest::Header(const std::string& name) const {
  for (const auto& [header_name, value] : headers) {
    if (absl::EqualsIgnoreCase(header_name, name)) return value;
  }
  return "";
}

bool RecordedRequest::HasHeader(const std::string& name) const {
  for (const auto& [header_name, value] : headers) {
    if (absl::EqualsIgnoreCase(header_name, name)) return true;
  }
  return false;
}

FakeTrinoServer::FakeTrinoServer() : impl_(std::make_unique<Impl>()) {
  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    impl_->Handle(request, response);
  };
  impl_->server.Get(".*", handler);
  impl_->server.Post(".*", handler);
  impl_->server.Delete(".*", handler);
  impl_->server.Put(".*", handler);
  // One request per connection: stop() then never waits out a client's idle keep-alive connection.
  impl_->server.set_keep_alive_max_count(1);
  port_ = impl_->server.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) {
    std::cerr << "FakeTrinoServer: cannot bind a loopback port\n";
    std::abort();
  }
  impl_->base_url = absl::StrCat("http://127.0.0.1:", port_);
  thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() is a no-op until the loop runs, so a server destroyed at once would never stop.
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeTrinoServer::~FakeTrinoServer() {
  impl_->server.stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeTrinoServer::base_url() const { return impl_->base_url; }

void FakeTrinoServer::Script(std::vector<FakeReply> replies, bool repeat_last) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->script = std::move(replies);
  impl_->repeat_last = repeat_last;
  impl_->next_reply = 0;
}

std::vector<RecordedRequest> FakeTrinoServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->requests;
}

int FakeTrinoServer::count(const std::string& method) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  int n = 0;
  for (const RecordedRequest& request : impl_->requests) n += request.method == method ? 1 : 0;
  return n;
}

std::string ReadTrinoFixture(const std::string& name) { return testing::ReadFixture("trino/" + name); }

FakeReply FakeTrinoServer::Fixture(const std::string& name) {
  return FakeReply{200, ReadTrinoFixture(name), {}, {}};
}

FakeReply FakeTrinoServer::Page(const std::string& columns_json, const std::string& data_json,
                                const std::string& next) {
  std::string body = R"({"id":"20260101_000000_00001_fake0","stats":{"state":")";
  body += next.empty() ? "FINISHED\"}" : "RUNNING\"}";
  if (!columns_json.empty()) body += ",\"columns\":" + columns_json;
  if (!data_json.empty()) body += ",\"data\":" + data_json;
  if (!next.empty()) body += ",\"nextUri\":\"http://localhost:8080" + next + "\"";
  body += "}";
  return FakeReply{200, body, {}, {}};
}

}  // namespace creditbot::testing
