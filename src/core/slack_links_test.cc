// Tests for link extraction from Slack text and rich_text blocks. Expected values follow Slack's documented
// wire format (research/slack.md §5–6), not the code's output.
#include "core/slack_links.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace creditbot {
namespace {

using ::creditbot::testing::ReadFixture;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Urls(const std::vector<SlackLink>& links) {
  std::vector<std::string> urls;
  urls.reserve(links.size());
  for (const SlackLink& link : links) urls.push_back(link.url);
  return urls;
}

// --- text ---------------------------------------------------------------------------------------------

TEST(SlackLinks, PassesEveryRowOfTheSharedLinkCorpus) {
  std::istringstream lines(ReadFixture("slack/link_texts.jsonl"));
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    ++rows;
    const nlohmann::json row = nlohmann::json::parse(line);
    const std::string text = row.at("text").get<std::string>();
    const std::vector<std::string> expected = row.at("urls").get<std::vector<std::string>>();
    EXPECT_EQ(Urls(ExtractLinksFromText(text)), expected) << "text: " << text;
  }
  EXPECT_GE(rows, 39);  // README: 39 rows (research/slack.md says 52; the file is the authority)
}

TEST(SlackLinks, ExtractsUrlWithoutLabel) {
  EXPECT_THAT(ExtractLinksFromText("see <https://looker.example.com/looks/42> please"),
              ElementsAre(SlackLink{"https://looker.example.com/looks/42", ""}));
}

TEST(SlackLinks, DecodesAmpersandInLinkUrl) {
  EXPECT_THAT(ExtractLinksFromText("<https://a.test/e?fields=x&amp;limit=5>"),
              ElementsAre(SlackLink{"https://a.test/e?fields=x&limit=5", ""}));
}

TEST(SlackLinks, UrlEndsAtFirstPipeAndLabelKeepsTheRest) {
  EXPECT_THAT(ExtractLinksFromText("<https://a.test/dashboards/7|Q3 | EMEA | SMS>"),
              ElementsAre(SlackLink{"https://a.test/dashboards/7", "Q3 | EMEA | SMS"}));
}

TEST(SlackLinks, DecodesTheThreeEntitiesInLabel) {
  EXPECT_THAT(ExtractLinksFromText("<https://a.test/c|a &gt; b &amp;&amp; c &lt; d>"),
              ElementsAre(SlackLink{"https://a.test/c", "a > b && c < d"}));
}

TEST(SlackLinks, DecodesEntitiesExactlyOnceLeftToRight) {
  // "&amp;lt;" is "&" followed by "lt;", so it decodes to "&lt;", never to "<".
  EXPECT_THAT(ExtractLinksFromText("<https://a.test/?a=1&amp;amp;b=2&amp;lt;3|x &amp;gt; y>"),
              ElementsAre(SlackLink{"https://a.test/?a=1&amp;b=2&lt;3", "x &gt; y"}));
}

TEST(SlackLinks, LeavesOtherEntitiesAndPartialEntitiesAlone) {
  EXPECT_THAT(ExtractLinksFromText("<https://a.test/?q=&quot;x&quot;&amp&am;&#39;|&apos;>"),
              ElementsAre(SlackLink{"https://a.test/?q=&quot;x&quot;&amp&am;&#39;", "&apos;"}));
}

TEST(SlackLinks, NeverPercentDecodes) {
  EXPECT_THAT(ExtractLinksFromText("<https://a.test/f?q=a%7Cb%26c%3E|a%20b>"),
              ElementsAre(SlackLink{"https://a.test/f?q=a%7Cb%26c%3E", "a%20b"}));
}

TEST(SlackLinks, MentionsChannelsAndSpecialCommandsAreNotLinks) {
  EXPECT_THAT(ExtractLinksFromText("<@U024BE7LH> <@U024BE7LH|bob> <#C024BE7LR|general> <!here> <!channel> "
                                   "<!subteam^S123|@team> <!date^1392734382^{date}|Feb 18, 2014>"),
              IsEmpty());
}

TEST(SlackLinks, MailtoIsALinkLikeAnyOther) {
  EXPECT_THAT(ExtractLinksFromText("<mailto:bob@example.com|Bob>"),
              ElementsAre(SlackLink{"mailto:bob@example.com", "Bob"}));
}

TEST(SlackLinks, EscapedAngleBracketsAreLiteralText) {
  EXPECT_THAT(ExtractLinksFromText("&lt;https://a.test/not-a-link&gt; and &lt;https://b.test|x&gt;"),
              IsEmpty());
}

TEST(SlackLinks, BareUrlOutsideAngleBracketsIsNotALink) {
  EXPECT_THAT(ExtractLinksFromText("https://looker.example.com/looks/1 and `https://a.test/?a=1&amp;b=2`"),
              IsEmpty());
}

TEST(SlackLinks, UnterminatedLessThanIsText) {
  EXPECT_THAT(ExtractLinksFromText("see <https://a.test/x"), IsEmpty());
  EXPECT_THAT(ExtractLinksFromText("<https://a.test/1> and then <https://b.test/2"),
              ElementsAre(SlackLink{"https://a.test/1", ""}));
}

TEST(SlackLinks, KeepsOrderOfAppearanceAcrossMentions) {
  EXPECT_THAT(Urls(ExtractLinksFromText("<!here> <https://a.test/1|one> <@U1> <https://b.test/2> "
                                        "<#C1|c> <mailto:x@y.test>")),
              ElementsAre("https://a.test/1", "https://b.test/2", "mailto:x@y.test"));
}

TEST(SlackLinks, DropsSequencesWithAnEmptyUrl) {
  EXPECT_THAT(ExtractLinksFromText("<> <|label only> <https://a.test/>"),
              ElementsAre(SlackLink{"https://a.test/", ""}));
}

TEST(SlackLinks, FirstRawGreaterThanClosesTheSequence) {
  // A raw '>' never occurs inside a well-formed link (Slack sends &gt;), so the first one closes it.
  EXPECT_THAT(ExtractLinksFromText("<https://a.test/x|a>b>"),
              ElementsAre(SlackLink{"https://a.test/x", "a"}));
}

TEST(SlackLinks, ASequenceRunsFromTheFirstLessThanAsTheDocumentedRegexDoes) {
  // Slack's display algorithm matches <(.*?)> from the leftmost '<'. A raw '<' never occurs in Slack text
  // outside a control sequence, so this only documents the behaviour on malformed input.
  EXPECT_THAT(Urls(ExtractLinksFromText("<a <https://a.test/x>")), ElementsAre("a <https://a.test/x"));
}

TEST(SlackLinks, EmptyTextHasNoLinks) { EXPECT_THAT(ExtractLinksFromText(""), IsEmpty()); }

// --- blocks -------------------------------------------------------------------------------------------

TEST(SlackLinksBlocks, ReadsTheLinkOfARealHistoryMessage) {
  const nlohmann::json page = nlohmann::json::parse(
      ReadFixture("slack/web_api/conversations.history.with_unfurl.java-sdk-issue1207.json"));
  const nlohmann::json& blocks = page.at("messages").at(0).at("blocks");
  EXPECT_THAT(ExtractLinksFromBlocks(blocks),
              ElementsAre(SlackLink{"https://xxx.slack.com/archives/C123/p1695106171334469", ""}));
}

TEST(SlackLinksBlocks, WalksSectionsListsQuotesAndPreformattedInOrderWithRawUrls) {
  const nlohmann::json blocks = nlohmann::json::parse(R"([
    {"type": "rich_text", "elements": [
      {"type": "rich_text_section", "elements": [
        {"type": "text", "text": "see "},
        {"type": "link", "url": "https://a.test/1?x=1&y=2", "text": "one"}]},
      {"type": "rich_text_list", "style": "bullet", "elements": [
        {"type": "rich_text_section", "elements": [{"type": "link", "url": "https://a.test/2&amp;"}]},
        {"type": "rich_text_section", "elements": [{"type": "user", "user_id": "U1"}]}]},
      {"type": "rich_text_quote", "elements": [{"type": "link", "url": "https://a.test/3"}]},
      {"type": "rich_text_preformatted", "elements": [{"type": "link", "url": "https://a.test/4"}]}]},
    {"type": "section", "text": {"type": "mrkdwn", "text": "<https://not-rich-text.test/>"}},
    {"type": "rich_text", "elements": [
      {"type": "rich_text_section", "elements": [{"type": "link", "url": "https://a.test/5", "text": "five"}]}]}
  ])");
  EXPECT_THAT(ExtractLinksFromBlocks(blocks),
              ElementsAre(SlackLink{"https://a.test/1?x=1&y=2", "one"},
                          SlackLink{"https://a.test/2&amp;", ""}, SlackLink{"https://a.test/3", ""},
                          SlackLink{"https://a.test/4", ""}, SlackLink{"https://a.test/5", "five"}));
}

TEST(SlackLinksBlocks, IgnoresWrongTypesWithoutThrowing) {
  for (const char* text :
       {"null", "42", R"("blocks")", "{}", R"({"type":"rich_text"})", R"([1, "x", null, []])",
        R"([{"type": 5}, {"type": "rich_text", "elements": "nope"}])",
        R"([{"type": "rich_text", "elements": [7, null, {"type": "link"},
                                {"type": "link", "url": 12}, {"type": "link", "url": ""},
                                {"type": "link", "url": ["https://a.test/"]},
                                {"type": "rich_text_section", "elements": {"type": "link", "url": "https://x.test"}}]}])"}) {
    const nlohmann::json blocks = nlohmann::json::parse(text);
    EXPECT_THAT(ExtractLinksFromBlocks(blocks), IsEmpty()) << text;
  }
}

TEST(SlackLinksBlocks, NonStringLinkTextGivesAnEmptyLabel) {
  const nlohmann::json blocks = nlohmann::json::parse(
      R"([{"type": "rich_text", "elements": [{"type": "link", "url": "https://a.test/", "text": 3}]}])");
  EXPECT_THAT(ExtractLinksFromBlocks(blocks), ElementsAre(SlackLink{"https://a.test/", ""}));
}

nlohmann::json NestedLink(int levels) {
  nlohmann::json element = {{"type", "link"}, {"url", "https://deep.test/"}};
  for (int i = 0; i < levels; ++i) {
    element = {{"type", "rich_text_section"}, {"elements", nlohmann::json::array({element})}};
  }
  return nlohmann::json::array({{{"type", "rich_text"}, {"elements", nlohmann::json::array({element})}}});
}

TEST(SlackLinksBlocks, FollowsRealisticNestingButStopsAt32Levels) {
  EXPECT_THAT(Urls(ExtractLinksFromBlocks(NestedLink(5))), ElementsAre("https://deep.test/"));
  EXPECT_THAT(ExtractLinksFromBlocks(NestedLink(40)), IsEmpty());
}

// --- message ------------------------------------------------------------------------------------------

TEST(SlackMessageLinks, PrefersRichTextBlocksOverText) {
  const nlohmann::json blocks = nlohmann::json::parse(
      R"([{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
           {"type": "link", "url": "https://a.test/?x=1&y=2"}]}]}])");
  EXPECT_THAT(
      Urls(ExtractMessageLinks("<https://a.test/?x=1&amp;y=2> <https://only-in-text.test/>", &blocks)),
      ElementsAre("https://a.test/?x=1&y=2"));
}

TEST(SlackMessageLinks, UsesRichTextBlocksEvenWhenTheyHoldNoLink) {
  const nlohmann::json blocks = nlohmann::json::parse(
      R"([{"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
           {"type": "text", "text": "hello"}]}]}])");
  EXPECT_THAT(ExtractMessageLinks("<https://a.test/>", &blocks), IsEmpty());
}

TEST(SlackMessageLinks, FallsBackToTextWithoutRichTextBlocks) {
  const nlohmann::json empty = nlohmann::json::array();
  const nlohmann::json sections = nlohmann::json::parse(R"([{"type": "section", "text": {"type": "mrkdwn",
                                                            "text": "<https://b.test/>"}}])");
  const nlohmann::json not_array = nlohmann::json::parse(R"({"type": "rich_text"})");
  const char* text = "<https://a.test/?x=1&amp;y=2>";
  EXPECT_THAT(Urls(ExtractMessageLinks(text, nullptr)), ElementsAre("https://a.test/?x=1&y=2"));
  EXPECT_THAT(Urls(ExtractMessageLinks(text, &empty)), ElementsAre("https://a.test/?x=1&y=2"));
  EXPECT_THAT(Urls(ExtractMessageLinks(text, &sections)), ElementsAre("https://a.test/?x=1&y=2"));
  EXPECT_THAT(Urls(ExtractMessageLinks(text, &not_array)), ElementsAre("https://a.test/?x=1&y=2"));
}

}  // namespace
}  // namespace creditbot
