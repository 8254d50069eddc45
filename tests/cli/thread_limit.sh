# --threads: more than the CPUs is lowered to them (said on stderr), so
# --threads 100000 runs like the default instead of aborting; and when the
# system refuses a thread anyway, chaff dedupe fails with a message saying
# so (exit 2, no output, no temporary file), and the band builders of
# --no-split-chains carry on with the threads they have.
. "$(dirname "$0")/lib/common.bash"
cd "$WORK" || exit 1
for i in $(seq 1 300); do
  printf '{"id":%d,"text":"Record %d tells of the harbour, the %d boats and the storm of %d."}\n' \
    "$i" "$i" $((i % 7)) $((i % 3))
done > in.jsonl
"$CHAFF" dedupe in.jsonl -o want.jsonl --clusters want-clusters.jsonl -j 1 -q || fail "reference run"

expect_exit 0 "$CHAFF" dedupe in.jsonl -o many.jsonl --clusters many-clusters.jsonl --threads 100000
expect_in "$WORK/err" "--threads 100000 lowered to"
cmp -s many.jsonl want.jsonl && cmp -s many-clusters.jsonl want-clusters.jsonl ||
  fail "--threads 100000 changed the output"
expect_exit 0 "$CHAFF" dedupe in.jsonl -o quiet.jsonl --threads 100000 -q
[ -s "$WORK/err" ] && fail "-q still printed: $(head -1 "$WORK/err")"
"$CHAFF" dedupe --help | grep -q "more than that is lowered to it" || fail "--help does not say"
no_leftovers "$WORK"

# The shim (built with the tests, not in sanitizer builds) makes
# pthread_create fail after CHAFF_SHIM_THREADS threads.
SHIM=${CHAFF_THREAD_LIMIT_SHIM:-}
if [ -z "$SHIM" ]; then
  echo "note: no thread-limit shim in this build (sanitizers); the refused-thread cases are skipped"
  finish
fi
[ -f "$SHIM" ] || { fail "$SHIM missing"; finish; }
limited() {  # limited N CMD...: CMD with N threads allowed
  local n=$1
  shift
  CHAFF_SHIM_THREADS=$n LD_PRELOAD="$SHIM" timeout 60 "$@"
}
cores=$(nproc)
if [ "$cores" -ge 2 ]; then
  limited 1 "$CHAFF" dedupe in.jsonl -o refused.jsonl --clusters refused-clusters.jsonl -j 2 -q \
    > out 2> err
  rc=$?
  [ $rc = 2 ] || fail "exit $rc when a worker thread was refused (wanted 2)"
  expect_in err "cannot start 2 worker threads (Resource temporarily unavailable); use fewer threads"
  [ -e refused.jsonl ] || [ -e refused-clusters.jsonl ] && fail "an output exists after the failure"
  no_leftovers "$WORK"
  # Components (--no-split-chains): two workers for pass 1, then no thread
  # for the band builders, who build on the calling thread.
  limited 2 "$CHAFF" dedupe in.jsonl -o comp.jsonl --clusters comp-clusters.jsonl -j 2 \
    --no-split-chains -q 2> err || fail "--no-split-chains without builder threads: $(head -2 err)"
  "$CHAFF" dedupe in.jsonl -o comp-want.jsonl --clusters comp-want-clusters.jsonl -j 1 \
    --no-split-chains -q
  cmp -s comp.jsonl comp-want.jsonl && cmp -s comp-clusters.jsonl comp-want-clusters.jsonl ||
    fail "--no-split-chains without builder threads changed the output"
else
  echo "note: one CPU: -j 2 is lowered to 1 and starts no thread to refuse"
fi
finish
