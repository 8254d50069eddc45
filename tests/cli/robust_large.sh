# Scale: a single line of 100 MB (text file and JSONL record), a million tiny
# JSONL documents, and a tree of many small files. Each must finish in bounded
# time (a quadratic step would blow the limits), keep every record, and
# account for every byte.
# Sizes can be lowered for slow builds (scripts/test.sh does so under
# ASan+UBSan); the Release build runs the full sizes:
#   CHAFF_ROBUST_LINE_MB (default 100), CHAFF_ROBUST_DOCS (default 1000000),
#   CHAFF_ROBUST_FILES (default 2000).
. "$(dirname "$0")/lib/common.bash"

MB=${CHAFF_ROBUST_LINE_MB:-100}
DOCS=${CHAFF_ROBUST_DOCS:-1000000}
FILES=${CHAFF_ROBUST_FILES:-2000}
LIMIT=${CHAFF_ROBUST_TIME_LIMIT:-300}  # seconds per run

json_num() { grep -o "\"$2\":[0-9]*" "$1" | head -1 | cut -d: -f2; }

# timed NAME CMD...: runs CMD with the time limit, prints how long it took.
timed() {
  local name=$1; shift
  local start; start=$(date +%s%N)
  expect_exit 0 timeout "$LIMIT" "$@"
  echo "$name: $(( ($(date +%s%N) - start) / 1000000 )) ms"
}

# --- One line of $MB MB: words from base64 noise (distinct tokens, the
# worst case for the repeat detector's shingle table), no newline at all.
head -c $((MB * 750000)) /dev/urandom | base64 -w0 | tr '+/' '  ' > "$WORK/line.txt"
size=$(wc -c < "$WORK/line.txt")
timed "one ${MB} MB line" "$CHAFF" clean "$WORK/line.txt" -o "$WORK/o/" --report "$WORK/r.json" -q
kept=$(json_num "$WORK/r.json" kept_bytes); removed=$(json_num "$WORK/r.json" removed_bytes)
[ $((kept + removed)) = "$size" ] || fail "long line: kept $kept + removed $removed != $size"
[ -f "$WORK/o/line.txt" ] && [ "$(wc -c < "$WORK/o/line.txt")" = "$kept" ] ||
  fail "long line: output size differs from kept bytes"
rm -rf "$WORK/o"

# SIGINT while that one document is being cleaned: exit 130, no output.
# (The output file only appears once the document is cleaned: a delay.)
interrupted --after 1 'kill -INT $PID 2>/dev/null' "$CHAFF" clean "$WORK/line.txt" -o "$WORK/o/" -q
expect_stopped 130 "$WORK/o/line.txt" "SIGINT during a long document"
rm -rf "$WORK/o"

# The same line as one JSONL record (the reader's buffer must grow to it).
{ printf '{"id":1,"text":"'; cat "$WORK/line.txt"; printf '"}\n'; } > "$WORK/line.jsonl"
rm -f "$WORK/line.txt"
timed "one ${MB} MB record" "$CHAFF" clean "$WORK/line.jsonl" -o "$WORK/line-out.jsonl" \
  --report "$WORK/r.json" -q --no-templates
[ "$(json_num "$WORK/r.json" bytes)" = "$size" ] || fail "long record: bytes in != $size"
[ "$(wc -l < "$WORK/line-out.jsonl")" = 1 ] || fail "long record: not one record out"
rm -f "$WORK/line.jsonl" "$WORK/line-out.jsonl"

# --- $DOCS tiny documents in one JSONL file, with ids (the duplicate-id
# table holds them all).
seq 1 "$DOCS" | awk '{printf "{\"id\":%d,\"text\":\"Tiny doc %d.\\nShare this\\n\"}\n",$1,$1}' > "$WORK/many.jsonl"
timed "$DOCS tiny documents" "$CHAFF" clean "$WORK/many.jsonl" -o "$WORK/many-out.jsonl" \
  --report "$WORK/r.json" -q
[ "$(wc -l < "$WORK/many-out.jsonl")" = "$DOCS" ] || fail "tiny docs: record count changed"
[ "$(json_num "$WORK/r.json" documents)" = "$DOCS" ] || fail "tiny docs: report count wrong"
want=$(awk -v n="$DOCS" 'BEGIN{s=0; for(i=1;i<=n;i++) s+=length("Tiny doc " i ".\nShare this\n"); print s}')
kept=$(grep -o '"total":{"bytes":[0-9]*,"kept_bytes":[0-9]*,"removed_bytes":[0-9]*' "$WORK/r.json")
total=$(echo "$kept" | sed 's/.*"total":{"bytes":\([0-9]*\).*/\1/')
[ "$total" = "$want" ] || fail "tiny docs: $total bytes accounted, $want in the input"
rm -f "$WORK/many.jsonl" "$WORK/many-out.jsonl"

# --- $FILES small files in a tree (listing, planning and writing must not
# be quadratic in the number of files).
for i in $(seq -w 0 49); do mkdir -p "$WORK/tree/d$i"; done
seq 1 "$FILES" | awk -v d="$WORK/tree" '{f=sprintf("%s/d%02d/f%05d.txt",d,$1%50,$1); printf "Small file %d with a short paragraph of text.\n",$1 > f; close(f)}'
timed "$FILES small files" "$CHAFF" clean "$WORK/tree" -o "$WORK/tree-out" --report "$WORK/r.json" -q
[ "$(find "$WORK/tree-out" -type f | wc -l)" = "$FILES" ] || fail "tree: file count changed"
finish
