// End-to-end tests of the notebook executor with the repository's test notebook (issue 19's proof
// "notebook vs native on the same inputs agree to the cent"). tests/notebook/credit_notebook.ipynb is an
// independent implementation of docs/CREDIT_POLICY.md in plain Python (it never calls creditbot);
// tests/notebook/papermill runs it with papermill's documented command line on Debian's nbclient and a real
// ipykernel kernel. The real binary calls them exactly as production calls papermill.
//
// The notebook executor passes the notebook only the report SQL (`-p looker SQL`), not the claim date, so
// these tests give the notebook each request's claim date in NOTEBOOK_CLAIM_DATE (see the notebook's first
// cell). The Debian packages it needs (scripts/packages.txt, installed by scripts/setup) are checked before
// each test: a missing one fails the test naming the package; nothing is skipped.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
const std::string kNotebook = kSource + "/tests/notebook/credit_notebook.ipynb";
const std::string kPapermill = kSource + "/tests/notebook/papermill";
constexpr char kPython[] = "/usr/bin/python3";  // Debian's: the packages below are installed for it
constexpr char kRequest101[] = "C0CREDITREQ:1752588191.000100";

struct Ran {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `argv` (argv[0] a path) in `dir` with exactly `env`, and waits for it.
Ran RunProgram(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::string& dir) {
  TempDir io;
  const std::string output = io.File("output");
  std::vector<std::string> env_strings;
  for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
  std::vector<char*> args;
  std::vector<char*> envp;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  for (const std::string& entry : env_strings) envp.push_back(const_cast<char*>(entry.c_str()));
  args.push_back(nullptr);
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || chdir(dir.c_str()) != 0) _exit(126);
    dup2(fd, 1);
    dup2(fd, 2);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  Ran ran;
  int status = 0;
  if (pid > 0 && waitpid(pid, &status, 0) == pid) {
    ran.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ran.output = ReadFile(output);
  return ran;
}

// The Debian packages of scripts/packages.txt that the test notebook needs and that are missing.
std::string MissingNotebookPackages() {
  if (!std::filesystem::exists(kPython)) return "python3 (Debian's /usr/bin/python3)";
  std::string missing;
  const std::map<std::string, std::string> package_of = {
      {"nbformat", "python3-nbformat"}, {"nbclient", "python3-nbclient"}, {"ipykernel", "python3-ipykernel"}};
  for (const auto& [module, package] : package_of) {
    if (RunProgram({kPython, "-c", "import " + module}, {}, "/").exit_code != 0) missing += package + " ";
  }
  return missing;
}

class NotebookEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  void SetUp() override {
    ASSERT_EQ(MissingNotebookPackages(), "")
        << "the test notebook needs these Debian packages: install them with scripts/setup";
  }

  // creditbot on the embedded default; `extra` adds or replaces variables.
  RunResult Run(const std::vector<std::string>& args, const std::map<std::string, std::string>& extra = {},
                const std::string& inbox = kSource + "/data/sample/inbox.jsonl") const {
    std::map<std::string, std::string> env = {{"CREDITBOT_HOME", home_.path()},
                                              {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
                                              {"CREDITBOT_INBOX", inbox},
                                              {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
                                              {"CREDITBOT_LOG_FORMAT", "json"}};
    for (const auto& [name, value] : extra) env[name] = value;
    return RunCreditbot(args, env, home_.path());
  }
  // The variables that make creditbot compute through the test notebook.
  static std::map<std::string, std::string> NotebookExecutor(const std::string& claim_date) {
    return {{"CREDITBOT_EXECUTOR", "notebook"},
            {"CREDITBOT_NOTEBOOK_PATH", kNotebook},
            {"CREDITBOT_PAPERMILL", kPapermill},
            {"NOTEBOOK_CLAIM_DATE", claim_date}};
  }
  // Runs the notebook through tests/notebook/papermill, without creditbot, in `dir`.
  static Ran Papermill(const std::string& dir, const std::vector<std::string>& parameters) {
    std::vector<std::string> argv = {kPapermill, kNotebook, dir + "/output.ipynb"};
    argv.insert(argv.end(), parameters.begin(), parameters.end());
    return RunProgram(argv, {{"PATH", "/usr/bin:/bin"}}, dir);
  }
  static Json RowOf(const Json& report, const std::string& request_key) {
    for (const Json& row : report["requests"]) {
      if (row["request_key"] == request_key) return row;
    }
    ADD_FAILURE() << "no row for " << request_key << " in " << report.dump(1);
    return Json::object();
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
};

SuiteWarehouse NotebookEndToEnd::warehouse_;

// The notebook on its own computes test case 1 of CREDIT_POLICY.md: every figure below is the document's
// hand-checked worked example, including its table by mode.
TEST_F(NotebookEndToEnd, TheNotebookAloneGivesTheWorkedExamplesHandCheckedFigures) {
  const Ran ran = Papermill(
      home_.path(), {"-p", "looker", ReadFile(kSource + "/data/sample/looks/101.sql"), "-p", "claim_date",
                     "2025-07-15", "-p", "warehouse", warehouse_.path(), "-p", "sql_dir", kSource + "/sql"});
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  const Json result = Json::parse(ReadFile(home_.File("result.json")));
  EXPECT_EQ(result["credit_amount"], "255.00");
  EXPECT_EQ(result["needs_approval"], true);  // 255.00 > min(1000.00, 1.0 × MRR 250.00)
  EXPECT_EQ(result["parent_account_sid"], "ACp");
  EXPECT_EQ(result["fraud_start"], "2025-07-01");
  EXPECT_EQ(result["fraud_end"], "2025-07-03");
  EXPECT_EQ(result["fraud_total"], "1130.00");
  EXPECT_EQ(result["mrr"], "250.00");
  EXPECT_EQ(result["promise"], "30.00");
  EXPECT_EQ(result["goodwill_raw"], "225.00");
  EXPECT_EQ(result["goodwill_cap"], "432.00");
  const std::vector<std::vector<std::string>> by_mode = {
      // mode, fraud_charges_in_mode, credit_in_mode, expected_blocked_if_mode, credit_if_mode
      {"off", "500.00", "0.00", "0", "0.00"},
      {"basic", "0.00", "0.00", "1250", "275.00"},
      {"standard", "540.00", "225.00", "2250", "525.00"},
      {"max", "90.00", "30.00", "3550", "865.00"}};
  ASSERT_EQ(result["by_mode"].size(), by_mode.size()) << result.dump(1);
  for (std::size_t i = 0; i < by_mode.size(); ++i) {
    const Json& row = result["by_mode"][i];
    EXPECT_EQ(row["mode"], by_mode[i][0]);
    EXPECT_EQ(row["fraud_charges_in_mode"], by_mode[i][1]) << by_mode[i][0];
    EXPECT_EQ(row["credit_in_mode"], by_mode[i][2]) << by_mode[i][0];
    EXPECT_EQ(row["expected_blocked_if_mode"], by_mode[i][3]) << by_mode[i][0];
    EXPECT_EQ(row["credit_if_mode"], by_mode[i][4]) << by_mode[i][0];
  }
  // papermill's shape: the parameters injected in a cell tagged injected-parameters right after the cell
  // tagged parameters; the credit printed for the executor's cell-output rule.
  const Json executed = Json::parse(ReadFile(home_.File("output.ipynb")));
  std::size_t parameters_at = 0;
  for (std::size_t i = 0; i < executed["cells"].size(); ++i) {
    if (executed["cells"][i]["metadata"].value("tags", Json::array()).dump() == R"(["parameters"])") {
      parameters_at = i;
    }
  }
  ASSERT_GT(parameters_at, 0u);
  const Json& injected = executed["cells"][parameters_at + 1];
  EXPECT_EQ(injected["metadata"]["tags"].dump(), R"(["injected-parameters"])");
  EXPECT_THAT(injected["source"].dump(), HasSubstr(R"(claim_date = \"2025-07-15\")"));
  EXPECT_THAT(executed["cells"].back()["outputs"].dump(), HasSubstr("credit_amount: 255.00"));
}

// A cell that fails fails papermill (exit 1) with the notebook's own error, and the output notebook is still
// written.
TEST_F(NotebookEndToEnd, AFailingCellIsAFailedRunNamingTheError) {
  const Ran ran = Papermill(home_.path(), {"-p", "looker", ReadFile(kSource + "/data/sample/looks/101.sql"),
                                           "-p", "warehouse", warehouse_.path()});
  EXPECT_EQ(ran.exit_code, 1) << ran.output;
  EXPECT_THAT(ran.output, HasSubstr("RuntimeError: no claim date: pass -p claim_date YYYY-MM-DD or set "
                                    "NOTEBOOK_CLAIM_DATE"));
  EXPECT_TRUE(std::filesystem::exists(home_.File("output.ipynb")));
  EXPECT_FALSE(std::filesystem::exists(home_.File("result.json")));
}

// `run --once` with CREDITBOT_EXECUTOR=notebook answers the worked example's request (look 101, posted
// 2025-07-15) with CREDIT_POLICY.md's hand-checked 255.00, read back from the notebook's result.json.
TEST_F(NotebookEndToEnd, RunOnceThroughTheNotebookCreditsTheWorkedExample) {
  std::string request_line;
  for (const std::string& line : ReadLines(kSource + "/data/sample/inbox.jsonl")) {
    if (line.find("\"ts\": \"1752588191.000100\"") != std::string::npos &&
        line.find("thread_ts") == std::string::npos) {
      request_line = line;
    }
  }
  ASSERT_FALSE(request_line.empty());
  WriteFile(home_.File("inbox.jsonl"), request_line + "\n");
  const RunResult pass = Run({"run", "--once"}, NotebookExecutor("2025-07-15"), home_.File("inbox.jsonl"));
  ASSERT_EQ(pass.exit_code, 0) << pass.out << pass.err;
  EXPECT_THAT(pass.out, HasSubstr("replied=1"));
  EXPECT_THAT(pass.out, HasSubstr("Recommended credit: $255.00 USD"));
  EXPECT_THAT(pass.out, HasSubstr("computed by the notebook " + kNotebook));
  std::vector<std::string> records;
  for (const auto& entry : std::filesystem::directory_iterator(home_.File("audit"))) {
    records.push_back(entry.path().string());
  }
  ASSERT_EQ(records.size(), 1u);
  const Json result = Json::parse(ReadFile(records[0] + "/result.json"));
  EXPECT_EQ(result["credit_amount"], "255.00");
  EXPECT_EQ(result["claim_date"], "2025-07-15");
}

// Every request of the sample inbox's history (4 answered: looks 101, 103, 102 and the explore query)
// replayed on the notebook executor gives the credit the native engine recorded, to the cent. The notebook
// queries the warehouse itself (inputs "requery"); the warehouse has not changed since the pass, so both
// saw the same inputs. Two old credits are checked by hand too: 255.00 (test case 1) and 0.00 (look 103:
// Fraud Guard off for all its traffic).
TEST_F(NotebookEndToEnd, ReplayOnTheNotebookAgreesWithNativeToTheCentOnEveryRequest) {
  const RunResult pass = Run({"run", "--once"});
  ASSERT_THAT(pass.out, HasSubstr("replied=4")) << pass.out << pass.err;
  const RunResult native = Run({"replay", "--out", home_.File("native")});
  ASSERT_EQ(native.exit_code, 0) << native.out << native.err;
  const Json history = Json::parse(ReadFile(home_.File("native/replay.json")));
  std::map<std::string, std::string> old_credit;
  for (const Json& row : history["requests"]) old_credit[row["request_key"]] = row["old_credit"];
  const std::map<std::string, std::string> by_hand = {{kRequest101, "255.00"},
                                                      {"C0CREDITREQ:1754987400.000700", "0.00"}};
  ASSERT_EQ(old_credit.size(), 4u) << history.dump(1);
  for (const auto& [request, credit] : by_hand) EXPECT_EQ(old_credit[request], credit) << request;

  int replays = 0;
  for (const Json& recorded : history["requests"]) {
    const std::string request = recorded["request_key"];
    const std::string claim_date = Json::parse(ReadFile(
        home_.File("audit/" + recorded["execution_id"].get<std::string>() + "/result.json")))["claim_date"];
    const std::string out = home_.File("notebook-" + std::to_string(++replays));
    const RunResult replay = Run({"replay", "--executor", "notebook", "--request", request, "--out", out},
                                 NotebookExecutor(claim_date));
    ASSERT_EQ(replay.exit_code, 0) << request << "\n" << replay.out << replay.err;
    const Json row = RowOf(Json::parse(ReadFile(out + "/replay.json")), request);
    EXPECT_EQ(row["executor"], "notebook") << request;
    EXPECT_EQ(row["inputs"], "requery") << request;
    EXPECT_EQ(row.value("error", ""), "") << request;
    EXPECT_EQ(row["old_credit"], old_credit[request]) << request;
    EXPECT_EQ(row["new_credit"], old_credit[request]) << request << " (claim date " << claim_date << ")";
    EXPECT_EQ(row["delta"], "0.00") << request;
    // The notebook gives only the amount: the recorded lines are not compared, rather than listed as gone.
    EXPECT_EQ(row["changed_lines"], Json::array()) << request;
    EXPECT_EQ(row.value("lines_not_compared", ""), "lines not compared: the new result has none") << request;
  }
}

// CREDIT_POLICY.md's edge case E on today's warehouse, by both executors: test case 1 plus an `issued`
// credit of ACp on 2025-03-01 (within 365 days before the claim 2025-07-15) halves the goodwill:
// 0.5 × 225.00 + Promise 30.00 = 142.50.
TEST_F(NotebookEndToEnd, AnEarlierCreditHalvesTheGoodwillInBothExecutors) {
  const RunResult pass = Run({"run", "--once"});
  ASSERT_THAT(pass.out, HasSubstr("replied=4")) << pass.out << pass.err;
  const std::string warehouse = home_.File("warehouse-edge-e.db");
  std::filesystem::copy_file(warehouse_.path(), warehouse);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(warehouse.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(
      sqlite3_exec(db,
                   "INSERT INTO credits_issued (parent_account_sid, product, created_at, credit_amount, "
                   "status) VALUES ('ACp', 'verify', '2025-03-01 10:00:00', 80.0, 'issued')",
                   nullptr, nullptr, nullptr),
      SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  std::map<std::string, std::string> native = {{"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse}};
  std::map<std::string, std::string> notebook = NotebookExecutor("2025-07-15");
  notebook["CREDITBOT_WAREHOUSE"] = "sqlite:" + warehouse;
  const RunResult by_native =
      Run({"replay", "--requery", "--request", kRequest101, "--out", home_.File("native")}, native);
  ASSERT_EQ(by_native.exit_code, 0) << by_native.out << by_native.err;
  const RunResult by_notebook =
      Run({"replay", "--executor", "notebook", "--request", kRequest101, "--out", home_.File("notebook")},
          notebook);
  ASSERT_EQ(by_notebook.exit_code, 0) << by_notebook.out << by_notebook.err;
  for (const std::string& out : {home_.File("native"), home_.File("notebook")}) {
    const Json row = RowOf(Json::parse(ReadFile(out + "/replay.json")), kRequest101);
    EXPECT_EQ(row["old_credit"], "255.00") << out;
    EXPECT_EQ(row["new_credit"], "142.50") << out;
    EXPECT_EQ(row["delta"], "-112.50") << out;
  }
}

}  // namespace
}  // namespace creditbot::testing
