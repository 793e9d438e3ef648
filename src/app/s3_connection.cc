// Building an S3 client on the Environment; see s3_connection.h.
#include "app/s3_connection.h"

#include "common/status_macros.h"

namespace creditbot {

S3Connection::S3Connection(const Environment& env, AwsCredentialsProvider& credentials,
                           const S3ClientOptions& options)
    : transport(env.NewHttpTransport()),
      client(*transport, credentials, env.clock(), env.sleeper(), options) {}

absl::StatusOr<std::unique_ptr<S3Connection>> ConnectS3(const Environment& env) {
  CREDITBOT_ASSIGN_OR_RETURN(AwsConfig aws, env.Aws());
  CREDITBOT_ASSIGN_OR_RETURN(S3ClientOptions options, S3Client::OptionsFromConfig(aws));
  CREDITBOT_ASSIGN_OR_RETURN(AwsCredentialsProvider * credentials, env.AwsCredentials());
  return std::make_unique<S3Connection>(env, *credentials, options);
}

}  // namespace creditbot
