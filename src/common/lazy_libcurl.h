// libcurl loaded on first use (issue 20, a lean start). creditbot does not link libcurl:
// common/lazy_libcurl.cc defines the curl_* functions the code calls (curl/curl.h's declarations, so no call
// site changes), and the first call of any of them loads libcurl.so.4 with dlopen and forwards every call to
// it from then on. A command that never talks HTTP (`calc` on SQLite, `ledger`, `state`, …) then maps neither
// libcurl nor the ~25 libraries Debian's libcurl needs (GnuTLS, Kerberos, LDAP, SSH, RTMP, …): −2.2 MB of
// resident memory.
//
// Failure: when libcurl.so.4 or one of the functions cannot be found (libcurl4 not installed, or older than
// 7.80), the reason is logged once at error level and every function answers as libcurl does when it cannot
// work: curl_easy_init, curl_url, curl_slist_append and the escapers return nullptr, curl_global_init and
// the setopt/getinfo/perform calls CURLE_FAILED_INIT, the strerror functions the load error.
#pragma once

#include "absl/status/status.h"

namespace creditbot {

// Loads libcurl.so.4 and resolves every function now if that has not happened yet; the error names the
// library or function and dlerror's reason. Every later call gives the same answer.
absl::Status LoadLibcurl();

// Whether libcurl has been loaded into this process (without loading it).
bool LibcurlLoaded();

}  // namespace creditbot
