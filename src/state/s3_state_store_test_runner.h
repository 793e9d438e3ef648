// For tests only (included by *_test.cc, never by the library): S3Runner, one S3 state-store "runner" —
// its own transport, S3 client and S3StateStore — against the fake S3 on loopback (tests/fake_aws_server.h),
// as a separate process would have. Used by the S3 store's own tests and by the StateStore contract suite.
#pragma once

#include <memory>
#include <utility>

#include "aws/aws_credentials.h"
#include "aws/s3_client.h"
#include "common/clock.h"
#include "net/http_transport.h"
#include "state/s3_state_store.h"
#include "tests/fake_aws_server.h"

namespace creditbot::testing {

inline constexpr const char* kStateBucket = "creditbot-state";
inline constexpr const char* kStateKey = "state/processed_messages.json";

// The fake server's long-term access key.
inline AwsCredentials FakeLongTermCredentials() {
  return AwsCredentials{FakeAwsServer::kAccessKeyId, FakeAwsServer::kSecretAccessKey, "", std::nullopt,
                        "test"};
}

// The store keeps kStateKey in kStateBucket (the test creates the bucket). `credentials` and `sleeper_in`
// must outlive the runner.
struct S3Runner {
  S3Runner(const FakeAwsServer& server, AwsCredentialsProvider& credentials, Sleeper& sleeper_in,
           S3StateStoreOptions options = {})
      : transport(MakeCurlTransport()),
        client(*transport, credentials, clock, sleeper_in,
               S3ClientOptions{AwsEndpoint{server.base_url(), true, "AWS_ENDPOINT_URL_S3"},
                               FakeAwsServer::kRegion, AwsRetryOptions{}, absl::Seconds(30)}),
        store(client, clock, sleeper_in, WithBucket(std::move(options))) {}
  static S3StateStoreOptions WithBucket(S3StateStoreOptions options) {
    options.bucket = kStateBucket;
    options.key = kStateKey;
    return options;
  }
  SystemClock clock;
  std::unique_ptr<HttpTransport> transport;
  S3Client client;
  S3StateStore store;
};

}  // namespace creditbot::testing
