// Tests for DynamicLibrary and LazyLibrary: a library or a function that is not there gives an error naming
// it and what to install, and a lazy library opens on its first use only.
#include "common/dynamic_library.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>

namespace creditbot {
namespace {

using ::testing::HasSubstr;

// libmd's one-shot SHA-256 (sha2.h), a function of a library every creditbot build has.
struct Libmd {
  char* (*SHA256Data)(const uint8_t* data, size_t length, char* hex) = nullptr;
};

TEST(DynamicLibrary, FindsAFunctionOfAnInstalledLibrary) {
  DynamicLibrary library("libmd.so.0", "libmd0", "libmd 1.0");
  Libmd functions;
  library.Resolve("SHA256Data", functions.SHA256Data);
  ASSERT_TRUE(library.status().ok()) << library.status();
  char hex[65];
  functions.SHA256Data(reinterpret_cast<const uint8_t*>("abc"), 3, hex);
  EXPECT_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");  // FIPS 180-2
}

TEST(DynamicLibrary, AMissingLibraryNamesItAndItsPackage) {
  DynamicLibrary library("libcreditbot-absent.so.9", "creditbot-absent9", "absent 9");
  Libmd functions;
  library.Resolve("SHA256Data", functions.SHA256Data);
  EXPECT_EQ(functions.SHA256Data, nullptr);
  EXPECT_EQ(library.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(library.status().message(),
              HasSubstr("cannot load libcreditbot-absent.so.9 (install creditbot-absent9): "));
}

TEST(DynamicLibrary, AMissingFunctionNamesTheVersionNeededAndStopsTheLookups) {
  DynamicLibrary library("libmd.so.0", "libmd0", "libmd 9.9");
  void (*absent)(void) = nullptr;
  library.Resolve("creditbot_absent_function", absent);
  Libmd functions;
  library.Resolve("SHA256Data", functions.SHA256Data);
  EXPECT_EQ(absent, nullptr);
  EXPECT_EQ(functions.SHA256Data, nullptr);  // nothing more is looked up after the first failure
  EXPECT_EQ(library.status().message(),
            "libmd.so.0 has no creditbot_absent_function (libmd 9.9 or newer is needed)");
}

void ResolveLibmd(DynamicLibrary& library, Libmd& functions) {
  library.Resolve("SHA256Data", functions.SHA256Data);
}

constinit LazyLibrary<Libmd> lazy_libmd("libmd.so.0", "libmd0", "libmd 1.0", &ResolveLibmd);
constinit LazyLibrary<Libmd> lazy_absent("libcreditbot-absent.so.9", "creditbot-absent9", "absent 9",
                                         &ResolveLibmd);

TEST(LazyLibrary, OpensOnFirstUseAndAnswersTheSameAfter) {
  EXPECT_FALSE(lazy_libmd.loaded());  // nothing asked yet
  ASSERT_TRUE(lazy_libmd.status().ok()) << lazy_libmd.status();
  EXPECT_TRUE(lazy_libmd.loaded());
  EXPECT_NE(lazy_libmd.functions().SHA256Data, nullptr);
  EXPECT_EQ(lazy_libmd.functions().SHA256Data, lazy_libmd.functions().SHA256Data);
  EXPECT_STREQ(lazy_libmd.error_text(), "");
}

TEST(LazyLibrary, AFailureIsKeptWithItsTextAndNullFunctions) {
  EXPECT_FALSE(lazy_absent.status().ok());
  EXPECT_FALSE(lazy_absent.loaded());
  EXPECT_EQ(lazy_absent.functions().SHA256Data, nullptr);
  EXPECT_THAT(lazy_absent.error_text(),
              HasSubstr("cannot load libcreditbot-absent.so.9 (install creditbot-absent9)"));
  EXPECT_EQ(lazy_absent.status(), lazy_absent.status());  // the same answer again, not a second attempt
}

}  // namespace
}  // namespace creditbot
