# chaff dedupe: kept records are the original bytes in input order, the
# clusters file names every document's representative, compressed inputs
# and outputs round-trip, output does not depend on --threads, stdin works
# (read once, or copied first for the two passes of --no-split-chains),
# and a malformed record stops the run with file:line.
. "$(dirname "$0")/lib/common.bash"

python3 - "$WORK/in.jsonl" <<'PY'
import json, random, sys
rng = random.Random(3)
vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
         for _ in range(4000)]
docs = []
for i in range(120):
    if i % 5 == 4:  # a near copy of the previous document: one word changed
        words = docs[-1]["text"].split(" ")
        words[40] = "changed"
        text = " ".join(words)
    else:
        text = " ".join(rng.choice(vocab) for _ in range(200))
    docs.append({"id": "doc%d" % i, "extra": {"n": i}, "text": text})
with open(sys.argv[1], "w") as f:
    for d in docs:
        f.write(json.dumps(d) + "\n")
PY

expect_exit 0 "$CHAFF" dedupe "$WORK/in.jsonl" -o "$WORK/out.jsonl" --clusters "$WORK/clusters.jsonl"
expect_in "$WORK/err" "chaff dedupe: 120 documents"
expect_in "$WORK/err" "removed 24"
[ "$(wc -l < "$WORK/out.jsonl")" = 96 ] || fail "expected 96 kept records"
# Kept records are byte-identical input lines, in input order.
awk 'NR % 5 != 0' "$WORK/in.jsonl" | cmp -s - "$WORK/out.jsonl" || fail "kept records differ from input lines"
expect_in "$WORK/clusters.jsonl" '{"id":"doc4","cluster":3,"representative":"doc3","similarity":'
expect_in "$WORK/clusters.jsonl" '{"id":"doc3","cluster":3,"representative":"doc3","similarity":1.0000,"kept":true}'
[ "$(wc -l < "$WORK/clusters.jsonl")" = 120 ] || fail "clusters file needs one line per document"

# The same bytes at any thread count.
for t in 1 2 3; do
  expect_exit 0 "$CHAFF" dedupe "$WORK/in.jsonl" -o "$WORK/t$t.jsonl" --clusters "$WORK/c$t.jsonl" --threads "$t" -q
  cmp -s "$WORK/out.jsonl" "$WORK/t$t.jsonl" || fail "output differs at --threads $t"
  cmp -s "$WORK/clusters.jsonl" "$WORK/c$t.jsonl" || fail "clusters differ at --threads $t"
done

# A device is a JSONL output too, written in place.
expect_exit 0 "$CHAFF" dedupe "$WORK/in.jsonl" -o /dev/null -q
[ -c /dev/null ] || fail "/dev/null is no longer a device"

# Compressed inputs and outputs.
gzip -c "$WORK/in.jsonl" > "$WORK/in.jsonl.gz"
expect_exit 0 "$CHAFF" dedupe "$WORK/in.jsonl.gz" -o "$WORK/out.jsonl.zst" -q
if command -v zstd >/dev/null; then
  zstd -dcq "$WORK/out.jsonl.zst" | cmp -s - "$WORK/out.jsonl" || fail ".gz in / .zst out differs"
fi
expect_exit 0 "$CHAFF" dedupe "$WORK/out.jsonl.zst" -o "$WORK/again.jsonl.gz" -q
gzip -dc "$WORK/again.jsonl.gz" | cmp -s - "$WORK/out.jsonl" || fail "deduplicating kept records changed them"

# Stdin, read once as it comes (no copy in $TMPDIR), also compressed from a
# pipe; with --no-split-chains (two passes) it is copied first and removed.
mkdir -p "$WORK/tmp"
TMPDIR="$WORK/tmp" expect_exit 0 "$CHAFF" dedupe -o - -q < "$WORK/in.jsonl"
cmp -s "$WORK/out" "$WORK/out.jsonl" || fail "stdin to stdout differs"
gzip -c "$WORK/in.jsonl" | TMPDIR="$WORK/tmp" "$CHAFF" dedupe - -o "$WORK/pipe.jsonl" -q ||
  fail "compressed stdin from a pipe failed"
cmp -s "$WORK/pipe.jsonl" "$WORK/out.jsonl" || fail "compressed stdin differs"
TMPDIR="$WORK/tmp" expect_exit 0 "$CHAFF" dedupe -o - -q --no-split-chains < "$WORK/in.jsonl"
cmp -s "$WORK/out" "$WORK/out.jsonl" || fail "stdin with --no-split-chains differs"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "a temporary copy of stdin was left: $(ls -A "$WORK/tmp")"

# A malformed record: file and line, exit 2, no output.
{ head -7 "$WORK/in.jsonl"; echo '{"id": "bad", "text": 5}'; tail -3 "$WORK/in.jsonl"; } > "$WORK/bad.jsonl"
expect_exit 2 "$CHAFF" dedupe "$WORK/bad.jsonl" -o "$WORK/bad-out.jsonl"
expect_in "$WORK/err" "chaff: $WORK/bad.jsonl:8: expected a string in field \"text\""
[ -e "$WORK/bad-out.jsonl" ] && fail "an output was written for a failed run"
# A tree output: neither files nor the directories made for them remain.
mkdir -p "$WORK/badtree/sub"
cp "$WORK/in.jsonl" "$WORK/badtree/a.jsonl"
cp "$WORK/bad.jsonl" "$WORK/badtree/sub/b.jsonl"
expect_exit 2 "$CHAFF" dedupe "$WORK/badtree" -o "$WORK/badtree-out/x"
expect_in "$WORK/err" "sub/b.jsonl:8:"
[ -e "$WORK/badtree-out" ] && fail "a failed run left $(find "$WORK/badtree-out")"
expect_exit 0 "$CHAFF" dedupe "$WORK/bad.jsonl" -o "$WORK/bad-out.jsonl" --skip-bad-records -q
grep -qF '"id": "bad"' "$WORK/bad-out.jsonl" || fail "a skipped bad record must be kept as it is"

# Flags are checked.
expect_exit 2 "$CHAFF" dedupe "$WORK/in.jsonl" -o "$WORK/x.jsonl" --bands 4
expect_in "$WORK/err" "--bands and --rows go together"
expect_exit 2 "$CHAFF" dedupe "$WORK/in.jsonl" -o "$WORK/x.jsonl" --bands 30 --rows 10
expect_in "$WORK/err" "exceeds the signature length"
expect_exit 2 "$CHAFF" dedupe "$WORK/in.jsonl" -o "$WORK/in.jsonl"
expect_in "$WORK/err" "refusing to overwrite input"
finish
