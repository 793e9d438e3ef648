// Tests of SpoolFile: what is written is read back whole, and no file is left behind.
#include "common/spool_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>

#include "tests/test_support.h"

namespace creditbot {
namespace {

// Points $TMPDIR at a fresh folder for one test, and back after it.
class SpoolFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* old = std::getenv("TMPDIR");
    if (old != nullptr) old_tmpdir_ = old;
    setenv("TMPDIR", dir_.path().c_str(), 1);
  }
  void TearDown() override {
    if (old_tmpdir_.has_value()) {
      setenv("TMPDIR", old_tmpdir_->c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
  }
  bool FolderIsEmpty() const { return std::filesystem::is_empty(dir_.path()); }

  testing::TempDir dir_;
  std::optional<std::string> old_tmpdir_;
};

TEST_F(SpoolFileTest, WhatIsWrittenIsReadBackWholeFromAFileThatIsNeverListed) {
  absl::StatusOr<SpoolFile> spool = SpoolFile::Create();
  ASSERT_TRUE(spool.ok()) << spool.status();
  EXPECT_TRUE(FolderIsEmpty());  // unlinked at once
  const std::string block(70000, 'x');
  ASSERT_EQ(std::fwrite(block.data(), 1, block.size(), spool->stream()), block.size());
  ASSERT_EQ(std::fputs("end", spool->stream()), 1);
  absl::StatusOr<std::string_view> contents = spool->Contents();
  ASSERT_TRUE(contents.ok()) << contents.status();
  EXPECT_EQ(contents->size(), 70003u);
  EXPECT_EQ(*contents, block + "end");
  EXPECT_TRUE(FolderIsEmpty());
}

TEST_F(SpoolFileTest, AnEmptyFileIsAnEmptyView) {
  absl::StatusOr<SpoolFile> spool = SpoolFile::Create();
  ASSERT_TRUE(spool.ok()) << spool.status();
  absl::StatusOr<std::string_view> contents = spool->Contents();
  ASSERT_TRUE(contents.ok()) << contents.status();
  EXPECT_TRUE(contents->empty());
}

TEST_F(SpoolFileTest, AFolderThatCannotHoldItIsNamedInTheError) {
  setenv("TMPDIR", (dir_.path() + "/missing").c_str(), 1);
  absl::StatusOr<SpoolFile> spool = SpoolFile::Create();
  EXPECT_EQ(spool.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(spool.status().message().find(dir_.path() + "/missing/creditbot-spool-"), std::string::npos)
      << spool.status();
}

}  // namespace
}  // namespace creditbot
