#!/bin/sh
# compare_text.sh - times `mossa readability` beside GNU style (Debian package
# `diction`) on the same ~20 MB file built by repeating the prose passages in
# tests/data, best of 3 runs each (CPU seconds), measured in the same run, and prints the
# ratio. Also prints both tools' Flesch-Kincaid grade for the file.
# Usage: sh bench/compare_text.sh [build/mossa]
set -e
cli=${1:-build/mossa}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
f="$dir/prose20.txt"
while [ ! -s "$f" ] || [ "$(wc -c < "$f")" -lt 20000000 ]; do
  cat tests/data/prose_rustbook.txt tests/data/prose_gpl3.txt >> "$f"
done
bytes=$(wc -c < "$f")
# CPU seconds (user + system) rather than wall time: the machine is shared,
# and CPU time is what a tool costs; best of 3.
best() {
  b=""
  for i in 1 2 3; do
    /usr/bin/time -f '%U %S' -o "$dir/time" "$@" > "$dir/out" 2>&1
    t=$(awk '{ printf "%.3f", ($1 + $2 > 0.001 ? $1 + $2 : 0.001) }' "$dir/time")
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
tm=$(best "$cli" readability "$f")
fk_m=$("$cli" readability --json "$f" | sed 's/.*"flesch_kincaid_grade": \([-0-9.e]*\).*/\1/')
if command -v style >/dev/null 2>&1; then
  ts=$(best style "$f")
  fk_s=$(style "$f" | sed -n 's/.*Kincaid: *\([-0-9.]*\).*/\1/p')
  printf 'readability on %d bytes: mossa %.3f s (%.0f MB/s), GNU style %.3f s (%.1f MB/s), ratio %.1fx\n' \
    "$bytes" "$tm" "$(echo "$bytes / $tm / 1000000" | bc -l)" "$ts" "$(echo "$bytes / $ts / 1000000" | bc -l)" \
    "$(echo "$ts / $tm" | bc -l)"
  printf 'Flesch-Kincaid grade of the file: mossa %s, GNU style %s\n' "$fk_m" "$fk_s"
else
  printf 'readability on %d bytes: mossa %.3f s (%.0f MB/s); GNU style not installed (apt-get install diction)\n' \
    "$bytes" "$tm" "$(echo "$bytes / $tm / 1000000" | bc -l)"
fi
