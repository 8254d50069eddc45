# chaff count + chaff clean --counts: a corpus cleaned shard by shard, with
# the template counts of every shard merged, writes what one chaff clean over
# all the shards writes (JSONL, tree, --annotate, and with the sharded dedupe
# what chaff clean --dedupe writes); counts files are identical whatever the
# threads and the order of the merge; damaged counts files, wrong outputs and
# bad records stop the run with exit 2, a message naming the file and
# nothing written.
. "$(dirname "$0")/lib/common.bash"

# t00..t03: 3 sites whose promo lines are template lines only over all the
# shards, and a site with 2 pages per shard.
python3 "$SRC/tests/python/shards.py" --sites "$WORK/shards"
S=$WORK/shards
SHARDS="t00 t01 t02 t03"
C=$WORK/counts
mkdir "$C"

# (a) Counts files: per shard, merged in two orders, all at once (-j1, -j2).
for t in $SHARDS; do
  expect_exit 0 "$CHAFF" count "$S/$t.jsonl" -o "$C/$t.counts" -j1
  expect_in "$WORK/err" "chaff count: 30 document(s) of 4 site(s)"
done
expect_exit 0 "$CHAFF" count --merge "$C/t00.counts" "$C/t01.counts" "$C/t02.counts" "$C/t03.counts" -o "$C/all"
expect_in "$WORK/err" "chaff count: 120 document(s) of 4 site(s)"
expect_in "$WORK/err" "bytes per document"
expect_exit 0 "$CHAFF" count --merge "$C/t02.counts" "$C/t00.counts" "$C/t03.counts" "$C/t01.counts" -o "$C/all-b" -q
[ -s "$WORK/err" ] && fail "count -q printed: $(head -2 "$WORK/err")"
cmp -s "$C/all" "$C/all-b" || fail "merged counts depend on the order of the merge"
expect_exit 0 "$CHAFF" count "$S" -o "$C/dir-j1" -j1 -q
cmp -s "$C/dir-j1" "$C/all" || fail "chaff count DIR (-j1) differs from the merged per-shard counts"
expect_exit 0 "$CHAFF" count "$S" -o "$C/dir-j2" -j2 -q
cmp -s "$C/dir-j2" "$C/all" || fail "chaff count DIR (-j2) differs from the merged per-shard counts"
cmp -s "$C/t00.counts" "$C/all" && fail "one shard's counts equal the whole corpus's"
[ "$(head -c 8 "$C/all")" = CHAFFCNT ] || fail "a counts file starts with CHAFFCNT"
# 40-byte header, 12 bytes per site and per (site, line) pair, 8-byte checksum.
expect_exit 0 "$CHAFF" count --merge "$C/all" -o "$C/all-c"
pairs=$(sed -n 's/.*of 4 site(s), \([0-9,]*\) distinct.*/\1/p' "$WORK/err" | tr -d ,)
[ "$(wc -c < "$C/all")" = $((40 + 12 * (4 + pairs) + 8)) ] ||
  fail "counts file of $(wc -c < "$C/all") bytes for 4 sites and $pairs pairs"
cmp -s "$C/all-c" "$C/all" || fail "merging one counts file changes it"

# (b) Clean each shard with the merged counts: JSONL parts, trees, and the
# per-shard counts files given together.
expect_exit 0 "$CHAFF" clean "$S" -o "$WORK/want.jsonl" -q
expect_exit 0 "$CHAFF" clean "$S" -o "$WORK/want-tree" -q
: > "$WORK/parts.jsonl"
for t in $SHARDS; do
  expect_exit 0 "$CHAFF" clean --counts "$C/all" "$S/$t.jsonl" -o "$WORK/part-$t.jsonl" -q
  cat "$WORK/part-$t.jsonl" >> "$WORK/parts.jsonl"
  expect_exit 0 "$CHAFF" clean --counts "$C/all" "$S/$t.jsonl" -o "$WORK/tree-$t" -q
  [ "$(ls "$WORK/tree-$t")" = "$t.jsonl" ] || fail "tree of $t: $(ls "$WORK/tree-$t")"
  cmp -s "$WORK/tree-$t/$t.jsonl" "$WORK/want-tree/$t.jsonl" || fail "tree output of $t differs"
  expect_exit 0 "$CHAFF" clean --counts "$C/t00.counts" --counts "$C/t01.counts" \
    --counts "$C/t02.counts" --counts "$C/t03.counts" "$S/$t.jsonl" -o "$WORK/several-$t.jsonl" -q
  cmp -s "$WORK/several-$t.jsonl" "$WORK/part-$t.jsonl" ||
    fail "$t: --counts given per shard differs from the merged counts file"
done
cmp -s "$WORK/parts.jsonl" "$WORK/want.jsonl" || fail "cleaned shards differ from chaff clean over all of them"
[ "$(wc -l < "$WORK/parts.jsonl")" = 120 ] || fail "cleaned shards: $(wc -l < "$WORK/parts.jsonl") records"
# The promo lines and the small site's chrome are gone everywhere.
grep -q "Subscribe to the morning barrow digest today" "$WORK/parts.jsonl" &&
  fail "a promo line of 6 pages (2 per shard at most) was kept"
# Compressed counts files read as well.
expect_exit 0 "$CHAFF" count "$S" -o "$C/all.gz" -q
expect_exit 0 "$CHAFF" clean --counts "$C/all.gz" "$S/t01.jsonl" -o "$WORK/gz-t01.jsonl" -q
cmp -s "$WORK/gz-t01.jsonl" "$WORK/part-t01.jsonl" || fail "--counts FILE.gz differs"

# (c) Without the counts of the other shards, every shard is cleaned
# otherwise: the data has templates that only the whole corpus shows.
differ=0
for t in $SHARDS; do
  expect_exit 0 "$CHAFF" clean "$S/$t.jsonl" -o "$WORK/alone-$t.jsonl" -q
  cmp -s "$WORK/alone-$t.jsonl" "$WORK/part-$t.jsonl" || differ=$((differ + 1))
done
[ "$differ" -ge 1 ] || fail "no shard is cleaned otherwise alone: the test data has no cross-shard templates"
grep -q "Subscribe to the morning barrow digest today" "$WORK"/alone-*.jsonl ||
  fail "a promo line is a template line even in one shard: the test data is too easy"

# (d) --annotate: the same equality.
expect_exit 0 "$CHAFF" clean "$S" --annotate -o "$WORK/want-ann.jsonl" -q
: > "$WORK/parts-ann.jsonl"
for t in $SHARDS; do
  expect_exit 0 "$CHAFF" clean --annotate --counts "$C/all" "$S/$t.jsonl" -o "$WORK/ann-$t.jsonl" -q
  cat "$WORK/ann-$t.jsonl" >> "$WORK/parts-ann.jsonl"
done
cmp -s "$WORK/parts-ann.jsonl" "$WORK/want-ann.jsonl" || fail "--annotate: sharded annotations differ"
expect_exit 0 "$CHAFF" clean --annotate "$S/t00.jsonl" -o "$WORK/ann-alone.jsonl" -q
cmp -s "$WORK/ann-alone.jsonl" "$WORK/ann-t00.jsonl" && fail "--annotate: t00 annotated alone as with the counts"

# (e) Sharded clean, then the sharded dedupe over the cleaned shards: what
# chaff clean --dedupe writes.
expect_exit 0 "$CHAFF" clean --dedupe "$S" -o "$WORK/want-dd.jsonl"
expect_in "$WORK/err" "near-duplicate document(s) dropped"
mkdir "$WORK/cleaned"
for t in $SHARDS; do
  expect_exit 0 "$CHAFF" clean --counts "$C/all" "$S/$t.jsonl" -o "$WORK/cleaned/$t.jsonl" -q
done
expect_exit 0 "$CHAFF" sketch "$WORK/cleaned" -o "$WORK/sk" -q
expect_exit 0 "$CHAFF" cluster "$WORK/sk" -o "$WORK/decisions" -q
expect_exit 0 "$CHAFF" apply "$WORK/decisions" "$WORK/cleaned" -o "$WORK/dd.jsonl" -q
cmp -s "$WORK/dd.jsonl" "$WORK/want-dd.jsonl" || fail "sharded clean + dedupe differs from chaff clean --dedupe"
kept=$(wc -l < "$WORK/dd.jsonl")
[ "$kept" -lt 120 ] && [ "$kept" -gt 90 ] || fail "dedupe kept $kept of 120 records: expected a few near copies dropped"

# (f) Errors: exit 2, the file named, nothing written.
head -c 100 "$C/all" > "$C/truncated"
expect_exit 2 "$CHAFF" clean --counts "$C/truncated" "$S/t00.jsonl" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "$C/truncated: truncated counts file"
head -c 30 "$C/all" > "$C/short-header"
expect_exit 2 "$CHAFF" clean --counts "$C/short-header" "$S/t00.jsonl" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "$C/short-header: truncated counts file"
expect_exit 2 "$CHAFF" clean --counts "$S/t01.jsonl" "$S/t00.jsonl" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "$S/t01.jsonl: not a chaff counts file"
cp "$C/all" "$C/flipped"
size=$(wc -c < "$C/all")
byte=$(od -An -tu1 -j $((size / 2)) -N1 "$C/all" | tr -d ' ')
printf "\\$(printf %03o $((byte ^ 1)))" | dd of="$C/flipped" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
cmp -s "$C/flipped" "$C/all" && fail "the byte was not flipped"
expect_exit 2 "$CHAFF" clean --counts "$C/flipped" "$S/t00.jsonl" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "$C/flipped: corrupt counts file: checksum mismatch"
expect_exit 2 "$CHAFF" clean --counts "$C/all" --counts "$C/flipped" "$S/t00.jsonl" -o "$WORK/x-tree"
expect_in "$WORK/err" "$C/flipped: corrupt counts file: checksum mismatch"
expect_exit 2 "$CHAFF" count --merge "$C/t00.counts" "$C/flipped" -o "$WORK/x.counts"
expect_in "$WORK/err" "$C/flipped: corrupt counts file: checksum mismatch"
expect_exit 2 "$CHAFF" clean --counts "$WORK/no-such.counts" "$S/t00.jsonl" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "no-such.counts"
expect_exit 2 "$CHAFF" clean --counts "$C/all" --no-templates "$S/t00.jsonl" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "--counts with --no-templates"
# A counts file where the output goes: a JSONL output, or a file of a tree.
cp "$C/all" "$C/all.jsonl"
expect_exit 2 "$CHAFF" clean --counts "$C/all.jsonl" "$S/t00.jsonl" -o "$C/all.jsonl"
expect_in "$WORK/err" "refusing to overwrite the counts file $C/all.jsonl"
cmp -s "$C/all.jsonl" "$C/all" || fail "the counts file was overwritten by chaff clean -o"
mkdir "$WORK/ctree" && cp "$C/all" "$WORK/ctree/t02.jsonl"
expect_exit 2 "$CHAFF" clean --counts "$WORK/ctree/t02.jsonl" "$S" -o "$WORK/ctree"
expect_in "$WORK/err" "refusing to overwrite the counts file $WORK/ctree/t02.jsonl"
cmp -s "$WORK/ctree/t02.jsonl" "$C/all" || fail "the counts file was overwritten by a tree output"
[ "$(ls "$WORK/ctree")" = t02.jsonl ] || fail "a refused tree output wrote $(ls "$WORK/ctree")"
for x in "$WORK/x.jsonl" "$WORK/x-tree" "$WORK/x.counts"; do
  [ -e "$x" ] && fail "$x was written by a run that failed"
done
cp "$C/t00.counts" "$C/keep"
expect_exit 2 "$CHAFF" count --merge "$C/keep" "$C/t01.counts" -o "$C/keep"
expect_in "$WORK/err" "refusing to overwrite input $C/keep"
cmp -s "$C/keep" "$C/t00.counts" || fail "count --merge X -o X changed X"
cp "$S/t00.jsonl" "$WORK/t00.copy"
expect_exit 2 "$CHAFF" count "$S" -o "$S/t02.jsonl"
expect_in "$WORK/err" "refusing to overwrite input"
expect_exit 2 "$CHAFF" count "$S/t00.jsonl" -o "$S/t00.jsonl"
expect_in "$WORK/err" "refusing to overwrite input $S/t00.jsonl"
cmp -s "$S/t00.jsonl" "$WORK/t00.copy" || fail "chaff count -o SHARD changed the shard"
expect_exit 2 "$CHAFF" count - -o "$WORK/x.counts"
expect_in "$WORK/err" "stdin (-) cannot be counted"
# A malformed JSON line: file:line, unless --skip-bad-records (a warning).
mkdir "$WORK/bad"
sed '7s/.*/{"id": "broken", "text": "no end/' "$S/t01.jsonl" > "$WORK/bad/t01.jsonl"
expect_exit 2 "$CHAFF" count "$WORK/bad" -o "$WORK/x.counts"
expect_in "$WORK/err" "bad/t01.jsonl:7:"
expect_in "$WORK/err" "--skip-bad-records"
expect_exit 2 "$CHAFF" count "$WORK/bad/t01.jsonl" -o "$WORK/x.counts" -j2
expect_in "$WORK/err" "bad/t01.jsonl:7:"
[ -e "$WORK/x.counts" ] && fail "a counts file was written from a shard with a bad record"
expect_exit 0 "$CHAFF" count "$WORK/bad" -o "$WORK/bad.counts" --skip-bad-records
expect_in "$WORK/err" "warning: 1 bad record(s) skipped"
expect_in "$WORK/err" "chaff count: 29 document(s)"
# (g) Pruned, final counts (--merge --min-count): much smaller, the same
# cleaning for --template-min-count >= the pruning, refused below it and by
# any further merge; the streaming merge reads compressed inputs.
expect_exit 0 "$CHAFF" count --merge "$C/t00.counts" "$C/t01.counts" "$C/t02.counts" "$C/t03.counts" -o "$C/pruned" --min-count 3
expect_in "$WORK/err" "written) -> $C/pruned"
expect_in "$WORK/err" "cannot be merged again"
[ "$(stat -c %s "$C/pruned")" -lt "$(stat -c %s "$C/all")" ] || fail "pruned counts are not smaller"
: > "$WORK/pruned-parts.jsonl"
for t in $SHARDS; do
  expect_exit 0 "$CHAFF" clean --counts "$C/pruned" "$S/$t.jsonl" -o "$WORK/pr-$t.jsonl" -q
  cat "$WORK/pr-$t.jsonl" >> "$WORK/pruned-parts.jsonl"
done
cmp -s "$WORK/pruned-parts.jsonl" "$WORK/want.jsonl" || fail "cleaning with pruned counts differs"
expect_exit 0 "$CHAFF" clean "$S" -o "$WORK/want4.jsonl" --template-min-count 4 -q
expect_exit 0 "$CHAFF" clean --counts "$C/pruned" "$S" -o "$WORK/pr4.jsonl" --template-min-count 4 -q
cmp -s "$WORK/pr4.jsonl" "$WORK/want4.jsonl" || fail "pruned counts at --template-min-count 4 differ"
expect_exit 2 "$CHAFF" clean --counts "$C/pruned" "$S" -o "$WORK/x.jsonl" --template-min-count 2
expect_in "$WORK/err" "--template-min-count 2 needs the complete counts"
expect_exit 2 "$CHAFF" count --merge "$C/pruned" "$C/t00.counts" -o "$WORK/x.counts"
expect_in "$WORK/err" "cannot be added to other counts"
expect_exit 2 "$CHAFF" clean --counts "$C/t00.counts" --counts "$C/pruned" "$S" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "pruned"
expect_exit 2 "$CHAFF" count "$S" -o "$WORK/x.counts" --min-count 3
expect_in "$WORK/err" "use it with --merge"
gzip -c "$C/t01.counts" > "$C/t01.counts.gz"
expect_exit 0 "$CHAFF" count --merge "$C/t00.counts" "$C/t01.counts.gz" "$C/t02.counts" "$C/t03.counts" -o "$C/all.zst" -q
expect_exit 0 "$CHAFF" count --merge "$C/all.zst" -o "$C/all-again" -q
cmp -s "$C/all-again" "$C/all" || fail "merging compressed counts files changed the counts"
head -c 1000 "$C/t02.counts" > "$C/cut.counts"
expect_exit 2 "$CHAFF" count --merge "$C/t00.counts" "$C/cut.counts" -o "$WORK/x.counts"
expect_in "$WORK/err" "$C/cut.counts: truncated counts file: 1000 bytes, its header says"
[ -e "$WORK/x.counts" ] && fail "a merge of a truncated file wrote its output"
# (h) More counts files than a merge opens at once (256): merged in rounds,
# the same bytes; a file named twice is refused, here and by clean --counts.
python3 "$SRC/tests/python/shards.py" --sites "$WORK/many-src" 1 300
mkdir "$WORK/many" "$WORK/many-counts"
split -l 1 -a 3 -d --additional-suffix=.jsonl "$WORK/many-src/t00.jsonl" "$WORK/many/r"
[ "$(ls "$WORK/many" | wc -l)" = 300 ] || fail "split made $(ls "$WORK/many" | wc -l) files"
for f in "$WORK"/many/*.jsonl; do
  "$CHAFF" count "$f" -o "$WORK/many-counts/$(basename "$f" .jsonl).counts" -q -j1 || fail "count $f"
done
expect_exit 0 "$CHAFF" count --merge "$WORK"/many-counts/*.counts -o "$WORK/many.counts"
expect_in "$WORK/err" "chaff count: 300 document(s)"
expect_exit 0 "$CHAFF" count "$WORK/many-src/t00.jsonl" -o "$WORK/many-direct.counts" -q
cmp -s "$WORK/many.counts" "$WORK/many-direct.counts" || fail "a merge in rounds differs"
expect_exit 2 "$CHAFF" count --merge "$C/t00.counts" "$C/t01.counts" "$C/t00.counts" -o "$WORK/x.counts"
expect_in "$WORK/err" "counts file $C/t00.counts is given twice"
expect_exit 2 "$CHAFF" clean --counts "$C/all" --counts "$C/all" "$S" -o "$WORK/x.jsonl"
expect_in "$WORK/err" "is given twice"
no_leftovers "$WORK"
finish
