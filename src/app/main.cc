// creditbot's entry point: all wiring lives in src/app/cli.cc and the command files.
#include <curl/curl.h>

#include "app/commands.h"

extern char** environ;

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int code = creditbot::RunCli(argc, argv, environ);
  curl_global_cleanup();
  return code;
}
