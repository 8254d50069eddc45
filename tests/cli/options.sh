# Every numeric option of every command refuses what it cannot use, in the
# same words, before any work: "nan" and "inf" (which pass any comparison
# or range check), negative numbers (which an unsigned option would read as
# 18446744073709551615), numbers past the bounds (named as they are, never
# as the largest double). The options are read from each command's --help,
# so a new option is checked too. Also: errors about a compressed input
# name it once.
. "$(dirname "$0")/lib/common.bash"
cd "$WORK" || exit 1
printf '{"id":1,"text":"A record about the harbour and the boats in it."}\n' > in.jsonl

check_command() {  # check_command CMD ARGS...: every numeric option of CMD
  local cmd=$1
  shift
  local options
  options=$("$CHAFF" "$cmd" --help | sed -nE 's/^ +(-[a-zA-Z],)?(--[a-z-]+) (INT|UINT|FLOAT)[: =].*/\2/p')
  [ -n "$options" ] || fail "$cmd --help lists no numeric option"
  local opt value
  for opt in $options; do
    for value in nan inf -1 -0.5 1e999 99999999999999999999 12abc; do
      "$CHAFF" "$cmd" "$@" "$opt" "$value" > out 2> err
      local rc=$?
      if [ $rc != 2 ]; then
        fail "$cmd $opt $value: exit $rc (wanted 2)"
        continue
      fi
      grep -qF -- "$opt" err || fail "$cmd $opt $value: the message does not name the option: $(head -1 err)"
      grep -q '17976931348623157' err && fail "$cmd $opt $value: the largest double as a bound: $(head -c 200 err)"
      [ -s out ] && fail "$cmd $opt $value: wrote to stdout"
    done
  done
  echo "$cmd: $(echo $options | wc -w) numeric options checked"
}
check_command dedupe in.jsonl -o /dev/null -q
check_command clean in.jsonl -o /dev/null -q
check_command explain in.jsonl
check_command sketch in.jsonl -o sketches -q
check_command cluster sketches -o decisions -q

# The messages themselves.
expect_exit 2 "$CHAFF" explain in.jsonl --record -1
expect_in "$WORK/err" "--record: -1 is less than 1"
expect_exit 2 "$CHAFF" explain in.jsonl --record 0
expect_in "$WORK/err" "--record: 0 is less than 1"
expect_exit 0 "$CHAFF" explain in.jsonl --record 1
expect_exit 2 "$CHAFF" dedupe in.jsonl -o /dev/null --threshold nan
expect_in "$WORK/err" "--threshold: 'nan' is not a finite number"
expect_exit 2 "$CHAFF" dedupe in.jsonl -o /dev/null --threshold 2
expect_in "$WORK/err" "--threshold: 2 is not in [0.01, 0.99]"
expect_exit 2 "$CHAFF" dedupe in.jsonl -o /dev/null --threads -1
expect_in "$WORK/err" "--threads: -1 is not in [0, 2147483647]"
expect_exit 2 "$CHAFF" clean in.jsonl -o /dev/null --template-min-share nan
expect_in "$WORK/err" "--template-min-share: 'nan' is not a finite number"
expect_exit 2 "$CHAFF" clean in.jsonl -o /dev/null --html-report-docs -1
expect_in "$WORK/err" "--html-report-docs: -1 is less than 0"

# A compressed input cut short: its name once, in every command.
for i in $(seq 1 3000); do
  printf '{"id":%d,"text":"record %d of a long enough file to be cut in the middle %d"}\n' $i $i $((i * 7))
done > big.jsonl
gzip -c big.jsonl > big.jsonl.gz
zstd -q -c big.jsonl > big.jsonl.zst 2>/dev/null || rm -f big.jsonl.zst
for full in big.jsonl.gz big.jsonl.zst; do
  [ -f "$full" ] || continue
  cut="cut-${full#big.}"
  head -c $(( $(stat -c %s "$full") / 2 )) "$full" > "$cut"
  for run in "dedupe $cut -o /dev/null -q" "dedupe $cut -o /dev/null --no-split-chains -q" \
             "clean $cut -o /dev/null -q" "explain $cut --record 3000"; do
    # shellcheck disable=SC2086
    "$CHAFF" $run > /dev/null 2> err
    [ "$(grep -o -- "$cut" err | wc -l)" = 1 ] || fail "chaff $run: the file is not named once: $(head -1 err)"
  done
done
finish
