#!/usr/bin/env bash
# The scale run of docs/cluster.md: a generated corpus of about 1 GB in 64
# shards through the Dask pipeline (a LocalCluster of worker processes) and
# through single-process `chaff dedupe`, in alternating rounds, outputs
# compared byte for byte; then the CLI stages one after the other.
#
#   bash scripts/bench_cluster.sh [DIR]     (default /tmp/chaff-scale)
#
# Knobs: COPIES (180: 999 MB), SHARDS (64), WORKERS (2), ROUNDS (3).
# Needs build/chaff, build/chaff-make-corpus, build/python (the module) and
# the BBC articles (CHAFF_SHARED_DATA_DIR, default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DIR=${1:-/tmp/chaff-scale}
COPIES=${COPIES:-180}
SHARDS=${SHARDS:-64}
WORKERS=${WORKERS:-2}
ROUNDS=${ROUNDS:-3}
DATA=${CHAFF_SHARED_DATA_DIR:-$ROOT/../shared/data}/bbc/articles.jsonl
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export PYTHONPATH=$ROOT/build/python${PYTHONPATH:+:$PYTHONPATH}
mkdir -p "$DIR"
if [ ! -f "$DIR/corpus.jsonl" ]; then
  build/chaff-make-corpus --input "$DATA" --copies "$COPIES" -o "$DIR/corpus.jsonl"
fi
if [ ! -d "$DIR/shards" ]; then
  mkdir "$DIR/shards"
  split -n "l/$SHARDS" -d -a 3 --additional-suffix=.jsonl "$DIR/corpus.jsonl" "$DIR/shards/part-"
fi
bytes=$(du -cb "$DIR"/shards/*.jsonl | tail -1 | cut -f1)
echo "corpus: $(ls "$DIR/shards" | wc -l) shards, $bytes bytes, $(wc -l < "$DIR/corpus.jsonl") documents"

# time_run LABEL CMD...: wall seconds and peak RSS of CMD (GNU time), its
# stderr kept in $DIR/LABEL.err.
time_run() {
  local label=$1; shift
  sync
  cat "$DIR"/shards/*.jsonl > /dev/null  # inputs in the page cache for both
  /usr/bin/time -f "%e %M" -o "$DIR/$label.time" "$@" 2> "$DIR/$label.err"
  read -r secs kb < "$DIR/$label.time"
  printf '%-8s %7.2f s  %6.1f MB/s  peak RSS %5d MB (the process itself)\n' \
    "$label" "$secs" "$(echo "$bytes / $secs / 1000000" | bc -l)" $((kb / 1024))
}

for round in $(seq "$ROUNDS"); do
  echo "--- round $round"
  rm -f "$DIR/single.jsonl" "$DIR/dask.jsonl"
  time_run single build/chaff dedupe "$DIR/shards" -o "$DIR/single.jsonl" --clusters "$DIR/single-clusters.jsonl"
  time_run dask "$PY" -m chaff.dask dedupe "$DIR/shards" -o "$DIR/dask.jsonl" \
    --clusters "$DIR/dask-clusters.jsonl" --workers "$WORKERS"
  grep -h "chaff.dask dedupe:" "$DIR/dask.err"
  cmp "$DIR/single.jsonl" "$DIR/dask.jsonl" && cmp "$DIR/single-clusters.jsonl" "$DIR/dask-clusters.jsonl" &&
    echo "outputs identical: $(md5sum < "$DIR/dask.jsonl" | cut -c1-12) (kept records), $(md5sum < "$DIR/dask-clusters.jsonl" | cut -c1-12) (clusters)"
done
grep -h "chaff dedupe:" "$DIR/single.err" | head -1

echo "--- the CLI stages, one process each, all shards (2 threads)"
rm -rf "$DIR/sk"
time_run sketch build/chaff sketch "$DIR/shards" -o "$DIR/sk"
grep -h "chaff sketch:" "$DIR/sketch.err"
time_run cluster build/chaff cluster "$DIR/sk" -o "$DIR/decisions" --clusters "$DIR/stage-clusters.jsonl"
grep -h "chaff cluster:" "$DIR/cluster.err"
time_run apply build/chaff apply "$DIR/decisions" "$DIR/shards" -o "$DIR/stages.jsonl"
cmp "$DIR/stages.jsonl" "$DIR/single.jsonl" && cmp "$DIR/stage-clusters.jsonl" "$DIR/single-clusters.jsonl" &&
  echo "CLI stages: outputs identical"
echo "sketch files: $(du -cb "$DIR"/sk/*.sketch | tail -1 | cut -f1) bytes, decisions $(stat -c %s "$DIR/decisions") bytes"
