// Socket Mode over TLS (wss) end to end on loopback: a websocket server behind a real TLS handshake with a
// certificate made here for IP 127.0.0.1, so the client's TLS side runs for real: OpenSSL (loaded on first
// use, common/lazy_openssl.h), peer verification against the CA bundle, host-name verification. Slack's
// own servers are not reachable from the tests; this is the closest stand-in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "slack/socket_mode_client.h"
#include "tests/fake_socket_mode_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

// A P-256 key and a self-signed certificate for IP address 127.0.0.1 (subjectAltName), valid for a day, in
// PEM. Fails the test (ADD_FAILURE) and returns empty texts if OpenSSL refuses a step.
struct TestCertificate {
  std::string key_pem;
  std::string certificate_pem;
};

std::string PemOf(const std::function<int(BIO*)>& write) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string pem;
  if (bio != nullptr && write(bio) == 1) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    pem.assign(data, static_cast<size_t>(size));
  }
  BIO_free(bio);
  return pem;
}

TestCertificate MakeCertificate() {
  TestCertificate made;
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* certificate = X509_new();
  bool ok = key != nullptr && certificate != nullptr;
  if (ok) {
    X509_set_version(certificate, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
    X509_gmtime_adj(X509_getm_notBefore(certificate), -60);
    X509_gmtime_adj(X509_getm_notAfter(certificate), 24 * 3600);
    X509_set_pubkey(certificate, key);
    X509_NAME* name = X509_get_subject_name(certificate);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"),
                               -1, -1, 0);
    X509_set_issuer_name(certificate, name);
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    X509_EXTENSION* alt_name = X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, "IP:127.0.0.1");
    ok = alt_name != nullptr && X509_add_ext(certificate, alt_name, -1) == 1 &&
         X509_sign(certificate, key, EVP_sha256()) > 0;
    X509_EXTENSION_free(alt_name);
  }
  if (ok) {
    made.key_pem = PemOf(
        [&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); });
    made.certificate_pem = PemOf([&](BIO* bio) { return PEM_write_bio_X509(bio, certificate); });
  }
  if (made.key_pem.empty() || made.certificate_pem.empty())
    ADD_FAILURE() << "could not make a test certificate";
  X509_free(certificate);
  EVP_PKEY_free(key);
  return made;
}

// A Socket Mode server on 127.0.0.1 that speaks wss only: each connection gets the TLS handshake, the
// websocket handshake and Slack's hello frame, then is read until it closes. Counts the connections that
// got as far as the hello.
class TlsSocketModeServer {
 public:
  explicit TlsSocketModeServer(const TestCertificate& certificate) : tls_(net::ssl::context::tls_server) {
    tls_.use_certificate_chain(net::buffer(certificate.certificate_pem));
    tls_.use_private_key(net::buffer(certificate.key_pem), net::ssl::context::pem);
    acceptor_.open(tcp::v4());
    acceptor_.bind(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    Accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TlsSocketModeServer() {
    io_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  int hellos() const { return hellos_.load(); }

 private:
  using Stream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto stream = std::make_shared<Stream>(std::move(socket), tls_);
      stream->next_layer().async_handshake(net::ssl::stream_base::server, [this,
                                                                           stream](beast::error_code tls) {
        if (tls) return;  // the client refused the certificate, or spoke no TLS
        stream->async_accept([this, stream](beast::error_code accepted) {
          if (accepted) return;
          auto hello =
              std::make_shared<std::string>(FakeSocketModeServer::Fixture("hello.python-sdk-mock.json"));
          stream->async_write(net::buffer(*hello), [this, stream, hello](beast::error_code written, size_t) {
            if (written) return;
            ++hellos_;
            Read(stream);
          });
        });
      });
      Accept();
    });
  }

  void Read(const std::shared_ptr<Stream>& stream) {
    auto buffer = std::make_shared<beast::flat_buffer>();
    stream->async_read(*buffer, [this, stream, buffer](beast::error_code ec, size_t) {
      if (!ec) Read(stream);
    });
  }

  net::io_context io_{1};
  net::ssl::context tls_;
  tcp::acceptor acceptor_{io_};
  int port_ = 0;
  std::atomic<int> hellos_{0};
  std::thread thread_;
};

class SocketModeTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_bundle_ = dir_.File("ca.pem");
    WriteFile(ca_bundle_, certificate_.certificate_pem);
  }

  // Runs a client on `host` (the server's port) with `ca_bundle` until `done` holds or 10 s pass; then stops
  // it. Returns whether `done` held.
  bool RunClient(const std::string& host, const std::string& ca_bundle, const std::function<bool()>& done) {
    SocketModeOptions options;
    options.ping_interval = absl::Milliseconds(50);
    options.idle_timeout = absl::Seconds(5);
    options.reconnect_initial = absl::Milliseconds(10);
    options.reconnect_max = absl::Milliseconds(50);
    options.ca_bundle = ca_bundle;
    client_ = std::make_unique<SocketModeClient>(
        [this, host]() -> absl::StatusOr<std::string> {
          ++open_calls_;
          return absl::StrCat("wss://", host, ":", server_.port(), "/link/?ticket=T&app_id=A111");
        },
        [](SocketModeEvent) {}, options);
    std::thread run([this] { run_status_ = client_->Run(); });
    const bool held = FakeSocketModeServer::WaitFor(done);
    client_->Stop();
    run.join();
    return held;
  }

  TempDir dir_;
  TestCertificate certificate_ = MakeCertificate();
  TlsSocketModeServer server_{certificate_};
  std::string ca_bundle_;
  std::unique_ptr<SocketModeClient> client_;
  std::atomic<int> open_calls_{0};
  absl::Status run_status_;
};

TEST_F(SocketModeTls, ConnectsOverTlsToAServerItsCaBundleTrusts) {
  EXPECT_TRUE(RunClient("127.0.0.1", ca_bundle_, [&] { return client_->connected(); }));
  EXPECT_EQ(client_->connections(), 1);
  EXPECT_EQ(server_.hellos(), 1);
  EXPECT_TRUE(run_status_.ok()) << run_status_;
}

TEST_F(SocketModeTls, RefusesACertificateTheSystemStoreDoesNotTrust) {
  // No CA bundle: the system's CAs, which never signed this certificate. Every handshake fails and is
  // retried; no hello is ever sent.
  EXPECT_TRUE(RunClient("127.0.0.1", "", [&] { return open_calls_ >= 3; }));
  EXPECT_EQ(client_->connections(), 0);
  EXPECT_EQ(server_.hellos(), 0);
}

TEST_F(SocketModeTls, RefusesACertificateForAnotherHost) {
  // Trusted issuer, but the certificate names 127.0.0.1 and the client asked for localhost.
  EXPECT_TRUE(RunClient("localhost", ca_bundle_, [&] { return open_calls_ >= 3; }));
  EXPECT_EQ(client_->connections(), 0);
  EXPECT_EQ(server_.hellos(), 0);
}

}  // namespace
}  // namespace creditbot::testing
