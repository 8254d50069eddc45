# Text in UTF-16 or UTF-32 (with its byte order mark) is never cut at 0x0A
# bytes inside characters and written back as garbage: it is refused with a
# message that says how to convert it, and each command applies its rule for
# an input it cannot read (clean: skipped with a warning, the others written,
# exit 2; dedupe and explain: exit 2, nothing written). A JSONL file that
# starts with a UTF-8 byte order mark, as many Windows tools write, is read
# as if it had none.
. "$(dirname "$0")/lib/common.bash"
cd "$WORK" || exit 1

text='The council approved the new budget for the coming year on Tuesday evening.
Residents asked about the bridge, and the mayor said work would start in spring.
'
mkdir -p tree
printf '%s' "$text" > tree/a.txt
python3 - "$text" <<'PY'
import sys
text = sys.argv[1]
for name, codec, bom in [("utf16le", "utf-16-le", b"\xff\xfe"), ("utf16be", "utf-16-be", b"\xfe\xff"),
                         ("utf32le", "utf-32-le", b"\xff\xfe\x00\x00"),
                         ("utf32be", "utf-32-be", b"\x00\x00\xfe\xff")]:
    with open(f"tree/{name}.txt", "wb") as f:
        f.write(bom + text.encode(codec))
    with open(f"{name}.jsonl", "wb") as f:
        f.write(bom + ('{"id":1,"text":"%s"}\n' % text.replace("\n", "\\n")).encode(codec))
PY
cp tree/utf16le.txt named.txt

# chaff clean: named on the command line, and in a walk.
expect_exit 2 "$CHAFF" clean named.txt tree/a.txt -o out1
expect_in "$WORK/err" "named.txt: skipped: UTF-16LE text (byte order mark FF FE), not UTF-8; convert it first, e.g. iconv -f UTF-16 -t UTF-8 named.txt"
[ -e out1/named.txt ] && fail "clean wrote an output for UTF-16 text"
[ -f out1/a.txt ] || fail "clean did not write the readable file"
expect_exit 2 "$CHAFF" clean tree -o out2
for enc in "utf16le UTF-16LE" "utf16be UTF-16BE" "utf32le UTF-32LE" "utf32be UTF-32BE"; do
  set -- $enc
  expect_in "$WORK/err" "tree/$1.txt: skipped: $2 text"
  [ -e "out2/$1.txt" ] && fail "clean wrote out2/$1.txt"
done
expect_in "$WORK/err" "iconv -f UTF-32 -t UTF-8"
[ -f out2/a.txt ] || fail "clean did not write the readable file of the tree"
expect_exit 2 "$CHAFF" clean utf16le.jsonl -o out3.jsonl
expect_in "$WORK/err" "utf16le.jsonl: skipped: UTF-16LE text"
[ -e out3.jsonl ] && [ -s out3.jsonl ] && fail "clean wrote records of UTF-16 JSONL"
# Stdin cannot be skipped: the run stops.
expect_exit 2 "$CHAFF" clean - -o - < named.txt
# (The message should say <stdin>; chaff clean names the copy of stdin it
# reads, a temporary file. Noted for the clean engine.)
expect_in "$WORK/err" "UTF-16LE text (byte order mark FF FE)"
[ -s "$WORK/out" ] && fail "clean wrote something for UTF-16 stdin"

# chaff dedupe and explain: refused, nothing written.
expect_exit 2 "$CHAFF" dedupe named.txt tree/a.txt -o dd
expect_in "$WORK/err" "named.txt: UTF-16LE text (byte order mark FF FE), not UTF-8"
[ -e dd ] && fail "dedupe wrote a tree although an input was UTF-16"
expect_exit 2 "$CHAFF" dedupe utf32be.jsonl -o dd.jsonl
expect_in "$WORK/err" "utf32be.jsonl: UTF-32BE text (byte order mark 00 00 FE FF)"
[ -e dd.jsonl ] && fail "dedupe wrote an output for UTF-32 JSONL"
expect_exit 2 "$CHAFF" explain named.txt
expect_in "$WORK/err" "named.txt: UTF-16LE text"
expect_exit 2 "$CHAFF" explain utf16be.jsonl
expect_in "$WORK/err" "utf16be.jsonl: UTF-16BE text"
no_leftovers "$WORK"

# JSONL with a UTF-8 byte order mark: the same records as without it, read
# from a small file, a large (memory-mapped) one, gzip, and stdin.
for i in $(seq 1 20000); do
  printf '{"id":%d,"text":"Record %d says something of its own, number %d of them."}\n' $i $i $((i % 97))
done > plain.jsonl
{ printf '\xef\xbb\xbf'; cat plain.jsonl; } > bom.jsonl
head -3 plain.jsonl > small.jsonl
{ printf '\xef\xbb\xbf'; cat small.jsonl; } > small-bom.jsonl
gzip -c bom.jsonl > bom.jsonl.gz
for pair in "small.jsonl small-bom.jsonl" "plain.jsonl bom.jsonl" "plain.jsonl bom.jsonl.gz"; do
  set -- $pair
  "$CHAFF" dedupe "$1" -o want.jsonl --clusters want-c.jsonl -q || fail "dedupe $1"
  expect_exit 0 "$CHAFF" dedupe "$2" -o got.jsonl --clusters got-c.jsonl -q
  cmp -s want.jsonl got.jsonl || fail "dedupe $2: the kept records differ from $1's"
  sed "s/$1/$2/g" want-c.jsonl | cmp -s - got-c.jsonl || fail "dedupe $2: the clusters differ"
  # Two passes, copying the kept records from the file (no --clusters).
  "$CHAFF" dedupe "$1" -o want2.jsonl --no-split-chains -q
  expect_exit 0 "$CHAFF" dedupe "$2" -o got2.jsonl --no-split-chains -q
  cmp -s want2.jsonl got2.jsonl || fail "dedupe --no-split-chains $2 differs from $1"
  "$CHAFF" clean "$1" -o want3.jsonl -q
  expect_exit 0 "$CHAFF" clean "$2" -o got3.jsonl -q
  cmp -s want3.jsonl got3.jsonl || fail "clean $2 differs from $1"
done
expect_exit 0 "$CHAFF" dedupe - -o got4.jsonl -q < small-bom.jsonl
"$CHAFF" dedupe small.jsonl -o want4.jsonl -q
cmp -s want4.jsonl got4.jsonl || fail "dedupe of stdin with a byte order mark differs"
expect_exit 0 "$CHAFF" explain small-bom.jsonl --record 1
expect_in "$WORK/out" "Record 1 says something of its own"
finish
