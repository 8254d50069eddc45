# Outputs cannot be half-written: a write error (full disk, file size limit)
# or SIGINT leaves no file under the final name and no temporary file, and
# the exit code says so; a broken pipe on stdout ends quietly with exit 0.
. "$(dirname "$0")/lib/common.bash"

FULL="$WORK/full"
mkdir -p "$FULL"
trap 'umount "$FULL" 2>/dev/null; chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT

# Inputs: 2,000 records (~400 KB) of distinct text, and a tree of 4 files of
# ~40 KB each.
seq 1 2000 | awk '{printf "{\"id\":%d,\"text\":\"Record %d says something different from every other record, number %d of them.\\nAnd a second paragraph for record %d that is long enough to stay.\\n\"}\n",$1,$1,$1*7,$1}' > "$WORK/in.jsonl"
mkdir -p "$WORK/tree"
for f in a b c d; do
  seq 1 1000 | awk -v f=$f '{printf "Paragraph %d of file %s, with enough words to be kept as content.\n\n",$1,f}' > "$WORK/tree/$f.txt"
done

# --- A full disk: a 64 KiB tmpfs (needs root; skipped with a note otherwise).
if mount -t tmpfs -o size=64k tmpfs "$FULL" 2>/dev/null; then
  expect_exit 2 "$CHAFF" clean "$WORK/in.jsonl" -o "$FULL/out.jsonl" --no-chrome --no-templates
  expect_in "$WORK/err" "$FULL/out.jsonl: write failed: No space left on device"
  [ -e "$FULL/out.jsonl" ] && fail "a partial output remains under the final name (ENOSPC)"
  no_leftovers "$FULL"
  # Tree mode: files that fit are complete, the one that did not is absent.
  expect_exit 2 "$CHAFF" clean "$WORK/tree" -o "$FULL/tree" --no-chrome --no-repeats --no-templates -j 1
  expect_in "$WORK/err" "No space left on device"
  for f in "$FULL"/tree/*.txt; do
    [ -e "$f" ] || continue
    cmp -s "$f" "$WORK/tree/$(basename "$f")" || fail "$f is not complete"
  done
  [ -e "$FULL/tree/d.txt" ] && fail "all four files fit in 64 KiB?"
  no_leftovers "$FULL"
  # The report is written atomically too.
  rm -rf "${FULL:?}"/*
  head -c 1000000 /dev/zero > "$FULL/filler" 2>/dev/null  # fills the disk
  expect_exit 2 "$CHAFF" clean "$WORK/tree/a.txt" -o - --report "$FULL/report.json" -q
  [ -e "$FULL/report.json" ] && fail "a partial report remains (ENOSPC)"
  no_leftovers "$FULL"
  umount "$FULL"
else
  echo "note: cannot mount a tmpfs (not root?); the full-disk case runs with ulimit -f only"
fi

# --- A file size limit (ulimit -f, in KiB): write() fails with EFBIG.
( ulimit -f 64; exec "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/lim.jsonl" --no-chrome --no-templates ) \
  >"$WORK/out" 2>"$WORK/err"
rc=$?
[ $rc = 2 ] || fail "exit $rc under ulimit -f (wanted 2)"
expect_in "$WORK/err" "$WORK/lim.jsonl: write failed: File too large"
[ -e "$WORK/lim.jsonl" ] && fail "a partial output remains under the final name (EFBIG)"
no_leftovers "$WORK"
# The same input without the limit succeeds (so the failure was the limit).
expect_exit 0 "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/lim.jsonl" --no-chrome -q
[ "$(wc -l < "$WORK/lim.jsonl")" = 2000 ] || fail "records lost without a limit"

# --- SIGINT while a read of stdin is blocked: stops at once (not when the
# writer finally closes), exit 130, no output, no temporary file. chaff
# dedupe reads stdin on a worker thread (one pass, no copy): the signal goes
# to the main thread, and the blocked reader must still give up.
rm -f "$WORK/lim.jsonl"
mkfifo "$WORK/fifo"
sigint_blocked_read() {  # sigint_blocked_read LABEL CHAFF-ARGS... (output $WORK/int.jsonl)
  local label=$1; shift
  ( head -100 "$WORK/in.jsonl"; exec sleep 8 ) > "$WORK/fifo" 2>/dev/null &
  local producer=$!
  "$CHAFF" "$@" < "$WORK/fifo" >"$WORK/out" 2>"$WORK/err" &
  local pid=$!
  sleep 1
  local start; start=$(date +%s)
  kill -INT $pid
  wait $pid
  local rc=$?
  local took=$(( $(date +%s) - start ))
  kill $producer 2>/dev/null
  wait $producer 2>/dev/null
  [ $rc = 130 ] || fail "$label: exit $rc after SIGINT on a blocked read (wanted 130)"
  [ $took -le 4 ] || fail "$label: SIGINT took ${took}s to stop a blocked read"
  expect_in "$WORK/err" "interrupted"
  [ -e "$WORK/int.jsonl" ] && fail "$label: an output exists after SIGINT"
  no_leftovers "$WORK"
}
sigint_blocked_read "clean" clean - -o "$WORK/int.jsonl"
sigint_blocked_read "dedupe -j 1" dedupe - -o "$WORK/int.jsonl" -j 1
sigint_blocked_read "dedupe -j 2" dedupe - -o "$WORK/int.jsonl" -j 2

# --- SIGINT in the middle of a long run (a large JSONL file).
big="$WORK/big.jsonl"
seq 1 400000 | awk '{printf "{\"id\":%d,\"text\":\"Record %d says something different from every other record, number %d.\\n\"}\n",$1,$1,$1*7}' > "$big"
interrupted 'kill -INT $PID 2>/dev/null' "$CHAFF" clean "$big" -o "$WORK/big-out.jsonl" -j 1
expect_stopped 130 "$WORK/big-out.jsonl" "SIGINT mid-run"

# --- A second SIGINT ends the run at once, and still leaves no temporary
# file.
interrupted 'kill -INT $PID 2>/dev/null; sleep 0.05; kill -INT $PID 2>/dev/null' \
  "$CHAFF" clean "$big" -o "$WORK/big-out.jsonl" -j 1
expect_stopped 130 "$WORK/big-out.jsonl" "two SIGINTs"

# --- The copy of stdin that --dedupe spools to $TMPDIR goes too.
mkdir -p "$WORK/tmp"
# (A background job's stdin is /dev/null unless the job redirects it.)
TMPDIR="$WORK/tmp" interrupted --after 0.5 \
  'kill -INT $PID 2>/dev/null; sleep 0.05; kill -INT $PID 2>/dev/null' \
  bash -c 'exec "$0" clean - -o "$1" --dedupe -j 1 < "$2"' "$CHAFF" "$WORK/spooled.jsonl" "$big"
if expect_stopped 130 "$WORK/spooled.jsonl" "two SIGINTs with stdin spooled"; then
  [ -z "$(ls -A "$WORK/tmp")" ] || fail "the spooled copy of stdin remains: $(ls "$WORK/tmp")"
fi

# --- An input truncated by someone else while chaff reads it (large inputs
# are memory-mapped, so this raises SIGBUS): a clear error, exit 2, no
# output, no temporary file. Then the same handler on a plain SIGBUS.
cp "$big" "$WORK/shrinking.jsonl"
interrupted 'truncate -s 0 "$WORK/shrinking.jsonl"' \
  "$CHAFF" clean "$WORK/shrinking.jsonl" -o "$WORK/shrunk.jsonl" -j 1
if expect_stopped 2 "$WORK/shrunk.jsonl" "the input was truncated"; then
  expect_in "$WORK/err" "was an input file truncated while chaff read it?"
fi
interrupted 'kill -BUS $PID 2>/dev/null' "$CHAFF" clean "$big" -o "$WORK/bus.jsonl" -j 1
expect_stopped 2 "$WORK/bus.jsonl" "SIGBUS" && expect_in "$WORK/err" "bus error"

# --- Broken pipe: the reader goes away; chaff ends quietly with exit 0.
"$CHAFF" clean "$big" -o - 2>"$WORK/err" | head -c 100 >/dev/null
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || fail "exit $rc on a broken pipe (wanted 0)"
[ -s "$WORK/err" ] && fail "messages on a broken pipe: $(head -2 "$WORK/err")"
cat "$WORK"/tree/*.txt | "$CHAFF" clean - -o - --no-chrome --no-repeats --no-templates 2>"$WORK/err" |
  head -c 10 >/dev/null
rc=${PIPESTATUS[1]}
[ "$rc" = 0 ] || fail "exit $rc on a broken pipe from a text document (wanted 0)"
[ -s "$WORK/err" ] && fail "messages on a broken pipe (text): $(head -2 "$WORK/err")"
finish
