// NotebookExecutor: runs the analyst's existing notebook through papermill, as a subprocess, and reads the
// credit back from the executed notebook — the way the team computed credits before creditbot, kept as an
// executor so the two can be compared.
//
// One Execute:
//   1. makes a fresh temporary folder (removed afterwards) and runs, with that folder as working directory,
//        PAPERMILL NOTEBOOK DIR/output.ipynb -p looker SQL -p claim_date YYYY-MM-DD
//      (posix_spawnp when PAPERMILL has no '/', so it is searched on PATH; its own process group, so a kill
//      reaches the kernel it starts; stdout and stderr go to one pipe, of which the last 2 KB are kept);
//   2. waits at most `timeout` (real time) — then kills the group (SIGKILL) — and notices Cancel() within
//      100 ms the same way;
//   3. reads the result, in this order:
//        a. DIR/result.json (the notebook wrote one beside its output): a full result JSON (report_json.h)
//           becomes the CreditReport through ReadResultJson; any other JSON object with `credit_amount`
//           counts as (b);
//        b. the executed notebook's cell outputs (.ipynb is JSON): an application/json output with
//           `credit_amount`, or a text output (stream or text/plain) with a line `credit_amount: 12.34` or
//           `credit_amount = 12.34` (quotes allowed); the last one wins.
//      For (b) the report holds the amount only: product and policy from the request, the claim date,
//      needs_approval for any credit above zero (creditbot cannot apply the approval rule's MRR multiple
//      without the MRR, so, as when the engine finds no MRR, a person approves), no lines, and a warning
//      saying the notebook gave no breakdown.
//
// Errors (the program and notebook are named; output is passed through Redact):
//   kFailedPrecondition — papermill cannot be started (not found on PATH / no such file: "install papermill
//                         or set CREDITBOT_PAPERMILL"); no notebook configured or it does not exist
//   kInternal           — papermill exited non-zero or was killed by a signal (the last lines of its output
//                         in the message); the executed notebook is missing or not JSON; no credit_amount
//                         found; a credit_amount that is not a decimal
//   kDeadlineExceeded   — still running after `timeout`: killed
//   kAborted            — Cancel() was called (shutdown): killed; a later pass retries the request
//
// Tests (notebook_executor_test.cc) use a small stand-in for papermill — a shell script the test writes,
// which reads the same arguments and writes an output .ipynb with a credit_amount output — not papermill.
//
// Thread-compatible, except Cancel(), which any thread may call.
#pragma once

#include <atomic>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "executor/executor.h"

namespace creditbot {

struct NotebookExecutorOptions {
  std::string notebook_path;                   // CREDITBOT_NOTEBOOK_PATH
  std::string papermill = "papermill";         // CREDITBOT_PAPERMILL
  absl::Duration timeout = absl::Minutes(10);  // CREDITBOT_NOTEBOOK_TIMEOUT_SECONDS
  std::string temp_root;                       // Default: "" = the system's temporary folder
};

class NotebookExecutor final : public Executor {
 public:
  explicit NotebookExecutor(NotebookExecutorOptions options) : options_(std::move(options)) {}

  absl::StatusOr<CreditReport> Execute(const CalcRequest& request) override;
  void Cancel() override { cancelled_.store(true); }

 private:
  // Steps 1–3 above; Execute then checks the report against the ledger (CheckRemoteReportAgainstLedger).
  absl::StatusOr<CreditReport> RunNotebook(const CalcRequest& request);

  NotebookExecutorOptions options_;
  std::atomic<bool> cancelled_{false};
};

// Finds the credit in an executed notebook's JSON text (rule b above); exposed for tests. kInternal when
// the text is not a notebook or holds no credit_amount.
absl::StatusOr<Decimal> CreditAmountFromNotebook(std::string_view ipynb);

}  // namespace creditbot
