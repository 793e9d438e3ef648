// Temporary folders and a subprocess runner for the end-to-end tests.
#include "tests/test_support.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace creditbot::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "creditbot-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::string FixturePath(const std::string& relative) {
  return std::string(CREDITBOT_SOURCE_DIR) + "/tests/fixtures/" + relative;
}

std::string ReadFixture(const std::string& relative) {
  const std::string path = FixturePath(relative);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::path file(path);
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

RunResult RunCreditbot(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                       const std::string& working_dir, const std::string& input) {
  TempDir io;
  const std::string in_path = io.File("stdin"), out_path = io.File("stdout"), err_path = io.File("stderr");
  WriteFile(in_path, input);
  pid_t pid = SpawnCreditbot(args, env, working_dir, in_path, out_path, err_path);
  RunResult result;
  result.exit_code = WaitForExit(pid);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  return result;
}

pid_t SpawnCreditbot(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                     const std::string& working_dir, const std::string& in_path, const std::string& out_path,
                     const std::string& err_path) {
  std::vector<std::string> argv_storage = {CREDITBOT_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<std::string> env_storage;
  const char* path = std::getenv("PATH");
  env_storage.push_back(std::string("PATH=") + (path != nullptr ? path : "/usr/bin:/bin"));
  for (const auto& [name, value] : env) env_storage.push_back(name + "=" + value);
  std::vector<char*> argv, envp;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  for (std::string& entry : env_storage) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = fork();
  if (pid == 0) {
    int in = open(in_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (chdir(working_dir.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

int WaitForExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

BackgroundCreditbot::BackgroundCreditbot(const std::vector<std::string>& args,
                                         const std::map<std::string, std::string>& env,
                                         const std::string& working_dir) {
  WriteFile(io_.File("stdin"), "");
  pid_ = SpawnCreditbot(args, env, working_dir, io_.File("stdin"), io_.File("stdout"), io_.File("stderr"));
}

BackgroundCreditbot::~BackgroundCreditbot() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    WaitForExit(pid_);
  }
}

bool BackgroundCreditbot::WaitForOutput(const std::string& text, int timeout_ms) const {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (out().find(text) != std::string::npos || err().find(text) != std::string::npos) return true;
    if (!Running()) return out().find(text) != std::string::npos || err().find(text) != std::string::npos;
    usleep(20 * 1000);
  }
  return false;
}

bool BackgroundCreditbot::Running() const {
  if (pid_ <= 0) return false;
  siginfo_t info{};
  // WNOWAIT: look without reaping, so Stop can still collect the exit code.
  if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return false;
  return info.si_pid != pid_;
}

int BackgroundCreditbot::Stop(int signal_number) {
  if (pid_ <= 0) return exit_code_;
  kill(pid_, signal_number);
  exit_code_ = WaitForExit(pid_);
  pid_ = 0;
  return exit_code_;
}

std::string BackgroundCreditbot::out() const { return ReadFile(io_.File("stdout")); }
std::string BackgroundCreditbot::err() const { return ReadFile(io_.File("stderr")); }

bool WaitUntil(const std::function<bool()>& condition, int timeout_ms) {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (condition()) return true;
    usleep(20 * 1000);
  }
  return condition();
}

void SuiteWarehouse::Make() {
  Make([](const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
          const std::string& dir) { return RunCreditbot(args, env, dir); });
}

void SuiteWarehouse::Make(const Runner& run) {
  folder_ = std::make_unique<TempDir>();
  path_ = folder_->File("warehouse.db");
  const RunResult synth = run({"synth", "--db", path_}, {}, folder_->path());
  EXPECT_EQ(synth.exit_code, 0) << "creditbot synth failed: " << synth.err;
}

void SuiteWarehouse::Remove() {
  folder_.reset();
  path_.clear();
}

}  // namespace creditbot::testing
