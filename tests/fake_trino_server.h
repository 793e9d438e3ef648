// FakeTrinoServer: a Trino coordinator on loopback for tests, replaying scripted replies (normally the real
// recorded pages of tests/fixtures/trino/) so the real client code, libcurl included, runs end to end.
//
// The script is one list of replies, served in order: the first to the POST /v1/statement, each next one
// to the next GET (whatever its path; tests check the paths in requests()). A 200 reply's body has its
// nextUri (and infoUri, partialCancelUri) moved onto this server, keeping the recorded path, so the
// client follows real URIs. With repeat_last the final reply is served forever (a query that never
// finishes, or a 503 storm that never ends). DELETE always answers 204. Every request is recorded.
//
// Thread-safe: the server thread serves while the test thread reads requests().
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace creditbot::testing {

struct FakeReply {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // real time slept before answering (transport timeout tests)
};

struct RecordedRequest {
  std::string method;
  std::string path;                                          // with its query string, if any
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;
  // The first header named `name` (case-insensitive), or "" when absent.
  std::string Header(const std::string& name) const;
  bool HasHeader(const std::string& name) const;
};

class FakeTrinoServer {
 public:
  FakeTrinoServer();  // listens on 127.0.0.1, a free port
  ~FakeTrinoServer();
  FakeTrinoServer(const FakeTrinoServer&) = delete;
  FakeTrinoServer& operator=(const FakeTrinoServer&) = delete;

  // "http://127.0.0.1:PORT".
  std::string base_url() const;
  int port() const { return port_; }

  void Script(std::vector<FakeReply> replies, bool repeat_last = false);
  std::vector<RecordedRequest> requests() const;
  int count(const std::string& method) const;

  // A 200 reply with the fixture file's body (tests/fixtures/trino/NAME).
  static FakeReply Fixture(const std::string& name);
  // A 200 page built in the test: `columns` as [["name","type"],…] JSON text, `data` JSON text or "",
  // `next` a path or "" for the last page.
  static FakeReply Page(const std::string& columns_json, const std::string& data_json,
                        const std::string& next);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread thread_;
};

// The text of tests/fixtures/trino/NAME (throws, naming the path, if missing).
std::string ReadTrinoFixture(const std::string& name);

}  // namespace creditbot::testing
