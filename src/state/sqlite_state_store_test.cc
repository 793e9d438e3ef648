// Tests of what only the SQLite state store does. The StateStore behaviour both stores share (claims,
// leases, cursors, cleanup, import/export) is state_store_contract_test.cc.
#include "state/sqlite_state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/test_support.h"

namespace creditbot {
namespace {

TEST(SqliteStateStoreOpen, RefusesAFileThatIsNotAStateDatabaseAndLeavesIt) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("state.db"), std::string(2048, 'z'));
  absl::StatusOr<std::unique_ptr<SqliteStateStore>> store = SqliteStateStore::Open(dir.File("state.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(store.status().message()).find(dir.File("state.db")), std::string::npos);
  EXPECT_EQ(testing::ReadFile(dir.File("state.db")), std::string(2048, 'z'));
}

}  // namespace
}  // namespace creditbot
