// OpenExecutor: builds the Executor that CREDITBOT_EXECUTOR names (native | sagemaker | notebook), with
// everything it owns (for sagemaker: an HTTP transport and the S3 and SageMaker clients; the credential
// chain, clock and sleeper are the Environment's). Also the small AWS helpers the commands share: s3://
// URIs, and the Secrets Manager fetcher RunCli hands to the configuration's secret layer.
//
//   native     NativeExecutor on `warehouse` (config.sql_dir)
//   sagemaker  SageMakerExecutor: SAGEMAKER_IMAGE_URI, SAGEMAKER_ROLE_ARN, SAGEMAKER_INSTANCE_TYPE,
//              SAGEMAKER_MAX_RUNTIME, S3_BUCKET, S3_OUTPUT_PREFIX (the job's files: PREFIX/sagemaker/JOB/);
//              AWS region, endpoints and credentials from `env` (environment.h). The
//              container gets only non-secret settings: the warehouse URL, Trino's non-secret options, the
//              secret ids (CREDITBOT_SECRET_ID, AWS_SECRET_NAME, PRESTO_SECRET_NAME) it reads its own
//              credentials from, and AWS_REGION.
//   notebook   NotebookExecutor: CREDITBOT_NOTEBOOK_PATH, CREDITBOT_PAPERMILL (`warehouse` is not used: the
//              notebook queries the warehouse itself)
//
// Errors: kFailedPrecondition naming the missing setting (SAGEMAKER_IMAGE_URI, SAGEMAKER_ROLE_ARN,
// S3_BUCKET, AWS_REGION, CREDITBOT_NOTEBOOK_PATH); kInvalidArgument for an unusable AWS endpoint override.
// Nothing is contacted here: a missing AWS credential source shows up at the first call.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"
#include "app/config.h"
#include "app/environment.h"
#include "executor/executor.h"
#include "warehouse/warehouse.h"

namespace creditbot {

// `env` (and `warehouse`, for native) must outlive the executor.
absl::StatusOr<std::unique_ptr<Executor>> OpenExecutor(const Config& config, Warehouse& warehouse,
                                                       const Environment& env);

// "s3://BUCKET/KEY" → {BUCKET, KEY}; nullopt when `uri` is not of that form (empty bucket or key).
std::optional<std::pair<std::string, std::string>> ParseS3Uri(std::string_view uri);

// A SecretFetcher (config.h) that reads Secrets Manager SecretStrings with `env`'s AWS configuration and
// credential chain (region, endpoint override, credentials); `env` must outlive it. Each call builds its
// own client; the errors are the client's (secrets_manager.h), or kFailedPrecondition without a region or
// credential source.
SecretFetcher MakeSecretsManagerFetcher(const Environment& env);

}  // namespace creditbot
