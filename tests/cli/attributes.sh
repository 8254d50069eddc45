# --attributes DIR: dolma attributes beside the cleaned output. Python reads
# each input's text as dolma would (a JSONL record's text field; a text file
# or a WARC document decoded with bytes.decode("utf-8", "replace")), cuts
# out the [start, end) character spans of chaff__chrome, chaff__template and
# chaff__repeat, and must get exactly chaff's cleaned text; ids match the
# documents line by line; near-duplicates span their whole text. On the
# seeds (as text files and as JSONL), on accented Latin, CJK and emoji
# outside the BMP (one Python character, two in UTF-16), and on bytes that
# are not UTF-8. The main output is the same with and without the option;
# a failed run writes no attributes; the files are named after the inputs.
. "$(dirname "$0")/lib/common.bash"

# The round trip: check.py INPUT_KIND INPUT CLEANED ATTRIBUTES
cat > "$WORK/check.py" <<'PY'
import gzip, json, sys
kind, input_path, cleaned_path, attrs_path = sys.argv[1:5]
def lines(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]
attrs = lines(attrs_path)
names = ["chaff__chrome", "chaff__template", "chaff__repeat", "chaff__near_duplicate"]
for a in attrs:
    assert list(a) == ["id", "attributes"] and list(a["attributes"]) == names, a
if kind == "text":  # one document: the file
    docs = [{"id": sys.argv[5], "text": open(input_path, "rb").read().decode("utf-8", "replace")}]
    cleaned = [open(cleaned_path, "rb").read().decode("utf-8", "replace")]
else:  # JSONL records; bad ones (no string text) pass through
    with open(input_path, "rb") as f:
        raw = [l for l in f.read().split(b"\n") if l.strip()]
    docs = []
    for l in raw:
        try:
            docs.append(json.loads(l))
        except ValueError:
            docs.append(None)
    cleaned = [json.loads(l) for l in open(cleaned_path, encoding="utf-8")]
assert len(attrs) == len(docs), (len(attrs), len(docs))
out = iter(cleaned)
spans_seen = {n: 0 for n in names}
for d, a in zip(docs, attrs):
    at = a["attributes"]
    for n in names:
        spans_seen[n] += len(at[n])
    good = isinstance(d, dict) and isinstance(d.get("text"), str)
    if not good:
        assert all(at[n] == [] for n in names), a
        next(out)
        continue
    assert a["id"] == d.get("id"), (a["id"], d.get("id"))
    assert type(a["id"]) == type(d.get("id")), a["id"]
    text = d["text"]
    spans = sorted(s for n in names[:3] for s in at[n])
    kept, pos = [], 0
    for start, end, score in spans:
        assert isinstance(start, int) and isinstance(end, int) and isinstance(score, float)
        assert pos <= start < end <= len(text) and 0.0 <= score <= 1.0, (start, end, pos, score)
        kept.append(text[pos:start])
        pos = end
    kept.append(text[pos:])
    nd = at["chaff__near_duplicate"]
    if nd:
        assert len(nd) == 1 and nd[0][:2] == [0, len(text)] and 0 < nd[0][2] <= 1, nd
        continue  # dropped from the output
    for n in ("chaff__template", "chaff__repeat"):
        assert all(s[2] == 1.0 for s in at[n])
    o = next(out)
    got = o if isinstance(o, str) else o["text"]
    if a["id"] is not None and isinstance(o, dict) and "id" in o:
        assert o["id"] == a["id"], (o["id"], a["id"])
    assert "".join(kept) == got, (a["id"], "".join(kept)[:300], got[:300])
assert next(out, None) is None, "more cleaned documents than attribute lines"
print(" ".join("%s=%d" % (n, spans_seen[n]) for n in names))
PY
roundtrip() {  # roundtrip WHAT KIND INPUT CLEANED ATTRIBUTES [ID]
  local what=$1
  shift
  python3 "$WORK/check.py" "$@" > "$WORK/spans" 2> "$WORK/py-err" ||
    { fail "$what: the spans do not cut out the removed text"; sed 's/^/  /' "$WORK/py-err" | tail -3; }
}

# The seeds as JSONL (one site, so they share template lines), and pages with
# multi-byte text: accented Latin, CJK, emoji outside the BMP, in lines that
# are chrome, template lines and repeats; numeric ids, a string id with
# escapes, a record without id, a bad record and a duplicate id.
python3 - "$SRC/seeds" "$WORK/seeds.jsonl" "$WORK/multi.jsonl" <<'PY'
import glob, json, os, sys
seeds, seeds_out, multi_out = sys.argv[1:4]
with open(seeds_out, "w") as f:
    for p in sorted(glob.glob(os.path.join(seeds, "*.txt"))):
        text = open(p, "rb").read().decode("utf-8", "replace")
        f.write(json.dumps({"id": os.path.basename(p), "url": "https://seeds.test/" +
                            os.path.basename(p), "text": text}) + "\n")
footer = "Suivez-nous sur les r\u00e9seaux \U0001F44D \u2014 \u5173\u6ce8\u6211\u4eec\n"
with open(multi_out, "w") as f:
    for i in range(8):
        para = ("L'article num\u00e9ro %d, \u00e9crit \u00e0 Z\u00fcrich: na\u00efve caf\u00e9 "
                "cr\u00e8me \U0001F389\U0001F389 et \u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8 "
                "%d \u3002 Encore une phrase pour que la ligne soit longue et compte.\n" % (i, i))
        other = ("Un deuxi\u00e8me paragraphe %d, avec \u00e9\u00e8\u00e0 et \U0001F680 "
                 "\U0001F9EA, assez long pour \u00eatre du contenu, qui se termine bien.\n" % i)
        text = ("Menu \u00b7 Accueil \u00b7 Actualit\u00e9s \U0001F3E0\n" + para + "\n" + other +
                "\n" + para + "\n" + footer)
        d = {"id": 1000 + i, "url": "https://www.multi.test/a%d" % i, "text": text}
        if i == 3:
            d["id"] = "quote\"and \u00e9 \U0001F600"
        f.write(json.dumps(d, ensure_ascii=(i % 2 == 0)) + "\n")
    f.write('{"id": "bad", "text": 42}\n')
    f.write('{"text": "no id here\\n' + footer.replace("\n", "\\n") + '"}\n')
    f.write(json.dumps({"id": 1001, "text": "a duplicate id\n"}) + "\n")
    f.write('{"id": 2000, "text": "' + "x" * 40 + '\\n\\n"}\n')
PY

for input in seeds multi; do
  expect_exit 0 "$CHAFF" clean "$WORK/$input.jsonl" -o "$WORK/$input-clean.jsonl" -q --skip-bad-records
  expect_exit 0 "$CHAFF" clean "$WORK/$input.jsonl" -o "$WORK/$input-clean-a.jsonl" --skip-bad-records \
    --attributes "$WORK/A"
  expect_in "$WORK/err" "chaff: attributes: 1 file(s) under $WORK/A"
  cmp -s "$WORK/$input-clean.jsonl" "$WORK/$input-clean-a.jsonl" || fail "$input: --attributes changed the output"
  [ -f "$WORK/A/$input.jsonl" ] || fail "$input: no A/$input.jsonl: $(find "$WORK/A")"
  roundtrip "$input" jsonl "$WORK/$input.jsonl" "$WORK/$input-clean.jsonl" "$WORK/A/$input.jsonl"
  echo "$input: $(cat "$WORK/spans")"
  grep -q "chaff__chrome=0 " "$WORK/spans" && fail "$input: no chrome span"
  grep -q "chaff__repeat=0 " "$WORK/spans" && fail "$input: no repeat span"
done
grep -q "chaff__template=0 " "$WORK/spans" && fail "multi: no template span"
expect_in "$WORK/A/multi.jsonl" '{"id":1000,"attributes":{"chaff__chrome":[[0,30,'
expect_in "$WORK/A/multi.jsonl" '{"id":"bad","attributes":{"chaff__chrome":[],"chaff__template":[],"chaff__repeat":[],"chaff__near_duplicate":[]}}'
expect_in "$WORK/A/multi.jsonl" '{"id":null,"attributes":'
expect_in "$WORK/A/multi.jsonl" '{"id":1001,"attributes":{"chaff__chrome":[],"chaff__template":[],"chaff__repeat":[],"chaff__near_duplicate":[]}}'

# --dedupe: a dropped near-duplicate spans its whole text, with the similarity.
python3 - "$WORK/dups.jsonl" <<'PY'
import json, random, sys
rng = random.Random(19)
letters = "abcdefghijklmnopqrstuvwxyz\u00e9\u00e8\u00fc\u65e5\u672c"
vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 8))) for _ in range(2000)]
def para():
    return " ".join(rng.choice(vocab) for _ in range(40)) + " \U0001F600.\n"
with open(sys.argv[1], "w") as f:
    for i in range(6):
        text = "Menu \u00b7 Accueil \U0001F3E0\n" + para() + "\n" + para() + "\n" + para()
        f.write(json.dumps({"id": i, "text": text}) + "\n")
        words = text.split(" ")
        words[20] = "chang\u00e9"
        f.write(json.dumps({"id": "%d-copy" % i, "text": " ".join(words)}) + "\n")
PY
expect_exit 0 "$CHAFF" clean "$WORK/dups.jsonl" -o "$WORK/dups-clean.jsonl" -q --dedupe --attributes "$WORK/D"
roundtrip "--dedupe" jsonl "$WORK/dups.jsonl" "$WORK/dups-clean.jsonl" "$WORK/D/dups.jsonl"
grep -q "chaff__near_duplicate=0" "$WORK/spans" && fail "--dedupe: no document dropped"

# Text files: the seeds, multi-byte text and bytes that are not UTF-8 (a
# character cut short, an encoded surrogate, an overlong form, a lone
# continuation byte, an emoji cut short at a line's end), in a tree.
mkdir -p "$WORK/texts"
cp "$SRC"/seeds/*.txt "$WORK/texts/"
python3 - "$WORK/texts" <<'PY'
import os, sys
d = sys.argv[1]
bad = [b"\xe2\x82A", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80", b"\xf0\x9f\x98", b"\xf4\x90\x80\x80"]
lines = []
for i, b in enumerate(bad):
    lines.append(b"Home " + b + b"\n")
    lines.append(("Paragraph %d of the story, caf\u00e9 \U0001F600 \u65e5\u672c, long enough to be "
                  "content and ending like a sentence, which the reader will keep.\n" % i).encode() + b)
    lines.append(b"\n")
body = b"".join(lines)
open(os.path.join(d, "bytes.txt"), "wb").write(b"Menu " + b"\xe2\x82" + b"\n" + body + body)
PY
expect_exit 0 "$CHAFF" clean "$WORK/texts" -o "$WORK/texts-out" -q --attributes "$WORK/T"
for f in "$WORK"/texts/*.txt; do
  name=$(basename "$f")
  [ "$(wc -l < "$WORK/T/$name.jsonl")" = 1 ] || fail "text: $name: not one attribute line"
  roundtrip "text $name" text "$f" "$WORK/texts-out/$name" "$WORK/T/$name.jsonl" "$name"
done
grep -q '"chaff__repeat":\[\[' "$WORK/T/bytes.txt.jsonl" || fail "bytes.txt: no repeat span"

# The same bytes in a WARC file (which chaff-make-warc, writing from JSONL,
# cannot hold): chaff writes each maximal subpart as one U+FFFD, as Python
# decodes it, so the spans index the text of chaff's own JSONL.
python3 - "$WORK/texts/bytes.txt" "$WORK/bytes.warc" <<'PY'
import sys
text = open(sys.argv[1], "rb").read()
out = b""
for i in range(6):
    block = text + ("page %d\n" % i).encode()
    out += (b"WARC/1.1\r\nWARC-Type: conversion\r\nWARC-Target-URI: https://bytes.test/%d\r\n"
            b"WARC-Date: 2024-03-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:%d>\r\n"
            b"Content-Length: %d\r\n\r\n" % (i, i, len(block))) + block + b"\r\n\r\n"
open(sys.argv[2], "wb").write(out)
PY
expect_exit 0 "$CHAFF" clean "$WORK/bytes.warc" -o "$WORK/bytes-ann.jsonl" -q --annotate
expect_exit 0 "$CHAFF" clean "$WORK/bytes.warc" -o "$WORK/bytes-clean.jsonl" -q --attributes "$WORK/W"
python3 - "$WORK/texts/bytes.txt" "$WORK/bytes-ann.jsonl" <<'PY' || fail "WARC: U+FFFD is not written as Python decodes"
import json, sys
raw = open(sys.argv[1], "rb").read()
for i, l in enumerate(open(sys.argv[2], encoding="utf-8")):
    assert json.loads(l)["text"] == (raw + b"page %d\n" % i).decode("utf-8", "replace")
PY
roundtrip "WARC" jsonl "$WORK/bytes-ann.jsonl" "$WORK/bytes-clean.jsonl" "$WORK/W/bytes.warc.jsonl"

# dolma's layout: the attributes of shard.jsonl.gz are shard.jsonl.gz
# (gzip), so documents/x.jsonl.gz finds attributes/NAME/x.jsonl.gz.
mkdir -p "$WORK/documents"
gzip -c "$WORK/multi.jsonl" > "$WORK/documents/shard.jsonl.gz"
expect_exit 0 "$CHAFF" clean "$WORK/documents" -o "$WORK/cleaned" -q --skip-bad-records \
  --attributes "$WORK/attributes/chaff"
gzip -t "$WORK/attributes/chaff/shard.jsonl.gz" || fail "shard.jsonl.gz attributes are not gzip"
gzip -dc "$WORK/attributes/chaff/shard.jsonl.gz" | cmp -s - "$WORK/A/multi.jsonl" ||
  fail "the attributes of shard.jsonl.gz differ from those of multi.jsonl"

# Refused: an existing file as DIR, attributes over an input, over an
# output of -o or a report; a failed run writes no attributes.
: > "$WORK/afile"
expect_exit 2 "$CHAFF" clean "$WORK/multi.jsonl" -o "$WORK/r.jsonl" --attributes "$WORK/afile"
expect_in "$WORK/err" "exists and is not a directory"
expect_exit 2 "$CHAFF" clean "$WORK/documents" -o "$WORK/r" --attributes "$WORK/documents"
expect_in "$WORK/err" "refusing to overwrite input"
expect_exit 2 "$CHAFF" clean "$WORK/multi.jsonl" -o "$WORK/O/multi.jsonl" --attributes "$WORK/O"
expect_in "$WORK/err" "is also an output of -o"
expect_exit 2 "$CHAFF" clean "$WORK/multi.jsonl" -o "$WORK/r.jsonl" --attributes "$WORK/R" \
  --report "$WORK/R/multi.jsonl"
expect_in "$WORK/err" "is also an attributes file of --attributes"
expect_exit 2 "$CHAFF" clean "$WORK/seeds.jsonl" "$WORK/multi.jsonl" -o "$WORK/fail.jsonl" \
  --attributes "$WORK/F"
[ -e "$WORK/fail.jsonl" ] && fail "an output was written for a failed run"
[ -n "$(find "$WORK/F" -type f 2>/dev/null)" ] && fail "attributes were written for a failed run"
no_leftovers "$WORK"
finish
