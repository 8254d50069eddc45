# chaff explain: one row per line, with the decision and, for repeats, the line repeated.
. "$(dirname "$0")/lib/common.bash"
seed="$SRC/seeds/002_8f3e413f6ae2009f.txt"
expect_exit 0 "$CHAFF" explain "$seed"
[ "$(grep -c '|' "$WORK/out")" = "$(wc -l < "$seed" | awk '{print $1+1}')" ] || \
  [ "$(grep -c '|' "$WORK/out")" = "$(wc -l < "$seed")" ] || fail "not one row per line"
expect_in "$WORK/out" "[repeats line 5]"
grep -E '^ +5  keep ' "$WORK/out" >/dev/null || fail "line 5 (the title) not kept"
finish
