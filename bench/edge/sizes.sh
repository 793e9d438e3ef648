#!/bin/sh
# Issue 21, "Sizes": what a huge look SQL costs `creditbot calc`. Writes a SQL file of nested parentheses
# (SELECT ((((…1…)))), MEGABYTES in all, default 40) and runs calc on it under /usr/bin/time, printing the
# peak resident set, the wall time and calc's last line. Bounded: calc is stopped after 120 s.
#   bench/edge/sizes.sh BINARY [MEGABYTES]     e.g. bench/edge/sizes.sh build/release/creditbot 40
set -eu
binary="$1"
megabytes="${2:-40}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -c "
import sys
n = int(sys.argv[1]) * 1000 * 1000 // 2
open(sys.argv[2], 'w').write('SELECT ' + '(' * n + '1' + ')' * n)
" "$megabytes" "$work/nested.sql"
status=0
/usr/bin/time -v -o "$work/time.txt" timeout 120 "$binary" calc --sql-file "$work/nested.sql" \
  --warehouse "sqlite:$work/none.db" >/dev/null 2>"$work/err.txt" || status=$?
echo "sql: $(wc -c <"$work/nested.sql") bytes of nested parentheses"
echo "exit: $status$([ "$status" = 124 ] && echo ' (stopped after 120 s)')"
grep -E 'Maximum resident set size|Elapsed \(wall clock\)' "$work/time.txt" | sed 's/^[[:space:]]*/  /'
echo "last line: $(tail -n 1 "$work/err.txt" | cut -c1-300)"
