// Tests of NotebookExecutor. papermill itself is not installed here: every test uses a small STAND-IN
// program, a shell script written by the test, that takes papermill's arguments (INPUT OUTPUT -p looker SQL),
// records them, and writes an executed notebook (.ipynb JSON) with a credit_amount output — or fails, or
// hangs, as the test needs. What is tested is the executor's side: spawning, arguments, timeout, errors, and
// reading the result from the notebook.
#include "executor/notebook_executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "common/logging.h"
#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::ReadFile;
using ::creditbot::testing::TempDir;
using ::creditbot::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kNotebookWithAmount[] =
    R"({"cells":[{"cell_type":"code","source":["credit"],"outputs":[)"
    R"({"output_type":"stream","name":"stdout","text":["rows: 5\n","credit_amount: 40.00\n"]},)"
    R"({"output_type":"execute_result","data":{"text/plain":["{'credit_amount': '255.00'}"]}}]}],)"
    R"("metadata":{},"nbformat":4,"nbformat_minor":5})";

class NotebookExecutorTest : public ::testing::Test {
 protected:
  NotebookExecutorTest() {
    WriteFile(dir_.File("analyst.ipynb"), R"({"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5})");
    policy_.name = "verify";
    policy_.auto_approve_limit_usd = Decimal::FromInt(200);
  }

  // Writes the stand-in papermill: `body` runs after the argument check; $OUT is the output notebook.
  std::string StandIn(const std::string& body) {
    const std::string path = dir_.File("papermill-stand-in");
    WriteFile(path,
              "#!/bin/sh\n"
              "# stand-in for papermill: INPUT OUTPUT -p looker SQL -p claim_date DAY\n"
              "[ \"$#\" -eq 8 ] && [ \"$3\" = -p ] && [ \"$4\" = looker ] && [ \"$6\" = -p ] &&\n"
              "  [ \"$7\" = claim_date ] || { echo usage >&2; exit 2; }\n"
              "printf '%s' \"$8\" > " +
                  dir_.File("seen-claim-date") +
                  "\n"
                  "printf '%s\\n' \"$1\" > " +
                  dir_.File("seen-input") +
                  "\n"
                  "printf '%s' \"$5\" > " +
                  dir_.File("seen-sql") +
                  "\n"
                  "pwd > " +
                  dir_.File("seen-cwd") +
                  "\n"
                  "OUT=\"$2\"\n" +
                  body);
    chmod(path.c_str(), 0700);
    return path;
  }

  NotebookExecutor Executor(const std::string& papermill, absl::Duration timeout = absl::Seconds(60)) {
    return NotebookExecutor(
        NotebookExecutorOptions{dir_.File("analyst.ipynb"), papermill, timeout, dir_.path()});
  }
  CalcRequest Request() const {
    return CalcRequest{"SELECT * FROM authy_fraud", &policy_, absl::CivilDay(2025, 7, 15), ""};
  }

  TempDir dir_;
  CreditPolicy policy_;
};

TEST_F(NotebookExecutorTest, ReadsTheCreditAmountFromTheExecutedNotebook) {
  const std::string papermill =
      StandIn(std::string("cat > \"$OUT\" <<'EOF'\n") + kNotebookWithAmount + "\nEOF\n");
  absl::StatusOr<CreditReport> report = Executor(papermill).Execute(Request());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->credit_amount.ToFixed(2), "255.00");  // the last credit_amount output wins
  EXPECT_TRUE(report->needs_approval);                    // above the policy's 200 auto-approve limit
  EXPECT_EQ(report->product, "verify");
  EXPECT_EQ(report->claim_date, absl::CivilDay(2025, 7, 15));
  EXPECT_THAT(report->warnings.front(), HasSubstr("credit amount only"));
  // papermill got the notebook, an output in a fresh folder it ran in, and the SQL as `looker`.
  EXPECT_EQ(ReadFile(dir_.File("seen-input")), dir_.File("analyst.ipynb") + "\n");
  EXPECT_EQ(ReadFile(dir_.File("seen-sql")), "SELECT * FROM authy_fraud");
  EXPECT_EQ(ReadFile(dir_.File("seen-claim-date")), "2025-07-15");
  EXPECT_THAT(ReadFile(dir_.File("seen-cwd")), HasSubstr(dir_.path() + "/creditbot-notebook-"));
}

TEST_F(NotebookExecutorTest, PrefersResultJsonBesideTheOutput) {
  const std::string papermill = StandIn(
      "echo '{\"cells\":[],\"nbformat\":4}' > \"$OUT\"\n"
      "echo '{\"credit_amount\": \"77.10\"}' > result.json\n");
  absl::StatusOr<CreditReport> report = Executor(papermill).Execute(Request());
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->credit_amount.ToFixed(2), "77.10");
  // Below the auto-approval limit (200), but creditbot cannot check the MRR rule without the MRR: a person
  // approves, as when the engine finds no MRR.
  EXPECT_TRUE(report->needs_approval);
  EXPECT_TRUE(report->summary.approval_threshold.IsZero());
}

TEST_F(NotebookExecutorTest, FailingNotebookIsAnErrorWithTheTailOfItsOutputRedacted) {
  AddSecret("nb-warehouse-password-0001");
  const std::string papermill = StandIn(
      "echo 'Executing notebook with kernel: python3' >&2\n"
      "echo 'PapermillExecutionError: KeyError: credit_amount (password nb-warehouse-password-0001)' >&2\n"
      "exit 1\n");
  absl::StatusOr<CreditReport> report = Executor(papermill).Execute(Request());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(report.status().message(), HasSubstr("analyst.ipynb failed (papermill exit 1)"));
  EXPECT_THAT(report.status().message(), HasSubstr("PapermillExecutionError: KeyError: credit_amount"));
  EXPECT_THAT(report.status().message(), Not(HasSubstr("nb-warehouse-password-0001")));
}

TEST_F(NotebookExecutorTest, NotebookWithoutCreditAmountIsAnError) {
  const std::string papermill = StandIn("echo '{\"cells\":[{\"outputs\":[]}],\"nbformat\":4}' > \"$OUT\"\n");
  absl::StatusOr<CreditReport> report = Executor(papermill).Execute(Request());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(report.status().message(), HasSubstr("no credit_amount"));
}

TEST_F(NotebookExecutorTest, MissingPapermillIsAClearError) {
  absl::StatusOr<CreditReport> on_path = Executor("creditbot-no-such-papermill").Execute(Request());
  EXPECT_EQ(on_path.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(on_path.status().message(), HasSubstr("not found on PATH"));
  EXPECT_THAT(on_path.status().message(), HasSubstr("CREDITBOT_PAPERMILL"));

  absl::StatusOr<CreditReport> by_path = Executor(dir_.File("absent/papermill")).Execute(Request());
  EXPECT_EQ(by_path.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(by_path.status().message(), HasSubstr("no such file"));
}

TEST_F(NotebookExecutorTest, MissingNotebookIsAClearError) {
  NotebookExecutor executor(
      NotebookExecutorOptions{dir_.File("absent.ipynb"), "papermill", absl::Seconds(5), ""});
  absl::StatusOr<CreditReport> report = executor.Execute(Request());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(report.status().message(), HasSubstr("absent.ipynb"));
}

TEST_F(NotebookExecutorTest, ANotebookPastTheTimeoutIsKilled) {
  const std::string papermill = StandIn("echo started >&2\nsleep 600\n");
  absl::StatusOr<CreditReport> report = Executor(papermill, absl::Milliseconds(500)).Execute(Request());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(report.status().message(), HasSubstr("was killed"));
}

TEST(NotebookOutput, FindsCreditAmountInJsonAndTextOutputs) {
  EXPECT_EQ(CreditAmountFromNotebook(
                R"({"cells":[{"outputs":[{"data":{"application/json":{"credit_amount":12.5}}}]}]})")
                ->ToFixed(2),
            "12.50");
  EXPECT_EQ(CreditAmountFromNotebook(R"({"cells":[{"outputs":[{"text":"credit_amount = '3.10'\n"}]}]})")
                ->ToFixed(2),
            "3.10");
  EXPECT_EQ(CreditAmountFromNotebook("not json").status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace creditbot
