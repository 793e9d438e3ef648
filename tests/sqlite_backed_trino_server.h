// SqliteBackedTrinoServer: a Trino coordinator on loopback that answers every query by running it on a
// SQLite file and paging the rows back in Trino's client-protocol format (QUEUED first page, then pages
// of `page_rows` rows with nextUri, columns with Trino type names, FINISHED last page). With it the real
// Trino client and the Trino dialect of sql/ run end to end against the same data as the embedded default,
// so the two paths can be compared result for result (issue 4, "Done when").
//
// Dialect: the few Trino forms our sql/trino files use are rewritten to SQLite before running —
// CAST(DATE 'd' AS TIMESTAMP(3)) → 'd 00:00:00', DATE 'd' → 'd', CAST(x AS DATE) → date(x). Anything else
// runs as written (the looks are written in the subset both understand).
//
// Thread-safe: the server thread serves while the test thread reads counts.
#pragma once

#include <memory>
#include <string>
#include <thread>

namespace creditbot::testing {

class SqliteBackedTrinoServer {
 public:
  explicit SqliteBackedTrinoServer(std::string sqlite_path, int page_rows = 3);
  ~SqliteBackedTrinoServer();
  SqliteBackedTrinoServer(const SqliteBackedTrinoServer&) = delete;
  SqliteBackedTrinoServer& operator=(const SqliteBackedTrinoServer&) = delete;

  // A warehouse URL for creditbot: "trino://creditbot@127.0.0.1:PORT/sample/default?ssl=false".
  std::string warehouse_url() const;
  int queries() const;  // POST /v1/statement received
  int pages() const;    // GET nextUri answered

  // The SQLite form of a Trino statement (exposed for its own test).
  static std::string ToSqlite(const std::string& trino_sql);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace creditbot::testing
