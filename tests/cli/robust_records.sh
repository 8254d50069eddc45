# Malformed JSONL, missing or non-string text fields, duplicate ids, invalid
# UTF-8: each is reported as FILE:LINE with the reason; the default policy
# stops with exit 2 and writes nothing under the output name;
# --skip-bad-records passes the record through byte for byte, counts it (on
# stderr and in the report) and goes on.
. "$(dirname "$0")/lib/common.bash"

good='{"id":"g%d","text":"A good record number %d with enough words to be a paragraph."}\n'
# check_bad NAME LINE_CONTENT EXPECTED_MESSAGE [FLAGS...]
check_bad() {
  local name=$1 bad=$2 want=$3; shift 3
  local in="$WORK/$name.jsonl" out="$WORK/$name-out.jsonl"
  { printf "$good" 1 1; printf '%s\n' "$bad"; printf "$good" 3 3; } > "$in"
  expect_exit 2 "$CHAFF" clean "$in" -o "$out" --no-chrome "$@"
  expect_in "$WORK/err" "chaff: $in:2: $want"
  expect_in "$WORK/err" "--skip-bad-records"
  [ -e "$out" ] && fail "$name: an output was written after a bad record"
  find "$WORK" -name '*chaff-tmp*' | grep -q . && fail "$name: temporary file left"
  expect_exit 0 "$CHAFF" clean "$in" -o "$out" --no-chrome --skip-bad-records \
    --report "$WORK/$name-report.json" "$@"
  [ "$(wc -l < "$out")" = 3 ] || fail "$name: record count changed with --skip-bad-records"
  sed -n 2p "$out" > "$WORK/line2"
  printf '%s\n' "$bad" | cmp -s - "$WORK/line2" || fail "$name: bad record not passed through unchanged"
  expect_in "$WORK/err" "passed 1 bad record(s) through unchanged"
  expect_in "$WORK/$name-report.json" '"bad_records":1'
  expect_in "$out" "A good record number 3"
}

check_bad truncated '{"id":"t","text":"cut off in the mid' 'invalid JSON'
check_bad garbage 'this is not json at all' 'invalid JSON'
check_bad trailing '{"text":"x"} {"text":"y"}' 'invalid JSON'
check_bad array '["text", "an array, not an object"]' 'expected a JSON object'
check_bad missing '{"id":"m","body":"no text field"}' 'missing field "text"'
check_bad number '{"id":"n","text":42}' 'expected a string in field "text"'
check_bad null '{"id":"u","text":null}' 'expected a string in field "text"'
check_bad object '{"id":"o","text":{"nested":"x"}}' 'expected a string in field "text"'
check_bad badid '{"id":[1],"text":"an id that is an array"}' 'expected a string or a number in field "id"'
check_bad dupid '{"id":"g1","text":"the same id as line 1"}' "duplicate id \"g1\" (first seen at $WORK/dupid.jsonl:1)"
check_bad badutf8 "$(printf '{"id":"x","text":"bad \377\376 bytes"}')" 'invalid JSON'
check_bad nul "$(printf '{"id":"z","text":"raw NUL \001 control"}')" 'invalid JSON'

# Duplicate ids across files: reported with both places.
printf '{"id":7,"text":"first"}\n' > "$WORK/a.jsonl"
printf '{"id":"x","text":"other"}\n{"id":7,"text":"second"}\n' > "$WORK/b.jsonl"
expect_exit 2 "$CHAFF" clean "$WORK/a.jsonl" "$WORK/b.jsonl" -o "$WORK/ab.jsonl"
expect_in "$WORK/err" "$WORK/b.jsonl:2: duplicate id \"7\" (first seen at $WORK/a.jsonl:1)"
# An empty --id-field turns the check off.
expect_exit 0 "$CHAFF" clean "$WORK/a.jsonl" "$WORK/a.jsonl" -o - --id-field '' -q

# The last line without a newline is still a record, with its line number.
printf '{"text":"ok"}\n{"text":' > "$WORK/nonl.jsonl"
expect_exit 2 "$CHAFF" clean "$WORK/nonl.jsonl" -o -
expect_in "$WORK/err" "$WORK/nonl.jsonl:2: invalid JSON"

# Escaped NUL and control characters inside a valid string are text.
printf '{"text":"nul \\u0000 and bell \\u0007 inside"}\n' > "$WORK/esc.jsonl"
expect_exit 0 "$CHAFF" clean "$WORK/esc.jsonl" -o "$WORK/esc-out.jsonl" --no-chrome --no-templates -q
cmp -s "$WORK/esc.jsonl" "$WORK/esc-out.jsonl" || fail "escaped NUL changed: $(cat "$WORK/esc-out.jsonl")"

# A corrupt gzip stream (here cut short after its first record was
# readable) is an unreadable input: skipped whole with a warning naming it,
# the other inputs written, exit 2. Into one JSONL output and into a tree.
printf '{"text":"ok"}\n{"text":"second record"}\n' | gzip > "$WORK/c.jsonl.gz"
head -c 40 "$WORK/c.jsonl.gz" > "$WORK/cut.jsonl.gz"
printf '{"text":"a good file beside it"}\n' > "$WORK/good.jsonl"
expect_exit 2 "$CHAFF" clean "$WORK/cut.jsonl.gz" "$WORK/good.jsonl" -o "$WORK/cut-out.jsonl" \
  --no-chrome
expect_in "$WORK/err" "$WORK/cut.jsonl.gz: skipped:"
expect_in "$WORK/err" "could not be read"
[ "$(cat "$WORK/cut-out.jsonl")" = '{"text":"a good file beside it"}' ] ||
  fail "the output is not the good file's record alone: $(cat "$WORK/cut-out.jsonl")"
mkdir -p "$WORK/tree"
cp "$WORK/cut.jsonl.gz" "$WORK/good.jsonl" "$WORK/tree/"
printf 'A plain text page of its own, kept as it is.\n' > "$WORK/tree/page.txt"
expect_exit 2 "$CHAFF" clean "$WORK/tree" -o "$WORK/tree-out" --no-chrome
expect_in "$WORK/err" "$WORK/tree/cut.jsonl.gz: skipped:"
[ -e "$WORK/tree-out/cut.jsonl.gz" ] && fail "an output was written for the corrupt input"
cmp -s "$WORK/tree/good.jsonl" "$WORK/tree-out/good.jsonl" || fail "good.jsonl not written"
cmp -s "$WORK/tree/page.txt" "$WORK/tree-out/page.txt" || fail "page.txt not written"
find "$WORK" -name '*chaff-tmp*' | grep -q . && fail "temporary file left"
finish
