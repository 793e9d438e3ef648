// TrinoWarehouse: the Warehouse of a real deployment, a Trino (or PrestoDB) cluster reached through the
// client REST protocol (research notes: shared/research/looker_trino.md section 2).
//
// One query: POST /v1/statement with the SQL as text/plain, then GET each nextUri until a page has none.
// Rows are handed to the RowSink page by page as they arrive and nothing is kept, so memory is bounded by
// one page whatever the result size. Each page is decoded by one TrinoPageDecoder (trino_page.h, simdjson)
// into borrowed rows (RowSink::OnRowView); a page that cannot be used delivers none of its rows. The spooling
// protocol is never requested (no X-Trino-Query-Data-Encoding header); a page whose `data` is an object
// anyway is refused.
//
// Retries (STYLE.md: only where safe), all waiting through the injected Sleeper and counted against
// TrinoOptions::query_timeout on the injected Clock:
//   - GET nextUri: 502, 503, 504, 429 (honouring Retry-After) and transport failures (connection lost,
//     request timeout) are retried up to max_retries times with exponential backoff (100 ms, 200 ms, …,
//     capped at 10 s). Trino's nextUri carries a token, so fetching it again returns the same page.
//   - POST /v1/statement: only 503 and 429 are retried. Both are the answers of a gateway or a busy server
//     that did not accept the request (Trino's protocol doc: 502/503/504 come from load balancers;
//     PrestoDB's doc: 503 means "try again"); 502 and 504 can come after the gateway forwarded the POST,
//     so retrying those could start the query twice, and they are not retried (the Java client never
//     retries the POST at all). Transport failures on the POST are not retried either.
//   - The POST's answer (the query accepted, not yet run) is followed at once. After any later page
//     without rows the next poll waits a short, growing pause (10 ms doubling to 1 s; back to 10 ms
//     after rows arrive), so a queued query is not polled in a tight loop.
// When query_timeout passes, or the sink returns an error, or a page cannot be used, the query is
// cancelled with DELETE nextUri (best effort) before Query returns. A finished query is never DELETEd.
//
// Credentials: HTTP basic (user + password) or a bearer token, only over https (Trino itself refuses
// authentication without TLS). They go on every request, so a nextUri must stay on the origin (scheme,
// host, port) of base_url; another origin is refused rather than followed.
//
// An instance borrows its transport, clock and sleeper (MakeTrinoWarehouse's result owns the transport) and
// is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "net/http_transport.h"
#include "warehouse/trino_page.h"
#include "warehouse/warehouse.h"

namespace creditbot {

struct TrinoOptions {
  std::string base_url;              // "https://host:port" (no path). Required.
  std::string user;                  // X-Trino-User. Required unless bearer_token is set.
  std::string password;              // HTTP basic with `user`; https only. Default: none
  std::string bearer_token;          // JWT as "Authorization: Bearer"; https only. Default: none
  std::string catalog, schema;       // X-Trino-Catalog / -Schema. Default: none (the server's)
  std::string source = "creditbot";  // X-Trino-Source. Default: "creditbot"
  std::vector<std::pair<std::string, std::string>> session_properties;  // X-Trino-Session, one per property
  bool presto_headers = false;  // X-Presto-* instead of X-Trino-* (PrestoDB). Default: false
  absl::Duration query_timeout = absl::Minutes(5);  // whole query, retries and pauses included
  int max_retries = 5;                              // per request, see the header comment. Default: 5
};

// Parses CREDITBOT_WAREHOUSE-style URLs:
//   trino://USER@HOST[:PORT][/CATALOG[/SCHEMA]][?ssl=false]
//   presto://…  (the same, with presto_headers set)
// TLS (https) unless ?ssl=false; the port defaults to 443 with TLS and 8080 without. USER, CATALOG and
// SCHEMA are percent-decoded. A password in the URL is refused (it belongs in PRESTO_PASSWORD), as are
// unknown query parameters. kInvalidArgument with the reason otherwise.
absl::StatusOr<TrinoOptions> ParseTrinoUrl(std::string_view url);

class TrinoWarehouse final : public Warehouse {
 public:
  // Validates `options`: kInvalidArgument for a base_url that is not http(s)://host[:port], no user and no
  // token, both a password and a token, credentials over plain http, max_retries < 0 or a non-positive
  // query_timeout.
  static absl::StatusOr<std::unique_ptr<TrinoWarehouse>> Create(HttpTransport& transport, const Clock& clock,
                                                                Sleeper& sleeper, TrinoOptions options);

  // Runs `sql` (one statement, no trailing ';'). Errors:
  //   kInvalidArgument  the query failed with a USER_ERROR (message: error name, line:column, Trino's
  //                     message), or the POST was refused with a 4xx other than 401/403/404/429
  //   kUnavailable      retries exhausted on 502/503/504/429 or transport failures; a page that is not
  //                     JSON; a query failing with INSUFFICIENT_RESOURCES or EXTERNAL
  //   kInternal         INTERNAL_ERROR; a page that breaks the protocol (see ParseTrinoPage)
  //   kDeadlineExceeded query_timeout passed (the query was cancelled first, once it had a nextUri); or
  //                     the POST itself timed out (no query id yet: nothing to cancel)
  //   kUnauthenticated / kPermissionDenied / kNotFound  401 / 403 / 404 answers
  //   kFailedPrecondition  a nextUri on another origin than base_url
  //   the sink's own error unchanged (the query was cancelled first)
  absl::Status Query(std::string_view sql, RowSink& sink) override;

  std::string_view dialect() const override { return "trino"; }

  const TrinoOptions& options() const { return options_; }

 private:
  TrinoWarehouse(HttpTransport& transport, const Clock& clock, Sleeper& sleeper, TrinoOptions options);

  absl::StatusOr<HttpResponse> SendWithRetries(HttpRequest request, bool is_submit, absl::Time deadline);
  std::vector<std::pair<std::string, std::string>> Headers(bool submit) const;
  void Cancel(const std::string& next_uri);

  HttpTransport& transport_;
  const Clock& clock_;
  Sleeper& sleeper_;
  TrinoOptions options_;
  std::string origin_;  // "scheme://host:port", lower case, for the nextUri check
};

// A TrinoWarehouse that owns `transport` (what the app uses); `clock` and `sleeper` must outlive it. Errors
// as TrinoWarehouse::Create.
absl::StatusOr<std::unique_ptr<Warehouse>> MakeTrinoWarehouse(TrinoOptions options,
                                                              std::unique_ptr<HttpTransport> transport,
                                                              const Clock& clock, Sleeper& sleeper);

}  // namespace creditbot
