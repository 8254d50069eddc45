# The sharded stages at benchmark scale: the 10x BBC corpus (chaff-make-corpus,
# 23,788 documents, 56 MB) split into 8 shards, sketched, applied one shard at
# a time (one process per shard, as a Slurm array would run them), gives the
# bytes of a single-process chaff dedupe: kept records and clusters file.
# Skipped (exit 77) without the BBC articles (CHAFF_SHARED_DATA_DIR).
. "$(dirname "$0")/lib/common.bash"
data=${CHAFF_SHARED_DATA_DIR:-$SRC/../shared/data}/bbc/articles.jsonl
make_corpus=$(dirname "$CHAFF")/chaff-make-corpus
if [ ! -f "$data" ] || [ ! -x "$make_corpus" ]; then
  echo "SKIPPED: needs $data and $make_corpus"
  exit 77
fi
"$make_corpus" --input "$data" -o "$WORK/bbc10x.jsonl" 2>/dev/null || { fail "chaff-make-corpus failed"; finish; }
# The sanitizer stage of CI (CHAFF_TEST_MAX_DOCS) takes the first documents only.
if [ -n "${CHAFF_TEST_MAX_DOCS:-}" ]; then
  head -n $((CHAFF_TEST_MAX_DOCS * 10)) "$WORK/bbc10x.jsonl" > "$WORK/head.jsonl"
  mv "$WORK/head.jsonl" "$WORK/bbc10x.jsonl"
fi
mkdir "$WORK/shards"
split -n l/8 -d -a 2 --additional-suffix=.jsonl "$WORK/bbc10x.jsonl" "$WORK/shards/part-"
[ "$(ls "$WORK/shards" | wc -l)" = 8 ] || fail "expected 8 shards"

expect_exit 0 "$CHAFF" dedupe "$WORK/shards" -o "$WORK/want.jsonl" --clusters "$WORK/want-clusters.jsonl" -q
# The same corpus as one file: the split changes nothing but the ids of records without one.
expect_exit 0 "$CHAFF" dedupe "$WORK/bbc10x.jsonl" -o "$WORK/one.jsonl" -q
cmp -s "$WORK/one.jsonl" "$WORK/want.jsonl" || fail "8 shards and one file differ in chaff dedupe"

for t in 0 1 2 3 4 5 6 7; do
  expect_exit 0 "$CHAFF" sketch "$WORK/shards" -o "$WORK/sk" --task $t --tasks 8 -j 1 -q
done
expect_exit 0 "$CHAFF" cluster "$WORK/sk" -o "$WORK/decisions" --clusters "$WORK/clusters.jsonl"
cat "$WORK/err"
cmp -s "$WORK/clusters.jsonl" "$WORK/want-clusters.jsonl" || fail "clusters file differs"
: > "$WORK/parts.jsonl"
for f in "$WORK"/shards/*.jsonl; do
  expect_exit 0 "$CHAFF" apply "$WORK/decisions" "$f" -o "$WORK/part.jsonl" -q
  cat "$WORK/part.jsonl" >> "$WORK/parts.jsonl"
done
cmp -s "$WORK/parts.jsonl" "$WORK/want.jsonl" || fail "kept records differ"
echo "kept $(wc -l < "$WORK/parts.jsonl") of $(wc -l < "$WORK/bbc10x.jsonl") records;" \
  "sketches $(du -cb "$WORK"/sk/*.sketch | tail -1 | cut -f1) bytes for $(stat -c %s "$WORK/bbc10x.jsonl") of input"
finish
