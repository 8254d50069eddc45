# --annotate: byte spans of the original with reasons; cutting them out of the
# input gives exactly the cleaned text.
. "$(dirname "$0")/lib/common.bash"

seed="$SRC/seeds/002_8f3e413f6ae2009f.txt"
expect_exit 0 "$CHAFF" clean "$seed" -o "$WORK/ann/" --annotate -q
ann="$WORK/ann/002_8f3e413f6ae2009f.txt.json"
[ -f "$ann" ] || fail "no annotation file"
expect_in "$ann" '"reason":"repeat","lines":[38,'
expect_in "$ann" '"first":{"start":'
expect_exit 0 "$CHAFF" clean "$seed" -o "$WORK/clean/" -q
python3 - "$seed" "$ann" "$WORK/clean/002_8f3e413f6ae2009f.txt" <<'PY' || fail "spans do not reproduce the cleaned text"
import json, sys
src = open(sys.argv[1], 'rb').read()
ann = json.load(open(sys.argv[2]))
out = open(sys.argv[3], 'rb').read()
assert ann["bytes"] == len(src)
kept, pos = b"", 0
for s in ann["removed"]:
    assert pos <= s["start"] < s["end"] <= len(src)
    kept += src[pos:s["start"]]
    pos = s["end"]
kept += src[pos:]
assert kept == out, "cut spans != cleaned text"
assert ann["kept_bytes"] == len(out)
PY
finish
