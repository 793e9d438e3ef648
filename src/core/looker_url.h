// Classifies a URL found in Slack against the configured Looker web address (CREDITBOT_LOOKER_BASE_URL):
// is it a link to our Looker at all, and if so, to what (a Look, a share URL, an explore query, a dashboard
// …) and with which id. This is where the rule "links to any other host are never followed" is enforced.
//
// Parsing is libcurl's URL API (curl_url), so the host we compare is the host an HTTP client would
// connect to: `https://looker.example.com@evil.test/` is evil.test, `looker.example.com.evil.test` is not
// looker.example.com. The classifier never fetches anything, and callers must build every Looker API request
// from the configured base and the returned id, never from the URL itself.
//
// Pure functions, no shared state, safe to call from any thread; nothing here throws.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {

// The configured Looker web address, normalised for exact comparison.
struct LookerBase {
  std::string scheme;  // "http" or "https"
  std::string host;    // ASCII-lower-cased, as libcurl parsed it (IPv6 literals keep their brackets)
  int port = 0;        // effective port: the explicit one, else 443 for https and 80 for http

  // "https://looker.example.com", with ":port" only when it is not the scheme's default.
  std::string Origin() const;
};

// Parses CREDITBOT_LOOKER_BASE_URL, e.g. "https://looker.example.com" or "https://acme.looker.com:19999".
// A trailing "/" is allowed. Fails with kInvalidArgument, naming the problem, when the text is not a URL,
// its scheme is not http or https, or it carries user info, a path other than "/", a query or a fragment.
absl::StatusOr<LookerBase> ParseLookerBase(std::string_view base_url);

enum class LinkKind {
  kLook,                // /looks/{digits}
  kExplore,             // /explore/{model}/{explore}, id = qid (empty: an expanded explore URL)
  kShare,               // /x/{slug}
  kDashboard,           // /dashboards/{digits}, /dashboards-next/{digits}
  kLookmlDashboard,     // /dashboards/{model}::{name}
  kQueryVisualization,  // /embed/query-visualization/{qid}
  kLookerOther,         // on the Looker host, but not a form we can resolve to SQL
  kOther,               // not our Looker: other host, port or scheme, user info, not a URL at all
};

// "look", "explore", "share", "dashboard", "lookml_dashboard", "query", "looker_other", "other".
std::string_view LinkKindName(LinkKind kind);

// What a link points to.
struct LookerRef {
  LinkKind kind = LinkKind::kOther;
  // kLook, kDashboard: the numeric id (1–18 digits, so it always fits an int64).
  // kShare, kQueryVisualization: the slug. kExplore: the qid ("" for an expanded explore URL).
  // kLookmlDashboard: "model::name". kLookerOther, kOther: "".
  std::string id;
  std::string model;    // kExplore, kLookmlDashboard
  std::string explore;  // kExplore
  std::string url;      // the URL as given, so callers can read extra query parameters (dashboard filters,
                        // expanded explore fields)

  // True for every kind but kOther, including kLookerOther (our host, but unresolvable).
  bool IsLooker() const { return kind != LinkKind::kOther; }
};

// Classifies `url` against `base`. A link is ours only when its scheme, host (case-insensitively) and
// effective port equal the base's exactly and it has no user info; everything else is kOther.
//
// On our host the path decides, after an optional "/embed" prefix is removed and one trailing "/" is
// tolerated (query strings and fragments are ignored except for `qid`):
//   /looks/{digits}                         kLook
//   /x/{slug}                               kShare             slug: [A-Za-z0-9]+
//   /explore/{model}/{explore}[?qid={slug}] kExplore           names: [A-Za-z0-9_-]+
//   /query/{model}/{explore}?qid={slug}     kExplore           old embed form, only under /embed, qid
//   required /dashboards/{digits}                    kDashboard         also /dashboards-next/{digits}
//   /dashboards/{model}::{name}             kLookmlDashboard   also under /dashboards-next
//   /query-visualization/{slug}             kQueryVisualization  only under /embed
// Anything else on our host (including a malformed qid, a percent-encoded id, an empty path segment)
// is kLookerOther. Path matching is case-sensitive; dot segments are resolved first ("/a/../looks/1" is
// "/looks/1"), as an HTTP client would. Never fails: unparseable input is kOther.
LookerRef ClassifyLink(std::string_view url, const LookerBase& base);

}  // namespace creditbot
