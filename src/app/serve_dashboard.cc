// serve's web dashboard, wired from the configuration; see serve_dashboard.h.
#include "app/serve_dashboard.h"

#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "app/policies.h"
#include "app/s3_connection.h"
#include "app/store_factory.h"
#include "audit/audit_sink.h"
#include "bot/approvers.h"
#include "common/embedded_files.h"
#include "common/strings.h"
#include "core/reply_renderer.h"
#include "executor/result_json_reader.h"
#include "net/http_transport.h"
#include "replay/replay_archive.h"
#include "slack/openid_connect.h"
#include "web/dashboard.h"
#include "web/dashboard_data.h"
#include "web/slack_sign_in.h"

namespace creditbot {
namespace {

// Reads `<audit location>/<execution id>/<name>` from the folder or from S3.
class AuditFiles {
 public:
  AuditFiles(const Environment& env, std::string location) : env_(env), location_(std::move(location)) {}

  absl::StatusOr<std::string> Read(std::string_view execution_id, std::string_view name) {
    if (!IsPlainExecutionId(execution_id) || !IsPlainArtifactName(name)) {
      return absl::InvalidArgumentError("not an execution id");
    }
    absl::string_view rest = location_;
    if (!absl::ConsumePrefix(&rest, "s3://")) {
      return ReadFileToString(absl::StrCat(location_, "/", ToAbsl(execution_id), "/", ToAbsl(name)));
    }
    const std::size_t slash = rest.find('/');
    const std::string bucket(rest.substr(0, slash));
    std::string prefix(slash == absl::string_view::npos ? "" : rest.substr(slash + 1));
    std::lock_guard<std::mutex> lock(mutex_);
    if (s3_ == nullptr) {
      absl::StatusOr<std::unique_ptr<S3Connection>> connected = ConnectS3(env_);
      if (!connected.ok()) return connected.status();
      s3_ = *std::move(connected);
    }
    absl::StatusOr<S3Object> object =
        s3_->client.GetObject(bucket, absl::StrCat(prefix, ToAbsl(execution_id), "/", ToAbsl(name)));
    if (!object.ok()) return object.status();
    return std::move(object->body);
  }

 private:
  const Environment& env_;
  const std::string location_;  // a folder, or s3://bucket/prefix/
  std::mutex mutex_;
  std::unique_ptr<S3Connection> s3_;  // guarded by mutex_
};

class ServeDashboardImpl final : public ServeDashboard {
 public:
  ServeDashboardImpl(const Environment& env, std::unique_ptr<StateStore> state, std::string audit_location,
                     std::vector<CreditPolicy> policies)
      : state_(std::move(state)),
        audit_(env, std::move(audit_location)),
        policies_(std::move(policies)),
        data_(*state_, [this](std::string_view id, std::string_view name) { return audit_.Read(id, name); }) {
  }

  // Sign in with Slack (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, CREDITBOT_PUBLIC_URL): the provider on a
  // transport of its own, and the two routes' hooks.
  absl::Status OpenSlackSignIn(const Environment& env, const Config& config, DashboardHooks& hooks) {
    SlackOpenIdOptions options;
    options.client_id = config.slack_client_id;
    options.client_secret = config.slack_client_secret;
    options.redirect_uri = config.slack_redirect_uri;
    options.team_id = config.slack_team_id;
    options.api_base_url = config.slack_api_url;
    if (absl::Status valid = SlackOpenIdConnect::ValidateOptions(options); !valid.ok()) return valid;
    oidc_transport_ = env.NewHttpTransport();
    oidc_ = std::make_unique<SlackOpenIdConnect>(*oidc_transport_, env.clock(), options);
    sign_in_ = std::make_unique<SlackSignIn>(*oidc_, env.clock(), config.slack_client_secret);
    hooks.slack_start = [this](const std::string& return_to) -> absl::StatusOr<SignInRedirect> {
      absl::StatusOr<SlackSignInStart> start = sign_in_->Start(return_to);
      if (!start.ok()) return start.status();
      return SignInRedirect{start->authorize_url, start->set_cookie};
    };
    hooks.slack_finish = [this](std::string_view query, std::string_view cookie, std::string* return_to) {
      return sign_in_->Finish(query, cookie, return_to);
    };
    hooks.slack_clear_cookie = SlackSignIn::ClearCookie();
    return absl::OkStatus();
  }

  // Who may pause and resume from the dashboard: the listed user ids of CREDITBOT_APPROVERS (groups are not
  // read here: a member of a listed group pauses with `creditbot pause`, or is listed by id).
  void OpenApprovers(const Config& config, const Clock& clock, DashboardHooks& hooks) {
    absl::StatusOr<ApproverIds> ids = ParseApproverIds(config.approvers);
    if (!ids.ok()) return;  // serve refused it at start already; nobody may pause here
    approvers_ = std::make_unique<Approvers>(*std::move(ids), clock);
    hooks.is_approver = [this](const std::string& user) { return approvers_->IsApprover(user); };
  }

  void Open(DashboardOptions options, DashboardHooks hooks, const Clock& clock) {
    hooks.reply_text = [this](const LedgerEntry& entry, const std::string& result_json) {
      return ReplyText(entry, result_json);
    };
    dashboard_ = std::make_unique<Dashboard>(std::move(options), data_, std::move(hooks), clock);
  }

  HttpFrontResponse Handle(const HttpFrontRequest& request) override { return dashboard_->Handle(request); }

 private:
  // The reply as creditbot posted it: the audit record read back under the entry's policy and rendered
  // again (the renderer is deterministic, and a dry run renders the same words).
  absl::StatusOr<std::string> ReplyText(const LedgerEntry& entry, const std::string& result_json) const {
    for (const CreditPolicy& policy : policies_) {
      if (policy.name != entry.policy_name) continue;
      absl::StatusOr<CreditReport> report = ReadResultJson(result_json, policy);
      if (!report.ok()) return report.status();
      CreditReplyContext context;
      nlohmann::json result = nlohmann::json::parse(result_json, nullptr, /*allow_exceptions=*/false);
      if (result.is_object() && result.contains("inputs") && result["inputs"].is_object() &&
          result["inputs"].contains("source") && result["inputs"]["source"].is_object()) {
        context.looker_url = result["inputs"]["source"].value("looker_url", "");
      }
      return RenderCreditReply(*report, entry.execution_id, context).text;
    }
    return absl::NotFoundError(absl::StrCat("no policy named ", entry.policy_name));
  }

  std::unique_ptr<StateStore> state_;
  AuditFiles audit_;
  const std::vector<CreditPolicy> policies_;
  DashboardData data_;
  std::unique_ptr<HttpTransport> oidc_transport_;  // declared before the provider that uses it
  std::unique_ptr<SlackOpenIdConnect> oidc_;
  std::unique_ptr<SlackSignIn> sign_in_;
  std::unique_ptr<Approvers> approvers_;
  std::unique_ptr<Dashboard> dashboard_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ServeDashboard>> OpenServeDashboard(
    const Environment& env, const Config& config, const std::string& http_host,
    std::function<DecisionAnswer(const DecisionRequest&)> decide) {
  absl::StatusOr<std::unique_ptr<StateStore>> state = OpenStateStore(config, env);
  if (!state.ok()) {
    return absl::Status(state.status().code(),
                        absl::StrCat("dashboard: state store: ", state.status().message()));
  }
  absl::StatusOr<std::vector<CreditPolicy>> policies = LoadPolicies(config.policy_dir);
  if (!policies.ok()) {
    return absl::Status(policies.status().code(),
                        absl::StrCat("dashboard: policies: ", policies.status().message()));
  }
  auto dashboard = std::make_unique<ServeDashboardImpl>(env, *std::move(state), AuditLocation(config),
                                                        *std::move(policies));
  DashboardOptions options;
  // The embedded default only: no Slack, and reachable from this machine alone.
  const bool loopback = http_host == "localhost" || http_host == "::1" || absl::StartsWith(http_host, "127.");
  options.local_sign_in = config.slack_bot_token.empty() && loopback;
  options.api_token = config.api_token;
  options.replays_dir = ReplayArchive::InHome(config.work_dir).root();
  DashboardHooks hooks;
  hooks.decide = std::move(decide);
  dashboard->OpenApprovers(config, env.clock(), hooks);
  if (!config.slack_client_id.empty()) {
    if (absl::Status sign_in = dashboard->OpenSlackSignIn(env, config, hooks); !sign_in.ok()) {
      return absl::Status(sign_in.code(), absl::StrCat("dashboard: Sign in with Slack: ", sign_in.message()));
    }
  }
  dashboard->Open(std::move(options), std::move(hooks), env.clock());
  return dashboard;
}

}  // namespace creditbot
