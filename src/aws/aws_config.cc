// AwsConfig: region and endpoints from the environment map; see aws_config.h.
#include "aws/aws_config.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {
namespace {

std::string_view EnvValue(const EnvironmentMap& env, std::string_view name) {
  auto it = env.find(name);
  return it == env.end() ? std::string_view() : std::string_view(it->second);
}

// Each service's names, in one table: its endpoint variable, the host prefix of its default endpoint and
// the name SigV4 signs with (SageMaker's host is api.sagemaker, its signing name sagemaker).
struct ServiceNames {
  AwsService service;
  std::string_view endpoint_variable;
  std::string_view host_prefix;
  std::string_view signing_name;
};

constexpr ServiceNames kServices[] = {
    {AwsService::kS3, "AWS_ENDPOINT_URL_S3", "s3", "s3"},
    {AwsService::kSts, "AWS_ENDPOINT_URL_STS", "sts", "sts"},
    {AwsService::kSecretsManager, "AWS_ENDPOINT_URL_SECRETS_MANAGER", "secretsmanager", "secretsmanager"},
    {AwsService::kSageMaker, "AWS_ENDPOINT_URL_SAGEMAKER", "api.sagemaker", "sagemaker"},
    {AwsService::kAthena, "AWS_ENDPOINT_URL_ATHENA", "athena", "athena"},
};

const ServiceNames& NamesOf(AwsService service) {
  for (const ServiceNames& names : kServices) {
    if (names.service == service) return names;
  }
  return kServices[0];  // unreachable: every AwsService is in the table
}

}  // namespace

std::string_view AwsSigningName(AwsService service) { return NamesOf(service).signing_name; }

absl::StatusOr<std::string> NormalizeEndpointUrl(std::string_view url, std::string_view variable) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(ToAbsl(variable), ": not a usable endpoint URL (", ToAbsl(why), ")"));
  };
  std::string_view rest = url;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return bad("it must start with https:// or http://");
  }
  const std::size_t authority_end = rest.find('/');
  const std::string_view authority = rest.substr(0, authority_end);
  if (authority.empty()) return bad("no host");
  if (authority.find('@') != std::string_view::npos) return bad("user info is not allowed");
  if (url.find_first_of("?# \t\r\n") != std::string_view::npos) return bad("query, fragment or space");
  std::string normalized(url);
  while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();
  return normalized;
}

absl::StatusOr<AwsConfig> AwsConfig::FromEnvironment(const EnvironmentMap& env) {
  AwsConfig config;
  config.region_ = std::string(EnvValue(env, "AWS_REGION"));
  if (config.region_.empty()) config.region_ = std::string(EnvValue(env, "AWS_DEFAULT_REGION"));
  if (!config.region_.empty() &&
      config.region_.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("AWS_REGION: '", config.region_, "' is not a region name (e.g. eu-west-1)"));
  }
  const std::string_view ignore = EnvValue(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  if (absl::EqualsIgnoreCase(ToAbsl(ignore), "true")) return config;

  const std::string_view global = EnvValue(env, "AWS_ENDPOINT_URL");
  for (const ServiceNames& names : kServices) {
    const AwsService service = names.service;
    const std::string_view variable = names.endpoint_variable;
    std::string_view value = EnvValue(env, variable);
    std::string_view source = variable;
    if (value.empty()) {
      value = global;
      source = "AWS_ENDPOINT_URL";
    }
    if (value.empty()) continue;
    absl::StatusOr<std::string> url = NormalizeEndpointUrl(value, source);
    if (!url.ok()) return url.status();
    config.overrides_[service] = AwsEndpoint{*std::move(url), true, std::string(source)};
  }
  return config;
}

absl::StatusOr<std::string> AwsConfig::Region() const {
  if (region_.empty()) {
    return absl::FailedPreconditionError("no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION)");
  }
  return region_;
}

absl::StatusOr<AwsEndpoint> AwsConfig::Endpoint(AwsService service) const {
  if (auto it = overrides_.find(service); it != overrides_.end()) return it->second;
  absl::StatusOr<std::string> region = Region();
  if (!region.ok()) return region.status();
  const std::string_view suffix = absl::StartsWith(*region, "cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return AwsEndpoint{
      absl::StrCat("https://", ToAbsl(NamesOf(service).host_prefix), ".", *region, ".", ToAbsl(suffix)),
      false, "default"};
}

}  // namespace creditbot
