// Tests for Looker base-URL parsing and link classification. Expected kinds and ids follow the URL forms
// in research/looker_trino.md §1.3 and the host rule of ARCHITECTURE.md (only the configured host).
#include "core/looker_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/status/status.h"

namespace creditbot {
namespace {

using ::testing::HasSubstr;
using std::string_literals::operator""s;

LookerBase Base(const std::string& url) {
  absl::StatusOr<LookerBase> base = ParseLookerBase(url);
  EXPECT_TRUE(base.ok()) << base.status();
  return base.ok() ? *base : LookerBase{};
}

const LookerBase& ExampleBase() {
  static const LookerBase base = Base("https://looker.example.com");
  return base;
}

LookerRef Classify(const std::string& url) { return ClassifyLink(url, ExampleBase()); }

void ExpectInvalidBase(const std::string& url, const std::string& message_part) {
  absl::StatusOr<LookerBase> base = ParseLookerBase(url);
  ASSERT_FALSE(base.ok()) << url;
  EXPECT_EQ(base.status().code(), absl::StatusCode::kInvalidArgument) << url;
  EXPECT_THAT(std::string(base.status().message()), HasSubstr(message_part)) << url;
}

// --- ParseLookerBase ----------------------------------------------------------------------------------

TEST(LookerBase, ParsesHttpsBaseWithDefaultPort) {
  LookerBase base = Base("https://looker.example.com");
  EXPECT_EQ(base.scheme, "https");
  EXPECT_EQ(base.host, "looker.example.com");
  EXPECT_EQ(base.port, 443);
  EXPECT_EQ(base.Origin(), "https://looker.example.com");
}

TEST(LookerBase, LowerCasesHostAndKeepsExplicitPort) {
  LookerBase base = Base("HTTPS://Acme.Looker.COM:19999/");
  EXPECT_EQ(base.scheme, "https");
  EXPECT_EQ(base.host, "acme.looker.com");
  EXPECT_EQ(base.port, 19999);
  EXPECT_EQ(base.Origin(), "https://acme.looker.com:19999");
}

TEST(LookerBase, HttpDefaultsToPort80AndOmitsItFromOrigin) {
  EXPECT_EQ(Base("http://looker.internal").port, 80);
  EXPECT_EQ(Base("http://looker.internal:80").Origin(), "http://looker.internal");
  EXPECT_EQ(Base("http://127.0.0.1:8080").Origin(), "http://127.0.0.1:8080");
}

TEST(LookerBase, RejectsWhatIsNotAPlainOrigin) {
  ExpectInvalidBase("", "is not a valid URL");
  ExpectInvalidBase("looker.example.com", "is not a valid URL");
  ExpectInvalidBase("ftp://looker.example.com", "must start with https:// or http://");
  ExpectInvalidBase("https://user:secret@looker.example.com", "must not contain a user name or password");
  ExpectInvalidBase("https://looker.example.com:19999/api/4.0", "must not have a path (found \"/api/4.0\")");
  ExpectInvalidBase("https://looker.example.com/?a=1", "must not have a query");
  ExpectInvalidBase("https://looker.example.com/#top", "must not have a fragment");
  ExpectInvalidBase("https://looker.example.com:99999", "is not a valid URL");
}

// --- ClassifyLink: the host rule ----------------------------------------------------------------------

TEST(LookerUrl, OnlyTheExactConfiguredOriginIsLooker) {
  EXPECT_EQ(Classify("https://looker.example.com/looks/1").kind, LinkKind::kLook);
  EXPECT_EQ(Classify("HTTPS://LOOKER.Example.com/looks/1").kind, LinkKind::kLook);
  EXPECT_EQ(Classify("https://looker.example.com:443/looks/1").kind, LinkKind::kLook);

  EXPECT_EQ(Classify("https://looker.example.com.evil.test/looks/1").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("https://evil.looker.example.com/looks/1").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("https://looker.example.com@evil.test/looks/1").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("https://looker.example.com:8443/looks/1").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("http://looker.example.com/looks/1").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("https://looker.example.com./looks/1").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("https://evil.test/looks/1").kind, LinkKind::kOther);
}

TEST(LookerUrl, UserInfoOnOurHostIsNotLooker) {
  EXPECT_EQ(Classify("https://user@looker.example.com/looks/1").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("https://user:pw@looker.example.com/looks/1").kind, LinkKind::kOther);
}

TEST(LookerUrl, NonUrlsAndOtherSchemesAreOther) {
  EXPECT_EQ(Classify("").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("not a url").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("looker.example.com/looks/1").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("mailto:fraud@looker.example.com").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("ftp://looker.example.com/looks/1").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("https://looker.example.com/looks/1 2").kind, LinkKind::kOther);
  EXPECT_EQ(Classify("https://evil.test/\0https://looker.example.com/looks/1"s).kind, LinkKind::kOther);
  EXPECT_EQ(Classify("https://looker.example.com/looks/1\0"s).kind, LinkKind::kOther);
}

TEST(LookerUrl, PortMustMatchANonDefaultBasePort) {
  const LookerBase base = Base("https://acme.looker.com:19999");
  EXPECT_EQ(ClassifyLink("https://acme.looker.com:19999/looks/5", base).kind, LinkKind::kLook);
  EXPECT_EQ(ClassifyLink("https://acme.looker.com/looks/5", base).kind, LinkKind::kOther);
}

TEST(LookerUrl, KeepsTheUrlAsGiven) {
  EXPECT_EQ(Classify("https://looker.example.com/dashboards/7?Date=1%20years").url,
            "https://looker.example.com/dashboards/7?Date=1%20years");
  EXPECT_EQ(Classify("https://evil.test/x").url, "https://evil.test/x");
}

// --- ClassifyLink: paths ------------------------------------------------------------------------------

TEST(LookerUrl, ClassifiesLooks) {
  LookerRef ref = Classify("https://looker.example.com/looks/42");
  EXPECT_EQ(ref.kind, LinkKind::kLook);
  EXPECT_EQ(ref.id, "42");
  EXPECT_TRUE(ref.model.empty());
  EXPECT_EQ(Classify("https://looker.example.com/looks/42/").id, "42");
  EXPECT_EQ(Classify("https://looker.example.com/looks/42?toggle=dat,pik&qid=AbC123#frag").id, "42");
}

TEST(LookerUrl, ClassifiesShareUrls) {
  LookerRef ref = Classify("https://looker.example.com/x/vwGSbfc");
  EXPECT_EQ(ref.kind, LinkKind::kShare);
  EXPECT_EQ(ref.id, "vwGSbfc");
  EXPECT_EQ(Classify("https://looker.example.com/x/J6reUEcBRdnTlgsWG84cVB/").id, "J6reUEcBRdnTlgsWG84cVB");
}

TEST(LookerUrl, ClassifiesExploreWithQid) {
  LookerRef ref =
      Classify("https://looker.example.com/explore/ecommerce/orders?qid=aogBgL6o3cKK1jN3RoZl5s&toggle=fil");
  EXPECT_EQ(ref.kind, LinkKind::kExplore);
  EXPECT_EQ(ref.id, "aogBgL6o3cKK1jN3RoZl5s");
  EXPECT_EQ(ref.model, "ecommerce");
  EXPECT_EQ(ref.explore, "orders");
  EXPECT_EQ(Classify("https://looker.example.com/explore/ecommerce/orders?toggle=vis&qid=Q1#x").id, "Q1");
}

TEST(LookerUrl, ExpandedExploreHasAnEmptyId) {
  LookerRef ref = Classify(
      "https://looker.example.com/explore/sms_fraud/usage?fields=usage.count&f[usage.date]=7+days&myqid=x");
  EXPECT_EQ(ref.kind, LinkKind::kExplore);
  EXPECT_EQ(ref.id, "");
  EXPECT_EQ(ref.model, "sms_fraud");
  EXPECT_EQ(ref.explore, "usage");
}

TEST(LookerUrl, UnusableQidIsLookerOther) {
  EXPECT_EQ(Classify("https://looker.example.com/explore/m/e?qid=").kind, LinkKind::kLookerOther);
  EXPECT_EQ(Classify("https://looker.example.com/explore/m/e?qid").kind, LinkKind::kLookerOther);
  EXPECT_EQ(Classify("https://looker.example.com/explore/m/e?qid=ab-cd").kind, LinkKind::kLookerOther);
  EXPECT_EQ(Classify("https://looker.example.com/explore/m/e?qid=ab%43").kind, LinkKind::kLookerOther);
}

TEST(LookerUrl, ClassifiesNumericDashboards) {
  LookerRef ref = Classify("https://looker.example.com/dashboards/7?Date=1%20years");
  EXPECT_EQ(ref.kind, LinkKind::kDashboard);
  EXPECT_EQ(ref.id, "7");
  EXPECT_EQ(Classify("https://looker.example.com/dashboards-next/12/").kind, LinkKind::kDashboard);
  EXPECT_EQ(Classify("https://looker.example.com/dashboards-next/12").id, "12");
}

TEST(LookerUrl, ClassifiesLookmlDashboards) {
  LookerRef ref = Classify("https://looker.example.com/dashboards/sms_fraud::pumping_overview");
  EXPECT_EQ(ref.kind, LinkKind::kLookmlDashboard);
  EXPECT_EQ(ref.id, "sms_fraud::pumping_overview");
  EXPECT_EQ(ref.model, "sms_fraud");
  EXPECT_EQ(Classify("https://looker.example.com/dashboards/::x").kind, LinkKind::kLookerOther);
  EXPECT_EQ(Classify("https://looker.example.com/dashboards/m::").kind, LinkKind::kLookerOther);
  EXPECT_EQ(Classify("https://looker.example.com/dashboards/m:x").kind, LinkKind::kLookerOther);
}

TEST(LookerUrl, StripsEmbedPrefix) {
  EXPECT_EQ(Classify("https://looker.example.com/embed/looks/42").id, "42");
  EXPECT_EQ(Classify("https://looker.example.com/embed/looks/42").kind, LinkKind::kLook);
  EXPECT_EQ(Classify("https://looker.example.com/embed/dashboards/7").kind, LinkKind::kDashboard);
  EXPECT_EQ(Classify("https://looker.example.com/embed/dashboards/m::d").kind, LinkKind::kLookmlDashboard);
  EXPECT_EQ(Classify("https://looker.example.com/embed/x/abc").kind, LinkKind::kShare);
  LookerRef ref = Classify("https://looker.example.com/embed/explore/m/e?qid=Q2");
  EXPECT_EQ(ref.kind, LinkKind::kExplore);
  EXPECT_EQ(ref.id, "Q2");
  EXPECT_EQ(ref.model, "m");
  EXPECT_EQ(ref.explore, "e");
  EXPECT_EQ(Classify("https://looker.example.com/embed/embed/looks/42").kind, LinkKind::kLookerOther);
  EXPECT_EQ(Classify("https://looker.example.com/embed").kind, LinkKind::kLookerOther);
}

TEST(LookerUrl, ClassifiesEmbeddedQueryVisualization) {
  LookerRef ref = Classify("https://looker.example.com/embed/query-visualization/J6reUEcBRdnTlgsWG84cVB");
  EXPECT_EQ(ref.kind, LinkKind::kQueryVisualization);
  EXPECT_EQ(ref.id, "J6reUEcBRdnTlgsWG84cVB");
  EXPECT_EQ(Classify("https://looker.example.com/query-visualization/abc").kind, LinkKind::kLookerOther);
}

TEST(LookerUrl, OldEmbedQueryFormNeedsAQid) {
  LookerRef ref = Classify("https://looker.example.com/embed/query/m/e?qid=Q3");
  EXPECT_EQ(ref.kind, LinkKind::kExplore);
  EXPECT_EQ(ref.id, "Q3");
  EXPECT_EQ(Classify("https://looker.example.com/embed/query/m/e").kind, LinkKind::kLookerOther);
  EXPECT_EQ(Classify("https://looker.example.com/query/m/e?qid=Q3").kind, LinkKind::kLookerOther);
}

TEST(LookerUrl, ResolvesDotSegmentsLikeAnHttpClient) {
  EXPECT_EQ(Classify("https://looker.example.com/folders/../looks/9").id, "9");
}

TEST(LookerUrl, AnythingElseOnOurHostIsLookerOther) {
  for (const char* url : {"https://looker.example.com",
                          "https://looker.example.com/",
                          "https://looker.example.com/folders/3",
                          "https://looker.example.com/looks",
                          "https://looker.example.com/looks/abc",
                          "https://looker.example.com/looks/42/extra",
                          "https://looker.example.com/looks//42",
                          "https://looker.example.com//looks/42",
                          "https://looker.example.com/looks/42//",
                          "https://looker.example.com/LOOKS/42",
                          "https://looker.example.com/looks/%34%32",
                          "https://looker.example.com/looks/-1",
                          "https://looker.example.com/looks/1234567890123456789",
                          "https://looker.example.com/x/a-b",
                          "https://looker.example.com/explore/m",
                          "https://looker.example.com/explore/m/e/f",
                          "https://looker.example.com/explore/m.x/e",
                          "https://looker.example.com/sql/abcd",
                          "https://looker.example.com/dashboards/7/x",
                          "https://looker.example.com/api/4.0/looks/1"}) {
    LookerRef ref = Classify(url);
    EXPECT_EQ(ref.kind, LinkKind::kLookerOther) << url;
    EXPECT_TRUE(ref.IsLooker()) << url;
    EXPECT_EQ(ref.id, "") << url;
  }
}

TEST(LookerUrl, LongestNumericIdIs18Digits) {
  EXPECT_EQ(Classify("https://looker.example.com/looks/123456789012345678").kind, LinkKind::kLook);
}

TEST(LookerUrl, IsLookerIsFalseOnlyForOther) {
  EXPECT_FALSE(Classify("https://evil.test/looks/1").IsLooker());
  EXPECT_TRUE(Classify("https://looker.example.com/looks/1").IsLooker());
  EXPECT_TRUE(Classify("https://looker.example.com/browse").IsLooker());
}

TEST(LookerUrl, NamesEveryKind) {
  EXPECT_EQ(LinkKindName(LinkKind::kLook), "look");
  EXPECT_EQ(LinkKindName(LinkKind::kExplore), "explore");
  EXPECT_EQ(LinkKindName(LinkKind::kShare), "share");
  EXPECT_EQ(LinkKindName(LinkKind::kDashboard), "dashboard");
  EXPECT_EQ(LinkKindName(LinkKind::kLookmlDashboard), "lookml_dashboard");
  EXPECT_EQ(LinkKindName(LinkKind::kQueryVisualization), "query");
  EXPECT_EQ(LinkKindName(LinkKind::kLookerOther), "looker_other");
  EXPECT_EQ(LinkKindName(LinkKind::kOther), "other");
}

}  // namespace
}  // namespace creditbot
