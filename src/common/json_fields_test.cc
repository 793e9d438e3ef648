// Tests for the JSON member readers: each takes a missing member, a member of another type and a value
// that is not an object the same way.
#include "common/json_fields.h"

#include <gtest/gtest.h>

namespace creditbot {
namespace {

using Json = nlohmann::json;

TEST(JsonFields, StringMemberIsTheStringOrEmpty) {
  const Json object = {{"name", "alice"}, {"empty", ""}, {"number", 7}, {"null", nullptr}};
  EXPECT_EQ(JsonStringMember(object, "name"), "alice");
  EXPECT_EQ(JsonStringMember(object, "empty"), "");
  EXPECT_EQ(JsonStringMember(object, "number"), "");
  EXPECT_EQ(JsonStringMember(object, "null"), "");
  EXPECT_EQ(JsonStringMember(object, "missing"), "");
  EXPECT_EQ(JsonStringMember(Json::array({"name"}), "name"), "");
  EXPECT_EQ(JsonStringMember(Json("name"), "name"), "");
  EXPECT_EQ(JsonStringMember(Json(), "name"), "");
}

TEST(JsonFields, StringMemberOfSeveralNamesTakesTheFirstThatIsAString) {
  const Json object = {{"ts", 5}, {"message_ts", "1.2"}, {"channel", ""}, {"channel_id", "C1"}};
  EXPECT_EQ(JsonStringMember(object, {"ts", "message_ts"}), "1.2");    // a number is passed over
  EXPECT_EQ(JsonStringMember(object, {"channel", "channel_id"}), "");  // an empty string is taken
  EXPECT_EQ(JsonStringMember(object, {"a", "b"}), "");
}

TEST(JsonFields, BoolMemberIsTrueOnlyForTrue) {
  const Json object = {{"yes", true}, {"no", false}, {"text", "true"}, {"one", 1}};
  EXPECT_TRUE(JsonBoolMember(object, "yes"));
  EXPECT_FALSE(JsonBoolMember(object, "no"));
  EXPECT_FALSE(JsonBoolMember(object, "text"));
  EXPECT_FALSE(JsonBoolMember(object, "one"));
  EXPECT_FALSE(JsonBoolMember(object, "missing"));
  EXPECT_FALSE(JsonBoolMember(Json::array({true}), "yes"));
}

TEST(JsonFields, IntegerMemberTakesIntegersOnly) {
  const Json object = {{"n", -3}, {"big", 5000000000}, {"float", 2.5}, {"text", "4"}};
  EXPECT_EQ(JsonIntegerMember(object, "n"), -3);
  EXPECT_EQ(JsonIntegerMember(object, "big"), 5000000000);
  EXPECT_EQ(JsonIntegerMember(object, "float"), std::nullopt);
  EXPECT_EQ(JsonIntegerMember(object, "text"), std::nullopt);
  EXPECT_EQ(JsonIntegerMember(object, "missing"), std::nullopt);
}

TEST(JsonFields, MemberAndObjectMember) {
  const Json object = {{"inner", {{"a", 1}}}, {"list", Json::array()}};
  ASSERT_NE(JsonMember(object, "list"), nullptr);
  EXPECT_TRUE(JsonMember(object, "list")->is_array());
  EXPECT_EQ(JsonMember(object, "missing"), nullptr);
  EXPECT_EQ(JsonMember(Json(42), "inner"), nullptr);
  ASSERT_NE(JsonObjectMember(object, "inner"), nullptr);
  EXPECT_EQ(JsonObjectMember(object, "inner")->at("a"), 1);
  EXPECT_EQ(JsonObjectMember(object, "list"), nullptr);
  EXPECT_EQ(JsonObjectMember(object, "missing"), nullptr);
}

}  // namespace
}  // namespace creditbot
