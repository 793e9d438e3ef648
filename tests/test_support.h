// Helpers for the end-to-end tests: a fresh temporary folder per test (removed afterwards) and running
// the real creditbot binary with a chosen environment, capturing its exit code, stdout and stderr.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace creditbot::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs CREDITBOT_BINARY with `args`, in `working_dir`, with exactly `env` as its environment (plus PATH),
// feeding `input` on stdin.
RunResult RunCreditbot(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                       const std::string& working_dir, const std::string& input = "");

// Starts the binary without waiting (stdin, stdout and stderr redirected to the given files); returns the
// pid. WaitForExit reaps it and returns the exit code (128 + signal when killed).
pid_t SpawnCreditbot(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                     const std::string& working_dir, const std::string& in_path, const std::string& out_path,
                     const std::string& err_path);
int WaitForExit(pid_t pid);

// creditbot running in the background (e.g. `serve`), killed with SIGKILL if still running at the end.
class BackgroundCreditbot {
 public:
  BackgroundCreditbot(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                      const std::string& working_dir);
  ~BackgroundCreditbot();
  BackgroundCreditbot(const BackgroundCreditbot&) = delete;
  BackgroundCreditbot& operator=(const BackgroundCreditbot&) = delete;

  // True once `text` appears in its stdout or stderr; false after `timeout_ms` or when it exited.
  bool WaitForOutput(const std::string& text, int timeout_ms = 20000) const;
  // True while the process has not exited.
  bool Running() const;
  // Sends `signal_number` and waits for the exit; returns the exit code.
  int Stop(int signal_number);
  std::string out() const;
  std::string err() const;
  pid_t pid() const { return pid_; }

 private:
  TempDir io_;
  pid_t pid_ = 0;
  int exit_code_ = -1;
};

// The synthetic warehouse (`creditbot synth`) of an end-to-end suite: made by its SetUpTestSuite, read by
// its tests, removed by its TearDownTestSuite. A synth that fails is a test failure carrying its stderr.
class SuiteWarehouse {
 public:
  // Runs creditbot with (args, env, working folder): a harness's own binary instead of CREDITBOT_BINARY.
  using Runner = std::function<RunResult(const std::vector<std::string>&,
                                         const std::map<std::string, std::string>&, const std::string&)>;
  void Make();  // with RunCreditbot
  void Make(const Runner& run);
  void Remove();
  // The SQLite file ("" before Make).
  const std::string& path() const { return path_; }

 private:
  std::unique_ptr<TempDir> folder_;
  std::string path_;
};

// Polls `condition` every 20 ms until it holds or `timeout_ms` passed; returns its last value.
bool WaitUntil(const std::function<bool()>& condition, int timeout_ms = 20000);

std::string ReadFile(const std::string& path);

// The path of a file in the repository's tests/fixtures/ (public payloads; see each folder's README), e.g.
// FixturePath("slack/web_api/auth.test.json").
std::string FixturePath(const std::string& relative);
// The bytes of FixturePath(relative). A missing fixture throws std::runtime_error naming the path, so the
// test using it fails loudly instead of reading an empty string.
std::string ReadFixture(const std::string& relative);

void WriteFile(const std::string& path, const std::string& content);
std::vector<std::string> ReadLines(const std::string& path);

}  // namespace creditbot::testing
