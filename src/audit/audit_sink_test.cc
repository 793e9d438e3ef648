// Tests of the folder audit sink's files beside a result (WriteArtifact) and the artifact-name rule.
#include "audit/audit_sink.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/test_support.h"

namespace creditbot {
namespace {

// How many entries `folder` holds (hidden ones too: a temporary file left behind counts).
int FilesIn(const std::string& folder) {
  int files = 0;
  for ([[maybe_unused]] const auto& file : std::filesystem::directory_iterator(folder)) ++files;
  return files;
}

TEST(ArtifactName, APlainFileNameOnly) {
  for (const char* name : {"decision.json", "evidence.json.gz", "a", "notes-1_2.txt"}) {
    EXPECT_TRUE(IsPlainArtifactName(name)) << name;
  }
  for (const char* name : {"", ".", "..", ".hidden", "a/b", "a\\b", "../x", "a\nb", "tab\t"}) {
    EXPECT_FALSE(IsPlainArtifactName(name)) << name;
  }
  EXPECT_FALSE(IsPlainArtifactName(std::string(256, 'a')));
  EXPECT_TRUE(IsPlainArtifactName(std::string(255, 'a')));
}

TEST(FolderAuditSink, WritesANamedFileBesideTheResultAndNeverOverwritesIt) {
  testing::TempDir dir;
  FolderAuditSink sink(dir.File("audit"));
  ASSERT_TRUE(sink.Write("exec-1", "{\"credit\":\"1.00\"}").ok());
  absl::StatusOr<std::string> where = sink.WriteDecision("exec-1", "{\"status\":\"approved\"}\n");
  ASSERT_TRUE(where.ok()) << where.status();
  EXPECT_EQ(*where, dir.File("audit") + "/exec-1/decision.json");
  EXPECT_EQ(testing::ReadFile(*where), "{\"status\":\"approved\"}\n");

  // The same bytes again (a retry after a crash) are the file already there; other bytes are refused.
  EXPECT_TRUE(sink.WriteDecision("exec-1", "{\"status\":\"approved\"}\n").ok());
  absl::StatusOr<std::string> other = sink.WriteDecision("exec-1", "{\"status\":\"rejected\"}\n");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(testing::ReadFile(*where), "{\"status\":\"approved\"}\n");
  // No temporary file is left behind.
  EXPECT_EQ(FilesIn(dir.File("audit") + "/exec-1"), 2);
}

// Issue 20: the record is written to its file as it is produced, in pieces, and linked into place whole.
TEST(FolderAuditSink, AStreamedRecordIsStoredWholeAndNoTemporaryFileIsLeft) {
  testing::TempDir dir;
  FolderAuditSink sink(dir.File("audit"));
  absl::StatusOr<std::string> where = sink.WriteStreamed("exec-3", [](std::FILE* out) {
    for (int piece = 0; piece < 3; ++piece) std::fputs("abc", out);
    return absl::OkStatus();
  });
  ASSERT_TRUE(where.ok()) << where.status();
  EXPECT_EQ(*where, dir.File("audit") + "/exec-3/result.json");
  EXPECT_EQ(testing::ReadFile(*where), "abcabcabc");
  EXPECT_EQ(FilesIn(dir.File("audit") + "/exec-3"), 1);
  // A second record for the execution id is refused, and the first is kept.
  absl::StatusOr<std::string> again = sink.Write("exec-3", "other");
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(testing::ReadFile(*where), "abcabcabc");
}

TEST(FolderAuditSink, AWriterErrorStoresNothingAndIsReturned) {
  testing::TempDir dir;
  FolderAuditSink sink(dir.File("audit"));
  absl::StatusOr<std::string> where = sink.WriteStreamed("exec-4", [](std::FILE* out) {
    std::fputs("{\"half\":", out);
    return absl::UnavailableError("the disk is full");
  });
  EXPECT_EQ(where.status(), absl::UnavailableError("the disk is full"));
  EXPECT_FALSE(std::filesystem::exists(dir.File("audit") + "/exec-4/result.json"));
  EXPECT_TRUE(std::filesystem::is_empty(dir.File("audit") + "/exec-4"));
}

TEST(FolderAuditSink, WritesBinaryArtifactsBeforeTheResultExists) {
  testing::TempDir dir;
  FolderAuditSink sink(dir.File("audit"));
  const std::string bytes("\x1f\x8b\x00\xff", 4);
  absl::StatusOr<std::string> where = sink.WriteArtifact("exec-2", "evidence.json.gz", bytes);
  ASSERT_TRUE(where.ok()) << where.status();
  EXPECT_EQ(testing::ReadFile(*where), bytes);
}

TEST(FolderAuditSink, RefusesNamesAndIdsThatAreNotOnePathSegment) {
  testing::TempDir dir;
  FolderAuditSink sink(dir.File("audit"));
  EXPECT_EQ(sink.WriteArtifact("exec-1", "../escape.json", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sink.WriteArtifact("exec-1", ".hidden", "x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sink.WriteArtifact("a/b", "decision.json", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sink.WriteArtifact("..", "decision.json", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.File("audit")));
}

}  // namespace
}  // namespace creditbot
