// The libcurl HttpTransport (see http_transport.h): one easy handle per instance, reset and reused for
// every request so connections stay alive.
//
// Safety choices: TLS peer and host verification always on unless HttpTransportOptions says otherwise; no
// redirects are followed (a redirect is returned as its 3xx response, so credentials never travel to
// another host); only http and https; no proxy from the environment (CURLOPT_PROXY ""), so a stray
// HTTPS_PROXY cannot silently route credentials elsewhere; no signals (CURLOPT_NOSIGNAL, safe in threads).
// Error messages name the method and the URL without userinfo, query or fragment (they may carry
// tokens), and never a header value.
//
// AWS SigV4 (HttpRequest::aws_sigv4): CURLOPT_AWS_SIGV4 "aws:amz:REGION:SERVICE" always spelled out (libcurl
// 7.88 guesses region and service from the host name otherwise, wrongly for SageMaker, virtual-hosted S3 and
// STS), the key pair through CURLOPT_USERNAME/CURLOPT_PASSWORD (the secret may hold any character), and the
// session token as an x-amz-security-token header, which libcurl signs with the others. 7.88 signs every
// user header, so the "Expect:" suppression line (an empty-valued header) is not added to signed requests,
// and a signed PUT or POST always goes through CURLOPT_POSTFIELDS (hashed by libcurl, and sent with a
// Content-Length even when empty).
#include <curl/curl.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/url.h"
#include "net/http_transport.h"

namespace creditbot {
namespace {

long ToMillis(absl::Duration duration) {
  const int64_t millis = absl::ToInt64Milliseconds(duration);
  if (millis < 1) return 1;  // 0 would mean "no timeout" to libcurl
  if (millis > INT32_MAX) return INT32_MAX;
  return static_cast<long>(millis);
}

// Where an answer's body goes: appended until it would pass `max_bytes`; then libcurl is told to stop
// (returning less than it gave ends the transfer with CURLE_WRITE_ERROR) and `too_large` says why.
struct BodySink {
  std::string* body;
  std::size_t max_bytes;
  bool too_large = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<BodySink*>(user);
  const std::size_t bytes = size * count;
  if (bytes > sink->max_bytes - std::min(sink->max_bytes, sink->body->size())) {
    sink->too_large = true;
    return 0;
  }
  sink->body->append(data, bytes);
  return bytes;
}

// Collects "Name: value" lines with lower-cased names; a new status line (after 1xx) starts over.
size_t WriteHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers->clear();
    return size * count;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;  // the blank line, or junk
  std::string name = absl::AsciiStrToLower(ToAbsl(line.substr(0, colon)));
  const absl::string_view value = absl::StripAsciiWhitespace(ToAbsl(line.substr(colon + 1)));
  headers->emplace_back(std::move(name), std::string(value));
  return size * count;
}

// True when `text` contains one of the request's AWS credentials (the access key id included: it is not a
// secret, but there is no reason to print it either).
bool EchoesAwsCredentials(std::string_view text, const HttpRequest& request) {
  if (!request.aws_sigv4) return false;
  for (const std::string* secret : {&request.aws_sigv4->access_key_id, &request.aws_sigv4->secret_access_key,
                                    &request.aws_sigv4->session_token}) {
    if (!secret->empty() && text.find(*secret) != std::string_view::npos) return true;
  }
  return false;
}

// A region or signing name libcurl can take in "aws:amz:REGION:SERVICE": lower-case letters, digits, '-'.
bool IsAwsScopePart(std::string_view part) {
  return !part.empty() && part.size() <= 64 &&
         part.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

absl::Status CurlError(CURLcode code, const HttpRequest& request, const char* detail) {
  std::string message =
      absl::StrCat(request.method, " ", RedactedUrl(request.url), ": ", curl_easy_strerror(code));
  // libcurl's detail names hosts and ports, never the query; keep it unless it could echo the URL or a
  // credential.
  const std::string_view detail_text(detail);
  if (!detail_text.empty() && detail_text.find('?') == std::string_view::npos &&
      detail_text.find('@') == std::string_view::npos && !EchoesAwsCredentials(detail_text, request)) {
    absl::StrAppend(&message, " (", ToAbsl(detail_text), ")");
  }
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(message);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PEER_FAILED_VERIFICATION:  // a certificate problem: not transient, but no response came
      return absl::UnavailableError(message);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(message);
    default:
      return absl::InternalError(message);
  }
}

// Owns a curl_slist of request headers.
class HeaderList {
 public:
  HeaderList() = default;
  ~HeaderList() { curl_slist_free_all(head_); }
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  bool Append(const std::string& line) {
    curl_slist* appended = curl_slist_append(head_, line.c_str());
    if (appended == nullptr) return false;
    head_ = appended;
    return true;
  }
  curl_slist* head() const { return head_; }

 private:
  curl_slist* head_ = nullptr;
};

// The AWS signing parameters of a signed request: region, service, key pair, a one-line session token.
absl::Status CheckSigning(const HttpRequest& request) {
  const AwsSigning& signing = *request.aws_sigv4;
  if (!IsAwsScopePart(signing.region) || !IsAwsScopePart(signing.service)) {
    return absl::InvalidArgumentError(absl::StrCat(request.method, " ", RedactedUrl(request.url),
                                                   ": AWS signing needs a region and a service name"));
  }
  if (signing.access_key_id.empty() || signing.secret_access_key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(request.method, " ", RedactedUrl(request.url),
                                                   ": AWS signing needs an access key id and a secret"));
  }
  if (signing.session_token.find_first_of("\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(request.method, " ", RedactedUrl(request.url),
                                                   ": the AWS session token holds a line break"));
  }
  return absl::OkStatus();
}

// The request's headers as libcurl's list, refusing a header that would split the request or that libcurl
// would sign wrongly, plus "Expect:" and the session token header where they belong.
absl::Status FillHeaderList(const HttpRequest& request, HeaderList& header_list) {
  const bool signed_request = request.aws_sigv4.has_value();
  bool has_expect = false;
  for (const auto& [name, value] : request.headers) {
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(request.method, " ", RedactedUrl(request.url),
                                                     ": header '", name, "' holds a line break or colon"));
    }
    if (signed_request) {
      // libcurl 7.88 would sign these wrongly (empty values, a second X-Amz-Date), or not sign at all (an
      // Authorization header); the token header is the transport's to add.
      if (value.empty() || absl::EqualsIgnoreCase(name, "authorization") ||
          absl::EqualsIgnoreCase(name, "x-amz-date") ||
          absl::EqualsIgnoreCase(name, "x-amz-security-token")) {
        return absl::InvalidArgumentError(absl::StrCat(request.method, " ", RedactedUrl(request.url),
                                                       ": header '", name,
                                                       "' cannot be sent on a signed request"));
      }
    }
    if (absl::EqualsIgnoreCase(name, "expect")) has_expect = true;
    // "Name;" is libcurl's way to send a header with an empty value.
    if (!header_list.Append(value.empty() ? absl::StrCat(name, ";") : absl::StrCat(name, ": ", value))) {
      return absl::ResourceExhaustedError("libcurl: out of memory for headers");
    }
  }
  // No "Expect: 100-continue" round trip for bodies over 1 kB (unsigned requests only: libcurl 7.88 would
  // sign the empty "Expect:" line and get the signature wrong).
  if (!has_expect && !signed_request && !header_list.Append("Expect:")) {
    return absl::ResourceExhaustedError("libcurl: out of memory for headers");
  }
  if (signed_request && !request.aws_sigv4->session_token.empty() &&
      !header_list.Append(absl::StrCat("x-amz-security-token: ", request.aws_sigv4->session_token))) {
    return absl::ResourceExhaustedError("libcurl: out of memory for headers");
  }
  return absl::OkStatus();
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(HttpTransportOptions options) : options_(std::move(options)) {
    static std::once_flag global_init;
    std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    handle_ = curl_easy_init();
  }
  ~CurlTransport() override {
    if (handle_ != nullptr) curl_easy_cleanup(handle_);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    if (handle_ == nullptr) return absl::InternalError("libcurl: curl_easy_init failed");
    CURL* curl = handle_;
    curl_easy_reset(curl);  // keeps the connection cache
    char error_buffer[CURL_ERROR_SIZE] = {};
    HttpResponse response;

    const bool signed_request = request.aws_sigv4.has_value();
    if (signed_request) CREDITBOT_RETURN_IF_ERROR(CheckSigning(request));
    HeaderList header_list;
    CREDITBOT_RETURN_IF_ERROR(FillHeaderList(request, header_list));

    bool ok = true;
    auto set = [&ok](CURLcode code) { ok = ok && code == CURLE_OK; };
    set(curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str()));
    set(curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer));
    set(curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L));
    set(curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https"));
    set(curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L));
    set(curl_easy_setopt(curl, CURLOPT_PROXY, ""));
    set(curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ToMillis(request.timeout)));
    set(curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                         ToMillis(std::min(options_.connect_timeout, request.timeout))));
    set(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L));
    set(curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L));
    if (!options_.ca_bundle.empty()) set(curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str()));
    set(curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.head()));
    set(curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &WriteBody));
    BodySink body_sink{&response.body, request.max_response_bytes};
    set(curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body_sink));
    set(curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &WriteHeader));
    set(curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers));
    set(curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""));  // whatever libcurl can decode
    std::string aws_sigv4_parameter;
    if (signed_request) {
      const AwsSigning& signing = *request.aws_sigv4;
      aws_sigv4_parameter = absl::StrCat("aws:amz:", signing.region, ":", signing.service);
      set(curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, aws_sigv4_parameter.c_str()));
      set(curl_easy_setopt(curl, CURLOPT_USERNAME, signing.access_key_id.c_str()));
      set(curl_easy_setopt(curl, CURLOPT_PASSWORD, signing.secret_access_key.c_str()));
    }

    if (request.method == "GET") {
      set(curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L));
    } else if (request.method == "HEAD") {
      set(curl_easy_setopt(curl, CURLOPT_NOBODY, 1L));
    } else {
      if (request.method.empty() ||
          request.method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat("HTTP method '", request.method, "' is not valid"));
      }
      const bool body_method = request.method == "PUT" || request.method == "POST";
      const std::string_view body = request.Body();
      if (request.method != "POST" && body.empty() && !(signed_request && body_method)) {
        set(curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L));
      } else {
        set(curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size())));
        // POSTFIELDS keeps the pointer, so an empty view's null data would be read as "no body": send "".
        set(curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data()));
      }
      if (request.method != "POST")
        set(curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str()));
    }
    if (!ok) {
      return absl::InternalError(
          absl::StrCat(request.method, " ", RedactedUrl(request.url), ": libcurl refused an option"));
    }

    const CURLcode code = curl_easy_perform(curl);
    // The list and buffer die with this call; make sure the handle no longer points at them.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));
    if (signed_request) {  // no copy of the key pair stays in the handle between requests
      curl_easy_setopt(curl, CURLOPT_USERNAME, static_cast<char*>(nullptr));
      curl_easy_setopt(curl, CURLOPT_PASSWORD, static_cast<char*>(nullptr));
    }
    if (body_sink.too_large) {
      return absl::OutOfRangeError(absl::StrCat(request.method, " ", RedactedUrl(request.url),
                                                ": the answer is larger than ", request.max_response_bytes,
                                                " bytes, the most creditbot reads for this call; not read"));
    }
    if (code != CURLE_OK) return CurlError(code, request, error_buffer);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  }

 private:
  HttpTransportOptions options_;
  CURL* handle_ = nullptr;
};

}  // namespace

std::unique_ptr<HttpTransport> MakeCurlTransport(const HttpTransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace creditbot
