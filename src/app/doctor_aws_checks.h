// The AWS checks of `creditbot doctor` (doctor_command.cc prints them): whether each Secrets Manager secret
// the configuration names was readable and holds the expected key names, whether S3 takes a probe object
// (PutObject, GetObject, DeleteObject), and whether the role may describe SageMaker processing jobs. Each
// check gives lines of ok / skip / FAIL, a FAIL with what to do. No line ever holds a secret's value: the
// secret checks look at key NAMES only, and the AWS errors carry AWS's code and message, never a body.
//
// Secrets. The configuration reads its secrets while it loads (config.h, the Secrets Manager layer), so
// doctor does not fetch them a second time: it hands LoadConfig a SecretFetchLog-wrapped fetcher, which
// fetches each id once and remembers the answer, and then checks what was fetched:
//   the main secret (CREDITBOT_SECRET_ID / AWS_SECRET_NAME)  a JSON object of setting names with scalar
//       values; names that are not creditbot settings are listed (creditbot ignores them: often a typo);
//       a Looker key pair half in the secret and half nowhere is a missing key
//   PRESTO_SECRET_NAME's secret                              a JSON object with host, port, username and
//       password (other keys, such as an RDS-style engine or dbname, are listed as ignored)
// A secret that could not be fetched is a FAIL naming the id and the IAM permission it needs.
//
// S3 probe (when S3_BUCKET is set). The probe object goes where the documented IAM policy lets creditbot
// create objects: under S3_OUTPUT_PREFIX (s3:PutObject on $S3_BUCKET/$S3_OUTPUT_PREFIX/*), as
// "PREFIX/doctor-probe-HOST-PID", written with SSE-S3 like the audit records. (The state object's policy
// names one key, so a probe beside it would be refused on a correctly narrow role.) PutObject, GetObject and
// a comparison of the bytes, then DeleteObject; one FAIL line per step that fails, naming the step and the
// permission. The DELETE is attempted whenever the PUT succeeded.
//
// SageMaker (when CREDITBOT_EXECUTOR=sagemaker). SAGEMAKER_IMAGE_URI, SAGEMAKER_ROLE_ARN and S3_BUCKET must
// be set; then DescribeProcessingJob on "creditbot-doctor-probe", a job that does not exist: SageMaker's
// "Could not find" (ValidationException / ResourceNotFound) proves the permission, AccessDeniedException
// its absence. CreateProcessingJob, StopProcessingJob and iam:PassRole cannot be probed without starting a
// job; the FAIL's fix names them all.
//
// Athena (when CREDITBOT_WAREHOUSE=athena://…). GetWorkGroup on the URL's workgroup: it exists and is
// ENABLED, its engine version, and whether it enforces its own output location (then Athena ignores the
// URL's `output` and writes results there). Then the output location in force: ListObjectsV2 (max-keys 1)
// under its prefix through the S3 client, proving the bucket exists in the region and the role may list
// it. One line each ("athena", "athena output"), a FAIL naming the IAM permissions.
//
// Every AWS call goes to the endpoints and credential chain of `env` (environment.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "app/config.h"
#include "app/environment.h"

namespace creditbot {

struct DoctorLine {
  enum class Mark { kOk, kSkip, kFail };
  Mark mark = Mark::kOk;
  std::string check;   // short name, e.g. "secret", "s3 probe", "sagemaker"
  std::string detail;  // what was seen
  std::string fix;     // for kFail: what to do
};

// Remembers every secret the configuration fetched through Wrap()'s fetcher, once per id. Copies share
// the record.
class SecretFetchLog {
 public:
  struct Entry {
    std::string id;
    absl::StatusOr<std::string> text;  // the SecretString, or why it could not be read
  };

  SecretFetchLog();
  // A fetcher that asks `inner` once per id and answers later calls for that id from the record.
  SecretFetcher Wrap(SecretFetcher inner) const;
  // What was fetched, in order.
  const std::vector<Entry>& entries() const { return *entries_; }

 private:
  std::shared_ptr<std::vector<Entry>> entries_;
};

// The secrets the settings name outside the secrets themselves: the main one (CREDITBOT_SECRET_ID, else
// AWS_SECRET_NAME) and PRESTO_SECRET_NAME's. Read from `raw` as LoadRawSettings gives it with a fetcher that
// answers "{}" (so no secret is fetched for it; a PRESTO_SECRET_NAME set inside the main secret is then
// unknown here, and recognised among the fetched secrets as the one that is not the main one).
struct ConfiguredSecrets {
  std::string main_id;
  std::string main_setting;  // "CREDITBOT_SECRET_ID" or "AWS_SECRET_NAME"
  std::string presto_id;
};
ConfiguredSecrets FindConfiguredSecrets(const RawSettings& raw);

// One line per configured secret: checked when it was fetched, skipped when the configuration stopped
// before it; one skip line when no secret is configured. `config` is null when the configuration did not
// load (the Looker key pair is then not checked).
std::vector<DoctorLine> CheckSecrets(const std::vector<SecretFetchLog::Entry>& fetched,
                                     const ConfiguredSecrets& configured, const Config* config);

// The S3 probe: skip without S3_BUCKET; else ok, or one FAIL per failed step.
std::vector<DoctorLine> CheckS3Probe(const Config& config, const Environment& env);

// The key the probe object gets: "PREFIX/doctor-probe-HOST-PID" (HOST reduced to [A-Za-z0-9_-]).
std::string S3ProbeKey(const std::string& output_prefix, const std::string& host, long pid);

// The SageMaker check: skip unless CREDITBOT_EXECUTOR=sagemaker; else ok or FAIL lines.
std::vector<DoctorLine> CheckSageMaker(const Config& config, const Environment& env);

// The Athena checks: no line unless the warehouse is athena://; else the workgroup's and the output
// location's lines.
std::vector<DoctorLine> CheckAthena(const Config& config, const Environment& env);

}  // namespace creditbot
