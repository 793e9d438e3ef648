// The curl_* functions creditbot calls, forwarding to libcurl.so.4 loaded on first use (see the header).
#include "common/lazy_libcurl.h"

#include <curl/curl.h>

#include <cstdarg>
#include <string>

#include "common/dynamic_library.h"

namespace creditbot {
namespace {

constexpr char kLibcurlSoname[] = "libcurl.so.4";

// Every libcurl function the code base calls. A function called anywhere must be listed here and defined
// below, or the link fails (nothing else provides it).
#define CREDITBOT_LIBCURL_FUNCTIONS(X) \
  X(curl_global_init)                  \
  X(curl_global_cleanup)               \
  X(curl_easy_init)                    \
  X(curl_easy_setopt)                  \
  X(curl_easy_perform)                 \
  X(curl_easy_getinfo)                 \
  X(curl_easy_reset)                   \
  X(curl_easy_cleanup)                 \
  X(curl_easy_strerror)                \
  X(curl_easy_escape)                  \
  X(curl_easy_unescape)                \
  X(curl_free)                         \
  X(curl_slist_append)                 \
  X(curl_slist_free_all)               \
  X(curl_url)                          \
  X(curl_url_cleanup)                  \
  X(curl_url_set)                      \
  X(curl_url_get)                      \
  X(curl_url_strerror)

struct Libcurl {
#define CREDITBOT_LIBCURL_FIELD(name) decltype(&::name) name = nullptr;
  CREDITBOT_LIBCURL_FUNCTIONS(CREDITBOT_LIBCURL_FIELD)
#undef CREDITBOT_LIBCURL_FIELD
};

void ResolveAll(DynamicLibrary& library, Libcurl& functions) {
#define CREDITBOT_LIBCURL_RESOLVE(name) library.Resolve(#name, functions.name);
  CREDITBOT_LIBCURL_FUNCTIONS(CREDITBOT_LIBCURL_RESOLVE)
#undef CREDITBOT_LIBCURL_RESOLVE
}

constinit LazyLibrary<Libcurl> libcurl(kLibcurlSoname, "libcurl4", "libcurl 7.80", &ResolveAll);

// OK when the library is loaded; the functions (null when it is not).
bool Ok() { return libcurl.status().ok(); }
const Libcurl& Get() { return libcurl.functions(); }

// The text the functions that answer with text give when the library could not be loaded.
const char* LoadError() { return libcurl.error_text(); }

}  // namespace

absl::Status LoadLibcurl() { return libcurl.status(); }

bool LibcurlLoaded() { return libcurl.loaded(); }

}  // namespace creditbot

using creditbot::Get;
using creditbot::Ok;

// curl_url_get's handle is `CURLU*` in libcurl 7.88 and `const CURLU*` from 8.0: the definition below takes
// whichever this curl.h declares.
template <typename Function>
struct FirstParameter;
template <typename Result, typename First, typename... Rest>
struct FirstParameter<Result (*)(First, Rest...)> {
  using type = First;
};
using UrlGetHandle = FirstParameter<decltype(&::curl_url_get)>::type;

// va_start after a parameter of enum type (CURLoption, CURLINFO), as curl.h declares the two functions and as
// libcurl's own definitions do; clang warns that an enum may be promoted, which CURLoption (int-sized) is
// not.
#ifdef __clang__
#pragma clang diagnostic ignored "-Wvarargs"
#endif

extern "C" {

CURLcode curl_global_init(long flags) { return Ok() ? Get().curl_global_init(flags) : CURLE_FAILED_INIT; }

// At exit: nothing to clean up unless something loaded and so may have initialised libcurl.
void curl_global_cleanup(void) {
  if (creditbot::LibcurlLoaded()) Get().curl_global_cleanup();
}

CURL* curl_easy_init(void) { return Ok() ? Get().curl_easy_init() : nullptr; }

// curl_easy_setopt takes one argument after the option, whose type the option's number range tells
// (curl.h's CURLOPTTYPE_*): long, object pointer (strings, lists, user data), function pointer, curl_off_t,
// or a curl_blob pointer. It is read with that type and passed on.
CURLcode(curl_easy_setopt)(CURL* curl, CURLoption option,
                           ...) {  // in parentheses: curl.h defines it as a macro too
  if (!Ok()) return CURLE_FAILED_INIT;
  const auto setopt = Get().curl_easy_setopt;
  const long number = static_cast<long>(option);
  va_list args;
  va_start(args, option);
  CURLcode code;
  if (number < CURLOPTTYPE_OBJECTPOINT) {
    code = setopt(curl, option, va_arg(args, long));
  } else if (number < CURLOPTTYPE_FUNCTIONPOINT) {
    code = setopt(curl, option, va_arg(args, void*));
  } else if (number < CURLOPTTYPE_OFF_T) {
    using AnyFunction = void (*)(void);
    code = setopt(curl, option, va_arg(args, AnyFunction));
  } else if (number < CURLOPTTYPE_BLOB) {
    code = setopt(curl, option, va_arg(args, curl_off_t));
  } else {
    code = setopt(curl, option, va_arg(args, void*));
  }
  va_end(args);
  return code;
}

CURLcode curl_easy_perform(CURL* curl) { return Ok() ? Get().curl_easy_perform(curl) : CURLE_FAILED_INIT; }

// Every CURLINFO takes a pointer to where the answer goes.
CURLcode(curl_easy_getinfo)(CURL* curl, CURLINFO info, ...) {
  if (!Ok()) return CURLE_FAILED_INIT;
  va_list args;
  va_start(args, info);
  void* answer = va_arg(args, void*);
  va_end(args);
  return Get().curl_easy_getinfo(curl, info, answer);
}

void curl_easy_reset(CURL* curl) {
  if (Ok()) Get().curl_easy_reset(curl);
}

void curl_easy_cleanup(CURL* curl) {
  if (Ok()) Get().curl_easy_cleanup(curl);
}

const char* curl_easy_strerror(CURLcode code) {
  return Ok() ? Get().curl_easy_strerror(code) : creditbot::LoadError();
}

char* curl_easy_escape(CURL* curl, const char* text, int length) {
  return Ok() ? Get().curl_easy_escape(curl, text, length) : nullptr;
}

char* curl_easy_unescape(CURL* curl, const char* text, int length, int* out_length) {
  return Ok() ? Get().curl_easy_unescape(curl, text, length, out_length) : nullptr;
}

void curl_free(void* pointer) {
  if (Ok()) Get().curl_free(pointer);
}

curl_slist* curl_slist_append(curl_slist* list, const char* text) {
  return Ok() ? Get().curl_slist_append(list, text) : nullptr;
}

void curl_slist_free_all(curl_slist* list) {
  if (Ok()) Get().curl_slist_free_all(list);
}

CURLU* curl_url(void) { return Ok() ? Get().curl_url() : nullptr; }

void curl_url_cleanup(CURLU* url) {
  if (Ok()) Get().curl_url_cleanup(url);
}

CURLUcode curl_url_set(CURLU* url, CURLUPart part, const char* content, unsigned int flags) {
  return Ok() ? Get().curl_url_set(url, part, content, flags) : CURLUE_OUT_OF_MEMORY;
}

CURLUcode curl_url_get(UrlGetHandle url, CURLUPart part, char** content, unsigned int flags) {
  return Ok() ? Get().curl_url_get(url, part, content, flags) : CURLUE_OUT_OF_MEMORY;
}

const char* curl_url_strerror(CURLUcode code) {
  return Ok() ? Get().curl_url_strerror(code) : creditbot::LoadError();
}

}  // extern "C"
