// The credential chain, its sources and the refreshing cache; see aws_credentials.h.
#include "aws/aws_credentials.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "aws/aws_error.h"
#include "aws/aws_http_client.h"
#include "aws/aws_xml.h"
#include "common/backoff.h"
#include "common/json_fields.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {
namespace {

std::string EnvValue(const EnvironmentMap& env, std::string_view name) {
  auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

bool EnvSet(const EnvironmentMap& env, std::string_view name) { return !EnvValue(env, name).empty(); }

absl::StatusOr<absl::Time> ParseIsoTime(std::string_view text, std::string_view field) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, ToAbsl(text), &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(field), " is not an ISO-8601 time"));
  }
  return time;
}

// The contents of a token file, surrounding whitespace removed. kFailedPrecondition naming the variable.
absl::StatusOr<std::string> ReadTokenFile(const std::string& path, std::string_view variable) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat(ToAbsl(variable), ": cannot read '", path, "'"));
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(text.str()));
  if (token.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(ToAbsl(variable), ": '", path, "' is empty"));
  }
  return token;
}

// http is allowed only to the hosts the SDKs allow for the container endpoint.
bool ContainerUriAllowed(std::string_view uri) {
  if (uri.starts_with("https://")) return true;
  if (!uri.starts_with("http://")) return false;
  std::string_view authority = uri.substr(7);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return false;
  std::string_view host = authority;
  if (host.starts_with("[")) {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  return host == "localhost" || host.starts_with("127.") || host == "[::1]" || host == "169.254.170.2" ||
         host == "169.254.170.23" || host == "[fd00:ec2::23]";
}

// Scope of the transient-error test shared by the metadata fetches.
bool TransientStatus(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kDeadlineExceeded;
}

class ChainCredentialsProvider final : public AwsCredentialsProvider {
 public:
  ChainCredentialsProvider(EnvironmentMap env, AwsEndpoint sts_endpoint,
                           std::unique_ptr<HttpTransport> transport, const Clock& clock, Sleeper& sleeper,
                           AwsCredentialsOptions options)
      : env_(std::move(env)),
        source_(SelectAwsCredentialSource(env_)),
        sts_endpoint_(std::move(sts_endpoint)),
        transport_(std::move(transport)),
        clock_(clock),
        sleeper_(sleeper),
        options_(std::move(options)) {}

  absl::StatusOr<AwsCredentials> Get() override {
    absl::MutexLock lock(&mutex_);
    const absl::Time now = clock_.Now();
    if (cached_ && (!cached_->expiration || now < *cached_->expiration - options_.refresh_margin)) {
      return *cached_;
    }
    const bool still_valid = cached_ && now < *cached_->expiration;
    if (still_valid && now < next_refresh_) return *cached_;
    absl::StatusOr<AwsCredentials> fetched = Fetch();
    if (fetched.ok()) {
      cached_ = *fetched;
      next_refresh_ = absl::InfinitePast();
      return fetched;
    }
    const absl::Status error = Scrub(fetched.status());
    if (still_valid) {
      next_refresh_ = now + options_.failed_refresh_pause;
      return *cached_;
    }
    return error;
  }

  void Invalidate() override {
    absl::MutexLock lock(&mutex_);
    cached_.reset();
    next_refresh_ = absl::InfinitePast();
  }

 private:
  absl::StatusOr<AwsCredentials> Fetch() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    switch (source_) {
      case AwsCredentialSource::kEnvironment:
        return FromEnvironment();
      case AwsCredentialSource::kWebIdentity:
        return FromWebIdentity();
      case AwsCredentialSource::kContainer:
        return FromContainer();
      case AwsCredentialSource::kImds:
        return FromImds();
      case AwsCredentialSource::kNone:
        break;
    }
    return absl::FailedPreconditionError(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_WEB_IDENTITY_TOKEN_FILE "
        "and "
        "AWS_ROLE_ARN (EKS IRSA), or AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI (EKS Pod Identity, "
        "ECS); the EC2 instance metadata service is disabled (AWS_EC2_METADATA_DISABLED)");
  }

  absl::StatusOr<AwsCredentials> FromEnvironment() const {
    AwsCredentials credentials;
    credentials.access_key_id = EnvValue(env_, "AWS_ACCESS_KEY_ID");
    credentials.secret_access_key = EnvValue(env_, "AWS_SECRET_ACCESS_KEY");
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "AWS credentials from the environment need both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; ",
          credentials.access_key_id.empty() ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY", " is not set"));
    }
    credentials.session_token = EnvValue(env_, "AWS_SESSION_TOKEN");
    if (credentials.session_token.empty()) credentials.session_token = EnvValue(env_, "AWS_SECURITY_TOKEN");
    if (const std::string expiration = EnvValue(env_, "AWS_CREDENTIAL_EXPIRATION"); !expiration.empty()) {
      CREDITBOT_ASSIGN_OR_RETURN(absl::Time when, ParseIsoTime(expiration, "AWS_CREDENTIAL_EXPIRATION"));
      credentials.expiration = when;
    }
    credentials.source = "environment";
    return credentials;
  }

  absl::StatusOr<AwsCredentials> FromWebIdentity() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    CREDITBOT_ASSIGN_OR_RETURN(std::string token, ReadTokenFile(EnvValue(env_, "AWS_WEB_IDENTITY_TOKEN_FILE"),
                                                                "AWS_WEB_IDENTITY_TOKEN_FILE"));
    web_identity_token_ = token;  // for Scrub
    std::string session_name = EnvValue(env_, "AWS_ROLE_SESSION_NAME");
    if (session_name.empty()) {
      session_name = absl::StrCat("creditbot-", absl::ToUnixSeconds(clock_.Now()));
    }
    HttpRequest request;
    request.method = "POST";
    request.url = absl::StrCat(sts_endpoint_.url, "/");
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    request.body = absl::StrCat("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=",
                                AwsUriEncode(EnvValue(env_, "AWS_ROLE_ARN"), false),
                                "&RoleSessionName=", AwsUriEncode(session_name, false));
    if (options_.web_identity_duration_seconds > 0) {
      absl::StrAppend(&request.body, "&DurationSeconds=", options_.web_identity_duration_seconds);
    }
    absl::StrAppend(&request.body, "&WebIdentityToken=", AwsUriEncode(token, false));
    request.timeout = options_.sts_timeout;

    for (int attempt = 1;; ++attempt) {
      absl::StatusOr<HttpResponse> response = transport_->Send(request);
      absl::Status failure;
      bool transient = false;
      if (!response.ok()) {
        failure = absl::Status(response.status().code(),
                               absl::StrCat("STS AssumeRoleWithWebIdentity: ", response.status().message()));
        transient = TransientStatus(response.status());
      } else if (response->status == 200) {
        absl::StatusOr<AwsCredentials> credentials = ParseAssumeRoleWithWebIdentityResponse(response->body);
        if (!credentials.ok()) {
          return absl::UnavailableError(absl::StrCat("STS AssumeRoleWithWebIdentity: unreadable answer (",
                                                     credentials.status().message(), ")"));
        }
        credentials->source = "web identity";
        return credentials;
      } else {
        const AwsError error = AwsErrorFromXmlResponse(*response);
        transient = IsRetryableAwsError(error);
        failure = AwsErrorStatus(StsErrorCode(error), error, "STS AssumeRoleWithWebIdentity");
      }
      if (!transient || attempt >= options_.max_attempts) return failure;
      sleeper_.Sleep(RetryDelay(attempt - 1));
    }
  }

  static absl::StatusCode StsErrorCode(const AwsError& error) {
    if (IsRetryableAwsError(error)) return absl::StatusCode::kUnavailable;
    if (error.code == "InvalidIdentityToken" || error.code == "ExpiredTokenException" ||
        error.code == "IDPRejectedClaim") {
      return absl::StatusCode::kUnauthenticated;
    }
    if (error.code == "AccessDenied") return absl::StatusCode::kPermissionDenied;
    if (error.code == "RegionDisabledException") return absl::StatusCode::kFailedPrecondition;
    return DefaultAwsErrorCode(error);
  }

  // GET with retries on transient failures; the non-2xx answer is returned as is.
  absl::StatusOr<HttpResponse> SendMetadata(const HttpRequest& request, std::string_view what)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    for (int attempt = 1;; ++attempt) {
      absl::StatusOr<HttpResponse> response = transport_->Send(request);
      bool transient = false;
      if (!response.ok()) {
        transient = TransientStatus(response.status());
      } else {
        const int status = response->status;
        transient = status == 429 || status >= 500;
      }
      if (!transient || attempt >= options_.max_attempts) {
        if (!response.ok()) {
          return absl::Status(response.status().code(),
                              absl::StrCat(ToAbsl(what), ": ", response.status().message()));
        }
        return response;
      }
      sleeper_.Sleep(RetryDelay(attempt - 1));
    }
  }

  static absl::Status MetadataHttpError(const HttpResponse& response, std::string_view what) {
    absl::Status status = HttpStatusToError(response.status, what);
    if (response.status >= 500) return absl::UnavailableError(status.message());
    return status;
  }

  absl::StatusOr<AwsCredentials> FromContainer() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    std::string uri;
    if (const std::string relative = EnvValue(env_, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        !relative.empty()) {
      if (!relative.starts_with("/")) {
        return absl::FailedPreconditionError("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'");
      }
      uri = absl::StrCat(options_.ecs_endpoint, relative);
    } else {
      uri = EnvValue(env_, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
      if (!ContainerUriAllowed(uri)) {
        return absl::FailedPreconditionError(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address, 169.254.170.2, "
            "169.254.170.23 or [fd00:ec2::23]");
      }
    }
    HttpRequest request;
    request.url = uri;
    request.timeout = options_.metadata_timeout;
    request.headers = {{"Accept", "application/json"}};
    std::string authorization;
    if (const std::string file = EnvValue(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"); !file.empty()) {
      CREDITBOT_ASSIGN_OR_RETURN(authorization,
                                 ReadTokenFile(file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"));
    } else {
      authorization = EnvValue(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN");
    }
    if (authorization.find_first_of("\r\n") != std::string::npos) {
      return absl::FailedPreconditionError("the container authorization token holds a line break");
    }
    container_token_ = authorization;  // for Scrub
    if (!authorization.empty()) request.headers.emplace_back("Authorization", authorization);
    CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response,
                               SendMetadata(request, "container credentials endpoint"));
    if (response.status != 200) return MetadataHttpError(response, "container credentials endpoint");
    absl::StatusOr<AwsCredentials> credentials = ParseCredentialsJson(response.body);
    if (!credentials.ok()) {
      return absl::UnavailableError(absl::StrCat("container credentials endpoint: unreadable answer (",
                                                 credentials.status().message(), ")"));
    }
    credentials->source = "container endpoint";
    return credentials;
  }

  absl::StatusOr<AwsCredentials> FromImds() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    std::string base = EnvValue(env_, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (base.empty()) base = options_.imds_endpoint;
    CREDITBOT_ASSIGN_OR_RETURN(base, NormalizeEndpointUrl(base, "AWS_EC2_METADATA_SERVICE_ENDPOINT"));

    HttpRequest token_request;
    token_request.method = "PUT";
    token_request.url = absl::StrCat(base, "/latest/api/token");
    // An empty PUT still says so: some servers wait for a body when Content-Length is absent.
    token_request.headers = {{"X-aws-ec2-metadata-token-ttl-seconds", "21600"}, {"Content-Length", "0"}};
    token_request.timeout = options_.metadata_timeout;
    CREDITBOT_ASSIGN_OR_RETURN(HttpResponse token, SendMetadata(token_request, "IMDS token"));
    if (token.status != 200) return MetadataHttpError(token, "IMDS token (IMDSv2 PUT)");
    const std::string imds_token(absl::StripAsciiWhitespace(token.body));
    if (imds_token.empty() || imds_token.find_first_of("\r\n") != std::string::npos) {
      return absl::UnavailableError("IMDS token (IMDSv2 PUT): empty or unreadable answer");
    }
    imds_token_ = imds_token;

    HttpRequest role_request;
    role_request.url = absl::StrCat(base, "/latest/meta-data/iam/security-credentials/");
    role_request.headers = {{"X-aws-ec2-metadata-token", imds_token}};
    role_request.timeout = options_.metadata_timeout;
    CREDITBOT_ASSIGN_OR_RETURN(HttpResponse role, SendMetadata(role_request, "IMDS role"));
    if (role.status == 404) {
      return absl::FailedPreconditionError("IMDS: no IAM role is attached to this instance");
    }
    if (role.status != 200) return MetadataHttpError(role, "IMDS role");
    std::string role_name(
        absl::StripAsciiWhitespace(ToAbsl(std::string_view(role.body).substr(0, role.body.find('\n')))));
    if (role_name.empty() || role_name.find_first_of("/?#% ") != std::string::npos) {
      return absl::UnavailableError("IMDS role: empty or unusable role name");
    }

    HttpRequest credentials_request = role_request;
    credentials_request.url = absl::StrCat(role_request.url, role_name);
    CREDITBOT_ASSIGN_OR_RETURN(HttpResponse answer, SendMetadata(credentials_request, "IMDS credentials"));
    if (answer.status != 200) return MetadataHttpError(answer, "IMDS credentials");
    absl::StatusOr<AwsCredentials> credentials = ParseCredentialsJson(answer.body);
    if (!credentials.ok()) {
      return absl::UnavailableError(
          absl::StrCat("IMDS credentials: unreadable answer (", credentials.status().message(), ")"));
    }
    credentials->source = "IMDS";
    return credentials;
  }

  absl::Status Scrub(const absl::Status& status) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return ScrubSecrets(status, {EnvValue(env_, "AWS_SECRET_ACCESS_KEY"), EnvValue(env_, "AWS_SESSION_TOKEN"),
                                 web_identity_token_, container_token_, imds_token_,
                                 EnvValue(env_, "AWS_CONTAINER_AUTHORIZATION_TOKEN")});
  }

  // The wait before retry `retry` (0-based) of one fetch: retry_delay doubled each retry, 2^10 times at
  // most, without jitter.
  absl::Duration RetryDelay(int retry) const {
    return BackoffPolicy(options_.retry_delay, options_.retry_delay * 1024, BackoffJitter::kNone)
        .Delay(retry);
  }

  const EnvironmentMap env_;
  const AwsCredentialSource source_;
  const AwsEndpoint sts_endpoint_;
  absl::Mutex mutex_;
  std::unique_ptr<HttpTransport> transport_ ABSL_GUARDED_BY(mutex_);
  const Clock& clock_;
  Sleeper& sleeper_;
  const AwsCredentialsOptions options_;
  std::optional<AwsCredentials> cached_ ABSL_GUARDED_BY(mutex_);
  absl::Time next_refresh_ ABSL_GUARDED_BY(mutex_) = absl::InfinitePast();
  std::string web_identity_token_ ABSL_GUARDED_BY(mutex_);
  std::string container_token_ ABSL_GUARDED_BY(mutex_);
  std::string imds_token_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace

AwsCredentialSource SelectAwsCredentialSource(const EnvironmentMap& env) {
  if (EnvSet(env, "AWS_ACCESS_KEY_ID") || EnvSet(env, "AWS_SECRET_ACCESS_KEY")) {
    return AwsCredentialSource::kEnvironment;
  }
  if (EnvSet(env, "AWS_WEB_IDENTITY_TOKEN_FILE") && EnvSet(env, "AWS_ROLE_ARN")) {
    return AwsCredentialSource::kWebIdentity;
  }
  if (EnvSet(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ||
      EnvSet(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    return AwsCredentialSource::kContainer;
  }
  if (absl::EqualsIgnoreCase(EnvValue(env, "AWS_EC2_METADATA_DISABLED"), "true"))
    return AwsCredentialSource::kNone;
  return AwsCredentialSource::kImds;
}

std::string_view AwsCredentialSourceName(AwsCredentialSource source) {
  switch (source) {
    case AwsCredentialSource::kEnvironment:
      return "environment";
    case AwsCredentialSource::kWebIdentity:
      return "web identity";
    case AwsCredentialSource::kContainer:
      return "container endpoint";
    case AwsCredentialSource::kImds:
      return "IMDS";
    case AwsCredentialSource::kNone:
      break;
  }
  return "none";
}

absl::StatusOr<std::unique_ptr<AwsCredentialsProvider>> MakeAwsCredentialsChain(
    const EnvironmentMap& env, std::unique_ptr<HttpTransport> transport, const Clock& clock, Sleeper& sleeper,
    AwsCredentialsOptions options) {
  CREDITBOT_ASSIGN_OR_RETURN(AwsConfig config, AwsConfig::FromEnvironment(env));
  // STS's regional endpoint when a region is known, else the global one (signing is not needed: the call is
  // unsigned).
  AwsEndpoint sts{"https://sts.amazonaws.com", false, "default"};
  if (absl::StatusOr<AwsEndpoint> endpoint = config.Endpoint(AwsService::kSts); endpoint.ok())
    sts = *endpoint;
  return std::unique_ptr<AwsCredentialsProvider>(new ChainCredentialsProvider(
      env, std::move(sts), std::move(transport), clock, sleeper, std::move(options)));
}

absl::StatusOr<AwsCredentials> ParseAssumeRoleWithWebIdentityResponse(std::string_view body) {
  CREDITBOT_ASSIGN_OR_RETURN(XmlElement root, ParseXml(body));
  if (root.name != "AssumeRoleWithWebIdentityResponse") {
    return absl::InvalidArgumentError("not an AssumeRoleWithWebIdentityResponse");
  }
  const XmlElement* result = root.Child("AssumeRoleWithWebIdentityResult");
  const XmlElement* xml = result == nullptr ? nullptr : result->Child("Credentials");
  if (xml == nullptr) return absl::InvalidArgumentError("no AssumeRoleWithWebIdentityResult/Credentials");
  AwsCredentials credentials;
  credentials.access_key_id = xml->ChildText("AccessKeyId");
  credentials.secret_access_key = xml->ChildText("SecretAccessKey");
  credentials.session_token = xml->ChildText("SessionToken");
  const std::string expiration = xml->ChildText("Expiration");
  using Field = std::pair<const std::string*, const char*>;
  for (const auto& [value, name] : {Field{&credentials.access_key_id, "AccessKeyId"},
                                    Field{&credentials.secret_access_key, "SecretAccessKey"},
                                    Field{&credentials.session_token, "SessionToken"}}) {
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat("Credentials without ", name));
  }
  if (expiration.empty()) return absl::InvalidArgumentError("Credentials without Expiration");
  CREDITBOT_ASSIGN_OR_RETURN(absl::Time when, ParseIsoTime(expiration, "Expiration"));
  credentials.expiration = when;
  return credentials;
}

absl::StatusOr<AwsCredentials> ParseCredentialsJson(std::string_view body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return absl::InvalidArgumentError("not a JSON object");
  auto text = [&json](const char* name) { return JsonStringMember(json, name); };
  if (const std::string code = text("Code"); !code.empty() && code != "Success") {
    return absl::InvalidArgumentError(absl::StrCat("Code is '", code.substr(0, 64), "', not Success"));
  }
  AwsCredentials credentials;
  credentials.access_key_id = text("AccessKeyId");
  credentials.secret_access_key = text("SecretAccessKey");
  credentials.session_token = text("Token");
  const std::string expiration = text("Expiration");
  using Field = std::pair<const std::string*, const char*>;
  for (const auto& [value, name] :
       {Field{&credentials.access_key_id, "AccessKeyId"},
        Field{&credentials.secret_access_key, "SecretAccessKey"}, Field{&credentials.session_token, "Token"},
        Field{&expiration, "Expiration"}}) {
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat("no ", name));
  }
  CREDITBOT_ASSIGN_OR_RETURN(absl::Time when, ParseIsoTime(expiration, "Expiration"));
  credentials.expiration = when;
  return credentials;
}

}  // namespace creditbot
