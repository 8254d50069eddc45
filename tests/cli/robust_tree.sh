# Directory walks over hostile trees: binary files, special files, symlink
# loops, dangling links, a 200-level deep tree, unreadable files.
# Policy under test:
#   * binary files (NUL in the first 8 KiB) met in a walk: skipped with a
#     warning naming them; the run succeeds and the summary counts them;
#   * FIFOs, sockets, devices in a walk: skipped with a warning (never opened,
#     so a FIFO cannot hang the run);
#   * symlinks to directories are not followed (no loops); symlinks to files
#     are read; dangling or looping links are skipped with a warning;
#   * a file that cannot be read: a warning naming it and the reason, the
#     other files are cleaned and written, and the run exits 2 at the end
#     with the count of unread files (no output is written for that file).
. "$(dirname "$0")/lib/common.bash"

T="$WORK/tree"
mkdir -p "$T/sub"
printf 'Hello there, this is a normal paragraph of text that stays.\n' > "$T/a.txt"
printf 'PK\003\004\000\000binary\000junk\n' > "$T/archive.zip"
printf 'text with a NUL \000 far in is still binary\n' > "$T/sub/nul.txt"
: > "$T/empty.txt"
ln -s .. "$T/sub/up"             # a loop back to the root
ln -s loop "$T/loop"             # a link to itself
ln -s nowhere "$T/dangling"      # a link to nothing
ln -s ../a.txt "$T/sub/link.txt" # a link to a file: read like the file
mkfifo "$T/fifo"

# Nothing is unreadable yet: exit 0, binaries and specials warned about.
expect_exit 0 timeout 60 "$CHAFF" clean "$T" -o "$WORK/o1" --no-chrome
expect_in "$WORK/err" "warning: $T/archive.zip: skipped: looks binary"
expect_in "$WORK/err" "warning: $T/sub/nul.txt: skipped: looks binary"
expect_in "$WORK/err" "warning: $T/fifo: skipped: not a regular file"
expect_in "$WORK/err" "warning: $T/loop: skipped:"
expect_in "$WORK/err" "warning: $T/dangling: skipped:"
expect_in "$WORK/err" "2 binary file(s) skipped"
cmp -s "$T/a.txt" "$WORK/o1/a.txt" || fail "a.txt not copied unchanged"
cmp -s "$T/a.txt" "$WORK/o1/sub/link.txt" || fail "a link to a file was not read"
[ -f "$WORK/o1/empty.txt" ] && [ ! -s "$WORK/o1/empty.txt" ] || fail "empty file not mirrored as empty"
[ -e "$WORK/o1/archive.zip" ] && fail "a binary file was written"
[ -e "$WORK/o1/sub/up" ] && fail "a directory symlink was followed"
find "$WORK/o1" -name '*chaff-tmp*' | grep -q . && fail "temporary files left"

# A deep tree: 200 levels.
D="$WORK/deep"
p="$D"
for i in $(seq 1 200); do p="$p/d$i"; done
mkdir -p "$p"
printf 'At the bottom of a very deep tree there is one paragraph.\n' > "$p/leaf.txt"
ln -s "$D" "$p/back-to-top"
expect_exit 0 timeout 60 "$CHAFF" clean "$D" -o "$WORK/o2" --no-chrome
rel=${p#"$D"/}
cmp -s "$p/leaf.txt" "$WORK/o2/$rel/leaf.txt" || fail "deep leaf not mirrored at $rel"

# Unreadable files: a symlink to /proc/self/mem fails on read (EIO) even for
# root; mode 000 fails on open for other users.
U="$WORK/unread"
mkdir -p "$U"
printf 'First readable file, kept as it is in the output.\n' > "$U/a.txt"
printf 'Last readable file, kept as it is in the output.\n' > "$U/z.txt"
ln -s /proc/self/mem "$U/m.txt"
printf 'secret\n' > "$U/n.txt"
chmod 000 "$U/n.txt"
unreadable=1
cat "$U/n.txt" >/dev/null 2>&1 && unreadable=0  # root reads anything
expect_exit 2 timeout 60 "$CHAFF" clean "$U" -o "$WORK/o3" --no-chrome --report "$WORK/r3.json"
expect_in "$WORK/err" "warning: $U/m.txt: skipped: read failed: Input/output error"
if [ $unreadable = 1 ]; then
  expect_in "$WORK/err" "warning: $U/n.txt: skipped: cannot open: Permission denied"
  expect_in "$WORK/err" "2 file(s) could not be read"
else
  expect_in "$WORK/err" "1 file(s) could not be read"
fi
cmp -s "$U/a.txt" "$WORK/o3/a.txt" || fail "a file before the unreadable one was not written"
cmp -s "$U/z.txt" "$WORK/o3/z.txt" || fail "a file after the unreadable one was not written"
[ -e "$WORK/o3/m.txt" ] && fail "an output was written for an unreadable file"
expect_in "$WORK/r3.json" '"unreadable":true'
# The same file named on the command line: same policy.
expect_exit 2 "$CHAFF" clean "$U/m.txt" "$U/a.txt" -o "$WORK/o4" --no-chrome
expect_in "$WORK/err" "$U/m.txt: skipped: read failed"
cmp -s "$U/a.txt" "$WORK/o4/a.txt" || fail "the readable file named with it was not written"
# Unreadable JSONL: same policy, and nothing half-written.
ln -s /proc/self/mem "$U/m.jsonl"
printf '{"text":"A record in a readable file that goes through."}\n' > "$U/ok.jsonl"
expect_exit 2 "$CHAFF" clean "$U/m.jsonl" "$U/ok.jsonl" -o "$WORK/o5.jsonl" --no-chrome
expect_in "$WORK/err" "$U/m.jsonl: skipped: read failed"
expect_in "$WORK/o5.jsonl" 'A record in a readable file that goes through.'
finish
