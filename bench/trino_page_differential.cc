// Differential check of the simdjson Trino page decoder against the one it replaced: every file given (or
// every file of every folder given, e.g. fuzz/corpus/trino_page_fuzz/ and tests/fixtures/trino/) is decoded
// by both, without and with its own columns as an earlier page's, and the results are compared: the status
// code, and on success the id, state, nextUri, columns, error and every cell. Prints each difference and a
// summary; exit 1 when there is one.
//
// Known, intended differences, counted apart and not failures: a non-string value in a text column (array,
// map, row) is now its JSON text with members in the order sent and numbers exactly as sent, where the old
// decoder re-serialised it (keys sorted, numbers through a double); and a body holding a NUL byte is now
// refused as not JSON, where nlohmann::json stopped reading at the NUL and used what came before.
//
//   build/bench/bench/trino_page_differential fuzz/corpus/trino_page_fuzz tests/fixtures/trino
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "legacy_trino_page.h"
#include "warehouse/trino_page.h"

namespace creditbot::bench {
namespace {

bool SameCell(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<double>(&a)) {
    const double y = std::get<double>(b);
    return (std::isnan(*x) && std::isnan(y)) || *x == y;
  }
  return a == b;
}

bool SameError(const std::optional<TrinoQueryError>& a, const std::optional<TrinoQueryError>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->message == b->message && a->error_name == b->error_name && a->error_type == b->error_type &&
         a->error_code == b->error_code && a->line == b->line && a->column == b->column;
}

bool SameColumns(const std::vector<Column>& a, const std::vector<Column>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].type != b[i].type) return false;
  }
  return true;
}

struct Tally {
  int files = 0, same = 0, nested_text = 0, after_nul = 0, different = 0;
};

// "" when the same; else what differs. `nested` is set when the only differences are text cells holding
// JSON containers (the intended difference).
std::string Compare(const absl::StatusOr<TrinoPage>& now, const absl::StatusOr<TrinoPage>& before,
                    bool& nested) {
  nested = false;
  if (now.ok() != before.ok()) {
    return "status: now " + now.status().ToString() + ", before " + before.status().ToString();
  }
  if (!now.ok()) {
    if (now.status().code() != before.status().code()) {
      return "code: now " + now.status().ToString() + ", before " + before.status().ToString();
    }
    return "";
  }
  if (now->id != before->id) return "id";
  if (now->state != before->state) return "state";
  if (now->next_uri != before->next_uri) return "nextUri";
  if (!SameColumns(now->columns, before->columns)) return "columns";
  if (!SameError(now->error, before->error)) return "error";
  if (now->rows.size() != before->rows.size()) return "row count";
  for (std::size_t r = 0; r < now->rows.size(); ++r) {
    for (std::size_t c = 0; c < now->rows[r].size(); ++c) {
      const Value& a = now->rows[r][c];
      const Value& b = before->rows[r][c];
      if (SameCell(a, b)) continue;
      const auto* text = std::get_if<std::string>(&a);
      const auto* old_text = std::get_if<std::string>(&b);
      if (text != nullptr && old_text != nullptr && !text->empty() && !old_text->empty() &&
          (text->front() == '[' || text->front() == '{' || text->front() == '-' ||
           (text->front() >= '0' && text->front() <= '9'))) {
        nested = true;
        continue;
      }
      return "row " + std::to_string(r) + " column " + std::to_string(c);
    }
  }
  return "";
}

void CheckFile(const std::filesystem::path& path, Tally& tally) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  ++tally.files;
  bool any_nested = false;
  std::string difference;
  for (int pass = 0; pass < 2 && difference.empty(); ++pass) {
    std::vector<Column> known;
    if (pass == 1) {
      absl::StatusOr<TrinoPage> first = LegacyParseTrinoPage(text);
      if (!first.ok()) break;
      known = first->columns;
    }
    bool nested = false;
    difference = Compare(ParseTrinoPage(text, known), LegacyParseTrinoPage(text, known), nested);
    any_nested = any_nested || nested;
  }
  const std::size_t nul = text.find('\0');
  if (!difference.empty() && nul != std::string::npos &&
      ParseTrinoPage(text).status().code() == absl::StatusCode::kUnavailable) {
    ++tally.after_nul;
  } else if (!difference.empty()) {
    ++tally.different;
    std::printf("DIFFERENT %s: %s\n", path.c_str(), difference.c_str());
  } else if (any_nested) {
    ++tally.nested_text;
  } else {
    ++tally.same;
  }
}

}  // namespace
}  // namespace creditbot::bench

int main(int argc, char** argv) {
  creditbot::bench::Tally tally;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path root(argv[i]);
    if (std::filesystem::is_directory(root)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) creditbot::bench::CheckFile(entry.path(), tally);
      }
    } else {
      creditbot::bench::CheckFile(root, tally);
    }
  }
  std::printf(
      "%d files: %d the same, %d differing only in containers' JSON text, %d refused for a NUL byte, "
      "%d different\n",
      tally.files, tally.same, tally.nested_text, tally.after_nul, tally.different);
  return tally.different == 0 ? 0 : 1;
}
