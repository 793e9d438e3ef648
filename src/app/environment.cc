// The process's clock, sleeper, transports and AWS credential chain; see environment.h.
#include "app/environment.h"

#include <utility>

namespace creditbot {

Environment::Environment(EnvironmentMap variables)
    : variables_(std::move(variables)), clock_(system_clock_), sleeper_(system_sleeper_) {}

Environment::Environment(EnvironmentMap variables, const Clock& clock, Sleeper& sleeper,
                         TransportMaker make_transport)
    : variables_(std::move(variables)),
      clock_(clock),
      sleeper_(sleeper),
      make_transport_(std::move(make_transport)) {}

std::string Environment::Variable(std::string_view name) const {
  auto it = variables_.find(name);
  return it == variables_.end() ? std::string() : it->second;
}

std::unique_ptr<HttpTransport> Environment::NewHttpTransport(const HttpTransportOptions& options) const {
  return make_transport_ ? make_transport_(options) : MakeCurlTransport(options);
}

absl::StatusOr<AwsConfig> Environment::Aws() const { return AwsConfig::FromEnvironment(variables_); }

absl::StatusOr<AwsCredentialsProvider*> Environment::AwsCredentials() const {
  absl::MutexLock lock(&mutex_);
  if (!credentials_)
    credentials_.emplace(MakeAwsCredentialsChain(variables_, NewHttpTransport(), clock_, sleeper_));
  if (!credentials_->ok()) return credentials_->status();
  return credentials_->value().get();
}

EnvironmentMap EnvironmentFromEnviron(const char* const* environ) {
  EnvironmentMap env;
  if (environ == nullptr) return env;
  for (const char* const* entry = environ; *entry != nullptr; ++entry) {
    std::string_view pair(*entry);
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    env.emplace(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
  }
  return env;
}

}  // namespace creditbot
