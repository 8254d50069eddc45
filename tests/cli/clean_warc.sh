# chaff clean on WARC/WET input (made by chaff-make-warc: warcinfo,
# conversion, request, text/plain and text/html response and metadata
# records, CRLF headers, a gzip member per record, one document larger than
# the reader's 1 MiB read so that its record lies across reads): every
# document is read with its WARC-Record-ID, url, date and text; the output
# is what the same documents give as JSONL, byte for byte (cleaned,
# --annotate, --dedupe, --attributes; gzip, plain, no WARC name, stdin, a
# tree, 1 to 3 threads); template lines are counted per host; a truncated
# last member stops the run naming file and offset, or is skipped and
# counted with --skip-bad-records.
. "$(dirname "$0")/lib/common.bash"
. "$(dirname "$0")/lib/warc.bash"

# 24 pages of one host (www.host.test) ending with the same footer line, 24
# pages of 24 hosts each ending with one shared line, near copies (2 more
# pages of each kind, on the same host as the page they copy), text with
# multi-byte characters and CRLF line ends, one page of 1.5 MB.
python3 - "$WORK/in.jsonl" <<'PY'
import json, random, sys
rng = random.Random(19)
vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9)))
         for _ in range(3000)]
def para(n=25):
    return " ".join(rng.choice(vocab) for _ in range(n)) + "."
docs = []
for i in range(48):
    body = "\n\n".join(para() for _ in range(4))
    if i < 24:
        url = "https://www.host.test/story/%d" % i
        text = body + "\n\nSubscribe to the Host Test newsletter\n"
    else:
        url = "https://h%d.test/page" % i
        text = body + "\n\nShare this page with your friends\n"
    if i % 8 == 3:
        text = "Caf\u00e9 cr\u00e8me, \u65e5\u672c\u8a9e, \U0001F600\r\n" + text.replace("\n", "\r\n")
    docs.append({"id": "d%d" % i, "url": url, "text": text})
    if i % 12 == 11:  # a near copy of the page before: one word changed
        words = text.split(" ")
        words[10] = "changed"
        docs.append({"id": "d%dn" % i, "url": url + "/copy", "text": " ".join(words)})
big = "\n\n".join(para(40) for _ in range(5000))
docs.append({"id": "big", "url": "https://big.test/", "text": big + "\n"})
with open(sys.argv[1], "w") as f:
    for d in docs:
        f.write(json.dumps(d) + "\n")
PY

make_warc_files 53
python3 - "$WORK/x.warc" "$WORK/same.jsonl" <<'PY' || fail "the WARC file is not what the test needs"
import json, re, sys
data = open(sys.argv[1], "rb").read()
types = re.findall(rb"WARC-Type: (\w+)\r\n", data)
for t in (b"warcinfo", b"conversion", b"request", b"response", b"metadata"):
    assert t in types, t
assert b"\r\nWARC-Target-URI: " in data and b"\nWARC-Date: " in data
assert not re.search(rb"[^\r]\nContent-Length: ", data), "a header line without CR"
same = [json.loads(l) for l in open(sys.argv[2])]
assert all(re.fullmatch(r"<urn:uuid:[0-9a-f-]{36}>", d["id"]) for d in same)
assert max(len(d["text"]) for d in same) > 1.4e6
PY

# Nothing removed: every document comes back as the generator wrote it
# (WARC-Record-ID, WARC-Target-URI, WARC-Date, the text; the response
# records' HTTP headers are not text).
expect_exit 0 "$CHAFF" clean "$WORK/x.warc.wet.gz" -o "$WORK/nothing.jsonl" \
  --no-chrome --no-repeats --no-templates
cmp -s "$WORK/nothing.jsonl" "$WORK/same.jsonl" || fail "ids, urls, dates or texts differ"
expect_in "$WORK/err" "chaff: 1 file(s), 53 document(s)"
# 1 warcinfo + 53 documents (13 of them a request, a response and a
# metadata record), and 11 times a request, an HTML response and a metadata
# record.
expect_in "$WORK/err" "chaff: WARC: 113 records: 53 documents; skipped 24 metadata, 24 request, 11 response (not text/plain), 1 warcinfo; 0 bad"

# The reference: the same documents as JSONL.
expect_exit 0 "$CHAFF" clean "$WORK/same.jsonl" -o "$WORK/ref.jsonl" -q
expect_exit 0 "$CHAFF" clean "$WORK/x.warc.wet.gz" -o "$WORK/gz.jsonl"
cmp -s "$WORK/gz.jsonl" "$WORK/ref.jsonl" || fail "WET (gzip) output differs from the JSONL run"
same_on_warc_inputs "chaff: WARC: 113 records" clean
mkdir -p "$WORK/tmp"
TMPDIR="$WORK/tmp" expect_exit 0 "$CHAFF" clean -o - -q < "$WORK/x.warc.wet.gz"
cmp -s "$WORK/out" "$WORK/ref.jsonl" || fail "WET on stdin differs"
TMPDIR="$WORK/tmp" expect_exit 0 "$CHAFF" clean - -q < "$WORK/x.warc"
cmp -s "$WORK/out" "$WORK/ref.jsonl" || fail "WARC on stdin differs"
[ -z "$(ls -A "$WORK/tmp")" ] || fail "a temporary copy of stdin was left: $(ls -A "$WORK/tmp")"

# --annotate, --dedupe and --attributes give what the JSONL run gives.
for flags in "--annotate" "--dedupe" "--annotate --dedupe"; do
  # shellcheck disable=SC2086
  expect_exit 0 "$CHAFF" clean "$WORK/same.jsonl" -o "$WORK/ref-f.jsonl" -q $flags \
    --attributes "$WORK/ref-attrs"
  # shellcheck disable=SC2086
  expect_exit 0 "$CHAFF" clean "$WORK/x.warc.wet.gz" -o "$WORK/f.jsonl" -q $flags \
    --attributes "$WORK/attrs"
  cmp -s "$WORK/f.jsonl" "$WORK/ref-f.jsonl" || fail "$flags: output differs from the JSONL run"
  cmp -s "$WORK/attrs/x.warc.wet.jsonl" "$WORK/ref-attrs/same.jsonl" ||
    fail "$flags: attributes differ from the JSONL run"
done
expect_in "$WORK/f.jsonl" '"reason":"near_duplicate"'
[ "$(wc -l < "$WORK/attrs/x.warc.wet.jsonl")" = 53 ] || fail "not one attribute line per document"

# Template lines are counted per host: the footer of www.host.test's 24
# pages is a template line there; the line 24 hosts share once each is not
# (it would be, were the pages of all hosts counted together).
expect_exit 0 "$CHAFF" clean "$WORK/x.warc.wet.gz" -o "$WORK/ann.jsonl" -q --annotate
expect_exit 0 "$CHAFF" clean "$WORK/same.jsonl" -o "$WORK/ann-onesite.jsonl" -q --annotate \
  --site-field none
python3 - "$WORK/ann.jsonl" "$WORK/ann-onesite.jsonl" <<'PY' || fail "templates are not counted per host"
import json, sys
def reasons(path, line):
    out = {}
    for l in open(path):
        d = json.loads(l)
        raw = d["text"].encode()
        at = raw.find(line.encode())
        if at < 0:
            continue
        out[d["url"]] = [s["reason"] for s in d["chaff"]["removed"] if s["start"] <= at < s["end"]]
    return out
footer = reasons(sys.argv[1], "Subscribe to the Host Test newsletter")
shared = reasons(sys.argv[1], "Share this page with your friends")
assert len(footer) == 26 and all(r == ["template"] for r in footer.values()), footer
assert len(shared) == 26 and not any("template" in r for r in shared.values()), shared
one_site = reasons(sys.argv[2], "Share this page with your friends")
assert all(r == ["template"] for r in one_site.values()), one_site
PY

# A tree: x.warc.wet.gz's records go to x.warc.wet.jsonl, beside a text file
# and a JSONL file; its attributes to the same name.
mkdir -p "$WORK/tree/sub"
cp "$WORK/x.warc.wet.gz" "$WORK/tree/sub/"
printf 'A text file.\n' > "$WORK/tree/note.txt"
head -3 "$WORK/same.jsonl" > "$WORK/tree/three.jsonl"
expect_exit 0 "$CHAFF" clean "$WORK/tree" -o "$WORK/tree-out" -q --attributes "$WORK/tree-attrs"
for f in tree-out/sub/x.warc.wet.jsonl tree-out/note.txt tree-out/three.jsonl \
         tree-attrs/sub/x.warc.wet.jsonl tree-attrs/note.txt.jsonl tree-attrs/three.jsonl; do
  [ -f "$WORK/$f" ] || fail "tree: $f is missing: $(cd "$WORK" && find tree-out tree-attrs -type f)"
done
[ "$(wc -l < "$WORK/tree-out/sub/x.warc.wet.jsonl")" = 53 ] || fail "tree: not every document"
expect_exit 2 "$CHAFF" clean - -o "$WORK/stdin-tree/" -q < "$WORK/x.warc.wet.gz"
expect_in "$WORK/err" "stdin (-) can only be cleaned to -o - or -o FILE.jsonl"
expect_exit 2 "$CHAFF" clean "$WORK/x.warc.wet.gz" -o "$WORK/x.txt/" -q --annotate \
  --attributes "$WORK/x.txt"
expect_in "$WORK/err" "is also an output of -o"

# A truncated last member: exit 2 naming the file and the record's offset,
# no output (nor attributes); skipped and counted with --skip-bad-records.
expect_exit 0 "$MAKE_WARC" -i "$WORK/in.jsonl" -o "$WORK/cut.warc.wet.gz" --jsonl "$WORK/cut-same.jsonl" \
  --truncate-last
expect_exit 2 "$CHAFF" clean "$WORK/cut.warc.wet.gz" -o "$WORK/cut.jsonl" --attributes "$WORK/cut-attrs"
grep -qE "^chaff: $WORK/cut.warc.wet.gz: WARC record at offset [0-9]+ \(decompressed\): .*truncated gzip stream.*\(use --skip-bad-records to skip such records\)$" "$WORK/err" ||
  fail "truncated member: $(cat "$WORK/err")"
[ -e "$WORK/cut.jsonl" ] && fail "an output was written for a failed run"
[ -n "$(find "$WORK/cut-attrs" -type f 2>/dev/null)" ] && fail "attributes were written for a failed run"
no_leftovers "$WORK"
expect_exit 0 "$CHAFF" clean "$WORK/cut.warc.wet.gz" -o "$WORK/cut.jsonl" --skip-bad-records \
  --attributes "$WORK/cut-attrs"
expect_in "$WORK/err" "chaff: warning: $WORK/cut.warc.wet.gz: WARC record at offset"
expect_in "$WORK/err" "(skipped: --skip-bad-records)"
expect_in "$WORK/err" "chaff: warning: 1 malformed WARC record(s) skipped (--skip-bad-records)"
expect_in "$WORK/err" "52 documents; skipped"
expect_in "$WORK/err" "; 1 bad"
head -52 "$WORK/cut-same.jsonl" > "$WORK/cut-ref-in.jsonl"
expect_exit 0 "$CHAFF" clean "$WORK/cut-ref-in.jsonl" -o "$WORK/cut-ref.jsonl" -q
cmp -s "$WORK/cut.jsonl" "$WORK/cut-ref.jsonl" || fail "the documents before the cut differ"
[ "$(wc -l < "$WORK/cut-attrs/cut.warc.wet.jsonl")" = 52 ] || fail "attributes of the cut file"
finish
