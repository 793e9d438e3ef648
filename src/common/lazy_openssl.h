// OpenSSL loaded on first use (issue 20, a lean start), as common/lazy_libcurl.h does for libcurl. creditbot
// does not link libssl or libcrypto: common/lazy_openssl.cc defines the OpenSSL functions the code calls (the
// declarations of openssl/*.h, so no call site changes; Boost.Asio's TLS stream calls them too), and the
// first call of any of them loads libssl.so.3, and with it libcrypto.so.3, with dlopen. A command that never
// uses TLS, HMAC, JWT or secure randomness (`calc` on SQLite, `ledger`, `state`, …) then maps neither:
// libcrypto alone costs ~1.5 MB of resident memory to load and relocate. SHA-256 of small inputs does not
// need it (common/sha256.h).
//
// Failure: when libssl.so.3 or one of the functions cannot be found (libssl3 not installed, or older than
// 3.0), the reason is logged once at error level and every function answers as OpenSSL does when it fails:
// nullptr, 0 or -1 as its documentation says for an error, CRYPTO_memcmp "different", ERR_reason_error_string
// the load error. Commands that cannot work without TLS (`serve`) call LoadOpenssl() at start and refuse to
// start with its error, as the dynamic loader refused a creditbot linked against a missing libssl.
#pragma once

#include "absl/status/status.h"

namespace creditbot {

// Loads libssl.so.3 and resolves every function now if that has not happened yet; the error names the
// library or function and dlerror's reason. Every later call gives the same answer.
absl::Status LoadOpenssl();

// Whether OpenSSL has been loaded by LoadOpenssl or a forwarded call (without loading it).
bool OpensslLoaded();

}  // namespace creditbot
