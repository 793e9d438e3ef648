// LookerApiResolver: the Looker API 4.0 client behind LookResolver. It turns a classified Looker link
// (LookerRef, see core/looker_url.h) into the SQL Looker generates for it, without running the query:
//
//   Look                       GET /looks/{id} → query_id → GET /queries/{query_id}/run/sql
//   Explore ?qid=, /x/{slug},  GET /queries/slug/{slug} → id → GET /queries/{id}/run/sql
//   /embed/query-visualization
//   Explore without qid        GET /queries/models/{model}/views/{explore}/run/sql?{the link's query string}
//   (an "expanded" URL)        (run_url_encoded_query: Looker's own explore-URL syntax, passed through)
//   /dashboards/{id},          GET /dashboards/{id} → the one tile whose query has the fraud-report fields
//   /dashboards/{model::name}  → GET /queries/{query_id}/run/sql
//
// Dashboard filter values are not merged into the tile's query yet: a link whose filter values (or, absent
// from the link, the dashboard's defaults) differ from the tile's stored query is refused
// (kFailedPrecondition naming them) rather than resolved to SQL for other data.
//
// A body cut short (HTTP 200 with a consistent length, so the transport cannot tell) is caught where it can
// be: the SQL must lex, balance its parentheses and, when the query's JSON gives a positive row limit (the
// Look's embedded query, the slug's query, the tile's query, an Explore link's limit=), end with the
// `LIMIT n` Looker writes for it (CheckLookerSqlComplete, core/sql_guard.h). Such SQL is kUnavailable
// (fetched again on a later pass) and never cached or run.
//
// Requests go only to the configured API base: the resolver never fetches the link itself and builds every
// path from the ids ClassifyLink parsed (re-checked here, and percent-encoded), so the credentials cannot
// leave for another host. The link's URL is read only for an expanded Explore's query string.
//
// Authentication: POST /login with the form-encoded client id and secret; the token is sent as
// `Authorization: token …`, renewed `token_renew_margin` before `expires_in` runs out and once after a 401.
// A login Looker refuses (it answers 404 to bad credentials) fails this instance for good — one attempt,
// no retry loop — with a message naming LOOKER_CLIENT_ID / LOOKER_CLIENT_SECRET. The secret never appears
// in any returned message (messages are scrubbed of it, raw and URL-encoded, as a last line of defence).
//
// Sizes: an answer larger than kMaxLookerAnswerBytes is not read (kOutOfRange, permanent, naming the call);
// SQL larger than kMaxSqlBytes is refused by the SQL guard before it is run.
//
// Caching: one instance serves one pass; each link and each query id is resolved at most once by it.
//
// Thread-compatible: one thread at a time (as the HttpTransport it uses). The transport, clock and sleeper
// must outlive the resolver.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "looker/look_resolver.h"
#include "net/http_transport.h"

namespace creditbot {

// The largest Looker answer read: 8 MiB, eight times the largest SQL creditbot runs (kMaxSqlBytes), room
// for a look's or query's JSON around it.
inline constexpr std::size_t kMaxLookerAnswerBytes = std::size_t{8} << 20;

struct LookerApiOptions {
  // Where the API lives, e.g. "https://acme.looker.com:19999" or "https://acme.looker.com"; "/api/4.0" is
  // appended. Must be https (http only on loopback, for tests) with no path, user info, query or fragment
  // (CREDITBOT_LOOKER_API_URL).
  std::string api_base_url;
  std::string client_id;      // LOOKER_CLIENT_ID
  std::string client_secret;  // LOOKER_CLIENT_SECRET
  // A dashboard tile fits when, for every entry, one of its query's fields has that name after the view
  // prefix ("authy_fraud_report.day") or ends with "_" + it ("sms.total_fraud_charges_usd").
  // Default: the fraud report's required columns.
  std::vector<std::string> required_field_suffixes = {"day", "account_sid", "mcc", "attempts_sent",
                                                      "fraud_charges_usd"};
  // Default: 60 s; log in again this long before the token's expires_in runs out.
  absl::Duration token_renew_margin = absl::Seconds(60);
  // Default: 3; answers 429 are retried this often (after Retry-After, else 1 s, 2 s, 4 s …), then
  // kUnavailable.
  int max_rate_limit_retries = 3;
  absl::Duration max_retry_after = absl::Minutes(2);   // Default: 2 min; a longer Retry-After is capped
  absl::Duration request_timeout = absl::Seconds(30);  // Default: 30 s per request
};

class LookerApiResolver final : public LookResolver {
 public:
  LookerApiResolver(HttpTransport& transport, const Clock& clock, Sleeper& sleeper, LookerApiOptions options);

  // Checks the options without any request: kInvalidArgument naming CREDITBOT_LOOKER_API_URL for a bad
  // base URL, kFailedPrecondition naming LOOKER_CLIENT_ID / LOOKER_CLIENT_SECRET when one is empty.
  static absl::Status ValidateOptions(const LookerApiOptions& options);

  // The SQL behind `ref`. Errors:
  //   kInvalidArgument    — `ref` is not a link to our Looker (kOther) or carries an id ClassifyLink would
  //                         never produce (no request is made); Looker answered 400/422
  //   kUnimplemented      — a link on our Looker that names no Look, Explore or dashboard (kLookerOther)
  //   kUnauthenticated    — Looker refused the API credentials (404/401/403 on login), or a 401 persists
  //                         after one fresh login
  //   kFailedPrecondition — bad options (see ValidateOptions); a dashboard with no tile, or several tiles,
  //                         with the fraud-report fields (the message lists the tiles: "which tile?"); a
  //                         dashboard filter that would change the tile's query; a Look without a query
  //   kNotFound           — Looker answered 404 for the look/slug/dashboard/query (named in the message)
  //   kPermissionDenied   — Looker answered 403
  //   kUnavailable        — 5xx, connection failures, 429 still answered after max_rate_limit_retries, an
  //                         unreadable reply, SQL that looks cut short (below); kDeadlineExceeded on a
  //                         timeout (both retried on later passes)
  absl::StatusOr<ResolvedSql> Resolve(const LookerRef& ref) override;

  // Logs in (or reuses a valid token) without touching any content: `creditbot doctor`'s Looker check.
  // The errors of Resolve's login: kUnauthenticated, kFailedPrecondition, kUnavailable, kDeadlineExceeded.
  absl::Status CheckLogin() { return Scrub(EnsureToken()); }

 private:
  struct Token {
    std::string value;
    absl::Time renew_at = absl::InfinitePast();
  };

  // A query id and the row limit its JSON gives ("" when unknown), for CheckWhole.
  struct QueryRef {
    std::string id;
    std::string row_limit;
  };

  absl::StatusOr<ResolvedSql> ResolveUncached(const LookerRef& ref);
  absl::StatusOr<QueryRef> QueryIdForLook(std::string_view look_id);
  absl::StatusOr<QueryRef> QueryIdForSlug(std::string_view slug);
  absl::StatusOr<ResolvedSql> ResolveDashboard(const LookerRef& ref);
  absl::StatusOr<ResolvedSql> ResolveExpandedExplore(const LookerRef& ref);
  // GET /queries/{id}/run/sql, checked by CheckWhole, cached by query id.
  absl::StatusOr<std::string> SqlForQuery(std::string_view query_id, std::string_view row_limit);
  // kUnavailable (fetched again on a later pass) when `sql` looks cut short: CheckLookerSqlComplete.
  absl::Status CheckWhole(std::string_view sql, std::string_view row_limit, std::string_view what) const;
  absl::StatusOr<std::vector<std::string>> FieldsOfQuery(std::string_view query_id);

  // An authenticated GET of `path_and_query` (below /api/4.0). `what` names the object for messages
  // ("look 42"). Non-2xx answers become errors (see Resolve).
  absl::StatusOr<HttpResponse> Get(const std::string& path_and_query, std::string_view what);
  absl::Status EnsureToken();
  absl::Status Login();
  // Sends `request`, sleeping through up to max_rate_limit_retries answers 429.
  absl::StatusOr<HttpResponse> SendWithRateLimitRetries(const HttpRequest& request, std::string_view what);
  absl::Status ErrorForResponse(const HttpResponse& response, std::string_view what) const;
  absl::Status Scrub(const absl::Status& status) const;

  HttpTransport& transport_;
  const Clock& clock_;
  Sleeper& sleeper_;
  LookerApiOptions options_;
  absl::Status options_status_;
  std::string api_root_;  // "https://host[:port]/api/4.0"
  Token token_;
  absl::Status login_failure_;  // sticky: a refused login is not retried by this instance
  std::map<std::string, std::string, std::less<>> sql_by_query_id_;
  std::map<std::string, ResolvedSql, std::less<>> resolved_by_link_;
};

}  // namespace creditbot
