#!/usr/bin/env bash
# End-to-end timing of `chaff dedupe` on a JSONL corpus, as quoted in
# README.md ("Performance"):
#
#   bash scripts/bench_dedupe.sh [CORPUS]     (default /tmp/dd/bbc10x.jsonl,
#                                              made by chaff-make-corpus)
#
# For 1 and 2 threads, N runs each (default 10), alternating, each after
# `sync` (so that the writeback of one run's output does not fall into the
# next) and after reading the corpus once (the input is in the page cache:
# this machine's memory reclaim evicts idle files, and a run that reads from
# disk measures the disk): the output written to a new path, and over an
# existing file. Prints
# the median and mean wall time with MB/s, the two-thread speedup (below),
# then the peak RSS of one run per thread count (/usr/bin/time -v).
set -euo pipefail
CHAFF=${CHAFF:-build/chaff}
CORPUS=${1:-/tmp/dd/bbc10x.jsonl}
N=${N:-10}
[ -f "$CORPUS" ] || { echo "no corpus $CORPUS: build it with chaff-make-corpus (see README)" >&2; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
bytes=$(stat -c %s "$CORPUS")

run() {  # run MODE THREADS ROUND OUTPUT: prints "MODE THREADS ROUND microseconds"
  sync
  cat "$CORPUS" > /dev/null
  # Bash's own clock: $(date) would add a process start (~1.5 ms here) to
  # every run.
  local s e
  s=$EPOCHREALTIME
  "$CHAFF" dedupe "$CORPUS" -o "$4" -q --threads "$2"
  e=$EPOCHREALTIME
  echo "$1 $2 $3 $(( ${e/./} - ${s/./} ))"
}

"$CHAFF" dedupe "$CORPUS" -o "$OUT/existing.jsonl" -q  # so that every "replace" replaces
# A round runs each setting once, one thread first. Besides the medians of
# each setting, the two-thread speedup is given as the median over rounds of
# one thread's time over two threads' in the same round: the machine's speed
# drifts over minutes, and runs a few hundred milliseconds apart share it.
for round in $(seq "$N"); do
  for t in 1 2; do
    rm -f "$OUT/new.jsonl"
    run new-file "$t" "$round" "$OUT/new.jsonl"
    run replace "$t" "$round" "$OUT/existing.jsonl"
  done
done | awk -v bytes="$bytes" '
  function median(a, m,    i, j, x) {  # sorts a[1..m]
    for (i = 2; i <= m; ++i) {
      x = a[i]
      for (j = i - 1; j >= 1 && a[j] > x; --j) a[j + 1] = a[j]
      a[j + 1] = x
    }
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  {
    key = $1 " threads=" $2
    t[key, ++n[key]] = $4; sum[key] += $4; at[$1, $2, $3] = $4; modes[$1] = 1; rounds[$3] = 1
  }
  END {
    for (key in n) {
      m = n[key]
      delete a
      for (i = 1; i <= m; ++i) a[i] = t[key, i]
      med = median(a, m)
      mean = sum[key] / m
      printf "%-22s median %6.1f ms %4.0f MB/s   mean %6.1f ms %4.0f MB/s   (%d runs)\n",
             key, med / 1000, bytes / med, mean / 1000, bytes / mean, m
    }
    for (mode in modes) {
      delete a
      m = 0
      for (r in rounds) if ((mode, 1, r) in at && (mode, 2, r) in at) a[++m] = at[mode, 1, r] / at[mode, 2, r]
      lo = 1e9; hi = 0
      for (i = 1; i <= m; ++i) { if (a[i] < lo) lo = a[i]; if (a[i] > hi) hi = a[i] }
      printf "%-22s 2 threads / 1: median over rounds %.2fx (%.2f-%.2fx, %d rounds)\n",
             mode, median(a, m), lo, hi, m
    }
  }' | sort

for t in 1 2; do
  rss=$( { /usr/bin/time -v "$CHAFF" dedupe "$CORPUS" -o "$OUT/rss.jsonl" -q --threads "$t"; } 2>&1 |
         awk -F': ' '/Maximum resident set size/ {print $2}')
  echo "peak RSS threads=$t: $((rss / 1024)) MB"
done
