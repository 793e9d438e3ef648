// AthenaWarehouse: the warehouse of the plan's "Path B", where Presto service credentials are not approved
// and the data is read through the AWS Glue data catalog with Amazon Athena (aws/athena_client.h, SigV4).
//
// One query:
//   1. StartQueryExecution in the workgroup, with QueryExecutionContext {Catalog, Database},
//      ResultConfiguration.OutputLocation and a fresh ClientRequestToken (32 hex characters), so the
//      client's retries of the start (throttling, a lost connection) answer the same execution instead of
//      starting a second one.
//   2. GetQueryExecution polled until SUCCEEDED, FAILED or CANCELLED, pausing between polls (first 100 ms,
//      doubling to at most 2 s), every pause on the injected Sleeper and counted against query_timeout.
//   3. GetQueryResults paged by NextToken (MaxResults page_rows), each page decoded by one
//      AthenaResultsDecoder (athena_results.h: simdjson, exact types) into borrowed rows handed to the
//      RowSink as they arrive; the first row of the first page (the header row) is skipped. Memory is
//      bounded by one page.
// When query_timeout passes before the query finished, StopQueryExecution is sent (best effort) and
// kDeadlineExceeded returned; a query that failed to poll is stopped too. A finished query is never
// stopped.
//
// SQL: Athena engine v3 is Trino's SQL, so dialect() is "trino" and the follow-up queries are sql/trino's
// (DATE literals, CAST(… AS TIMESTAMP(3)), IN lists, ORDER BY: all Athena v3). The SQL guard has already
// passed every query (core/sql_guard); as Athena has no read-only session, Query checks it again before
// anything is sent (its error, nothing started), beside the workgroup's IAM policy.
//
// An instance borrows its client, clock and sleeper (MakeAthenaWarehouse's result owns the client and its
// transport) and is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "aws/athena_client.h"
#include "aws/aws_credentials.h"
#include "common/clock.h"
#include "net/http_transport.h"
#include "warehouse/warehouse.h"

namespace creditbot {

struct AthenaOptions {
  std::string work_group;                           // Required: [A-Za-z0-9._-]{1,128}
  std::string catalog;                              // Required: the data catalog, e.g. AwsDataCatalog
  std::string database;                             // Required: the Glue database
  std::string output_location;                      // Required: "s3://BUCKET/PREFIX/" (ends with '/')
  absl::Duration query_timeout = absl::Minutes(5);  // whole query: start, polls, pauses and pages
  int page_rows = 1000;                             // GetQueryResults MaxResults (1–1000). Default: 1000
  absl::Duration first_poll_pause = absl::Milliseconds(100);
  absl::Duration max_poll_pause = absl::Seconds(2);
};

// Parses CREDITBOT_WAREHOUSE's form
//   athena://WORKGROUP/CATALOG/DATABASE?output=s3://BUCKET/PREFIX/
// with libcurl's URL parser (common/url.h). WORKGROUP keeps its case (workgroup names are case-sensitive);
// CATALOG and DATABASE are percent-decoded; the output location is one parameter, percent-decoded, an
// s3:// URL with a valid bucket name (3–63 of a-z 0-9 . -) and a '/' at its end. kInvalidArgument naming
// what is wrong and the expected form: another scheme, a user, password or port, a missing or bad
// workgroup, catalog or database, a path of other than two segments, a fragment, a missing or bad
// output, an unknown or repeated parameter.
absl::StatusOr<AthenaOptions> ParseAthenaUrl(std::string_view url);

// The form, for messages: "athena://WORKGROUP/CATALOG/DATABASE?output=s3://BUCKET/PREFIX/".
inline constexpr std::string_view kAthenaUrlForm =
    "athena://WORKGROUP/CATALOG/DATABASE?output=s3://BUCKET/PREFIX/";

class AthenaWarehouse final : public Warehouse {
 public:
  // Validates `options` (the URL's rules, page_rows 1–1000, positive timeout and pauses): kInvalidArgument.
  static absl::StatusOr<std::unique_ptr<AthenaWarehouse>> Create(AthenaClient& client, const Clock& clock,
                                                                 Sleeper& sleeper, AthenaOptions options);

  // Runs `sql`. Errors:
  //   CheckReadOnlySql's error (kPermissionDenied, kInvalidArgument for empty SQL) when `sql` is not one
  //                     read-only statement: nothing is sent
  //   kInvalidArgument  Athena refused to start the query (InvalidRequestException), or it FAILED as a
  //                     user error (message: "Athena query ID FAILED: " and Athena's StateChangeReason)
  //   kUnavailable      it FAILED with a system or retryable error; it was CANCELLED by someone else;
  //                     throttling, 5xx and connection failures after the client's retries
  //   kInternal         a results page that breaks the API's shape (athena_results.h)
  //   kDeadlineExceeded query_timeout passed (the query was stopped first when still running)
  //   kNotFound / kPermissionDenied / kUnauthenticated  the client's (workgroup or database missing,
  //                     IAM refusing a call, credentials refused)
  //   the sink's own error unchanged
  absl::Status Query(std::string_view sql, RowSink& sink) override;

  std::string_view dialect() const override { return "trino"; }

  const AthenaOptions& options() const { return options_; }

 private:
  AthenaWarehouse(AthenaClient& client, const Clock& clock, Sleeper& sleeper, AthenaOptions options)
      : client_(client), clock_(clock), sleeper_(sleeper), options_(std::move(options)) {}

  // Polls until the query ends; stops it on the deadline or a failed poll.
  absl::Status WaitForQuery(const std::string& id, absl::Time deadline);
  absl::Status ReadResults(const std::string& id, absl::Time deadline, RowSink& sink);

  friend absl::StatusOr<std::unique_ptr<Warehouse>> MakeAthenaWarehouse(AthenaOptions, AthenaClientOptions,
                                                                        std::unique_ptr<HttpTransport>,
                                                                        AwsCredentialsProvider&, const Clock&,
                                                                        Sleeper&);

  // MakeAthenaWarehouse's: the transport outlives the client that sends on it (members die in reverse).
  std::unique_ptr<HttpTransport> owned_transport_;
  std::unique_ptr<AthenaClient> owned_client_;
  AthenaClient& client_;
  const Clock& clock_;
  Sleeper& sleeper_;
  AthenaOptions options_;
  absl::BitGen random_;  // ClientRequestTokens
};

// An AthenaWarehouse that owns its client and `transport`; `credentials`, `clock` and `sleeper` must outlive
// it. Errors as AthenaWarehouse::Create.
absl::StatusOr<std::unique_ptr<Warehouse>> MakeAthenaWarehouse(AthenaOptions options,
                                                               AthenaClientOptions client_options,
                                                               std::unique_ptr<HttpTransport> transport,
                                                               AwsCredentialsProvider& credentials,
                                                               const Clock& clock, Sleeper& sleeper);

}  // namespace creditbot
