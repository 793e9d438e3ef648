// The Looker API 4.0 client behind LookResolver; see looker_api_resolver.h.
#include "looker/looker_api_resolver.h"

#include <curl/curl.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/backoff.h"
#include "common/json_fields.h"
#include "common/requester_error.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/url.h"
#include "core/looker_url.h"
#include "core/sql_guard.h"

namespace creditbot {
namespace {

using Json = nlohmann::json;

constexpr absl::string_view kApiPath = "/api/4.0";
// Longest Looker message quoted in an error.
constexpr std::size_t kMaxQuotedMessage = 200;
// Shorter secrets are not scrubbed from messages (scrubbing "ab" would mangle every message); a real
// Looker client secret is 24 characters.
constexpr std::size_t kMinScrubbedSecret = 6;

// application/x-www-form-urlencoded value (RFC 3986 unreserved kept, everything else %XX).
std::string FormEncode(std::string_view value) { return PercentEncode(value); }

// One path segment; ':' is kept for LookML dashboard ids ("model::name").
std::string PathSegment(std::string_view value) { return PercentEncode(value, ":"); }

bool IsDigits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsSlug(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsLookmlName(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

bool IsLookmlDashboardId(std::string_view s) {
  const std::size_t sep = s.find("::");
  return sep != std::string_view::npos && IsLookmlName(s.substr(0, sep)) && IsLookmlName(s.substr(sep + 2));
}

// A Looker id: a string in API 4.0, an integer in 3.x replies.
std::optional<std::string> IdOf(const Json& object, std::string_view key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(std::string(key));
  if (it == object.end()) return std::nullopt;
  if (it->is_string()) {
    std::string id = it->get<std::string>();
    if (id.empty()) return std::nullopt;
    return id;
  }
  if (it->is_number_integer()) return it->dump();
  return std::nullopt;
}

// The `fields` of a Query object, or nullopt when it carries none.
std::optional<std::vector<std::string>> FieldsOf(const Json* query) {
  if (query == nullptr) return std::nullopt;
  auto it = query->find("fields");
  if (it == query->end() || !it->is_array()) return std::nullopt;
  std::vector<std::string> fields;
  for (const Json& field : *it) {
    if (field.is_string()) fields.push_back(field.get<std::string>());
  }
  return fields;
}

absl::StatusOr<Json> ParseJson(const HttpResponse& response, std::string_view what) {
  Json parsed = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return absl::UnavailableError(absl::StrCat("Looker's reply for ", ToAbsl(what),
                                               " is not a JSON object (HTTP ", response.status, ")"));
  }
  return parsed;
}

// What Looker said in an error body: the JSON `message` (and validation details), a note for an HTML
// page, or "" — never the raw body.
std::string LookerMessage(const HttpResponse& response) {
  Json parsed = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded() && parsed.is_object()) {
    std::string message = JsonStringMember(parsed, "message");
    auto errors = parsed.find("errors");
    if (errors != parsed.end() && errors->is_array()) {
      std::vector<std::string> details;
      for (const Json& error : *errors) {
        std::string field = JsonStringMember(error, "field");
        std::string text = JsonStringMember(error, "message");
        if (!field.empty() || !text.empty()) details.push_back(absl::StrCat(field, ": ", text));
      }
      if (!details.empty()) absl::StrAppend(&message, " (", absl::StrJoin(details, "; "), ")");
    }
    if (message.size() > kMaxQuotedMessage) message = message.substr(0, kMaxQuotedMessage) + "…";
    return message;
  }
  std::string content_type = absl::AsciiStrToLower(response.Header("content-type").value_or(""));
  if (absl::StrContains(content_type, "html") ||
      absl::StartsWith(absl::StripLeadingAsciiWhitespace(response.body), "<")) {
    return "an HTML page instead of a Looker API reply";
  }
  return "";
}

// Does `field` ("view.name") name `suffix` after its view prefix?
bool FieldMatches(std::string_view field, std::string_view suffix) {
  const std::size_t dot = field.find('.');
  std::string name =
      absl::AsciiStrToLower(ToAbsl(dot == std::string_view::npos ? field : field.substr(dot + 1)));
  std::string wanted = absl::AsciiStrToLower(ToAbsl(suffix));
  return name == wanted || absl::EndsWith(name, absl::StrCat("_", wanted));
}

bool HasAllFields(const std::vector<std::string>& fields, const std::vector<std::string>& suffixes) {
  for (const std::string& suffix : suffixes) {
    bool found = false;
    for (const std::string& field : fields) found = found || FieldMatches(field, suffix);
    if (!found) return false;
  }
  return true;
}

// The raw query string of `url` (without '?'), or "" when it has none or does not parse.
std::string RawQueryOf(const std::string& url) {
  struct Deleter {
    void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
  };
  std::unique_ptr<CURLU, Deleter> handle(curl_url());
  if (handle == nullptr || url.find('\0') != std::string::npos) return "";
  if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return "";
  char* query = nullptr;
  if (curl_url_get(handle.get(), CURLUPART_QUERY, &query, 0) != CURLUE_OK || query == nullptr) return "";
  std::string result(query);
  curl_free(query);
  return result;
}

struct Tile {
  std::string id;
  std::string title;
  std::string query_id;
  std::string row_limit;          // the query's `limit`, "" when unknown
  const Json* element = nullptr;  // into the dashboard reply
};

// The decoded parameters of a query string; the first of repeated names wins.
std::map<std::string, std::string> QueryParams(std::string_view query) {
  std::map<std::string, std::string> params;
  for (absl::string_view param : absl::StrSplit(ToAbsl(query), '&', absl::SkipEmpty())) {
    const std::size_t eq = param.find('=');
    const std::string_view name = ToStd(param.substr(0, eq));
    const std::string_view value =
        eq == absl::string_view::npos ? std::string_view() : ToStd(param.substr(eq + 1));
    params.emplace(FormDecode(name), FormDecode(value));
  }
  return params;
}

// A query's row limit as its JSON gives it ("500" in API 4.0, 500 in 3.x); "" when absent or null.
std::string RowLimitOf(const Json* query) {
  if (query == nullptr || !query->is_object()) return "";
  auto it = query->find("limit");
  if (it == query->end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return it->dump();
  return "";
}

// The stored query of a dashboard tile: its own, its Look's, or its result maker's.
const Json* QueryOfTile(const Json& element) {
  if (const Json* query = JsonObjectMember(element, "query")) return query;
  if (const Json* look = JsonObjectMember(element, "look");
      look != nullptr && JsonObjectMember(*look, "query") != nullptr) {
    return JsonObjectMember(*look, "query");
  }
  if (const Json* maker = JsonObjectMember(element, "result_maker")) return JsonObjectMember(*maker, "query");
  return nullptr;
}

// (dashboard filter name, field) pairs a tile listens to: result_maker.filterables[].listen[] (API 4.0) and
// the older element.listen map {name: field} (research notes §1.3).
std::vector<std::pair<std::string, std::string>> ListensOf(const Json& element) {
  std::vector<std::pair<std::string, std::string>> listens;
  if (const Json* maker = JsonObjectMember(element, "result_maker")) {
    auto filterables = maker->find("filterables");
    if (filterables != maker->end() && filterables->is_array()) {
      for (const Json& filterable : *filterables) {
        if (!filterable.is_object()) continue;
        auto listen = filterable.find("listen");
        if (listen == filterable.end() || !listen->is_array()) continue;
        for (const Json& entry : *listen) {
          std::string name = JsonStringMember(entry, "dashboard_filter_name");
          std::string field = JsonStringMember(entry, "field");
          if (!name.empty() && !field.empty()) listens.emplace_back(std::move(name), std::move(field));
        }
      }
    }
  }
  if (const Json* listen = JsonObjectMember(element, "listen")) {
    for (const auto& [name, field] : listen->items()) {
      if (field.is_string()) listens.emplace_back(name, field.get<std::string>());
    }
  }
  return listens;
}

// The default value of the dashboard filter `name`, or nullopt when the dashboard has no such filter.
std::optional<std::string> DefaultFilterValue(const Json& dashboard, const std::string& name) {
  auto filters = dashboard.find("dashboard_filters");
  if (filters == dashboard.end() || !filters->is_array()) return std::nullopt;
  for (const Json& filter : *filters) {
    if (JsonStringMember(filter, "name") == name) return JsonStringMember(filter, "default_value");
  }
  return std::nullopt;
}

std::string DescribeTiles(const std::vector<Tile>& tiles) {
  std::vector<std::string> parts;
  for (const Tile& tile : tiles) parts.push_back(absl::StrCat("\"", tile.title, "\" (tile ", tile.id, ")"));
  return absl::StrJoin(parts, ", ");
}

// A dashboard tile's title: its own, its title text, its Look's, else "untitled".
std::string TileTitle(const Json& element, const Json* look) {
  std::string title = JsonStringMember(element, "title");
  if (title.empty()) title = JsonStringMember(element, "title_text");
  if (title.empty() && look != nullptr) title = JsonStringMember(*look, "title");
  if (title.empty()) title = "untitled";
  return title;
}

// The dashboard filters the tile `element` listens to whose value in `url` (or the dashboard's default)
// differs from the tile's stored query, each as `name="shown" (the tile's query has field="stored")`.
std::vector<std::string> DifferingFilters(const Json& dashboard, const Json& element,
                                          const std::string& url) {
  const std::map<std::string, std::string> params = QueryParams(RawQueryOf(url));
  std::vector<std::string> differing;
  for (const auto& [name, field] : ListensOf(element)) {
    std::optional<std::string> shown;
    if (auto it = params.find(name); it != params.end()) {
      shown = it->second;
    } else {
      shown = DefaultFilterValue(dashboard, name);
    }
    if (!shown) continue;
    const Json* query = QueryOfTile(element);
    const Json* filters = query == nullptr ? nullptr : JsonObjectMember(*query, "filters");
    const std::string stored = filters == nullptr ? "" : JsonStringMember(*filters, field);
    if (*shown != stored) {
      differing.push_back(
          absl::StrCat(name, "=\"", *shown, "\" (the tile's query has ", field, "=\"", stored, "\")"));
    }
  }
  return differing;
}

}  // namespace

LookerApiResolver::LookerApiResolver(HttpTransport& transport, const Clock& clock, Sleeper& sleeper,
                                     LookerApiOptions options)
    : transport_(transport), clock_(clock), sleeper_(sleeper), options_(std::move(options)) {
  options_status_ = ValidateOptions(options_);
  if (options_status_.ok()) {
    absl::StatusOr<LookerBase> base = ParseLookerBase(options_.api_base_url);
    if (base.ok()) api_root_ = absl::StrCat(base->Origin(), kApiPath);
  }
}

absl::Status LookerApiResolver::ValidateOptions(const LookerApiOptions& options) {
  absl::StatusOr<LookerBase> base = ParseLookerBase(options.api_base_url);
  if (!base.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("CREDITBOT_LOOKER_API_URL: ", base.status().message()));
  }
  if (base->scheme != "https" && base->host != "127.0.0.1" && base->host != "localhost" &&
      base->host != "[::1]") {
    return absl::InvalidArgumentError(absl::StrCat("CREDITBOT_LOOKER_API_URL \"", options.api_base_url,
                                                   "\" must use https: the client secret and the token would "
                                                   "travel in clear text (http is accepted only "
                                                   "on loopback, for tests)"));
  }
  const bool no_id = options.client_id.empty();
  const bool no_secret = options.client_secret.empty();
  if (no_id || no_secret) {
    return absl::FailedPreconditionError(absl::StrCat(
        no_id && no_secret ? "LOOKER_CLIENT_ID and LOOKER_CLIENT_SECRET are"
        : no_id            ? "LOOKER_CLIENT_ID is"
                           : "LOOKER_CLIENT_SECRET is",
        " not set: the Looker API needs both (an API key of a Looker user who may see the linked content); "
        "leave both unset to use the local look catalog (CREDITBOT_LOOK_CATALOG)"));
  }
  if (options.required_field_suffixes.empty()) {
    return absl::InvalidArgumentError("the list of fraud-report fields a dashboard tile must have is empty");
  }
  return absl::OkStatus();
}

absl::StatusOr<ResolvedSql> LookerApiResolver::Resolve(const LookerRef& ref) {
  if (!ref.IsLooker()) {
    return Scrub(absl::InvalidArgumentError(absl::StrCat(
        "not a link to the configured Looker (CREDITBOT_LOOKER_BASE_URL), so it is not followed: ",
        ref.url)));
  }
  if (ref.kind == LinkKind::kLookerOther) {
    return Scrub(absl::UnimplementedError(absl::StrCat(
        "the Looker link ", ref.url, " is not a Look, an Explore, a share link or a dashboard")));
  }
  if (!options_status_.ok()) return options_status_;
  std::string key =
      absl::StrCat(ToAbsl(LinkKindName(ref.kind)), ":", ref.id, ":", ref.model, ":", ref.explore);
  // An expanded Explore's query and a dashboard's filters live in the query string.
  if ((ref.kind == LinkKind::kExplore && ref.id.empty()) || ref.kind == LinkKind::kDashboard ||
      ref.kind == LinkKind::kLookmlDashboard) {
    absl::StrAppend(&key, ":", RawQueryOf(ref.url));
  }
  if (auto it = resolved_by_link_.find(key); it != resolved_by_link_.end()) return it->second;
  absl::StatusOr<ResolvedSql> resolved = ResolveUncached(ref);
  if (!resolved.ok()) return Scrub(resolved.status());
  resolved_by_link_.emplace(std::move(key), *resolved);
  return resolved;
}

absl::StatusOr<ResolvedSql> LookerApiResolver::ResolveUncached(const LookerRef& ref) {
  switch (ref.kind) {
    case LinkKind::kLook: {
      if (!IsDigits(ref.id))
        return absl::InvalidArgumentError(absl::StrCat("not a Look id: \"", ref.id, "\""));
      CREDITBOT_ASSIGN_OR_RETURN(QueryRef query, QueryIdForLook(ref.id));
      CREDITBOT_ASSIGN_OR_RETURN(std::string sql, SqlForQuery(query.id, query.row_limit));
      return ResolvedSql{std::move(sql), absl::StrCat("look ", ref.id, " (Looker query ", query.id, ")")};
    }
    case LinkKind::kExplore:
      if (ref.id.empty()) return ResolveExpandedExplore(ref);
      [[fallthrough]];
    case LinkKind::kShare:
    case LinkKind::kQueryVisualization: {
      if (!IsSlug(ref.id))
        return absl::InvalidArgumentError(absl::StrCat("not a query slug: \"", ref.id, "\""));
      CREDITBOT_ASSIGN_OR_RETURN(QueryRef query, QueryIdForSlug(ref.id));
      const std::string& query_id = query.id;
      CREDITBOT_ASSIGN_OR_RETURN(std::string sql, SqlForQuery(query_id, query.row_limit));
      std::string what = ref.kind == LinkKind::kShare ? absl::StrCat("share link /x/", ref.id)
                         : ref.kind == LinkKind::kExplore
                             ? absl::StrCat("explore ", ref.model, "/", ref.explore, " qid=", ref.id)
                             : absl::StrCat("query visualization ", ref.id);
      return ResolvedSql{std::move(sql), absl::StrCat(what, " (Looker query ", query_id, ")")};
    }
    case LinkKind::kDashboard:
    case LinkKind::kLookmlDashboard:
      return ResolveDashboard(ref);
    case LinkKind::kLookerOther:
    case LinkKind::kOther:
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat("not a resolvable Looker link: ", ref.url));
}

absl::StatusOr<LookerApiResolver::QueryRef> LookerApiResolver::QueryIdForLook(std::string_view look_id) {
  const std::string what = absl::StrCat("look ", ToAbsl(look_id));
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response, Get(absl::StrCat("/looks/", PathSegment(look_id)), what));
  CREDITBOT_ASSIGN_OR_RETURN(Json look, ParseJson(response, what));
  std::optional<std::string> query_id = IdOf(look, "query_id");
  const Json* query = JsonObjectMember(look, "query");
  if (!query_id && query != nullptr) query_id = IdOf(*query, "id");
  if (!query_id) return absl::FailedPreconditionError(absl::StrCat(what, " has no query in Looker"));
  // The embedded query is the Look's own only when its id matches (or it has none).
  const bool same = query != nullptr && IdOf(*query, "id").value_or(*query_id) == *query_id;
  return QueryRef{*query_id, same ? RowLimitOf(query) : ""};
}

absl::StatusOr<LookerApiResolver::QueryRef> LookerApiResolver::QueryIdForSlug(std::string_view slug) {
  const std::string what = absl::StrCat("query slug ", ToAbsl(slug));
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response,
                             Get(absl::StrCat("/queries/slug/", PathSegment(slug)), what));
  CREDITBOT_ASSIGN_OR_RETURN(Json query, ParseJson(response, what));
  std::optional<std::string> query_id = IdOf(query, "id");
  if (!query_id) return absl::UnavailableError(absl::StrCat("Looker's reply for ", what, " has no query id"));
  return QueryRef{*query_id, RowLimitOf(&query)};
}

absl::Status LookerApiResolver::CheckWhole(std::string_view sql, std::string_view row_limit,
                                           std::string_view what) const {
  if (absl::Status whole = CheckLookerSqlComplete(sql, row_limit); !whole.ok()) {
    return absl::UnavailableError(absl::StrCat("Looker's SQL for ", ToAbsl(what), " looks cut short (",
                                               whole.message(),
                                               "); it was not run and is fetched again on a later pass"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> LookerApiResolver::SqlForQuery(std::string_view query_id,
                                                           std::string_view row_limit) {
  if (auto it = sql_by_query_id_.find(query_id); it != sql_by_query_id_.end()) return it->second;
  if (!IsDigits(query_id)) {
    return absl::UnavailableError(
        absl::StrCat("Looker gave an unexpected query id \"", ToAbsl(query_id), "\""));
  }
  const std::string what = absl::StrCat("query ", ToAbsl(query_id));
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response,
                             Get(absl::StrCat("/queries/", PathSegment(query_id), "/run/sql"), what));
  if (absl::StripAsciiWhitespace(response.body).empty()) {
    return absl::UnavailableError(absl::StrCat("Looker returned no SQL for ", what));
  }
  CREDITBOT_RETURN_IF_ERROR(CheckWhole(response.body, row_limit, what));
  sql_by_query_id_.emplace(std::string(query_id), response.body);
  return std::move(response.body);
}

absl::StatusOr<std::vector<std::string>> LookerApiResolver::FieldsOfQuery(std::string_view query_id) {
  const std::string what = absl::StrCat("query ", ToAbsl(query_id));
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response,
                             Get(absl::StrCat("/queries/", PathSegment(query_id)), what));
  CREDITBOT_ASSIGN_OR_RETURN(Json query, ParseJson(response, what));
  return FieldsOf(&query).value_or(std::vector<std::string>{});
}

absl::StatusOr<ResolvedSql> LookerApiResolver::ResolveDashboard(const LookerRef& ref) {
  const bool lookml = ref.kind == LinkKind::kLookmlDashboard;
  if (lookml ? !IsLookmlDashboardId(ref.id) : !IsDigits(ref.id)) {
    return absl::InvalidArgumentError(absl::StrCat("not a dashboard id: \"", ref.id, "\""));
  }
  const std::string what = absl::StrCat(lookml ? "LookML dashboard " : "dashboard ", ref.id);
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response,
                             Get(absl::StrCat("/dashboards/", PathSegment(ref.id)), what));
  CREDITBOT_ASSIGN_OR_RETURN(Json dashboard, ParseJson(response, what));

  std::vector<Tile> with_query;
  std::vector<Tile> fitting;
  auto elements = dashboard.find("dashboard_elements");
  if (elements != dashboard.end() && elements->is_array()) {
    for (const Json& element : *elements) {
      if (!element.is_object()) continue;
      const Json* look = JsonObjectMember(element, "look");
      const Json* result_maker = JsonObjectMember(element, "result_maker");
      Tile tile;
      tile.element = &element;
      tile.id = IdOf(element, "id").value_or("?");
      tile.title = TileTitle(element, look);
      // Merged results (merge_result_id), SQL Runner tiles and text tiles have no single query id.
      std::optional<std::string> query_id = IdOf(element, "query_id");
      if (!query_id && look != nullptr) query_id = IdOf(*look, "query_id");
      if (!query_id && result_maker != nullptr) query_id = IdOf(*result_maker, "query_id");
      if (!query_id) {
        if (std::optional<std::string> look_id = IdOf(element, "look_id"); look_id && IsDigits(*look_id)) {
          CREDITBOT_ASSIGN_OR_RETURN(QueryRef look_query, QueryIdForLook(*look_id));
          query_id = std::move(look_query.id);
          tile.row_limit = std::move(look_query.row_limit);
        }
      }
      if (!query_id) continue;
      tile.query_id = *query_id;
      if (const Json* query = QueryOfTile(element);
          query != nullptr && IdOf(*query, "id").value_or(tile.query_id) == tile.query_id) {
        tile.row_limit = RowLimitOf(query);
      }
      std::optional<std::vector<std::string>> fields = FieldsOf(JsonObjectMember(element, "query"));
      if (!fields && look != nullptr) fields = FieldsOf(JsonObjectMember(*look, "query"));
      if (!fields && result_maker != nullptr) fields = FieldsOf(JsonObjectMember(*result_maker, "query"));
      if (!fields) {
        if (!IsDigits(tile.query_id)) continue;
        CREDITBOT_ASSIGN_OR_RETURN(std::vector<std::string> fetched, FieldsOfQuery(tile.query_id));
        fields = std::move(fetched);
      }
      with_query.push_back(tile);
      if (HasAllFields(*fields, options_.required_field_suffixes)) fitting.push_back(std::move(tile));
    }
  }
  const std::string wanted = absl::StrJoin(options_.required_field_suffixes, ", ");
  if (fitting.empty()) {
    return AskRequester(absl::FailedPreconditionError(absl::StrCat(
        what, ": no tile has the fraud-report columns (", wanted, ")",
        with_query.empty() ? "; it has no tile with a single query (merged results and text tiles have none)"
                           : absl::StrCat("; tiles with a query: ", DescribeTiles(with_query)),
        ". Link the Look or Explore of the fraud report instead")));
  }
  if (fitting.size() > 1) {
    return AskRequester(absl::FailedPreconditionError(absl::StrCat(
        what, " has ", fitting.size(), " tiles with the fraud-report columns: ", DescribeTiles(fitting),
        ". Which tile? Link that tile's Look or Explore instead")));
  }
  const Tile& tile = fitting.front();
  // The tile's stored query does not hold the dashboard's filter values (research notes §1.3). Applying
  // them is not built, so a link whose filters (or the dashboard's defaults) differ from the stored query
  // is refused rather than resolved to SQL for other data.
  const std::vector<std::string> differing = DifferingFilters(dashboard, *tile.element, ref.url);
  if (!differing.empty()) {
    return AskRequester(absl::FailedPreconditionError(absl::StrCat(
        what, ", tile ", tile.id, " \"", tile.title, "\": the dashboard filter ",
        absl::StrJoin(differing, ", "),
        " changes the tile's data, and dashboard filters are not applied yet; use the tile's \"Explore from "
        "here\" and share that link")));
  }
  CREDITBOT_ASSIGN_OR_RETURN(std::string sql, SqlForQuery(tile.query_id, tile.row_limit));
  return ResolvedSql{std::move(sql), absl::StrCat(what, ", tile ", tile.id, " \"", tile.title,
                                                  "\" (Looker query ", tile.query_id, ")")};
}

absl::StatusOr<ResolvedSql> LookerApiResolver::ResolveExpandedExplore(const LookerRef& ref) {
  if (!IsLookmlName(ref.model) || !IsLookmlName(ref.explore)) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an explore name: \"", ref.model, "/", ref.explore, "\""));
  }
  const std::string query = RawQueryOf(ref.url);
  // Without fields= the Explore link names no query (an empty Explore page).
  bool has_fields = false;
  for (absl::string_view param : absl::StrSplit(query, '&')) {
    has_fields = has_fields || absl::StartsWith(param, "fields=");
  }
  if (!has_fields) {
    return absl::InvalidArgumentError(
        absl::StrCat("the Explore link ", ref.url,
                     " has neither qid= nor fields=, so it names no query; share the Explore "
                     "(Share → copy link) or save it as a Look"));
  }
  const std::string what = absl::StrCat("explore ", ref.model, "/", ref.explore);
  // The link's query string is Looker's own explore-URL syntax, which run_url_encoded_query accepts as is
  // (research notes §1.3); it is sent only to the API base, like every request.
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response,
                             Get(absl::StrCat("/queries/models/", PathSegment(ref.model), "/views/",
                                              PathSegment(ref.explore), "/run/sql?", query),
                                 what));
  if (absl::StripAsciiWhitespace(response.body).empty()) {
    return absl::UnavailableError(absl::StrCat("Looker returned no SQL for ", what));
  }
  // limit= in the link is the query's row limit (absent: Looker's default, not assumed here).
  const std::map<std::string, std::string> params = QueryParams(query);
  auto limit = params.find("limit");
  CREDITBOT_RETURN_IF_ERROR(CheckWhole(response.body, limit == params.end() ? "" : limit->second, what));
  return ResolvedSql{std::move(response.body), absl::StrCat(what, " (expanded Explore URL)")};
}

absl::StatusOr<HttpResponse> LookerApiResolver::Get(const std::string& path_and_query,
                                                    std::string_view what) {
  for (int attempt = 0;; ++attempt) {
    CREDITBOT_RETURN_IF_ERROR(EnsureToken());
    HttpRequest request;
    request.method = "GET";
    request.url = absl::StrCat(api_root_, path_and_query);
    request.headers = {{"Authorization", absl::StrCat("token ", token_.value)}};
    request.timeout = options_.request_timeout;
    request.max_response_bytes = kMaxLookerAnswerBytes;
    CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response, SendWithRateLimitRetries(request, what));
    if (response.status == 401) {
      token_ = Token{};  // expired or revoked early: one fresh login, then the request once more
      if (attempt == 0) continue;
      return absl::UnauthenticatedError(absl::StrCat(
          "Looker still answers 401 for ", ToAbsl(what),
          " right after a fresh login; check the API user of LOOKER_CLIENT_ID (its role and that it is "
          "not disabled)"));
    }
    if (response.status < 200 || response.status >= 300) return ErrorForResponse(response, what);
    return response;
  }
}

absl::Status LookerApiResolver::EnsureToken() {
  if (!login_failure_.ok()) return login_failure_;
  if (!token_.value.empty() && clock_.Now() < token_.renew_at) return absl::OkStatus();
  return Login();
}

absl::Status LookerApiResolver::Login() {
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat(api_root_, "/login");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  request.body = absl::StrCat("client_id=", FormEncode(options_.client_id),
                              "&client_secret=", FormEncode(options_.client_secret));
  request.timeout = options_.request_timeout;
  const absl::Time sent_at = clock_.Now();
  CREDITBOT_ASSIGN_OR_RETURN(HttpResponse response, SendWithRateLimitRetries(request, "login"));
  const int status = response.status;
  if (status == 400 || status == 401 || status == 403 || status == 404) {
    // Looker answers 404 to unknown or wrong credentials; retrying cannot help, so this instance stops.
    std::string said = LookerMessage(response);
    login_failure_ = absl::UnauthenticatedError(absl::StrCat(
        "Looker refused the API login (HTTP ", status, said.empty() ? "" : absl::StrCat(": ", said),
        " from POST ", api_root_,
        "/login): check LOOKER_CLIENT_ID and LOOKER_CLIENT_SECRET, and that CREDITBOT_LOOKER_API_URL is the "
        "Looker API address (self-hosted instances often serve it on port 19999)"));
    return login_failure_;
  }
  if (status < 200 || status >= 300) return ErrorForResponse(response, "the API login");
  Json reply = Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded()) {
    // A 2xx whose body is not JSON was cut off on the way (or came from a proxy): try again later.
    return absl::UnavailableError(absl::StrCat("Looker's reply to POST ", api_root_,
                                               "/login is not JSON (cut off?); will try again later"));
  }
  std::string access_token = reply.is_object() ? JsonStringMember(reply, "access_token") : "";
  if (access_token.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("Looker's reply to POST ", api_root_,
                     "/login holds no access_token; is CREDITBOT_LOOKER_API_URL the Looker API address?"));
  }
  absl::Duration lifetime = absl::Seconds(3600);  // the documented default when expires_in is missing
  if (auto it = reply.find("expires_in"); it != reply.end() && it->is_number_integer()) {
    lifetime = absl::Seconds(it->get<int64_t>());
  }
  // Renew `token_renew_margin` early; for a short-lived token, halfway through its life.
  absl::Duration margin = options_.token_renew_margin;
  if (margin > lifetime / 2) margin = lifetime / 2;
  token_ = Token{std::move(access_token), sent_at + lifetime - margin};
  return absl::OkStatus();
}

absl::StatusOr<HttpResponse> LookerApiResolver::SendWithRateLimitRetries(const HttpRequest& request,
                                                                         std::string_view what) {
  // Retry-After (capped at max_retry_after), else 1 s, doubling; no other cap (max_rate_limit_retries
  // bounds the waits).
  const BackoffPolicy backoff(absl::Seconds(1), absl::InfiniteDuration(), BackoffJitter::kNone,
                              options_.max_retry_after);
  for (int retry = 0;; ++retry) {
    absl::StatusOr<HttpResponse> response = transport_.Send(request);
    if (!response.ok()) {
      return absl::Status(response.status().code(),
                          absl::StrCat("Looker request for ", ToAbsl(what), " (", request.method, " ",
                                       request.url.substr(0, request.url.find('?')),
                                       ") failed: ", response.status().message()));
    }
    if (response->status != 429 || retry >= options_.max_rate_limit_retries) return response;
    sleeper_.Sleep(backoff.Delay(retry, RetryAfter(*response, clock_.Now(), options_.max_retry_after)));
  }
}

absl::Status LookerApiResolver::ErrorForResponse(const HttpResponse& response,
                                                 std::string_view what_text) const {
  const absl::string_view what = ToAbsl(what_text);
  const int status = response.status;
  absl::Status mapped = HttpStatusToError(status, absl::StrCat("Looker GET ", what));
  absl::StatusCode code = status >= 500 ? absl::StatusCode::kUnavailable : mapped.code();
  if (code == absl::StatusCode::kOk) code = absl::StatusCode::kUnavailable;  // 1xx/3xx: not a usable reply
  std::string said = LookerMessage(response);
  const std::string detail = absl::StrCat("HTTP ", status, said.empty() ? "" : absl::StrCat(": ", said));
  std::string text;
  switch (status) {
    case 404:
      text = absl::StrCat("Looker has no ", what, ", or its API user cannot see it (", detail, ")");
      break;
    case 403:
      text = absl::StrCat("the Looker API user may not read ", what, " (", detail, ")");
      break;
    case 400:
    case 422:
      text = absl::StrCat("Looker refused the request for ", what, " (", detail, ")");
      break;
    case 429:
      text = absl::StrCat("Looker is rate-limiting the API (", detail, ") for ", what, " after ",
                          options_.max_rate_limit_retries, " retries; will try again later");
      break;
    default:
      text = absl::StrCat("Looker could not answer for ", what, " (", detail, ")",
                          code == absl::StatusCode::kUnavailable ? "; will try again later" : "");
      break;
  }
  return absl::Status(code, text);
}

absl::Status LookerApiResolver::Scrub(const absl::Status& status) const {
  const std::string& secret = options_.client_secret;
  if (status.ok() || secret.size() < kMinScrubbedSecret) return status;
  std::string message(status.message());
  const std::string encoded = FormEncode(secret);
  message = absl::StrReplaceAll(message, {{secret, "[redacted]"}, {encoded, "[redacted]"}});
  absl::Status scrubbed(status.code(), message);
  status.ForEachPayload(
      [&scrubbed](absl::string_view type, const absl::Cord& payload) { scrubbed.SetPayload(type, payload); });
  return scrubbed;
}

}  // namespace creditbot
