// FakeAthenaServer: Amazon Athena on loopback (cpp-httplib, port 0) answering from a SQLite file, in the
// documented JSON 1.1 shapes of the Athena API (athena-2017-05-18: StartQueryExecution, GetQueryExecution,
// GetQueryResults, StopQueryExecution, GetWorkGroup), so the real AthenaClient and AthenaWarehouse run over
// real HTTP with libcurl's real SigV4 signatures.
//
// Every request must be POST / with Content-Type application/x-amz-json-1.1, X-Amz-Target
// AmazonAthena.<Op> (else 400 UnknownOperationException) and an Authorization header that VerifySigV4
// (fake_aws_server.h) accepts for FakeAwsServer's long-term key, region FakeAwsServer::kRegion and service
// "athena" (none: 403 MissingAuthenticationTokenException; a bad one: 403 InvalidSignatureException).
//
// Queries: StartQueryExecution checks the members (QueryString, WorkGroup known and ENABLED, a
// ClientRequestToken of 32–128 characters: the same token answers the same QueryExecutionId, as Athena does;
// QueryExecutionContext.Catalog/Database; ResultConfiguration.OutputLocation an s3:// URL unless the
// workgroup has one) and runs the SQL on the SQLite file at once (the Trino forms of sql/trino rewritten by
// SqliteBackedTrinoServer::ToSqlite). GetQueryExecution then reports QUEUED, RUNNING, then SUCCEEDED (or
// FAILED with SQLite's message as StateChangeReason and an AthenaError of category 2, user), one state per
// call; a query whose SQL contains a string given to HangQueriesContaining stays RUNNING until
// StopQueryExecution, which makes any running query CANCELLED. GetQueryResults before SUCCEEDED answers
// InvalidRequestException; after, pages of at most min(MaxResults, page_rows) rows where the first page
// starts with the header row (the column names), every value a VarCharValue string (integers in decimal,
// doubles with 17 significant digits, text as stored) and NULL a Datum without one, ColumnInfo typed
// bigint / double / varchar from SQLite's storage classes, NextToken until the last page.
// Workgroups: "primary" exists (ENABLED, no output location, not enforced); SetWorkGroup adds or changes one.
//
// Thread-safe: the server thread serves while the test thread reads counts.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace creditbot::testing {

class FakeAthenaServer {
 public:
  explicit FakeAthenaServer(std::string sqlite_path, int page_rows = 3);
  ~FakeAthenaServer();
  FakeAthenaServer(const FakeAthenaServer&) = delete;
  FakeAthenaServer& operator=(const FakeAthenaServer&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:PORT" (AWS_ENDPOINT_URL_ATHENA)

  // Adds or replaces a workgroup. `state` "ENABLED" or "DISABLED"; `output_location` "" for none.
  void SetWorkGroup(const std::string& name, const std::string& state, bool enforce,
                    const std::string& output_location);
  // Queries started from now on whose SQL contains `text` never finish on their own.
  void HangQueriesContaining(const std::string& text);

  // Requests answered per operation ("StartQueryExecution", …), any outcome.
  int Count(const std::string& operation) const;
  // The QueryExecutionIds StopQueryExecution was called with, in order.
  std::vector<std::string> stopped() const;
  // Every StartQueryExecution request body, in order (JSON text).
  std::vector<std::string> start_bodies() const;
  // X-Amz-Target values of requests refused for their signature or target (should stay empty).
  std::vector<std::string> refused() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace creditbot::testing
