#!/usr/bin/env bash
# README command 2 (and CI, through .ci/run): install what is missing, then
# build and test chaff in every configuration CI checks, from scratch:
#   1. gcc    Release, -Werror, benchmarks built; the whole ctest suite at full
#             sizes (100 MB line, a million documents, the whole BBC corpus);
#   2. clang  Release, -Werror (GCC 12 and clang 14 fall back to different
#             Highway targets: SCALAR vs EMU128); the whole ctest suite;
#   3. clang  ASan+UBSan with libFuzzer coverage: the whole ctest suite (the
#             scale tests at reduced sizes), then every fuzzer for
#             CHAFF_FUZZ_SECONDS (default 60) from its seed corpus.
# Each stage prints its wall time; every stage runs even if an earlier one
# failed, and the script exits non-zero if any did.
#
# Knobs: CHAFF_CI_STAGES="gcc clang asan" (a subset to run),
# CHAFF_FUZZ_SECONDS, CHAFF_JOBS (default: nproc).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || exit 1

jobs=${CHAFF_JOBS:-$(nproc)}
stages=${CHAFF_CI_STAGES:-gcc clang asan}
fuzz_seconds=${CHAFF_FUZZ_SECONDS:-60}
failed=()
summary=()
tests_passed=0
tests_failed=0
script_start=$(date +%s)

# stage NAME CMD...: runs CMD, records its wall time and result.
stage() {
  local name=$1; shift
  local start; start=$(date +%s)
  echo
  echo "=== stage $name ==="
  if "$@"; then
    summary+=("$(printf '%-8s ok     %4ds' "$name" $(( $(date +%s) - start )))")
  else
    failed+=("$name")
    summary+=("$(printf '%-8s FAILED %4ds' "$name" $(( $(date +%s) - start )))")
  fi
  echo "=== stage $name: $(( $(date +%s) - start ))s ==="
}

# build DIR CMAKE_ARGS...: configures and builds from scratch.
build() {
  local dir=$1; shift
  rm -rf "$dir"
  cmake -S . -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j "$jobs"
}

# run_ctest DIR: the whole suite; the summary lines stay visible at the end.
run_ctest() {
  local dir=$1 log="$1/ctest.log" rc
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" >"$log" 2>&1
  rc=$?
  # Failures in full, then ctest's own summary ("100% tests passed, ..." and
  # "Total Test time"), which is the last thing ctest prints.
  grep -E -A40 '\*\*\*Failed|\*\*\*Exception|\(Failed\)|Timeout' "$log" | head -200
  grep -E '^[0-9]+% tests passed|tests failed out of|The following tests|^\s+[0-9]+ - |Total Test time' "$log"
  # Totals over all stages, for the closing line.
  local line failed_n total_n
  line=$(grep -E 'tests failed out of [0-9]+' "$log" | tail -1)
  if [ -n "$line" ]; then
    failed_n=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/')
    total_n=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/')
    tests_failed=$(( tests_failed + failed_n ))
    tests_passed=$(( tests_passed + total_n - failed_n ))
  else
    tests_failed=$(( tests_failed + 1 ))  # ctest itself did not finish
  fi
  return $rc
}

gcc_stage() {
  build build-test -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=g++ -DCHAFF_WERROR=ON &&
    run_ctest build-test
}

clang_stage() {
  build build-ci-clang -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ \
    -DCHAFF_WERROR=ON -DCHAFF_BUILD_BENCH=OFF &&
    CHAFF_ROBUST_LINE_MB=50 CHAFF_ROBUST_DOCS=300000 run_ctest build-ci-clang
}

# libFuzzer: each fuzzer for $fuzz_seconds, all at once (they share the
# cores; each still gets the full wall time), on a scratch copy of its seed
# corpus so the repository's stays small.
run_fuzzers() {
  local dir=$1 rc=0 name pids=()
  local work="$dir/fuzz-work"
  rm -rf "$work"
  mkdir -p "$work/artifacts"
  # The fuzzers that write files write them under TMPDIR: a tmpfs when there
  # is one (on ext4 mounted with `discard`, every replaced file waits for the
  # device: fuzz_dedupe ran half as many inputs).
  local scratch=${TMPDIR:-/tmp}
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    scratch=$(mktemp -d /dev/shm/chaff-fuzz.XXXXXX) || scratch=${TMPDIR:-/tmp}
  fi
  for fuzzer in "$dir"/tests/fuzz/fuzz_*; do
    [ -x "$fuzzer" ] || continue
    name=$(basename "$fuzzer")
    mkdir -p "$work/$name"
    cp -r "tests/fuzz/corpus/${name#fuzz_}/." "$work/$name/" 2>/dev/null
    TMPDIR="$scratch" "$fuzzer" -max_total_time="$fuzz_seconds" -timeout=30 -rss_limit_mb=3072 \
      -max_len=16384 -print_final_stats=1 -artifact_prefix="$work/artifacts/$name-" \
      "$work/$name" >"$work/$name.log" 2>&1 &
    pids+=("$!:$name")
  done
  for entry in "${pids[@]}"; do
    name=${entry#*:}
    if wait "${entry%%:*}"; then
      local runs secs units
      runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$name.log" | grep -o '[0-9]*$')
      secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$work/$name.log" | grep -o 'in [0-9]*' | grep -o '[0-9]*')
      units=$(ls "$work/$name" | wc -l)
      echo "$name: no finding; ${runs:-?} runs in ${secs:-?} s ($(( ${runs:-0} / (${secs:-1} > 0 ? ${secs:-1} : 1) )) exec/s), corpus $units inputs"
      grep -m1 'comparing with the scalar reference' "$work/$name.log"
    else
      rc=1
      echo "$name: FINDING (input saved under $work/artifacts/):"
      grep -E -B5 -A30 'ERROR|runtime error|invariant failed|deadly signal' "$work/$name.log" | head -80
    fi
  done
  case $scratch in /dev/shm/chaff-fuzz.*) rm -rf "$scratch" ;; esac
  return $rc
}

asan_stage() {
  build build-ci-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DCHAFF_SANITIZE=address,undefined -DCHAFF_FUZZ=ON -DCHAFF_BUILD_BENCH=OFF || return 1
  local rc=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    CHAFF_ROBUST_LINE_MB=10 CHAFF_ROBUST_DOCS=100000 CHAFF_ROBUST_FILES=500 \
    CHAFF_TEST_MAX_DOCS=400 run_ctest build-ci-asan || rc=1
  echo "--- fuzzers (${fuzz_seconds}s each) ---"
  run_fuzzers build-ci-asan || rc=1
  return $rc
}

for s in $stages; do
  case $s in
    gcc) stage gcc gcc_stage ;;
    clang) stage clang clang_stage ;;
    asan) stage asan asan_stage ;;
    *) echo "unknown stage $s"; failed+=("$s") ;;
  esac
done

echo
echo "=== summary (total $(( $(date +%s) - script_start ))s) ==="
printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "FAILED stages: ${failed[*]}"
  echo "ctest: $tests_passed passed, $tests_failed failed"
  exit 1
fi
echo "all stages passed"
echo "ctest: $tests_passed passed, $tests_failed failed"
