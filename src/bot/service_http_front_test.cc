// Tests for HttpFront over real sockets on loopback (free ports only): deadlines, header and body limits,
// keep-alive and pipelining, handler failures. Deadlines are shortened to a fraction of a second so that
// every test ends within a few seconds.
#include "bot/service_http_front.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A client socket to 127.0.0.1:port with a receive timeout.
class RawClient {
 public:
  explicit RawClient(int port, double timeout_seconds = 5) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{};
    timeout.tv_sec = static_cast<time_t>(timeout_seconds);
    timeout.tv_usec = static_cast<suseconds_t>((timeout_seconds - static_cast<double>(timeout.tv_sec)) * 1e6);
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawClient() { close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  ssize_t RecvSome(char* buffer, std::size_t size) { return recv(fd_, buffer, size, 0); }

  // Sends all of `data`; false when the server closed the connection first.
  bool Send(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Everything until the server closes (or the timeout); `closed` tells which.
  std::string ReadAll(bool* closed = nullptr) {
    std::string out;
    char buffer[4096];
    while (true) {
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n > 0) {
        out.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (closed != nullptr) *closed = n == 0 || (n < 0 && errno == ECONNRESET);
      return out;
    }
  }

  // Reads until `count` answers with a Content-Length body have arrived (or the timeout).
  std::string ReadAnswers(int count) {
    std::string out;
    char buffer[4096];
    while (CountAnswers(out) < count) {
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  static int CountAnswers(const std::string& text) {
    int count = 0;
    std::size_t at = 0;
    while (true) {
      const std::size_t head_end = text.find("\r\n\r\n", at);
      if (head_end == std::string::npos) return count;
      const std::size_t length_at = text.find("Content-Length: ", at);
      if (length_at == std::string::npos || length_at > head_end) return count;
      const std::size_t length = std::stoul(text.substr(length_at + 16));
      if (text.size() < head_end + 4 + length) return count;
      ++count;
      at = head_end + 4 + length;
    }
  }

  int fd_ = -1;
  bool connected_ = false;
};

struct Refusal {
  int status;
  std::string reason;
  std::string path;
};

class HttpFrontTest : public ::testing::Test {
 protected:
  HttpFrontLimits ShortLimits() {
    HttpFrontLimits limits;
    limits.header_deadline = absl::Milliseconds(300);
    limits.body_deadline = absl::Milliseconds(300);
    limits.linger = absl::Milliseconds(200);
    limits.max_header_count = 10;
    limits.max_header_bytes = 1024;
    limits.max_body_bytes = 100;
    limits.handler_threads = 2;
    return limits;
  }

  int Start(HttpFrontLimits limits) {
    front_ = std::make_unique<HttpFront>(
        limits,
        [this](const HttpFrontRequest& request) {
          ++handled_;
          if (request.path == "/throw") throw std::runtime_error("boom");
          return HttpFrontResponse{200,
                                   "text/plain",
                                   {{"X-Seen", request.Header("x-test")}},
                                   absl::StrCat(request.method, " ", request.target, " ", request.body)};
        },
        [this](int status, std::string_view reason, std::string_view path, std::string_view peer) {
          EXPECT_EQ(peer, "127.0.0.1");
          std::lock_guard<std::mutex> lock(mutex_);
          refusals_.push_back({status, std::string(reason), std::string(path)});
        });
    absl::StatusOr<int> port = front_->Start("127.0.0.1", 0);
    EXPECT_TRUE(port.ok()) << port.status();
    return port.ok() ? *port : 0;
  }

  std::vector<Refusal> Refusals() {
    std::lock_guard<std::mutex> lock(mutex_);
    return refusals_;
  }

  std::unique_ptr<HttpFront> front_;
  std::atomic<int> handled_{0};
  std::mutex mutex_;
  std::vector<Refusal> refusals_;
};

TEST_F(HttpFrontTest, AnswersARequestAndKeepsTheConnectionForPipelinedOnes) {
  const int port = Start(ShortLimits());
  RawClient client(port);
  ASSERT_TRUE(client.connected());
  // Two requests in one write: both answered, in order, on the same connection.
  ASSERT_TRUE(
      client.Send("POST /a?x=1 HTTP/1.1\r\nHost: h\r\nX-Test: one\r\nContent-Length: 5\r\n\r\nhello"
                  "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"));
  const std::string answers = client.ReadAnswers(2);
  EXPECT_THAT(answers, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(answers, HasSubstr("X-Seen: one\r\n"));
  EXPECT_THAT(answers, HasSubstr("\r\n\r\nPOST /a?x=1 hello"));
  EXPECT_THAT(answers, HasSubstr("\r\n\r\nGET /b "));
  EXPECT_EQ(handled_.load(), 2);
}

TEST_F(HttpFrontTest, SlowHeadersAre408AfterTheDeadline) {
  const int port = Start(ShortLimits());
  RawClient client(port);
  ASSERT_TRUE(client.Send("GET /slow HTTP/1.1\r\nHo"));
  const auto started = std::chrono::steady_clock::now();
  bool closed = false;
  const std::string answer = client.ReadAll(&closed);
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 408 Request Timeout\r\n"));
  EXPECT_THAT(answer, HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(answer, HasSubstr("the request headers did not arrive within 300ms"));
  EXPECT_TRUE(closed);
  EXPECT_LT(waited, std::chrono::seconds(3));
  ASSERT_EQ(Refusals().size(), 1u);
  EXPECT_EQ(Refusals()[0].path, "/slow");
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpFrontTest, SlowBodyIs408AndAnIdleConnectionIsClosedSilently) {
  const int port = Start(ShortLimits());
  RawClient slow_body(port);
  ASSERT_TRUE(slow_body.Send("POST /b HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"));
  RawClient idle(port);
  bool closed = false;
  EXPECT_THAT(slow_body.ReadAll(&closed), StartsWith("HTTP/1.1 408 "));
  EXPECT_TRUE(closed);
  closed = false;
  EXPECT_EQ(idle.ReadAll(&closed), "");
  EXPECT_TRUE(closed);
  EXPECT_EQ(Refusals().size(), 1u);
}

TEST_F(HttpFrontTest, TooManyHeaderFieldsAre431) {
  const int port = Start(ShortLimits());
  RawClient client(port);
  std::string request = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 11; ++i) absl::StrAppend(&request, "X-", i, ": v\r\n");  // 11 > the limit of 10
  ASSERT_TRUE(client.Send(request + "\r\n"));
  bool closed = false;
  const std::string answer = client.ReadAll(&closed);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  EXPECT_THAT(answer, HasSubstr("\r\n\r\nmore than 10 header fields"));
  EXPECT_TRUE(closed);
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpFrontTest, TenHeaderFieldsArePassedOn) {
  const int port = Start(ShortLimits());
  RawClient client(port);
  std::string request = "GET / HTTP/1.1\r\nConnection: close\r\n";
  for (int i = 0; i < 9; ++i) absl::StrAppend(&request, "X-", i, ": v\r\n");  // 10 fields in all
  ASSERT_TRUE(client.Send(request + "\r\n"));
  EXPECT_THAT(client.ReadAll(), StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(HttpFrontTest, HeadersOverTheByteLimitAre431WhileStillArriving) {
  const int port = Start(ShortLimits());
  RawClient client(port);
  // 2,000 bytes of one header, never finished: refused once 1,024 bytes are held, without a blank line.
  client.Send("GET / HTTP/1.1\r\nX-Big: " + std::string(2000, 'a'));
  bool closed = false;
  const std::string answer = client.ReadAll(&closed);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 431 "));
  EXPECT_THAT(answer, HasSubstr("the request line and headers exceed 1024 bytes"));
  EXPECT_TRUE(closed);
}

TEST_F(HttpFrontTest, BodyOverTheLimitIs413BeforeItIsSent) {
  const int port = Start(ShortLimits());
  RawClient client(port);
  ASSERT_TRUE(client.Send("POST /e HTTP/1.1\r\nContent-Length: 101\r\n\r\n"));
  bool closed = false;
  const std::string answer = client.ReadAll(&closed);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 413 Payload Too Large\r\n"));
  EXPECT_THAT(answer, HasSubstr("\r\n\r\nrequest body is 101 bytes; the limit is 100"));
  EXPECT_TRUE(closed);
  ASSERT_EQ(Refusals().size(), 1u);
  EXPECT_EQ(Refusals()[0].status, 413);
  EXPECT_EQ(Refusals()[0].path, "/e");
}

TEST_F(HttpFrontTest, ChunkedAndMalformedRequestsAreRefused) {
  const int port = Start(ShortLimits());
  {
    RawClient client(port);
    client.Send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    EXPECT_THAT(client.ReadAll(), StartsWith("HTTP/1.1 411 "));
  }
  {
    RawClient client(port);
    client.Send("GARBAGE\r\n\r\n");
    EXPECT_THAT(client.ReadAll(), StartsWith("HTTP/1.1 400 "));
  }
  {
    RawClient client(port);
    client.Send("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab");
    EXPECT_THAT(client.ReadAll(), StartsWith("HTTP/1.1 400 "));
  }
  {
    RawClient client(port);
    client.Send("GET / HTTP/1.1\r\n folded: line\r\n\r\n");
    EXPECT_THAT(client.ReadAll(), StartsWith("HTTP/1.1 400 "));
  }
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(HttpFrontTest, AThrowingHandlerIs500) {
  const int port = Start(ShortLimits());
  RawClient client(port);
  ASSERT_TRUE(client.Send("GET /throw HTTP/1.0\r\n\r\n"));  // HTTP/1.0: closed after the answer
  bool closed = false;
  const std::string answer = client.ReadAll(&closed);
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 500 Internal Server Error\r\n"));
  EXPECT_THAT(answer, HasSubstr("\r\n\r\ninternal error\n"));
  EXPECT_TRUE(closed);
}

TEST_F(HttpFrontTest, ExpectContinueIsAnswered) {
  const int port = Start(ShortLimits());
  RawClient client(port);
  ASSERT_TRUE(client.Send("POST /c HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  char buffer[64] = {};
  const ssize_t n = client.RecvSome(buffer, sizeof(buffer));
  EXPECT_EQ(std::string(buffer, static_cast<std::size_t>(n > 0 ? n : 0)), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.Send("ok"));
  EXPECT_THAT(client.ReadAnswers(1), HasSubstr("POST /c ok"));
}

TEST_F(HttpFrontTest, StopClosesConnectionsAndAllowsARestart) {
  const int port = Start(ShortLimits());
  RawClient idle(port);
  ASSERT_TRUE(idle.connected());
  front_->Stop();
  bool closed = false;
  idle.ReadAll(&closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(front_->open_connections(), 0u);
  absl::StatusOr<int> again = front_->Start("127.0.0.1", 0);
  ASSERT_TRUE(again.ok()) << again.status();
  RawClient client(*again);
  ASSERT_TRUE(client.Send("GET /x HTTP/1.1\r\n\r\n"));
  EXPECT_THAT(client.ReadAnswers(1), StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(HttpFrontTest, BadAddressesAreRefused) {
  HttpFront front(ShortLimits(), [](const HttpFrontRequest&) { return HttpFrontResponse{}; });
  EXPECT_EQ(front.Start("localhost", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(front.Start("127.0.0.1", 70000).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace creditbot
