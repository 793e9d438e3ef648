// InternedText reads like a std::string and shares its bytes; TextInterner gives one copy per distinct text.
#include "core/interned_text.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/evidence.h"

namespace creditbot {
namespace {

TEST(InternedText, ReadsLikeTheStringItHolds) {
  InternedText text = "AC0123456789abcdef0123456789abcdef";
  EXPECT_EQ(text, "AC0123456789abcdef0123456789abcdef");
  EXPECT_EQ(text.size(), 34u);
  EXPECT_FALSE(text.empty());
  EXPECT_STREQ(text.c_str(), "AC0123456789abcdef0123456789abcdef");
  const std::string& as_string = text;
  EXPECT_EQ(as_string, std::string("AC0123456789abcdef0123456789abcdef"));
  std::ostringstream printed;
  printed << text;
  EXPECT_EQ(printed.str(), "AC0123456789abcdef0123456789abcdef");

  text.clear();
  EXPECT_TRUE(text.empty());
  EXPECT_EQ(text, "");
  EXPECT_STREQ(text.c_str(), "");
  EXPECT_EQ(InternedText(), InternedText(""));
}

TEST(InternedText, CopiesShareTheBytesAndOutliveTheOriginal) {
  std::string source = "VA00000000000000000000000000000001";
  InternedText copy;
  {
    InternedText original(source);
    copy = original;
    EXPECT_EQ(copy.c_str(), original.c_str());  // one copy of the bytes
  }
  source.assign(source.size(), 'x');  // the text never pointed into the source
  EXPECT_EQ(copy, "VA00000000000000000000000000000001");
  InternedText moved = std::move(copy);
  EXPECT_EQ(moved, "VA00000000000000000000000000000001");
  const InternedText& same = moved;
  moved = same;  // assigning a text to itself keeps it
  EXPECT_EQ(moved, "VA00000000000000000000000000000001");
}

TEST(InternedText, ComparesByContentWhateverItsOrigin) {
  TextInterner interner;
  const InternedText a = interner.Intern("400");
  EXPECT_EQ(a, InternedText("400"));  // a separate copy with the same bytes
  EXPECT_FALSE(a == InternedText("401"));
  EXPECT_TRUE(InternedText("399") < a);
  EXPECT_EQ(a, std::string("400"));
  EXPECT_EQ(a, std::string_view("400"));
}

TEST(TextInterner, GivesOneCopyPerDistinctText) {
  TextInterner interner;
  std::string cell = "AC0123456789abcdef0123456789abcdef";
  const InternedText first = interner.Intern(cell);
  cell[2] = '1';
  const InternedText other = interner.Intern(cell);
  cell[2] = '0';
  const InternedText again = interner.Intern(cell);
  EXPECT_EQ(first.c_str(), again.c_str());
  EXPECT_NE(first.c_str(), other.c_str());
  EXPECT_EQ(other, "AC1123456789abcdef0123456789abcdef");
  EXPECT_TRUE(interner.Intern("").empty());
}

TEST(TextInterner, TextsOutliveTheInterner) {
  InternedText kept;
  {
    TextInterner interner;
    kept = interner.Intern("TJ");
  }
  EXPECT_EQ(kept, "TJ");
}

TEST(InternedText, CopiesMayBeDroppedOnSeveralThreads) {
  TextInterner interner;
  const InternedText shared = interner.Intern("AC0123456789abcdef0123456789abcdef");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([shared] {
      for (int i = 0; i < 10000; ++i) {
        InternedText copy = shared;
        EXPECT_EQ(copy.size(), 34u);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(shared, "AC0123456789abcdef0123456789abcdef");
}

TEST(FraudRow, IsSmallEnoughForThreeHundredBytesARow) {
  // A report's rows and its lines must cost at most 300 bytes a report row at the peak of a calculation
  // (issue 20): 80 for the row, 192 for its line, 12 for the engine's per-row index.
  EXPECT_LE(sizeof(FraudRow), 80u);
  EXPECT_EQ(sizeof(InternedText), sizeof(void*));
}

}  // namespace
}  // namespace creditbot
