# chaff dedupe compares its outputs as they would be written: two names of
# one file (./a and a, a link and its target, - and a link to fd 1, the
# clusters file and a file of the mirrored tree) are refused before any
# work, and nothing is written; outputs that only share a device
# (/dev/null twice) or a terminal are fine.
. "$(dirname "$0")/lib/common.bash"
cd "$WORK" || exit 1

printf '%s\n' '{"id":1,"text":"One short record about the weather in the north."}' \
  '{"id":2,"text":"Another record, about a football match on Saturday."}' > in.jsonl

refused() {  # refused WHAT ARGS...: exit 2 before writing anything
  local what=$1
  shift
  rm -f kept.jsonl
  expect_exit 2 "$CHAFF" dedupe in.jsonl "$@" -q
  expect_in "$WORK/err" "$what"
  [ -e kept.jsonl ] && fail "an output was written although $* was refused"
  no_leftovers "$WORK"
}
refused "would write to the same file" -o kept.jsonl --clusters ./kept.jsonl
refused "would write to the same file" -o kept.jsonl --clusters "$WORK/kept.jsonl"
mkdir -p sub
refused "would write to the same file" -o kept.jsonl --clusters sub/../kept.jsonl
ln -s kept.jsonl alias.jsonl
refused "would write to the same file" -o kept.jsonl --clusters alias.jsonl
ln -s /proc/self/fd/1 my-stdout
refused "would write to the same file" -o - --clusters my-stdout
refused "would write to the same file" -o my-stdout --clusters -
refused "would write to the same file" -o - --clusters -
# The clusters file where the mirrored tree puts an input's copy.
refused "is also where -o tree mirrors input" -o tree --clusters tree/in.jsonl
refused "is also where -o tree mirrors input" -o tree --clusters ./tree/./in.jsonl
[ -e tree ] && fail "the tree output was made although the run was refused"
# The clusters file over an input, also through a link.
ln -s in.jsonl in-link.jsonl
refused "refusing to overwrite input" -o kept.jsonl --clusters in-link.jsonl
cmp -s in.jsonl <(printf '%s\n' '{"id":1,"text":"One short record about the weather in the north."}' \
  '{"id":2,"text":"Another record, about a football match on Saturday."}') || fail "the input changed"

# Fine: distinct files, a file beside the tree's mirrors, one device twice,
# stdout and stderr.
expect_exit 0 "$CHAFF" dedupe in.jsonl -o kept.jsonl --clusters clusters.jsonl -q
[ "$(wc -l < kept.jsonl)" = 2 ] && [ "$(wc -l < clusters.jsonl)" = 2 ] || fail "outputs incomplete"
expect_exit 0 "$CHAFF" dedupe in.jsonl -o tree --clusters tree/clusters.jsonl -q
[ -f tree/in.jsonl ] && [ -f tree/clusters.jsonl ] || fail "the tree or its clusters file is missing"
expect_exit 0 "$CHAFF" dedupe in.jsonl -o /dev/null --clusters /dev/null -q
ln -s /proc/self/fd/2 my-stderr
"$CHAFF" dedupe in.jsonl -o - --clusters my-stderr -q > out.jsonl 2> clusters-err.jsonl ||
  fail "-o - with --clusters on stderr was refused"
[ "$(wc -l < out.jsonl)" = 2 ] && [ "$(wc -l < clusters-err.jsonl)" = 2 ] ||
  fail "stdout and stderr did not get their outputs"
finish
