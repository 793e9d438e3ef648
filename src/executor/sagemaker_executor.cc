// The SageMaker Processing executor; see sagemaker_executor.h.
#include "executor/sagemaker_executor.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "core/report_json.h"
#include "executor/result_json_reader.h"

namespace creditbot {
namespace {

std::string S3Uri(std::string_view bucket, std::string_view key) {
  return absl::StrCat("s3://", ToAbsl(bucket), "/", ToAbsl(key));
}

// "AlgorithmError: …; exit message: …" from what SageMaker said.
std::string Why(const ProcessingJobDescription& job) {
  std::string why = job.failure_reason.empty() ? "no FailureReason given" : job.failure_reason;
  if (!job.exit_message.empty()) absl::StrAppend(&why, "; exit message: ", job.exit_message);
  return Redact(why);
}

}  // namespace

SageMakerExecutor::SageMakerExecutor(SageMakerClient& sagemaker, S3Client& s3, const Clock& clock,
                                     Sleeper& sleeper, SageMakerExecutorOptions options)
    : sagemaker_(sagemaker), s3_(s3), clock_(clock), sleeper_(sleeper), options_(std::move(options)) {}

std::string SageMakerExecutor::JobNameFor(std::string_view execution_id) {
  std::string name = "creditbot-";
  for (const char c : execution_id) {
    const auto byte = static_cast<unsigned char>(c);
    name.push_back(absl::ascii_isalnum(byte) ? absl::ascii_tolower(byte) : '-');
  }
  if (name.size() > 63) name.resize(63);
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name;
}

absl::StatusOr<CreditReport> SageMakerExecutor::Execute(const CalcRequest& request) {
  if (request.policy == nullptr) return absl::InvalidArgumentError("no credit policy for this request");
  if (options_.bucket.empty()) {
    return absl::FailedPreconditionError(
        "the sagemaker executor needs S3_BUCKET (the job's SQL and result go through S3)");
  }
  if (options_.image_uri.empty() || options_.role_arn.empty()) {
    return absl::FailedPreconditionError(
        "the sagemaker executor needs SAGEMAKER_IMAGE_URI and SAGEMAKER_ROLE_ARN");
  }
  cancelled_.store(false);
  const std::string claim_date = absl::FormatCivilTime(request.claim_date);
  std::string prefix(absl::StripSuffix(ToAbsl(options_.prefix), "/"));
  if (!prefix.empty()) prefix += "/";

  for (int draw = 0;; ++draw) {
    // The pipeline's id (shared with the audit record) names the first try; a name already in use draws
    // a fresh one.
    const std::string execution_id = draw == 0 && !request.execution_id.empty()
                                         ? request.execution_id
                                         : MakeExecutionId(clock_.Now(), request.sql);
    const std::string job = JobNameFor(execution_id);
    const std::string base = absl::StrCat(prefix, "sagemaker/", job);
    const std::string sql_key = base + "/query.sql";
    const std::string result_key = base + "/result.json";

    ProcessingJobSpec spec;
    spec.name = job;
    spec.image_uri = options_.image_uri;
    spec.role_arn = options_.role_arn;
    spec.instance_type = options_.instance_type;
    spec.instance_count = 1;
    spec.volume_size_gb = options_.volume_size_gb;
    spec.max_runtime_seconds =
        static_cast<int>(std::max<int64_t>(1, absl::ToInt64Seconds(options_.max_runtime)));
    spec.entrypoint = options_.entrypoint;
    spec.arguments = {"calc",     "--sql-file", S3Uri(options_.bucket, sql_key),   "--claim-date",
                      claim_date, "--output",   S3Uri(options_.bucket, result_key)};
    spec.environment = options_.container_environment;
    spec.environment["CREDITBOT_EXECUTION_ID"] = execution_id;
    spec.environment["CREDITBOT_SQL_URI"] = S3Uri(options_.bucket, sql_key);
    spec.environment["CREDITBOT_CLAIM_DATE"] = claim_date;
    spec.environment["CREDITBOT_POLICY_NAME"] = request.policy->name;
    spec.environment["CREDITBOT_OUTPUT_URI"] = S3Uri(options_.bucket, result_key);
    spec.tags = {{"app", "creditbot"}, {"creditbot:execution-id", execution_id}};
    for (const auto& [name, value] : spec.environment) {
      for (const std::string& secret : options_.secret_values) {
        if (!secret.empty() && absl::StrContains(value, secret)) {
          return absl::InternalError(absl::StrCat("refusing to start SageMaker job ", job, ": Environment ",
                                                  name, " would carry a secret value"));
        }
      }
    }

    S3PutOptions put;
    put.content_type = "text/plain; charset=utf-8";
    put.server_side_encryption = S3ServerSideEncryption::kAes256;
    CREDITBOT_RETURN_IF_ERROR(s3_.PutObject(options_.bucket, sql_key, request.sql, put).status());
    absl::StatusOr<std::string> arn = sagemaker_.CreateProcessingJob(spec);
    if (absl::IsAlreadyExists(arn.status()) && draw < 3) continue;  // the name is taken: draw another
    if (!arn.ok()) return arn.status();
    LogInfo("SageMaker processing job started", {{"job", job}, {"execution_id", execution_id}});
    CREDITBOT_ASSIGN_OR_RETURN(CreditReport report, Wait(job, result_key, request));
    CREDITBOT_RETURN_IF_ERROR(CheckRemoteReportAgainstLedger(request, report, "sagemaker"));
    return report;
  }
}

absl::Status SageMakerExecutor::Stop(const std::string& job) {
  absl::Status stopped = sagemaker_.StopProcessingJob(job);
  if (absl::IsFailedPrecondition(stopped) || absl::IsNotFound(stopped)) return absl::OkStatus();  // finished
  if (!stopped.ok())
    LogWarn("could not stop the SageMaker job", {{"job", job}, {"error", Redact(ToStd(stopped.message()))}});
  return stopped;
}

absl::StatusOr<CreditReport> SageMakerExecutor::Wait(const std::string& job, const std::string& result_key,
                                                     const CalcRequest& request) {
  const absl::Time deadline = clock_.Now() + options_.max_runtime + options_.stop_margin;
  absl::Duration delay = options_.poll_initial;
  int describe_failures = 0;
  for (;;) {
    sleeper_.Sleep(delay);
    delay = std::min(delay * 2, options_.poll_max);
    if (cancelled_.load()) {
      absl::Status stopped = Stop(job);
      return absl::AbortedError(absl::StrCat("SageMaker processing job ", job,
                                             " was abandoned at shutdown; StopProcessingJob ",
                                             stopped.ok() ? "sent" : "failed: ", stopped.message()));
    }
    absl::StatusOr<ProcessingJobDescription> described = sagemaker_.DescribeProcessingJob(job);
    if (!described.ok()) {
      // Throttling and 5xx were already retried inside the client; a few more polls ride out an outage.
      if ((absl::IsUnavailable(described.status()) || absl::IsDeadlineExceeded(described.status())) &&
          ++describe_failures < 5 && clock_.Now() < deadline) {
        continue;
      }
      (void)Stop(job);
      return absl::Status(described.status().code(),
                          absl::StrCat("SageMaker processing job ", job, ": ", described.status().message()));
    }
    describe_failures = 0;
    switch (described->status) {
      case ProcessingJobStatus::kCompleted: {
        absl::StatusOr<S3Object> result = s3_.GetObject(options_.bucket, result_key);
        if (absl::IsNotFound(result.status())) {
          return absl::InternalError(absl::StrCat("SageMaker processing job ", job,
                                                  " completed but wrote no ",
                                                  S3Uri(options_.bucket, result_key)));
        }
        if (!result.ok()) return result.status();
        absl::StatusOr<CreditReport> report = ReadResultJson(result->body, *request.policy);
        if (!report.ok()) {
          return absl::Status(
              report.status().code() == absl::StatusCode::kInvalidArgument ? absl::StatusCode::kInternal
                                                                           : report.status().code(),
              absl::StrCat("SageMaker processing job ", job, ": ", report.status().message()));
        }
        if (report->claim_date != request.claim_date) {
          return absl::InternalError(absl::StrCat("SageMaker processing job ", job, " computed claim date ",
                                                  absl::FormatCivilTime(report->claim_date), ", not ",
                                                  absl::FormatCivilTime(request.claim_date)));
        }
        LogInfo("SageMaker processing job completed", {{"job", job}});
        return report;
      }
      case ProcessingJobStatus::kFailed:
        return absl::InternalError(
            absl::StrCat("SageMaker processing job ", job, " failed: ", Why(*described)));
      case ProcessingJobStatus::kStopped:
        return absl::AbortedError(
            absl::StrCat("SageMaker processing job ", job, " was stopped: ", Why(*described)));
      case ProcessingJobStatus::kInProgress:
      case ProcessingJobStatus::kStopping:
      case ProcessingJobStatus::kUnknown:
        break;
    }
    if (clock_.Now() >= deadline) {
      absl::Status stopped = Stop(job);
      return absl::DeadlineExceededError(absl::StrCat(
          "SageMaker processing job ", job, " did not finish within MaxRuntimeInSeconds (",
          absl::ToInt64Seconds(options_.max_runtime), " s) + ", absl::ToInt64Seconds(options_.stop_margin),
          " s; StopProcessingJob ", stopped.ok() ? "sent" : absl::StrCat("failed: ", stopped.message())));
    }
  }
}

}  // namespace creditbot
