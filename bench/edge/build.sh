#!/bin/sh
# Builds bench/edge/edge_bench (optimised, no sanitizer) from the few sources it needs, into $1 (default
# build/edge-bench). Run from the repository root:  bench/edge/build.sh && build/edge-bench/edge_bench
set -eu
out="${1:-build/edge-bench}"
mkdir -p "$out"
absl="absl_status absl_statusor absl_strings absl_str_format absl_time absl_flat_hash_map absl_hash absl_synchronization"
# shellcheck disable=SC2086
${CXX:-g++} -std=c++20 ${EDGE_BENCH_FLAGS:--O2 -DNDEBUG} -pthread -I. -Isrc \
  bench/edge/edge_bench.cc src/bot/service_http.cc src/bot/service_http_front.cc src/bot/http_request_head.cc src/slack/events_api.cc \
  src/common/metrics.cc src/common/logging.cc \
  -o "$out/edge_bench" $(pkg-config --cflags --libs $absl) -lre2 -lcpp-httplib -lssl -lcrypto
echo "built $out/edge_bench"
