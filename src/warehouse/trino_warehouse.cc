// The Trino/Presto client protocol over HttpTransport: the submit/poll/cancel loop with its retry rules,
// and the trino:// URL form (see trino_warehouse.h); pages are decoded by TrinoPageDecoder (trino_page.h).
#include "warehouse/trino_warehouse.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/backoff.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/url.h"

namespace creditbot {
namespace {

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
constexpr absl::Duration kMaxBackoff = absl::Seconds(10);
constexpr absl::Duration kFirstIdlePause = absl::Milliseconds(10);
constexpr absl::Duration kMaxIdlePause = absl::Seconds(1);
constexpr absl::Duration kMaxRequestTimeout = absl::Minutes(1);
constexpr absl::Duration kCancelTimeout = absl::Seconds(10);
constexpr absl::Duration kRetryAfterCap = absl::Minutes(5);

absl::Status QueryErrorStatus(const TrinoQueryError& error, std::string_view query_id) {
  std::string text =
      absl::StrCat("Trino query ", ToAbsl(query_id),
                   " failed: ", error.error_name.empty() ? "(no error name)" : error.error_name);
  if (!error.error_type.empty()) absl::StrAppend(&text, " (", error.error_type, ")");
  if (error.line > 0) absl::StrAppend(&text, " at line ", error.line, ":", error.column);
  absl::StrAppend(&text, ": ", error.message.empty() ? "(no message)" : error.message);
  if (error.error_type == "USER_ERROR") return absl::InvalidArgumentError(text);
  if (error.error_type == "INSUFFICIENT_RESOURCES" || error.error_type == "EXTERNAL") {
    return absl::UnavailableError(text);
  }
  return absl::InternalError(text);
}

struct Origin {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower case; IPv6 in brackets
  int port = 0;
  bool bare = true;  // no path but "/", no query, no fragment
  std::string Text() const { return absl::StrCat(scheme, "://", host, ":", port); }
};

// An absolute http(s) URL without userinfo; nullopt otherwise.
std::optional<Origin> ParseOrigin(std::string_view text) {
  absl::StatusOr<ParsedUrl> url = ParseUrl(text);
  if (!url.ok() || (url->scheme != "http" && url->scheme != "https") || url->user) return std::nullopt;
  Origin origin;
  origin.scheme = url->scheme;
  origin.host = url->host;
  origin.port = url->port.value_or(url->scheme == "https" ? 443 : 80);
  origin.bare = url->path == "/" && !url->query && url->fragment.empty();
  return origin;
}

bool HasLineBreak(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

absl::StatusOr<TrinoOptions> ParseTrinoUrl(std::string_view url_text) {
  const absl::string_view url = ToAbsl(url_text);
  auto bad = [&](std::string_view why) {
    // The URL holds no secret (passwords are refused before they are echoed).
    return absl::InvalidArgumentError(absl::StrCat("'", url, "': ", ToAbsl(why),
                                                   " (expected trino://USER@HOST[:PORT][/CATALOG[/SCHEMA]]"
                                                   "[?ssl=false])"));
  };
  TrinoOptions options;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "presto://")) {
    options.presto_headers = true;
  } else if (!absl::ConsumePrefix(&rest, "trino://")) {
    return bad("not a trino:// or presto:// URL");
  }
  absl::StatusOr<ParsedUrl> parsed = ParseUrl(url_text);
  if (!parsed.ok()) {
    // Not echoed: a URL libcurl cannot read may still hold a password.
    return absl::InvalidArgumentError(absl::StrCat("the warehouse URL: ", parsed.status().message(),
                                                   " (expected trino://USER@HOST[:PORT][/CATALOG[/SCHEMA]]"
                                                   "[?ssl=false])"));
  }
  if (parsed->has_password) {
    return absl::InvalidArgumentError(
        "the warehouse URL holds a password: remove it and set PRESTO_PASSWORD instead");
  }
  if (parsed->user) {
    std::optional<std::string> user = PercentDecodeStrict(*parsed->user);
    if (!user || user->empty() || HasLineBreak(*user)) return bad("bad user name");
    options.user = *std::move(user);
  }
  if (!parsed->fragment.empty()) return bad("a fragment ('#')");
  bool tls = true;
  for (absl::string_view parameter : absl::StrSplit(parsed->query.value_or(""), '&', absl::SkipEmpty())) {
    if (parameter == "ssl=false") {
      tls = false;
    } else if (parameter == "ssl=true") {
      tls = true;
    } else {
      return bad(absl::StrCat("unknown parameter '", parameter, "'"));
    }
  }
  const std::string& host = parsed->host;
  const int port = parsed->port.value_or(tls ? 443 : 8080);
  std::vector<std::string> segments;
  for (absl::string_view segment : absl::StrSplit(parsed->path, '/', absl::SkipEmpty())) {
    std::optional<std::string> decoded = PercentDecodeStrict(ToStd(segment));
    if (!decoded || HasLineBreak(*decoded)) return bad("bad catalog or schema");
    segments.push_back(*std::move(decoded));
  }
  if (segments.size() > 2) return bad("too many path segments");
  if (!segments.empty()) options.catalog = segments[0];
  if (segments.size() > 1) options.schema = segments[1];
  options.base_url = absl::StrCat(tls ? "https" : "http", "://", host, ":", port);
  return options;
}

TrinoWarehouse::TrinoWarehouse(HttpTransport& transport, const Clock& clock, Sleeper& sleeper,
                               TrinoOptions options)
    : transport_(transport), clock_(clock), sleeper_(sleeper), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<TrinoWarehouse>> TrinoWarehouse::Create(HttpTransport& transport,
                                                                       const Clock& clock, Sleeper& sleeper,
                                                                       TrinoOptions options) {
  auto bad = [](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("Trino: ", ToAbsl(why)));
  };
  std::optional<Origin> origin = ParseOrigin(options.base_url);
  if (!origin || !origin->bare) {
    return bad(absl::StrCat("base_url '", options.base_url, "' is not http(s)://host[:port]"));
  }
  if (options.user.empty() && options.bearer_token.empty()) return bad("no user (X-Trino-User) and no token");
  if (!options.password.empty() && options.user.empty()) return bad("a password needs a user");
  if (!options.password.empty() && !options.bearer_token.empty()) {
    return bad("both a password and a bearer token; choose one");
  }
  if ((!options.password.empty() || !options.bearer_token.empty()) && origin->scheme != "https") {
    return bad(absl::StrCat("credentials are only sent over https, and base_url is ", origin->Text(),
                            " (Trino refuses authentication without TLS)"));
  }
  for (const std::string* text : {&options.user, &options.password, &options.bearer_token, &options.catalog,
                                  &options.schema, &options.source}) {
    if (HasLineBreak(*text)) return bad("a setting holds a line break");
  }
  for (const auto& [name, value] : options.session_properties) {
    if (name.empty() || name.find_first_of("=,\r\n ") != std::string::npos) {
      return bad(absl::StrCat("bad session property name '", name, "'"));
    }
  }
  if (options.max_retries < 0) return bad("max_retries is negative");
  if (options.query_timeout <= absl::ZeroDuration()) return bad("query_timeout is not positive");
  auto warehouse =
      std::unique_ptr<TrinoWarehouse>(new TrinoWarehouse(transport, clock, sleeper, std::move(options)));
  warehouse->origin_ = origin->Text();
  return warehouse;
}

std::vector<std::pair<std::string, std::string>> TrinoWarehouse::Headers(bool submit) const {
  const std::string prefix = options_.presto_headers ? "X-Presto-" : "X-Trino-";
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("User-Agent", "creditbot");
  if (!options_.password.empty()) {
    headers.emplace_back(
        "Authorization",
        absl::StrCat("Basic ", absl::Base64Escape(absl::StrCat(options_.user, ":", options_.password))));
  } else if (!options_.bearer_token.empty()) {
    headers.emplace_back("Authorization", absl::StrCat("Bearer ", options_.bearer_token));
  }
  // PrestoDB wants the user on every request; the Java Trino client sends it on every GET too.
  if (!options_.user.empty()) headers.emplace_back(prefix + "User", options_.user);
  if (!submit) return headers;
  headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  if (!options_.source.empty()) headers.emplace_back(prefix + "Source", options_.source);
  if (!options_.catalog.empty()) headers.emplace_back(prefix + "Catalog", options_.catalog);
  if (!options_.schema.empty()) headers.emplace_back(prefix + "Schema", options_.schema);
  for (const auto& [name, value] : options_.session_properties) {
    headers.emplace_back(prefix + "Session", absl::StrCat(name, "=", PercentEncode(value)));
  }
  return headers;
}

void TrinoWarehouse::Cancel(const std::string& next_uri) {
  HttpRequest request;
  request.method = "DELETE";
  request.url = next_uri;
  request.headers = Headers(/*submit=*/false);
  request.timeout = kCancelTimeout;
  (void)transport_.Send(request);  // best effort: the server abandons an unpolled query anyway
}

absl::StatusOr<HttpResponse> TrinoWarehouse::SendWithRetries(HttpRequest request, bool is_submit,
                                                             absl::Time deadline) {
  const std::string what = is_submit ? "Trino POST /v1/statement" : "Trino GET nextUri";
  const BackoffPolicy backoff(kFirstBackoff, kMaxBackoff, BackoffJitter::kNone, kRetryAfterCap);
  for (int attempt = 0;; ++attempt) {
    const absl::Duration remaining = deadline - clock_.Now();
    if (remaining <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(absl::StrCat(what, ": query_timeout passed"));
    }
    request.timeout = std::min(remaining, kMaxRequestTimeout);
    absl::StatusOr<HttpResponse> response = transport_.Send(request);
    std::optional<absl::Duration> asked;  // Retry-After
    absl::Status failure;
    if (!response.ok()) {
      const absl::StatusCode code = response.status().code();
      const bool transient =
          code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded;
      failure = absl::Status(response.status().code(), absl::StrCat("Trino: ", response.status().message()));
      if (is_submit || !transient) return failure;
    } else {
      const int status = response->status;
      if (status == 200) return response;
      if (status > 200 && status < 300) {
        return absl::InternalError(absl::StrCat(what, ": HTTP ", status, " instead of 200"));
      }
      failure = HttpStatusToError(status, what);
      // Any 5xx is the server's trouble, not the query's: kUnavailable, so the request is tried again on a
      // later pass (the calculation is read-only) instead of failing for good (RELIABILITY.md, S2). Only the
      // statuses below are retried within this call: a 500 may have started the query.
      if (status >= 500) failure = absl::UnavailableError(failure.message());
      const bool retryable = is_submit ? (status == 503 || status == 429)
                                       : (status == 502 || status == 503 || status == 504 || status == 429);
      if (!retryable) return failure;
      if (status == 429 || status == 503) asked = RetryAfter(*response, clock_.Now(), kRetryAfterCap);
    }
    if (attempt >= options_.max_retries) {
      return absl::UnavailableError(
          absl::StrCat(failure.message(), " (gave up after ", options_.max_retries, " retries)"));
    }
    const absl::Duration delay = backoff.Delay(attempt, asked);
    if (clock_.Now() + delay >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat(failure.message(), "; query_timeout passes before the next retry"));
    }
    sleeper_.Sleep(delay);
  }
}

absl::Status TrinoWarehouse::Query(std::string_view sql, RowSink& sink) {
  const absl::Time deadline = clock_.Now() + options_.query_timeout;
  HttpRequest submit;
  submit.method = "POST";
  submit.url = origin_ + "/v1/statement";
  submit.headers = Headers(/*submit=*/true);
  submit.body = std::string(sql);
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response, SendWithRetries(std::move(submit), true, deadline));

  std::vector<Column> columns;
  bool columns_sent = false;
  absl::Duration idle_pause = kFirstIdlePause;
  // The POST is answered at once, before the query has run, so its page is almost always empty: its
  // nextUri is followed without a pause (Trino's GET long-polls on the server, as every Trino client
  // relies on). A pause there cost 10 ms per query, ~80 ms per request (issue 7, docs/BENCHMARKS.md).
  bool submit_answer = true;
  // One decoder for the whole query: its buffers are reused page after page.
  TrinoPageDecoder decoder;
  for (;;) {
    // Its nextUri is unknown when the page cannot be decoded, so there is nothing to cancel.
    CREDITBOT_RETURN_IF_ERROR(decoder.Decode(response.body, columns));
    const TrinoPage* page = &decoder.head();
    if (page->error) return QueryErrorStatus(*page->error, page->id);
    auto stop = [&](absl::Status status) {
      if (page->next_uri) Cancel(*page->next_uri);
      return status;
    };
    if (!columns_sent && !page->columns.empty()) {
      columns = page->columns;
      columns_sent = true;
      if (absl::Status status = sink.OnColumns(columns); !status.ok()) return stop(status);
    }
    const std::size_t rows = decoder.row_count();
    for (std::size_t i = 0; i < rows; ++i) {
      if (absl::Status status = sink.OnRowView(decoder.Row(i)); !status.ok()) return stop(status);
    }
    if (!page->next_uri) {
      if (!columns_sent) return sink.OnColumns({});  // a statement without a result set
      return absl::OkStatus();
    }
    const std::optional<Origin> next = ParseOrigin(*page->next_uri);
    if (!next || next->Text() != origin_) {
      // Credentials go on every request: never to another origin. The query is abandoned by the server.
      return absl::FailedPreconditionError(
          absl::StrCat("Trino query ", page->id, ": nextUri is not on ", origin_,
                       " (set http-server.process-forwarded on the coordinator behind a proxy)"));
    }
    if (rows == 0 && !submit_answer) {
      // Never past the deadline: the check below then cancels instead of polling once more.
      sleeper_.Sleep(std::max(absl::ZeroDuration(), std::min(idle_pause, deadline - clock_.Now())));
      idle_pause = std::min(idle_pause * 2, kMaxIdlePause);
    } else if (rows > 0) {
      idle_pause = kFirstIdlePause;
    }
    submit_answer = false;
    if (clock_.Now() >= deadline) {
      return stop(absl::DeadlineExceededError(absl::StrCat("Trino query ", page->id, " ran longer than ",
                                                           absl::FormatDuration(options_.query_timeout),
                                                           "; cancelled")));
    }
    HttpRequest poll;
    poll.url = *page->next_uri;
    poll.headers = Headers(/*submit=*/false);
    absl::StatusOr<HttpResponse> polled = SendWithRetries(std::move(poll), false, deadline);
    if (!polled.ok()) {
      if (polled.status().code() == absl::StatusCode::kDeadlineExceeded) {
        return stop(absl::DeadlineExceededError(absl::StrCat(
            "Trino query ", page->id, " ran longer than ", absl::FormatDuration(options_.query_timeout),
            "; cancelled (", polled.status().message(), ")")));
      }
      return stop(polled.status());
    }
    response = *std::move(polled);
  }
}

namespace {

// Owns the transport a TrinoWarehouse borrows.
class OwningTrinoWarehouse final : public Warehouse {
 public:
  explicit OwningTrinoWarehouse(std::unique_ptr<HttpTransport> transport)
      : transport_(std::move(transport)) {}
  absl::Status Init(TrinoOptions options, const Clock& clock, Sleeper& sleeper) {
    CREDITBOT_ASSIGN_OR_RETURN(inner_,
                               TrinoWarehouse::Create(*transport_, clock, sleeper, std::move(options)));
    return absl::OkStatus();
  }
  absl::Status Query(std::string_view sql, RowSink& sink) override { return inner_->Query(sql, sink); }
  std::string_view dialect() const override { return inner_->dialect(); }

 private:
  std::unique_ptr<HttpTransport> transport_;
  std::unique_ptr<TrinoWarehouse> inner_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Warehouse>> MakeTrinoWarehouse(TrinoOptions options,
                                                              std::unique_ptr<HttpTransport> transport,
                                                              const Clock& clock, Sleeper& sleeper) {
  auto warehouse = std::make_unique<OwningTrinoWarehouse>(std::move(transport));
  CREDITBOT_RETURN_IF_ERROR(warehouse->Init(std::move(options), clock, sleeper));
  return std::unique_ptr<Warehouse>(std::move(warehouse));
}

}  // namespace creditbot
