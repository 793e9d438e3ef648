// The papermill notebook executor; see notebook_executor.h.
#include "executor/notebook_executor.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/embedded_files.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "core/credit_engine.h"
#include "executor/result_json_reader.h"

extern char** environ;

namespace creditbot {
namespace {

using Json = nlohmann::json;
constexpr std::size_t kOutputTail = 2048;

// Removes the folder when it goes out of scope.
class TempFolder {
 public:
  explicit TempFolder(std::string path) : path_(std::move(path)) {}
  ~TempFolder() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// "credit_amount: 12.34", "credit_amount = '12.34'" → "12.34".
std::optional<std::string> AmountInLine(std::string_view line) {
  const std::size_t at = line.find("credit_amount");
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t i = at + std::string_view("credit_amount").size();
  auto skip = [&line, &i] {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '"' || line[i] == '\'')) ++i;
  };
  skip();
  if (i >= line.size() || (line[i] != ':' && line[i] != '=')) return std::nullopt;
  ++i;
  skip();
  const std::size_t start = i;
  while (i < line.size() && (absl::ascii_isdigit(static_cast<unsigned char>(line[i])) || line[i] == '.' ||
                             (i == start && line[i] == '-'))) {
    ++i;
  }
  if (i == start) return std::nullopt;
  return std::string(line.substr(start, i - start));
}

// Joins a notebook text field (a string or a list of strings).
std::string NotebookText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  std::string text;
  if (value.is_array()) {
    for (const Json& part : value) {
      if (part.is_string()) text += part.get<std::string>();
    }
  }
  return text;
}

std::optional<std::string> AmountInJsonObject(const Json& object) {
  if (!object.is_object() || !object.contains("credit_amount")) return std::nullopt;
  const Json& amount = object["credit_amount"];
  if (amount.is_string()) return amount.get<std::string>();
  if (amount.is_number()) return amount.dump();
  return std::nullopt;
}

absl::StatusOr<Decimal> ParseAmount(const std::string& text, std::string_view where) {
  absl::StatusOr<Decimal> amount = Decimal::Parse(text);
  if (!amount.ok()) {
    return absl::InternalError(
        absl::StrCat("the notebook's credit_amount (", ToAbsl(where), ") is not a decimal: '", text, "'"));
  }
  return *amount;
}

// The amount-only report of rule (b).
CreditReport AmountOnlyReport(const CalcRequest& request, Decimal amount, std::string_view notebook) {
  const CreditPolicy& policy = *request.policy;
  CreditReport report;
  report.product = policy.name;
  report.policy_name = policy.name;
  report.policy_version = policy.version;
  report.policy_sha256 = policy.sha256;
  report.claim_date = request.claim_date;
  report.credit_amount = amount.Round(2);
  // creditbot knows no MRR here, so it cannot apply the approval rule's MRR multiple: as when the engine
  // finds no MRR, every credit needs a person's approval (the auto-approval limit alone would let a credit
  // above the MRR rule through, e.g. the worked example's 255.00 against an MRR of 250.00).
  report.needs_approval = !report.credit_amount.IsZero();
  DescribeProtection(policy, report);
  report.summary.approval_threshold = Decimal();
  report.summary.repeat_factor = Decimal::FromInt(1);
  report.warnings.push_back(
      absl::StrCat("computed by the notebook ", ToAbsl(notebook),
                   ", which gave the credit amount only: no breakdown by mode or line"));
  return report;
}

struct RunOutcome {
  int exit_code = 0;  // when exited normally
  int signal = 0;     // when killed by a signal
  bool timed_out = false;
  bool cancelled = false;
  std::string output_tail;
};

// Keeps the last kOutputTail bytes of `tail`.
void KeepTail(std::string& tail) {
  if (tail.size() > kOutputTail) tail.erase(0, tail.size() - kOutputTail);
}

// Starts `argv` in `dir` in a process group of its own, stdin from /dev/null, stdout and stderr into
// `out_fd`; argv[0] without a '/' is looked up on PATH. kFailedPrecondition when it cannot be started.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& dir, int out_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
  posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const bool search_path = argv[0].find('/') == std::string::npos;
  const int spawned = search_path ? posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), environ)
                                  : posix_spawn(&pid, args[0], &actions, &attributes, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot start papermill '", argv[0], "': ", std::strerror(spawned),
                     spawned == ENOENT ? (search_path ? " (not found on PATH)" : " (no such file)") : "",
                     "; install papermill or set CREDITBOT_PAPERMILL"));
  }
  return pid;
}

// Reads the output of process `pid` from `in_fd` into `outcome` until it exits; kills its group once
// `timeout` has passed or `cancelled` is set (and says which in `outcome`). Returns its wait status.
int WaitReadingOutput(pid_t pid, int in_fd, absl::Duration timeout, const std::atomic<bool>& cancelled,
                      RunOutcome& outcome) {
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(timeout);
  bool eof = false;
  int status = 0;
  char buffer[4096];
  while (true) {
    if (!eof) {
      pollfd poll_fd{in_fd, POLLIN, 0};
      if (poll(&poll_fd, 1, 100) > 0) {
        const ssize_t n = read(in_fd, buffer, sizeof buffer);
        if (n > 0) {
          outcome.output_tail.append(buffer, static_cast<std::size_t>(n));
          KeepTail(outcome.output_tail);
        } else if (n == 0 || errno != EINTR) {
          eof = true;
        }
      }
    } else {
      usleep(100 * 1000);
    }
    if (waitpid(pid, &status, WNOHANG) == pid) return status;
    const bool late = std::chrono::steady_clock::now() >= deadline;
    if (late || cancelled.load()) {
      outcome.timed_out = late;
      outcome.cancelled = !late;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      return status;
    }
  }
}

// Runs `argv` in `dir` (see the header); kFailedPrecondition when it cannot be started.
absl::StatusOr<RunOutcome> Run(const std::vector<std::string>& argv, const std::string& dir,
                               absl::Duration timeout, const std::atomic<bool>& cancelled) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  absl::StatusOr<pid_t> pid = Spawn(argv, dir, fds[1]);
  close(fds[1]);
  if (!pid.ok()) {
    close(fds[0]);
    return pid.status();
  }

  RunOutcome outcome;
  const int status = WaitReadingOutput(*pid, fds[0], timeout, cancelled, outcome);
  kill(-*pid, SIGKILL);  // whatever it left behind (a kernel) goes too
  // Drain what is left without blocking on a grandchild that still holds the pipe.
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) {
    outcome.output_tail.append(buffer, static_cast<std::size_t>(n));
  }
  KeepTail(outcome.output_tail);
  close(fds[0]);
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  return outcome;
}

}  // namespace

absl::StatusOr<Decimal> CreditAmountFromNotebook(std::string_view ipynb) {
  const Json notebook = Json::parse(ipynb, nullptr, /*allow_exceptions=*/false);
  if (!notebook.is_object() || !notebook.contains("cells") || !notebook["cells"].is_array()) {
    return absl::InternalError("the executed notebook is not a notebook (no cells)");
  }
  std::optional<std::string> found;
  for (const Json& cell : notebook["cells"]) {
    if (!cell.is_object() || !cell.contains("outputs") || !cell["outputs"].is_array()) continue;
    for (const Json& output : cell["outputs"]) {
      if (!output.is_object()) continue;
      if (output.contains("text")) {
        for (absl::string_view line : absl::StrSplit(NotebookText(output["text"]), '\n')) {
          if (std::optional<std::string> amount = AmountInLine(ToStd(line))) found = amount;
        }
      }
      if (output.contains("data") && output["data"].is_object()) {
        const Json& data = output["data"];
        if (data.contains("application/json")) {
          if (std::optional<std::string> amount = AmountInJsonObject(data["application/json"]))
            found = amount;
        }
        if (data.contains("text/plain")) {
          for (absl::string_view line : absl::StrSplit(NotebookText(data["text/plain"]), '\n')) {
            if (std::optional<std::string> amount = AmountInLine(ToStd(line))) found = amount;
          }
        }
      }
    }
  }
  if (!found) return absl::InternalError("the executed notebook has no credit_amount output");
  return ParseAmount(*found, "cell output");
}

absl::StatusOr<CreditReport> NotebookExecutor::Execute(const CalcRequest& request) {
  if (request.policy == nullptr) return absl::InvalidArgumentError("no credit policy for this request");
  CREDITBOT_ASSIGN_OR_RETURN(CreditReport report, RunNotebook(request));
  CREDITBOT_RETURN_IF_ERROR(CheckRemoteReportAgainstLedger(request, report, "notebook"));
  return report;
}

absl::StatusOr<CreditReport> NotebookExecutor::RunNotebook(const CalcRequest& request) {
  const std::string& notebook = options_.notebook_path;
  std::error_code ec;
  if (notebook.empty()) {
    return absl::FailedPreconditionError("the notebook executor needs CREDITBOT_NOTEBOOK_PATH");
  }
  const std::string input = std::filesystem::absolute(notebook, ec).string();
  if (!std::filesystem::is_regular_file(input, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("CREDITBOT_NOTEBOOK_PATH='", notebook, "': no such notebook"));
  }
  cancelled_.store(false);
  std::string root =
      options_.temp_root.empty() ? std::filesystem::temp_directory_path(ec).string() : options_.temp_root;
  std::string pattern = root + "/creditbot-notebook-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("cannot make a temporary folder in ", root, ": ", std::strerror(errno)));
  }
  TempFolder dir(pattern);
  const std::string output = dir.path() + "/output.ipynb";
  // The claim date decides the Promise deadline, the repeat window and the MRR month: the notebook is told.
  const std::vector<std::string> argv = {options_.papermill,
                                         input,
                                         output,
                                         "-p",
                                         "looker",
                                         request.sql,
                                         "-p",
                                         "claim_date",
                                         absl::FormatCivilTime(request.claim_date)};
  absl::StatusOr<RunOutcome> run = Run(argv, dir.path(), options_.timeout, cancelled_);
  if (!run.ok()) return run.status();
  const std::string tail = Redact(run->output_tail);
  const std::string said = tail.empty() ? "" : absl::StrCat("; its last output: ", tail);
  if (run->cancelled) {
    return absl::AbortedError(absl::StrCat("notebook ", notebook, " was killed at shutdown"));
  }
  if (run->timed_out) {
    return absl::DeadlineExceededError(absl::StrCat("notebook ", notebook, " was still running after ",
                                                    absl::FormatDuration(options_.timeout),
                                                    " and was killed"));
  }
  if (run->signal != 0) {
    return absl::InternalError(
        absl::StrCat("notebook ", notebook, ": papermill was killed by signal ", run->signal, said));
  }
  if (run->exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("notebook ", notebook, " failed (papermill exit ", run->exit_code, ")", said));
  }

  // (a) result.json beside the output.
  const std::string result_path = dir.path() + "/result.json";
  if (std::filesystem::exists(result_path, ec)) {
    absl::StatusOr<std::string> text = ReadFileToString(result_path);
    if (!text.ok())
      return absl::InternalError(absl::StrCat("notebook ", notebook, ": ", text.status().message()));
    const Json json = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (json.is_object() && json.contains("lines") && json.contains("output_df")) {
      absl::StatusOr<CreditReport> report = ReadResultJson(*text, *request.policy);
      if (!report.ok()) {
        return absl::Status(report.status().code() == absl::StatusCode::kInvalidArgument
                                ? absl::StatusCode::kInternal
                                : report.status().code(),
                            absl::StrCat("notebook ", notebook, ": ", report.status().message()));
      }
      return report;
    }
    if (std::optional<std::string> amount = AmountInJsonObject(json)) {
      absl::StatusOr<Decimal> value = ParseAmount(*amount, "result.json");
      if (!value.ok()) return value.status();
      return AmountOnlyReport(request, *value, notebook);
    }
  }
  // (b) the executed notebook's outputs.
  absl::StatusOr<std::string> executed = ReadFileToString(output);
  if (!executed.ok()) {
    return absl::InternalError(
        absl::StrCat("notebook ", notebook, ": papermill wrote no executed notebook", said));
  }
  absl::StatusOr<Decimal> amount = CreditAmountFromNotebook(*executed);
  if (!amount.ok())
    return absl::InternalError(absl::StrCat("notebook ", notebook, ": ", amount.status().message()));
  return AmountOnlyReport(request, *amount, notebook);
}

}  // namespace creditbot
