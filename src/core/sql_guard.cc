// Lexical read-only check of SQL text; see sql_guard.h for the rules.
#include "core/sql_guard.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/strings.h"

namespace creditbot {
namespace {

constexpr std::array<std::string_view, 34> kForbiddenWords = {
    "INSERT",   "UPDATE",  "DELETE",   "MERGE",   "UPSERT",  "REPLACE", "CREATE",  "DROP",       "ALTER",
    "TRUNCATE", "GRANT",   "REVOKE",   "CALL",    "EXECUTE", "EXEC",    "PREPARE", "DEALLOCATE", "SET",
    "RESET",    "COMMIT",  "ROLLBACK", "START",   "BEGIN",   "USE",     "ATTACH",  "DETACH",     "PRAGMA",
    "VACUUM",   "ANALYZE", "REFRESH",  "COMMENT", "COPY",    "INTO",    "LOAD"};

constexpr char kNotReadOnly[] = "refused: not a single read-only SELECT statement";

enum class TokenKind { kWord, kSemicolon, kOpenParen, kLiteral, kOther };

struct Token {
  TokenKind kind;
  std::string text;  // kWord: upper-cased; kOther: the character as shown in messages
  int line;
};

bool IsWordStart(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsWordChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string ShowChar(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x21 && byte < 0x7f) return absl::StrCat("'", std::string(1, c), "'");
  return absl::StrFormat("byte 0x%02X", byte);
}

absl::Status Refuse(std::string_view what) { return absl::PermissionDeniedError(ToAbsl(what)); }

// How one SQL dialect splits text into code and the runs it skips (strings, quoted names, comments). The
// guard reads the text once per dialect we send SQL to and accepts only what every reading accepts: a run
// that one dialect skips and another reads as code (SQLite's [a'b] is a name, while Trino reads `[` as a
// subscript and `'` as the start of a string) can otherwise hide a statement from the guard.
enum class Reading {
  // Trino/Presto (and Athena): '…' strings, "…" names, `…` (which Trino refuses to parse), comments. `[` is
  // code (a subscript: m['key'], ARRAY[1]).
  kTrino,
  // SQLite: the same, plus [ … ] names (up to the first `]`, no escape) and parameters `$name(…)`,
  // `:name(…)`, `@name(…)`, `#name(…)` whose (…) part runs to the first `)` or whitespace and may hold
  // quotes.
  kSqlite,
};

std::string_view ReadingSuffix(Reading reading) {
  return reading == Reading::kSqlite ? " as SQLite reads it ([…] is a name)" : "";
}

// SQLite's IdChar: letters, digits, '_', '$' and every byte >= 0x80.
bool IsSqliteIdChar(char c) { return IsWordChar(c) || c == '$' || static_cast<unsigned char>(c) >= 0x80; }

// Splits `sql` into the tokens the guard cares about, skipping whitespace and comments, as `reading` sees
// the text. Fails (with the guard's own message) on a NUL byte and on anything unterminated.
class Lexer {
 public:
  explicit Lexer(std::string_view sql, Reading reading = Reading::kTrino) : sql_(sql), reading_(reading) {}

  absl::Status Run(std::vector<Token>& tokens) {
    // A NUL ends the text for C APIs (SQLite reads up to it), so the database and the guard could disagree.
    if (const std::size_t nul = sql_.find('\0'); nul != std::string_view::npos) {
      const auto line = 1 + std::count(sql_.begin(), sql_.begin() + static_cast<std::ptrdiff_t>(nul), '\n');
      return Refuse(absl::StrCat("refused: SQL contains a NUL byte (line ", line, ")"));
    }
    while (pos_ < sql_.size()) {
      const char c = sql_[pos_];
      const char next = pos_ + 1 < sql_.size() ? sql_[pos_ + 1] : '\0';
      if (IsSpace(c)) {
        Advance(1);
      } else if (c == '-' && next == '-') {
        // Ends at CR or LF: Trino ends a line comment at either, and ending early only shows us more code.
        while (pos_ < sql_.size() && sql_[pos_] != '\n' && sql_[pos_] != '\r') Advance(1);
      } else if (c == '/' && next == '*') {
        if (pos_ + 2 < sql_.size() && sql_[pos_ + 2] == '!') {
          return Refuse(absl::StrCat("refused: MySQL executable comment /*! at line ", line_));
        }
        const int opened = line_;
        const std::size_t end = sql_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) {
          return Refuse(absl::StrCat("refused: unterminated block comment (opened at line ", opened, ")"));
        }
        Advance(end + 2 - pos_);
      } else if (c == '\'' || c == '"' || c == '`') {
        const int opened = line_;
        if (!SkipQuoted(c)) {
          return Refuse(absl::StrCat("refused: unterminated ",
                                     c == '\'' ? "string literal" : "quoted identifier", " (opened at line ",
                                     opened, ")"));
        }
        tokens.push_back(
            {TokenKind::kLiteral, c == '\'' ? "a string literal" : "a quoted identifier", opened});
      } else if (reading_ == Reading::kSqlite && c == '[') {
        const int opened = line_;
        const std::size_t end = sql_.find(']', pos_ + 1);
        if (end == std::string_view::npos) {
          return Refuse(absl::StrCat("refused: unterminated [bracketed] identifier (opened at line ", opened,
                                     ")", ToAbsl(ReadingSuffix(reading_))));
        }
        Advance(end + 1 - pos_);
        tokens.push_back({TokenKind::kLiteral, "a quoted identifier", opened});
      } else if (reading_ == Reading::kSqlite && (c == '$' || c == ':' || c == '@' || c == '#') &&
                 IsSqliteIdChar(next)) {
        // A parameter (SQLite's tokenizer, TK_VARIABLE): name characters and `::`, then an optional
        // Tcl-style (…) that ends at the first `)` (or, unterminated, at whitespace: an illegal token).
        const int opened = line_;
        Advance(1);
        while (pos_ < sql_.size()) {
          if (IsSqliteIdChar(sql_[pos_])) {
            Advance(1);
          } else if (sql_[pos_] == ':' && pos_ + 1 < sql_.size() && sql_[pos_ + 1] == ':') {
            Advance(2);
          } else {
            break;
          }
        }
        if (pos_ < sql_.size() && sql_[pos_] == '(') {
          while (pos_ < sql_.size() && !IsSpace(sql_[pos_]) && sql_[pos_] != ')') Advance(1);
          if (pos_ >= sql_.size() || sql_[pos_] != ')') {
            return Refuse(absl::StrCat("refused: unterminated parameter $name(…) (opened at line ", opened,
                                       ")", ToAbsl(ReadingSuffix(reading_))));
          }
          Advance(1);
        }
        tokens.push_back({TokenKind::kLiteral, "a parameter", opened});
      } else if (IsWordStart(c)) {
        const std::size_t start = pos_;
        while (pos_ < sql_.size() && IsWordChar(sql_[pos_])) ++pos_;
        tokens.push_back(
            {TokenKind::kWord, absl::AsciiStrToUpper(ToAbsl(sql_.substr(start, pos_ - start))), line_});
      } else if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        // Digits only: "1delete" is the number 1 and then the word DELETE.
        const std::size_t start = pos_;
        while (pos_ < sql_.size() && absl::ascii_isdigit(static_cast<unsigned char>(sql_[pos_]))) ++pos_;
        tokens.push_back({TokenKind::kOther, std::string(sql_.substr(start, pos_ - start)), line_});
      } else if (c == ';') {
        tokens.push_back({TokenKind::kSemicolon, "';'", line_});
        Advance(1);
      } else if (c == '(') {
        tokens.push_back({TokenKind::kOpenParen, "'('", line_});
        Advance(1);
      } else {
        tokens.push_back({TokenKind::kOther, ShowChar(c), line_});
        Advance(1);
      }
    }
    return absl::OkStatus();
  }

 private:
  void Advance(std::size_t n) {
    for (std::size_t i = 0; i < n && pos_ < sql_.size(); ++i, ++pos_) {
      if (sql_[pos_] == '\n') ++line_;
    }
  }

  // Skips a quoted run starting at pos_ (a doubled quote is an escaped quote). False when unterminated.
  bool SkipQuoted(char quote) {
    Advance(1);
    while (pos_ < sql_.size()) {
      if (sql_[pos_] == quote) {
        if (pos_ + 1 < sql_.size() && sql_[pos_ + 1] == quote) {
          Advance(2);
          continue;
        }
        Advance(1);
        return true;
      }
      Advance(1);
    }
    return false;
  }

  std::string_view sql_;
  Reading reading_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

// OK when the parentheses among `tokens` balance; else what is wrong, without the "refused: " prefix.
absl::Status CheckParentheses(const std::vector<Token>& tokens) {
  std::vector<int> open_lines;
  for (const Token& token : tokens) {
    if (token.kind == TokenKind::kOpenParen) {
      open_lines.push_back(token.line);
    } else if (token.kind == TokenKind::kOther && token.text == "')'") {
      if (open_lines.empty()) {
        return absl::InvalidArgumentError(absl::StrCat("a ')' at line ", token.line, " closes nothing"));
      }
      open_lines.pop_back();
    }
  }
  if (!open_lines.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(open_lines.size(), " '(' never closed, the first opened at line ", open_lines.front()));
  }
  return absl::OkStatus();
}

bool IsDigitsToken(const Token& token) {
  return token.kind == TokenKind::kOther && !token.text.empty() &&
         std::all_of(token.text.begin(), token.text.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
}

bool IsPositiveInteger(std::string_view text) {
  if (text.empty() || text.size() > 18 || text.front() == '0') return false;
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
}

bool IsForbidden(std::string_view upper_word) {
  return std::find(kForbiddenWords.begin(), kForbiddenWords.end(), upper_word) != kForbiddenWords.end();
}

// CheckReadOnlySql for one reading of the text.
absl::Status CheckReadOnlyAs(std::string_view sql, Reading reading) {
  std::vector<Token> tokens;
  if (absl::Status lexed = Lexer(sql, reading).Run(tokens); !lexed.ok()) return lexed;
  if (tokens.empty()) return absl::InvalidArgumentError("empty SQL");

  std::size_t first = 0;
  while (first < tokens.size() && tokens[first].kind == TokenKind::kOpenParen) ++first;
  if (first == tokens.size()) {
    return Refuse(
        absl::StrCat(kNotReadOnly, " (no SELECT or WITH after '(' at line ", tokens.back().line, ")"));
  }
  const Token& start = tokens[first];
  if (start.kind != TokenKind::kWord || (start.text != "SELECT" && start.text != "WITH")) {
    return Refuse(absl::StrCat(kNotReadOnly, " (starts with ", start.text, " at line ", start.line, ")"));
  }

  for (std::size_t i = first; i < tokens.size(); ++i) {
    const Token& token = tokens[i];
    if (token.kind == TokenKind::kSemicolon) {
      if (i + 1 < tokens.size()) {
        return Refuse(absl::StrCat("refused: more than one statement (a second statement starts at line ",
                                   tokens[i + 1].line, ")"));
      }
      continue;
    }
    if (token.kind != TokenKind::kWord || !IsForbidden(token.text)) continue;
    // `t.comment` or `report.set`: a qualified column name, which no statement can start with.
    const bool is_qualified_name =
        i > 0 && tokens[i - 1].kind == TokenKind::kOther && tokens[i - 1].text == "'.'";
    if (is_qualified_name) continue;
    const bool is_function_call = i + 1 < tokens.size() && tokens[i + 1].kind == TokenKind::kOpenParen;
    if (token.text == "REPLACE" && is_function_call) continue;
    return Refuse(absl::StrCat(kNotReadOnly, " (found ", token.text, " at line ", token.line, ")"));
  }
  if (absl::Status balanced = CheckParentheses(tokens); !balanced.ok()) {
    return Refuse(absl::StrCat("refused: unbalanced parentheses (", balanced.message(), ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckReadOnlySql(std::string_view sql) {
  if (sql.size() > kMaxSqlBytes) {
    return Refuse(absl::StrCat("refused: the SQL is ", sql.size(), " bytes, more than the ", kMaxSqlBytes,
                               " creditbot runs"));
  }
  if (absl::Status trino = CheckReadOnlyAs(sql, Reading::kTrino); !trino.ok()) return trino;
  absl::Status sqlite = CheckReadOnlyAs(sql, Reading::kSqlite);
  if (sqlite.ok() || sqlite.code() != absl::StatusCode::kPermissionDenied ||
      absl::EndsWith(sqlite.message(), ToAbsl(ReadingSuffix(Reading::kSqlite)))) {
    return sqlite;
  }
  return Refuse(absl::StrCat(sqlite.message(), ToAbsl(ReadingSuffix(Reading::kSqlite))));
}

absl::Status CheckLookerSqlComplete(std::string_view sql, std::string_view row_limit) {
  if (sql.size() > kMaxSqlBytes) return absl::OkStatus();  // not read: CheckReadOnlySql refuses it
  std::vector<Token> tokens;
  if (absl::Status lexed = Lexer(sql).Run(tokens); !lexed.ok()) {
    absl::string_view message = lexed.message();
    absl::ConsumePrefix(&message, "refused: ");
    return absl::DataLossError(message);
  }
  if (tokens.empty()) return absl::DataLossError("it is empty");
  if (absl::Status balanced = CheckParentheses(tokens); !balanced.ok()) {
    return absl::DataLossError(balanced.message());
  }
  if (!IsPositiveInteger(row_limit)) return absl::OkStatus();
  std::size_t end = tokens.size();
  if (tokens[end - 1].kind == TokenKind::kSemicolon) --end;
  const Token* last = end >= 1 ? &tokens[end - 1] : nullptr;
  const Token* before = end >= 2 ? &tokens[end - 2] : nullptr;
  if (last == nullptr || before == nullptr || !IsDigitsToken(*last) || before->kind != TokenKind::kWord ||
      before->text != "LIMIT") {
    const Token& shown = last != nullptr ? *last : tokens.back();
    return absl::DataLossError(absl::StrCat("it ends with ", shown.text, " at line ", shown.line,
                                            ", not with LIMIT (the query's row limit is ", ToAbsl(row_limit),
                                            ")"));
  }
  if (last->text.size() < row_limit.size() && absl::StartsWith(ToAbsl(row_limit), last->text)) {
    return absl::DataLossError(
        absl::StrCat("it ends with LIMIT ", last->text, " but the query's row limit is ", ToAbsl(row_limit)));
  }
  return absl::OkStatus();
}

}  // namespace creditbot
