// Crash consistency (issue 7): the real creditbot binary is killed with SIGKILL at random moments while it
// works through a backlog in the fake Slack (tests/fake_slack_server.h), restarted each time, and at the end
// the fake Slack's record must show every request answered exactly once: one credit reply or one question
// per thread, nothing unanswered, at most one owner DM per failed request, no claim left in the state, and
// none of the canary secrets (tests/secret_canary.h) anywhere in what the runs produced.
//
// Two harnesses:
//   RunOnceSurvivesRandomSigkills   `run --once --live`, killed CREDITBOT_CRASH_KILLS times (default 4), then
//                                   run until a pass has nothing left to do.
//   ServeSurvivesSigkillsWhileEventsArrive   `serve` (Events API, signed deliveries sent here) killed
//                                   CREDITBOT_CRASH_SERVE_KILLS times (default 2) while events arrive, then
//                                   left running until everything is answered.
// The kill moments come from a seeded RNG: CREDITBOT_CRASH_SEED (default: random), printed so a failure can
// be replayed. CREDITBOT_CRASH_MAX_DELAY_MS (default 1500) bounds how long a run lives before the kill.
// CREDITBOT_RELIABILITY_BINARY runs another creditbot binary than the one built with the tests (a release
// build). The full run of docs/RELIABILITY.md is `scripts/reliability crash` (1,000 kills).
//
// The backlog runs on the embedded default (look catalog, synthetic SQLite warehouse), not Looker and Trino:
// the crash windows under test are between Slack, the state store and the audit folder, and the Looker and
// Trino clients' failures are the fault matrix's subject (tests/fault_matrix_test.cc).
//
// Why the CI backlog is mostly skips: creditbot paces itself to Slack's rate tiers, 50 conversations.replies
// calls a minute per process, and looks for its own earlier reply before every post. A pass over more than
// ~50 requests that need an answer therefore sleeps 1.2 s per further request (RELIABILITY.md, "Shortfalls"),
// which the CI form cannot afford; the full form uses a heavier mix and adds a request every 10th kill.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "tests/fake_slack_server.h"
#include "tests/secret_canary.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
constexpr char kChannel[] = "C0CREDITREQ";
constexpr char kRequester[] = "U0ANALYST1";
constexpr char kOwner[] = "U0OWNER01";
constexpr char kCreditText[] =
    "credit please <https://looker.example.com/looks/101|Authy fraud report - ACp>";
constexpr char kFailText[] =
    "credit please <https://looker.example.com/looks/9999|a look that does not exist>";
constexpr char kIgnoredText[] = "credit please <https://looker.example.com/looks/201|Messaging SMS pumping>";
constexpr char kAskText[] = "we were hit by SMS pumping last week, can we get a credit?";

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::atoi(value) : fallback;
}

// What a message of the backlog is and what it must get.
enum class Kind { kCredit, kAsk, kFail, kIgnored, kSkipBot, kSkipJoin };

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kCredit:
      return "credit";
    case Kind::kAsk:
      return "ask";
    case Kind::kFail:
      return "fail";
    case Kind::kIgnored:
      return "ignored";
    case Kind::kSkipBot:
      return "skip-bot";
    case Kind::kSkipJoin:
      return "skip-join";
  }
  return "?";
}

std::string HexHmacSha256(const std::string& key, const std::string& data) {
  unsigned char digest[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 15]);
  }
  return hex;
}

// The binary under test: CREDITBOT_RELIABILITY_BINARY (e.g. a release build driven by this ASan-built
// harness, as scripts/reliability does), else the one built with the tests.
std::string Binary() {
  const char* binary = std::getenv("CREDITBOT_RELIABILITY_BINARY");
  return binary != nullptr && *binary != '\0' ? binary : CREDITBOT_BINARY;
}

// Starts Binary() with `args` in `dir` with exactly `env` (plus PATH), output to `out`/`err`; returns its
// pid.
pid_t Spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
            const std::string& dir, const std::string& out, const std::string& err) {
  std::vector<std::string> argv_text = {Binary()};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<std::string> env_text = {std::string("PATH=") +
                                       (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin")};
  for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
  std::vector<char*> argv, envp;
  for (std::string& arg : argv_text) argv.push_back(arg.data());
  argv.push_back(nullptr);
  for (std::string& entry : env_text) envp.push_back(entry.data());
  envp.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int in_fd = open("/dev/null", O_RDONLY);
    const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    if (chdir(dir.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

RunResult RunBinary(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                    const std::string& dir) {
  TempDir io;
  RunResult result;
  result.exit_code = WaitForExit(Spawn(args, env, dir, io.File("out"), io.File("err")));
  result.out = ReadFile(io.File("out"));
  result.err = ReadFile(io.File("err"));
  return result;
}

// A `serve` of Binary() in the background; SIGKILLed when still running at the end.
class Serve {
 public:
  Serve(const std::map<std::string, std::string>& env, const std::string& dir)
      : pid_(Spawn({"serve"}, env, dir, io_.File("out"), io_.File("err"))) {}
  ~Serve() {
    if (pid_ > 0) Stop(SIGKILL);
  }
  Serve(const Serve&) = delete;
  Serve& operator=(const Serve&) = delete;
  bool WaitForListening() const {
    return WaitUntil([&] { return out().find("listening on") != std::string::npos || !Running(); }, 30000) &&
           out().find("listening on") != std::string::npos;
  }
  bool Running() const {
    siginfo_t info{};
    if (pid_ <= 0 || waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0)
      return false;
    return info.si_pid != pid_;
  }
  int Stop(int signal_number) {
    kill(pid_, signal_number);
    const int code = WaitForExit(pid_);
    pid_ = 0;
    return code;
  }
  std::string out() const { return ReadFile(io_.File("out")); }
  std::string err() const { return ReadFile(io_.File("err")); }

 private:
  TempDir io_;
  pid_t pid_;
};

std::string MetadataField(const SlackBotPost& post, const char* field) {
  if (!post.payload.contains("metadata")) return "";
  const Json& payload = post.payload["metadata"]["event_payload"];
  return payload.is_object() ? payload.value(field, "") : "";
}

// True once `pid` exited (reaped; its exit code in `exit_code`) within `wait_ms`.
bool ExitedWithin(pid_t pid, int wait_ms, int& exit_code) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (true) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    usleep(2000);
  }
}

class CrashConsistency : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(RunBinary); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  void SetUp() override {
    slack_.AddChannel(kChannel, "credit-requests", /*bot_is_member=*/true);
    slack_.SetTsBase(1752588191);  // test case 1's claim date
    slack_.SetPageSizeCap(60);     // several history pages per pass
    const char* seed = std::getenv("CREDITBOT_CRASH_SEED");
    seed_ = seed != nullptr && *seed != '\0' ? std::strtoull(seed, nullptr, 10) : std::random_device{}();
    rng_.seed(seed_);
    std::printf("[crash] seed %llu (replay with CREDITBOT_CRASH_SEED=%llu)\n",
                static_cast<unsigned long long>(seed_), static_cast<unsigned long long>(seed_));
  }

  std::map<std::string, std::string> Env() const {
    std::map<std::string, std::string> env = {{"CREDITBOT_HOME", home_.path()},
                                              {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
                                              {"CREDITBOT_LOOK_CATALOG", kSource + "/data/sample/looks"},
                                              {"SLACK_BOT_TOKEN", FakeSlackServer::kBotToken},
                                              {"CREDITBOT_SLACK_API_URL", slack_.api_url()},
                                              {"CREDITBOT_SLACK_CHANNELS", kChannel},
                                              {"CREDITBOT_SLACK_POST_INTERVAL_MS", "0"},
                                              {"CREDITBOT_SLACK_LOOKBACK_HOURS", "100000"},
                                              {"CREDITBOT_SLACK_ASKED_DAYS", "100000"},
                                              {"CREDITBOT_CLAIM_LEASE_SECONDS", "1"},
                                              {"CREDITBOT_RETRY_BACKOFF_SECONDS", "1"},
                                              {"SLACK_USER_ID", kOwner},
                                              {"CREDITBOT_LOG_FORMAT", "json"},
                                              {"CREDITBOT_LOG_FILE", home_.File("creditbot.log")}};
    // The canary secrets creditbot does not need here are set all the same: set, they must stay unseen.
    const std::map<std::string, std::string> canary = SecretCanary::Values();
    env["SLACK_SIGNING_SECRET"] = canary.at("SLACK_SIGNING_SECRET");
    env["PRESTO_PASSWORD"] = canary.at("PRESTO_PASSWORD");
    return env;
  }

  void Post(Kind kind) {
    std::string ts;
    switch (kind) {
      case Kind::kCredit:
        ts = slack_.PostUserMessage(kChannel, {{"user", kRequester}, {"text", kCreditText}});
        break;
      case Kind::kAsk:
        ts = slack_.PostUserMessage(kChannel, {{"user", kRequester}, {"text", kAskText}});
        break;
      case Kind::kFail:
        ts = slack_.PostUserMessage(kChannel, {{"user", kRequester}, {"text", kFailText}});
        break;
      case Kind::kIgnored:
        ts = slack_.PostUserMessage(kChannel, {{"user", kRequester}, {"text", kIgnoredText}});
        break;
      case Kind::kSkipBot:
        ts = slack_.PostUserMessage(
            kChannel, {{"bot_id", "B0REMINDER"}, {"subtype", "bot_message"}, {"text", kCreditText}});
        break;
      case Kind::kSkipJoin:
        ts = slack_.PostUserMessage(
            kChannel, {{"user", "U0NEWHIRE1"}, {"subtype", "channel_join"}, {"text", "joined"}});
        break;
    }
    backlog_.emplace_back(ts, kind);
  }

  // The backlog: `total` messages in a fixed pattern. `heavy` (the full form) answers most of them; the CI
  // form keeps the answered ones under one process's Slack budget (see the file comment).
  void PostBacklog(int total, bool heavy) {
    static const std::vector<Kind> kHeavy = {Kind::kCredit, Kind::kAsk,     Kind::kAsk,      Kind::kSkipBot,
                                             Kind::kAsk,    Kind::kFail,    Kind::kCredit,   Kind::kAsk,
                                             Kind::kAsk,    Kind::kIgnored, Kind::kSkipJoin, Kind::kAsk};
    // 1 credit, 3 questions and 16 skips in 20.
    static const std::vector<Kind> kLight = {
        Kind::kCredit,   Kind::kSkipBot,  Kind::kAsk,      Kind::kSkipJoin, Kind::kSkipBot,
        Kind::kAsk,      Kind::kSkipJoin, Kind::kSkipBot,  Kind::kAsk,      Kind::kSkipJoin,
        Kind::kSkipBot,  Kind::kSkipJoin, Kind::kSkipBot,  Kind::kSkipJoin, Kind::kSkipBot,
        Kind::kSkipJoin, Kind::kSkipBot,  Kind::kSkipJoin, Kind::kSkipBot,  Kind::kSkipJoin};
    const std::vector<Kind>& pattern = heavy ? kHeavy : kLight;
    for (int i = 0; i < total; ++i) Post(pattern[static_cast<std::size_t>(i) % pattern.size()]);
    // The CI form still has every kind: a few failing looks and an ignored one.
    if (!heavy) {
      for (int i = 0; i < 4; ++i) Post(Kind::kFail);
      Post(Kind::kIgnored);
    }
  }

  // One spawn of `args` killed after a random delay, unless it exits first. Returns true when it was killed.
  struct Round {
    bool killed = false;
    bool lease_busy = false;
    int exit_code = -1;
    std::string out;
    std::string err;
  };
  Round SpawnAndMaybeKill(const std::vector<std::string>& args, int max_delay_ms) {
    TempDir io;
    const pid_t pid = Spawn(args, Env(), home_.path(), io.File("out"), io.File("err"));
    std::uniform_int_distribution<int> delay(0, max_delay_ms);
    Round round;
    if (!ExitedWithin(pid, delay(rng_), round.exit_code)) {
      kill(pid, SIGKILL);
      round.exit_code = WaitForExit(pid);
      round.killed = true;
    }
    round.out = ReadFile(io.File("out"));
    round.err = ReadFile(io.File("err"));
    round.lease_busy = round.out.find("another pass is running") != std::string::npos;
    return round;
  }

  Json StateStats() {
    RunResult stats = RunBinary({"state", "stats", "--json"}, Env(), home_.path());
    EXPECT_EQ(stats.exit_code, 0) << stats.err;
    return Json::parse(stats.out, nullptr, /*allow_exceptions=*/false);
  }
  std::map<std::string, std::string> StatusByKey() {
    RunResult list = RunBinary({"state", "list", "--json", "--limit", "100000"}, Env(), home_.path());
    EXPECT_EQ(list.exit_code, 0) << list.err;
    std::map<std::string, std::string> status;
    for (const std::string& line : absl_lines(list.out)) {
      Json record = Json::parse(line, nullptr, false);
      if (record.is_object()) status[record.value("key", "")] = record.value("status", "");
    }
    return status;
  }
  // `ledger list --json`: the execution ids recorded for each request key.
  std::map<std::string, std::vector<std::string>> LedgerByRequest() {
    RunResult list = RunBinary({"ledger", "list", "--json"}, Env(), home_.path());
    EXPECT_EQ(list.exit_code, 0) << list.err;
    std::vector<Json> entries;
    Json whole = Json::parse(list.out, nullptr, /*allow_exceptions=*/false);
    if (whole.is_array()) {
      entries.assign(whole.begin(), whole.end());
    } else {
      for (const std::string& line : absl_lines(list.out)) {
        Json entry = Json::parse(line, nullptr, false);
        if (entry.is_object()) entries.push_back(std::move(entry));
      }
    }
    std::map<std::string, std::vector<std::string>> by_request;
    for (const Json& entry : entries)
      by_request[entry.value("request_key", "")].push_back(entry.value("execution_id", ""));
    return by_request;
  }
  static std::vector<std::string> absl_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      if (end > start) lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }

  // The exactly-once check on the fake Slack's record and the state, plus the canary.
  void ExpectEveryRequestAnsweredExactlyOnce(const std::string& label) {
    std::map<std::string, std::map<std::string, int>> thread_posts;  // thread ts → kind → count
    std::map<std::string, int> dms;                                  // request key → owner DMs
    std::size_t dm_total = 0;
    int stray = 0;
    for (const SlackBotPost& post : slack_.BotPosts()) {
      canary_.AddText("slack post " + post.ts, post.payload.dump());
      if (post.channel == kChannel) {
        if (post.thread_ts.empty()) ++stray;
        ++thread_posts[post.thread_ts][MetadataField(post, "kind")];
      } else {
        ++dms[MetadataField(post, "request_key")];
        ++dm_total;
      }
    }
    const std::map<std::string, std::string> status = StatusByKey();
    std::map<std::string, std::vector<std::string>> ledger = LedgerByRequest();
    std::map<std::string, int> counts;
    int lost_dms = 0, duplicate_dms = 0;
    for (const auto& [ts, kind] : backlog_) {
      ++counts[KindName(kind)];
      const std::string key = std::string(kChannel) + ":" + ts;
      const std::map<std::string, int> posts =
          thread_posts.count(ts) != 0 ? thread_posts[ts] : std::map<std::string, int>{};
      auto status_it = status.find(key);
      const std::string state = status_it == status.end() ? "(none)" : status_it->second;
      switch (kind) {
        case Kind::kCredit:
          EXPECT_EQ(posts, (std::map<std::string, int>{{"credit", 1}})) << label << " credit request " << key;
          EXPECT_EQ(state, "replied") << key;
          // One ledger entry per credit reply: a kill between recording it and finishing the request
          // records the same entry again, never a second one.
          EXPECT_EQ(ledger[key].size(), 1u) << label << " ledger entries of " << key;
          ledger.erase(key);
          break;
        case Kind::kAsk:
          EXPECT_EQ(posts, (std::map<std::string, int>{{"ask_link", 1}})) << label << " ask request " << key;
          EXPECT_EQ(state, "asked") << key;
          break;
        case Kind::kFail:
          EXPECT_EQ(posts, (std::map<std::string, int>{{"failure", 1}}))
              << label << " failing request " << key << ": one short reply in the thread";
          EXPECT_EQ(state, "failed") << key;
          if (dms[key] == 0) ++lost_dms;
          if (dms[key] > 1) ++duplicate_dms;
          dms.erase(key);
          break;
        case Kind::kIgnored:
          EXPECT_TRUE(posts.empty()) << label << " ignored request " << key;
          EXPECT_EQ(state, "ignored") << key;
          break;
        case Kind::kSkipBot:
        case Kind::kSkipJoin:
          EXPECT_TRUE(posts.empty()) << label << " skipped message " << key;
          break;
      }
    }
    EXPECT_EQ(stray, 0) << "top-level posts in the request channel";
    for (const auto& [key, ids] : ledger)
      ADD_FAILURE() << label << ": ledger entries of a non-credit " << key;
    std::set<std::string> request_ts;
    for (const auto& [ts, kind] : backlog_) request_ts.insert(ts);
    for (const auto& [ts, kinds] : thread_posts)
      EXPECT_EQ(request_ts.count(ts), 1u) << "a reply to no request: " << ts;

    Json stats = StateStats();
    ASSERT_TRUE(stats.is_object());
    EXPECT_FALSE(stats["by_status"].contains("claimed")) << stats.dump();

    // Owner DMs are at least once: the owner is told before the failure is recorded, so a kill between the
    // two repeats the DM and none is ever lost (RELIABILITY.md, S3). A repeat is counted and printed; a
    // missing DM, or a DM about a request that did not fail, is a defect.
    EXPECT_EQ(lost_dms, 0) << label << ": failed requests whose owner was never told";
    EXPECT_THAT(dms, ::testing::IsEmpty()) << label << ": owner DMs about requests that did not fail";
    std::printf(
        "[crash] %s: %zu messages (credit=%d ask=%d fail=%d ignored=%d skip=%d); posts %zu; "
        "owner DMs %zu, failed requests without a DM %d, with more than one %d; state %s\n",
        label.c_str(), backlog_.size(), counts["credit"], counts["ask"], counts["fail"], counts["ignored"],
        counts["skip-bot"] + counts["skip-join"], slack_.BotPosts().size(), dm_total, lost_dms, duplicate_dms,
        stats.dump().c_str());

    canary_.AddPath(home_.path());  // state.db, the log file, the audit folder, any outbox
    ASSERT_GT(canary_.searched(), 3);
    EXPECT_THAT(canary_.Leaks(), ::testing::IsEmpty());
  }

  static SuiteWarehouse warehouse_;
  FakeSlackServer slack_;
  TempDir home_;
  std::vector<std::pair<std::string, Kind>> backlog_;  // (ts, kind) of every message posted
  SecretCanary canary_;
  std::mt19937_64 rng_;
  unsigned long long seed_ = 0;
};

SuiteWarehouse CrashConsistency::warehouse_;

TEST_F(CrashConsistency, RunOnceSurvivesRandomSigkills) {
  const int kills_wanted = EnvInt("CREDITBOT_CRASH_KILLS", 4);
  const int max_delay_ms = EnvInt("CREDITBOT_CRASH_MAX_DELAY_MS", 1500);
  const bool heavy = kills_wanted >= 100;
  const int backlog = EnvInt("CREDITBOT_CRASH_REQUESTS", heavy ? 240 : 200);
  PostBacklog(backlog, heavy);
  const auto started = std::chrono::steady_clock::now();
  int kills = 0, completed = 0, busy = 0, spawns = 0, kinds_cycle = 0;
  std::string all_output;
  while (kills < kills_wanted) {
    // The full form keeps work arriving: one new request every 10th kill (one per restart outran the
    // passes: a run killed within 800 ms answers only a few requests, see RELIABILITY.md).
    if (heavy && kills % 10 == 0 && kinds_cycle <= kills / 10) {
      static const Kind kArrivals[] = {Kind::kCredit, Kind::kAsk, Kind::kAsk, Kind::kFail, Kind::kAsk};
      Post(kArrivals[kinds_cycle++ % 5]);
    }
    Round round = SpawnAndMaybeKill({"run", "--once", "--live"}, max_delay_ms);
    ++spawns;
    all_output += round.out + round.err;
    if (round.killed) {
      ++kills;
    } else if (round.lease_busy) {
      ++busy;
      usleep(50 * 1000);  // the dead pass's lease (1 s) has not expired yet
    } else {
      ASSERT_EQ(round.exit_code, 0) << round.out << round.err;
      ++completed;
    }
    if (kills > 0 && kills % 100 == 0 && round.killed)
      std::printf("[crash] %d kills, %d spawns so far\n", kills, spawns), std::fflush(stdout);
  }

  // Restart until a pass completes with nothing left to do.
  bool done = false;
  int idle_passes_with_claims = 0;
  for (int attempt = 0; attempt < 400 && !done; ++attempt) {
    RunResult run = RunBinary({"run", "--once", "--live"}, Env(), home_.path());
    ++spawns;
    all_output += run.out + run.err;
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    if (run.out.find("another pass is running") != std::string::npos) {
      usleep(200 * 1000);
      continue;
    }
    ++completed;
    bool worked = false;
    for (const char* outcome : {"replied=", "asked=", "failed=", "retrying=", "ignored=", "refused="})
      worked = worked || run.out.find(outcome) != std::string::npos;
    // Nothing left: the pass found no work and no claim remains (a dead run's claim, once its 1-second lease
    // expired, must be taken over by a later pass).
    Json stats = StateStats();
    const bool claims_left = stats.is_object() && stats["by_status"].contains("claimed");
    done = !worked && !claims_left;
    if (!worked && claims_left && ++idle_passes_with_claims > 5) break;  // the claim is never taken over
    if (!done) usleep(1100 * 1000);
  }
  std::printf("[crash] passes that found no work while a claim remained: %d\n", idle_passes_with_claims);
  EXPECT_TRUE(done) << "no pass ever finished with nothing left";
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "[crash] run --once: %d SIGKILLs, %d completed passes, %d lease-busy starts, %d spawns, %.1f s\n",
      kills, completed, busy, spawns, seconds);
  canary_.AddText("stdout and stderr of every run", all_output);
  ExpectEveryRequestAnsweredExactlyOnce("run --once");
}

TEST_F(CrashConsistency, ServeSurvivesSigkillsWhileEventsArrive) {
  const int kills_wanted = EnvInt("CREDITBOT_CRASH_SERVE_KILLS", 2);
  const int max_delay_ms = EnvInt("CREDITBOT_CRASH_MAX_DELAY_MS", 1500);
  const std::string secret = SecretCanary::Values().at("SLACK_SIGNING_SECRET");
  std::map<std::string, std::string> env = Env();
  env["CREDITBOT_HTTP_ADDR"] = "127.0.0.1:0";
  env["CREDITBOT_CATCHUP_SECONDS"] = "1";
  env["DRY_RUN"] = "false";

  static const Kind kArrivals[] = {Kind::kCredit, Kind::kAsk, Kind::kSkipBot, Kind::kAsk,
                                   Kind::kFail,   Kind::kAsk, Kind::kIgnored, Kind::kAsk};
  int arrivals = 0, event_counter = 0, kills = 0, delivered = 0;
  std::string all_output;
  // Posts one message and delivers its event to serve at `port` (0: serve is down; the catch-up finds it).
  auto arrive = [&](int port) {
    Post(kArrivals[arrivals++ % 8]);
    if (port == 0) return;
    const auto& [ts, kind] = backlog_.back();
    Json event = {{"type", "message"},
                  {"channel", kChannel},
                  {"channel_type", "channel"},
                  {"ts", ts},
                  {"event_ts", ts}};
    for (const Json& message : slack_.Messages(kChannel)) {
      if (message.value("ts", "") != ts) continue;
      for (const char* field : {"user", "text", "subtype", "bot_id"})
        if (message.contains(field)) event[field] = message[field];
    }
    const std::string body = Json({{"type", "event_callback"},
                                   {"team_id", FakeSlackServer::kTeamId},
                                   {"api_app_id", FakeSlackServer::kAppId},
                                   {"event_id", "EvCRASH" + std::to_string(++event_counter)},
                                   {"event_time", 1752588191},
                                   {"event", event}})
                                 .dump();
    const std::string timestamp = std::to_string(time(nullptr));
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2);
    client.set_read_timeout(5);
    httplib::Result result =
        client.Post("/slack/events",
                    {{"X-Slack-Request-Timestamp", timestamp},
                     {"X-Slack-Signature", "v0=" + HexHmacSha256(secret, "v0:" + timestamp + ":" + body)}},
                    body, "application/json");
    if (result && result->status == 200) ++delivered;
  };
  auto port_of = [](const std::string& out) {
    const std::size_t at = out.find("127.0.0.1:");
    return at == std::string::npos ? 0 : std::atoi(out.c_str() + at + 10);
  };

  for (int i = 0; i < 6; ++i) arrive(0);  // a few waiting before the first start
  const auto started = std::chrono::steady_clock::now();
  while (kills < kills_wanted) {
    Serve serve(env, home_.path());
    if (!serve.WaitForListening()) FAIL() << serve.out() << serve.err();
    const int port = port_of(serve.out());
    ASSERT_GT(port, 0) << serve.out();
    std::uniform_int_distribution<int> delay(0, max_delay_ms);
    const auto kill_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(delay(rng_));
    do {
      arrive(port);
      usleep(100 * 1000);
    } while (std::chrono::steady_clock::now() < kill_at);
    ASSERT_TRUE(serve.Running()) << serve.err();
    EXPECT_EQ(serve.Stop(SIGKILL), 128 + SIGKILL);
    ++kills;
    all_output += serve.out() + serve.err();
    for (int i = 0; i < 2; ++i) arrive(0);  // posted while serve is down
  }

  // The last start: it must catch up on everything and answer each request once.
  Serve serve(env, home_.path());
  ASSERT_TRUE(serve.WaitForListening()) << serve.err();
  int answered_wanted = 0;  // a credit, a question or a failure reply in the thread (a failure also a DM)
  for (const auto& [ts, kind] : backlog_) {
    answered_wanted += kind == Kind::kCredit || kind == Kind::kAsk || kind == Kind::kFail ? 1 : 0;
  }
  auto settled = [&] {
    int answered = 0;
    for (const SlackBotPost& post : slack_.BotPosts()) answered += post.channel == kChannel ? 1 : 0;
    if (answered < answered_wanted) return false;
    Json stats = StateStats();
    return stats.is_object() && !stats["by_status"].contains("claimed") &&
           stats["by_status"].value("failed", 0) + stats["by_status"].value("asked", 0) +
                   stats["by_status"].value("replied", 0) + stats["by_status"].value("ignored", 0) >=
               answered_wanted +
                   static_cast<int>(std::count_if(backlog_.begin(), backlog_.end(), [](const auto& item) {
                     return item.second == Kind::kIgnored;
                   }));
  };
  ASSERT_TRUE(WaitUntil(settled, 240000)) << serve.err();
  // One more catch-up pass after everything settled, so a late duplicate would show.
  usleep(1500 * 1000);
  EXPECT_EQ(serve.Stop(SIGTERM), 0) << serve.err();
  all_output += serve.out() + serve.err();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("[crash] serve: %d SIGKILLs, %d events delivered, %zu messages, %.1f s\n", kills, delivered,
              backlog_.size(), seconds);
  canary_.AddText("stdout and stderr of every serve", all_output);
  ExpectEveryRequestAnsweredExactlyOnce("serve");
}

}  // namespace
}  // namespace creditbot::testing
