# All outputs of one run appear together, or none: when a report cannot be
# written, the cleaned output (and the other report) are not left in place.
. "$(dirname "$0")/lib/common.bash"

printf '{"id":1,"text":"A first record that reads like an article, with a full stop."}\n' > "$WORK/in.jsonl"
printf 'a regular file, so that nothing can be created below it\n' > "$WORK/file"

# --report into a path that cannot be created.
expect_exit 2 "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/out.jsonl" --report "$WORK/file/r.json"
expect_in "$WORK/err" "$WORK/file/r.json"
[ -e "$WORK/out.jsonl" ] && fail "the cleaned output was left although --report failed"

# --html-report failing after --report was written: neither stays.
expect_exit 2 "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/out.jsonl" --report "$WORK/r.json" \
  --html-report "$WORK/file/r.html"
[ -e "$WORK/out.jsonl" ] && fail "the cleaned output was left although --html-report failed"
[ -e "$WORK/r.json" ] && fail "--report was left although --html-report failed"

# A tree: no mirror is left either.
mkdir -p "$WORK/tree"
printf 'A page of text that reads like an article, with a full stop.\n' > "$WORK/tree/a.txt"
cp "$WORK/in.jsonl" "$WORK/tree/b.jsonl"
expect_exit 2 "$CHAFF" clean "$WORK/tree" -o "$WORK/tree-out" --report "$WORK/file/r.json"
[ -e "$WORK/tree-out/a.txt" ] || [ -e "$WORK/tree-out/b.jsonl" ] &&
  fail "a mirror was left although --report failed"
no_leftovers "$WORK"

# And when everything can be written, everything is there.
expect_exit 0 "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/out.jsonl" --report "$WORK/r.json" \
  --html-report "$WORK/r.html" -q
for f in out.jsonl r.json r.html; do [ -s "$WORK/$f" ] || fail "$f missing"; done
finish
