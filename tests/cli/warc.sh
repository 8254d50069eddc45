# chaff dedupe on WARC/WET input (made by chaff-make-warc: conversion,
# request, response and metadata records, a gzip member per record): the
# kept documents are exactly those of the same documents as JSONL, written
# as {"id","url","date","text"}; gzip, plain, no WARC name, stdin, a tree
# output; a truncated last member stops the run naming file and offset, or
# is skipped and counted with --skip-bad-records.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/warc.bash"
DATA=${CHAFF_SHARED_DATA:-$SRC/../shared/data}

python3 - "$WORK/in.jsonl" <<'PY'
import json, random, sys
rng = random.Random(7)
vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
         for _ in range(3000)]
docs = []
for i in range(90):
    if i % 6 == 5:  # a near copy of the one before: one word changed
        words = docs[-1]["text"].split(" ")
        words[30] = "changed"
        text = " ".join(words)
    else:
        text = "\n".join(" ".join(rng.choice(vocab) for _ in range(25)) for _ in range(8))
    d = {"id": "d%d" % i, "text": text + "\nCaf\u00e9 \"quoted\" \\ tab\there\n"}
    if i % 3 == 0:
        d["url"] = "https://www.site%d.test/p/%d" % (i % 4, i)
    docs.append(d)
with open(sys.argv[1], "w") as f:
    for d in docs:
        f.write(json.dumps(d) + "\n")
PY

make_warc_files 90

# The reference: the same documents as JSONL.
expect_exit 0 "$CHAFF" dedupe "$WORK/same.jsonl" -o "$WORK/ref.jsonl" --clusters "$WORK/ref-clusters.jsonl"
expect_in "$WORK/err" "removed 15"

expect_exit 0 "$CHAFF" dedupe "$WORK/x.warc.wet.gz" -o "$WORK/gz.jsonl" --clusters "$WORK/gz-clusters.jsonl"
cmp -s "$WORK/gz.jsonl" "$WORK/ref.jsonl" || fail "WET (gzip) output differs from the JSONL run"
cmp -s "$WORK/gz-clusters.jsonl" "$WORK/ref-clusters.jsonl" || fail "WET clusters differ from the JSONL run"
expect_in "$WORK/err" "chaff dedupe: 90 documents"
# 1 warcinfo + 90 documents, 22 of them with a request and a metadata record,
# and 18 times a request, an HTML response and a metadata record.
expect_in "$WORK/err" "chaff dedupe: WARC: 189 records: 90 documents; skipped 40 metadata, 40 request, 18 response (not text/plain), 1 warcinfo; 0 bad"
head -1 "$WORK/gz.jsonl" | grep -q '^{"id":"<urn:uuid:[0-9a-f-]*>","url":"https://www.site0.test/p/0","date":"2024-03-01T00:00:01Z","text":"' ||
  fail "a kept record is not {\"id\",\"url\",\"date\",\"text\"}: $(head -c 200 "$WORK/gz.jsonl")"
grep -q '"url":"https://site1.example.com/d1"' "$WORK/gz.jsonl" || fail "made-up url missing"
grep -q '{"id":"<urn:uuid:[0-9a-f-]*>","cluster":4,"representative":"<urn:uuid:' "$WORK/gz-clusters.jsonl" ||
  fail "clusters do not name WARC record ids"

# Plain WARC, a WARC without a WARC name, every thread count.
same_on_warc_inputs "chaff dedupe: WARC: 189 records" dedupe
# Components (two passes over the WARC file).
expect_exit 0 "$CHAFF" dedupe "$WORK/same.jsonl" -o "$WORK/ref-nc.jsonl" -q --no-split-chains
expect_exit 0 "$CHAFF" dedupe "$WORK/x.warc.wet.gz" -o "$WORK/nc.jsonl" -q --no-split-chains
cmp -s "$WORK/nc.jsonl" "$WORK/ref-nc.jsonl" || fail "--no-split-chains output differs"

# Stdin, recognised by its content, read once or spooled for two passes.
mkdir -p "$WORK/tmp"
TMPDIR="$WORK/tmp" expect_exit 0 "$CHAFF" dedupe -o - -q < "$WORK/x.warc.wet.gz"
cmp -s "$WORK/out" "$WORK/ref.jsonl" || fail "WET on stdin differs"
TMPDIR="$WORK/tmp" expect_exit 0 "$CHAFF" dedupe - -o - -q --no-split-chains < "$WORK/x.warc"
cmp -s "$WORK/out" "$WORK/ref-nc.jsonl" || fail "WARC on stdin with --no-split-chains differs"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "a temporary copy of stdin was left: $(ls -A "$WORK/tmp")"

# A tree output: x.warc.wet.gz's kept records go to x.warc.wet.jsonl.
mkdir -p "$WORK/tree/sub"
cp "$WORK/x.warc.wet.gz" "$WORK/tree/sub/"
expect_exit 0 "$CHAFF" dedupe "$WORK/tree" -o "$WORK/tree-out" -q
cmp -s "$WORK/tree-out/sub/x.warc.wet.jsonl" "$WORK/ref.jsonl" || fail "tree output differs: $(find "$WORK/tree-out")"

# A truncated last member: exit 2 naming the file and the record's offset,
# no output; skipped and counted with --skip-bad-records.
expect_exit 0 "$MAKE_WARC" -i "$WORK/in.jsonl" -o "$WORK/cut.warc.wet.gz" --jsonl "$WORK/cut-same.jsonl" \
  --truncate-last
expect_exit 2 "$CHAFF" dedupe "$WORK/cut.warc.wet.gz" -o "$WORK/cut.jsonl"
grep -qE "^chaff: $WORK/cut.warc.wet.gz: WARC record at offset [0-9]+ \(decompressed\): .*truncated gzip stream.*\(use --skip-bad-records to skip such records\)$" "$WORK/err" ||
  fail "truncated member: $(cat "$WORK/err")"
[ -e "$WORK/cut.jsonl" ] && fail "an output was written for a failed run"
expect_exit 0 "$CHAFF" dedupe "$WORK/cut.warc.wet.gz" -o "$WORK/cut.jsonl" --skip-bad-records
expect_in "$WORK/err" "chaff: warning: 1 malformed WARC record(s) skipped (--skip-bad-records)"
expect_in "$WORK/err" "; 1 bad"
head -89 "$WORK/cut-same.jsonl" > "$WORK/cut-ref-in.jsonl"
expect_exit 0 "$CHAFF" dedupe "$WORK/cut-ref-in.jsonl" -o "$WORK/cut-ref.jsonl" -q
cmp -s "$WORK/cut.jsonl" "$WORK/cut-ref.jsonl" || fail "the documents before the cut differ"

# Real text, when the shared data is here: BBC articles as WET.
if [ -f "$DATA/bbc/articles.jsonl" ]; then
  expect_exit 0 "$MAKE_WARC" -i "$DATA/bbc/articles.jsonl" -o "$WORK/bbc.warc.wet.gz" \
    --jsonl "$WORK/bbc.jsonl" --response-every 10 --noise-every 3
  expect_exit 0 "$CHAFF" dedupe "$WORK/bbc.warc.wet.gz" -o "$WORK/bbc-wet-kept.jsonl" -q
  expect_exit 0 "$CHAFF" dedupe "$WORK/bbc.jsonl" -o "$WORK/bbc-kept.jsonl" -q
  cmp -s "$WORK/bbc-wet-kept.jsonl" "$WORK/bbc-kept.jsonl" || fail "BBC: WET and JSONL runs differ"
else
  echo "note: $DATA/bbc/articles.jsonl is not present: the BBC part is skipped"
fi
finish
