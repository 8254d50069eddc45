# JSONL: other fields pass through untouched, records stay in input order,
# malformed records are reported with file:line.
. "$(dirname "$0")/lib/common.bash"

dup='Washington said the talks had ended without an agreement after both sides rejected the latest proposal.'
{
  printf '{"id": "a", "url": "http://example.org/1", "meta": {"n": [1, 2.50, null]}, "text": "First paragraph that stays in the document for sure.\\n\\n%s\\n\\n%s\\n"}\n' "$dup" "$dup"
  printf '{"text": "Second record, kept as it is, with a unicode caf\\u00e9.", "id": 2, "extra": "\\u2028"}\n'
  printf '{"id": "c", "text": ""}\n'
} > "$WORK/in.jsonl"

expect_exit 0 "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/out.jsonl" -q --no-chrome
[ "$(wc -l < "$WORK/out.jsonl")" = 3 ] || fail "record count changed"
expect_in "$WORK/out.jsonl" '{"id": "a", "url": "http://example.org/1", "meta": {"n": [1, 2.50, null]}, "text": '
expect_in "$WORK/out.jsonl" ', "id": 2, "extra": "\u2028"}'
head -1 "$WORK/out.jsonl" | grep -o "$dup" | wc -l | grep -qx 1 || fail "the repeated paragraph was not removed once"
sed -n 3p "$WORK/out.jsonl" | grep -qx '{"id": "c", "text": ""}' || fail "empty record changed"

# Same through stdin/stdout, with 1 and 2 threads: identical bytes.
expect_exit 0 "$CHAFF" clean -q --no-chrome -o - --threads 1 < "$WORK/in.jsonl"
cp "$WORK/out" "$WORK/t1"
expect_exit 0 "$CHAFF" clean -q --no-chrome -o - --threads 2 - < "$WORK/in.jsonl"
cmp -s "$WORK/out" "$WORK/t1" || fail "output differs with thread count"
cmp -s "$WORK/out" "$WORK/out.jsonl" || fail "stdin output differs from file output"

# Malformed record: exit 2 naming file and line; with --skip-bad-records it passes.
{ printf '{"text": "ok"}\n'; printf '{"text": 17}\n'; printf '{"text": "after"}\n'; } > "$WORK/bad.jsonl"
expect_exit 2 "$CHAFF" clean "$WORK/bad.jsonl" -o "$WORK/bad-out.jsonl"
expect_in "$WORK/err" "chaff: $WORK/bad.jsonl:2: expected a string in field \"text\""
[ -e "$WORK/bad-out.jsonl" ] && fail "a partial output was left under the final name"
expect_exit 0 "$CHAFF" clean "$WORK/bad.jsonl" -o "$WORK/bad-out.jsonl" --skip-bad-records
sed -n 2p "$WORK/bad-out.jsonl" | grep -qx '{"text": 17}' || fail "bad record not passed through unchanged"
expect_in "$WORK/err" "1 bad record"

printf '{"text": "x", "id": 1}\n{"text": "y", "id": 1}\n' > "$WORK/dup.jsonl"
expect_exit 2 "$CHAFF" clean "$WORK/dup.jsonl" -o -
expect_in "$WORK/err" "dup.jsonl:2: duplicate id \"1\" (first seen at $WORK/dup.jsonl:1)"

printf '{"body": "x"}\n' > "$WORK/nofield.jsonl"
expect_exit 2 "$CHAFF" clean "$WORK/nofield.jsonl" -o -
expect_in "$WORK/err" "nofield.jsonl:1: missing field \"text\""
expect_exit 0 "$CHAFF" clean "$WORK/nofield.jsonl" -o - --text-field body -q
finish
