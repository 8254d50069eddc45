# --html-report writes a self-contained page of the run; report paths are
# outputs too: never an input, the output, or each other.
. "$(dirname "$0")/lib/common.bash"

mkdir -p "$WORK/in"
printf 'Skip to main content\nHome\n\nThe council approved the new budget on Tuesday after a long debate about the <cost> of repairs.\n' > "$WORK/in/a.txt"
printf 'Another page with a paragraph long enough to be content, about the weather and the roads.\n' > "$WORK/in/b.txt"
cp "$WORK/in/a.txt" "$WORK/a.orig"

expect_exit 0 "$CHAFF" clean "$WORK/in" -o "$WORK/mirror" --html-report "$WORK/r.html" --html-report-docs 1 -q
expect_in "$WORK/r.html" '<!DOCTYPE html>'
expect_in "$WORK/r.html" '2 documents'
expect_in "$WORK/r.html" 'The first 1 of 2'
expect_in "$WORK/r.html" 'title="chrome: probability of content'
expect_in "$WORK/r.html" 'the &lt;cost&gt; of repairs'
grep -q 'Another page' "$WORK/r.html" && fail "a document past --html-report-docs was shown"
no_leftovers "$WORK"

# JSONL records are named file:line (and id).
printf '{"id":"doc-7","text":"Menu\\nThe council approved the new budget on Tuesday after a long debate about repairs."}\n' > "$WORK/in.jsonl"
expect_exit 0 "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/cleaned.jsonl" --html-report "$WORK/j.html" -q
expect_in "$WORK/j.html" 'in.jsonl:1 (id doc-7)'

# Never over an input, the output, or the other report.
expect_exit 2 "$CHAFF" clean "$WORK/in" -o "$WORK/mirror2" --html-report "$WORK/in/a.txt"
expect_in "$WORK/err" "refusing to overwrite input"
expect_exit 2 "$CHAFF" clean "$WORK/in" -o "$WORK/mirror2" --report "$WORK/in/a.txt"
expect_in "$WORK/err" "refusing to overwrite input"
cmp -s "$WORK/in/a.txt" "$WORK/a.orig" || fail "input was modified"
expect_exit 2 "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/cleaned.jsonl" --report "$WORK/cleaned.jsonl"
expect_in "$WORK/err" "is also an output of -o"
# ... nor one of a mirrored tree's outputs, nor the other report under another name.
expect_exit 2 "$CHAFF" clean "$WORK/in" -o "$WORK/mirror" --html-report "$WORK/mirror/a.txt"
expect_in "$WORK/err" "is also an output of -o"
expect_exit 2 "$CHAFF" clean "$WORK/in" -o "$WORK/mirror3" --report "$WORK/r.x" --html-report "$WORK/./r.x"
expect_in "$WORK/err" "name the same file"
# Devices and stdout are fine where nothing collides.
expect_exit 0 "$CHAFF" clean "$WORK/in" -o /dev/null --report /dev/null -q
expect_exit 0 "$CHAFF" clean "$WORK/in" -o "$WORK/mirror4" --report - -q
expect_in "$WORK/out" '"total":'
expect_exit 2 "$CHAFF" clean "$WORK/in.jsonl" -o - --report -
expect_in "$WORK/err" "stdout already receives the cleaned text"
expect_exit 2 "$CHAFF" clean "$WORK/in" -o "$WORK/mirror2" --report "$WORK/x" --html-report "$WORK/x"
expect_in "$WORK/err" "name the same file"
finish
