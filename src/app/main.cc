// creditbot's entry point: all wiring lives in src/app/cli.cc and the command files.
//
// libcurl is initialised on first use (CurlTransport), not here: curl_global_init loads OpenSSL's
// configuration and error strings, ~1.8 MB of resident memory that a calculation on SQLite never uses
// (issue 20, a lean start). The cleanup at exit is harmless when nothing initialised it.
#include <curl/curl.h>

#include "app/commands.h"

extern char** environ;

int main(int argc, char** argv) {
  int code = creditbot::RunCli(argc, argv, environ);
  curl_global_cleanup();
  return code;
}
