// Tests for the libcurl loaded on first use: every way an argument crosses the forwarding functions (long,
// string, function pointer, curl_off_t, user data; getinfo's pointer), on a file:// transfer, with no
// network.
#include "common/lazy_libcurl.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace creditbot {
namespace {

size_t Append(char* data, size_t size, size_t count, void* user_data) {
  static_cast<std::string*>(user_data)->append(data, size * count);
  return size * count;
}

TEST(LazyLibcurl, LoadsOnDemand) {
  ASSERT_TRUE(LoadLibcurl().ok()) << LoadLibcurl();
  EXPECT_TRUE(LibcurlLoaded());
  EXPECT_TRUE(LoadLibcurl().ok());  // the same answer again
}

TEST(LazyLibcurl, ForwardsEveryKindOfOptionAndInfo) {
  const std::filesystem::path file = std::filesystem::path(testing::TempDir()) / "lazy_libcurl_test.txt";
  std::ofstream(file) << "hello world";
  CURL* curl = curl_easy_init();
  ASSERT_NE(curl, nullptr);
  std::string received;
  const std::string url = "file://" + file.string();
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "file"), CURLE_OK);             // string
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_URL, url.c_str()), CURLE_OK);                  // string
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L), CURLE_OK);                      // long
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append), CURLE_OK);            // function
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_WRITEDATA, &received), CURLE_OK);              // user data
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, curl_off_t{6}), CURLE_OK);  // curl_off_t
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(received, "world");  // "hello " skipped: the offset arrived as a curl_off_t
  curl_off_t downloaded = -1;
  EXPECT_EQ(curl_easy_getinfo(curl, CURLINFO_SIZE_DOWNLOAD_T, &downloaded), CURLE_OK);
  EXPECT_EQ(downloaded, 5);
  curl_easy_reset(curl);
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_URL, "gopher://example.invalid/"), CURLE_OK);
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "file"), CURLE_OK);
  EXPECT_EQ(curl_easy_perform(curl), CURLE_UNSUPPORTED_PROTOCOL);
  EXPECT_STREQ(curl_easy_strerror(CURLE_UNSUPPORTED_PROTOCOL), "Unsupported protocol");
  curl_easy_cleanup(curl);
  std::filesystem::remove(file);
}

TEST(LazyLibcurl, ForwardsListsEscapingAndUrls) {
  curl_slist* list = curl_slist_append(nullptr, "A: 1");
  list = curl_slist_append(list, "B: 2");
  ASSERT_NE(list, nullptr);
  EXPECT_STREQ(list->next->data, "B: 2");
  curl_slist_free_all(list);

  char* escaped = curl_easy_escape(nullptr, "a b&", 4);
  ASSERT_NE(escaped, nullptr);
  EXPECT_STREQ(escaped, "a%20b%26");
  int length = 0;
  char* unescaped = curl_easy_unescape(nullptr, escaped, 0, &length);
  EXPECT_EQ(std::string(unescaped, static_cast<size_t>(length)), "a b&");
  curl_free(unescaped);
  curl_free(escaped);

  CURLU* url = curl_url();
  ASSERT_NE(url, nullptr);
  EXPECT_EQ(curl_url_set(url, CURLUPART_URL, "https://example.invalid:8443/v1?x=1", 0), CURLUE_OK);
  char* port = nullptr;
  ASSERT_EQ(curl_url_get(url, CURLUPART_PORT, &port, 0), CURLUE_OK);
  EXPECT_STREQ(port, "8443");
  curl_free(port);
  EXPECT_NE(curl_url_set(url, CURLUPART_URL, "https://[::1", 0), CURLUE_OK);
  EXPECT_STREQ(curl_url_strerror(CURLUE_BAD_IPV6), "Bad IPv6 address");
  curl_url_cleanup(url);
}

}  // namespace
}  // namespace creditbot
