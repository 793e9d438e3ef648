// calc_size_trino_server: tests/sqlite_backed_trino_server.h as a program, for bench/calc_size/run.sh to time
// `creditbot calc` through the real Trino client on loopback against the same SQLite file as the sqlite
// path. Prints its warehouse URL (trino://…) on one line, then serves until SIGTERM or SIGINT.
//
//   calc_size_trino_server WAREHOUSE.db [PAGE_ROWS]   (PAGE_ROWS: rows a page, default 10,000)
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "tests/sqlite_backed_trino_server.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: calc_size_trino_server WAREHOUSE.db [PAGE_ROWS]\n";
    return 2;
  }
  const int page_rows = argc == 3 ? std::atoi(argv[2]) : 10000;
  if (page_rows <= 0) {
    std::cerr << "calc_size_trino_server: PAGE_ROWS must be a positive number\n";
    return 2;
  }
  // Block the signals before the server's threads start, so only sigwait below receives them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  creditbot::testing::SqliteBackedTrinoServer server(argv[1], page_rows);
  std::cout << server.warehouse_url() << std::endl;
  int signal_number = 0;
  sigwait(&stop, &signal_number);
  std::cerr << "calc_size_trino_server: " << server.queries() << " queries, " << server.pages() << " pages\n";
  return 0;
}
