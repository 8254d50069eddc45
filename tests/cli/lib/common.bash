# Shared by tests/cli/*.sh. Each test is run by ctest as
#   bash tests/cli/NAME.sh /path/to/chaff /path/to/source
set -u
CHAFF=$1
SRC=$2
WORK=$(mktemp -d)
trap 'chmod -R u+rwx "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
FAILS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# expect_exit CODE CMD... : runs CMD, captures stdout/stderr in $WORK/out, $WORK/err
expect_exit() {
  local want=$1; shift
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  if [ "$got" != "$want" ]; then
    fail "exit $got (wanted $want): $*"
    sed 's/^/  stderr: /' "$WORK/err" | head -5
  fi
}

expect_in() {  # expect_in FILE TEXT
  grep -qF -- "$2" "$1" || { fail "$1 lacks: $2"; sed 's/^/  got: /' "$1" | head -5; }
}

no_leftovers() {  # no_leftovers DIR: no temporary file remains in DIR
  if find "$1" -name '*chaff-tmp*' 2>/dev/null | grep -q .; then
    fail "temporary files left in $1: $(find "$1" -name '*chaff-tmp*' | head -3)"
  fi
}

# interrupted [--after SECONDS] ACTION CMD...: runs CMD in the background
# (stdout and stderr in $WORK/out, $WORK/err), waits until it has a
# temporary output under $WORK (so it is mid-run, with something to leave
# behind) or has ended, or with --after for SECONDS, evaluates ACTION ($PID
# is the run), waits, and sets RC to its exit code.
interrupted() {
  local after=
  if [ "$1" = --after ]; then
    after=$2
    shift 2
  fi
  local action=$1
  shift
  "$@" >"$WORK/out" 2>"$WORK/err" &
  PID=$!
  if [ -n "$after" ]; then
    sleep "$after"
  else
    local i
    for i in $(seq 400); do
      find "$WORK" -name '*chaff-tmp*' 2>/dev/null | grep -q . && break
      kill -0 $PID 2>/dev/null || break
      sleep 0.05
    done
  fi
  eval "$action"
  wait $PID
  RC=$?
}

# expect_stopped CODE OUTPUT WHAT: after `interrupted`, the run stopped with
# exit CODE, OUTPUT does not exist and no temporary file remains in $WORK.
# A run that finished first (exit 0) is noted, not failed, and its OUTPUT
# removed; returns 1 then.
expect_stopped() {
  local want=$1 output=$2 what=$3
  if [ "$RC" = 0 ]; then
    echo "note: the run finished before $what; nothing to check"
    rm -rf "$output"
    return 1
  fi
  [ "$RC" = "$want" ] || fail "exit $RC after $what (wanted $want)"
  [ -e "$output" ] && fail "an output exists after $what"
  no_leftovers "$WORK"
  return 0
}

finish() {
  if [ "$FAILS" -ne 0 ]; then echo "$FAILS check(s) failed"; exit 1; fi
  echo "ok"
  exit 0
}
