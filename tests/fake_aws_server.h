// FakeAwsServer: one loopback server (cpp-httplib, port 0) that plays every AWS endpoint creditbot talks
// to, so the real clients (S3Client, SecretsManagerClient, the credential chain) run over real HTTP with
// libcurl's real SigV4 signatures. Bodies come from the fixtures (tests/fixtures/aws, see its
// README) with the values swapped in.
//
// Every signed request is VERIFIED independently of libcurl (VerifySigV4 below: the canonical request,
// string to sign and signature recomputed here with OpenSSL HMAC-SHA256 from what arrived on the wire),
// against the credentials the fake knows, the region kRegion and the service the route expects; S3 also
// needs x-amz-content-sha256 equal to the body's hash. Failures answer like AWS: S3 403
// SignatureDoesNotMatch (XML with the fake's CanonicalRequest and StringToSign, for debugging), 403
// InvalidAccessKeyId, 403 InvalidToken (session token missing or wrong), 400 ExpiredToken,
// 400 XAmzContentSHA256Mismatch, 400 InvalidRequest (no x-amz-content-sha256); Secrets Manager the JSON
// equivalents (InvalidSignatureException, UnrecognizedClientException, ExpiredTokenException).
//
// Routes (chosen by path and headers, since every service shares the one port):
//   PUT  /latest/api/token, GET /latest/meta-data/iam/security-credentials/[ROLE]   IMDSv2 (token checked)
//   GET  /v1/credentials, GET /v2/credentials/…   container endpoint (Authorization checked when set)
//   POST / with X-Amz-Target: secretsmanager.GetSecretValue                        Secrets Manager (signed)
//   POST / with X-Amz-Target: SageMaker.{Create,Describe,Stop}ProcessingJob        SageMaker (signed)
//   POST / with a form body Action=AssumeRoleWithWebIdentity                       STS (unsigned)
//   anything else                                                                  S3, path style /BUCKET/KEY
// S3 keeps objects in memory with MD5 ETags (quoted), honours If-None-Match: * and If-Match (412
// PreconditionFailed; If-Match on a missing key 404 NoSuchKey), records x-amz-server-side-encryption and
// echoes it; GET /BUCKET?list-type=2 (ListObjectsV2: KeyCount and Contents under prefix, max-keys) is the
// one bucket operation faked. STS, the container endpoint and IMDS issue fresh temporary credentials on every
// call (registered with the verifier, expiring at SetIssuedExpiration's time); ExpireCredentials makes the
// fake refuse a key with ExpiredToken from then on.
//
// SageMaker keeps processing jobs in memory. CreateProcessingJob validates like the service model: the job
// name pattern and length, the required members (ProcessingResources.ClusterConfig{InstanceCount,
// InstanceType, VolumeSizeInGB}, AppSpecification.ImageUri, RoleArn), Environment keys and value lengths
// (ValidationException), a name already used (ResourceInUse), and — a check of our own — that no
// Environment value contains one of the values given to ForbidEnvironmentValues (the configured secrets;
// ValidationException "Environment carries a secret"). Each new job follows the script set by
// ScriptProcessingJobs: every DescribeProcessingJob answers the next status of the script, the last one
// sticking (default: InProgress, then Completed). StopProcessingJob on a running job moves it to Stopping,
// then Stopped (ValidationException when it already finished).
//
// Containers (opt-in, RunContainersWith): instead of following the script, each new job really runs its
// container as a child process, started by CreateProcessingJob: `binary` (standing for the image's
// ContainerEntrypoint[0], e.g. creditbot) with the rest of the entrypoint and AppSpecification's
// ContainerArguments, in a fresh working folder (also its HOME), with an environment of PATH, what the
// job's role and network would give it (AWS_CONTAINER_CREDENTIALS_FULL_URI on this server's container
// endpoint, which issues fresh temporary credentials; AWS_ENDPOINT_URL = this server; AWS_REGION), then the
// job's Environment, then the test's `extra_env` (which wins, e.g. to break the container's warehouse).
// DescribeProcessingJob answers InProgress while it runs, then Completed (exit 0) or Failed with
// FailureReason "AlgorithmError: <the last line of its stderr>" cut to SageMaker's 1024 characters (no
// ExitMessage). StopProcessingJob sends it SIGTERM: Stopping until it exits, then Stopped. The destructor
// kills (SIGKILL) and reaps every container still running and removes their folders. Without
// RunContainersWith no container runs: a test that needs the job's output emulates the container itself.
//
// Thread-safe: the server thread, the containers' waiter threads and the test thread share state under a
// mutex.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace creditbot::testing {

// ---- The independent SigV4 verifier (pure; self-tested against AWS's published example). ----

struct SigV4Request {
  std::string method;
  std::string target;  // path and raw query as received ("/bucket/a%20b?x=1")
  std::vector<std::pair<std::string, std::string>> headers;  // as received, any case
  std::string body;
};

struct SigV4Result {
  bool ok = false;
  int http_status = 0;     // the status AWS would answer when !ok
  std::string error_code;  // SignatureDoesNotMatch, InvalidAccessKeyId, IncompleteSignature, …
  std::string error_message;
  std::string access_key_id;
  std::string region;
  std::string service;
  std::string canonical_request;
  std::string string_to_sign;
};

// Checks `request`'s Authorization header (AWS4-HMAC-SHA256) with the secret `secret_for` gives for its
// access key id (nullopt: unknown key). `s3` selects S3's rules (single-encoded path, x-amz-content-sha256
// required and checked against the body). When `now` is set, x-amz-date must be within 15 minutes of it.
SigV4Result VerifySigV4(const SigV4Request& request,
                        const std::function<std::optional<std::string>(const std::string&)>& secret_for,
                        bool s3, std::optional<absl::Time> now);

std::string HexSha256(const std::string& data);
std::string HmacSha256(const std::string& key, const std::string& data);  // raw bytes

// ---- The server. ----

enum class FakeAwsService { kS3, kSts, kSecretsManager, kContainer, kImds, kSageMaker };

struct FakeAwsRequest {
  FakeAwsService service = FakeAwsService::kS3;
  std::string method;
  std::string target;  // path and raw query, as sent
  std::string body;
  httplib::Headers headers;
  std::string signature_error;  // "" when the signature verified (or the route is unsigned)
  std::string Header(const std::string& name) const;  // "" when absent
};

struct FakeS3Object {
  std::string body;
  std::string etag;  // quoted MD5
  std::string content_type;
  std::string server_side_encryption;  // "" when the PUT had no x-amz-server-side-encryption
};

// A processing job as the fake SageMaker keeps it.
struct FakeProcessingJob {
  std::string name;
  std::string create_body;          // the CreateProcessingJob request body, as received (JSON)
  std::vector<std::string> script;  // statuses still to report; the last one sticks
  std::string status;               // the status last reported ("InProgress" before any Describe)
  std::string failure_reason;
  int describes = 0;
  bool stop_requested = false;
  // Run by RunContainersWith:
  bool container = false;
  pid_t pid = 0;
  bool exited = false;           // the container process ended (reaped)
  int exit_code = -1;            // its exit code; 128 + signal when killed
  std::string container_stdout;  // what it wrote, once exited
  std::string container_stderr;
};

class FakeAwsServer {
 public:
  static constexpr const char* kRegion = "eu-west-1";
  // Long-term keys the fake always accepts. The secret holds '/', '+' and '=' on purpose.
  static constexpr const char* kAccessKeyId = "AKIAFAKECREDITBOT001";
  static constexpr const char* kSecretAccessKey = "fake/Secret+Key=0001/ForCreditbotTestsOnly";
  // Temporary keys the fake always accepts, only with their session token.
  static constexpr const char* kSessionAccessKeyId = "ASIAFAKECREDITBOT002";
  static constexpr const char* kSessionSecretAccessKey = "fake/Session+Secret=0002/ForCreditbotTests";
  static constexpr const char* kSessionToken = "FwoGZXIvYXdzEFAKE//session+token=0002";
  // IRSA: what the fake's STS accepts.
  static constexpr const char* kRoleArn = "arn:aws:iam::123456789012:role/creditbot-irsa";
  static constexpr const char* kWebIdentityToken = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJzdHMifQ.FAKE-SIGNATURE";
  static constexpr const char* kImdsRole = "creditbot-node-role";

  FakeAwsServer();
  ~FakeAwsServer();
  FakeAwsServer(const FakeAwsServer&) = delete;
  FakeAwsServer& operator=(const FakeAwsServer&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:PORT"
  int port() const { return port_; }

  // The text of `name` in the shared AWS fixtures folder.
  static std::string Fixture(const std::string& name);

  // Requests seen, oldest first.
  std::vector<FakeAwsRequest> requests() const;
  int Count(FakeAwsService service) const;

  // Credentials.
  void AddCredentials(const std::string& access_key_id, const std::string& secret,
                      const std::string& token = "");
  void ExpireCredentials(const std::string& access_key_id);  // answered ExpiredToken from now on
  void ExpireAllIssuedCredentials();
  // The Expiration written into credentials STS / the container endpoint / IMDS issue from now on.
  // Default: one hour after the server started.
  void SetIssuedExpiration(absl::Time expiration);
  std::vector<std::string> issued_access_key_ids() const;
  // The container endpoint's expected Authorization value ("" = none required; the default).
  void SetContainerAuthorization(const std::string& token);
  std::vector<std::string> sts_session_names() const;

  // S3.
  void CreateBucket(const std::string& bucket);
  void PutObjectDirect(const std::string& bucket, const std::string& key, const std::string& body);
  std::optional<FakeS3Object> Object(const std::string& bucket, const std::string& key) const;

  // Secrets Manager.
  void PutSecret(const std::string& name, const std::string& secret_string);
  void DenySecret(const std::string& name);  // AccessDeniedException for it

  // SageMaker.
  // The statuses jobs created from now on report, one per DescribeProcessingJob (the last one sticks), and
  // the FailureReason they carry once Failed or Stopped.
  void ScriptProcessingJobs(std::vector<std::string> statuses, const std::string& failure_reason = "");
  // CreateProcessingJob refuses an Environment value that contains any of these (non-empty) values.
  void ForbidEnvironmentValues(std::vector<std::string> values);
  // Jobs created from now on run `binary` as their container (see the header comment).
  void RunContainersWith(const std::string& binary, std::map<std::string, std::string> extra_env = {});
  std::optional<FakeProcessingJob> ProcessingJob(const std::string& name) const;
  std::vector<std::string> processing_job_names() const;  // in creation order

  // The next `times` requests to `service` answer `http_status` with error `code` in the service's shape
  // (after the signature check), with Retry-After when given.
  void FailNext(FakeAwsService service, int times, int http_status, const std::string& code,
                const std::string& retry_after = "");

 private:
  struct Credential {
    std::string secret;
    std::string token;
    bool expired = false;
  };
  struct Failure {
    int times = 0;
    int status = 0;
    std::string code;
    std::string retry_after;
  };

  void Handle(const httplib::Request& request, httplib::Response& response);
  FakeAwsService Classify(const httplib::Request& request) const;
  // Verifies the signature; on failure fills `response` in the service's shape and returns false.
  bool CheckSignature(const httplib::Request& request, FakeAwsService service, FakeAwsRequest& record,
                      httplib::Response& response);
  bool InjectFailure(FakeAwsService service, httplib::Response& response);
  void HandleS3(const httplib::Request& request, httplib::Response& response);
  void HandleSts(const httplib::Request& request, httplib::Response& response);
  void HandleSecrets(const httplib::Request& request, httplib::Response& response);
  void HandleContainer(const httplib::Request& request, httplib::Response& response);
  void HandleSageMaker(const httplib::Request& request, httplib::Response& response);
  void HandleImds(const httplib::Request& request, httplib::Response& response);
  // New temporary credentials, registered; the JSON shape of the container/IMDS fixtures.
  Credential& Issue(std::string& access_key_id);
  // With mutex_ held: starts `job`'s container from its CreateProcessingJob body; "" or why it could not.
  std::string StartContainer(FakeProcessingJob& job, const std::string& create_body);
  // With mutex_ held: a container job's status from its process (InProgress/Stopping/Completed/…).
  void RefreshContainerStatus(FakeProcessingJob& job);

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mutex_;
  std::vector<FakeAwsRequest> requests_;
  std::map<std::string, Credential> credentials_;
  std::vector<std::string> issued_;
  int issued_count_ = 0;
  absl::Time issued_expiration_;
  std::string container_authorization_;
  std::vector<std::string> sts_session_names_;
  std::set<std::string> imds_tokens_;
  std::map<std::string, std::map<std::string, FakeS3Object>> buckets_;
  std::map<std::string, std::string> secrets_;
  std::set<std::string> denied_secrets_;
  std::map<FakeAwsService, Failure> failures_;
  std::map<std::string, FakeProcessingJob> jobs_;
  std::vector<std::string> job_order_;
  std::vector<std::string> job_script_ = {"InProgress", "Completed"};
  std::string job_failure_reason_;
  std::vector<std::string> forbidden_environment_values_;
  std::string container_binary_;  // "" = scripted jobs
  std::map<std::string, std::string> container_extra_env_;
  std::string container_root_;  // a temporary folder holding each container's working folder
  std::vector<std::thread> container_waiters_;
};

}  // namespace creditbot::testing
