# chaff sketch / cluster / apply: the three stages of a sharded dedupe write
# what chaff dedupe writes (kept records and clusters file), whether the
# shards are sketched and applied all at once or one at a time (--task), to
# a JSONL file or a tree; damaged intermediate files and wrong shards stop
# the run with exit 2 and a message naming the file.
. "$(dirname "$0")/lib/common.bash"

python3 "$SRC/tests/python/shards.py" "$WORK/shards"  # s00..s04, s03 empty
S=$WORK/shards

expect_exit 0 "$CHAFF" dedupe "$S" -o "$WORK/want.jsonl" --clusters "$WORK/want-clusters.jsonl" -q
expect_exit 0 "$CHAFF" dedupe "$S" -o "$WORK/want-tree" -q

# All shards at once.
expect_exit 0 "$CHAFF" sketch "$S" -o "$WORK/sk"
expect_in "$WORK/err" "chaff sketch: 5 of 5 shard(s), 160 documents"
expect_in "$WORK/err" "bytes per document"
[ "$(ls "$WORK/sk" | tr '\n' ' ')" = "000000.sketch 000001.sketch 000002.sketch 000003.sketch 000004.sketch " ] ||
  fail "sketch files: $(ls "$WORK/sk")"
expect_exit 0 "$CHAFF" cluster "$WORK/sk" -o "$WORK/decisions" --clusters "$WORK/clusters.jsonl"
expect_in "$WORK/err" "chaff cluster: 5 shard(s), 160 documents"
cmp -s "$WORK/clusters.jsonl" "$WORK/want-clusters.jsonl" || fail "clusters file differs from chaff dedupe's"
expect_exit 0 "$CHAFF" apply "$WORK/decisions" "$S" -o "$WORK/all.jsonl"
cmp -s "$WORK/all.jsonl" "$WORK/want.jsonl" || fail "kept records differ from chaff dedupe's"
expect_exit 0 "$CHAFF" apply "$WORK/decisions" "$S" -o "$WORK/tree" -q
diff -r "$WORK/tree" "$WORK/want-tree" >/dev/null || fail "tree output differs from chaff dedupe's"

# One shard at a time: five sketch runs (--task), then one apply per shard,
# given by its name or by its absolute path.
for t in 0 1 2 3 4; do
  expect_exit 0 "$CHAFF" sketch "$S" -o "$WORK/sk1" --task $t --tasks 5 -j 1
  expect_in "$WORK/err" "chaff sketch: 1 of 5 shard(s)"
done
expect_exit 0 "$CHAFF" sketch "$S" -o "$WORK/sk1" --task 6 --tasks 7
expect_in "$WORK/err" "has no shard"
expect_exit 0 "$CHAFF" cluster "$WORK/sk1" -o "$WORK/decisions1" --clusters "$WORK/clusters1.jsonl" -q
cmp -s "$WORK/decisions1" "$WORK/decisions" || fail "decisions depend on how the shards were sketched"
cmp -s "$WORK/clusters1.jsonl" "$WORK/want-clusters.jsonl" || fail "clusters file (one shard at a time) differs"
: > "$WORK/parts.jsonl"
for t in 0 1 2 3 4; do
  shard="$S/s0$t.jsonl"
  [ $t = 2 ] && shard=$(cd "$S" && pwd)/s0$t.jsonl
  expect_exit 0 "$CHAFF" apply "$WORK/decisions1" "$shard" -o "$WORK/part$t.jsonl" -q
  cat "$WORK/part$t.jsonl" >> "$WORK/parts.jsonl"
done
cmp -s "$WORK/parts.jsonl" "$WORK/want.jsonl" || fail "kept records (one shard at a time) differ"

# Stars or components: --no-split-chains as chaff dedupe's.
expect_exit 0 "$CHAFF" dedupe "$S" -o "$WORK/want-c.jsonl" --clusters "$WORK/want-c-clusters.jsonl" --no-split-chains -q
expect_exit 0 "$CHAFF" cluster "$WORK/sk" -o "$WORK/decisions-c" --clusters "$WORK/c-clusters.jsonl" --no-split-chains -q
expect_exit 0 "$CHAFF" apply "$WORK/decisions-c" "$S" -o "$WORK/c.jsonl" -q
cmp -s "$WORK/c.jsonl" "$WORK/want-c.jsonl" || fail "components: kept records differ"
cmp -s "$WORK/c-clusters.jsonl" "$WORK/want-c-clusters.jsonl" || fail "components: clusters differ"

# Errors: exit 2, the file named, no output.
head -c 3000 "$WORK/sk/000002.sketch" > "$WORK/trunc.sketch"
mkdir "$WORK/sk-bad" && cp "$WORK/sk"/*.sketch "$WORK/sk-bad/" && cp "$WORK/trunc.sketch" "$WORK/sk-bad/000002.sketch"
expect_exit 2 "$CHAFF" cluster "$WORK/sk-bad" -o "$WORK/bad-decisions"
expect_in "$WORK/err" "sk-bad/000002.sketch: truncated sketch file"
[ -e "$WORK/bad-decisions" ] && fail "a decisions file was written from a truncated sketch"
rm "$WORK/sk-bad/000002.sketch"
expect_exit 2 "$CHAFF" cluster "$WORK/sk-bad" -o "$WORK/bad-decisions"
expect_in "$WORK/err" "missing shard(s) 2"
expect_exit 2 "$CHAFF" sketch "$S" -o "$WORK/sk2" --task 1
expect_in "$WORK/err" "--task and --tasks go together"
expect_exit 2 "$CHAFF" sketch - -o "$WORK/sk2"
expect_in "$WORK/err" "stdin (-) cannot be a shard"
expect_exit 2 "$CHAFF" sketch "$S" -o "$WORK/sk2" --exact
expect_exit 2 "$CHAFF" apply "$WORK/decisions" "$WORK/want.jsonl" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "is not a shard of"
expect_exit 2 "$CHAFF" apply "$WORK/clusters.jsonl" "$S" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "not a chaff decisions file"
expect_exit 2 "$CHAFF" apply "$WORK/decisions" "$S" -o "$S/s00.jsonl"
expect_in "$WORK/err" "refusing to overwrite input"
echo '{"id":"new","text":"one more record"}' >> "$S/s01.jsonl"
expect_exit 2 "$CHAFF" apply "$WORK/decisions" "$S" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "s01.jsonl: changed since it was sketched"
[ -e "$WORK/x.jsonl" ] && fail "an output was written for a changed shard"
no_leftovers "$WORK"
finish
