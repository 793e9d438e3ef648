// The Athena query loop (start, poll, page, stop) and the athena:// URL form; see athena_warehouse.h.
#include "warehouse/athena_warehouse.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "aws/s3_client.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/url.h"
#include "core/sql_guard.h"
#include "warehouse/athena_results.h"

namespace creditbot {
namespace {

bool ValidWorkGroup(std::string_view name) {
  return !name.empty() && name.size() <= 128 &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
             std::string_view::npos;
}

// A catalog or database name: 1–255 printable characters, no line break, quote or slash.
bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '"' || c == '`' || c == '/' || c == '\\') return false;
  }
  return true;
}

// "s3://BUCKET/PREFIX/": a valid bucket, ends with '/', no space or control character.
std::optional<std::string> OutputProblem(std::string_view output) {
  absl::string_view rest = ToAbsl(output);
  if (!absl::ConsumePrefix(&rest, "s3://")) return "the output location is not an s3:// URL";
  const std::string_view bucket = ToStd(rest.substr(0, rest.find('/')));
  if (!IsValidS3BucketName(bucket)) {
    return absl::StrCat("'", ToAbsl(bucket), "' is not an S3 bucket name (3-63 of a-z 0-9 . -)");
  }
  if (output.back() != '/') return "the output location must end with '/'";
  for (const char c : output) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return "the output location holds a space";
  }
  return std::nullopt;
}

absl::Status FailedQueryStatus(const std::string& id, const AthenaQueryStatus& status) {
  const std::string reason =
      status.state_change_reason.empty() ? "(Athena gave no StateChangeReason)" : status.state_change_reason;
  if (status.state == AthenaQueryState::kCancelled) {
    return absl::UnavailableError(
        absl::StrCat("Athena query ", id, " was CANCELLED outside creditbot: ", reason, "; will try again"));
  }
  std::string text = absl::StrCat("Athena query ", id, " FAILED: ", reason);
  if (!status.error_type.empty()) absl::StrAppend(&text, " (error type ", status.error_type, ")");
  // ErrorCategory 2 is the query's own fault (syntax, a missing table or column); 1 (system) and 3 are
  // Athena's, worth a later try when Athena says so.
  if (status.error_category == "2" || (status.error_category.empty() && !status.retryable)) {
    return absl::InvalidArgumentError(text);
  }
  if (status.retryable) return absl::UnavailableError(text);
  return absl::InternalError(text);
}

// The URL's rules again (options may come from elsewhere than ParseAthenaUrl), and the loop's own.
absl::Status CheckOptions(const AthenaOptions& options) {
  auto bad = [](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("Athena: ", ToAbsl(why)));
  };
  if (!ValidWorkGroup(options.work_group))
    return bad(absl::StrCat("bad workgroup '", options.work_group, "'"));
  if (!ValidName(options.catalog) || !ValidName(options.database)) return bad("bad catalog or database");
  if (options.output_location.empty()) return bad("no output location");
  if (std::optional<std::string> problem = OutputProblem(options.output_location)) return bad(*problem);
  if (options.page_rows < 1 || options.page_rows > 1000) return bad("page_rows must be 1 to 1000");
  if (options.query_timeout <= absl::ZeroDuration()) return bad("query_timeout is not positive");
  if (options.first_poll_pause <= absl::ZeroDuration() || options.max_poll_pause < options.first_poll_pause) {
    return bad("bad poll pauses");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AthenaOptions> ParseAthenaUrl(std::string_view url_text) {
  auto bad = [](std::string_view why) {
    // The URL holds no secret: Athena is reached with the AWS credential chain.
    return absl::InvalidArgumentError(
        absl::StrCat("the Athena warehouse URL: ", ToAbsl(why), " (expected ", ToAbsl(kAthenaUrlForm), ")"));
  };
  absl::string_view rest = ToAbsl(url_text);
  if (!absl::ConsumePrefix(&rest, "athena://")) return bad("not an athena:// URL");
  absl::StatusOr<ParsedUrl> parsed = ParseUrl(url_text);
  if (!parsed.ok()) return bad(ToStd(parsed.status().message()));
  if (parsed->user || parsed->has_password) return bad("user info ('@') has no meaning here");
  if (parsed->port) return bad("a port has no meaning here");
  if (!parsed->fragment.empty()) return bad("a fragment ('#')");
  AthenaOptions options;
  // libcurl lower-cases the host; workgroup names are case-sensitive, so take it as written.
  const std::string_view work_group = ToStd(rest.substr(0, rest.find_first_of("/?#")));
  if (!ValidWorkGroup(work_group) || absl::AsciiStrToLower(ToAbsl(work_group)) != parsed->host) {
    return bad(
        absl::StrCat("'", ToAbsl(work_group), "' is not a workgroup name (1-128 of A-Z a-z 0-9 . _ -)"));
  }
  options.work_group = std::string(work_group);
  std::vector<std::string> segments;
  for (absl::string_view segment : absl::StrSplit(parsed->path, '/', absl::SkipEmpty())) {
    std::optional<std::string> decoded = PercentDecodeStrict(ToStd(segment));
    if (!decoded || !ValidName(*decoded)) return bad(absl::StrCat("bad catalog or database '", segment, "'"));
    segments.push_back(*std::move(decoded));
  }
  if (segments.size() != 2) {
    return bad(segments.size() < 2 ? "the catalog or the database is missing" : "too many path segments");
  }
  options.catalog = segments[0];
  options.database = segments[1];
  bool have_output = false;
  for (absl::string_view parameter : absl::StrSplit(parsed->query.value_or(""), '&', absl::SkipEmpty())) {
    absl::string_view value = parameter;
    if (!absl::ConsumePrefix(&value, "output=")) {
      return bad(absl::StrCat("unknown parameter '", parameter.substr(0, parameter.find('=')), "'"));
    }
    if (have_output) return bad("output is given twice");
    std::optional<std::string> decoded = PercentDecodeStrict(ToStd(value));
    if (!decoded) return bad("the output location is not percent-encoded correctly");
    if (std::optional<std::string> problem = OutputProblem(*decoded)) return bad(*problem);
    options.output_location = *std::move(decoded);
    have_output = true;
  }
  if (!have_output) return bad("no output location (?output=s3://BUCKET/PREFIX/)");
  return options;
}

absl::StatusOr<std::unique_ptr<AthenaWarehouse>> AthenaWarehouse::Create(AthenaClient& client,
                                                                         const Clock& clock, Sleeper& sleeper,
                                                                         AthenaOptions options) {
  CREDITBOT_RETURN_IF_ERROR(CheckOptions(options));
  return std::unique_ptr<AthenaWarehouse>(new AthenaWarehouse(client, clock, sleeper, std::move(options)));
}

absl::Status AthenaWarehouse::WaitForQuery(const std::string& id, absl::Time deadline) {
  absl::Duration pause = options_.first_poll_pause;
  auto stop = [&](absl::Status status) {
    (void)client_.StopQueryExecution(id);  // best effort: the status says what happened
    return status;
  };
  for (;;) {
    absl::StatusOr<AthenaQueryStatus> status = client_.GetQueryExecution(id);
    if (!status.ok()) return stop(status.status());
    switch (status->state) {
      case AthenaQueryState::kSucceeded:
        return absl::OkStatus();
      case AthenaQueryState::kFailed:
      case AthenaQueryState::kCancelled:
        return FailedQueryStatus(id, *status);
      case AthenaQueryState::kQueued:
      case AthenaQueryState::kRunning:
        break;
      case AthenaQueryState::kUnknown:
        // A state added after this client was written: keep polling until the deadline.
        break;
    }
    const absl::Duration remaining = deadline - clock_.Now();
    if (remaining <= absl::ZeroDuration()) {
      return stop(absl::DeadlineExceededError(absl::StrCat("Athena query ", id, " ran longer than ",
                                                           absl::FormatDuration(options_.query_timeout),
                                                           " (still ", status->state_text, "); stopped")));
    }
    sleeper_.Sleep(std::min(pause, remaining));
    pause = std::min(pause * 2, options_.max_poll_pause);
  }
}

absl::Status AthenaWarehouse::ReadResults(const std::string& id, absl::Time deadline, RowSink& sink) {
  AthenaResultsDecoder decoder;  // one for the whole result: its buffers are reused page after page
  std::string next_token;
  for (bool first = true;; first = false) {
    if (!first && clock_.Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat("Athena query ", id,
                                                      ": reading its results took longer than ",
                                                      absl::FormatDuration(options_.query_timeout)));
    }
    CREDITBOT_ASSIGN_OR_RETURN(HttpResponse page,
                               client_.GetQueryResults(id, next_token, options_.page_rows));
    if (absl::Status decoded = decoder.Decode(page.body, first); !decoded.ok()) {
      return absl::Status(decoded.code(), absl::StrCat("query ", id, ": ", decoded.message()));
    }
    if (first) CREDITBOT_RETURN_IF_ERROR(sink.OnColumns(decoder.columns()));
    for (std::size_t i = 0; i < decoder.row_count(); ++i) {
      CREDITBOT_RETURN_IF_ERROR(sink.OnRowView(decoder.Row(i)));
    }
    if (!decoder.next_token()) return absl::OkStatus();
    if (*decoder.next_token() == next_token) {
      return absl::InternalError(
          absl::StrCat("Athena query ", id, ": GetQueryResults answered its own NextToken"));
    }
    next_token = *decoder.next_token();
  }
}

absl::Status AthenaWarehouse::Query(std::string_view sql, RowSink& sink) {
  // Athena has no read-only session (SQLite's read-only open, Trino's read-only user): the guard is checked
  // here too, so nothing but one SELECT/WITH statement is ever started, whoever the caller.
  if (absl::Status guard = CheckReadOnlySql(sql); !guard.ok()) {
    return absl::Status(guard.code(), absl::StrCat("Athena: SQL not run: ", guard.message()));
  }
  const absl::Time deadline = clock_.Now() + options_.query_timeout;
  AthenaQueryRequest request;
  request.sql = std::string(sql);
  request.work_group = options_.work_group;
  request.catalog = options_.catalog;
  request.database = options_.database;
  request.output_location = options_.output_location;
  request.client_request_token =
      absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random_), absl::Uniform<uint64_t>(random_));
  CREDITBOT_ASSIGN_OR_RETURN(const std::string id, client_.StartQueryExecution(request));
  CREDITBOT_RETURN_IF_ERROR(WaitForQuery(id, deadline));
  return ReadResults(id, deadline, sink);
}

absl::StatusOr<std::unique_ptr<Warehouse>> MakeAthenaWarehouse(AthenaOptions options,
                                                               AthenaClientOptions client_options,
                                                               std::unique_ptr<HttpTransport> transport,
                                                               AwsCredentialsProvider& credentials,
                                                               const Clock& clock, Sleeper& sleeper) {
  auto client =
      std::make_unique<AthenaClient>(*transport, credentials, clock, sleeper, std::move(client_options));
  CREDITBOT_ASSIGN_OR_RETURN(std::unique_ptr<AthenaWarehouse> warehouse,
                             AthenaWarehouse::Create(*client, clock, sleeper, std::move(options)));
  warehouse->owned_transport_ = std::move(transport);
  warehouse->owned_client_ = std::move(client);
  return std::unique_ptr<Warehouse>(std::move(warehouse));
}

}  // namespace creditbot
