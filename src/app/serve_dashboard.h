// ServeDashboard: the web dashboard (web/dashboard.h) as `creditbot serve` mounts it on its HTTP endpoint
// (ServiceHttpHandlers::dashboard): its own state store instance (the worker's is never shared with request
// threads), the audit reader, the policies that render a reply again, and the sessions. Decisions are handed
// to serve through `decide` (serve runs them on the service worker with the runtime's DecisionDesk, as the
// Slack buttons are), so a decision in the browser updates the reply in Slack and is recorded once.
//
// Local sign-in (a form taking a Slack user id) is on only for the embedded default: without
// SLACK_BOT_TOKEN and with CREDITBOT_HTTP_ADDR on a loopback address; then cookies are not Secure (plain
// http on loopback). With Slack configured, people sign in with Slack (web/slack_sign_in.h) when
// SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and CREDITBOT_PUBLIC_URL are set (GET /auth/slack/start and
// /auth/slack/callback; otherwise those routes answer 503).
//
// The audit record is read from the audit folder; an audit in S3 is read through S3 (the same client
// settings as the audit sink).
//
// The Replays page lists and shows the reports `creditbot replay` wrote to $CREDITBOT_HOME/replays/
// (replay/replay_archive.h).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "app/config.h"
#include "app/environment.h"
#include "bot/decision_desk.h"
#include "bot/service_http_front.h"

namespace creditbot {

class ServeDashboard {
 public:
  virtual ~ServeDashboard() = default;
  virtual HttpFrontResponse Handle(const HttpFrontRequest& request) = 0;
};

// `decide` runs one decision through the one decision path and returns its answer (it may block a request
// thread for a while). Errors: the state store cannot be opened (OpenStateStore's), the policies cannot be
// loaded. `http_host` is CREDITBOT_HTTP_ADDR's host.
absl::StatusOr<std::unique_ptr<ServeDashboard>> OpenServeDashboard(
    const Environment& env, const Config& config, const std::string& http_host,
    std::function<DecisionAnswer(const DecisionRequest&)> decide);

}  // namespace creditbot
