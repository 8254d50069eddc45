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
# the median and mean wall time with MB/s, then the peak RSS of one run per
# thread count (/usr/bin/time -v).
set -euo pipefail
CHAFF=${CHAFF:-build/chaff}
CORPUS=${1:-/tmp/dd/bbc10x.jsonl}
N=${N:-10}
[ -f "$CORPUS" ] || { echo "no corpus $CORPUS: build it with chaff-make-corpus (see README)" >&2; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
bytes=$(stat -c %s "$CORPUS")

run() {  # run LABEL THREADS OUTPUT: prints "LABEL microseconds"
  sync
  cat "$CORPUS" > /dev/null
  # Bash's own clock: $(date) would add a process start (~1.5 ms here) to
  # every run.
  local s e
  s=$EPOCHREALTIME
  "$CHAFF" dedupe "$CORPUS" -o "$3" -q --threads "$2"
  e=$EPOCHREALTIME
  echo "$1 $(( ${e/./} - ${s/./} ))"
}

"$CHAFF" dedupe "$CORPUS" -o "$OUT/existing.jsonl" -q  # so that every "replace" replaces
for _ in $(seq "$N"); do
  for t in 1 2; do
    rm -f "$OUT/new.jsonl"
    run "new-file threads=$t" "$t" "$OUT/new.jsonl"
    run "replace threads=$t" "$t" "$OUT/existing.jsonl"
  done
done | sort -k1,2 -k3n | awk -v bytes="$bytes" '
  { key = $1 " " $2; v[key, ++n[key]] = $3; sum[key] += $3 }
  END {
    for (key in n) {
      m = n[key]
      med = (m % 2) ? v[key, (m + 1) / 2] : (v[key, m / 2] + v[key, m / 2 + 1]) / 2
      mean = sum[key] / m
      printf "%-22s median %6.1f ms %4.0f MB/s   mean %6.1f ms %4.0f MB/s   (%d runs)\n",
             key, med / 1000, bytes / med, mean / 1000, bytes / mean, m
    }
  }' | sort

for t in 1 2; do
  rss=$( { /usr/bin/time -v "$CHAFF" dedupe "$CORPUS" -o "$OUT/rss.jsonl" -q --threads "$t"; } 2>&1 |
         awk -F': ' '/Maximum resident set size/ {print $2}')
  echo "peak RSS threads=$t: $((rss / 1024)) MB"
done
