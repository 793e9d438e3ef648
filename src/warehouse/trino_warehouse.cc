// The Trino/Presto client protocol over HttpTransport: page decoding, the submit/poll/cancel loop with its
// retry rules, and the trino:// URL form (see trino_warehouse.h).
#include "warehouse/trino_warehouse.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/backoff.h"
#include "common/json_fields.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/url.h"

namespace creditbot {
namespace {

using Json = nlohmann::json;

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
constexpr absl::Duration kMaxBackoff = absl::Seconds(10);
constexpr absl::Duration kFirstIdlePause = absl::Milliseconds(10);
constexpr absl::Duration kMaxIdlePause = absl::Seconds(1);
constexpr absl::Duration kMaxRequestTimeout = absl::Minutes(1);
constexpr absl::Duration kCancelTimeout = absl::Seconds(10);
constexpr absl::Duration kRetryAfterCap = absl::Minutes(5);

absl::Status ProtocolError(std::string_view what) {
  return absl::InternalError(absl::StrCat("Trino sent an unusable page: ", ToAbsl(what)));
}

// "decimal(3, 1)" → "decimal"; "timestamp(3) with time zone" → "timestamp"; "INTERVAL DAY TO SECOND" →
// "interval". `type` is already lower case.
std::string_view BaseType(std::string_view type) { return type.substr(0, type.find_first_of("( ")); }

absl::StatusOr<Value> DecodeValue(const Json& cell, const Column& column) {
  if (cell.is_null()) return Value(Null{});
  const std::string_view base = BaseType(column.type);
  auto wrong = [&](std::string_view expected) {
    return ProtocolError(absl::StrCat("column '", column.name, "' (", column.type, "): expected ",
                                      ToAbsl(expected), ", got ", cell.type_name()));
  };
  if (base == "tinyint" || base == "smallint" || base == "integer" || base == "bigint") {
    if (cell.is_number_unsigned()) {
      const auto value = cell.get<uint64_t>();
      if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return wrong("an integer within 64 bits");
      }
      return Value(static_cast<int64_t>(value));
    }
    if (cell.is_number_integer()) return Value(cell.get<int64_t>());
    return wrong("an integer");
  }
  if (base == "boolean") {
    if (!cell.is_boolean()) return wrong("a boolean");
    return Value(int64_t{cell.get<bool>() ? 1 : 0});
  }
  if (base == "double" || base == "real") {
    if (cell.is_number()) return Value(cell.get<double>());
    if (cell.is_string()) {
      const auto& text = cell.get_ref<const std::string&>();
      if (text == "NaN") return Value(std::numeric_limits<double>::quiet_NaN());
      if (text == "Infinity") return Value(std::numeric_limits<double>::infinity());
      if (text == "-Infinity") return Value(-std::numeric_limits<double>::infinity());
    }
    return wrong(R"(a number, "NaN", "Infinity" or "-Infinity")");
  }
  if (cell.is_string()) return Value(cell.get<std::string>());
  // array/map/row (and a decimal some old server sent as a number): the JSON text, nothing rounded.
  return Value(cell.dump(-1, ' ', false, Json::error_handler_t::replace));
}

// An int member; 0 when missing, not an integer, or outside 0..INT_MAX.
int IntMember(const Json& object, const char* key) {
  const int64_t number = JsonIntegerMember(object, key).value_or(0);
  return number < 0 || number > std::numeric_limits<int>::max() ? 0 : static_cast<int>(number);
}

TrinoQueryError DecodeError(const Json& error) {
  TrinoQueryError out;
  out.message = JsonStringMember(error, "message");
  out.error_name = JsonStringMember(error, "errorName");
  out.error_type = JsonStringMember(error, "errorType");
  if (const std::optional<int64_t> code = JsonIntegerMember(error, "errorCode")) out.error_code = *code;
  if (const Json* location = JsonObjectMember(error, "errorLocation")) {
    out.line = IntMember(*location, "lineNumber");
    out.column = IntMember(*location, "columnNumber");
  }
  return out;
}

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

absl::StatusOr<TrinoPage> ParseTrinoPage(std::string_view json, const std::vector<Column>& known_columns) {
  const Json page = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (page.is_discarded()) {
    // Cut off on the way, or a proxy's error page with a 200: the query can be run again later.
    return absl::UnavailableError(
        "Trino sent a page that is not JSON (cut off on the way?); will try again later");
  }
  if (!page.is_object()) return ProtocolError("not a JSON object");
  TrinoPage out;
  out.id = JsonStringMember(page, "id");
  if (const Json* stats = JsonObjectMember(page, "stats")) {
    out.state = JsonStringMember(*stats, "state");
  }
  if (const Json* next = JsonMember(page, "nextUri"); next != nullptr && !next->is_null()) {
    if (!next->is_string() || next->get_ref<const std::string&>().empty()) {
      return ProtocolError("nextUri is not a string");
    }
    out.next_uri = next->get<std::string>();
  }
  if (const Json* error = JsonMember(page, "error"); error != nullptr && !error->is_null()) {
    if (!error->is_object()) return ProtocolError("error is not an object");
    out.error = DecodeError(*error);
  }
  if (const Json* columns = JsonMember(page, "columns"); columns != nullptr && !columns->is_null()) {
    if (!columns->is_array()) return ProtocolError("columns is not an array");
    for (const Json& column : *columns) {
      if (!column.is_object()) return ProtocolError("a column is not an object");
      const Json* name = JsonMember(column, "name");
      const Json* type = JsonMember(column, "type");
      if (name == nullptr || !name->is_string() || type == nullptr || !type->is_string()) {
        return ProtocolError("a column without a name or type");
      }
      out.columns.push_back(
          Column{name->get<std::string>(), absl::AsciiStrToLower(type->get_ref<const std::string&>())});
    }
  }
  const Json* data = JsonMember(page, "data");
  if (data == nullptr || data->is_null()) return out;
  if (data->is_object()) {
    return ProtocolError(
        "'data' is an object: the spooling protocol is not supported (creditbot never sends "
        "X-Trino-Query-Data-Encoding; is a proxy adding it?)");
  }
  if (!data->is_array()) return ProtocolError("'data' is not an array");
  if (data->empty()) return out;
  const std::vector<Column>& columns = out.columns.empty() ? known_columns : out.columns;
  if (columns.empty()) return ProtocolError("data without columns");
  out.rows.reserve(data->size());
  for (const Json& row : *data) {
    if (!row.is_array() || row.size() != columns.size()) {
      return ProtocolError(absl::StrCat("a row is not an array of ", columns.size(), " values"));
    }
    std::vector<Value> values;
    values.reserve(columns.size());
    for (std::size_t i = 0; i < columns.size(); ++i) {
      CREDITBOT_ASSIGN_OR_RETURN(Value value, DecodeValue(row[i], columns[i]));
      values.push_back(std::move(value));
    }
    out.rows.push_back(std::move(values));
  }
  return out;
}

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
  for (;;) {
    absl::StatusOr<TrinoPage> page = ParseTrinoPage(response.body, columns);
    if (!page.ok()) return page.status();  // its nextUri is unknown, so nothing to cancel
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
    for (const std::vector<Value>& row : page->rows) {
      if (absl::Status status = sink.OnRow(row); !status.ok()) return stop(status);
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
    if (page->rows.empty() && !submit_answer) {
      // Never past the deadline: the check below then cancels instead of polling once more.
      sleeper_.Sleep(std::max(absl::ZeroDuration(), std::min(idle_pause, deadline - clock_.Now())));
      idle_pause = std::min(idle_pause * 2, kMaxIdlePause);
    } else if (!page->rows.empty()) {
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
