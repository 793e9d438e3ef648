// Choosing and building the executor; see executor_factory.h.
#include "app/executor_factory.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "aws/aws_credentials.h"
#include "aws/s3_client.h"
#include "aws/sagemaker_client.h"
#include "aws/secrets_manager.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "executor/notebook_executor.h"
#include "executor/sagemaker_executor.h"
#include "net/http_transport.h"

namespace creditbot {
namespace {

// A SageMakerExecutor with the transport and clients it runs on (declared first, destroyed last); the
// credential chain, clock and sleeper are the Environment's.
class OwningSageMakerExecutor final : public Executor {
 public:
  OwningSageMakerExecutor(const Environment& env, AwsCredentialsProvider& credentials,
                          const S3ClientOptions& s3_options, const SageMakerOptions& sagemaker_options,
                          SageMakerExecutorOptions options)
      : transport_(env.NewHttpTransport()),
        s3_(*transport_, credentials, env.clock(), env.sleeper(), s3_options),
        sagemaker_(*transport_, credentials, env.clock(), env.sleeper(), sagemaker_options),
        executor_(sagemaker_, s3_, env.clock(), env.sleeper(), std::move(options)) {}

  absl::StatusOr<CreditReport> Execute(const CalcRequest& request) override {
    return executor_.Execute(request);
  }
  void Cancel() override { executor_.Cancel(); }

 private:
  std::unique_ptr<HttpTransport> transport_;
  S3Client s3_;
  SageMakerClient sagemaker_;
  SageMakerExecutor executor_;
};

absl::StatusOr<std::unique_ptr<Executor>> OpenSageMaker(const Config& config, const Environment& env) {
  const Config::ExecutorSettings& e = config.executor;
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"SAGEMAKER_IMAGE_URI", &e.sagemaker_image_uri},
        {"SAGEMAKER_ROLE_ARN", &e.sagemaker_role_arn},
        {"SAGEMAKER_INSTANCE_TYPE", &e.sagemaker_instance_type},
        {"S3_BUCKET", &config.s3_bucket}}) {
    if (value->empty()) {
      return absl::FailedPreconditionError(absl::StrCat("CREDITBOT_EXECUTOR=sagemaker needs ", name,
                                                        " (config file, secret, .env or environment)"));
    }
  }
  CREDITBOT_ASSIGN_OR_RETURN(AwsConfig aws, env.Aws());
  CREDITBOT_ASSIGN_OR_RETURN(S3ClientOptions s3_options, S3Client::OptionsFromConfig(aws));
  CREDITBOT_ASSIGN_OR_RETURN(SageMakerOptions sagemaker_options, SageMakerClient::OptionsFromConfig(aws));
  CREDITBOT_ASSIGN_OR_RETURN(AwsCredentialsProvider * credentials, env.AwsCredentials());

  SageMakerExecutorOptions options;
  options.image_uri = e.sagemaker_image_uri;
  options.role_arn = e.sagemaker_role_arn;
  options.instance_type = e.sagemaker_instance_type;
  options.max_runtime = e.sagemaker_max_runtime;
  options.bucket = config.s3_bucket;  // the job's SQL and result go under S3_OUTPUT_PREFIX/sagemaker/
  options.prefix = config.s3_output_prefix;
  options.container_environment = e.container_settings;
  options.container_environment["AWS_REGION"] = aws.region_or_empty();
  options.container_environment["CREDITBOT_LOG_FORMAT"] = "json";
  options.secret_values = config.secret_values;
  return std::unique_ptr<Executor>(std::make_unique<OwningSageMakerExecutor>(
      env, *credentials, s3_options, sagemaker_options, std::move(options)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Executor>> OpenExecutor(const Config& config, Warehouse& warehouse,
                                                       const Environment& env) {
  const std::string& kind = config.executor.kind;
  if (kind == "native" || kind.empty())
    return std::unique_ptr<Executor>(
        std::make_unique<NativeExecutor>(warehouse, config.sql_dir, config.max_report_rows));
  if (kind == "sagemaker") return OpenSageMaker(config, env);
  if (kind == "notebook") {
    if (config.executor.notebook_path.empty()) {
      return absl::FailedPreconditionError("CREDITBOT_EXECUTOR=notebook needs CREDITBOT_NOTEBOOK_PATH");
    }
    NotebookExecutorOptions options;
    options.notebook_path = config.executor.notebook_path;
    options.papermill = config.executor.papermill;
    options.timeout = config.executor.notebook_timeout;
    return std::unique_ptr<Executor>(std::make_unique<NotebookExecutor>(std::move(options)));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("CREDITBOT_EXECUTOR='", kind, "': expected native, sagemaker or notebook"));
}

std::optional<std::pair<std::string, std::string>> ParseS3Uri(std::string_view uri) {
  absl::string_view rest = ToAbsl(uri);
  if (!absl::ConsumePrefix(&rest, "s3://")) return std::nullopt;
  const std::size_t slash = rest.find('/');
  if (slash == absl::string_view::npos || slash == 0 || slash + 1 == rest.size()) return std::nullopt;
  return std::make_pair(std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)));
}

SecretFetcher MakeSecretsManagerFetcher(const Environment& env) {
  return [&env](std::string_view id) -> absl::StatusOr<std::string> {
    CREDITBOT_ASSIGN_OR_RETURN(AwsConfig aws, env.Aws());
    CREDITBOT_ASSIGN_OR_RETURN(SecretsManagerOptions options, SecretsManagerClient::OptionsFromConfig(aws));
    CREDITBOT_ASSIGN_OR_RETURN(AwsCredentialsProvider * credentials, env.AwsCredentials());
    std::unique_ptr<HttpTransport> transport = env.NewHttpTransport();
    SecretsManagerClient client(*transport, *credentials, env.clock(), env.sleeper(), options);
    return client.GetSecretString(id);
  };
}

}  // namespace creditbot
