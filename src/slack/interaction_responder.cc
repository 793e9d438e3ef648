// The Slack calls after an acknowledged interaction: views.open, response_url, chat.postEphemeral; see
// interaction_responder.h.
#include "slack/interaction_responder.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "common/url.h"

namespace creditbot {

std::string EphemeralResponseBody(std::string_view text) {
  return nlohmann::json{{"response_type", "ephemeral"}, {"replace_original", false}, {"text", text}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool IsSlackResponseUrl(std::string_view response_url, std::string_view api_base_url) {
  absl::StatusOr<ParsedUrl> url = ParseUrl(response_url);
  if (!url.ok()) return false;
  if (url->user.has_value() || url->has_password) return false;
  if (url->scheme == "https" && (url->host == "slack.com" || absl::EndsWith(url->host, ".slack.com")) &&
      !url->port.has_value()) {
    return true;
  }
  absl::StatusOr<ParsedUrl> base = ParseUrl(api_base_url);
  if (!base.ok()) return false;
  return url->scheme == base->scheme && url->host == base->host && url->port == base->port;
}

absl::Status SlackInteractionResponder::OpenModal(std::string_view trigger_id, const nlohmann::json& view) {
  return api_.OpenView(trigger_id, view.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .status();
}

absl::Status SlackInteractionResponder::RespondEphemeral(std::string_view response_url,
                                                         std::string_view text) {
  if (!IsSlackResponseUrl(response_url, api_base_url_)) {
    return absl::PermissionDeniedError(
        absl::StrCat("response_url ", RedactedUrl(response_url), " is not Slack's; not followed"));
  }
  HttpRequest request;
  request.method = "POST";
  request.url = std::string(response_url);
  request.headers = {{"Content-Type", "application/json; charset=utf-8"}};
  request.body = EphemeralResponseBody(text);
  request.timeout = absl::Seconds(10);
  request.max_response_bytes = std::size_t{64} * 1024;
  absl::StatusOr<HttpResponse> answer = transport_.Send(request);
  if (!answer.ok()) return answer.status();
  return HttpStatusToError(answer->status, absl::StrCat("Slack response_url ", RedactedUrl(response_url)));
}

absl::Status SlackInteractionResponder::PostEphemeral(std::string_view channel, std::string_view user,
                                                      std::string_view thread_ts, std::string_view text) {
  return api_.PostEphemeral(channel, user, text, /*blocks_json=*/"", thread_ts).status();
}

}  // namespace creditbot
