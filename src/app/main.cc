// creditbot's entry point: all wiring lives in src/app/cli.cc and the command files.
//
// libcurl is loaded (common/lazy_libcurl.h) and initialised (CurlTransport) on first use, not here: a
// calculation on SQLite never maps it (issue 20, a lean start). The cleanup at exit does nothing when nothing
// loaded it.
#include <curl/curl.h>

#include "app/commands.h"

extern char** environ;

// GnuTLS initialises itself when it is loaded (its random generator, the system trust store through
// p11-kit) unless the program defines this function: gnutls.h's GNUTLS_SKIP_GLOBAL_INIT, written out so that
// the build needs no GnuTLS headers. creditbot never uses GnuTLS: it is loaded only because Debian's
// libcurl links librtmp and libldap, protocols the transport does not allow (CURLOPT_PROTOCOLS_STR
// "http,https"), and those libraries call gnutls_global_init themselves before use. Skipping it saves
// ~0.9 MB of resident memory in every command (issue 20, a lean start). The executable exports the symbol
// (see CMakeLists.txt), so the library's call finds it.
extern "C" int _gnutls_global_init_skip(void);
extern "C" int _gnutls_global_init_skip(void) { return 1; }

int main(int argc, char** argv) {
  int code = creditbot::RunCli(argc, argv, environ);
  curl_global_cleanup();
  return code;
}
