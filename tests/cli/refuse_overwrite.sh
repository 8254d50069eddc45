# An output path that would overwrite an input is refused, and the input stays.
. "$(dirname "$0")/lib/common.bash"

mkdir -p "$WORK/tree/sub"
printf 'Some paragraph of text.\n' > "$WORK/tree/sub/a.txt"
cp "$WORK/tree/sub/a.txt" "$WORK/orig.txt"

expect_exit 2 "$CHAFF" clean "$WORK/tree" -o "$WORK/tree"
expect_in "$WORK/err" "refusing to overwrite input"
cmp -s "$WORK/tree/sub/a.txt" "$WORK/orig.txt" || fail "input was modified"

expect_exit 2 "$CHAFF" clean "$WORK/tree/sub/a.txt" -o "$WORK/tree/sub"
expect_in "$WORK/err" "refusing to overwrite input"

printf '{"text":"x"}\n' > "$WORK/in.jsonl"
expect_exit 2 "$CHAFF" clean "$WORK/in.jsonl" -o "$WORK/in.jsonl"
expect_in "$WORK/err" "refusing to overwrite input"
expect_in "$WORK/in.jsonl" '{"text":"x"}'

# Mirroring a tree keeps relative paths.
expect_exit 0 "$CHAFF" clean "$WORK/tree" -o "$WORK/mirror"
[ -f "$WORK/mirror/sub/a.txt" ] || fail "tree not mirrored under -o"
ls -A "$WORK/mirror/sub" | grep -q chaff-tmp && fail "a temporary file was left behind"
finish
