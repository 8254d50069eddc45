#!/usr/bin/env bash
# Timing of a chaff command on WARC/WET input against the same documents as
# JSONL, as quoted in docs/warc.md:
#
#   bash scripts/bench_warc.sh [CORPUS.jsonl]
#
# CORPUS (default /tmp/dd/bbc10x.jsonl, made by chaff-make-corpus, else
# ../shared/data/bbc/articles.jsonl) is written by chaff-make-warc as a WET
# file (warcinfo + one conversion record per document, a gzip member per
# record, as Common Crawl's *.warc.wet.gz) together with the same documents
# as JSONL ({"id","url","date","text"}: what chaff reads out of the WET
# file, byte for byte), then gzip -6 of that JSONL and the WET file
# decompressed. The four inputs are run in turn, N rounds (default 10), each
# run after `sync` and after reading its input once (page cache warm):
#
#   $CHAFF $CMD INPUT -o OUT.jsonl -q --threads T $ARGS
#
# CMD (default "dedupe"; or "clean"), ARGS (extra flags),
# THREADS (default "1 2"), CHAFF (default build/chaff), MAKE_WARC (default
# next to CHAFF), NOISE=1 (also request, text/html response and metadata
# records, which the reader skips). Prints per input and thread count the
# median wall time with its range and MB/s (of the JSONL bytes, the same
# for all four), then WARC's throughput relative to JSONL as the median over
# rounds of t(JSONL) / t(WARC) in the same round (runs seconds apart share
# the machine's drifting speed), with its range; then the peak RSS of one
# run of each input. The outputs of the four inputs are checked to be
# identical first.
set -euo pipefail
CHAFF=${CHAFF:-build/chaff}
MAKE_WARC=${MAKE_WARC:-$(dirname "$CHAFF")/chaff-make-warc}
CMD=${CMD:-dedupe}
ARGS=${ARGS:-}
THREADS=${THREADS:-1 2}
N=${N:-10}
CORPUS=${1:-}
if [ -z "$CORPUS" ]; then
  CORPUS=/tmp/dd/bbc10x.jsonl
  [ -f "$CORPUS" ] || CORPUS=$(dirname "$0")/../../shared/data/bbc/articles.jsonl
fi
[ -f "$CORPUS" ] || { echo "no corpus $CORPUS (see the top of this script)" >&2; exit 2; }
[ -x "$MAKE_WARC" ] || { echo "no $MAKE_WARC: build the tools" >&2; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

noise=()
[ "${NOISE:-0}" = 1 ] && noise=(--response-every 0 --noise-every 2)
"$MAKE_WARC" -i "$CORPUS" -o "$W/x.warc.wet.gz" --jsonl "$W/x.jsonl" "${noise[@]}" 2>"$W/make.log"
gzip -6 -c "$W/x.jsonl" > "$W/x.jsonl.gz"
gzip -dc "$W/x.warc.wet.gz" > "$W/x.warc"
bytes=$(stat -c %s "$W/x.jsonl")
docs=$(wc -l < "$W/x.jsonl")
printf 'corpus %s: %d documents, %.1f MB as JSONL (%.1f MB gzip), WET %.1f MB gzip (%.1f MB plain)\n' \
  "$CORPUS" "$docs" "$(echo "$bytes / 1000000" | bc -l)" \
  "$(echo "$(stat -c %s "$W/x.jsonl.gz") / 1000000" | bc -l)" \
  "$(echo "$(stat -c %s "$W/x.warc.wet.gz") / 1000000" | bc -l)" \
  "$(echo "$(stat -c %s "$W/x.warc") / 1000000" | bc -l)"
echo "command: $CHAFF $CMD INPUT -o OUT.jsonl -q --threads T $ARGS"

inputs=(x.jsonl.gz x.warc.wet.gz x.jsonl x.warc)
# shellcheck disable=SC2086
for in in "${inputs[@]}"; do
  "$CHAFF" $CMD "$W/$in" -o "$W/out-$in.jsonl" -q $ARGS
done
for in in "${inputs[@]}"; do
  cmp -s "$W/out-x.jsonl.gz.jsonl" "$W/out-$in.jsonl" ||
    { echo "the output of $in differs from that of x.jsonl.gz" >&2; exit 1; }
done

run() {  # run INPUT THREADS ROUND: prints "INPUT THREADS ROUND microseconds"
  sync
  cat "$W/$1" > /dev/null
  local s e
  s=$EPOCHREALTIME
  # shellcheck disable=SC2086
  "$CHAFF" $CMD "$W/$1" -o "$W/out.jsonl" -q --threads "$2" $ARGS
  e=$EPOCHREALTIME
  echo "$1 $2 $3 $(( ${e/./} - ${s/./} ))"
}

for round in $(seq "$N"); do
  for t in $THREADS; do
    for in in "${inputs[@]}"; do run "$in" "$t" "$round"; done
  done
done | awk -v bytes="$bytes" '
  function sort(a, m,    i, j, x) {
    for (i = 2; i <= m; ++i) {
      x = a[i]
      for (j = i - 1; j >= 1 && a[j] > x; --j) a[j + 1] = a[j]
      a[j + 1] = x
    }
  }
  function median(a, m) { sort(a, m); return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
  {
    key = $1 " threads=" $2
    if (!(key in n)) order[++keys] = key
    t[key, ++n[key]] = $4; at[$1, $2, $3] = $4; threads[$2] = 1; rounds[$3] = 1
  }
  END {
    for (k = 1; k <= keys; ++k) {
      key = order[k]; m = n[key]
      delete a
      for (i = 1; i <= m; ++i) a[i] = t[key, i]
      med = median(a, m)
      printf "%-24s median %7.1f ms %5.0f MB/s   range %7.1f-%7.1f ms   (%d runs)\n",
             key, med / 1000, bytes / med, a[1] / 1000, a[m] / 1000, m
    }
    split("x.warc.wet.gz:x.jsonl.gz x.warc:x.jsonl", pairs, " ")
    for (p = 1; p <= 2; ++p) {
      split(pairs[p], io, ":")
      for (th in threads) {
        delete a
        m = 0
        for (r in rounds) if ((io[1], th, r) in at && (io[2], th, r) in at) a[++m] = at[io[2], th, r] / at[io[1], th, r]
        sort(a, m)
        printf "%s / %s threads=%s: throughput ratio median %.2f (%.2f-%.2f, %d rounds)\n",
               io[1], io[2], th, median(a, m), a[1], a[m], m
      }
    }
  }'

for in in "${inputs[@]}"; do
  # shellcheck disable=SC2086
  rss=$( { /usr/bin/time -v "$CHAFF" $CMD "$W/$in" -o "$W/rss.jsonl" -q --threads 1 $ARGS; } 2>&1 |
         awk -F': ' '/Maximum resident set size/ {print $2}')
  echo "peak RSS $in threads=1: $((rss / 1024)) MB"
done
