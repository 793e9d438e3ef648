// Environment: everything outside the process that creditbot reaches — the clock, sleeping, HTTP transports
// and the AWS credential chain — built once per process (RunCli) and handed by reference to every command
// and factory, in the spirit of leveldb's Env. Tests build one on a FakeClock, a FakeSleeper and their own
// transports, so nothing below the commands builds a clock or a transport of its own.
//
// Transports: a transport is used by one thread at a time (net/http_transport.h), so the Environment does
// not hand out a shared one: NewHttpTransport makes one per client, and the caller owns it.
//
// The AWS credential chain is shared: every AWS client of the process (S3 state and audit, the SageMaker
// executor, the Secrets Manager layer of the configuration, doctor's probes) signs with the one chain
// built from variables() on first use, so credentials are fetched and refreshed once, not per client.
//
// Ownership and threads: the Environment owns the chain and, unless given others, the system clock and
// sleeper; it must outlive everything built from it. clock(), sleeper(), NewHttpTransport() and
// AwsCredentials() may be called from any thread (the system clock and sleeper are thread-safe; the
// chain is built under a mutex and is itself thread-safe).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "aws/aws_config.h"
#include "aws/aws_credentials.h"
#include "common/clock.h"
#include "net/http_transport.h"

namespace creditbot {

class Environment {
 public:
  // Makes a transport with the given options; the default makes libcurl's (MakeCurlTransport).
  using TransportMaker = std::function<std::unique_ptr<HttpTransport>(const HttpTransportOptions&)>;

  // The process's own: the system clock, real sleeps, libcurl, and `variables` (EnvironmentFromEnviron).
  explicit Environment(EnvironmentMap variables);
  // Tests: `clock` and `sleeper` (which must outlive this) and `make_transport` (empty: libcurl).
  Environment(EnvironmentMap variables, const Clock& clock, Sleeper& sleeper,
              TransportMaker make_transport = nullptr);
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  // The process environment (NAME → value), as the AWS configuration and the chain read it.
  const EnvironmentMap& variables() const { return variables_; }
  // One variable's value; "" when it is not set.
  std::string Variable(std::string_view name) const;

  const Clock& clock() const { return clock_; }
  Sleeper& sleeper() const { return sleeper_; }

  // A new transport for one client (owned by the caller).
  std::unique_ptr<HttpTransport> NewHttpTransport(const HttpTransportOptions& options = {}) const;

  // AwsConfig::FromEnvironment(variables()): region and endpoint overrides. kFailedPrecondition without a
  // region, kInvalidArgument for an unusable endpoint override.
  absl::StatusOr<AwsConfig> Aws() const;

  // The process's AWS credential chain (aws_credentials.h), built from variables() on the first call and
  // shared from then on; owned by the Environment. Errors: MakeAwsCredentialsChain's (kInvalidArgument for
  // an unusable AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL), the same on every call. A missing credential
  // source is not an error here: the chain's Get() reports it.
  absl::StatusOr<AwsCredentialsProvider*> AwsCredentials() const;

 private:
  EnvironmentMap variables_;
  SystemClock system_clock_;
  SystemSleeper system_sleeper_;
  const Clock& clock_;
  Sleeper& sleeper_;
  TransportMaker make_transport_;

  mutable absl::Mutex mutex_;
  mutable std::optional<absl::StatusOr<std::unique_ptr<AwsCredentialsProvider>>> credentials_
      ABSL_GUARDED_BY(mutex_);
};

// The process environment (a NULL-terminated array of NAME=VALUE) as a map; nullptr gives an empty map.
EnvironmentMap EnvironmentFromEnviron(const char* const* environ);

}  // namespace creditbot
