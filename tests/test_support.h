// Helpers for the end-to-end tests: a fresh temporary folder per test (removed afterwards) and running
// the real creditbot binary with a chosen environment, capturing its exit code, stdout and stderr.
#pragma once

#include <map>
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

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& content);
std::vector<std::string> ReadLines(const std::string& path);

}  // namespace creditbot::testing
