// AwsConfig: the region and the service endpoints creditbot's AWS clients use, read from an explicit
// environment map (the app passes its environment; tests pass a hand-made map, so nothing here calls
// getenv).
//
//   region      AWS_REGION, else AWS_DEFAULT_REGION (the SDKs' order)
//   endpoints   AWS_ENDPOINT_URL_<SERVICE> (S3, STS, SECRETS_MANAGER, SAGEMAKER, ATHENA), else
//               AWS_ENDPOINT_URL,
//               else the regional default (https://s3.REGION.amazonaws.com, https://sts.REGION.amazonaws.com,
//               https://secretsmanager.REGION.amazonaws.com, https://api.sagemaker.REGION.amazonaws.com,
//               https://athena.REGION.amazonaws.com;
//               amazonaws.com.cn for cn- regions). AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true ignores the
//               overrides, as the SDKs do.
//
// An overridden endpoint (staging, a local S3 such as the tests' fake) switches S3 to path-style addressing.
// A value of thread-compatible plain data.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace creditbot {

// The process environment, name → value, as the app read it.
using EnvironmentMap = std::map<std::string, std::string, std::less<>>;

enum class AwsService { kS3, kSts, kSecretsManager, kSageMaker, kAthena };

// The SigV4 signing name of `service` ("s3", "sts", "secretsmanager", "sagemaker", "athena").
std::string_view AwsSigningName(AwsService service);

struct AwsEndpoint {
  std::string url;          // "scheme://host[:port][/base path]", no trailing '/'
  bool overridden = false;  // came from AWS_ENDPOINT_URL[_SERVICE]
  std::string source;       // the variable it came from, or "default"
};

class AwsConfig {
 public:
  // Reads region and endpoint overrides. kInvalidArgument naming the variable when an endpoint override is
  // not an http(s) URL without user info, query or fragment. A missing region is not an error here (a
  // command that needs no AWS must not fail); Region() reports it.
  static absl::StatusOr<AwsConfig> FromEnvironment(const EnvironmentMap& env);

  // The region, or kFailedPrecondition naming AWS_REGION / AWS_DEFAULT_REGION when neither is set.
  absl::StatusOr<std::string> Region() const;
  // Where `service` lives: the override, else the regional default (kFailedPrecondition without a region).
  absl::StatusOr<AwsEndpoint> Endpoint(AwsService service) const;

  const std::string& region_or_empty() const { return region_; }

 private:
  std::string region_;
  std::map<AwsService, AwsEndpoint> overrides_;
};

// Validates an endpoint URL and strips a trailing '/': "http(s)://host[:port][/path]". kInvalidArgument
// naming `variable` otherwise.
absl::StatusOr<std::string> NormalizeEndpointUrl(std::string_view url, std::string_view variable);

}  // namespace creditbot
