// InteractionResponder: the Slack calls made after a click or a modal submission was acknowledged — open a
// modal (views.open with the click's trigger_id), answer only the person who clicked (the payload's
// response_url, or chat.postEphemeral). SlackInteractionResponder makes them through SlackWebApi and, for
// response_url, an HttpTransport; tests use a recording double.
//
// response_url is taken from the payload, so it is only followed to Slack: https on slack.com or a
// subdomain (hooks.slack.com), or the host and port of the configured Web API base (a staging Slack, the
// tests' fake on loopback). Anything else is refused with kPermissionDenied and nothing is sent.
//
// Thread-compatible: one thread at a time (as its SlackWebApi and HttpTransport).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "common/clock.h"
#include "net/http_transport.h"
#include "slack/slack_web_api.h"

namespace creditbot {

class InteractionResponder {
 public:
  virtual ~InteractionResponder() = default;
  // views.open of `view` for the click that carried `trigger_id`.
  virtual absl::Status OpenModal(std::string_view trigger_id, const nlohmann::json& view) = 0;
  // POST {"response_type":"ephemeral","replace_original":false,"text":…} to `response_url`: only the
  // person who clicked sees it, the message clicked on stays as it is.
  virtual absl::Status RespondEphemeral(std::string_view response_url, std::string_view text) = 0;
  // chat.postEphemeral of `text` to `user` in `channel` (in the thread `thread_ts` when not empty): for
  // answers after a modal, whose payload has no response_url.
  virtual absl::Status PostEphemeral(std::string_view channel, std::string_view user,
                                     std::string_view thread_ts, std::string_view text) = 0;
};

// The body RespondEphemeral posts.
std::string EphemeralResponseBody(std::string_view text);

// True when `response_url` may be followed (see the top of this file); `api_base_url` is the Web API base
// in use (SlackApiOptions::api_base_url).
bool IsSlackResponseUrl(std::string_view response_url, std::string_view api_base_url);

class SlackInteractionResponder final : public InteractionResponder {
 public:
  // `api` makes views.open and chat.postEphemeral; `transport` posts to response_url (not the api's own,
  // which it uses itself). Both must outlive the responder.
  SlackInteractionResponder(SlackWebApi& api, HttpTransport& transport, std::string api_base_url)
      : api_(api), transport_(transport), api_base_url_(std::move(api_base_url)) {}

  absl::Status OpenModal(std::string_view trigger_id, const nlohmann::json& view) override;
  // Errors: kPermissionDenied for a URL that is not Slack's; the transport's error; HttpStatusToError of a
  // non-2xx answer. Never retried (the answer would show twice).
  absl::Status RespondEphemeral(std::string_view response_url, std::string_view text) override;
  absl::Status PostEphemeral(std::string_view channel, std::string_view user, std::string_view thread_ts,
                             std::string_view text) override;

 private:
  SlackWebApi& api_;
  HttpTransport& transport_;
  std::string api_base_url_;
};

}  // namespace creditbot
