// The fake AWS endpoints and the independent SigV4 verifier of the AWS tests; see fake_aws_server.h.
#include "tests/fake_aws_server.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using Json = nlohmann::json;

std::string Hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0F]);
  }
  return out;
}

std::string HexDigest(const std::string& data, const EVP_MD* md) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr) != 1)
    throw std::runtime_error("digest");
  return Hex(digest, size);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding ('+' stays '+': SigV4 canonicalizes the raw bytes).
std::string PercentDecode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// AWS's UriEncode: unreserved characters stay, everything else %XX upper-case; '/' stays when asked.
std::string CanonicalEncode(const std::string& text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kDigits[byte >> 4]);
      out.push_back(kDigits[byte & 0x0F]);
    }
  }
  return out;
}

std::string FormDecode(const std::string& text) {
  return PercentDecode(absl::StrReplaceAll(text, {{"+", " "}}));
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> form;
  for (absl::string_view pair : absl::StrSplit(body, '&', absl::SkipEmpty())) {
    const std::size_t eq = pair.find('=');
    if (eq == absl::string_view::npos) continue;
    form[FormDecode(std::string(pair.substr(0, eq)))] = FormDecode(std::string(pair.substr(eq + 1)));
  }
  return form;
}

std::string IsoTime(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

std::string XmlEscape(const std::string& text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\n", "&#10;"}});
}

void S3Error(httplib::Response& response, int status, const std::string& code, const std::string& message,
             const std::string& extra = "") {
  response.status = status;
  response.set_header("x-amz-request-id", "FAKEREQUESTID0001");
  response.set_content(
      absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>", code, "</Code><Message>",
                   XmlEscape(message), "</Message>", extra,
                   "<RequestId>FAKEREQUESTID0001</RequestId><HostId>FAKEHOSTID=</HostId></Error>"),
      "application/xml");
}

void StsError(httplib::Response& response, int status, const std::string& code, const std::string& message) {
  response.status = status;
  response.set_content(
      absl::StrCat("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                   "<Error><Type>Sender</Type><Code>",
                   code, "</Code><Message>", XmlEscape(message),
                   "</Message></Error><RequestId>fake-request-id</RequestId></ErrorResponse>"),
      "text/xml");
}

void JsonError(httplib::Response& response, int status, const std::string& code, const std::string& message) {
  response.status = status;
  response.set_header("x-amzn-RequestId", "fake-request-id");
  response.set_content(Json{{"__type", code}, {"message", message}}.dump(), "application/x-amz-json-1.1");
}

std::string Trimmed(absl::string_view text) {
  std::string out;
  bool space = false;
  for (const char c : absl::StripAsciiWhitespace(text)) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string HexSha256(const std::string& data) { return HexDigest(data, EVP_sha256()); }

std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size) == nullptr) {
    throw std::runtime_error("HMAC");
  }
  return std::string(reinterpret_cast<const char*>(out), size);
}

SigV4Result VerifySigV4(const SigV4Request& request,
                        const std::function<std::optional<std::string>(const std::string&)>& secret_for,
                        bool s3, std::optional<absl::Time> now) {
  SigV4Result result;
  auto fail = [&result](int status, std::string code, std::string message) {
    result.ok = false;
    result.http_status = status;
    result.error_code = std::move(code);
    result.error_message = std::move(message);
    return result;
  };
  auto header_values = [&request](const std::string& lower_name) {
    std::vector<std::string> values;
    for (const auto& [name, value] : request.headers) {
      if (absl::AsciiStrToLower(name) == lower_name) values.push_back(Trimmed(value));
    }
    return values;
  };

  const std::vector<std::string> authorization = header_values("authorization");
  if (authorization.size() != 1) return fail(403, "AccessDenied", "no (or several) Authorization headers");
  constexpr absl::string_view kAlgorithm = "AWS4-HMAC-SHA256 ";
  if (!absl::StartsWith(authorization[0], kAlgorithm)) {
    return fail(400, "AuthorizationHeaderMalformed", "the algorithm must be AWS4-HMAC-SHA256");
  }
  std::map<std::string, std::string> fields;
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(authorization[0]).substr(kAlgorithm.size()), ',')) {
    part = absl::StripAsciiWhitespace(part);
    const std::size_t eq = part.find('=');
    if (eq == absl::string_view::npos)
      return fail(400, "AuthorizationHeaderMalformed", "a field without '='");
    fields[std::string(part.substr(0, eq))] = std::string(part.substr(eq + 1));
  }
  if (!fields.count("Credential") || !fields.count("SignedHeaders") || !fields.count("Signature")) {
    return fail(400, "AuthorizationHeaderMalformed", "Credential, SignedHeaders and Signature are required");
  }
  const std::vector<std::string> scope = absl::StrSplit(fields["Credential"], '/');
  if (scope.size() != 5 || scope[4] != "aws4_request") {
    return fail(400, "AuthorizationHeaderMalformed",
                "Credential is not KEY/DATE/REGION/SERVICE/aws4_request");
  }
  result.access_key_id = scope[0];
  result.region = scope[2];
  result.service = scope[3];
  const std::optional<std::string> secret = secret_for(scope[0]);
  if (!secret)
    return fail(403, "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.");

  const std::vector<std::string> dates = header_values("x-amz-date");
  if (dates.size() != 1) return fail(403, "AccessDenied", "exactly one x-amz-date header is required");
  const std::string& amz_date = dates[0];
  absl::Time signed_at;
  std::string parse_error;
  if (!absl::ParseTime("%E4Y%m%dT%H%M%SZ", amz_date, absl::UTCTimeZone(), &signed_at, &parse_error)) {
    return fail(403, "AccessDenied", "x-amz-date is not YYYYMMDDTHHMMSSZ");
  }
  if (scope[1] != amz_date.substr(0, 8))
    return fail(403, "SignatureDoesNotMatch", "the scope date is not x-amz-date's");
  if (now && absl::AbsDuration(*now - signed_at) > absl::Minutes(15)) {
    return fail(403, "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.");
  }

  const std::vector<std::string> signed_headers = absl::StrSplit(fields["SignedHeaders"], ';');
  if (!std::is_sorted(signed_headers.begin(), signed_headers.end())) {
    return fail(403, "SignatureDoesNotMatch", "SignedHeaders are not sorted");
  }
  const std::set<std::string> signed_set(signed_headers.begin(), signed_headers.end());
  std::vector<std::string> required = {"host", "x-amz-date"};
  if (s3) required.push_back("x-amz-content-sha256");
  for (const auto& [name, value] : request.headers) {
    const std::string lower = absl::AsciiStrToLower(name);
    if (absl::StartsWith(lower, "x-amz-")) required.push_back(lower);
  }
  for (const std::string& name : required) {
    if (!signed_set.count(name)) {
      return fail(403, "AccessDenied",
                  absl::StrCat("There were headers present in the request which were not signed: ", name));
    }
  }

  std::string payload_hash = HexSha256(request.body);
  if (s3) {
    const std::vector<std::string> declared = header_values("x-amz-content-sha256");
    if (declared.size() != 1) {
      return fail(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    }
    if (declared[0] != "UNSIGNED-PAYLOAD" && declared[0] != payload_hash) {
      return fail(400, "XAmzContentSHA256Mismatch",
                  "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    payload_hash = declared[0];
  }

  // Canonical URI and query, from the raw target.
  const std::size_t question = request.target.find('?');
  const std::string raw_path = request.target.substr(0, question);
  const std::string raw_query = question == std::string::npos ? "" : request.target.substr(question + 1);
  std::string canonical_uri = CanonicalEncode(PercentDecode(raw_path), true);
  if (!s3) canonical_uri = CanonicalEncode(canonical_uri, true);  // other services: encoded twice
  if (canonical_uri.empty()) canonical_uri = "/";
  std::vector<std::pair<std::string, std::string>> query;
  for (absl::string_view parameter : absl::StrSplit(raw_query, '&', absl::SkipEmpty())) {
    const std::size_t eq = parameter.find('=');
    const std::string name(parameter.substr(0, eq));
    const std::string value(eq == absl::string_view::npos ? "" : parameter.substr(eq + 1));
    query.emplace_back(CanonicalEncode(PercentDecode(name), false),
                       CanonicalEncode(PercentDecode(value), false));
  }
  std::sort(query.begin(), query.end());
  std::vector<std::string> query_parts;
  for (const auto& [name, value] : query) query_parts.push_back(absl::StrCat(name, "=", value));

  std::string canonical_headers;
  for (const std::string& name : signed_headers) {
    const std::vector<std::string> values = header_values(name);
    if (values.empty())
      return fail(403, "SignatureDoesNotMatch", absl::StrCat("signed header ", name, " is missing"));
    absl::StrAppend(&canonical_headers, name, ":", absl::StrJoin(values, ","), "\n");
  }
  result.canonical_request =
      absl::StrCat(request.method, "\n", canonical_uri, "\n", absl::StrJoin(query_parts, "&"), "\n",
                   canonical_headers, "\n", fields["SignedHeaders"], "\n", payload_hash);
  const std::string credential_scope = absl::StrJoin(scope.begin() + 1, scope.end(), "/");
  result.string_to_sign = absl::StrCat("AWS4-HMAC-SHA256\n", amz_date, "\n", credential_scope, "\n",
                                       HexSha256(result.canonical_request));
  std::string key = HmacSha256(absl::StrCat("AWS4", *secret), scope[1]);
  key = HmacSha256(key, scope[2]);
  key = HmacSha256(key, scope[3]);
  key = HmacSha256(key, "aws4_request");
  const std::string expected = HmacSha256(key, result.string_to_sign);
  const std::string expected_hex =
      Hex(reinterpret_cast<const unsigned char*>(expected.data()), expected.size());
  if (expected_hex != fields["Signature"]) {
    return fail(
        403, "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key "
        "and signing method.");
  }
  result.ok = true;
  return result;
}

std::string FakeAwsRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string FakeAwsServer::Fixture(const std::string& name) { return testing::ReadFixture("aws/" + name); }

FakeAwsServer::FakeAwsServer() : issued_expiration_(absl::Now() + absl::Hours(1)) {
  credentials_[kAccessKeyId] = Credential{kSecretAccessKey, "", false};
  credentials_[kSessionAccessKeyId] = Credential{kSessionSecretAccessKey, kSessionToken, false};
  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    Handle(request, response);
  };
  server_.Get(".*", handler);
  server_.Post(".*", handler);
  server_.Put(".*", handler);
  server_.Delete(".*", handler);
  server_.Patch(".*", handler);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("FakeAwsServer: cannot bind to 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop runs: wait for it (milliseconds).
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeAwsServer::~FakeAwsServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
  {
    // A container not yet marked exited is at worst a zombie its waiter has not reaped: the pid is ours.
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [name, job] : jobs_) {
      if (job.container && job.pid > 0 && !job.exited) kill(job.pid, SIGKILL);
    }
  }
  for (std::thread& waiter : container_waiters_) waiter.join();
  if (!container_root_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(container_root_, ignored);
  }
}

std::string FakeAwsServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<FakeAwsRequest> FakeAwsServer::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return requests_;
}

int FakeAwsServer::Count(FakeAwsService service) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return static_cast<int>(std::count_if(requests_.begin(), requests_.end(),
                                        [service](const FakeAwsRequest& r) { return r.service == service; }));
}

void FakeAwsServer::AddCredentials(const std::string& access_key_id, const std::string& secret,
                                   const std::string& token) {
  std::lock_guard<std::mutex> lock(mutex_);
  credentials_[access_key_id] = Credential{secret, token, false};
}

void FakeAwsServer::ExpireCredentials(const std::string& access_key_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  credentials_[access_key_id].expired = true;
}

void FakeAwsServer::ExpireAllIssuedCredentials() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const std::string& key : issued_) credentials_[key].expired = true;
}

void FakeAwsServer::SetIssuedExpiration(absl::Time expiration) {
  std::lock_guard<std::mutex> lock(mutex_);
  issued_expiration_ = expiration;
}

std::vector<std::string> FakeAwsServer::issued_access_key_ids() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return issued_;
}

void FakeAwsServer::SetContainerAuthorization(const std::string& token) {
  std::lock_guard<std::mutex> lock(mutex_);
  container_authorization_ = token;
}

std::vector<std::string> FakeAwsServer::sts_session_names() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sts_session_names_;
}

void FakeAwsServer::CreateBucket(const std::string& bucket) {
  std::lock_guard<std::mutex> lock(mutex_);
  buckets_[bucket];
}

void FakeAwsServer::PutObjectDirect(const std::string& bucket, const std::string& key,
                                    const std::string& body) {
  std::lock_guard<std::mutex> lock(mutex_);
  buckets_[bucket][key] = FakeS3Object{body, absl::StrCat("\"", HexDigest(body, EVP_md5()), "\""),
                                       "application/octet-stream", ""};
}

std::optional<FakeS3Object> FakeAwsServer::Object(const std::string& bucket, const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto b = buckets_.find(bucket);
  if (b == buckets_.end()) return std::nullopt;
  auto o = b->second.find(key);
  if (o == b->second.end()) return std::nullopt;
  return o->second;
}

void FakeAwsServer::PutSecret(const std::string& name, const std::string& secret_string) {
  std::lock_guard<std::mutex> lock(mutex_);
  secrets_[name] = secret_string;
}

void FakeAwsServer::DenySecret(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  denied_secrets_.insert(name);
}

void FakeAwsServer::FailNext(FakeAwsService service, int times, int http_status, const std::string& code,
                             const std::string& retry_after) {
  std::lock_guard<std::mutex> lock(mutex_);
  failures_[service] = Failure{times, http_status, code, retry_after};
}

void FakeAwsServer::ScriptProcessingJobs(std::vector<std::string> statuses,
                                         const std::string& failure_reason) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (statuses.empty()) statuses = {"InProgress"};
  job_script_ = std::move(statuses);
  job_failure_reason_ = failure_reason;
}

void FakeAwsServer::ForbidEnvironmentValues(std::vector<std::string> values) {
  std::lock_guard<std::mutex> lock(mutex_);
  forbidden_environment_values_ = std::move(values);
}

void FakeAwsServer::RunContainersWith(const std::string& binary,
                                      std::map<std::string, std::string> extra_env) {
  std::lock_guard<std::mutex> lock(mutex_);
  container_binary_ = binary;
  container_extra_env_ = std::move(extra_env);
  if (container_root_.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "creditbot-fake-sagemaker-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("FakeAwsServer: mkdtemp failed");
    container_root_ = pattern;
  }
}

std::optional<FakeProcessingJob> FakeAwsServer::ProcessingJob(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = jobs_.find(name);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> FakeAwsServer::processing_job_names() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return job_order_;
}

FakeAwsService FakeAwsServer::Classify(const httplib::Request& request) const {
  const std::string& path = request.path;
  if (absl::StartsWith(path, "/latest/")) return FakeAwsService::kImds;
  if (path == "/v1/credentials" || absl::StartsWith(path, "/v2/credentials"))
    return FakeAwsService::kContainer;
  if (request.method == "POST" && path == "/") {
    if (absl::StartsWith(request.get_header_value("X-Amz-Target"), "secretsmanager.")) {
      return FakeAwsService::kSecretsManager;
    }
    if (absl::StartsWith(request.get_header_value("X-Amz-Target"), "SageMaker.")) {
      return FakeAwsService::kSageMaker;
    }
    if (absl::StrContains(request.body, "Action=")) return FakeAwsService::kSts;
  }
  return FakeAwsService::kS3;
}

void FakeAwsServer::Handle(const httplib::Request& request, httplib::Response& response) {
  std::lock_guard<std::mutex> lock(mutex_);
  FakeAwsRequest record{Classify(request), request.method, request.target, request.body, request.headers, ""};
  const FakeAwsService service = record.service;
  const bool is_signed = service == FakeAwsService::kS3 || service == FakeAwsService::kSecretsManager ||
                         service == FakeAwsService::kSageMaker;
  if ((!is_signed || CheckSignature(request, service, record, response)) &&
      !InjectFailure(service, response)) {
    switch (service) {
      case FakeAwsService::kS3:
        HandleS3(request, response);
        break;
      case FakeAwsService::kSts:
        HandleSts(request, response);
        break;
      case FakeAwsService::kSecretsManager:
        HandleSecrets(request, response);
        break;
      case FakeAwsService::kContainer:
        HandleContainer(request, response);
        break;
      case FakeAwsService::kImds:
        HandleImds(request, response);
        break;
      case FakeAwsService::kSageMaker:
        HandleSageMaker(request, response);
        break;
    }
  }
  requests_.push_back(std::move(record));
}

bool FakeAwsServer::CheckSignature(const httplib::Request& request, FakeAwsService service,
                                   FakeAwsRequest& record, httplib::Response& response) {
  const bool s3 = service == FakeAwsService::kS3;
  SigV4Request wire{request.method, request.target, {}, request.body};
  for (const auto& [name, value] : request.headers) {
    // httplib adds these to the request it hands us; they never came over the wire.
    if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT")
      continue;
    wire.headers.emplace_back(name, value);
  }
  SigV4Result result = VerifySigV4(
      wire,
      [this](const std::string& key) -> std::optional<std::string> {
        auto it = credentials_.find(key);
        if (it == credentials_.end()) return std::nullopt;
        return it->second.secret;
      },
      s3, absl::Now());
  const std::string expected_service =
      s3 ? "s3" : (service == FakeAwsService::kSageMaker ? "sagemaker" : "secretsmanager");
  if (result.ok && (result.region != kRegion || result.service != expected_service)) {
    result.ok = false;
    result.http_status = 400;
    result.error_code = "AuthorizationHeaderMalformed";
    result.error_message = absl::StrCat("the credential scope must be ", kRegion, "/", expected_service,
                                        ", not ", result.region, "/", result.service);
  }
  if (result.ok) {
    const Credential& credential = credentials_[result.access_key_id];
    const std::string token = request.get_header_value("x-amz-security-token");
    if (token != credential.token) {
      result.ok = false;
      result.http_status = 403;
      result.error_code = s3 ? "InvalidToken" : "UnrecognizedClientException";
      result.error_message = "The provided token is malformed or otherwise invalid.";
    } else if (credential.expired) {
      result.ok = false;
      result.http_status = 400;
      result.error_code = s3 ? "ExpiredToken" : "ExpiredTokenException";
      result.error_message = "The provided token has expired.";
    }
  }
  if (result.ok) return true;
  record.signature_error = result.error_code;
  if (s3) {
    std::string extra;
    if (result.error_code == "SignatureDoesNotMatch") {
      extra = absl::StrCat("<AWSAccessKeyId>", result.access_key_id, "</AWSAccessKeyId><StringToSign>",
                           XmlEscape(result.string_to_sign), "</StringToSign><CanonicalRequest>",
                           XmlEscape(result.canonical_request), "</CanonicalRequest>");
    }
    S3Error(response, result.http_status, result.error_code, result.error_message, extra);
  } else {
    std::string code = result.error_code;
    if (code == "SignatureDoesNotMatch") code = "InvalidSignatureException";
    if (code == "InvalidAccessKeyId") code = "UnrecognizedClientException";
    std::string message = result.error_message;
    if (code == "InvalidSignatureException") {
      message = absl::StrCat(message, " The Canonical String for this request should have been '",
                             result.canonical_request, "' The String-to-Sign should have been '",
                             result.string_to_sign, "'");
    }
    JsonError(response, result.http_status, code, message);
  }
  return false;
}

bool FakeAwsServer::InjectFailure(FakeAwsService service, httplib::Response& response) {
  auto it = failures_.find(service);
  if (it == failures_.end() || it->second.times <= 0) return false;
  Failure& failure = it->second;
  --failure.times;
  if (!failure.retry_after.empty()) response.set_header("Retry-After", failure.retry_after);
  const std::string message = "injected by the test";
  switch (service) {
    case FakeAwsService::kS3:
      S3Error(response, failure.status, failure.code, message);
      break;
    case FakeAwsService::kSts:
      StsError(response, failure.status, failure.code, message);
      break;
    case FakeAwsService::kSecretsManager:
    case FakeAwsService::kSageMaker:
      JsonError(response, failure.status, failure.code, message);
      break;
    case FakeAwsService::kContainer:
    case FakeAwsService::kImds:
      response.status = failure.status;
      response.set_content(failure.code, "text/plain");
      break;
  }
  return true;
}

void FakeAwsServer::HandleS3(const httplib::Request& request, httplib::Response& response) {
  const std::string target_path = request.target.substr(0, request.target.find('?'));
  const std::string path = PercentDecode(target_path);
  const std::size_t slash = path.find('/', 1);
  const std::string bucket = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
  const std::string key = slash == std::string::npos ? "" : path.substr(slash + 1);
  auto b = buckets_.find(bucket);
  if (b == buckets_.end())
    return S3Error(response, 404, "NoSuchBucket", "The specified bucket does not exist");
  std::map<std::string, FakeS3Object>& objects = b->second;
  if (key.empty() && request.method == "GET" && request.get_param_value("list-type") == "2") {
    // ListObjectsV2: the first max-keys keys under prefix (the only bucket operation faked).
    const std::string prefix = request.get_param_value("prefix");
    const std::size_t max_keys =
        request.has_param("max-keys") ? std::stoul(request.get_param_value("max-keys")) : std::size_t{1000};
    std::string contents;
    std::size_t count = 0;
    for (auto it = objects.lower_bound(prefix); it != objects.end() && it->first.rfind(prefix, 0) == 0;
         ++it) {
      if (count == max_keys) break;
      absl::StrAppend(&contents, "<Contents><Key>", XmlEscape(it->first), "</Key></Contents>");
      ++count;
    }
    response.set_content(
        absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult "
                     "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>",
                     XmlEscape(bucket), "</Name><Prefix>", XmlEscape(prefix), "</Prefix><KeyCount>", count,
                     "</KeyCount><MaxKeys>", max_keys, "</MaxKeys>", contents, "</ListBucketResult>"),
        "application/xml");
    return;
  }
  if (key.empty()) return S3Error(response, 501, "NotImplemented", "bucket operations are not faked");
  auto existing = objects.find(key);
  response.set_header("x-amz-request-id", "FAKEREQUESTID0001");

  if (request.method == "GET" || request.method == "HEAD") {
    if (existing == objects.end()) {
      if (request.method == "HEAD") {
        response.status = 404;
        return;
      }
      return S3Error(response, 404, "NoSuchKey", "The specified key does not exist.",
                     "<Key>" + XmlEscape(key) + "</Key>");
    }
    const FakeS3Object& object = existing->second;
    response.status = 200;
    response.set_header("ETag", object.etag);
    if (!object.server_side_encryption.empty()) {
      response.set_header("x-amz-server-side-encryption", object.server_side_encryption);
    }
    response.set_content(object.body, object.content_type.c_str());
    return;
  }
  if (request.method == "PUT") {
    const std::string if_none_match = request.get_header_value("If-None-Match");
    const std::string if_match = request.get_header_value("If-Match");
    if (if_none_match == "*" && existing != objects.end()) {
      return S3Error(response, 412, "PreconditionFailed",
                     "At least one of the pre-conditions you specified did not hold",
                     "<Condition>If-None-Match</Condition>");
    }
    if (!if_match.empty()) {
      if (existing == objects.end()) {
        return S3Error(response, 404, "NoSuchKey", "The specified key does not exist.",
                       "<Key>" + XmlEscape(key) + "</Key>");
      }
      if (existing->second.etag != if_match) {
        return S3Error(response, 412, "PreconditionFailed",
                       "At least one of the pre-conditions you specified did not hold",
                       "<Condition>If-Match</Condition>");
      }
    }
    const std::string sse = request.get_header_value("x-amz-server-side-encryption");
    if (!sse.empty() && sse != "AES256" && sse != "aws:kms") {
      return S3Error(response, 400, "InvalidArgument", "The encryption method specified is not supported");
    }
    FakeS3Object object{request.body, absl::StrCat("\"", HexDigest(request.body, EVP_md5()), "\""),
                        request.get_header_value("Content-Type"), sse};
    response.status = 200;
    response.set_header("ETag", object.etag);
    if (!sse.empty()) response.set_header("x-amz-server-side-encryption", sse);
    objects[key] = std::move(object);
    return;
  }
  if (request.method == "DELETE") {
    if (existing != objects.end()) objects.erase(existing);
    response.status = 204;
    return;
  }
  S3Error(response, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
}

FakeAwsServer::Credential& FakeAwsServer::Issue(std::string& access_key_id) {
  ++issued_count_;
  const std::string n = std::to_string(100000 + issued_count_).substr(1);  // 5 digits
  access_key_id = "ASIAFAKEISSUED" + n + "X";
  issued_.push_back(access_key_id);
  Credential& credential = credentials_[access_key_id];
  credential = Credential{"issued/Secret+" + n + "=ForTests", "issued-token/" + n + "+=", false};
  return credential;
}

void FakeAwsServer::HandleSts(const httplib::Request& request, httplib::Response& response) {
  std::map<std::string, std::string> form = ParseForm(request.body);
  if (form["Action"] != "AssumeRoleWithWebIdentity" || form["Version"] != "2011-06-15") {
    return StsError(response, 400, "InvalidAction", "Could not find operation " + form["Action"]);
  }
  if (!absl::StartsWith(request.get_header_value("Content-Type"), "application/x-www-form-urlencoded")) {
    return StsError(response, 400, "InvalidParameterValue", "form-encoded body expected");
  }
  if (form["RoleArn"] != kRoleArn)
    return StsError(response, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
  if (form["WebIdentityToken"] != kWebIdentityToken) {
    return StsError(response, 400, "InvalidIdentityToken", "Incorrect token audience");
  }
  sts_session_names_.push_back(form["RoleSessionName"]);
  std::string access_key_id;
  const Credential& credential = Issue(access_key_id);
  response.status = 200;
  response.set_content(absl::StrReplaceAll(Fixture("sts-assumerolewithwebidentity-response.xml"),
                                           {{"ASIAEXAMPLEEXAMPLE03", access_key_id},
                                            {"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", credential.secret},
                                            {"IQoJb3JpZ2luX2VjEXAMPLE-SESSION-TOKEN", credential.token},
                                            {"2024-06-01T13:00:00Z", IsoTime(issued_expiration_)}}),
                       "text/xml");
}

void FakeAwsServer::HandleSecrets(const httplib::Request& request, httplib::Response& response) {
  if (request.get_header_value("X-Amz-Target") != "secretsmanager.GetSecretValue") {
    return JsonError(response, 400, "UnknownOperationException", "only GetSecretValue is faked");
  }
  if (request.get_header_value("Content-Type") != "application/x-amz-json-1.1") {
    return JsonError(response, 400, "SerializationException",
                     "Content-Type must be application/x-amz-json-1.1");
  }
  const Json body = Json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("SecretId") || !body["SecretId"].is_string()) {
    return JsonError(response, 400, "InvalidParameterException", "SecretId is required");
  }
  const std::string id = body["SecretId"].get<std::string>();
  const std::string arn_prefix = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:";
  std::string name = id;
  if (absl::StartsWith(id, arn_prefix)) {
    name = id.substr(arn_prefix.size());
    if (name.size() > 7) name = name.substr(0, name.size() - 7);  // "-a1b2c3"
  }
  if (denied_secrets_.count(name)) {
    Json error = Json::parse(Fixture("secretsmanager-error-AccessDeniedException.json"));
    response.status = 400;
    response.set_content(error.dump(), "application/x-amz-json-1.1");
    return;
  }
  auto it = secrets_.find(name);
  if (it == secrets_.end()) {
    response.status = 400;
    response.set_content(Fixture("secretsmanager-error-ResourceNotFoundException.json"),
                         "application/x-amz-json-1.1");
    return;
  }
  Json answer = Json::parse(Fixture("secretsmanager-getsecretvalue-response.json"));
  answer["ARN"] = arn_prefix + name + "-a1b2c3";
  answer["Name"] = name;
  answer["SecretString"] = it->second;
  response.status = 200;
  response.set_content(answer.dump(), "application/x-amz-json-1.1");
}

void FakeAwsServer::HandleContainer(const httplib::Request& request, httplib::Response& response) {
  if (request.method != "GET") {
    response.status = 405;
    return;
  }
  if (!container_authorization_.empty() &&
      request.get_header_value("Authorization") != container_authorization_) {
    response.status = 401;
    response.set_content("{\"message\":\"unauthorized\"}", "application/json");
    return;
  }
  std::string access_key_id;
  const Credential& credential = Issue(access_key_id);
  Json answer = Json::parse(Fixture("credentials-container-endpoint-response.json"));
  answer["AccessKeyId"] = access_key_id;
  answer["SecretAccessKey"] = credential.secret;
  answer["Token"] = credential.token;
  answer["Expiration"] = IsoTime(issued_expiration_);
  response.status = 200;
  response.set_content(answer.dump(), "application/json");
}

void FakeAwsServer::HandleImds(const httplib::Request& request, httplib::Response& response) {
  const std::string& path = request.path;
  if (path == "/latest/api/token") {
    if (request.method != "PUT" || request.get_header_value("X-aws-ec2-metadata-token-ttl-seconds").empty()) {
      response.status = 400;
      return;
    }
    const std::string token = "imds-token-" + std::to_string(imds_tokens_.size() + 1);
    imds_tokens_.insert(token);
    response.status = 200;
    response.set_content(token, "text/plain");
    return;
  }
  if (!imds_tokens_.count(request.get_header_value("X-aws-ec2-metadata-token"))) {
    response.status = 401;  // IMDSv2: a GET without a valid token
    return;
  }
  const std::string prefix = "/latest/meta-data/iam/security-credentials/";
  if (path == prefix) {
    response.status = 200;
    response.set_content(kImdsRole, "text/plain");
    return;
  }
  if (path == prefix + kImdsRole) {
    std::string access_key_id;
    const Credential& credential = Issue(access_key_id);
    Json answer = Json::parse(Fixture("credentials-imds-role-response.json"));
    answer["AccessKeyId"] = access_key_id;
    answer["SecretAccessKey"] = credential.secret;
    answer["Token"] = credential.token;
    answer["Expiration"] = IsoTime(issued_expiration_);
    response.status = 200;
    response.set_content(answer.dump(), "text/plain");
    return;
  }
  response.status = 404;
}

namespace {

bool ValidJobName(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  auto alnum = [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  return std::all_of(name.begin(), name.end(), [&alnum](char c) { return alnum(c) || c == '-'; });
}

bool ValidEnvironmentKey(const std::string& key) {
  if (key.empty() || key.size() > 256) return false;
  if (!absl::ascii_isalpha(static_cast<unsigned char>(key[0])) && key[0] != '_') return false;
  return std::all_of(key.begin(), key.end(),
                     [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// The first missing required member of a CreateProcessingJob body, or "".
std::string MissingCreateMember(const Json& body) {
  auto has = [](const Json& object, const char* name, bool (Json::*is)() const noexcept) {
    return object.is_object() && object.contains(name) && (object[name].*is)();
  };
  if (!has(body, "ProcessingJobName", &Json::is_string)) return "ProcessingJobName";
  if (!has(body, "RoleArn", &Json::is_string) || body["RoleArn"].get<std::string>().empty()) return "RoleArn";
  if (!has(body, "AppSpecification", &Json::is_object) ||
      !has(body["AppSpecification"], "ImageUri", &Json::is_string) ||
      body["AppSpecification"]["ImageUri"].get<std::string>().empty()) {
    return "AppSpecification.ImageUri";
  }
  if (!has(body, "ProcessingResources", &Json::is_object) ||
      !has(body["ProcessingResources"], "ClusterConfig", &Json::is_object)) {
    return "ProcessingResources.ClusterConfig";
  }
  const Json& cluster = body["ProcessingResources"]["ClusterConfig"];
  if (!has(cluster, "InstanceCount", &Json::is_number_integer) || cluster["InstanceCount"].get<int>() < 1) {
    return "ProcessingResources.ClusterConfig.InstanceCount";
  }
  if (!has(cluster, "InstanceType", &Json::is_string) || cluster["InstanceType"].get<std::string>().empty()) {
    return "ProcessingResources.ClusterConfig.InstanceType";
  }
  if (!has(cluster, "VolumeSizeInGB", &Json::is_number_integer) || cluster["VolumeSizeInGB"].get<int>() < 1) {
    return "ProcessingResources.ClusterConfig.VolumeSizeInGB";
  }
  return "";
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The last non-empty line of `text` ("" when none).
std::string LastLine(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipWhitespace());
  return lines.empty() ? "" : std::string(absl::StripAsciiWhitespace(lines.back()));
}

}  // namespace

std::string FakeAwsServer::StartContainer(FakeProcessingJob& job, const std::string& create_body) {
  const Json body = Json::parse(create_body);
  const Json& app = body["AppSpecification"];
  std::vector<std::string> argv_storage = {container_binary_};
  if (app.contains("ContainerEntrypoint")) {
    if (!app["ContainerEntrypoint"].is_array()) return "ContainerEntrypoint is not a list";
    for (std::size_t i = 1; i < app["ContainerEntrypoint"].size(); ++i)
      argv_storage.push_back(app["ContainerEntrypoint"][i].get<std::string>());
  }
  if (app.contains("ContainerArguments")) {
    if (!app["ContainerArguments"].is_array()) return "ContainerArguments is not a list";
    for (const Json& argument : app["ContainerArguments"])
      argv_storage.push_back(argument.get<std::string>());
  }
  const std::string folder = container_root_ + "/" + job.name;
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) return "cannot create " + folder;

  std::map<std::string, std::string> env;
  const char* path = std::getenv("PATH");
  env["PATH"] = path != nullptr ? path : "/usr/bin:/bin";
  env["HOME"] = folder;
  env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = base_url() + "/v2/credentials/" + job.name;
  env["AWS_ENDPOINT_URL"] = base_url();
  env["AWS_REGION"] = kRegion;
  if (body.contains("Environment")) {
    for (const auto& [name, value] : body["Environment"].items()) env[name] = value.get<std::string>();
  }
  for (const auto& [name, value] : container_extra_env_) env[name] = value;
  std::vector<std::string> env_storage;
  for (const auto& [name, value] : env) env_storage.push_back(name + "=" + value);

  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv, envp;
  for (std::string& argument : argv_storage) argv.push_back(argument.data());
  argv.push_back(nullptr);
  for (std::string& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const std::string out_path = folder + "/stdout", err_path = folder + "/stderr";
  const pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    const int in = open("/dev/null", O_RDONLY);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (chdir(folder.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  job.container = true;
  job.pid = pid;
  const std::string name = job.name;
  container_waiters_.emplace_back([this, name, pid, out_path, err_path] {
    // Wait without reaping, so the pid stays ours (a zombie) until the job is marked exited under the lock.
    siginfo_t info{};
    while (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
    }
    std::string out = ReadWholeFile(out_path), err = ReadWholeFile(err_path);
    std::lock_guard<std::mutex> lock(mutex_);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    FakeProcessingJob& finished = jobs_[name];
    finished.exited = true;
    finished.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    finished.container_stdout = std::move(out);
    finished.container_stderr = std::move(err);
  });
  return "";
}

void FakeAwsServer::RefreshContainerStatus(FakeProcessingJob& job) {
  if (!job.exited) {
    job.status = job.stop_requested ? "Stopping" : "InProgress";
  } else if (job.stop_requested) {
    job.status = "Stopped";
  } else if (job.exit_code == 0) {
    job.status = "Completed";
  } else {
    job.status = "Failed";
    std::string last = LastLine(job.container_stderr);
    if (last.empty()) last = "the container exited with code " + std::to_string(job.exit_code);
    job.failure_reason = "AlgorithmError: " + last;
    if (job.failure_reason.size() > 1024) job.failure_reason.resize(1024);  // SageMaker's limit
  }
}

void FakeAwsServer::HandleSageMaker(const httplib::Request& request, httplib::Response& response) {
  if (request.get_header_value("Content-Type") != "application/x-amz-json-1.1") {
    return JsonError(response, 400, "SerializationException",
                     "Content-Type must be application/x-amz-json-1.1");
  }
  const std::string target = request.get_header_value("X-Amz-Target");
  const Json body = Json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("ProcessingJobName") || !body["ProcessingJobName"].is_string()) {
    return JsonError(response, 400, "ValidationException", "ProcessingJobName is required");
  }
  const std::string name = body["ProcessingJobName"].get<std::string>();
  const std::string arn = "arn:aws:sagemaker:eu-west-1:123456789012:processing-job/" + name;
  response.set_header("x-amzn-RequestId", "fake-request-id");

  if (target == "SageMaker.CreateProcessingJob") {
    if (!ValidJobName(name)) {
      return JsonError(
          response, 400, "ValidationException",
          "1 validation error detected: Value '" + name +
              "' at 'processingJobName' failed to satisfy constraint: Member must satisfy regular "
              "expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}");
    }
    if (const std::string missing = MissingCreateMember(body); !missing.empty()) {
      return JsonError(response, 400, "ValidationException", missing + " is required");
    }
    if (body.contains("Environment")) {
      if (!body["Environment"].is_object() || body["Environment"].size() > 100) {
        return JsonError(response, 400, "ValidationException", "Environment must be a map of at most 100");
      }
      for (const auto& [key, value] : body["Environment"].items()) {
        if (!ValidEnvironmentKey(key) || !value.is_string() || value.get<std::string>().size() > 256) {
          return JsonError(response, 400, "ValidationException",
                           "Environment entry " + key + " is not a valid key with a value of at most 256");
        }
        for (const std::string& forbidden : forbidden_environment_values_) {
          if (!forbidden.empty() && absl::StrContains(value.get<std::string>(), forbidden)) {
            return JsonError(response, 400, "ValidationException",
                             "Environment carries a secret (in " + key + ")");
          }
        }
      }
    }
    if (jobs_.count(name)) {
      return JsonError(response, 400, "ResourceInUse", "Job " + arn + " already exists");
    }
    FakeProcessingJob& job = jobs_[name];
    job.name = name;
    job.create_body = request.body;
    job.script = job_script_;
    job.status = "InProgress";
    job.failure_reason = job_failure_reason_;
    job_order_.push_back(name);
    if (!container_binary_.empty()) {
      job.script.clear();
      job.failure_reason.clear();
      if (const std::string why = StartContainer(job, request.body); !why.empty()) {
        jobs_.erase(name);
        job_order_.pop_back();
        return JsonError(response, 500, "InternalFailure", "the fake could not start the container: " + why);
      }
    }
    response.status = 200;
    response.set_content(Json{{"ProcessingJobArn", arn}}.dump(), "application/x-amz-json-1.1");
    return;
  }

  auto it = jobs_.find(name);
  if (it == jobs_.end()) {
    return JsonError(response, 400, "ValidationException", "Could not find requested job with name " + name);
  }
  FakeProcessingJob& job = it->second;
  if (target == "SageMaker.DescribeProcessingJob") {
    ++job.describes;
    if (job.container) {
      RefreshContainerStatus(job);
    } else if (job.stop_requested) {
      job.status = job.status == "Stopping" ? "Stopped" : job.status;
    } else if (!job.script.empty()) {
      job.status = job.script.front();
      if (job.script.size() > 1) job.script.erase(job.script.begin());
    }
    Json answer = Json::parse(job.create_body);
    answer["ProcessingJobArn"] = arn;
    answer["ProcessingJobStatus"] = job.status;
    answer["CreationTime"] = 1717244100.512;
    answer["LastModifiedTime"] = 1717244222.1;
    if ((job.status == "Failed" || job.status == "Stopped") && !job.failure_reason.empty()) {
      answer["FailureReason"] = job.failure_reason;
    }
    if (job.status == "Failed" && !job.container)
      answer["ExitMessage"] = "creditbot calc: the container failed";
    response.status = 200;
    response.set_content(answer.dump(), "application/x-amz-json-1.1");
    return;
  }
  if (target == "SageMaker.StopProcessingJob") {
    if (job.container) RefreshContainerStatus(job);
    if (job.status != "InProgress" && job.status != "Stopping") {
      return JsonError(
          response, 400, "ValidationException",
          "The request was rejected because the processing job is in status " + job.status + ".");
    }
    if (job.container && !job.exited && !job.stop_requested) kill(job.pid, SIGTERM);
    job.stop_requested = true;
    job.status = "Stopping";
    response.status = 200;
    response.set_content("", "application/x-amz-json-1.1");
    return;
  }
  JsonError(response, 400, "UnknownOperationException", "only Create/Describe/StopProcessingJob are faked");
}

}  // namespace creditbot::testing
