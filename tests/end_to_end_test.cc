// End-to-end tests of the real creditbot binary on the embedded default: the sample inbox, the look
// catalog, the synthetic warehouse, SQLite state, the audit folder and the outbox. The expected credit of
// look 101 is test case 1 of CREDIT_POLICY.md (255.00, checked by hand there).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/fake_looker_server.h"
#include "tests/test_support.h"

namespace creditbot::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using Json = nlohmann::json;

const std::string kSource = CREDITBOT_SOURCE_DIR;
const std::string kLooks = kSource + "/data/sample/looks";
constexpr char kRequest101Key[] = "C0CREDITREQ:1752588191.000100";

std::string Line(const Json& message) { return message.dump() + "\n"; }

Json UserMessage(const std::string& ts, const std::string& text) {
  return {
      {"type", "message"}, {"channel", "C0CREDITREQ"}, {"user", "U0ANALYST1"}, {"ts", ts}, {"text", text}};
}

class EndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { warehouse_.Make(); }
  static void TearDownTestSuite() { warehouse_.Remove(); }

  std::map<std::string, std::string> Env(const std::string& inbox) const {
    return {{"CREDITBOT_HOME", home_.path()}, {"CREDITBOT_WAREHOUSE", "sqlite:" + warehouse_.path()},
            {"CREDITBOT_INBOX", inbox},       {"CREDITBOT_LOOK_CATALOG", kLooks},
            {"SLACK_USER_ID", "U0OWNER01"},   {"CREDITBOT_LOG_FORMAT", "json"}};
  }
  RunResult Run(const std::vector<std::string>& args, const std::string& inbox,
                std::map<std::string, std::string> extra = {}) const {
    std::map<std::string, std::string> env = Env(inbox);
    for (auto& [name, value] : extra) env[name] = value;
    return RunCreditbot(args, env, home_.path());
  }
  // The outbox's chat.postMessage payloads (its reaction lines, which carry "method", left out).
  std::vector<Json> Outbox() const {
    std::vector<Json> payloads;
    for (const std::string& line : ReadLines(home_.File("outbox.jsonl"))) {
      Json payload = Json::parse(line);
      if (!payload.contains("method")) payloads.push_back(std::move(payload));
    }
    return payloads;
  }
  // The outbox's reaction lines on the message `ts`, as "add eyes", "remove eyes"…, in order; each marked
  // dry_run as `dry_run` says.
  std::vector<std::string> Reactions(const std::string& ts, bool dry_run = true) const {
    std::vector<std::string> reactions;
    for (const std::string& line : ReadLines(home_.File("outbox.jsonl"))) {
      Json entry = Json::parse(line);
      if (!entry.contains("method") || entry["timestamp"] != ts) continue;
      EXPECT_EQ(entry.value("dry_run", false), dry_run) << line;
      EXPECT_EQ(entry["channel"], "C0CREDITREQ") << line;
      reactions.push_back((entry["method"] == "reactions.add" ? "add " : "remove ") +
                          entry["name"].get<std::string>());
    }
    return reactions;
  }
  Json StateStats(const std::string& inbox) const {
    RunResult stats = Run({"state", "stats", "--json"}, inbox);
    EXPECT_EQ(stats.exit_code, 0) << stats.err;
    return Json::parse(stats.out);
  }
  static const Json* FindPayload(const std::vector<Json>& outbox, const std::string& key,
                                 const std::string& kind) {
    for (const Json& payload : outbox) {
      const Json& event = payload["metadata"]["event_payload"];
      if (event["request_key"] == key && event["kind"] == kind) return &payload;
    }
    return nullptr;
  }

  static SuiteWarehouse warehouse_;
  TempDir home_;
  TempDir inputs_;  // inboxes and other files a test feeds creditbot
};

SuiteWarehouse EndToEnd::warehouse_;

TEST_F(EndToEnd, SampleInboxIsAnsweredOnceInDryRun) {
  const std::string inbox = kSource + "/data/sample/inbox.jsonl";
  RunResult first = Run({"run", "--once"}, inbox);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("[dry run] would post to thread C0CREDITREQ 1752588191.000100"));
  EXPECT_THAT(first.out,
              HasSubstr("Recommended credit: $255.00 USD, needs approval (above the $250.00 threshold)"));

  std::vector<Json> outbox = Outbox();
  const Json* reply = FindPayload(outbox, kRequest101Key, "credit");
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ((*reply)["channel"], "C0CREDITREQ");
  EXPECT_EQ((*reply)["thread_ts"], "1752588191.000100");
  EXPECT_EQ((*reply)["unfurl_links"], false);
  EXPECT_EQ((*reply)["unfurl_media"], false);
  EXPECT_EQ((*reply)["metadata"]["event_type"], "creditbot_reply");
  EXPECT_EQ((*reply)["metadata"]["event_payload"]["dry_run"], true);
  EXPECT_TRUE((*reply)["blocks"].is_array());

  // The audit record of that execution holds the hand-checked numbers of test case 1.
  std::string execution_id = (*reply)["metadata"]["event_payload"]["execution_id"];
  Json audit = Json::parse(ReadFile(home_.File("audit/" + execution_id + "/result.json")));
  EXPECT_EQ(audit["credit_amount"], "255.00");
  EXPECT_EQ(audit["fraud_total"], "1130.00");
  EXPECT_EQ(audit["mrr"], "250.00");
  EXPECT_EQ(audit["needs_approval"], true);
  EXPECT_EQ(audit["parent_account_sid"], "ACp");
  EXPECT_EQ(audit["inputs"]["source"]["looker_url"], "https://looker.example.com/looks/101");

  // The request without a Looker link got one question; the unknown look went to the owner by DM.
  EXPECT_NE(FindPayload(outbox, "C0CREDITREQ:1754302869.000500", "ask_link"), nullptr);
  const Json* dm = FindPayload(outbox, "C0CREDITREQ:1759741205.000950", "owner_alert");
  ASSERT_NE(dm, nullptr);
  EXPECT_EQ((*dm)["channel"], "U0OWNER01");
  EXPECT_THAT((*dm)["text"].get<std::string>(), HasSubstr("look 9999"));
  // The DM links to the request (the local mode knows no workspace: slack.com; the ts without its dot) and
  // names the reference the requester's reply quotes.
  EXPECT_THAT((*dm)["text"].get<std::string>(),
              HasSubstr("https://slack.com/archives/C0CREDITREQ/p1759741205000950"));
  EXPECT_THAT((*dm)["text"].get<std::string>(), HasSubstr("reference C0CREDITREQ:1759741205.000950"));
  // The requester heard back in the thread, without internals, once (marked dry run like every reply).
  const Json* failure = FindPayload(outbox, "C0CREDITREQ:1759741205.000950", "failure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ((*failure)["thread_ts"], "1759741205.000950");
  EXPECT_EQ((*failure)["text"],
            "I could not calculate this credit; <@U0OWNER01> has been told, reference "
            "C0CREDITREQ:1759741205.000950.");
  EXPECT_EQ((*failure)["metadata"]["event_payload"]["dry_run"], true);
  EXPECT_THAT(first.out, HasSubstr("[dry run] would post to thread C0CREDITREQ 1759741205.000950"));
  // Reactions: the credit's 👀 gave way to ✅; the failure (never calculated: the look is unknown) got ❌;
  // the ignored messaging request none.
  EXPECT_THAT(Reactions("1752588191.000100"), ElementsAre("add eyes", "remove eyes", "add white_check_mark"));
  EXPECT_THAT(Reactions("1759741205.000950"), ElementsAre("add x"));
  EXPECT_THAT(Reactions("1754930730.000600"), IsEmpty());
  // The message first posted without a link was asked about once, then answered after the edit added look
  // 103.
  EXPECT_NE(FindPayload(outbox, "C0CREDITREQ:1754987400.000700", "ask_link"), nullptr);
  EXPECT_NE(FindPayload(outbox, "C0CREDITREQ:1754987400.000700", "credit"), nullptr);
  // Bots, joins, thread replies and the messaging (PSMS) request got nothing.
  for (const std::string key : {"C0CREDITREQ:1752591600.000200", "C0CREDITREQ:1752657160.000300",
                                "C0CREDITREQ:1752588602.000400", "C0CREDITREQ:1754930730.000600"}) {
    for (const Json& payload : outbox) EXPECT_NE(payload["metadata"]["event_payload"]["request_key"], key);
  }

  Json stats = StateStats(inbox);
  EXPECT_EQ(stats["by_status"]["replied"], 4);
  EXPECT_EQ(stats["by_status"]["ignored"], 1);
  EXPECT_EQ(stats["by_status"]["skipped"], 3);
  EXPECT_EQ(stats["by_status"]["failed"], 1);
  EXPECT_EQ(stats["by_status"]["asked"], 1);
  EXPECT_EQ(stats["total"], 10);

  // Running again posts nothing new, and changes no reaction.
  const std::size_t lines_after_first = ReadLines(home_.File("outbox.jsonl")).size();
  RunResult second = Run({"run", "--once"}, inbox);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, Not(HasSubstr("would post")));
  EXPECT_EQ(ReadLines(home_.File("outbox.jsonl")).size(), lines_after_first);
}

TEST_F(EndToEnd, LivePassPostsWhatTheDryRunPreviewedExactlyOnce) {
  const std::string inbox = inputs_.File("inbox-live.jsonl");
  WriteFile(inbox,
            Line(UserMessage("1752588191.000100", "credit please <https://looker.example.com/looks/101>")));
  ASSERT_EQ(Run({"run", "--once"}, inbox).exit_code, 0);
  ASSERT_EQ(Run({"run", "--once"}, inbox, {{"DRY_RUN", "false"}}).exit_code, 0);
  ASSERT_EQ(Run({"run", "--once"}, inbox, {{"DRY_RUN", "false"}}).exit_code, 0);
  int live = 0, dry = 0;
  for (const Json& payload : Outbox()) {
    (payload["metadata"]["event_payload"].value("dry_run", false) ? dry : live) += 1;
  }
  EXPECT_EQ(dry, 1);
  EXPECT_EQ(live, 1);
}

TEST_F(EndToEnd, LostStateNeverAnswersTwice) {
  const std::string inbox = inputs_.File("inbox-lost-state.jsonl");
  WriteFile(inbox,
            Line(UserMessage("1752588191.000100", "credit please <https://looker.example.com/looks/101>")));
  ASSERT_EQ(Run({"run", "--once"}, inbox, {{"DRY_RUN", "false"}}).exit_code, 0);
  std::filesystem::remove(home_.File("state.db"));
  RunResult again = Run({"run", "--once"}, inbox, {{"DRY_RUN", "false"}});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("already in the thread"));
  EXPECT_EQ(Outbox().size(), 1u);
}

TEST_F(EndToEnd, BadInputsAreReportedAndTheRestGoesOn) {
  const std::string inbox = inputs_.File("inbox-bad.jsonl");
  std::string lines = Line(UserMessage("1752588191.000100", "<https://looker.example.com/looks/101>"));
  lines += "{this is not json\n";
  lines += Line(
      {{"type", "message"}, {"channel", "C0CREDITREQ"}, {"user", "U0ANALYST1"}, {"ts", "1752600000.000001"}});
  lines += Line(UserMessage("1752600000.000002", "<https://looker.example.com/looks/424242|unknown look>"));
  lines += Line(UserMessage("1752600000.000003", "<https://looker.example.com/looks/301>"));
  lines += Line(UserMessage("1752600000.000004", "<https://looker.example.com/looks/302>"));
  lines +=
      Line(UserMessage("1752600000.000005", "lookalike <https://looker.example.com.evil.test/looks/101>"));
  WriteFile(inbox, lines);
  RunResult run = Run({"run", "--once"}, inbox);
  ASSERT_EQ(run.exit_code, 0) << run.err;

  std::vector<Json> outbox = Outbox();
  EXPECT_NE(FindPayload(outbox, kRequest101Key, "credit"), nullptr);
  std::vector<std::string> dms;
  for (const Json& payload : outbox) {
    if (payload["channel"] == "U0OWNER01") dms.push_back(payload["text"]);
  }
  ASSERT_EQ(dms.size(), 5u);  // malformed line, no text, unknown look, refused SQL, missing column
  EXPECT_THAT(dms[0], HasSubstr("inbox-bad.jsonl:2"));
  EXPECT_THAT(dms[1], HasSubstr("text"));
  EXPECT_THAT(dms[2], HasSubstr("look 424242"));
  EXPECT_THAT(dms[3], HasSubstr("refused"));
  EXPECT_THAT(dms[4], HasSubstr("attempts_sent"));
  // Each requester whose request failed (unknown look, missing column) or was refused heard back once, in
  // words without internals.
  for (const std::string ts : {"1752600000.000002", "1752600000.000003", "1752600000.000004"}) {
    const Json* failure = FindPayload(outbox, "C0CREDITREQ:" + ts, "failure");
    ASSERT_NE(failure, nullptr) << ts;
    EXPECT_EQ(
        (*failure)["text"],
        "I could not calculate this credit; <@U0OWNER01> has been told, reference C0CREDITREQ:" + ts + ".");
  }
  // The lookalike host is not followed: the requester is asked for a Looker link instead.
  EXPECT_NE(FindPayload(outbox, "C0CREDITREQ:1752600000.000005", "ask_link"), nullptr);

  Json stats = StateStats(inbox);
  EXPECT_EQ(stats["by_status"]["rejected"], 2);
  EXPECT_EQ(stats["by_status"]["refused"], 1);
  EXPECT_EQ(stats["by_status"]["failed"], 2);
  EXPECT_EQ(stats["by_status"]["replied"], 1);

  // A second pass reports nothing twice.
  RunResult again = Run({"run", "--once"}, inbox);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Outbox().size(), outbox.size());
}

TEST_F(EndToEnd, WithoutAnOwnerAFailedRequestFailsTheRunSoTheSchedulerShowsIt) {
  const std::string inbox = inputs_.File("inbox-no-owner.jsonl");
  WriteFile(inbox, Line(UserMessage("1752588191.000100", "<https://looker.example.com/looks/101>")) +
                       Line(UserMessage("1752600000.000002", "<https://looker.example.com/looks/424242>")) +
                       Line(UserMessage("1752600000.000003", "<https://looker.example.com/looks/301>")));
  RunResult run = Run({"run", "--once"}, inbox, {{"SLACK_USER_ID", ""}});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  // One failed (the unknown look), one refused (look 301's SQL is not read-only).
  EXPECT_THAT(run.err, HasSubstr("2 requests failed and no owner is configured"));
  EXPECT_THAT(run.err, HasSubstr("SLACK_USER_ID"));
  EXPECT_THAT(run.out, HasSubstr("replied=1"));
  // The requesters still heard back, without a mention of an owner nobody configured.
  const std::vector<Json> outbox = Outbox();
  const Json* failure = FindPayload(outbox, "C0CREDITREQ:1752600000.000002", "failure");
  ASSERT_NE(failure, nullptr);
  EXPECT_EQ((*failure)["text"],
            "I could not calculate this credit; the team running creditbot can look it up with reference "
            "C0CREDITREQ:1752600000.000002.");

  // The next pass has nothing new to fail: it succeeds. With an owner, a failure does not fail the run.
  RunResult again = Run({"run", "--once"}, inbox, {{"SLACK_USER_ID", ""}});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  WriteFile(inbox, Line(UserMessage("1752600000.000009", "<https://looker.example.com/looks/424242>")));
  RunResult with_owner = Run({"run", "--once"}, inbox);
  EXPECT_EQ(with_owner.exit_code, 0) << with_owner.err;
}

TEST_F(EndToEnd, PolicyTypoStopsTheRunNamingTheKeyAndLosesNothing) {
  const std::string inbox = inputs_.File("inbox-policy.jsonl");
  WriteFile(inbox, Line(UserMessage("1752588191.000100", "<https://looker.example.com/looks/101>")));
  ASSERT_EQ(Run({"run", "--once"}, inbox).exit_code, 0);
  const std::string state_before = ReadFile(home_.File("state.db"));
  TempDir policies;
  WriteFile(policies.File("verify.toml"), "name = \"verify\"\nversion = \"1\"\n[k]\nstandrd = 1.0\n");
  RunResult run = Run({"run", "--once"}, inbox, {{"CREDITBOT_POLICY_DIR", policies.path()}});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("standrd"));
  EXPECT_EQ(ReadFile(home_.File("state.db")), state_before);
}

TEST_F(EndToEnd, UnreadableStateFileIsNeverReplaced) {
  const std::string inbox = inputs_.File("inbox-state.jsonl");
  WriteFile(inbox, Line(UserMessage("1752588191.000100", "<https://looker.example.com/looks/101>")));
  const std::string garbage(4096, 'x');
  WriteFile(home_.File("state.db"), garbage);
  RunResult run = Run({"run", "--once"}, inbox);
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("state store"));
  EXPECT_EQ(ReadFile(home_.File("state.db")), garbage);
  EXPECT_FALSE(std::filesystem::exists(home_.File("outbox.jsonl")));
}

TEST_F(EndToEnd, CalcPrintsTheResultJsonOfTestCase1) {
  RunResult calc = Run({"calc", "--warehouse", "sqlite:" + warehouse_.path(), "--sql-file",
                        kLooks + "/101.sql", "--claim-date", "2025-07-15"},
                       "");
  ASSERT_EQ(calc.exit_code, 0) << calc.err;
  Json result = Json::parse(calc.out);
  EXPECT_EQ(result["credit_amount"], "255.00");
  EXPECT_EQ(result["product"], "verify");
  EXPECT_EQ(result["fraud_start"], "2025-07-01");
  EXPECT_EQ(result["fraud_end"], "2025-07-03");
  ASSERT_EQ(result["output_df"].size(), 4u);
  // CREDIT_POLICY.md worked example, output_df table.
  EXPECT_EQ(result["output_df"][2]["mode"], "standard");
  EXPECT_EQ(result["output_df"][2]["fraud_charges_in_mode"], "540.00");
  EXPECT_EQ(result["output_df"][2]["credit_in_mode"], "225.00");
  EXPECT_EQ(result["output_df"][2]["credit_if_mode"], "525.00");
  EXPECT_EQ(result["output_df"][3]["credit_if_mode"], "865.00");
  EXPECT_EQ(result["output_df"][3]["expected_blocked_if_mode"], "3550");
  EXPECT_EQ(result["lines"].size(), 5u);
  EXPECT_EQ(result["policy"]["name"], "verify");
  EXPECT_EQ(result["policy"]["sha256"].get<std::string>().size(), 64u);
}

TEST_F(EndToEnd, CalcFailuresAreOneLineAndExitNonZero) {
  for (const std::string look : {"301", "302"}) {
    RunResult calc = Run({"calc", "--warehouse", "sqlite:" + warehouse_.path(), "--sql-file",
                          kLooks + "/" + look + ".sql", "--claim-date", "2025-07-15"},
                         "");
    EXPECT_NE(calc.exit_code, 0) << look;
    EXPECT_TRUE(calc.out.empty()) << look;
    EXPECT_EQ(std::count(calc.err.begin(), calc.err.end(), '\n'), 1) << calc.err;
  }
}

TEST_F(EndToEnd, LinksClassifiesASlackMessage) {
  Json message = {{"text",
                   "see <https://looker.example.com/looks/42?qid=a&amp;b=1|the look> and "
                   "<https://docs.google.com/document/d/1/edit|notes> and <@U024BE7LH> "
                   "<https://looker.example.com/x/AbC123>"}};
  RunResult links = RunCreditbot({"links"}, {{"CREDITBOT_LOOKER_BASE_URL", "https://looker.example.com"}},
                                 inputs_.path(), message.dump());
  ASSERT_EQ(links.exit_code, 0) << links.err;
  Json out = Json::parse(links.out);
  ASSERT_EQ(out["links"].size(), 3u);
  EXPECT_EQ(out["links"][0]["url"], "https://looker.example.com/looks/42?qid=a&b=1");
  EXPECT_EQ(out["links"][0]["label"], "the look");
  EXPECT_EQ(out["links"][0]["kind"], "look");
  EXPECT_EQ(out["links"][1]["kind"], "other");
  EXPECT_EQ(out["links"][2]["kind"], "share");

  RunResult no_text = RunCreditbot({"links"}, {}, inputs_.path(), "{\"blocks\": []}");
  EXPECT_NE(no_text.exit_code, 0);
  EXPECT_THAT(no_text.err, HasSubstr("\"text\""));
}

TEST_F(EndToEnd, SecretsNeverAppearInLogsOutputsStateOrAudit) {
  // The Looker secret is really used (the binary logs in to a fake Looker on loopback), the others are set
  // but idle; none may appear anywhere the run writes.
  FakeLookerServer looker;
  looker.SetResponse("GET", "/api/4.0/queries/48213/run/sql", 200, ReadFile(kLooks + "/101.sql"),
                     "application/sql");
  const std::string canary = "canary-secret-5f0d9a7c";
  const std::string inbox = inputs_.File("inbox-canary.jsonl");
  WriteFile(inbox, Line(UserMessage("1752588191.000100", "<https://looker.example.com/looks/42>")) +
                       Line(UserMessage("1752600000.000002", "<https://looker.example.com/looks/424242>")));
  std::map<std::string, std::string> secrets = {{"LOOKER_CLIENT_ID", FakeLookerServer::kClientId},
                                                {"LOOKER_CLIENT_SECRET", FakeLookerServer::kClientSecret},
                                                {"CREDITBOT_LOOKER_API_URL", looker.base_url()},
                                                {"PRESTO_PASSWORD", canary},
                                                {"SLACK_SIGNING_SECRET", canary + "-signing"}};
  RunResult run = Run({"run", "--once", "--log-level", "debug", "--log-file", home_.File("creditbot.log")},
                      inbox, secrets);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Through the Looker API: look 42 → query 48213 → its SQL (look 101's) → test case 1's credit.
  EXPECT_THAT(run.out, HasSubstr("Recommended credit: $255.00 USD"));
  EXPECT_EQ(looker.Count("POST", "/api/4.0/login"), 1);
  RunResult config = Run({"config"}, inbox, secrets);
  std::string everything = run.out + run.err + config.out + config.err;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(home_.path())) {
    if (entry.is_regular_file()) everything += ReadFile(entry.path().string());
  }
  EXPECT_THAT(everything, Not(HasSubstr(canary)));
  EXPECT_THAT(everything, Not(HasSubstr(FakeLookerServer::kClientSecret)));
  EXPECT_THAT(everything, Not(HasSubstr("s3cr3t%2FPass")));  // the form-encoded secret
}

TEST_F(EndToEnd, HalfTheLookerCredentialsIsAConfigurationErrorThatHidesTheSecret) {
  const std::string inbox = inputs_.File("inbox-half.jsonl");
  WriteFile(inbox, Line(UserMessage("1752588191.000100", "<https://looker.example.com/looks/101>")));
  RunResult run = Run({"run", "--once"}, inbox, {{"LOOKER_CLIENT_SECRET", "canary-secret-only"}});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_THAT(run.err, HasSubstr("LOOKER_CLIENT_ID"));
  EXPECT_THAT(run.out + run.err, Not(HasSubstr("canary-secret-only")));
}

}  // namespace
}  // namespace creditbot::testing

namespace creditbot::testing {
namespace {

TEST(Version, NamesTheVersionAndTheCommitBuiltFrom) {
  TempDir dir;
  RunResult run = RunCreditbot({"--version"}, {}, dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, ::testing::MatchesRegex(
                           R"(creditbot [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]{12}(-dirty)?|unknown)\)
)"));
}

}  // namespace
}  // namespace creditbot::testing
