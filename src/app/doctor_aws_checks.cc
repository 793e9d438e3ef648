// The AWS checks of `creditbot doctor`; see doctor_aws_checks.h.
#include "app/doctor_aws_checks.h"

#include <unistd.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "app/s3_connection.h"
#include "aws/athena_client.h"
#include "aws/aws_credentials.h"
#include "aws/s3_client.h"
#include "aws/sagemaker_client.h"
#include "common/strings.h"
#include "net/http_transport.h"
#include "nlohmann/json.hpp"
#include "warehouse/athena_warehouse.h"

namespace creditbot {
namespace {

using Json = nlohmann::json;

DoctorLine Ok(std::string check, std::string detail) {
  return {DoctorLine::Mark::kOk, std::move(check), std::move(detail), ""};
}
DoctorLine Skip(std::string check, std::string detail) {
  return {DoctorLine::Mark::kSkip, std::move(check), std::move(detail), ""};
}
DoctorLine Fail(std::string check, std::string detail, std::string fix) {
  return {DoctorLine::Mark::kFail, std::move(check), std::move(detail), std::move(fix)};
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

bool IsSetting(const std::string& name) { return FindSetting(name).has_value(); }

bool IsScalar(const Json& value) { return value.is_string() || value.is_number() || value.is_boolean(); }

// The fix for a secret that could not be fetched.
std::string SecretFetchFix(const absl::Status& status, const std::string& setting) {
  switch (status.code()) {
    case absl::StatusCode::kPermissionDenied:
      return "the IAM role needs secretsmanager:GetSecretValue on that secret (and kms:Decrypt when a "
             "customer-managed KMS key encrypts it)";
    case absl::StatusCode::kNotFound:
      return absl::StrCat("check the secret's name in ", setting, " and AWS_REGION");
    case absl::StatusCode::kUnauthenticated:
      return "the AWS credentials were refused: check the IRSA set-up (AWS_ROLE_ARN, "
             "AWS_WEB_IDENTITY_TOKEN_FILE) or the AWS_* keys";
    default:
      return "check AWS_REGION, the AWS credentials and the network path to Secrets Manager";
  }
}

// The keys of a fetched main secret: setting names with scalar values.
DoctorLine CheckMainSecret(const std::string& what, const Json& secret, const Config* config) {
  std::vector<std::string> names, unknown, not_text, missing;
  for (const auto& [name, value] : secret.items()) {
    if (!IsSetting(name)) {
      unknown.push_back(name);
    } else if (!IsScalar(value)) {
      not_text.push_back(name);
    } else {
      names.push_back(name);
    }
  }
  // A Looker API key is a pair: half of it in the secret and the other half nowhere is a missing key.
  if (config != nullptr) {
    const bool has_id = secret.contains("LOOKER_CLIENT_ID");
    const bool has_secret = secret.contains("LOOKER_CLIENT_SECRET");
    if (has_id && !has_secret && config->looker_client_secret.empty())
      missing.push_back("LOOKER_CLIENT_SECRET");
    if (has_secret && !has_id && config->looker_client_id.empty()) missing.push_back("LOOKER_CLIENT_ID");
  }
  const std::string ignored =
      unknown.empty() ? ""
                      : absl::StrCat("; ignored, not creditbot settings: ", absl::StrJoin(unknown, ", "));
  if (!missing.empty() || !not_text.empty()) {
    std::vector<std::string> parts;
    if (!missing.empty()) parts.push_back(absl::StrCat("missing ", absl::StrJoin(missing, ", ")));
    if (!not_text.empty())
      parts.push_back(absl::StrCat("not text, a number or a boolean: ", absl::StrJoin(not_text, ", ")));
    return Fail("secret", absl::StrCat(what, ": ", absl::StrJoin(parts, "; "), ignored),
                "store the secret as a JSON object of setting names (`creditbot config` lists them) and "
                "their values; LOOKER_CLIENT_ID and LOOKER_CLIENT_SECRET go together");
  }
  return Ok("secret",
            absl::StrCat(what, ": ", names.size(), " settings (", absl::StrJoin(names, ", "), ")", ignored));
}

// The keys of a fetched PRESTO_SECRET_NAME secret: host, port, username, password.
DoctorLine CheckPrestoSecret(const std::string& what, const Json& secret) {
  static const std::vector<std::string> kExpected = {"host", "port", "username", "password"};
  std::vector<std::string> missing, empty, unknown;
  for (const std::string& key : kExpected) {
    if (!secret.contains(key) || !IsScalar(secret[key])) {
      missing.push_back(key);
    } else if (secret[key].is_string() && secret[key].get<std::string>().empty()) {
      empty.push_back(key);
    }
  }
  for (const auto& [key, value] : secret.items()) {
    if (std::find(kExpected.begin(), kExpected.end(), key) == kExpected.end()) unknown.push_back(key);
  }
  const std::string ignored =
      unknown.empty() ? "" : absl::StrCat("; ignored: ", absl::StrJoin(unknown, ", "));
  if (!missing.empty() || !empty.empty()) {
    std::vector<std::string> parts;
    if (!missing.empty()) parts.push_back(absl::StrCat("missing ", absl::StrJoin(missing, ", ")));
    if (!empty.empty()) parts.push_back(absl::StrCat("empty ", absl::StrJoin(empty, ", ")));
    return Fail("secret", absl::StrCat(what, ": ", absl::StrJoin(parts, "; "), ignored),
                "give the secret the keys host, port, username and password (the seed's layout)");
  }
  return Ok("secret", absl::StrCat(what, ": host, port, username, password", ignored));
}

// The IAM resource of every object under `prefix` in `bucket`.
std::string PrefixArn(const std::string& bucket, const std::string& prefix) {
  return absl::StrCat("arn:aws:s3:::", bucket, "/", prefix, prefix.empty() ? "" : "/", "*");
}

// The fix for a failed S3 step; `permission` is the action a refusal means is missing.
std::string S3Fix(const absl::Status& status, const std::string& permission, const std::string& resource) {
  switch (status.code()) {
    case absl::StatusCode::kPermissionDenied:
      return absl::StrCat("the IAM role needs ", permission, " on ", resource,
                          " (or the access key is wrong; a bucket policy or KMS key policy may refuse too)");
    case absl::StatusCode::kUnauthenticated:
      return "the AWS credentials were refused: check the IRSA set-up (AWS_ROLE_ARN, "
             "AWS_WEB_IDENTITY_TOKEN_FILE) or the AWS_* keys";
    case absl::StatusCode::kFailedPrecondition:
      return "check S3_BUCKET, AWS_REGION and the AWS credentials";
    default:
      return "check the network path to S3 (AWS_ENDPOINT_URL_S3, VPC endpoint, network policy) and retry";
  }
}

std::string HostName() {
  char buffer[256] = {};
  if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "host";
  return buffer;
}

}  // namespace

SecretFetchLog::SecretFetchLog() : entries_(std::make_shared<std::vector<Entry>>()) {}

SecretFetcher SecretFetchLog::Wrap(SecretFetcher inner) const {
  return [entries = entries_, inner = std::move(inner)](std::string_view id) -> absl::StatusOr<std::string> {
    for (const Entry& entry : *entries) {
      if (entry.id == id) return entry.text;
    }
    Entry entry{std::string(id), inner ? inner(id)
                                       : absl::StatusOr<std::string>(absl::FailedPreconditionError(
                                             "no Secrets Manager access is configured"))};
    entries->push_back(entry);
    return entry.text;
  };
}

ConfiguredSecrets FindConfiguredSecrets(const RawSettings& raw) {
  ConfiguredSecrets secrets;
  secrets.main_id = raw[Setting::kSecretId].value;
  secrets.main_setting = std::string(Name(Setting::kSecretId));
  if (secrets.main_id.empty()) {
    secrets.main_id = raw[Setting::kAwsSecretName].value;
    secrets.main_setting = std::string(Name(Setting::kAwsSecretName));
  }
  if (secrets.main_id.empty()) secrets.main_setting.clear();
  secrets.presto_id = raw[Setting::kPrestoSecretName].value;
  return secrets;
}

std::vector<DoctorLine> CheckSecrets(const std::vector<SecretFetchLog::Entry>& fetched,
                                     const ConfiguredSecrets& configured, const Config* config) {
  std::vector<DoctorLine> lines;
  if (fetched.empty() && configured.main_id.empty() && configured.presto_id.empty()) {
    lines.push_back(Skip("secret", "no CREDITBOT_SECRET_ID, AWS_SECRET_NAME or PRESTO_SECRET_NAME is set"));
    return lines;
  }
  std::set<std::string> seen;
  for (const SecretFetchLog::Entry& entry : fetched) {
    seen.insert(entry.id);
    const bool main = !configured.main_id.empty() && entry.id == configured.main_id;
    const std::string setting = main ? configured.main_setting : "PRESTO_SECRET_NAME";
    const std::string what = absl::StrCat("'", entry.id, "' (", setting, ")");
    if (!entry.text.ok()) {
      lines.push_back(Fail("secret", absl::StrCat(what, ": ", Message(entry.text.status())),
                           SecretFetchFix(entry.text.status(), setting)));
      continue;
    }
    const Json secret = Json::parse(*entry.text, nullptr, /*allow_exceptions=*/false);
    if (!secret.is_object()) {
      lines.push_back(Fail("secret", absl::StrCat(what, ": the SecretString is not a JSON object"),
                           main ? "store a JSON object of setting names and their values"
                                : "store a JSON object with host, port, username and password"));
      continue;
    }
    lines.push_back(main ? CheckMainSecret(what, secret, config) : CheckPrestoSecret(what, secret));
  }
  for (const auto& [id, setting] :
       {std::pair<std::string, std::string>{configured.main_id, configured.main_setting},
        {configured.presto_id, "PRESTO_SECRET_NAME"}}) {
    if (!id.empty() && !seen.count(id)) {
      seen.insert(id);
      lines.push_back(Skip("secret", absl::StrCat("'", id, "' (", setting,
                                                  ") not read: the configuration stopped before it")));
    }
  }
  return lines;
}

std::string S3ProbeKey(const std::string& output_prefix, const std::string& host, long pid) {
  std::string clean_host;
  for (char c : host) {
    clean_host.push_back(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c
                                                                                                    : '-');
  }
  if (clean_host.empty()) clean_host = "host";
  absl::string_view prefix = output_prefix;
  while (absl::ConsumePrefix(&prefix, "/")) {
  }
  while (absl::ConsumeSuffix(&prefix, "/")) {
  }
  return absl::StrCat(prefix, prefix.empty() ? "" : "/", "doctor-probe-", clean_host, "-", pid);
}

std::vector<DoctorLine> CheckS3Probe(const Config& config, const Environment& env) {
  std::vector<DoctorLine> lines;
  if (config.s3_bucket.empty()) {
    lines.push_back(Skip("s3 probe", "S3_BUCKET is not set"));
    return lines;
  }
  const std::string& bucket = config.s3_bucket;
  absl::StatusOr<std::unique_ptr<S3Connection>> connection = ConnectS3(env);
  if (!connection.ok()) {
    lines.push_back(Fail("s3 probe", Message(connection.status()),
                         "set AWS_REGION; AWS_ENDPOINT_URL[_S3] only for a non-AWS endpoint"));
    return lines;
  }
  S3Client& s3 = (*connection)->client;

  const std::string host = HostName();
  const long pid = static_cast<long>(getpid());
  const std::string key = S3ProbeKey(config.s3_output_prefix, host, pid);
  const std::string where = absl::StrCat("s3://", bucket, "/", key);
  absl::string_view trimmed = config.s3_output_prefix;
  while (absl::ConsumePrefix(&trimmed, "/")) {
  }
  while (absl::ConsumeSuffix(&trimmed, "/")) {
  }
  const std::string prefix_arn = PrefixArn(bucket, std::string(trimmed));
  const std::string body = absl::StrCat("creditbot doctor probe from ", host, " pid ", pid, " at ",
                                        absl::FormatTime(absl::Now()), "\n");

  S3PutOptions put_options;
  put_options.content_type = "text/plain";
  put_options.server_side_encryption = S3ServerSideEncryption::kAes256;  // as the audit records
  absl::StatusOr<S3PutResult> put = s3.PutObject(bucket, key, body, put_options);
  if (!put.ok()) {
    lines.push_back(Fail("s3 probe", absl::StrCat("PutObject failed: ", Message(put.status())),
                         S3Fix(put.status(), "s3:PutObject", prefix_arn)));
    return lines;
  }
  std::string encryption;
  absl::StatusOr<S3Object> got = s3.GetObject(bucket, key);
  if (!got.ok()) {
    lines.push_back(Fail("s3 probe", absl::StrCat("GetObject failed: ", Message(got.status())),
                         S3Fix(got.status(), "s3:GetObject", prefix_arn)));
  } else if (got->body != body) {
    lines.push_back(Fail("s3 probe",
                         absl::StrCat("GetObject ", where, " read back ", got->body.size(),
                                      " bytes that differ from the ", body.size(), " written"),
                         "something between creditbot and S3 changes objects: check AWS_ENDPOINT_URL_S3 and "
                         "any proxy"));
  } else {
    encryption = got->server_side_encryption;
  }
  if (absl::Status deleted = s3.DeleteObject(bucket, key); !deleted.ok()) {
    lines.push_back(Fail("s3 probe", absl::StrCat("DeleteObject failed: ", Message(deleted)),
                         absl::StrCat(S3Fix(deleted, "s3:DeleteObject",
                                            absl::StrCat("arn:aws:s3:::", bucket, "/", trimmed,
                                                         trimmed.empty() ? "" : "/", "doctor-probe-*")),
                                      "; then remove ", where, " by hand")));
  }
  if (lines.empty()) {
    lines.push_back(
        Ok("s3 probe", absl::StrCat("PutObject, GetObject (same bytes), DeleteObject of ", where,
                                    encryption.empty() ? "" : absl::StrCat(" (", encryption, ")"))));
  }
  return lines;
}

std::vector<DoctorLine> CheckSageMaker(const Config& config, const Environment& env) {
  std::vector<DoctorLine> lines;
  const Config::ExecutorSettings& e = config.executor;
  if (e.kind != "sagemaker") {
    lines.push_back(
        Skip("sagemaker", absl::StrCat("CREDITBOT_EXECUTOR=", e.kind.empty() ? "native" : e.kind)));
    return lines;
  }
  std::vector<std::string> unset;
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"SAGEMAKER_IMAGE_URI", &e.sagemaker_image_uri},
        {"SAGEMAKER_ROLE_ARN", &e.sagemaker_role_arn},
        {"SAGEMAKER_INSTANCE_TYPE", &e.sagemaker_instance_type},
        {"S3_BUCKET", &config.s3_bucket}}) {
    if (value->empty()) unset.push_back(name);
  }
  if (!unset.empty()) {
    lines.push_back(Fail("sagemaker",
                         absl::StrCat("CREDITBOT_EXECUTOR=sagemaker needs ", absl::StrJoin(unset, ", ")),
                         "set them (config file, secret, .env or environment)"));
  }

  absl::StatusOr<AwsConfig> aws = env.Aws();
  absl::StatusOr<SageMakerOptions> options =
      aws.ok() ? SageMakerClient::OptionsFromConfig(*aws) : absl::StatusOr<SageMakerOptions>(aws.status());
  absl::StatusOr<AwsCredentialsProvider*> credentials =
      options.ok() ? env.AwsCredentials() : absl::StatusOr<AwsCredentialsProvider*>(options.status());
  if (!credentials.ok()) {
    lines.push_back(Fail("sagemaker", Message(credentials.status()),
                         "set AWS_REGION; AWS_ENDPOINT_URL[_SAGEMAKER] only for a non-AWS endpoint"));
    return lines;
  }
  std::unique_ptr<HttpTransport> transport = env.NewHttpTransport();
  SageMakerClient sagemaker(*transport, **credentials, env.clock(), env.sleeper(), *options);
  constexpr char kProbeJob[] = "creditbot-doctor-probe";
  absl::StatusOr<ProcessingJobDescription> described = sagemaker.DescribeProcessingJob(kProbeJob);
  if (described.ok() || absl::IsNotFound(described.status())) {
    if (unset.empty()) {
      lines.push_back(
          Ok("sagemaker", absl::StrCat("DescribeProcessingJob allowed (", kProbeJob,
                                       described.ok() ? " exists" : " is unknown, as expected", "); image ",
                                       e.sagemaker_image_uri, ", role ", e.sagemaker_role_arn)));
    }
    return lines;
  }
  const std::string role = e.sagemaker_role_arn.empty() ? "SAGEMAKER_ROLE_ARN" : e.sagemaker_role_arn;
  if (absl::IsPermissionDenied(described.status())) {
    lines.push_back(Fail("sagemaker", Message(described.status()),
                         absl::StrCat("the IAM role needs sagemaker:DescribeProcessingJob, "
                                      "sagemaker:CreateProcessingJob and sagemaker:StopProcessingJob, and "
                                      "iam:PassRole on ",
                                      role)));
  } else {
    lines.push_back(Fail("sagemaker", Message(described.status()),
                         absl::IsUnauthenticated(described.status())
                             ? "the AWS credentials were refused: check the IRSA set-up or the AWS_* keys"
                             : "check AWS_REGION and the network path to SageMaker (api.sagemaker.REGION)"));
  }
  return lines;
}

std::vector<DoctorLine> CheckAthena(const Config& config, const Environment& env) {
  std::vector<DoctorLine> lines;
  if (!absl::StartsWith(config.warehouse_url, "athena://")) return lines;
  absl::StatusOr<AthenaOptions> athena = ParseAthenaUrl(config.warehouse_url);
  if (!athena.ok()) {
    lines.push_back(Fail("athena", Message(athena.status()), "fix CREDITBOT_WAREHOUSE"));
    return lines;
  }
  const std::string& group_name = athena->work_group;
  absl::StatusOr<AwsConfig> aws = env.Aws();
  absl::StatusOr<AthenaClientOptions> options =
      aws.ok() ? AthenaClient::OptionsFromConfig(*aws) : absl::StatusOr<AthenaClientOptions>(aws.status());
  absl::StatusOr<AwsCredentialsProvider*> credentials =
      options.ok() ? env.AwsCredentials() : absl::StatusOr<AwsCredentialsProvider*>(options.status());
  if (!credentials.ok()) {
    lines.push_back(Fail("athena", Message(credentials.status()),
                         "set AWS_REGION; AWS_ENDPOINT_URL[_ATHENA] only for a non-AWS endpoint"));
    return lines;
  }
  std::unique_ptr<HttpTransport> transport = env.NewHttpTransport();
  AthenaClient client(*transport, **credentials, env.clock(), env.sleeper(), *options);
  std::string output = athena->output_location;
  absl::StatusOr<AthenaWorkGroup> group = client.GetWorkGroup(group_name);
  if (!group.ok()) {
    std::string fix;
    if (absl::IsNotFound(group.status())) {
      fix = absl::StrCat(
          "create the workgroup in ", options->region,
          " or name an existing one in CREDITBOT_WAREHOUSE (the role needs athena:GetWorkGroup)");
    } else if (absl::IsPermissionDenied(group.status())) {
      fix = absl::StrCat(
          "the IAM role needs athena:GetWorkGroup, athena:StartQueryExecution, "
          "athena:GetQueryExecution, athena:GetQueryResults and athena:StopQueryExecution on "
          "workgroup/",
          group_name);
    } else if (absl::IsUnauthenticated(group.status())) {
      fix = "the AWS credentials were refused: check the IRSA set-up or the AWS_* keys";
    } else {
      fix = "check AWS_REGION and the network path to Athena (athena.REGION.amazonaws.com)";
    }
    lines.push_back(Fail("athena", Message(group.status()), fix));
  } else if (group->state != "ENABLED") {
    lines.push_back(Fail("athena", absl::StrCat("workgroup '", group_name, "' is ", group->state),
                         "enable it (aws athena update-work-group --state ENABLED) or name another"));
  } else {
    std::string detail = absl::StrCat("workgroup '", group_name, "' is ENABLED",
                                      group->effective_engine_version.empty()
                                          ? ""
                                          : absl::StrCat(" (", group->effective_engine_version, ")"));
    if (group->enforce_configuration && !group->output_location.empty()) {
      absl::StrAppend(&detail, "; it enforces its own output location ", group->output_location,
                      ", so results go there, not to ", output);
      output = group->output_location;
    } else {
      absl::StrAppend(&detail, "; results go to ", output);
    }
    lines.push_back(Ok("athena", detail));
  }

  // The output location in force: s3://BUCKET/PREFIX.
  absl::string_view rest = output;
  absl::ConsumePrefix(&rest, "s3://");
  const std::size_t slash = rest.find('/');
  const std::string bucket(rest.substr(0, slash));
  const std::string prefix(slash == absl::string_view::npos ? "" : rest.substr(slash + 1));
  absl::StatusOr<std::unique_ptr<S3Connection>> connection = ConnectS3(env);
  absl::StatusOr<int> listed = connection.ok() ? (*connection)->client.ListObjectsV2(bucket, prefix, 1)
                                               : absl::StatusOr<int>(connection.status());
  if (listed.ok()) {
    lines.push_back(Ok("athena output", absl::StrCat(output, " is reachable (ListObjectsV2 allowed)")));
  } else {
    lines.push_back(Fail(
        "athena output", Message(listed.status()),
        absl::StrCat("the bucket must exist in ", options->region,
                     " and the role needs s3:GetBucketLocation and s3:ListBucket on "
                     "arn:aws:s3:::",
                     bucket, ", s3:GetObject and s3:PutObject on arn:aws:s3:::", bucket, "/", prefix, "*")));
  }
  return lines;
}

}  // namespace creditbot
