// SageMakerExecutor: runs one calculation as a SageMaker Processing Job whose container is creditbot
// itself (`creditbot calc`), then reads the result JSON the job wrote to S3 back into a CreditReport.
//
// One Execute:
//   1. names the job "creditbot-<execution id, lower case>" (e.g. creditbot-20260115t123456z-3f9c; valid
//      for SageMaker: ≤ 63 of [a-zA-Z0-9](-*[a-zA-Z0-9])*), the id being CalcRequest::execution_id (the
//      pipeline's, so the job, its files and the audit record share it) or, when that is empty or the name
//      is already in use in SageMaker, one the executor draws (up to 3 more draws);
//   2. uploads the SQL to s3://BUCKET/PREFIX/sagemaker/JOB/query.sql (SQL does not fit SageMaker's
//      256-character Environment values, and an S3 object keeps it out of the job's description);
//   3. CreateProcessingJob: image, role, instance type, 1 instance, volume, MaxRuntimeInSeconds, and
//        ContainerEntrypoint  options.entrypoint (default ["creditbot"])
//        ContainerArguments   calc --sql-file s3://…/query.sql --claim-date YYYY-MM-DD
//                             --output s3://BUCKET/PREFIX/sagemaker/JOB/result.json
//        Environment          CREDITBOT_EXECUTION_ID, CREDITBOT_SQL_URI, CREDITBOT_CLAIM_DATE,
//                             CREDITBOT_POLICY_NAME, CREDITBOT_OUTPUT_URI, plus options.container_environment
//                             (non-secret settings the container needs: the warehouse URL, the secret *ids*
//                             it reads its credentials from, AWS_REGION, …).
//      Never a secret: every Environment value is checked against options.secret_values first, and a match
//      refuses the job (kInternal) before anything is sent;
//   4. polls DescribeProcessingJob, sleeping (Sleeper) poll_initial, doubling up to poll_max;
//   5. Completed → GetObject result.json → ReadResultJson (checked against the routed policy and the claim
//      date). The S3 objects are kept as the job's record.
//
// Errors (each names the job; FailureReason and ExitMessage are included when SageMaker gives them; the
// pipeline sends them to the owner by DM):
//   kInternal           — the job Failed (e.g. "AlgorithmError: …"); it completed without a readable
//                         result.json; an Environment value would carry a secret
//   kAborted            — the job was Stopped by someone else (transient: the request is retried)
//   kDeadlineExceeded   — not finished within MaxRuntime + stop_margin: StopProcessingJob was sent
//   kAborted            — also after Cancel() (shutdown): StopProcessingJob was sent; retried by a later pass
//   kFailedPrecondition — no S3 bucket / image / role configured; the result used another policy
//   the S3 and SageMaker clients' errors otherwise (throttling is retried inside them).
//
// Thread-compatible, except Cancel(), which any thread may call: the running Execute notices it after its
// current sleep (at most poll_max) and stops the job itself (the clients are used by one thread only). The
// clients, clock and sleeper must outlive the executor.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aws/s3_client.h"
#include "aws/sagemaker_client.h"
#include "common/clock.h"
#include "executor/executor.h"

namespace creditbot {

struct SageMakerExecutorOptions {
  std::string image_uri;                            // SAGEMAKER_IMAGE_URI
  std::string role_arn;                             // SAGEMAKER_ROLE_ARN
  std::string instance_type = "ml.t3.medium";       // SAGEMAKER_INSTANCE_TYPE
  int volume_size_gb = 30;                          // Default: 30 GB
  absl::Duration max_runtime = absl::Seconds(600);  // SAGEMAKER_MAX_RUNTIME
  absl::Duration stop_margin = absl::Minutes(5);    // Default: wait 5 min past MaxRuntime, then stop
  std::string bucket;                               // S3_BUCKET
  std::string prefix = "outputs";                   // S3_OUTPUT_PREFIX (job files under PREFIX/sagemaker/)
  std::vector<std::string> entrypoint = {"creditbot"};       // Default: creditbot on the image's PATH
  std::map<std::string, std::string> container_environment;  // added to Environment; never secrets
  std::vector<std::string> secret_values;                    // Config::secret_values: refused in Environment
  absl::Duration poll_initial = absl::Seconds(5);            // Default: first Describe after 5 s
  absl::Duration poll_max = absl::Seconds(30);               // Default: then every 30 s at most
};

class SageMakerExecutor final : public Executor {
 public:
  SageMakerExecutor(SageMakerClient& sagemaker, S3Client& s3, const Clock& clock, Sleeper& sleeper,
                    SageMakerExecutorOptions options);

  absl::StatusOr<CreditReport> Execute(const CalcRequest& request) override;
  void Cancel() override { cancelled_.store(true); }

  // The job name for an execution id (exposed for tests): "creditbot-" + the id in lower case, every
  // character outside [a-z0-9] turned into '-', cut to 63 characters and trimmed of trailing '-'.
  static std::string JobNameFor(std::string_view execution_id);

 private:
  absl::StatusOr<CreditReport> Wait(const std::string& job, const std::string& result_key,
                                    const CalcRequest& request);
  absl::Status Stop(const std::string& job);

  SageMakerClient& sagemaker_;
  S3Client& s3_;
  const Clock& clock_;
  Sleeper& sleeper_;
  SageMakerExecutorOptions options_;
  std::atomic<bool> cancelled_{false};
};

}  // namespace creditbot
