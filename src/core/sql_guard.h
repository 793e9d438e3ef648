// The SQL guard: SQL that came from Looker (or a user) is run only if it is exactly one read-only
// SELECT/WITH statement. This is a lexical check, deliberately stricter than any SQL dialect needs, and a
// second line of defence only: the warehouse user should be read-only as well.
//
// Lexical rules are those of Trino/Presto and SQLite: '…' strings with '' as the only escape, "…" and `…`
// quoted identifiers with doubled quotes, `--` comments ending at CR or LF, non-nesting /* */ comments.
// Where a dialect differs (MySQL backslash escapes, nested PostgreSQL comments) the guard sees *more* code
// than the database does, so it refuses more, never less. Pure function, safe from any thread.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace creditbot {

// OK when `sql` is one read-only statement:
//  - after whitespace, comments and any number of `(`, the first word is SELECT or WITH (any case);
//  - at most one `;`, followed by nothing but whitespace and comments;
//  - no forbidden keyword as a bare word outside string literals, quoted identifiers and comments:
//    INSERT UPDATE DELETE MERGE UPSERT REPLACE CREATE DROP ALTER TRUNCATE GRANT REVOKE CALL EXECUTE EXEC
//    PREPARE DEALLOCATE SET RESET COMMIT ROLLBACK START BEGIN USE ATTACH DETACH PRAGMA VACUUM ANALYZE
//    REFRESH COMMENT COPY INTO LOAD. A word is [A-Za-z_][A-Za-z0-9_]*; digits never start one, so "1delete"
//    holds the word DELETE. One exception: REPLACE directly followed by `(` is the string function
//    replace(…), which no dialect can read as a statement.
//
// Errors:
//  - kInvalidArgument "empty SQL" when `sql` holds nothing but whitespace and comments.
//  - kPermissionDenied with a message for a human, naming the line, e.g.
//    "refused: not a single read-only SELECT statement (found DELETE at line 3)",
//    "refused: not a single read-only SELECT statement (starts with UPDATE at line 1)",
//    "refused: more than one statement (a second statement starts at line 2)",
//    "refused: unterminated string literal (opened at line 4)" (also block comment, quoted identifier),
//    "refused: SQL contains a NUL byte (line 1)", "refused: MySQL executable comment /*! at line 1".
absl::Status CheckReadOnlySql(std::string_view sql);

}  // namespace creditbot
