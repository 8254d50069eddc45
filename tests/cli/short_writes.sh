# Every writer survives short writes and EINTR: with a shim that lets each
# write(2)/writev(2) take at most 777 bytes (ending inside an iovec) and
# fails every third call with EINTR, clean and dedupe write exactly what they
# write without it (plain, compressed, stdout, a stdin spool).
. "$(dirname "$0")/lib/common.bash"
# CMake sets CHAFF_SHORT_WRITES_SHIM, except in sanitizer builds (the
# sanitizers intercept write themselves).
SHIM=${CHAFF_SHORT_WRITES_SHIM:-}
if [ -z "$SHIM" ]; then
  echo "SKIPPED: no short-write shim in this build (sanitizers)"
  exit 77
fi
[ -f "$SHIM" ] || { echo "FAIL: $SHIM missing"; exit 1; }
export CHAFF_SHIM_COUNT="$WORK/shim-calls"
# A writer that mishandled a short write could loop for ever: bound each run.
shimmed() { timeout 120 env LD_PRELOAD="$SHIM" "$@"; }

python3 - "$WORK/in.jsonl" <<'PY'
import json, random, sys
random.seed(7)
words = "the council approved budget after long debate about bridge repairs library service members said plan would protect".split()
with open(sys.argv[1], "w") as f:
    docs = []
    for i in range(3000):
        if docs and random.random() < 0.2:
            text = random.choice(docs)
        else:
            text = " ".join(random.choice(words) for _ in range(random.randint(20, 400)))
            docs.append(text)
        f.write(json.dumps({"id": i, "text": "Menu\nHome\n" + text + "\nShare this"}) + "\n")
PY
# The corpus is over 1 MiB, so dedupe maps it and writes runs with writev.
[ "$(stat -c %s "$WORK/in.jsonl")" -gt 1100000 ] || fail "corpus too small to be mapped"

for out in dd.jsonl dd.jsonl.gz dd.jsonl.zst; do
  expect_exit 0 "$CHAFF" dedupe "$WORK/in.jsonl" -o "$WORK/ref-$out" -q
  expect_exit 0 shimmed "$CHAFF" dedupe "$WORK/in.jsonl" -o "$WORK/shim-$out" -q
  cmp -s "$WORK/ref-$out" "$WORK/shim-$out" || fail "dedupe -o $out differs under short writes"
done
expect_exit 0 "$CHAFF" dedupe "$WORK/in.jsonl" --clusters "$WORK/ref-c.jsonl" -o "$WORK/ref-k.jsonl" -q
expect_exit 0 shimmed "$CHAFF" dedupe "$WORK/in.jsonl" --clusters "$WORK/shim-c.jsonl" -o "$WORK/shim-k.jsonl" -q
cmp -s "$WORK/ref-c.jsonl" "$WORK/shim-c.jsonl" || fail "--clusters differs under short writes"
cmp -s "$WORK/ref-k.jsonl" "$WORK/shim-k.jsonl" || fail "dedupe (with ids) differs under short writes"

# stdin: spooled to a temporary file, then deduplicated to stdout.
"$CHAFF" dedupe -o - -q < "$WORK/in.jsonl" > "$WORK/ref-stdout.jsonl" || fail "dedupe from stdin failed"
shimmed "$CHAFF" dedupe -o - -q < "$WORK/in.jsonl" > "$WORK/shim-stdout.jsonl" ||
  fail "dedupe from stdin failed under short writes"
cmp -s "$WORK/ref-stdout.jsonl" "$WORK/shim-stdout.jsonl" || fail "dedupe to stdout differs under short writes"

expect_exit 0 "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/ref-clean.jsonl" --report "$WORK/ref-r.json" -q
expect_exit 0 shimmed "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/shim-clean.jsonl" --report "$WORK/shim-r.json" -q
cmp -s "$WORK/ref-clean.jsonl" "$WORK/shim-clean.jsonl" || fail "clean differs under short writes"
sed 's/ref-clean/X/' "$WORK/ref-r.json" > "$WORK/a" ; sed 's/shim-clean/X/' "$WORK/shim-r.json" > "$WORK/b"
cmp -s "$WORK/a" "$WORK/b" || fail "the run report differs under short writes"
# The shim ran in every shimmed process and intercepted writes.
[ "$(wc -l < "$WORK/shim-calls")" -ge 6 ] || fail "the shim did not run in every shimmed process"
awk '$1 == 0 { bad = 1 } END { exit bad }' "$WORK/shim-calls" || fail "a shimmed run intercepted no write"
no_leftovers "$WORK"
finish
