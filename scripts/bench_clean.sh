#!/usr/bin/env bash
# End-to-end timing of `chaff clean` (templates, repeats and chrome on; JSONL
# in and out), as quoted in docs/performance.md and the README:
#
#   bash scripts/bench_clean.sh [CORPUS]   (default /tmp/dd/wcxb100.jsonl, made
#                                           by scripts/make_clean_corpus.py)
#
# N rounds (default 10); a round runs, one after the other: one thread, two
# threads, and one thread with --dedupe, each after `sync` and after reading
# the corpus once (so that it is in the page cache). Prints the median of
# each setting with its range and MB/s (bytes of the JSONL input), the two
# ratios the project targets as medians over rounds of the ratio within a
# round (the machine's speed drifts over minutes; runs of one round share
# it), and the peak RSS of one run of each (/usr/bin/time -v).
# CHAFF_BENCH_ARGS adds options to every run (e.g. --no-templates).
set -euo pipefail
CHAFF=${CHAFF:-build/chaff}
CORPUS=${1:-/tmp/dd/wcxb100.jsonl}
N=${N:-10}
ARGS=${CHAFF_BENCH_ARGS:-}
[ -f "$CORPUS" ] || {
  echo "no corpus $CORPUS: python3 scripts/make_clean_corpus.py -o $CORPUS" >&2
  exit 2
}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
bytes=$(stat -c %s "$CORPUS")

run() {  # run NAME THREADS ROUND [ARGS...]: prints "NAME ROUND microseconds"
  local name=$1 threads=$2 round=$3
  shift 3
  sync
  cat "$CORPUS" > /dev/null
  rm -f "$OUT/out.jsonl"
  local s e
  s=$EPOCHREALTIME
  # shellcheck disable=SC2086
  "$CHAFF" clean "$CORPUS" -o "$OUT/out.jsonl" -q --threads "$threads" $ARGS "$@"
  e=$EPOCHREALTIME
  echo "$name $round $(( ${e/./} - ${s/./} ))"
}

for round in $(seq "$N"); do
  run clean-1thread 1 "$round"
  run clean-2threads 2 "$round"
  run dedupe-1thread 1 "$round" --dedupe
done | awk -v bytes="$bytes" '
  function sort(a, m,    i, j, x) {
    for (i = 2; i <= m; ++i) {
      x = a[i]
      for (j = i - 1; j >= 1 && a[j] > x; --j) a[j + 1] = a[j]
      a[j + 1] = x
    }
  }
  function median(a, m) { sort(a, m); return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  { t[$1, ++n[$1]] = $3; at[$1, $2] = $3; rounds[$2] = 1 }
  END {
    split("clean-1thread clean-2threads dedupe-1thread", names, " ")
    for (k = 1; k <= 3; ++k) {
      key = names[k]; m = n[key]
      delete a
      for (i = 1; i <= m; ++i) a[i] = t[key, i]
      med = median(a, m)
      printf "%-15s median %7.1f ms %6.1f MB/s   range %7.1f-%7.1f ms (%d runs)\n",
             key, med / 1000, bytes / med, a[1] / 1000, a[m] / 1000, m
    }
    for (k = 1; k <= 2; ++k) {
      split(k == 1 ? "clean-1thread clean-2threads" : "clean-1thread dedupe-1thread", p, " ")
      delete a; m = 0
      for (r in rounds) if ((p[1], r) in at && (p[2], r) in at) a[++m] = at[p[1], r] / at[p[2], r]
      med = median(a, m)
      printf "%-32s median over rounds %.2fx (%.2f-%.2fx, %d rounds)\n",
             k == 1 ? "speedup, 2 threads / 1" : "--dedupe speed / clean speed", med, a[1], a[m], m
    }
  }'

for spec in "1:" "2:" "1:--dedupe"; do
  t=${spec%%:*}; extra=${spec#*:}
  # shellcheck disable=SC2086
  rss=$( { /usr/bin/time -v "$CHAFF" clean "$CORPUS" -o "$OUT/rss.jsonl" -q --threads "$t" $ARGS $extra; } 2>&1 |
         awk -F': ' '/Maximum resident set size/ {print $2}')
  echo "peak RSS threads=$t ${extra:-}: $((rss / 1024)) MB"
done
