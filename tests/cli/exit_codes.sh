# Exit codes and error messages users can act on.
. "$(dirname "$0")/lib/common.bash"

expect_exit 2 "$CHAFF" clean "$WORK/no-such-file.txt" -o "$WORK/out1"
expect_in "$WORK/err" "chaff: $WORK/no-such-file.txt: no such file or directory"
[ -e "$WORK/out1" ] && fail "an output was created for a failed run"

expect_exit 2 "$CHAFF" clean --no-such-flag
expect_in "$WORK/err" "chaff:"

expect_exit 2 "$CHAFF"
expect_exit 0 "$CHAFF" --help
expect_in "$WORK/out" "clean"
expect_exit 0 "$CHAFF" --version
expect_in "$WORK/out" "chaff "
# The executable provides Highway's dispatch entry points itself on x86-64
# (no libhwy.so, whose load-time timer calibration costs ~5 ms per process):
# it must still pick a vector target where the CPU has one.
if [ "$(uname -m)" = x86_64 ]; then
  if command -v ldd > /dev/null && ldd "$CHAFF" | grep -q libhwy; then
    fail "chaff loads libhwy.so"
  fi
  if grep -qw avx2 /proc/cpuinfo && grep -Eq 'SIMD kernels: (SCALAR|EMU128|SSSE3)\)' "$WORK/out"; then
    fail "an AVX2 machine dispatches to $(cat "$WORK/out")"
  fi
fi

printf 'one line of text that is kept\n' > "$WORK/a.txt"
expect_exit 2 "$CHAFF" clean "$WORK/a.txt"
expect_in "$WORK/err" "-o OUT is required"
expect_exit 0 "$CHAFF" clean "$WORK/a.txt" -o "$WORK/o/" --no-chrome
cmp -s "$WORK/a.txt" "$WORK/o/a.txt" || fail "clean text was changed"
# One text file to a path that is not a directory: that file, not a
# directory holding it.
expect_exit 0 "$CHAFF" clean "$WORK/a.txt" -o "$WORK/a.clean.txt" --no-chrome
[ -f "$WORK/a.clean.txt" ] || fail "a.clean.txt is not a file"
cmp -s "$WORK/a.txt" "$WORK/a.clean.txt" || fail "a.clean.txt differs"
expect_exit 0 "$CHAFF" clean "$WORK/a.txt" -o "$WORK/a.json" --annotate
expect_in "$WORK/a.json" '"kept_bytes":'
expect_exit 2 "$CHAFF" clean "$WORK/a.txt" -o "$WORK/a.txt"
expect_in "$WORK/err" "refusing to overwrite input"

expect_exit 2 "$CHAFF" explain "$WORK/missing.txt"
expect_in "$WORK/err" "missing.txt"
finish
