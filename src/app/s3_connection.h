// S3Connection: an S3 client with the HTTP transport it sends on, built on the process's Environment (its
// AWS configuration, credential chain, clock and sleeper). What the S3 state store, the S3 audit sink,
// `calc`'s s3:// paths and doctor's S3 probe each hold; the owner of the connection owns the transport and
// the client, the Environment (which must outlive it) everything else.
//
// Thread-compatible, like the client and transport: one thread at a time.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "app/environment.h"
#include "aws/s3_client.h"
#include "net/http_transport.h"

namespace creditbot {

struct S3Connection {
  S3Connection(const Environment& env, AwsCredentialsProvider& credentials, const S3ClientOptions& options);

  std::unique_ptr<HttpTransport> transport;  // declared first: destroyed after the client that uses it
  S3Client client;
};

// A connection on `env`'s AWS region, endpoint override and credential chain. Errors: kFailedPrecondition
// naming AWS_REGION without a region, kInvalidArgument for an unusable AWS_ENDPOINT_URL[_S3|_STS] (checked in
// that order). Nothing is contacted: a missing credential source shows at the first request.
absl::StatusOr<std::unique_ptr<S3Connection>> ConnectS3(const Environment& env);

}  // namespace creditbot
