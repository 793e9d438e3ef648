// End-to-end tests of the lean start (issue 20): the binary loads libcurl and OpenSSL when a command first
// needs them, so a calculation on SQLite maps neither. What the dynamic loader loads is read from its own
// trace (LD_DEBUG=files on stderr): a library "needed by" the binary is mapped at start, one "dynamically
// loaded" on first use.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/sqlite_backed_trino_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = CREDITBOT_SOURCE_DIR;
const std::string kLook101 = kSource + "/data/sample/looks/101.sql";  // 5 report rows

class LeanStart : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  // `calc` of look 101 on `warehouse_url`, with the loader's trace of the files it opens on stderr.
  RunResult Calc(const std::string& warehouse_url) const {
    const std::map<std::string, std::string> env = {{"CREDITBOT_HOME", home_.path()},
                                                    {"CREDITBOT_WAREHOUSE", warehouse_url},
                                                    {"SLACK_USER_ID", "U0OWNER01"},
                                                    {"LD_DEBUG", "files"}};
    return RunCreditbot({"calc", "--sql-file", kLook101, "--claim-date", "2025-07-15"}, env, home_.path());
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
};

SuiteWarehouse LeanStart::warehouse_;

TEST_F(LeanStart, CalcOnSqliteLoadsNeitherLibcurlNorOpenssl) {
  const RunResult calc = Calc("sqlite:" + warehouse_.path());
  ASSERT_EQ(calc.exit_code, 0) << calc.err;
  EXPECT_THAT(calc.out, HasSubstr("\"credit_amount\""));
  // The trace is there: the libraries the binary needs are in it.
  EXPECT_THAT(calc.err, HasSubstr("file=libsqlite3.so.0 [0];  needed by"));
  EXPECT_THAT(calc.err, HasSubstr("file=libmd.so.0 [0];  needed by"));
  EXPECT_THAT(calc.err, Not(HasSubstr("libcurl.so.4")));
  EXPECT_THAT(calc.err, Not(HasSubstr("libssl.so.3")));
  EXPECT_THAT(calc.err, Not(HasSubstr("libcrypto.so.3")));
}

TEST_F(LeanStart, CalcOnTrinoLoadsLibcurlAndWithItOpensslOnFirstUse) {
  SqliteBackedTrinoServer trino(warehouse_.path());
  const RunResult calc = Calc(trino.warehouse_url());
  ASSERT_EQ(calc.exit_code, 0) << calc.err;
  EXPECT_GT(trino.queries(), 0);
  EXPECT_THAT(calc.err, HasSubstr("file=libcurl.so.4 [0];  dynamically loaded by"));
  // Debian's libcurl4 is built with OpenSSL: loading it loads libssl and libcrypto.
  EXPECT_THAT(calc.err, HasSubstr("file=libssl.so.3 [0];  needed by"));
  EXPECT_THAT(calc.err, Not(HasSubstr("file=libssl.so.3 [0];  needed by " CREDITBOT_BINARY)));
}

}  // namespace
}  // namespace creditbot::testing
