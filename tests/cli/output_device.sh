# -o naming a FIFO (or a device such as /dev/null) is written in place: a
# temporary file renamed over it would replace the node with a regular file.
. "$(dirname "$0")/lib/common.bash"
mkfifo "$WORK/fifo" || { echo "SKIPPED: mkfifo unavailable"; exit 77; }
cat "$WORK/fifo" > "$WORK/received" &
reader=$!
expect_exit 0 "$CHAFF" clean "$SRC/seeds/000_9ce2cd0f09f3156e.txt" -o "$WORK/fifo" -q
wait "$reader"
[ -p "$WORK/fifo" ] || fail "the FIFO was replaced by a regular file"
cmp -s "$WORK/received" "$SRC/seeds/000_9ce2cd0f09f3156e.txt" || fail "the FIFO did not receive the cleaned text"
ls "$WORK" | grep -q chaff-tmp && fail "a temporary file was left behind"
finish
