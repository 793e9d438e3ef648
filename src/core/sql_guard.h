// The SQL guard: SQL that came from Looker (or a user) is run only if it is exactly one read-only
// SELECT/WITH statement. This is a lexical check, deliberately stricter than any SQL dialect needs, and a
// second line of defence only: the warehouse user should be read-only as well.
//
// The text is read once per dialect we send SQL to, and accepted only when every reading accepts it, so that
// a run one dialect skips as a string, name or comment cannot hide code that another dialect runs:
//  - both readings: '…' strings with '' as the only escape, "…" and `…` quoted identifiers with doubled
//    quotes, `--` comments ending at CR or LF, non-nesting /* */ comments;
//  - Trino/Presto/Athena: `[` is code (a subscript: m['key'], ARRAY[1]);
//  - SQLite: […] is a quoted identifier (up to the first `]`, no escape), and a parameter $name, :name,
//    @name or #name may end in a Tcl-style (…) that runs to the first `)` and may hold quotes.
// So `SELECT 1 AS [a'b]; DELETE FROM t; SELECT 1 AS [c'd]`, one statement for the Trino reading (the
// quotes hide the DELETE), is refused by the SQLite reading.
// Dialects we never send SQL to are not read: MySQL (backslash escapes, `#` comments, `--` needing a space)
// and PostgreSQL (nested comments, $tag$ quoting, E'\'' strings) can each hide code this guard sees as a
// string, so a new warehouse dialect needs its own reading here. Pure function, safe from any thread.
#pragma once

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace creditbot {

// The largest SQL creditbot checks and runs: 1 MiB. Real Looker SQL is a few to a few hundred kilobytes; a
// larger text is refused before it is read, so a huge or hostile look cannot make the guard (or the
// warehouse's parser) use memory in proportion to it.
inline constexpr std::size_t kMaxSqlBytes = std::size_t{1} << 20;

// OK when `sql` is one read-only statement of at most kMaxSqlBytes:
//  - after whitespace, comments and any number of `(`, the first word is SELECT or WITH (any case);
//  - at most one `;`, followed by nothing but whitespace and comments;
//  - parentheses balance (outside string literals, quoted identifiers and comments): every SQL dialect needs
//    that, and an unbalanced statement is most often one cut short;
//  - no forbidden keyword as a bare word outside string literals, quoted identifiers and comments:
//    INSERT UPDATE DELETE MERGE UPSERT REPLACE CREATE DROP ALTER TRUNCATE GRANT REVOKE CALL EXECUTE EXEC
//    PREPARE DEALLOCATE SET RESET COMMIT ROLLBACK START BEGIN USE ATTACH DETACH PRAGMA VACUUM ANALYZE
//    REFRESH COMMENT COPY INTO LOAD. A word is [A-Za-z_][A-Za-z0-9_]*; digits never start one, so "1delete"
//    holds the word DELETE. One exception: REPLACE directly followed by `(` is the string function
//    replace(…), which no dialect can read as a statement.
//
// Errors:
//  - kInvalidArgument "empty SQL" when `sql` holds nothing but whitespace and comments.
//  - kPermissionDenied "refused: the SQL is 5000222 bytes, more than the 1048576 creditbot runs" when it is
//    larger than kMaxSqlBytes (nothing else is checked).
//  - kPermissionDenied with a message for a human, naming the line, e.g.
//    "refused: not a single read-only SELECT statement (found DELETE at line 3)",
//    "refused: not a single read-only SELECT statement (starts with UPDATE at line 1)",
//    "refused: more than one statement (a second statement starts at line 2)",
//    "refused: unterminated string literal (opened at line 4)" (also block comment, quoted identifier),
//    "refused: unbalanced parentheses (2 '(' never closed, the first opened at line 3)" (or "a ')' at line 5
//    closes nothing"), checked after the keywords,
//    "refused: SQL contains a NUL byte (line 1)", "refused: MySQL executable comment /*! at line 1";
//    a refusal that only the SQLite reading finds ends with " as SQLite reads it ([…] is a name)", e.g.
//    "refused: more than one statement (a second statement starts at line 1) as SQLite reads it ([…] is a
//    name)", "refused: unterminated [bracketed] identifier (opened at line 2) as SQLite reads it ([…] is a
//    name)".
absl::Status CheckReadOnlySql(std::string_view sql);

// Whether SQL that Looker generated (GET /queries/{id}/run/sql) arrived whole. An answer cut short can still
// be valid SQL — a cut inside a WHERE list leaves a statement that runs on the wrong rows — so the end of the
// statement is checked against what Looker always writes there: for a query with a positive row limit (its
// `limit` in the query's JSON, e.g. "500"), Looker's Trino/Presto, MySQL, BigQuery and SQLite dialects end
// the statement with `LIMIT n`. OK when:
//  - the text lexes (no unterminated literal or comment) and its parentheses balance (see above);
//  - when `row_limit` is a positive integer: the last clause, after comments, whitespace and at most one
//    `;`, is LIMIT followed by an integer, and that integer is not a proper prefix of `row_limit` ("50" for
//    a limit of 5000 is a cut inside the number). `row_limit` "" (unknown: no query JSON, or an expanded
//    Explore link without limit=), "-1" (unlimited: Looker writes no LIMIT) or anything else skips this rule.
// It cannot see a cut that falls inside trailing comments or whitespace (harmless), nor — without a known
// limit — a cut that leaves a balanced statement. SQL larger than kMaxSqlBytes is not read (OK):
// CheckReadOnlySql refuses it.
//
// Errors: kDataLoss naming what is missing, e.g. "it ends with AND at line 14, not with LIMIT (the query's
// row limit is 500)", "it ends with LIMIT 50 but the query's row limit is 5000", "2 '(' never closed, …", or
// the lexer's "unterminated string literal (opened at line 4)".
absl::Status CheckLookerSqlComplete(std::string_view sql, std::string_view row_limit);

}  // namespace creditbot
