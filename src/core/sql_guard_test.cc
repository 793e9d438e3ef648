// Tests for the read-only SQL guard: Looker-style queries pass; writes, second statements and lexical tricks
// are refused with a message naming what and where.
#include "core/sql_guard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"

namespace creditbot {
namespace {

using std::string_literals::operator""s;

void ExpectAccepted(const std::string& sql) {
  absl::Status status = CheckReadOnlySql(sql);
  EXPECT_TRUE(status.ok()) << status << "\nSQL:\n" << sql;
}

void ExpectRefused(const std::string& sql, const std::string& message) {
  absl::Status status = CheckReadOnlySql(sql);
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << "SQL:\n" << sql;
  EXPECT_EQ(status.message(), message) << "SQL:\n" << sql;
}

// --- accepted -----------------------------------------------------------------------------------------

TEST(SqlGuard, AcceptsLookerGeneratedTrinoQuery) {
  ExpectAccepted(R"(-- Looker Query Context '{"user_id":42,"history_slug":"abc","instance_slug":"x"}'
SELECT
    (DATE_FORMAT(sms_usage.created_at , '%Y-%m-%d')) AS "sms_usage.created_date",
    sms_usage.mcc  AS "sms_usage.mcc",
    COALESCE(SUM(sms_usage.attempts ), 0) AS "sms_usage.total_attempts"
FROM verify.sms_usage  AS sms_usage
WHERE ((( sms_usage.created_at  ) >= ((DATE_ADD('day', -6, CAST(CAST(DATE_TRUNC('DAY', NOW()) AS DATE) AS TIMESTAMP))))))
  AND (sms_usage.account_sid ) = 'AC0123456789abcdef0123456789abcdef'
GROUP BY 1, 2
ORDER BY 1 DESC
LIMIT 500)");
}

TEST(SqlGuard, AcceptsCommonTableExpressionsAndBlockComments) {
  ExpectAccepted(R"(/* looker: derived table */
WITH fraud AS (
  SELECT account_sid, country, count(*) AS attempts FROM verify.attempts GROUP BY 1, 2
), mrr AS (SELECT account_sid, sum(amount) AS mrr FROM billing.mrr GROUP BY 1)
SELECT f.*, m.mrr FROM fraud f LEFT JOIN mrr m ON m.account_sid = f.account_sid)");
}

TEST(SqlGuard, AcceptsForbiddenWordsInsideQuotedIdentifiersStringsAndComments) {
  ExpectAccepted(R"(SELECT "delete" AS "update", `drop`, 'x; DROP TABLE users; --' AS note -- DELETE FROM t
FROM t /* INSERT INTO t VALUES (1); */ WHERE name = 'it''s; DELETE FROM t' AND "we""ird; drop" = 1)");
}

TEST(SqlGuard, AcceptsWordsThatOnlyContainAForbiddenKeyword) {
  ExpectAccepted("SELECT deleted_at, updated_by, created, dropoff, settings, use_count, _into FROM t");
}

TEST(SqlGuard, AcceptsOneTrailingSemicolonFollowedOnlyByCommentsAndWhitespace) {
  ExpectAccepted("SELECT 1;");
  ExpectAccepted("SELECT 1 ; -- done\n  /* really */ \n\t");
}

TEST(SqlGuard, AcceptsLeadingParenthesesAndAnyCase) {
  ExpectAccepted("((select 1) union all (SELECT 2))");
  ExpectAccepted("  \n -- comment\n/* c */ ( wItH x AS (SELECT 1) SeLeCt * FROM x)");
}

TEST(SqlGuard, AcceptsTheReplaceStringFunction) {
  ExpectAccepted("SELECT replace(phone, '+', '') AS e164, REPLACE /* fn */ (country, ' ', '') FROM t");
}

// --- refused ------------------------------------------------------------------------------------------

TEST(SqlGuard, RefusesStatementsThatDoNotStartWithSelectOrWith) {
  ExpectRefused("DELETE FROM t",
                "refused: not a single read-only SELECT statement (starts with DELETE at line 1)");
  ExpectRefused("-- c\n\nupdate t set a = 1",
                "refused: not a single read-only SELECT statement (starts with UPDATE at line 3)");
  ExpectRefused("EXPLAIN SELECT 1",
                "refused: not a single read-only SELECT statement (starts with EXPLAIN at line 1)");
  ExpectRefused("VALUES (1)",
                "refused: not a single read-only SELECT statement (starts with VALUES at line 1)");
  ExpectRefused("'SELECT' 1",
                "refused: not a single read-only SELECT statement (starts with a string literal at line 1)");
  ExpectRefused("; SELECT 1", "refused: not a single read-only SELECT statement (starts with ';' at line 1)");
  ExpectRefused("((",
                "refused: not a single read-only SELECT statement (no SELECT or WITH after '(' at line 1)");
}

TEST(SqlGuard, RefusesForbiddenKeywordAnywhereNamingItsLine) {
  ExpectRefused("WITH gone AS (\n  DELETE FROM t RETURNING *\n)\nSELECT * FROM gone",
                "refused: not a single read-only SELECT statement (found DELETE at line 2)");
  ExpectRefused("SELECT * INTO backup FROM t",
                "refused: not a single read-only SELECT statement (found INTO at line 1)");
  ExpectRefused("SELECT 1\n\n FOR update",
                "refused: not a single read-only SELECT statement (found UPDATE at line 3)");
}

TEST(SqlGuard, RefusesEveryForbiddenKeyword) {
  for (const char* word :
       {"INSERT",   "UPDATE",  "DELETE",   "MERGE",   "UPSERT",  "REPLACE", "CREATE",  "DROP",       "ALTER",
        "TRUNCATE", "GRANT",   "REVOKE",   "CALL",    "EXECUTE", "EXEC",    "PREPARE", "DEALLOCATE", "SET",
        "RESET",    "COMMIT",  "ROLLBACK", "START",   "BEGIN",   "USE",     "ATTACH",  "DETACH",     "PRAGMA",
        "VACUUM",   "ANALYZE", "REFRESH",  "COMMENT", "COPY",    "INTO",    "LOAD"}) {
    ExpectRefused(
        "SELECT a FROM t WHERE " + std::string(word) + " x",
        "refused: not a single read-only SELECT statement (found " + std::string(word) + " at line 1)");
  }
}

TEST(SqlGuard, RefusesReplaceWhenItIsNotAFunctionCall) {
  ExpectRefused("SELECT 1 FROM t WHERE x = 1 REPLACE INTO t (a) VALUES (1)",
                "refused: not a single read-only SELECT statement (found REPLACE at line 1)");
}

TEST(SqlGuard, RefusesKeywordGluedToANumber) {
  ExpectRefused("SELECT 1delete FROM t",
                "refused: not a single read-only SELECT statement (found DELETE at line 1)");
}

TEST(SqlGuard, RefusesKeywordRightAfterNonAsciiBytes) {
  ExpectRefused(
      "SELECT \xC3\xA9"
      "drop FROM t",
      "refused: not a single read-only SELECT statement (found DROP at line 1)");
}

TEST(SqlGuard, RefusesASecondStatement) {
  ExpectRefused("SELECT 1; SELECT 2",
                "refused: more than one statement (a second statement starts at line 1)");
  ExpectRefused("SELECT 1;\n-- next\nDROP TABLE t",
                "refused: more than one statement (a second statement starts at line 3)");
  ExpectRefused("SELECT 1;;", "refused: more than one statement (a second statement starts at line 1)");
}

TEST(SqlGuard, LineCommentEndsAtCarriageReturnAsInTrino) {
  ExpectRefused("SELECT 1 -- note\rDELETE FROM t",
                "refused: not a single read-only SELECT statement (found DELETE at line 1)");
}

TEST(SqlGuard, BlockCommentsDoNotNest) {
  ExpectRefused("SELECT 1 /* outer /* inner */ DROP TABLE t */",
                "refused: not a single read-only SELECT statement (found DROP at line 1)");
}

TEST(SqlGuard, RefusesUnterminatedLiteralsAndComments) {
  ExpectRefused("SELECT 'abc", "refused: unterminated string literal (opened at line 1)");
  ExpectRefused("SELECT 1\n, 'it''s", "refused: unterminated string literal (opened at line 2)");
  ExpectRefused("SELECT \"col", "refused: unterminated quoted identifier (opened at line 1)");
  ExpectRefused("SELECT `col", "refused: unterminated quoted identifier (opened at line 1)");
  ExpectRefused("SELECT 1\n\n/* never closed", "refused: unterminated block comment (opened at line 3)");
  ExpectRefused("SELECT 1 /*/", "refused: unterminated block comment (opened at line 1)");
}

TEST(SqlGuard, RefusesNulBytes) {
  ExpectRefused("SELECT 1\n\0; DROP TABLE t"s, "refused: SQL contains a NUL byte (line 2)");
  ExpectRefused("SELECT 'a\0'"s, "refused: SQL contains a NUL byte (line 1)");
}

TEST(SqlGuard, RefusesMySqlExecutableComments) {
  ExpectRefused("SELECT 1 /*! DROP TABLE t */", "refused: MySQL executable comment /*! at line 1");
}

// Issue 21 point 5. SQLite reads [a'b] as a name; the Trino reading sees `[`, a word and then a string from
// the first quote to the next, which hid the DELETE (accepted before the SQLite reading existed).
TEST(SqlGuard, RefusesAStatementHiddenBetweenSqliteBracketedNames) {
  ExpectRefused("SELECT 1 AS [a'b]; DELETE FROM accounts; SELECT 1 AS [c'd]",
                "refused: more than one statement (a second statement starts at line 1) as SQLite reads it "
                "([…] is a name)");
  // The same with a block comment: the Trino reading sees /*b] … [c*/ as one comment.
  ExpectRefused("SELECT 1 AS [a/*b]\nFROM t;\nDELETE FROM t; SELECT 1 AS [c*/d]",
                "refused: more than one statement (a second statement starts at line 3) as SQLite reads it "
                "([…] is a name)");
}

// SQLite's tokenizer lets a parameter end in a Tcl-style (…) running to the first ')', quotes included: the
// Trino reading sees a string from the quote to the comment's quote, hiding the DELETE.
TEST(SqlGuard, RefusesAStatementHiddenAfterASqliteTclParameter) {
  ExpectRefused("SELECT $a(') ; DELETE FROM t ; SELECT 1 -- ')",
                "refused: more than one statement (a second statement starts at line 1) as SQLite reads it "
                "([…] is a name)");
  ExpectRefused("SELECT :b::c(') ; DROP TABLE t ; SELECT 1 -- ')",
                "refused: more than one statement (a second statement starts at line 1) as SQLite reads it "
                "([…] is a name)");
}

// The other way round: treating [ … ] as a name in every dialect would hide this DELETE from the guard,
// while Trino reads m[']'] as a subscript with the string ']'.
TEST(SqlGuard, RefusesAStatementHiddenFromTheTrinoReadingOfASubscript) {
  ExpectRefused("SELECT m[']'] ; DELETE FROM t; SELECT 1 -- '",
                "refused: more than one statement (a second statement starts at line 1)");
}

TEST(SqlGuard, AcceptsTrinoSubscriptsAndSqliteBracketedNames) {
  ExpectAccepted("SELECT tags['env'] AS env, ARRAY[1, 2][1] AS one FROM t");
  ExpectAccepted("SELECT [order total] AS total FROM [my table]");
  ExpectAccepted("SELECT x FROM t WHERE a = :a AND b = $b AND c = @c");
}

TEST(SqlGuard, RefusesAnUnterminatedBracketedName) {
  ExpectRefused(
      "SELECT a\nFROM t WHERE b = m[1",
      "refused: unterminated [bracketed] identifier (opened at line 2) as SQLite reads it ([…] is a "
      "name)");
}

TEST(SqlGuard, QuotedIdentifiersWithDoubledQuotesAndBackticksHideNothing) {
  ExpectAccepted("SELECT 1 AS \"a\"\"; DELETE FROM t; --\"");
  ExpectAccepted("SELECT 1 AS `a``; DELETE FROM t; --`");
  ExpectRefused("SELECT 1 AS \"a\"\"\"; DELETE FROM t",
                "refused: more than one statement (a second statement starts at line 1)");
}

TEST(SqlGuard, EmptySqlIsInvalidArgument) {
  for (const std::string sql : {"", "   \n\t", "-- only a comment", "/* only */ -- comments\n"}) {
    absl::Status status = CheckReadOnlySql(sql);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << sql;
    EXPECT_EQ(status.message(), "empty SQL") << sql;
  }
}

}  // namespace
}  // namespace creditbot

namespace creditbot {
namespace {

TEST(SqlGuard, AcceptsQualifiedColumnsNamedLikeKeywords) {
  ExpectAccepted(
      "SELECT t.comment, t.start, r.set AS \"r.set\" FROM tickets AS t JOIN rules AS r ON t.id = r.id");
}

TEST(SqlGuard, StillRefusesABareKeywordAfterAQualifiedOne) {
  ExpectRefused("SELECT t.comment INTO copy_of_tickets FROM tickets AS t",
                "refused: not a single read-only SELECT statement (found INTO at line 1)");
}

}  // namespace
}  // namespace creditbot

namespace creditbot {
namespace {

TEST(SqlGuard, RefusesUnbalancedParentheses) {
  ExpectRefused("SELECT a FROM t WHERE (a IN (1, 2)",
                "refused: unbalanced parentheses (1 '(' never closed, the first opened at line 1)");
  ExpectRefused("SELECT a FROM t\nWHERE (a IN (1, 2\n",
                "refused: unbalanced parentheses (2 '(' never closed, the first opened at line 2)");
  ExpectRefused("SELECT a) FROM t", "refused: unbalanced parentheses (a ')' at line 1 closes nothing)");
  // Parentheses inside literals, quoted identifiers and comments do not count.
  ExpectAccepted("SELECT '(' AS \"a)\", `(b` FROM t -- (\n/* ) */ WHERE (x = ')')");
}

// Looker's statement for a query with a row limit ends with LIMIT n (the fixtures' recorded bodies do).
TEST(SqlGuard, RefusesSqlLargerThanOneMebibyteWithoutReadingIt) {
  // 1 MiB = 1,048,576 bytes is accepted ("SELECT 1" and spaces); one byte more is refused by its size alone,
  // as are 5 MB of nested parentheses, which would otherwise be lexed token by token.
  std::string at_limit = "SELECT 1";
  at_limit.resize(kMaxSqlBytes, ' ');
  EXPECT_TRUE(CheckReadOnlySql(at_limit).ok());
  absl::Status over = CheckReadOnlySql(at_limit + " ");
  EXPECT_EQ(over.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(over.message(), "refused: the SQL is 1048577 bytes, more than the 1048576 creditbot runs");
  const std::string nested = "SELECT " + std::string(2'500'000, '(') + "1" + std::string(2'500'000, ')');
  EXPECT_EQ(CheckReadOnlySql(nested).message(),
            "refused: the SQL is 5000008 bytes, more than the 1048576 creditbot runs");
  // Looker's completeness check leaves it to the guard rather than lex it.
  EXPECT_TRUE(CheckLookerSqlComplete(nested, "500").ok());
}

TEST(LookerSqlComplete, AcceptsWholeStatements) {
  const std::string sql =
      "SELECT a, COUNT(*) FROM t\nWHERE (a IN ('x', 'y'))\nGROUP BY 1\nORDER BY 1\nLIMIT 500";
  EXPECT_TRUE(CheckLookerSqlComplete(sql, "500").ok());
  EXPECT_TRUE(CheckLookerSqlComplete(sql + ";\n-- Looker: done\n", "500").ok());
  EXPECT_TRUE(CheckLookerSqlComplete("SELECT a FROM t limit 5000", "500").ok());  // another limit, not a cut
  // No positive row limit known ("" or -1, unlimited): only the balance is checked.
  EXPECT_TRUE(CheckLookerSqlComplete("SELECT a FROM t WHERE (a = 1)", "").ok());
  EXPECT_TRUE(CheckLookerSqlComplete("SELECT a FROM t WHERE (a = 1)", "-1").ok());
}

TEST(LookerSqlComplete, RefusesStatementsCutShort) {
  const std::string sql =
      "SELECT a, COUNT(*) FROM t\nWHERE (a IN ('x', 'y'))\nGROUP BY 1\nORDER BY 1\nLIMIT 500";
  auto message = [](const std::string& text, const std::string& limit) {
    absl::Status status = CheckLookerSqlComplete(text, limit);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << text;
    return std::string(status.message());
  };
  // A cut after a whole WHERE clause parses, and would run on the wrong rows.
  EXPECT_EQ(message(sql.substr(0, sql.find("\nGROUP")), "500"),
            "it ends with ')' at line 2, not with LIMIT (the query's row limit is 500)");
  EXPECT_EQ(message(sql.substr(0, sql.find("\nLIMIT")), "500"),
            "it ends with 1 at line 4, not with LIMIT (the query's row limit is 500)");
  EXPECT_EQ(message(sql.substr(0, sql.size() - 1), "500"),
            "it ends with LIMIT 50 but the query's row limit is 500");
  EXPECT_EQ(message(sql.substr(0, sql.size() - 3), "500"),
            "it ends with LIMIT at line 5, not with LIMIT (the query's row limit is 500)");
  EXPECT_EQ(message(sql.substr(0, sql.find(", 'y'")), ""), "2 '(' never closed, the first opened at line 2");
  EXPECT_EQ(message(sql.substr(0, sql.find("y'")), "-1"), "unterminated string literal (opened at line 2)");
  EXPECT_EQ(message("  -- nothing\n", "500"), "it is empty");
}

}  // namespace
}  // namespace creditbot
