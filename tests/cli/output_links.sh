# Outputs through symbolic links: every output (-o, --clusters, --report,
# --html-report) written through a link lands on the link's final target and
# leaves the link a link; a link to a descriptor (what /dev/stdout and
# /dev/stderr are: links to /proc/self/fd/N) writes to that descriptor,
# whatever it is open on, with no temporary file; a link that leads nowhere
# makes its target. Only links made inside $WORK are used, never the
# system's /dev/stdout.
. "$(dirname "$0")/lib/common.bash"
cd "$WORK" || exit 1

printf '%s\n' \
  '{"id":1,"text":"The council approved the new budget for the coming year on Tuesday evening."}' \
  '{"id":2,"text":"The council approved the new budget for the coming year on Tuesday evening."}' \
  '{"id":3,"text":"A storm closed the northern road and the ferry did not sail that morning."}' \
  > in.jsonl
"$CHAFF" dedupe in.jsonl -o want-kept.jsonl --clusters want-clusters.jsonl -q ||
  fail "the reference run failed"
mkdir -p seeds
cp "$SRC/seeds/001_c660957b31b92727.txt" seeds/page.txt
"$CHAFF" clean seeds -o want-tree --report want-report.json --html-report want.html -q ||
  fail "the reference clean run failed"

expect_link_to() {  # expect_link_to LINK TARGET WANT: LINK still points to TARGET, which holds WANT
  [ -L "$1" ] || fail "$1 is no longer a symbolic link"
  [ "$(readlink "$1")" = "$2" ] || fail "$1 now points to $(readlink "$1") (wanted $2)"
  cmp -s "$1" "$3" || fail "the target $2 of $1 does not hold $3"
}

# --- -o and --clusters through relative links to existing files elsewhere.
mkdir -p elsewhere
echo old > elsewhere/kept.jsonl
echo old > elsewhere/clusters.jsonl
ln -s elsewhere/kept.jsonl kept.jsonl
ln -s elsewhere/clusters.jsonl clusters.jsonl
expect_exit 0 "$CHAFF" dedupe in.jsonl -o kept.jsonl --clusters clusters.jsonl -q
expect_link_to kept.jsonl elsewhere/kept.jsonl want-kept.jsonl
expect_link_to clusters.jsonl elsewhere/clusters.jsonl want-clusters.jsonl
no_leftovers "$WORK"

# --- A chain of links, the last one absolute; and a link that leads
# nowhere yet (its target is made, the link kept).
ln -s "$WORK/elsewhere/chained.jsonl" elsewhere/hop.jsonl
ln -s elsewhere/hop.jsonl chain.jsonl
ln -s elsewhere/new-clusters.jsonl dangling.jsonl
expect_exit 0 "$CHAFF" dedupe in.jsonl -o chain.jsonl --clusters dangling.jsonl -q
[ -L chain.jsonl ] && [ -L elsewhere/hop.jsonl ] || fail "a link of the chain was replaced"
cmp -s elsewhere/chained.jsonl want-kept.jsonl || fail "the end of the chain does not hold the output"
[ -L dangling.jsonl ] || fail "the dangling link was replaced"
cmp -s elsewhere/new-clusters.jsonl want-clusters.jsonl || fail "the dangling link's target was not made"
no_leftovers "$WORK"
# ... whose directory must exist: a clear error, no file made anywhere.
ln -s nowhere/x.jsonl lost.jsonl
expect_exit 2 "$CHAFF" dedupe in.jsonl -o lost.jsonl -q
expect_in "$WORK/err" "lost.jsonl: cannot create nowhere/x.jsonl, where the link leads: No such file or directory"
[ -L lost.jsonl ] || fail "the link that leads nowhere was replaced"

# --- The reports and the mirrored tree of chaff clean through links.
mkdir -p elsewhere/tree
echo old > elsewhere/report.json
ln -s elsewhere/report.json report.json
ln -s elsewhere/page.html page.html
ln -s elsewhere/tree tree
expect_exit 0 "$CHAFF" clean seeds -o tree --report report.json --html-report page.html -q
[ -L report.json ] && [ -L page.html ] && [ -L tree ] || fail "a report link was replaced"
cmp -s elsewhere/report.json want-report.json || fail "the report did not go through its link"
grep -q 'chaff clean seeds -o tree' elsewhere/page.html ||
  fail "the HTML report did not go through its link"
cmp -s elsewhere/tree/page.txt want-tree/page.txt || fail "the tree was not mirrored through its link"
no_leftovers "$WORK"

# --- Links to descriptors, as /dev/stdout and /dev/stderr are: the bytes go
# to the descriptor, appended to what it already received, and the link
# stays. Stdout a regular file (a rename would have replaced the link, and
# opening the file afresh would have written over its start)...
ln -s /proc/self/fd/1 my-stdout
ln -s /dev/fd/2 my-stderr
{ echo "before"; "$CHAFF" dedupe in.jsonl -o /dev/null --clusters my-stdout -q; echo "after"; } \
  > stdout.txt 2>"$WORK/err"
[ -L my-stdout ] || fail "the link to /proc/self/fd/1 was replaced"
{ echo before; cat want-clusters.jsonl; echo after; } > want-stdout.txt
cmp -s stdout.txt want-stdout.txt || fail "--clusters to a link to fd 1 (a file) did not append to it"
# ... a pipe ...
"$CHAFF" dedupe in.jsonl -o my-stdout -q 2>"$WORK/err" | cat > piped.txt
cmp -s piped.txt want-kept.jsonl || fail "-o to a link to fd 1 (a pipe) lost the output"
# ... stderr, as a run is watched: --report to a link to fd 2.
"$CHAFF" clean seeds/page.txt -o - --report my-stderr -q > /dev/null 2> report-err.json
[ -L my-stderr ] || fail "the link to /dev/fd/2 was replaced"
expect_in report-err.json '"files":[{"path":"seeds/page.txt"'
# ... and -o of chaff clean (a stream, like -o -).
"$CHAFF" clean seeds/page.txt -o my-stdout -q > cleaned.txt 2>"$WORK/err" ||
  fail "clean -o to a link to fd 1 failed: $(head -2 "$WORK/err")"
cmp -s cleaned.txt want-tree/page.txt || fail "clean -o to a link to fd 1 lost the output"
"$CHAFF" clean in.jsonl -o - -q > want-cleaned.jsonl
"$CHAFF" clean in.jsonl -o my-stdout -q > cleaned.jsonl 2>"$WORK/err" ||
  fail "clean of JSONL to a link to fd 1 failed: $(head -2 "$WORK/err")"
cmp -s cleaned.jsonl want-cleaned.jsonl || fail "clean of JSONL -o a link to fd 1 lost the output"
no_leftovers "$WORK"

# --- A link to a FIFO is written in place too.
if mkfifo elsewhere/fifo 2>/dev/null; then
  ln -s elsewhere/fifo fifo-link.jsonl
  cat elsewhere/fifo > from-fifo.jsonl &
  reader=$!
  expect_exit 0 "$CHAFF" dedupe in.jsonl -o fifo-link.jsonl -q
  wait $reader
  [ -p elsewhere/fifo ] && [ -L fifo-link.jsonl ] || fail "the FIFO or its link was replaced"
  cmp -s from-fifo.jsonl want-kept.jsonl || fail "the FIFO behind a link did not get the output"
fi
finish
