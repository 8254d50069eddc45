# Shared by the WARC cases (tests/cli/warc.sh, tests/cli/clean_warc.sh), after
# lib/common.bash. Skips the case when the generator is not built.
MAKE_WARC=$(dirname "$CHAFF")/chaff-make-warc
[ -x "$MAKE_WARC" ] || { echo "SKIPPED: $MAKE_WARC is not built"; exit 77; }

# make_warc_files DOCS: $WORK/in.jsonl written by chaff-make-warc as
# $WORK/x.warc.wet.gz (a gzip member per record) and $WORK/x.warc (plain):
# a warcinfo record, a conversion record per document but every 4th, which
# is a request, a text/plain response and a metadata record, and after every
# 5th document a request, an HTML response and a metadata record to skip;
# and as $WORK/same.jsonl, the documents as chaff reads them out of the WARC
# file. Checks that there are DOCS documents.
make_warc_files() {
  expect_exit 0 "$MAKE_WARC" -i "$WORK/in.jsonl" -o "$WORK/x.warc.wet.gz" \
    --jsonl "$WORK/same.jsonl" --response-every 4 --noise-every 5
  expect_exit 0 "$MAKE_WARC" -i "$WORK/in.jsonl" -o "$WORK/x.warc" --response-every 4 \
    --noise-every 5
  local docs
  docs=$(wc -l < "$WORK/same.jsonl")
  [ "$docs" = "$1" ] || fail "the generator wrote $docs documents, not $1"
}

# same_on_warc_inputs SUMMARY CMD [FLAGS...]: `chaff CMD FLAGS` writes
# $WORK/ref.jsonl (the run on the same documents as JSONL) byte for byte
# from $WORK/x.warc (plain), from a copy of $WORK/x.warc.wet.gz without a
# WARC name (recognised by content; its stderr has SUMMARY) and from
# $WORK/x.warc.wet.gz at 1, 2 and 3 threads.
same_on_warc_inputs() {
  local summary=$1
  shift
  expect_exit 0 "$CHAFF" "$@" "$WORK/x.warc" -o "$WORK/plain.jsonl" -q
  cmp -s "$WORK/plain.jsonl" "$WORK/ref.jsonl" || fail "$1: plain WARC output differs"
  cp "$WORK/x.warc.wet.gz" "$WORK/crawl-segment.bin"
  expect_exit 0 "$CHAFF" "$@" "$WORK/crawl-segment.bin" -o "$WORK/noname.jsonl"
  cmp -s "$WORK/noname.jsonl" "$WORK/ref.jsonl" || fail "$1: WARC recognised by content differs"
  expect_in "$WORK/err" "$summary"
  local t
  for t in 1 2 3; do
    expect_exit 0 "$CHAFF" "$@" "$WORK/x.warc.wet.gz" -o "$WORK/t$t.jsonl" -q --threads "$t"
    cmp -s "$WORK/t$t.jsonl" "$WORK/ref.jsonl" || fail "$1: output differs at --threads $t"
  done
}
