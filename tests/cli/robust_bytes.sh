# Any bytes are text: invalid UTF-8, NUL bytes (in a file named on the
# command line, which is never skipped as binary), lone CR, no final
# newline, empty files, empty JSONL. Nothing crashes, nothing is rewritten,
# and the report accounts for every input byte: bytes = kept + removed, and
# kept bytes = the size of the cleaned output.
. "$(dirname "$0")/lib/common.bash"

# json_num FILE KEY: the first number after "KEY": in a one-line JSON file.
json_num() { grep -o "\"$2\":[0-9]*" "$1" | head -1 | cut -d: -f2; }

# check_identity INPUT OUTPUT REPORT: the accounting identity for one text file.
check_identity() {
  local in=$1 out=$2 rep=$3
  local size; size=$(wc -c < "$in")
  local bytes kept removed
  bytes=$(json_num "$rep" bytes); kept=$(json_num "$rep" kept_bytes)
  removed=$(json_num "$rep" removed_bytes)
  [ "$bytes" = "$size" ] || fail "$in: report says $bytes bytes in, file has $size"
  [ $((kept + removed)) = "$size" ] || fail "$in: kept $kept + removed $removed != $size"
  [ "$kept" = "$(wc -c < "$out")" ] || fail "$in: kept $kept but output has $(wc -c < "$out") bytes"
}

PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
mkdir -p "$WORK/in"
printf 'Caf\xe9 au lait \xff\xfe\xfd is not UTF-8 but it is still a line of text here.\n\xc3\x28 \xe2\x82 \xf0\x9f\x98 truncated sequences\n' > "$WORK/in/latin1.txt"
printf 'A line with a NUL \000 byte in the middle of the words.\n\000\000\000\nAnd after.\n' > "$WORK/in/nul.txt"
printf 'old mac\rline endings\ronly CR\r' > "$WORK/in/cr.txt"
printf 'Windows line endings here.\r\n\r\nSecond paragraph.\r\n' > "$WORK/in/crlf.txt"
printf 'no final newline at the end of this text' > "$WORK/in/nonl.txt"
printf '\n\n\n   \n\t\n' > "$WORK/in/blank.txt"
: > "$WORK/in/empty.txt"
head -c 300000 /dev/urandom | tr -d '\000' > "$WORK/in/random.txt"  # noise, no NUL

for f in "$WORK"/in/*.txt; do
  name=$(basename "$f")
  for mode in "" "--no-chrome --no-repeats --no-templates"; do
    # shellcheck disable=SC2086
    expect_exit 0 "$CHAFF" clean "$f" -o "$WORK/o/" --report "$WORK/r.json" -q $mode
    [ -f "$WORK/o/$name" ] || { fail "$name: no output"; continue; }
    check_identity "$f" "$WORK/o/$name" "$WORK/r.json"
    if [ -n "$mode" ]; then
      cmp -s "$f" "$WORK/o/$name" || fail "$name: bytes changed with every detector off"
    fi
    rm -rf "$WORK/o"
  done
  # Annotations are valid JSON whatever the bytes.
  expect_exit 0 "$CHAFF" clean "$f" -o "$WORK/a/" --annotate -q
  "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/a/$name.json" 2>"$WORK/pyerr" ||
    fail "$name: annotation is not valid JSON: $(head -1 "$WORK/pyerr")"
  rm -rf "$WORK/a"
  # explain too.
  expect_exit 0 "$CHAFF" explain "$f"
done

# The same bytes through stdin to stdout.
expect_exit 0 "$CHAFF" clean -o - --no-chrome --no-repeats --no-templates -q < "$WORK/in/nul.txt"
cmp -s "$WORK/out" "$WORK/in/nul.txt" || fail "stdin to stdout changed NUL bytes"
expect_exit 0 "$CHAFF" clean -o - -q < /dev/null
[ -s "$WORK/out" ] && fail "empty stdin gave output: $(head -c 200 "$WORK/out" | od -c | head -3)"

# Empty JSONL, a JSONL of blank lines, and an empty compressed JSONL.
: > "$WORK/empty.jsonl"
printf '\n\n  \n' > "$WORK/blank.jsonl"
: | gzip > "$WORK/empty.jsonl.gz"
: | zstd -q > "$WORK/empty.jsonl.zst" 2>/dev/null || : > "$WORK/empty.jsonl.zst"
for f in empty.jsonl blank.jsonl empty.jsonl.gz empty.jsonl.zst; do
  expect_exit 0 "$CHAFF" clean "$WORK/$f" -o "$WORK/out-$f.jsonl" --report "$WORK/r.json"
  [ -f "$WORK/out-$f.jsonl" ] || fail "$f: no output file"
  [ -s "$WORK/out-$f.jsonl" ] && fail "$f: output not empty"
  expect_in "$WORK/r.json" '"documents":0'
done
expect_exit 0 "$CHAFF" clean "$WORK/empty.jsonl" -o "$WORK/tree-out"
[ -f "$WORK/tree-out/empty.jsonl" ] || fail "empty JSONL not mirrored"
finish
